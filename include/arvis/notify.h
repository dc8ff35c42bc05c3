/* Notifications: a manager that sends each notification to its channels (UI, TTS, AUDIO, LOG,
 * AUDIT, DESKTOP) by level, rate limits and merges repeats, and keeps a persisted history. */
#ifndef ARVIS_NOTIFY_H
#define ARVIS_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "arvis/config.h"
#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ARVIS_NOTIFY_MESSAGE_MAX 1024   /* bytes of a message; longer ones are cut at a character */
#define ARVIS_NOTIFY_COMPONENT_MAX 64   /* bytes of a component name */
#define ARVIS_NOTIFY_TTS_QUEUE_MAX 16   /* spoken notifications held while an answer is spoken */
#define ARVIS_NOTIFY_RATE_MAX 10000     /* the most rate_limit_per_minute may be */
#define ARVIS_NOTIFY_HISTORY_MAX 100000 /* the most history_max may be */

typedef enum arvis_notify_level {
    ARVIS_NOTIFY_DEBUG = 0,
    ARVIS_NOTIFY_INFO,
    ARVIS_NOTIFY_WARNING,
    ARVIS_NOTIFY_ERROR,
    ARVIS_NOTIFY_CRITICAL,
} arvis_notify_level;

#define ARVIS_NOTIFY_LEVELS 5

typedef enum arvis_notify_channel {
    ARVIS_NOTIFY_UI = 0,  /* ui_cb: an event to the frontends */
    ARVIS_NOTIFY_TTS,     /* speak_cb, queued while an answer is being spoken */
    ARVIS_NOTIFY_AUDIO,   /* cue_cb: a short sound */
    ARVIS_NOTIFY_LOG,     /* arvis_log */
    ARVIS_NOTIFY_AUDIT,   /* a JSON Lines file in the state folder */
    ARVIS_NOTIFY_DESKTOP, /* a freedesktop notification through `gdbus`, with a session bus */
} arvis_notify_channel;

#define ARVIS_NOTIFY_CHANNELS 6

/* Lower-case name of a level ("warning") or a channel ("desktop"). */
const char *arvis_notify_level_name(arvis_notify_level level);
const char *arvis_notify_channel_name(arvis_notify_channel ch);

/* Parses a level name in any case. ARVIS_E_INVAL for anything else. */
int arvis_notify_level_parse(const char *name, arvis_notify_level *out);

/* The level names "debug, info, warning, error, critical", for messages. */
const char *arvis_notify_level_list(void);

/* One notification, or one history entry: repeats merged into it raise count and last_time. */
typedef struct arvis_notification {
    arvis_notify_level level;
    const char *component;
    const char *message;
    double time;      /* wall clock (seconds since the epoch) of the first */
    double last_time; /* of the latest repeat */
    unsigned long count;
} arvis_notification;

/* Callbacks run on the thread that calls arvis_notify_send or arvis_notify_set_speaking, with
 * the manager's lock held: they must not call the manager. A non-zero return is a failure of
 * the channel. The notification and its strings are valid during the call only. */
typedef int (*arvis_notify_ui_cb)(const arvis_notification *n, void *ud);
typedef int (*arvis_notify_speak_cb)(const char *text, void *ud);
typedef int (*arvis_notify_cue_cb)(arvis_notify_level level, void *ud);
/* Hears a channel's failure once (until it works again), instead of the log. */
typedef void (*arvis_notify_problem_cb)(arvis_notify_channel ch, const char *message, void *ud);

struct arvis_audit;

typedef struct arvis_notify_params {
    bool enabled; /* false: send does nothing */
    unsigned rate_limit_per_minute;
    unsigned merge_window_sec; /* 0: never merge */
    size_t history_max;
    struct {
        bool enabled;
        arvis_notify_level min_level;
    } channels[ARVIS_NOTIFY_CHANNELS];
    const char *history_path;  /* NULL: notifications.jsonl in the data folder; "": memory only */
    const char *audit_path;    /* NULL: audit.jsonl in the state folder; unused with audit */
    struct arvis_audit *audit; /* NULL: the audit channel opens its own log at audit_path */
    arvis_notify_ui_cb ui_cb;  /* a channel whose callback is NULL is unavailable */
    arvis_notify_speak_cb speak_cb;
    arvis_notify_cue_cb cue_cb;
    arvis_notify_problem_cb problem_cb; /* NULL: a warning in the log */
    void *ud;                           /* given to every callback */
} arvis_notify_params;

/* The schema's defaults, with no callbacks. */
arvis_notify_params arvis_notify_default_params(void);

/* Fills p from the notifications section of cfg; paths and callbacks are left as they were. */
void arvis_notify_params_from_config(const arvis_config *cfg, arvis_notify_params *p);

typedef struct arvis_notify arvis_notify;

/* Creates a manager and loads its history. Entries of the history file that cannot be read are
 * skipped and the good ones kept: then it succeeds with err->code ARVIS_OK and err->msg saying
 * how many were skipped (one warning for the caller to show). Fails with ARVIS_E_INVAL for bad
 * params, ARVIS_E_NOMEM, or a status from reading the file. The caller destroys it. */
int arvis_notify_create(const arvis_notify_params *p, arvis_notify **out, arvis_error *err);

/* Saves the history when it changed, waits briefly for desktop notifications being sent, and
 * frees the manager. A save failure is logged as a warning, unless the latest
 * arvis_notify_save or arvis_notify_clear already returned one. n may be NULL. */
void arvis_notify_destroy(arvis_notify *n);

/* What became of a notification. */
typedef enum arvis_notify_outcome {
    ARVIS_NOTIFY_SENT,     /* delivered to its channels, a new history entry */
    ARVIS_NOTIFY_MERGED,   /* a repeat within the merge window: counted, not delivered again */
    ARVIS_NOTIFY_DROPPED,  /* over the rate limit (never for CRITICAL) */
    ARVIS_NOTIFY_DISABLED, /* notifications are off */
} arvis_notify_outcome;

/* Sends a notification at wall-clock time now (seconds since the epoch; tests pass their own).
 * component NULL means "arvis"; a message longer than ARVIS_NOTIFY_MESSAGE_MAX is cut. A
 * repeat (same level, component and message) within the merge window raises the entry's count
 * instead; CRITICAL is always delivered, repeat or not, and never dropped. A failing channel
 * does not stop the others and is not an error of this call. Thread-safe; channel callbacks run
 * on this thread; a desktop notification is a child process not waited for. outcome may be
 * NULL. Fails with ARVIS_E_INVAL (empty or non-UTF-8 message, bad level) or ARVIS_E_NOMEM. */
int arvis_notify_send_at(arvis_notify *n, arvis_notify_level level, const char *component,
                         const char *message, double now, arvis_notify_outcome *outcome);

/* arvis_notify_send_at at the current wall-clock time. */
int arvis_notify_send(arvis_notify *n, arvis_notify_level level, const char *component,
                      const char *message);

struct arvis_health_change;

/* Sends a health monitor's change (its change_cb's argument) as a "health" notification:
 * a component going UNHEALTHY while Arvis runs is an ERROR, what is wrong in the first round a
 * WARNING (shown, not spoken), a recovery INFO; the overall status and the first round's
 * healthy components are not sent. n may be NULL. As arvis_notify_send. */
int arvis_notify_health_change(arvis_notify *n, const struct arvis_health_change *c);

/* Tells the manager whether an answer is being spoken. While it is, TTS notifications are
 * queued (at most ARVIS_NOTIFY_TTS_QUEUE_MAX, oldest dropped first); going false speaks them in
 * order, on the calling thread. */
void arvis_notify_set_speaking(arvis_notify *n, bool speaking);

/* True when the channel could be set up (its callback given, its program or bus found). */
bool arvis_notify_channel_available(const arvis_notify *n, arvis_notify_channel ch);

/* Counts since creation. */
typedef struct arvis_notify_stats {
    unsigned long sent, merged, dropped;
    unsigned long failures[ARVIS_NOTIFY_CHANNELS]; /* failed deliveries per channel */
    size_t tts_queued;                             /* waiting for the answer to end */
} arvis_notify_stats;

arvis_notify_stats arvis_notify_get_stats(const arvis_notify *n);

/* Copies the history, oldest first, into *out (*count entries). The caller frees it with
 * arvis_notify_list_free. ARVIS_E_NOMEM when memory runs out. */
int arvis_notify_list(const arvis_notify *n, arvis_notification **out, size_t *count);
void arvis_notify_list_free(arvis_notification *list, size_t count);

/* Empties the history and saves it. */
int arvis_notify_clear(arvis_notify *n, arvis_error *err);

/* Writes the history atomically when it changed since the last save (memory only: nothing). */
int arvis_notify_save(arvis_notify *n, arvis_error *err);

#ifdef __cplusplus
}
#endif

#endif
