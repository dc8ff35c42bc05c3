/* The assistant's states and events: their names, and how they reach the frontend. Every state
 * change goes through assistant_set_state, so a frontend sees each one exactly once. */
#include <string.h>

#include "assistant_internal.h"

const char *arvis_state_name(arvis_state s)
{
    static const char *const names[] = {"idle",     "listening", "transcribing",
                                        "thinking", "speaking",  "error"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

const char *arvis_event_kind_name(arvis_event_kind k)
{
    static const char *const names[] = {"state",    "wake",  "partial", "transcript", "token",
                                        "sentence", "audio", "error",   "notice",     "turn_end"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}

void assistant_emit(arvis_assistant *a, const arvis_event *ev)
{
    if (a->o.cb) {
        a->o.cb(ev, a->o.ud);
    }
}

void assistant_emit_text(arvis_assistant *a, arvis_event_kind kind, const char *text, size_t len)
{
    arvis_event ev = {.kind = kind, .turn = atomic_load(&a->turn), .text = text, .len = len};
    assistant_emit(a, &ev);
}

void assistant_emit_error(arvis_assistant *a, int code, arvis_notify_level level,
                          const char *component, const char *message)
{
    assistant_notify(a, level, component, "%s", message);
    arvis_event ev = {.kind = ARVIS_EVENT_ERROR,
                      .turn = atomic_load(&a->turn),
                      .text = message,
                      .len = strlen(message),
                      .code = code};
    assistant_emit(a, &ev);
}

void assistant_emit_notice(arvis_assistant *a, arvis_notify_level level, const char *component,
                           const char *message)
{
    assistant_notify(a, level, component, "%s", message);
    assistant_emit_text(a, ARVIS_EVENT_NOTICE, message, strlen(message));
}

void assistant_set_state(arvis_assistant *a, arvis_state s)
{
    pthread_mutex_lock(&a->lock);
    bool changed = a->state != s;
    a->state = s;
    pthread_mutex_unlock(&a->lock);
    if (changed) {
        arvis_event ev = {.kind = ARVIS_EVENT_STATE, .turn = atomic_load(&a->turn), .state = s};
        assistant_emit(a, &ev);
    }
}

arvis_state arvis_assistant_state(arvis_assistant *a)
{
    pthread_mutex_lock(&a->lock);
    arvis_state s = a->state;
    pthread_mutex_unlock(&a->lock);
    return s;
}
