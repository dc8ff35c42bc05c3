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
    bool mute;     /* wake.during_playback is "mute" */
    bool partials; /* stt.partial_results */
    int16_t ring[LIVE_RING_SAMPLES];
    uint64_t read_to;
    uint64_t utt_start;    /* stream position where the utterance under way began */
    uint64_t fed_to;       /* stream position the recogniser has heard up to */
    uint64_t next_partial; /* stream position of the next partial transcript */
    double stt_ms;         /* recognition time of the utterance so far */
    uint64_t wake_pos;     /* stream position where the wake phrase was heard */
    bool in_speech;
    bool woken;     /* the wake phrase was heard in this utterance */
    bool barged;    /* ...over an answer, which was cancelled */
    size_t handled; /* requests submitted */
};

/* Whether the utterance under way is meant for Arvis so far. */
static bool addressed(const struct live *l)
{
    return !l->o->wake || l->woken || atomic_load(&l->a->armed);
}

/* Gives the recogniser what the ring holds from fed_to up to the read position, with partial
 * transcripts as it goes. The recogniser hears the utterance while it is said, so at its end
 * only the last words are left to decode. */
static int feed_recogniser(struct live *l, arvis_error *err)
{
    if (l->fed_to + LIVE_RING_SAMPLES < l->read_to) {
        l->fed_to = l->read_to - LIVE_RING_SAMPLES;
    }
    uint64_t t0 = arvis_clock_ns();
    int rc = ARVIS_OK;
    while (rc == ARVIS_OK && l->fed_to < l->read_to) {
        size_t at = (size_t)(l->fed_to % LIVE_RING_SAMPLES);
        size_t n = LIVE_RING_SAMPLES - at;
        if (n > l->read_to - l->fed_to) {
            n = (size_t)(l->read_to - l->fed_to);
        }
        rc = arvis_stt_feed(l->a->stt, l->ring + at, n, err);
        l->fed_to += n;
    }
    if (rc == ARVIS_OK && l->partials && l->fed_to >= l->next_partial && addressed(l)) {
        l->next_partial = l->fed_to + ASSISTANT_PARTIAL_SAMPLES;
        char *p = arvis_stt_partial(l->a->stt);
        if (p && *p) {
            assistant_emit_text(l->a, ARVIS_EVENT_PARTIAL, p, strlen(p));
        }
        free(p);
    }
    l->stt_ms += arvis_clock_elapsed_ms(t0, arvis_clock_ns());
    return rc;
}

/* Speech began at `at`: the recogniser starts there, with what the ring still holds. */
static int utterance_begin(struct live *l, uint64_t at, arvis_error *err)
{
    l->in_speech = true;
    if (at + LIVE_RING_SAMPLES < l->read_to) {
        at = l->read_to - LIVE_RING_SAMPLES;
    }
    l->utt_start = l->fed_to = at;
    l->next_partial = at + ASSISTANT_PARTIAL_SAMPLES;
    l->stt_ms = 0;
    if (addressed(l)) {
        assistant_set_state(l->a, ARVIS_STATE_LISTENING);
    }
    uint64_t t0 = arvis_clock_ns();
    int rc = arvis_stt_start(l->a->stt, err);
    if (rc == ARVIS_OK && at == 0) {
        rc = arvis_stt_lead_in(l->a->stt, ASSISTANT_LEAD_IN_S, err); /* speech from the start */
    }
    l->stt_ms += arvis_clock_elapsed_ms(t0, arvis_clock_ns());
    return rc == ARVIS_OK ? feed_recogniser(l, err) : rc;
}

/* Speech ended: the recogniser finishes, and the utterance is a request when the wake phrase
 * was heard in it (or is not needed, or was heard alone just before). For a recording the turn
 * is awaited before reading on. */
static int utterance_end(struct live *l, arvis_error *err)
{
    arvis_assistant *a = l->a;
    uint64_t end_ns = arvis_clock_ns();
    l->in_speech = false;
    bool barged = l->barged;
    l->barged = false; /* of this utterance only, whatever becomes of it */
    bool armed = atomic_exchange(&a->armed, false);
    bool for_arvis = !l->o->wake || l->woken || armed;
    if (for_arvis) {
        assistant_set_state(a, ARVIS_STATE_TRANSCRIBING);
    }
    arvis_stt_result *res = NULL;
    int rc = feed_recogniser(l, err);
    uint64_t t0 = arvis_clock_ns();
    if (rc == ARVIS_OK) {
        rc = arvis_stt_finish(a->stt, &res, err);
    }
    l->stt_ms += arvis_clock_elapsed_ms(t0, arvis_clock_ns());
    if (rc != ARVIS_OK || !for_arvis) {
        arvis_stt_result_free(res);
        if (for_arvis) {
            assistant_set_state(a, ARVIS_STATE_IDLE);
        }
        /* A recogniser stopped by a cancel loses this utterance, not the loop. */
        return rc == ARVIS_E_CANCELLED && !atomic_load(&a->live_stop) ? ARVIS_OK : rc;
    }
    double wake_at_s = l->woken && l->wake_pos > l->utt_start
                           ? (double)(l->wake_pos - l->utt_start) / ARVIS_STT_RATE
                           : 0;
    l->woken = false;
    /* The interrupted turn may still be ending: the "refuse" policy must not refuse this. */
    rc = assistant_submit_heard(a, res, end_ns, l->stt_ms, l->o->wake, wake_at_s, barged, err);
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
            rc = utterance_begin(l, ev[i].sample, err);
        } else if (ev[i].kind != ARVIS_VAD_START && l->in_speech) {
            rc = utterance_end(l, err);
        }
    }
    return rc;
}

/* While a turn runs on a microphone: muted, or listening only for a loud wake phrase that
 * interrupts the answer. Returns true when the chunk is to be dropped. */
static bool while_busy(struct live *l, const int16_t *pcm, size_t n, bool *fed, arvis_error *err)
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
        l->in_speech = false; /* the next start drops what the recogniser heard */
        arvis_vad_reset(l->vad);
        l->read_to = 0;
        return true;
    }
    bool heard = false;
    *fed = true;
    if (arvis_wake_feed(l->wake, pcm, n, &heard, err) == ARVIS_OK && heard) {
        arvis_assistant_cancel(a, true); /* barge-in: the user talks over the answer */
        assistant_emit_text(a, ARVIS_EVENT_WAKE, NULL, 0);
        l->woken = l->barged = true;
        l->wake_pos = l->read_to + n;
    }
    return false;
}

static int hear(struct live *l, const int16_t *pcm, size_t n, bool wake_fed, arvis_error *err)
{
    uint64_t chunk_start = l->read_to;
    for (size_t i = 0; i < n; i++) {
        l->ring[(chunk_start + i) % LIVE_RING_SAMPLES] = pcm[i];
    }
    l->read_to += n;
    if (l->wake && !l->woken && !wake_fed) {
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
    arvis_vad_event ev[LIVE_MAX_EVENTS];
    size_t n_ev = 0;
    int rc = ARVIS_OK;
    do {
        arvis_vad_feed(l->vad, pcm, n_ev ? 0 : n, ev, LIVE_MAX_EVENTS, &n_ev);
        rc = on_vad(l, ev, n_ev, err);
    } while (rc == ARVIS_OK && n_ev == LIVE_MAX_EVENTS);
    if (rc == ARVIS_OK && l->in_speech) {
        rc = feed_recogniser(l, err);
    }
    if (rc == ARVIS_E_CANCELLED && !atomic_load(&l->a->live_stop)) {
        l->in_speech = false; /* a barge-in cancelled it: the next start begins afresh */
        rc = ARVIS_OK;
    }
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
        bool wake_fed = false;
        if (while_busy(l, chunk, n, &wake_fed, err)) {
            continue;
        }
        rc = hear(l, chunk, n, wake_fed, err);
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
    l->partials = arvis_config_bool(a->cfg, "stt.partial_results");
    arvis_vad_options vo = arvis_vad_options_from_config(a->cfg);
    vo.rate = ARVIS_STT_RATE;
    int rc = arvis_vad_create(&vo, &l->vad, err);
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
