/* `arvis health`: every component checked at the same time, shown as a table or as JSON, with
 * an exit code for scripts: 0 healthy, 1 degraded, 2 unhealthy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli_health.h"

const char cmd_health_usage[] =
    "Usage: arvis health [--json]\n"
    "\n"
    "Checks speech input, speech output, the model server, the network to it, the data folder\n"
    "and the sound device at the same time, each within health.timeout_ms.<component>.\n"
    "\n"
    "  --json   print the report as JSON instead of a table\n"
    "\n"
    "Exit codes: 0 healthy, 1 degraded (something not required failed, or a fallback or a slow\n"
    "answer), 2 unhealthy (a component health.required names failed).\n";

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

int cmd_health(struct cli_ctx *ctx, int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            return cli_usage_error("health", "unknown argument %s", argv[i]);
        }
    }
    arvis_config *cfg = NULL;
    int code = cli_load_config(ctx, &cfg);
    if (code != CLI_EXIT_OK) {
        return code;
    }
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
