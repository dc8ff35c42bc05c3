/* The simple channels: UI, TTS and AUDIO hand the notification to the frontend's callbacks (TTS
 * holding it while an answer is spoken), LOG writes it to the Arvis log. */
#include <stdlib.h>
#include <string.h>

#include "arvis/log.h"
#include "notify_internal.h"

static int callback_open(bool given, const char *what, arvis_error *err)
{
    return given ? ARVIS_OK
                 : arvis_error_set(err, ARVIS_E_UNAVAILABLE, "no %s callback was given", what);
}

static int callback_status(int rc, const char *what, arvis_error *err)
{
    return rc == 0 ? ARVIS_OK
                   : arvis_error_set(err, ARVIS_E_IO, "the %s callback failed (%d)", what, rc);
}

/* ---- UI ---- */

static int ui_open(notify_channel *ch, arvis_error *err)
{
    return callback_open(ch->params->ui_cb != NULL, "UI", err);
}

static int ui_deliver(notify_channel *ch, const arvis_notification *n, arvis_error *err)
{
    return callback_status(ch->params->ui_cb(n, ch->params->ud), "UI", err);
}

const notify_channel_ops notify_ui_ops = {"ui", ui_open, ui_deliver, NULL};

/* ---- AUDIO ---- */

static int audio_open(notify_channel *ch, arvis_error *err)
{
    return callback_open(ch->params->cue_cb != NULL, "sound cue", err);
}

static int audio_deliver(notify_channel *ch, const arvis_notification *n, arvis_error *err)
{
    return callback_status(ch->params->cue_cb(n->level, ch->params->ud), "sound cue", err);
}

const notify_channel_ops notify_audio_ops = {"audio", audio_open, audio_deliver, NULL};

/* ---- LOG ---- */

static int log_open(notify_channel *ch, arvis_error *err)
{
    (void)ch;
    (void)err;
    return ARVIS_OK;
}

static int log_deliver(notify_channel *ch, const arvis_notification *n, arvis_error *err)
{
    (void)ch;
    (void)err;
    static const arvis_log_level to_log[ARVIS_NOTIFY_LEVELS] = {
        ARVIS_LOG_DEBUG, ARVIS_LOG_INFO, ARVIS_LOG_WARNING, ARVIS_LOG_ERROR, ARVIS_LOG_ERROR};
    /* The log has no critical level: the word keeps it apart from an error. */
    arvis_log(to_log[n->level], n->component, "%s%s",
              n->level == ARVIS_NOTIFY_CRITICAL ? "critical: " : "", n->message);
    return ARVIS_OK;
}

const notify_channel_ops notify_log_ops = {"log", log_open, log_deliver, NULL};

/* ---- TTS: texts wait in a small ring while an answer is being spoken ---- */

typedef struct tts_state {
    bool speaking;
    char *queue[ARVIS_NOTIFY_TTS_QUEUE_MAX];
    size_t head, count;
} tts_state;

static int tts_open(notify_channel *ch, arvis_error *err)
{
    int rc = callback_open(ch->params->speak_cb != NULL, "speak", err);
    if (rc == ARVIS_OK && !(ch->state = calloc(1, sizeof(tts_state)))) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    return rc;
}

static int tts_deliver(notify_channel *ch, const arvis_notification *n, arvis_error *err)
{
    tts_state *s = ch->state;
    if (!s->speaking) {
        return callback_status(ch->params->speak_cb(n->message, ch->params->ud), "speak", err);
    }
    char *copy = strdup(n->message);
    if (!copy) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    if (s->count == ARVIS_NOTIFY_TTS_QUEUE_MAX) { /* the oldest is the least current */
        free(s->queue[s->head]);
        s->head = (s->head + 1) % ARVIS_NOTIFY_TTS_QUEUE_MAX;
        s->count--;
    }
    s->queue[(s->head + s->count++) % ARVIS_NOTIFY_TTS_QUEUE_MAX] = copy;
    return ARVIS_OK;
}

void notify_tts_set_speaking(notify_channel *ch, bool speaking, size_t *spoken, size_t *failed)
{
    *spoken = 0;
    *failed = 0;
    tts_state *s = ch->state;
    if (!s) {
        return;
    }
    s->speaking = speaking;
    while (!s->speaking && s->count > 0) {
        char *text = s->queue[s->head];
        s->head = (s->head + 1) % ARVIS_NOTIFY_TTS_QUEUE_MAX;
        s->count--;
        if (ch->params->speak_cb(text, ch->params->ud) == 0) {
            (*spoken)++;
        } else {
            (*failed)++;
        }
        free(text);
    }
}

size_t notify_tts_queued(const notify_channel *ch)
{
    const tts_state *s = ch->state;
    return s ? s->count : 0;
}

static void tts_close(notify_channel *ch)
{
    tts_state *s = ch->state;
    while (s && s->count > 0) {
        free(s->queue[s->head]);
        s->head = (s->head + 1) % ARVIS_NOTIFY_TTS_QUEUE_MAX;
        s->count--;
    }
    free(s);
    ch->state = NULL;
}

const notify_channel_ops notify_tts_ops = {"tts", tts_open, tts_deliver, tts_close};
