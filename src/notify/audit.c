/* The AUDIT channel: one record per notification (event "notification", the level as its status,
 * level and message beside) written through the audit log of include/arvis/audit.h. */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "arvis/audit.h"
#include "notify_internal.h"

typedef struct audit_state {
    arvis_audit *log;
    bool owned; /* opened here, rather than the one the params gave */
} audit_state;

static int audit_open(notify_channel *ch, arvis_error *err)
{
    audit_state *s = calloc(1, sizeof *s);
    if (!s) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    s->log = ch->params->audit;
    if (!s->log) {
        arvis_audit_params p = arvis_audit_default_params();
        p.path = ch->params->audit_path;
        int rc = arvis_audit_open(&p, &s->log, err);
        if (rc != ARVIS_OK) {
            free(s);
            return rc;
        }
        s->owned = true;
    }
    ch->state = s;
    return ARVIS_OK;
}

static int audit_deliver(notify_channel *ch, const arvis_notification *n, arvis_error *err)
{
    audit_state *s = ch->state;
    cJSON *extra = cJSON_CreateObject();
    if (!extra || !cJSON_AddStringToObject(extra, "level", arvis_notify_level_name(n->level)) ||
        !cJSON_AddStringToObject(extra, "message", n->message)) {
        cJSON_Delete(extra);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    arvis_audit_record r = {.time = n->last_time,
                            .event = "notification",
                            .component = n->component,
                            .status = arvis_notify_level_name(n->level),
                            .extra = extra};
    int rc = arvis_audit_write(s->log, &r, err);
    cJSON_Delete(extra);
    /* The log returns a failure once; the manager counts every lost record and reports the
     * failure once itself, so a record lost to a known failure is a failure here too. */
    if (rc == ARVIS_OK && arvis_audit_failing(s->log)) {
        rc = arvis_error_set(err, ARVIS_E_IO, "the audit log %s is still failing",
                             arvis_audit_path(s->log));
    }
    return rc;
}

static void audit_close(notify_channel *ch)
{
    audit_state *s = ch->state;
    if (s && s->owned) {
        arvis_audit_close(s->log);
    }
    free(s);
    ch->state = NULL;
}

const notify_channel_ops notify_audit_ops = {"audit", audit_open, audit_deliver, audit_close};
