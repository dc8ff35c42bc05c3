/* The live loop: the VAD follows every utterance heard; one that holds the wake phrase (or any,
 * without it) becomes a request. While Arvis speaks, a microphone is muted or only a loud wake
 * phrase interrupts, so Arvis does not answer itself. */
#include <stdlib.h>
#include <string.h>

#include "assistant_internal.h"

/* Samples read at once: 20 ms, so the wake phrase and a stop are noticed quickly. */
#define LIVE_READ_SAMPLES (ARVIS_STT_RATE / 50)
/* Audio kept behind the read position for the VAD's pre-roll. */
#define LIVE_RING_SAMPLES (ARVIS_STT_RATE * 2)
#define LIVE_MAX_EVENTS 8

struct live {
    arvis_assistant *a;
    const arvis_live_options *o;
    arvis_wake *wake;
    arvis_vad *vad;
    bool mute; /* wake.during_playback is "mute" */
    int16_t ring[LIVE_RING_SAMPLES];
    uint64_t read_to;
    int16_t *utt; /* the utterance under way */
    size_t utt_n, utt_max;
    uint64_t utt_start; /* stream position of utt[0] */
    uint64_t wake_pos;  /* stream position where the wake phrase was heard */
    bool in_speech;
    bool woken;     /* the wake phrase was heard in this utterance */
    size_t handled; /* requests submitted */
};

static void append(struct live *l, const int16_t *pcm, size_t n)
{
    if (n > l->utt_max - l->utt_n) {
        n = l->utt_max - l->utt_n; /* the VAD cuts it at its maximum length anyway */
    }
    memcpy(l->utt + l->utt_n, pcm, n * sizeof *pcm);
    l->utt_n += n;
}

/* Speech began at `at`: the utterance starts with what the ring still holds from there. */
static void utterance_begin(struct live *l, uint64_t at)
{
    l->in_speech = true;
    l->utt_n = 0;
    if (at + LIVE_RING_SAMPLES < l->read_to) {
        at = l->read_to - LIVE_RING_SAMPLES;
    }
    l->utt_start = at;
    for (uint64_t p = at; p < l->read_to && l->utt_n < l->utt_max; p++) {
        l->utt[l->utt_n++] = l->ring[p % LIVE_RING_SAMPLES];
    }
    if (!l->o->wake || l->woken || atomic_load(&l->a->armed)) {
        assistant_set_state(l->a, ARVIS_STATE_LISTENING);
    }
}

/* Speech ended: a request when the wake phrase was heard in it (or is not needed, or was heard
 * alone just before). For a recording the turn is awaited before reading on. */
static int utterance_end(struct live *l, arvis_error *err)
{
    arvis_assistant *a = l->a;
    l->in_speech = false;
    bool armed = atomic_exchange(&a->armed, false);
    if (l->o->wake && !l->woken && !armed) {
        return ARVIS_OK; /* talk not meant for Arvis */
    }
    double wake_at_s = l->woken && l->wake_pos > l->utt_start
                           ? (double)(l->wake_pos - l->utt_start) / ARVIS_STT_RATE
                           : 0;
    l->woken = false;
    int rc =
        assistant_submit_spoken(a, l->utt, l->utt_n, arvis_clock_ns(), l->o->wake, wake_at_s, err);
    if (rc == ARVIS_OK) {
        l->handled++;
        if (!l->o->live) {
            arvis_assistant_wait_idle(a);
        }
    }
    /* A refused request has been told to the frontends; listening goes on. */
    return rc == ARVIS_E_STATE || rc == ARVIS_E_TOOBIG ? ARVIS_OK : rc;
}

static int on_vad(struct live *l, const arvis_vad_event *ev, size_t n, arvis_error *err)
{
    int rc = ARVIS_OK;
    for (size_t i = 0; i < n && rc == ARVIS_OK; i++) {
        if (ev[i].kind == ARVIS_VAD_START && !l->in_speech) {
            utterance_begin(l, ev[i].sample);
        } else if (ev[i].kind != ARVIS_VAD_START && l->in_speech) {
            rc = utterance_end(l, err);
        }
    }
    return rc;
}

/* While a turn runs on a microphone: muted, or listening only for a loud wake phrase that
 * interrupts the answer. Returns true when the chunk is to be dropped. */
static bool while_busy(struct live *l, const int16_t *pcm, size_t n, arvis_error *err)
{
    arvis_assistant *a = l->a;
    pthread_mutex_lock(&a->lock);
    bool busy = a->busy || a->head;
    pthread_mutex_unlock(&a->lock);
    if (l->wake) {
        arvis_wake_set_speaking(l->wake, busy, err);
    }
    if (!busy || !l->o->live) {
        return false;
    }
    if (l->mute || !l->wake) {
        l->in_speech = false;
        l->utt_n = 0;
        arvis_vad_reset(l->vad);
        l->read_to = 0;
        return true;
    }
    bool heard = false;
    if (arvis_wake_feed(l->wake, pcm, n, &heard, err) == ARVIS_OK && heard) {
        arvis_assistant_cancel(a, true); /* barge-in: the user talks over the answer */
        assistant_emit_text(a, ARVIS_EVENT_WAKE, NULL, 0);
        l->woken = true;
        l->wake_pos = l->read_to + n;
    }
    return false;
}

static int hear(struct live *l, const int16_t *pcm, size_t n, arvis_error *err)
{
    uint64_t chunk_start = l->read_to;
    for (size_t i = 0; i < n; i++) {
        l->ring[(chunk_start + i) % LIVE_RING_SAMPLES] = pcm[i];
    }
    l->read_to += n;
    if (l->wake && !l->woken) {
        bool heard = false;
        int rc = arvis_wake_feed(l->wake, pcm, n, &heard, err);
        if (rc != ARVIS_OK) {
            return rc;
        }
        if (heard) {
            l->woken = true;
            l->wake_pos = l->read_to;
            arvis_wake_reset(l->wake); /* listening for it again starts afresh after the turn */
            assistant_emit_text(l->a, ARVIS_EVENT_WAKE, NULL, 0);
            assistant_set_state(l->a, ARVIS_STATE_LISTENING);
        }
    }
    if (l->in_speech) {
        append(l, pcm, n);
    }
    arvis_vad_event ev[LIVE_MAX_EVENTS];
    size_t n_ev = 0;
    int rc = ARVIS_OK;
    do {
        arvis_vad_feed(l->vad, pcm, n_ev ? 0 : n, ev, LIVE_MAX_EVENTS, &n_ev);
        rc = on_vad(l, ev, n_ev, err);
    } while (rc == ARVIS_OK && n_ev == LIVE_MAX_EVENTS);
    return rc;
}

static int loop(struct live *l, arvis_source *src, arvis_error *err)
{
    int16_t chunk[LIVE_READ_SAMPLES];
    while (!l->o->max_requests || l->handled < l->o->max_requests) {
        if (atomic_load(&l->a->live_stop)) {
            return arvis_error_set(err, ARVIS_E_CANCELLED, "stopped listening");
        }
        size_t n = 0;
        int rc = arvis_source_read(src, chunk, LIVE_READ_SAMPLES, &n, err);
        if (rc != ARVIS_OK) {
            return rc;
        }
        if (n == 0) {
            /* The end of a recording ends the utterance under way. */
            return l->in_speech ? utterance_end(l, err) : ARVIS_OK;
        }
        if (while_busy(l, chunk, n, err)) {
            continue;
        }
        rc = hear(l, chunk, n, err);
        if (rc != ARVIS_OK) {
            return rc;
        }
    }
    return ARVIS_OK;
}

int arvis_assistant_live(arvis_assistant *a, arvis_source *src, const arvis_live_options *o,
                         arvis_error *err)
{
    if (!a->stt) {
        return arvis_error_set(err, ARVIS_E_STATE,
                               "the assistant was started without speech recognition");
    }
    if (arvis_source_rate(src) != ARVIS_STT_RATE) {
        return arvis_error_set(err, ARVIS_E_INVAL, "the live loop needs audio at %d Hz",
                               ARVIS_STT_RATE);
    }
    struct live *l = calloc(1, sizeof *l);
    if (!l) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting to listen");
    }
    l->a = a;
    l->o = o;
    l->mute = strcmp(arvis_config_string(a->cfg, "wake.during_playback"), "mute") == 0;
    arvis_vad_options vo = arvis_vad_options_from_config(a->cfg);
    vo.rate = ARVIS_STT_RATE;
    l->utt_max = (size_t)vo.max_utterance_ms * (ARVIS_STT_RATE / 1000) + LIVE_RING_SAMPLES;
    l->utt = malloc(l->utt_max * sizeof *l->utt);
    int rc = l->utt ? arvis_vad_create(&vo, &l->vad, err)
                    : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting to listen");
    if (rc == ARVIS_OK && o->wake) {
        rc = arvis_wake_create(a->cfg, &l->wake, err);
    }
    if (rc == ARVIS_OK) {
        pthread_mutex_lock(&a->lock);
        a->live_src = src;
        pthread_mutex_unlock(&a->lock);
        atomic_store(&a->live_stop, false);
        rc = loop(l, src, err);
        arvis_assistant_wait_idle(a);
        pthread_mutex_lock(&a->lock);
        a->live_src = NULL;
        pthread_mutex_unlock(&a->lock);
    }
    arvis_wake_destroy(l->wake);
    arvis_vad_destroy(l->vad);
    free(l->utt);
    free(l);
    return rc;
}

void arvis_assistant_stop_live(arvis_assistant *a)
{
    atomic_store(&a->live_stop, true);
    pthread_mutex_lock(&a->lock);
    if (a->live_src) {
        arvis_source_cancel(a->live_src);
    }
    pthread_mutex_unlock(&a->lock);
}
