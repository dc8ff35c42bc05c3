/* Transcribing a recording: the source is read in chunks, the VAD finds the utterances, and each
 * is recognised as it is heard, so a recording of any length costs bounded memory. */
#include <stdlib.h>
#include <string.h>

#include "assistant_internal.h"

/* Samples read from the source at once (100 ms). */
#define READ_SAMPLES (ARVIS_STT_RATE / 10)
/* Audio kept behind the read position: the VAD's pre-roll reaches back into it. */
#define RING_SAMPLES (ARVIS_STT_RATE * 4)
#define MAX_EVENTS 16

struct job {
    arvis_stt *stt;
    arvis_utterance_cb cb;
    void *ud;
    arvis_buf text;
    arvis_transcript_stats *st;
    int16_t ring[RING_SAMPLES];
    uint64_t read_to; /* samples read so far */
    uint64_t fed_to;  /* samples given to the recogniser so far */
    uint64_t start;   /* of the utterance under way */
    bool in_speech;
    bool keep_text; /* the caller asked for the whole transcript */
};

/* Feeds the recogniser the ring's samples from fed_to up to `to`. */
static int feed_to(struct job *j, uint64_t to, arvis_error *err)
{
    if (j->fed_to + RING_SAMPLES < j->read_to) {
        j->fed_to = j->read_to - RING_SAMPLES; /* older audio has been overwritten */
    }
    while (j->fed_to < to) {
        size_t at = (size_t)(j->fed_to % RING_SAMPLES);
        size_t n = RING_SAMPLES - at;
        if (n > to - j->fed_to) {
            n = (size_t)(to - j->fed_to);
        }
        uint64_t t0 = arvis_clock_ns();
        int rc = arvis_stt_feed(j->stt, j->ring + at, n, err);
        j->st->stt_ms += arvis_clock_elapsed_ms(t0, arvis_clock_ns());
        if (rc != ARVIS_OK) {
            return rc;
        }
        j->fed_to += n;
    }
    return ARVIS_OK;
}

static int begin(struct job *j, uint64_t at, arvis_error *err)
{
    j->in_speech = true;
    j->start = at;
    j->fed_to = at;
    int rc = arvis_stt_start(j->stt, err);
    /* Speech from the first sample: no pre-roll of quiet before it. */
    return rc == ARVIS_OK && at == 0 ? arvis_stt_lead_in(j->stt, ASSISTANT_LEAD_IN_S, err) : rc;
}

static int end(struct job *j, uint64_t at, arvis_error *err)
{
    j->in_speech = false;
    int rc = feed_to(j, at, err);
    arvis_stt_result *r = NULL;
    uint64_t t0 = arvis_clock_ns();
    if (rc == ARVIS_OK) {
        rc = arvis_stt_finish(j->stt, &r, err);
    }
    j->st->stt_ms += arvis_clock_elapsed_ms(t0, arvis_clock_ns());
    if (rc != ARVIS_OK) {
        return rc;
    }
    if (r->text[0]) {
        j->st->utterances++;
        j->st->words += r->n_words;
        if (j->keep_text && ((j->text.len && arvis_buf_addc(&j->text, ' ') != ARVIS_OK) ||
                             arvis_buf_adds(&j->text, r->text) != ARVIS_OK)) {
            rc = arvis_error_set(err, ARVIS_E_TOOBIG, "the transcript is too long to keep");
        }
        if (j->cb) {
            j->cb(r, (double)j->start / ARVIS_STT_RATE, (double)at / ARVIS_STT_RATE, j->ud);
        }
    }
    arvis_stt_result_free(r);
    return rc;
}

static int handle_events(struct job *j, const arvis_vad_event *ev, size_t n, arvis_error *err)
{
    int rc = ARVIS_OK;
    for (size_t i = 0; i < n && rc == ARVIS_OK; i++) {
        if (ev[i].kind == ARVIS_VAD_START && !j->in_speech) {
            rc = begin(j, ev[i].sample, err);
        } else if (ev[i].kind != ARVIS_VAD_START && j->in_speech) {
            rc = end(j, ev[i].sample, err);
        }
    }
    return rc;
}

static int run(struct job *j, arvis_source *src, arvis_vad *vad, arvis_error *err)
{
    int16_t chunk[READ_SAMPLES];
    for (;;) {
        size_t n = 0;
        int rc = arvis_source_read(src, chunk, READ_SAMPLES, &n, err);
        if (rc != ARVIS_OK) {
            return rc;
        }
        if (n == 0) {
            return j->in_speech ? end(j, j->read_to, err) : ARVIS_OK;
        }
        for (size_t i = 0; i < n; i++) {
            j->ring[(j->read_to + i) % RING_SAMPLES] = chunk[i];
        }
        j->read_to += n;
        arvis_vad_event ev[MAX_EVENTS];
        size_t n_ev = 0;
        do {
            arvis_vad_feed(vad, chunk, n_ev ? 0 : n, ev, MAX_EVENTS, &n_ev);
            rc = handle_events(j, ev, n_ev, err);
        } while (rc == ARVIS_OK && n_ev == MAX_EVENTS);
        if (rc == ARVIS_OK && j->in_speech) {
            rc = feed_to(j, j->read_to, err);
        }
        if (rc != ARVIS_OK) {
            return rc;
        }
    }
}

int arvis_transcribe(arvis_stt *stt, arvis_source *src, const arvis_vad_options *vo,
                     arvis_utterance_cb cb, void *ud, char **text, arvis_transcript_stats *st,
                     arvis_error *err)
{
    arvis_transcript_stats local;
    st = st ? st : &local;
    memset(st, 0, sizeof *st);
    if (text) {
        *text = NULL;
    }
    arvis_vad_options o = *vo;
    o.rate = arvis_source_rate(src);
    if (o.rate != ARVIS_STT_RATE) {
        return arvis_error_set(err, ARVIS_E_INVAL, "the recogniser needs audio at %d Hz, not %d Hz",
                               ARVIS_STT_RATE, o.rate);
    }
    struct job *j = calloc(1, sizeof *j);
    arvis_vad *vad = NULL;
    if (!j) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory transcribing");
    }
    int rc = arvis_vad_create(&o, &vad, err);
    j->stt = stt;
    j->keep_text = text != NULL;
    j->cb = cb;
    j->ud = ud;
    j->st = st;
    arvis_buf_init(&j->text, ASSISTANT_TEXT_MAX * 16);
    uint64_t t0 = arvis_clock_ns();
    if (rc == ARVIS_OK) {
        rc = run(j, src, vad, err);
    }
    st->elapsed_ms = arvis_clock_elapsed_ms(t0, arvis_clock_ns());
    st->audio_s = (double)j->read_to / ARVIS_STT_RATE;
    if (rc == ARVIS_OK && text) {
        *text = arvis_buf_take(&j->text);
        if (!*text && !(*text = calloc(1, 1))) {
            rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory transcribing");
        }
    }
    arvis_buf_free(&j->text);
    arvis_vad_destroy(vad);
    free(j);
    return rc;
}
