/* A health monitor's change as a notification: worse is a warning or an error, a recovery is
 * news, and what is only the first round's "unknown -> healthy" is not worth a word. */
#include <stdio.h>
#include <string.h>

#include "arvis/health.h"
#include "arvis/notify.h"

int arvis_notify_health_change(arvis_notify *n, const arvis_health_change *c)
{
    /* The overall status repeats its worst component's message; the first round's healthy
     * components are not news. */
    if (!n || strcmp(c->component, ARVIS_HEALTH_OVERALL) == 0 ||
        (c->old_status == ARVIS_HEALTH_UNKNOWN && c->new_status == ARVIS_HEALTH_HEALTHY)) {
        return ARVIS_OK;
    }
    /* What is wrong at start is shown, not spoken: only a change while Arvis runs is an error
     * worth interrupting for. */
    bool at_start = c->old_status == ARVIS_HEALTH_UNKNOWN;
    arvis_notify_level level = c->new_status == ARVIS_HEALTH_UNHEALTHY && !at_start
                                   ? ARVIS_NOTIFY_ERROR
                               : c->new_status == ARVIS_HEALTH_HEALTHY ? ARVIS_NOTIFY_INFO
                                                                       : ARVIS_NOTIFY_WARNING;
    char message[ARVIS_NOTIFY_MESSAGE_MAX];
    snprintf(message, sizeof message, "%s is %s (was %s): %s", c->component,
             arvis_health_status_name(c->new_status), arvis_health_status_name(c->old_status),
             c->message ? c->message : "");
    return arvis_notify_send(n, level, "health", message);
}
