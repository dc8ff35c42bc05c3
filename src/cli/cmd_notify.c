/* `arvis notify`: lists or clears the notification history, or sends a notification through
 * the configured channels, merged into the saved history like any other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli_notify.h"

const char cmd_notify_usage[] =
    "Usage: arvis notify list [--json]\n"
    "       arvis notify clear\n"
    "       arvis notify send LEVEL MESSAGE [--component NAME]\n"
    "\n"
    "  list              the saved notifications, oldest first, with how often each came\n"
    "  clear             empties the saved history\n"
    "  send LEVEL MSG    sends a notification (LEVEL: debug, info, warning, error, critical);\n"
    "                    a repeat within notifications.merge_window_sec is counted, not sent\n"
    "  --component NAME  who it is about (default: arvis)\n"
    "  --json            the history as a JSON array\n";

static void print_json(const arvis_notification *list, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    bool ok = arr != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        char first[32], last[32];
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(arr, o) &&
             cJSON_AddStringToObject(o, "time", arvis_clock_iso8601(list[i].time, first, 32)) &&
             cJSON_AddStringToObject(o, "last", arvis_clock_iso8601(list[i].last_time, last, 32)) &&
             cJSON_AddStringToObject(o, "level", arvis_notify_level_name(list[i].level)) &&
             cJSON_AddStringToObject(o, "component", list[i].component) &&
             cJSON_AddStringToObject(o, "message", list[i].message) &&
             cJSON_AddNumberToObject(o, "count", (double)list[i].count);
    }
    char *text = ok ? arvis_json_print(arr, 2) : NULL;
    if (text) {
        puts(text);
    }
    free(text);
    cJSON_Delete(arr);
}

static int list_history(arvis_notify *mgr, bool json)
{
    arvis_notification *list = NULL;
    size_t n = 0;
    if (arvis_notify_list(mgr, &list, &n) != ARVIS_OK) {
        cli_error("out of memory");
        return CLI_EXIT_FAILURE;
    }
    if (json) {
        print_json(list, n);
    } else if (n == 0) {
        printf("no notifications\n");
    }
    for (size_t i = 0; !json && i < n; i++) {
        char when[32];
        printf("%s  %-8s  %s: %s", arvis_clock_iso8601(list[i].time, when, sizeof when),
               arvis_notify_level_name(list[i].level), list[i].component, list[i].message);
        if (list[i].count > 1) {
            printf(" (%lu times, last at %s)", list[i].count,
                   arvis_clock_iso8601(list[i].last_time, when, sizeof when));
        }
        putchar('\n');
    }
    arvis_notify_list_free(list, n);
    return CLI_EXIT_OK;
}

static int send_one(arvis_notify *mgr, const arvis_config *cfg, arvis_notify_level level,
                    const char *component, const char *message)
{
    arvis_notify_outcome outcome;
    int rc = arvis_notify_send_at(mgr, level, component, message, arvis_clock_wall(), &outcome);
    if (rc != ARVIS_OK) {
        cli_error("cannot send the notification: the %s",
                  rc == ARVIS_E_UTF8 ? "message is not valid UTF-8"
                                     : "message or component is not usable");
        return cli_exit_code(rc);
    }
    arvis_error err;
    rc = arvis_notify_save(mgr, &err);
    if (rc != ARVIS_OK) {
        return cli_failure(rc, &err);
    }
    switch (outcome) {
    case ARVIS_NOTIFY_SENT:
        printf("sent\n");
        break;
    case ARVIS_NOTIFY_MERGED:
        printf("merged into an earlier notification within %lld s\n",
               (long long)arvis_config_int(cfg, "notifications.merge_window_sec"));
        break;
    case ARVIS_NOTIFY_DROPPED:
        printf("dropped: more than %lld notifications in a minute\n",
               (long long)arvis_config_int(cfg, "notifications.rate_limit_per_minute"));
        break;
    case ARVIS_NOTIFY_DISABLED:
        printf("not sent: notifications.enabled is false\n");
        break;
    }
    return CLI_EXIT_OK;
}

/* The arguments of `send`: LEVEL MESSAGE and --component NAME in any order. */
static int parse_send(int argc, char **argv, arvis_notify_level *level, const char **component,
                      const char **message)
{
    const char *pos[2] = {NULL, NULL};
    int n_pos = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--component") == 0) {
            if (++i == argc) {
                return cli_usage_error("notify", "--component needs a name");
            }
            *component = argv[i];
        } else if (strncmp(argv[i], "--component=", 12) == 0) {
            *component = argv[i] + 12;
        } else if (n_pos == 2) {
            return cli_usage_error("notify", "too many arguments; quote the message");
        } else {
            pos[n_pos++] = argv[i];
        }
    }
    if (n_pos < 2) {
        return cli_usage_error("notify", "send needs a LEVEL (%s) and a MESSAGE",
                               arvis_notify_level_list());
    }
    if (arvis_notify_level_parse(pos[0], level) != ARVIS_OK) {
        return cli_usage_error("notify", "unknown level \"%s\" (levels: %s)", pos[0],
                               arvis_notify_level_list());
    }
    if (!*pos[1] || (*component && !**component)) {
        return cli_usage_error("notify", "the %s is empty", *pos[1] ? "component" : "message");
    }
    *message = pos[1];
    return CLI_EXIT_OK;
}

static int check_args(int argc, char **argv, bool *json)
{
    const char *sub = argv[1];
    if (strcmp(sub, "list") == 0) {
        *json = argc == 3 && strcmp(argv[2], "--json") == 0;
        return argc == 2 || *json ? CLI_EXIT_OK
                                  : cli_usage_error("notify", "list takes only --json");
    }
    if (strcmp(sub, "clear") == 0) {
        return argc == 2 ? CLI_EXIT_OK : cli_usage_error("notify", "clear takes no arguments");
    }
    return cli_usage_error("notify", "unknown subcommand %s (list, clear or send)", sub);
}

int cmd_notify(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) {
        return cli_usage_error("notify", "say what to do: list, clear or send");
    }
    bool json = false, send = strcmp(argv[1], "send") == 0;
    arvis_notify_level level = ARVIS_NOTIFY_INFO;
    const char *component = NULL, *message = NULL;
    int code =
        send ? parse_send(argc, argv, &level, &component, &message) : check_args(argc, argv, &json);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    arvis_config *cfg = NULL;
    code = cli_load_config(ctx, &cfg);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    cli_apply_logging(ctx, cfg, send);
    arvis_notify_params p = arvis_notify_default_params();
    arvis_notify_params_from_config(cfg, &p);
    arvis_notify *mgr = NULL;
    arvis_error err;
    int rc = arvis_notify_create(&p, &mgr, &err);
    if (rc != ARVIS_OK) {
        arvis_config_free(cfg);
        return cli_failure(rc, &err);
    }
    if (err.msg[0]) {
        cli_warning("%s", err.msg);
    }
    if (send) {
        code = send_one(mgr, cfg, level, component, message);
    } else if (strcmp(argv[1], "list") == 0) {
        code = list_history(mgr, json);
    } else if ((rc = arvis_notify_clear(mgr, &err)) != ARVIS_OK) {
        code = cli_failure(rc, &err);
    } else {
        printf("the notification history is empty now\n");
    }
    arvis_notify_destroy(mgr);
    arvis_config_free(cfg);
    return code;
}
