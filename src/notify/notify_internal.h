/* Notification internals shared by the manager, the history, the rate limiter and the channels:
 * their layouts, and the table of operations every channel defines. */
#ifndef ARVIS_NOTIFY_INTERNAL_H
#define ARVIS_NOTIFY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/notify.h"

enum { NOTIFY_RATE_WINDOW_SEC = 60, NOTIFY_DIR_MODE = 0700 };

/* ---- History (history.c): a ring of entries, oldest first, saved as JSON Lines ---- */

typedef struct notify_entry {
    arvis_notify_level level;
    char *component;
    char *message;
    double time, last_time;
    unsigned long count;
    unsigned long saved_count; /* count when last loaded or saved; 0 for a new entry */
    uint64_t hash;             /* of level, component and message, to find repeats fast */
} notify_entry;

typedef struct notify_history {
    notify_entry *items;
    size_t cap, head, count;
    char *path;          /* NULL: memory only */
    bool dirty;          /* changed since loaded or saved */
    bool cleared;        /* emptied: the next save replaces the file instead of merging */
    double merge_window; /* seconds; a save merges other processes' repeats within it */
} notify_history;

uint64_t notify_hash(arvis_notify_level level, const char *component, const char *message);
int notify_history_init(notify_history *h, size_t cap, const char *path);
void notify_history_free(notify_history *h);
void notify_history_clear(notify_history *h);
notify_entry *notify_history_at(const notify_history *h, size_t i);

/* The newest entry equal to (level, component, message) whose last repeat is within window
 * seconds of now, or NULL. */
notify_entry *notify_history_find(const notify_history *h, arvis_notify_level level,
                                  const char *component, const char *message, uint64_t hash,
                                  double now, double window);

/* Appends an entry (count 1), dropping the oldest when full. ARVIS_E_NOMEM. */
int notify_history_push(notify_history *h, arvis_notify_level level, const char *component,
                        const char *message, double time, double last_time, unsigned long count);

/* Reads h->path (absent: empty). Lines that are not entries are skipped and counted. */
int notify_history_load(notify_history *h, size_t *skipped, arvis_error *err);

/* Writes the history atomically when dirty. Under an exclusive flock of PATH.lock it reads the
 * file again and merges into it what this process added since it loaded or saved (new entries,
 * and repeats counted; a new entry within merge_window of an equal one another process saved
 * joins it), writes the result and takes it as its own history: several processes saving at
 * once lose and duplicate nothing. After notify_history_clear it replaces the file instead. */
int notify_history_save(notify_history *h, arvis_error *err);

/* ---- Rate limiting (ratelimit.c): times of the latest deliveries in a sliding minute ---- */

typedef struct notify_rate {
    double *stamps; /* a ring of cap times */
    size_t cap, head, count;
} notify_rate;

int notify_rate_init(notify_rate *r, size_t per_minute);
void notify_rate_free(notify_rate *r);
bool notify_rate_allows(const notify_rate *r, double now);
void notify_rate_record(notify_rate *r, double now);

/* ---- Channels: one table of operations each ---- */

typedef struct notify_channel notify_channel;

typedef struct notify_channel_ops {
    const char *name;
    /* Sets the channel up; ARVIS_E_UNAVAILABLE (with why in err) leaves it out. */
    int (*open)(notify_channel *ch, arvis_error *err);
    /* Delivers one notification; a failure is reported once by the manager. */
    int (*deliver)(notify_channel *ch, const arvis_notification *n, arvis_error *err);
    void (*close)(notify_channel *ch); /* may be NULL */
} notify_channel_ops;

struct notify_channel {
    const notify_channel_ops *ops;
    const arvis_notify_params *params; /* the manager's copy */
    bool enabled, available, failing;
    arvis_notify_level min_level;
    unsigned long failures;
    void *state; /* the channel's own */
};

extern const notify_channel_ops notify_ui_ops;
extern const notify_channel_ops notify_tts_ops;
extern const notify_channel_ops notify_audio_ops;
extern const notify_channel_ops notify_log_ops;
extern const notify_channel_ops notify_audit_ops;
extern const notify_channel_ops notify_desktop_ops;

/* The TTS channel's queue (channels.c): while speaking, deliveries wait; set false to get the
 * count of waiting texts spoken now through speak_cb (failures in *failed). */
void notify_tts_set_speaking(notify_channel *ch, bool speaking, size_t *spoken, size_t *failed);
size_t notify_tts_queued(const notify_channel *ch);

#endif
