/* The playback thread's work on one item: opening the sink, converting the rate, writing in
 * pieces of ~20 ms with the stop flag looked at between them, events, and handing over to the
 * next sink when one fails. */
#include <stdio.h>
#include <stdlib.h>

#include "arvis/log.h"
#include "playback_internal.h"

enum {
    PIECE_MS = 20,      /* audio written at once: how late a stop or pause can take effect */
    PROBE_RATE = 48000, /* any rate every sink takes, for the check at create */
};

void playback_emit(arvis_playback *pb, arvis_playback_event_kind kind, uint64_t tag,
                   const char *message)
{
    if (pb->cb) {
        arvis_playback_event ev = {
            .kind = kind, .tag = tag, .sink = atomic_load(&pb->sink_name), .message = message};
        pb->cb(&ev, pb->ud);
    }
}

int playback_open(arvis_playback *pb, size_t from, int rate, bool walk, arvis_error *err)
{
    arvis_sink_options so = pb->so;
    so.rate = rate;
    int first = ARVIS_OK;
    size_t end = walk ? pb->n_sinks : from + 1;
    for (size_t i = from; i < end && i < pb->n_sinks; i++) {
        arvis_error e;
        arvis_sink *s = NULL;
        int rc = arvis_sink_open(pb->sinks[i], &so, &s, &e);
        if (rc == ARVIS_OK) {
            audio_sink_set_cancel(s, &pb->stop);
            pb->sink = s;
            pb->sink_index = i;
            atomic_store(&pb->sink_name, arvis_sink_name(s));
            return ARVIS_OK;
        }
        arvis_log(ARVIS_LOG_INFO, "audio", "not playing on %s: %s", pb->sinks[i], e.msg);
        if (first == ARVIS_OK) {
            first = arvis_error_set(err, rc, "%s", e.msg);
        }
    }
    if (first == ARVIS_OK) {
        first = arvis_error_set(err, ARVIS_E_UNAVAILABLE, "there is no other sink to play on");
    }
    return first;
}

int playback_try_sinks(arvis_playback *pb, arvis_error *err)
{
    int rc = playback_open(pb, 0, PROBE_RATE, false, err);
    if (rc == ARVIS_OK) {
        arvis_sink_abort(pb->sink);
        pb->sink = NULL;
        atomic_store(&pb->sink_name, NULL);
    }
    return rc;
}

/* No sink is left: ERROR, then the failure becomes sticky (in that order, so that a wait that
 * returns the error comes after the event). */
static int give_up(arvis_playback *pb, int code, const char *msg)
{
    pb->idle = true;
    pb->written = false;
    playback_emit(pb, ARVIS_PLAYBACK_ERROR, 0, msg);
    playback_fail(pb, code, msg);
    return code;
}

/* The sink failed: the next one in the list that opens (at the same rate) takes over. */
static int fall_back(arvis_playback *pb, const arvis_error *failure)
{
    int rate = arvis_sink_rate(pb->sink);
    arvis_sink_abort(pb->sink);
    pb->sink = NULL;
    pb->written = false;
    atomic_store(&pb->sink_name, NULL);
    arvis_error e;
    char msg[2 * ARVIS_ERROR_MSG_MAX + 32]; /* room for both messages */
    if (playback_open(pb, pb->sink_index + 1, rate, true, &e) != ARVIS_OK) {
        snprintf(msg, sizeof msg, "%s; %s", failure->msg, e.msg);
        return give_up(pb, failure->code, msg);
    }
    snprintf(msg, sizeof msg, "%s; continuing on %s", failure->msg, arvis_sink_name(pb->sink));
    playback_emit(pb, ARVIS_PLAYBACK_FALLBACK, 0, msg);
    return ARVIS_OK;
}

static int write_piece(arvis_playback *pb, const int16_t *pcm, size_t n)
{
    for (;;) {
        arvis_error e;
        int rc = arvis_sink_write(pb->sink, pcm, n, &e);
        if (rc == ARVIS_OK) {
            pb->written = true;
            if (pb->idle) {
                pb->idle = false;
                playback_emit(pb, ARVIS_PLAYBACK_STARTED, 0, NULL);
            }
            return ARVIS_OK;
        }
        if (rc == ARVIS_E_CANCELLED || (rc = fall_back(pb, &e)) != ARVIS_OK) {
            return rc;
        }
    }
}

/* Returns ARVIS_E_CANCELLED when a stop came, another error when no sink is left. */
static int write_pieces(arvis_playback *pb, const int16_t *pcm, size_t n)
{
    size_t piece = (size_t)arvis_sink_rate(pb->sink) * PIECE_MS / 1000;
    for (size_t done = 0; done < n;) {
        if (!playback_wait_unpaused(pb)) {
            return ARVIS_E_CANCELLED;
        }
        size_t k = n - done < piece ? n - done : piece;
        int rc = write_piece(pb, pcm + done, k);
        if (rc != ARVIS_OK) {
            return rc;
        }
        done += k;
    }
    return ARVIS_OK;
}

/* Plays what the rate converter still holds and retires it. */
static int flush_converter(arvis_playback *pb)
{
    if (!pb->rs) {
        return ARVIS_OK;
    }
    int16_t *tail = NULL;
    size_t n = 0;
    arvis_error e;
    int rc = arvis_resample(pb->rs, NULL, 0, true, &tail, &n, &e);
    arvis_resampler_destroy(pb->rs);
    pb->rs = NULL;
    if (rc != ARVIS_OK) {
        return give_up(pb, rc, e.msg);
    }
    rc = write_pieces(pb, tail, n);
    free(tail);
    return rc;
}

/* Converts a chunk to the sink's rate with a converter that outlives it, so chunks join up. */
static int convert(arvis_playback *pb, const struct pb_item *it, int16_t **out, size_t *n)
{
    int rc = ARVIS_OK;
    arvis_error e;
    if (pb->rs && pb->rs_rate != it->rate) {
        rc = flush_converter(pb);
    }
    if (rc == ARVIS_OK && !pb->rs) {
        rc = arvis_resampler_create(it->rate, arvis_sink_rate(pb->sink), &pb->rs, &e);
        pb->rs_rate = it->rate;
        if (rc != ARVIS_OK) {
            return give_up(pb, rc, e.msg);
        }
    }
    if (rc == ARVIS_OK && (rc = arvis_resample(pb->rs, it->pcm, it->n, false, out, n, &e))) {
        return give_up(pb, rc, e.msg);
    }
    return rc;
}

static void play_pcm(arvis_playback *pb, const struct pb_item *it)
{
    arvis_error e;
    if (!pb->sink && playback_open(pb, pb->sink_index, it->rate, false, &e) != ARVIS_OK) {
        give_up(pb, e.code, e.msg);
        return;
    }
    if (it->rate == arvis_sink_rate(pb->sink)) {
        if (flush_converter(pb) == ARVIS_OK) {
            write_pieces(pb, it->pcm, it->n);
        }
        return;
    }
    int16_t *pcm = NULL;
    size_t n = 0;
    if (convert(pb, it, &pcm, &n) == ARVIS_OK) {
        write_pieces(pb, pcm, n);
    }
    free(pcm);
}

static int drain(arvis_playback *pb)
{
    while (pb->sink && pb->written) {
        arvis_error e;
        int rc = arvis_sink_drain(pb->sink, &e);
        if (rc == ARVIS_OK) {
            pb->written = false;
        } else if ((rc = fall_back(pb, &e)) != ARVIS_OK) {
            return rc;
        }
    }
    return ARVIS_OK;
}

void playback_drain(arvis_playback *pb)
{
    drain(pb);
}

static void finish(arvis_playback *pb)
{
    if (flush_converter(pb) != ARVIS_OK || drain(pb) != ARVIS_OK) {
        return;
    }
    pb->idle = true;
    playback_emit(pb, ARVIS_PLAYBACK_FINISHED, 0, NULL);
}

void playback_play(arvis_playback *pb, const struct pb_item *it)
{
    switch (it->kind) {
    case PB_PCM:
        play_pcm(pb, it);
        break;
    case PB_MARK:
        playback_emit(pb, ARVIS_PLAYBACK_MARK, it->tag, NULL);
        break;
    case PB_FINISH:
        finish(pb);
        break;
    }
}

void playback_reset(arvis_playback *pb)
{
    if (pb->sink) {
        /* A failure here stays with the sink; the next write falls back. */
        arvis_sink_flush(pb->sink, NULL);
    }
    arvis_resampler_destroy(pb->rs);
    pb->rs = NULL;
    pb->written = false;
    pb->idle = true;
}
