/* The notification manager: checks a notification, merges repeats, applies the rate limit,
 * records it in the history and hands it to every channel at or above its level. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/clock.h"
#include "arvis/log.h"
#include "arvis/paths.h"
#include "arvis/utf8.h"
#include "notify_internal.h"

static const notify_channel_ops *const channel_table[ARVIS_NOTIFY_CHANNELS] = {
    [ARVIS_NOTIFY_UI] = &notify_ui_ops,       [ARVIS_NOTIFY_TTS] = &notify_tts_ops,
    [ARVIS_NOTIFY_AUDIO] = &notify_audio_ops, [ARVIS_NOTIFY_LOG] = &notify_log_ops,
    [ARVIS_NOTIFY_AUDIT] = &notify_audit_ops, [ARVIS_NOTIFY_DESKTOP] = &notify_desktop_ops,
};

struct arvis_notify {
    pthread_mutex_t lock;
    arvis_notify_params params; /* audit_path points to our own copy */
    char *audit_path;
    notify_history history;
    notify_rate rate;
    notify_channel channels[ARVIS_NOTIFY_CHANNELS];
    unsigned long sent, merged, dropped;
    bool save_failed; /* the caller heard of it: destroy does not say it again */
};

static int check_params(const arvis_notify_params *p, arvis_error *err)
{
    if (p->rate_limit_per_minute < 1 || p->rate_limit_per_minute > ARVIS_NOTIFY_RATE_MAX) {
        return arvis_error_set(err, ARVIS_E_INVAL, "rate_limit_per_minute %u is not 1 to %d",
                               p->rate_limit_per_minute, ARVIS_NOTIFY_RATE_MAX);
    }
    if (p->history_max < 1 || p->history_max > ARVIS_NOTIFY_HISTORY_MAX) {
        return arvis_error_set(err, ARVIS_E_INVAL, "history_max %zu is not 1 to %d", p->history_max,
                               ARVIS_NOTIFY_HISTORY_MAX);
    }
    for (int i = 0; i < ARVIS_NOTIFY_CHANNELS; i++) {
        if ((unsigned)p->channels[i].min_level >= ARVIS_NOTIFY_LEVELS) {
            return arvis_error_set(err, ARVIS_E_INVAL, "the %s channel has no valid level",
                                   arvis_notify_channel_name((arvis_notify_channel)i));
        }
    }
    return ARVIS_OK;
}

/* Loads the history; what could not be read becomes the one warning in err. */
static int load_history(arvis_notify *n, arvis_error *err)
{
    char *path = NULL;
    const char *given = n->params.history_path;
    int rc =
        given ? ARVIS_OK : arvis_place_file(ARVIS_PLACE_DATA, "notifications.jsonl", &path, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    rc = notify_history_init(&n->history, n->params.history_max, given ? given : path);
    free(path);
    n->history.merge_window = n->params.merge_window_sec;
    n->params.history_path = NULL; /* the caller's string; the history has its copy */
    if (rc != ARVIS_OK) {
        return arvis_error_set(err, rc, "out of memory");
    }
    size_t skipped = 0;
    arvis_error lerr = {0};
    rc = notify_history_load(&n->history, &skipped, &lerr);
    if (rc == ARVIS_E_NOMEM) {
        return arvis_error_set(err, rc, "out of memory");
    }
    if (rc != ARVIS_OK) {
        /* Saving over a file we could not read would lose it: keep it and work in memory. */
        arvis_error_set(err, ARVIS_OK, "%s; notifications are kept in memory only", lerr.msg);
        free(n->history.path);
        n->history.path = NULL;
    } else if (skipped > 0) {
        size_t kept = n->history.count;
        arvis_error_set(err, ARVIS_OK, "%s: %zu damaged %s skipped, %zu good %s kept",
                        n->history.path, skipped, skipped == 1 ? "entry" : "entries", kept,
                        kept == 1 ? "entry" : "entries");
        n->history.dirty = true; /* the next save leaves the damage out */
    }
    return ARVIS_OK;
}

static void open_channels(arvis_notify *n)
{
    for (int i = 0; i < ARVIS_NOTIFY_CHANNELS; i++) {
        notify_channel *ch = &n->channels[i];
        ch->ops = channel_table[i];
        ch->params = &n->params;
        ch->enabled = n->params.enabled && n->params.channels[i].enabled;
        ch->min_level = n->params.channels[i].min_level;
        arvis_error err = {0};
        ch->available = ch->enabled && ch->ops->open(ch, &err) == ARVIS_OK;
        if (ch->enabled && !ch->available) {
            arvis_log(ARVIS_LOG_DEBUG, "notify", "the %s channel is unavailable: %s", ch->ops->name,
                      err.msg);
        }
    }
}

int arvis_notify_create(const arvis_notify_params *p, arvis_notify **out, arvis_error *err)
{
    *out = NULL;
    arvis_error_clear(err);
    int rc = check_params(p, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    arvis_notify *n = calloc(1, sizeof *n);
    if (!n) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    pthread_mutex_init(&n->lock, NULL);
    n->params = *p;
    if (p->audit_path && !(n->audit_path = strdup(p->audit_path))) {
        arvis_notify_destroy(n);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    n->params.audit_path = n->audit_path;
    rc = load_history(n, err);
    if (rc == ARVIS_OK && notify_rate_init(&n->rate, p->rate_limit_per_minute) != ARVIS_OK) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    if (rc != ARVIS_OK) {
        arvis_notify_destroy(n);
        return rc;
    }
    /* Deliveries of earlier processes count against this minute's limit too. */
    for (size_t i = 0; i < n->history.count; i++) {
        notify_rate_record(&n->rate, notify_history_at(&n->history, i)->time);
    }
    open_channels(n);
    *out = n;
    return ARVIS_OK;
}

static void report(arvis_notify *n, arvis_notify_channel ch, const char *msg)
{
    if (n->params.problem_cb) {
        n->params.problem_cb(ch, msg, n->params.ud);
    } else {
        arvis_log(ARVIS_LOG_WARNING, "notify",
                  "the %s channel failed: %s; notifications still go to the others",
                  arvis_notify_channel_name(ch), msg);
    }
}

/* A failure is reported when a channel starts failing, not again until it has worked. */
static void account(arvis_notify *n, notify_channel *ch, int rc, const char *msg)
{
    if (rc == ARVIS_OK) {
        ch->failing = false;
        return;
    }
    ch->failures++;
    if (!ch->failing) {
        ch->failing = true;
        report(n, (arvis_notify_channel)(ch - n->channels), msg);
    }
}

static void deliver(arvis_notify *n, const notify_entry *e)
{
    arvis_notification view = {.level = e->level,
                               .component = e->component,
                               .message = e->message,
                               .time = e->time,
                               .last_time = e->last_time,
                               .count = e->count};
    for (int i = 0; i < ARVIS_NOTIFY_CHANNELS; i++) {
        notify_channel *ch = &n->channels[i];
        if (ch->available && e->level >= ch->min_level) {
            arvis_error err = {0};
            int rc = ch->ops->deliver(ch, &view, &err);
            account(n, ch, rc, err.msg);
        }
    }
}

void arvis_notify_destroy(arvis_notify *n)
{
    if (!n) {
        return;
    }
    arvis_error err;
    if (n->history.items && !n->save_failed && notify_history_save(&n->history, &err) != ARVIS_OK) {
        arvis_log(ARVIS_LOG_WARNING, "notify", "%s", err.msg);
    }
    for (int i = 0; i < ARVIS_NOTIFY_CHANNELS; i++) {
        notify_channel *ch = &n->channels[i];
        if (ch->available && ch->ops->close) {
            ch->ops->close(ch);
        }
    }
    notify_history_free(&n->history);
    notify_rate_free(&n->rate);
    free(n->audit_path);
    pthread_mutex_destroy(&n->lock);
    free(n);
}

static int check_text(const char *what, const char *s, size_t max, arvis_error *err)
{
    if (!s || !*s) {
        return arvis_error_set(err, ARVIS_E_INVAL, "the %s is empty", what);
    }
    size_t len = strlen(s);
    if (!arvis_utf8_valid(s, len, NULL)) {
        return arvis_error_set(err, ARVIS_E_UTF8, "the %s is not valid UTF-8", what);
    }
    return max && len > max
               ? arvis_error_set(err, ARVIS_E_TOOBIG, "the %s is longer than %zu bytes", what, max)
               : ARVIS_OK;
}

int arvis_notify_send_at(arvis_notify *n, arvis_notify_level level, const char *component,
                         const char *message, double now, arvis_notify_outcome *outcome)
{
    arvis_notify_outcome dummy;
    outcome = outcome ? outcome : &dummy;
    component = component ? component : "arvis";
    int rc = (unsigned)level < ARVIS_NOTIFY_LEVELS ? ARVIS_OK : ARVIS_E_INVAL;
    rc = rc ? rc : check_text("message", message, 0, NULL);
    rc = rc ? rc : check_text("component", component, ARVIS_NOTIFY_COMPONENT_MAX, NULL);
    if (rc != ARVIS_OK) {
        return rc;
    }
    char text[ARVIS_NOTIFY_MESSAGE_MAX + 1];
    size_t len = arvis_utf8_truncate(message, strlen(message), ARVIS_NOTIFY_MESSAGE_MAX);
    memcpy(text, message, len);
    text[len] = '\0';

    pthread_mutex_lock(&n->lock);
    notify_entry *e = NULL;
    if (!n->params.enabled) {
        *outcome = ARVIS_NOTIFY_DISABLED;
    } else if (n->params.merge_window_sec > 0 &&
               (e = notify_history_find(&n->history, level, component, text,
                                        notify_hash(level, component, text), now,
                                        n->params.merge_window_sec))) {
        e->count++;
        e->last_time = now > e->last_time ? now : e->last_time;
        n->history.dirty = true;
        n->merged++;
        *outcome = ARVIS_NOTIFY_MERGED;
        if (level == ARVIS_NOTIFY_CRITICAL) {
            deliver(n, e);
        }
    } else if (level != ARVIS_NOTIFY_CRITICAL && !notify_rate_allows(&n->rate, now)) {
        n->dropped++;
        *outcome = ARVIS_NOTIFY_DROPPED;
    } else if ((rc = notify_history_push(&n->history, level, component, text, now, now, 1)) ==
               ARVIS_OK) {
        notify_rate_record(&n->rate, now);
        n->sent++;
        *outcome = ARVIS_NOTIFY_SENT;
        deliver(n, notify_history_at(&n->history, n->history.count - 1));
    }
    pthread_mutex_unlock(&n->lock);
    return rc;
}

int arvis_notify_send(arvis_notify *n, arvis_notify_level level, const char *component,
                      const char *message)
{
    return arvis_notify_send_at(n, level, component, message, arvis_clock_wall(), NULL);
}

void arvis_notify_set_speaking(arvis_notify *n, bool speaking)
{
    pthread_mutex_lock(&n->lock);
    notify_channel *ch = &n->channels[ARVIS_NOTIFY_TTS];
    size_t spoken = 0, failed = 0;
    if (ch->available) {
        notify_tts_set_speaking(ch, speaking, &spoken, &failed);
    }
    if (failed > 0) {
        account(n, ch, ARVIS_E_IO, "the speak callback failed");
    } else if (spoken > 0) {
        account(n, ch, ARVIS_OK, NULL);
    }
    pthread_mutex_unlock(&n->lock);
}

bool arvis_notify_channel_available(const arvis_notify *n, arvis_notify_channel ch)
{
    return (unsigned)ch < ARVIS_NOTIFY_CHANNELS && n->channels[ch].available;
}

arvis_notify_stats arvis_notify_get_stats(const arvis_notify *n)
{
    arvis_notify *m = (arvis_notify *)n; /* the lock changes; what it guards does not */
    pthread_mutex_lock(&m->lock);
    arvis_notify_stats s = {.sent = n->sent, .merged = n->merged, .dropped = n->dropped};
    for (int i = 0; i < ARVIS_NOTIFY_CHANNELS; i++) {
        s.failures[i] = n->channels[i].failures;
    }
    if (n->channels[ARVIS_NOTIFY_TTS].available) {
        s.tts_queued = notify_tts_queued(&n->channels[ARVIS_NOTIFY_TTS]);
    }
    pthread_mutex_unlock(&m->lock);
    return s;
}

void arvis_notify_list_free(arvis_notification *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        free((char *)list[i].component);
        free((char *)list[i].message);
    }
    free(list);
}

int arvis_notify_list(const arvis_notify *n, arvis_notification **out, size_t *count)
{
    arvis_notify *m = (arvis_notify *)n;
    *out = NULL;
    *count = 0;
    pthread_mutex_lock(&m->lock);
    size_t k = n->history.count;
    arvis_notification *list = calloc(k ? k : 1, sizeof *list);
    int rc = list ? ARVIS_OK : ARVIS_E_NOMEM;
    for (size_t i = 0; rc == ARVIS_OK && i < k; i++) {
        const notify_entry *e = notify_history_at(&n->history, i);
        list[i] = (arvis_notification){.level = e->level,
                                       .component = strdup(e->component),
                                       .message = strdup(e->message),
                                       .time = e->time,
                                       .last_time = e->last_time,
                                       .count = e->count};
        rc = list[i].component && list[i].message ? ARVIS_OK : ARVIS_E_NOMEM;
    }
    pthread_mutex_unlock(&m->lock);
    if (rc != ARVIS_OK) {
        arvis_notify_list_free(list, k);
        return rc;
    }
    *out = list;
    *count = k;
    return ARVIS_OK;
}

int arvis_notify_clear(arvis_notify *n, arvis_error *err)
{
    pthread_mutex_lock(&n->lock);
    notify_history_clear(&n->history);
    int rc = notify_history_save(&n->history, err);
    n->save_failed = rc != ARVIS_OK;
    pthread_mutex_unlock(&n->lock);
    return rc;
}

int arvis_notify_save(arvis_notify *n, arvis_error *err)
{
    pthread_mutex_lock(&n->lock);
    int rc = notify_history_save(&n->history, err);
    n->save_failed = rc != ARVIS_OK;
    pthread_mutex_unlock(&n->lock);
    return rc;
}
