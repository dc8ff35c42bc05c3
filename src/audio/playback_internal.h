/* Shared between the two files of the playback queue: its state, and how the playback thread
 * plays what it takes from the queue. */
#ifndef ARVIS_PLAYBACK_INTERNAL_H
#define ARVIS_PLAYBACK_INTERNAL_H

#include <pthread.h>

#include "audio_internal.h"

enum pb_kind { PB_PCM, PB_MARK, PB_FINISH };

/* One entry of the queue: a chunk of audio (n samples at rate), a mark, or an utterance's end. */
struct pb_item {
    struct pb_item *next;
    enum pb_kind kind;
    int rate;
    uint64_t tag;
    size_t n;
    int16_t pcm[];
};

enum { PB_STRINGS = 4 }; /* the sink options' path, device, server and app_name */

struct arvis_playback {
    /* Fixed at create. */
    char **sinks;
    size_t n_sinks;
    arvis_sink_options so; /* its strings point into strings[] */
    char *strings[PB_STRINGS];
    arvis_playback_cb cb;
    void *ud;
    pthread_t thread;

    pthread_mutex_t lock; /* guards what follows, down to the atomics */
    pthread_cond_t changed;
    struct pb_item *head, *tail;
    size_t queued;     /* samples in the queue */
    size_t max_queued; /* 0 until the first chunk when the rate is not known */
    unsigned stop_asked, stop_done;
    unsigned waiters; /* threads in arvis_playback_wait */
    bool busy;        /* the thread is playing an item or draining, without the lock */
    bool dirty;       /* the sink holds audio not yet drained */
    bool quit;
    int error; /* a sink failed with none left to take over: sticky */
    char error_msg[ARVIS_ERROR_MSG_MAX];

    atomic_bool stop; /* looked at between pieces; the sinks' cancel flag */
    atomic_bool paused;
    _Atomic(const char *) sink_name;

    /* The playback thread's own (the creating and destroying thread's before and after it). */
    arvis_sink *sink;
    size_t sink_index; /* in sinks[]: in use, or to open at the first chunk */
    arvis_resampler *rs;
    int rs_rate;  /* what rs converts from */
    bool idle;    /* STARTED fires with the next samples */
    bool written; /* samples went to the sink since it was last drained */
};

/* ---- playback_play.c: on the playback thread ---- */

/* Opens sinks[from] at rate, or with walk the first of sinks[from...] that opens (handing
 * over after a failure); err gets the first refusal. */
int playback_open(arvis_playback *pb, size_t from, int rate, bool walk, arvis_error *err);

/* Checks the first sink opens, for a rate not yet known: opens and closes it again. */
int playback_try_sinks(arvis_playback *pb, arvis_error *err);

void playback_play(arvis_playback *pb, const struct pb_item *it);

/* Lets the sink play out what it holds. */
void playback_drain(arvis_playback *pb);

/* After a stop: drops what the sink and the rate converter hold. */
void playback_reset(arvis_playback *pb);

void playback_emit(arvis_playback *pb, arvis_playback_event_kind kind, uint64_t tag,
                   const char *message);

/* ---- playback.c ---- */

/* Makes the failure sticky and drops the queue: push, wait and destroy return it from now on. */
void playback_fail(arvis_playback *pb, int code, const char *msg);

/* Waits while paused; false when a stop came. */
bool playback_wait_unpaused(arvis_playback *pb);

#endif
