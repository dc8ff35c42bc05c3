/* `arvis health`: every component checked at the same time, shown as a table or as JSON, once or
 * again every interval with a line per change (--watch); exit 0 healthy, 1 degraded, 2 unhealthy.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli_health.h"
#include "cli_llm.h"
#include "cli_watch.h"

const char cmd_health_usage[] =
    "Usage: arvis health [--json] [--watch [--interval SECONDS]]\n"
    "\n"
    "Checks speech input, speech output, the model server, the network to it, the data folder\n"
    "and the sound device at the same time, each within health.timeout_ms.<component>.\n"
    "\n"
    "  --json               print the report as JSON instead of a table (with --watch: one JSON\n"
    "                       object a line for each change, the first statuses included)\n"
    "  --watch              check again every health.interval seconds, print a line for each\n"
    "                       change and write it to the audit log, until Ctrl-C or SIGTERM\n"
    "  --interval SECONDS   seconds between checks with --watch (at least 1)\n"
    "\n"
    "Exit codes: 0 healthy, 1 degraded (something not required failed, or a fallback or a slow\n"
    "answer), 2 unhealthy (a component health.required names failed); with --watch, those of\n"
    "the last check.\n";

/* The exit codes this command promises, apart from the usual ones. */
enum { HEALTH_EXIT_DEGRADED = 1, HEALTH_EXIT_UNHEALTHY = 2 };

static int exit_code(arvis_health_status s)
{
    switch (s) {
    case ARVIS_HEALTH_HEALTHY:
        return CLI_EXIT_OK;
    case ARVIS_HEALTH_UNHEALTHY:
        return HEALTH_EXIT_UNHEALTHY;
    case ARVIS_HEALTH_DEGRADED:
    case ARVIS_HEALTH_UNKNOWN:
        break;
    }
    return HEALTH_EXIT_DEGRADED;
}

static void print_table(const arvis_health_report *r)
{
    printf("%-9s %-9s %9s  %s\n", "COMPONENT", "STATUS", "LATENCY", "MESSAGE");
    for (size_t i = 0; i < r->count; i++) {
        const arvis_health_result *x = &r->results[i];
        char name[32];
        snprintf(name, sizeof name, "%s%s", x->component, x->required ? "*" : "");
        printf("%-9s %-9s %6.0f ms  %s\n", name, arvis_health_status_name(x->status), x->latency_ms,
               x->message);
    }
    printf("overall: %s (* marks the components health.required names)\n",
           arvis_health_status_name(r->overall));
}

static int print_json(const arvis_health_report *r)
{
    cJSON *o = arvis_health_report_json(r);
    char *text = o ? cJSON_Print(o) : NULL;
    cJSON_Delete(o);
    if (!text) {
        cli_error("out of memory printing the health report");
        return CLI_EXIT_FAILURE;
    }
    printf("%s\n", text);
    free(text);
    return CLI_EXIT_OK;
}

/* The bounds of --interval: the schema's health.interval starts at 5, a watch may look faster. */
enum { WATCH_INTERVAL_MIN = 1, WATCH_INTERVAL_MAX = 86400 };

/* What the monitor's thread shares with the waiting one. */
struct watch {
    pthread_mutex_t lock;
    bool json;
    unsigned long rounds;
    arvis_health_status overall; /* of the last round */
};

static void print_change(const arvis_health_change *c, void *ud)
{
    struct watch *w = ud;
    pthread_mutex_lock(&w->lock);
    if (w->json) {
        char when[32];
        cJSON *o = cJSON_CreateObject();
        if (o &&
            cJSON_AddStringToObject(o, "time", arvis_clock_iso8601(c->time, when, sizeof when)) &&
            cJSON_AddStringToObject(o, "component", c->component) &&
            cJSON_AddStringToObject(o, "from", arvis_health_status_name(c->old_status)) &&
            cJSON_AddStringToObject(o, "to", arvis_health_status_name(c->new_status)) &&
            cJSON_AddStringToObject(o, "message", c->message)) {
            char *line = arvis_json_print(o, 0);
            if (line) {
                printf("%s\n", line);
            }
            free(line);
        }
        cJSON_Delete(o);
    } else if (w->rounds > 0) { /* the first round is the table */
        time_t t = (time_t)c->time;
        struct tm tm;
        char clock[16] = "";
        if (localtime_r(&t, &tm)) {
            strftime(clock, sizeof clock, "%H:%M:%S", &tm);
        }
        printf("%s %s %s -> %s: %s\n", clock, c->component, arvis_health_status_name(c->old_status),
               arvis_health_status_name(c->new_status), c->message);
    }
    fflush(stdout);
    pthread_mutex_unlock(&w->lock);
}

static void print_round(const arvis_health_report *r, void *ud)
{
    struct watch *w = ud;
    pthread_mutex_lock(&w->lock);
    if (w->rounds == 0 && !w->json) {
        print_table(r);
        fflush(stdout);
    }
    w->rounds++;
    w->overall = r->overall;
    pthread_mutex_unlock(&w->lock);
}

/* Waits for Ctrl-C or SIGTERM, taken by the interrupt thread. */
static void wait_for_signal(void)
{
    struct pollfd p = {.fd = cli_interrupt_fd(), .events = POLLIN};
    while (poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
}

static int watch(const arvis_config *cfg, arvis_health *h, bool json, unsigned interval)
{
    struct watch w = {.json = json, .overall = ARVIS_HEALTH_UNKNOWN};
    pthread_mutex_init(&w.lock, NULL);
    arvis_audit *audit = cli_audit_open(cfg, "watching");
    /* Signals are blocked before the monitor's thread starts, so only the interrupt thread
     * takes them. */
    if (cli_interrupt_start(NULL) != 0) {
        arvis_audit_close(audit);
        pthread_mutex_destroy(&w.lock);
        cli_error("cannot take Ctrl-C: out of threads or file descriptors");
        return CLI_EXIT_FAILURE;
    }
    arvis_health_monitor_options o = {.interval_sec = interval,
                                      .change_cb = print_change,
                                      .round_cb = print_round,
                                      .ud = &w,
                                      .audit = audit};
    arvis_health_monitor *m = NULL;
    arvis_error err;
    int rc = arvis_health_monitor_start(h, &o, &m, &err);
    if (rc == ARVIS_OK) {
        wait_for_signal();
        arvis_health_monitor_stop(m);
    }
    cli_interrupt_stop();
    arvis_audit_close(audit);
    pthread_mutex_destroy(&w.lock);
    return rc == ARVIS_OK ? exit_code(w.overall) : cli_failure(rc, &err);
}

/* Reads --interval's value: whole seconds within the bounds. */
static int parse_interval(const char *text, unsigned *out)
{
    char *end = NULL;
    errno = 0;
    long v = text ? strtol(text, &end, 10) : 0;
    if (!text || !*text || *end || errno || v < WATCH_INTERVAL_MIN || v > WATCH_INTERVAL_MAX) {
        return cli_usage_error("health", "--interval needs whole seconds from %d to %d, not %s",
                               WATCH_INTERVAL_MIN, WATCH_INTERVAL_MAX, text ? text : "nothing");
    }
    *out = (unsigned)v;
    return CLI_EXIT_OK;
}

struct health_args {
    bool json, watch;
    unsigned interval; /* 0: health.interval */
};

static int parse_args(int argc, char **argv, struct health_args *a)
{
    for (int i = 1; i < argc; i++) {
        int code = CLI_EXIT_OK;
        if (strcmp(argv[i], "--json") == 0) {
            a->json = true;
        } else if (strcmp(argv[i], "--watch") == 0) {
            a->watch = true;
        } else if (strcmp(argv[i], "--interval") == 0) {
            code = parse_interval(i + 1 < argc ? argv[++i] : NULL, &a->interval);
        } else {
            code = cli_usage_error("health", "unknown argument %s", argv[i]);
        }
        if (code != CLI_EXIT_OK) {
            return code;
        }
    }
    if (a->interval && !a->watch) {
        return cli_usage_error("health", "--interval goes with --watch");
    }
    return CLI_EXIT_OK;
}

int cmd_health(struct cli_ctx *ctx, int argc, char **argv)
{
    struct health_args args = {0};
    int code = parse_args(argc, argv, &args);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    arvis_config *cfg = NULL;
    code = cli_load_config(ctx, &cfg);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    if (args.watch) {
        arvis_health *h = NULL;
        arvis_error err;
        int rc = arvis_health_create(cfg, &h, &err);
        code = rc == ARVIS_OK ? watch(cfg, h, args.json, args.interval) : cli_failure(rc, &err);
        arvis_health_destroy(h);
        arvis_config_free(cfg);
        return code;
    }
    bool json = args.json;
    arvis_health *h = NULL;
    arvis_health_report *r = NULL;
    arvis_error err;
    int rc = arvis_health_create(cfg, &h, &err);
    if (rc == ARVIS_OK) {
        rc = arvis_health_check(h, &r, &err);
    }
    if (rc != ARVIS_OK) {
        code = cli_failure(rc, &err);
    } else {
        code = json ? print_json(r) : (print_table(r), CLI_EXIT_OK);
        code = code == CLI_EXIT_OK ? exit_code(r->overall) : code;
    }
    arvis_health_report_free(r);
    arvis_health_destroy(h);
    arvis_config_free(cfg);
    return code;
}
