/* Notifications shown on the terminal (stderr, or JSON lines with --json) and spoken through the
 * assistant, and the metrics registry stored under the data folder, for the commands that run
 * turns. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_watch.h"

bool cli_watch_shown_as_event(const char *component)
{
    static const char *const from_events[] = {"assistant", "llm",   "tts",
                                              "audio",     "timer", "storage"};
    for (size_t i = 0; i < sizeof from_events / sizeof from_events[0]; i++) {
        if (strcmp(component, from_events[i]) == 0) {
            return true;
        }
    }
    return false;
}

static int show_cb(const arvis_notification *n, void *ud)
{
    const struct cli_watch *w = ud;
    if (!w->json && cli_watch_shown_as_event(n->component)) {
        return 0;
    }
    if (!w->json) {
        fprintf(stderr, "arvis: [%s] %s: %s\n", arvis_notify_level_name(n->level), n->component,
                n->message);
        return 0;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "event", "notification");
    cJSON_AddStringToObject(o, "level", arvis_notify_level_name(n->level));
    cJSON_AddStringToObject(o, "component", n->component);
    cJSON_AddStringToObject(o, "text", n->message);
    char *line = arvis_json_print(o, 0);
    if (line) {
        puts(line);
        fflush(stdout);
    }
    free(line);
    cJSON_Delete(o);
    return 0;
}

/* Set from another thread once the assistant exists (the health monitor may notify before):
 * until then there is nothing to speak or play through, which is not a failure. */
static int speak_cb(const char *text, void *ud)
{
    arvis_assistant *a = atomic_load(&((struct cli_watch *)ud)->assistant);
    return a ? arvis_assistant_announce(a, text, NULL) : 0;
}

static int cue_cb(arvis_notify_level level, void *ud)
{
    arvis_assistant *a = atomic_load(&((struct cli_watch *)ud)->assistant);
    return a ? arvis_assistant_cue(a, (int)level, NULL) : 0;
}

static void open_metrics(const arvis_config *cfg, struct cli_watch *w)
{
    if (!arvis_config_bool(cfg, "metrics.enabled")) {
        return;
    }
    w->metrics = arvis_metrics_create();
    if (!w->metrics) {
        return;
    }
    arvis_error err;
    if (arvis_metrics_set_default_window(
            w->metrics, (size_t)arvis_config_int(cfg, "metrics.window"), &err) != ARVIS_OK) {
        cli_warning("%s", err.msg);
    }
    arvis_metrics_store_params sp = arvis_metrics_store_default_params();
    arvis_metrics_store_params_from_config(cfg, &sp);
    sp.totals_only = true; /* these commands record; `arvis metrics` reads */
    if (arvis_metrics_store_open(&sp, w->metrics, &w->store, NULL, &err) != ARVIS_OK) {
        cli_warning("the figures of this run will not be kept: %s", err.msg);
    }
}

void cli_watch_open(const arvis_config *cfg, bool json, bool speaks, struct cli_watch *w)
{
    memset(w, 0, sizeof *w);
    atomic_init(&w->assistant, NULL);
    w->json = json;
    arvis_notify_params p = arvis_notify_default_params();
    arvis_notify_params_from_config(cfg, &p);
    /* The terminal hears from the UI channel; the log channel would print each one again. */
    p.channels[ARVIS_NOTIFY_LOG].enabled = false;
    p.ui_cb = show_cb;
    p.speak_cb = speaks ? speak_cb : NULL;
    p.cue_cb = speaks ? cue_cb : NULL;
    p.ud = w;
    arvis_error err;
    arvis_error_clear(&err);
    if (arvis_notify_create(&p, &w->notify, &err) != ARVIS_OK) {
        cli_warning("notifications are off for this run: %s", err.msg);
    } else if (err.msg[0]) {
        cli_warning("%s", err.msg); /* damaged history entries skipped */
    }
    open_metrics(cfg, w);
}

arvis_audit *cli_audit_open(const arvis_config *cfg, const char *what)
{
    arvis_audit_params p = arvis_audit_default_params();
    arvis_audit_params_from_config(cfg, &p);
    arvis_audit *a = NULL;
    arvis_error err;
    if (arvis_audit_open(&p, &a, &err) != ARVIS_OK) {
        cli_warning("%s; %s without an audit trail", err.msg, what);
    }
    return a;
}

static void on_health_change(const arvis_health_change *c, void *ud)
{
    const struct cli_watch *w = ud;
    arvis_notify_health_change(w->notify, c);
}

void cli_watch_monitor(const arvis_config *cfg, struct cli_watch *w)
{
    w->audit = cli_audit_open(cfg, "health checks go on");
    arvis_health_monitor_options o = {.change_cb = on_health_change, .ud = w, .audit = w->audit};
    arvis_error err;
    int rc = arvis_health_create(cfg, &w->health, &err);
    if (rc == ARVIS_OK) {
        rc = arvis_health_monitor_start(w->health, &o, &w->monitor, &err);
    }
    if (rc != ARVIS_OK) {
        cli_warning("health is not watched in this run: %s", err.msg);
    }
}

void cli_watch_close(struct cli_watch *w)
{
    arvis_health_monitor_stop(w->monitor);
    arvis_health_destroy(w->health);
    arvis_audit_close(w->audit);
    arvis_metrics_store_destroy(w->store);
    arvis_metrics_destroy(w->metrics);
    arvis_notify_destroy(w->notify);
    memset(w, 0, sizeof *w);
}
