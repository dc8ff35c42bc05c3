/* The playback queue: chunks of audio, marks and ends of utterances, taken in order by a thread
 * of its own (playback_play.c plays them). Push blocks while the queue is full; stop drops it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "playback_internal.h"

enum { DEFAULT_QUEUE_SECONDS = 10 };

static void drop_queue(arvis_playback *pb)
{
    while (pb->head) {
        struct pb_item *it = pb->head;
        pb->head = it->next;
        free(it);
    }
    pb->tail = NULL;
    pb->queued = 0;
}

void playback_fail(arvis_playback *pb, int code, const char *msg)
{
    pthread_mutex_lock(&pb->lock);
    if (pb->error == ARVIS_OK) {
        pb->error = code;
        snprintf(pb->error_msg, sizeof pb->error_msg, "%s", msg);
    }
    drop_queue(pb);
    pthread_cond_broadcast(&pb->changed);
    pthread_mutex_unlock(&pb->lock);
}

bool playback_wait_unpaused(arvis_playback *pb)
{
    if (atomic_load(&pb->paused)) {
        pthread_mutex_lock(&pb->lock);
        while (atomic_load(&pb->paused) && !atomic_load(&pb->stop)) {
            pthread_cond_wait(&pb->changed, &pb->lock);
        }
        pthread_mutex_unlock(&pb->lock);
    }
    return !atomic_load(&pb->stop);
}

/* With the lock held: drops the queue and what the sink holds, then says the stop is done. */
static void handle_stop(arvis_playback *pb)
{
    unsigned asked = pb->stop_asked;
    atomic_store(&pb->stop, false);
    bool interrupted = pb->head != NULL || !pb->idle;
    drop_queue(pb);
    pthread_cond_broadcast(&pb->changed); /* room for pushes */
    pthread_mutex_unlock(&pb->lock);
    playback_reset(pb);
    if (interrupted) {
        playback_emit(pb, ARVIS_PLAYBACK_STOPPED, 0, NULL);
    }
    pthread_mutex_lock(&pb->lock);
    pb->dirty = false;
    pb->stop_done = asked;
    pthread_cond_broadcast(&pb->changed);
}

/* Takes the next item (the lock held), plays it without the lock, and says so. */
static void play_next(arvis_playback *pb)
{
    struct pb_item *it = pb->head;
    pb->head = it->next;
    if (!pb->head) {
        pb->tail = NULL;
    }
    pb->queued -= it->n;
    pb->busy = true;
    pthread_cond_broadcast(&pb->changed); /* room for pushes */
    pthread_mutex_unlock(&pb->lock);
    playback_play(pb, it);
    free(it);
    pthread_mutex_lock(&pb->lock);
    pb->busy = false;
    pb->dirty = pb->written;
    pthread_cond_broadcast(&pb->changed);
}

/* Someone waits for the audio to end, the queue ran dry and the sink still holds some. */
static void drain_for_waiters(arvis_playback *pb)
{
    pb->busy = true;
    pthread_mutex_unlock(&pb->lock);
    playback_drain(pb);
    pthread_mutex_lock(&pb->lock);
    pb->busy = false;
    pb->dirty = pb->written;
    pthread_cond_broadcast(&pb->changed);
}

static void *run(void *arg)
{
    arvis_playback *pb = arg;
    pthread_mutex_lock(&pb->lock);
    for (;;) {
        if (pb->stop_asked != pb->stop_done) {
            handle_stop(pb);
        } else if (pb->quit) {
            break;
        } else if (pb->head && !atomic_load(&pb->paused)) {
            play_next(pb);
        } else if (!pb->head && pb->dirty && pb->waiters > 0) {
            drain_for_waiters(pb);
        } else {
            pthread_cond_wait(&pb->changed, &pb->lock);
        }
    }
    pthread_mutex_unlock(&pb->lock);
    return NULL;
}

/* Checks the options and copies them, strings included, into pb. */
static int take_options(arvis_playback *pb, const arvis_playback_options *o, arvis_error *err)
{
    size_t n = 0;
    while (o->sinks && o->sinks[n]) {
        if (!audio_sink_find(o->sinks[n], err)) {
            return ARVIS_E_NOTFOUND;
        }
        n++;
    }
    if (n == 0) {
        return arvis_error_set(err, ARVIS_E_INVAL, "no audio sink to play on was given");
    }
    int rate = o->sink.rate;
    if (rate != 0 && (rate < AUDIO_RATE_MIN || rate > AUDIO_RATE_MAX)) {
        return arvis_error_set(err, ARVIS_E_INVAL, "output rate %d Hz is outside %d to %d Hz", rate,
                               AUDIO_RATE_MIN, AUDIO_RATE_MAX);
    }
    pb->sinks = calloc(n, sizeof *pb->sinks);
    pb->so = o->sink;
    const char *src[PB_STRINGS] = {o->sink.path, o->sink.device, o->sink.server, o->sink.app_name};
    bool ok = pb->sinks != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        ok = (pb->sinks[i] = strdup(o->sinks[i])) != NULL;
        pb->n_sinks = ok ? i + 1 : i;
    }
    for (size_t i = 0; ok && i < PB_STRINGS; i++) {
        ok = !src[i] || (pb->strings[i] = strdup(src[i])) != NULL;
    }
    if (!ok) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    pb->so.path = pb->strings[0];
    pb->so.device = pb->strings[1];
    pb->so.server = pb->strings[2];
    pb->so.app_name = pb->strings[3];
    pb->max_queued = o->max_queued ? o->max_queued : (size_t)rate * DEFAULT_QUEUE_SECONDS;
    pb->cb = o->cb;
    pb->ud = o->ud;
    return ARVIS_OK;
}

static void free_playback(arvis_playback *pb)
{
    drop_queue(pb);
    arvis_resampler_destroy(pb->rs);
    for (size_t i = 0; i < pb->n_sinks; i++) {
        free(pb->sinks[i]);
    }
    free(pb->sinks);
    for (size_t i = 0; i < PB_STRINGS; i++) {
        free(pb->strings[i]);
    }
    free(pb);
}

int arvis_playback_create(const arvis_playback_options *o, arvis_playback **out, arvis_error *err)
{
    *out = NULL;
    arvis_playback *pb = calloc(1, sizeof *pb);
    if (!pb) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    pb->idle = true;
    int rc = take_options(pb, o, err);
    if (rc == ARVIS_OK) {
        rc = pb->so.rate ? playback_open(pb, 0, pb->so.rate, false, err)
                         : playback_try_sinks(pb, err);
    }
    if (rc != ARVIS_OK) {
        free_playback(pb);
        return rc;
    }
    pthread_mutex_init(&pb->lock, NULL);
    pthread_cond_init(&pb->changed, NULL);
    if (pthread_create(&pb->thread, NULL, run, pb) != 0) {
        pthread_cond_destroy(&pb->changed);
        pthread_mutex_destroy(&pb->lock);
        arvis_sink_abort(pb->sink);
        free_playback(pb);
        return arvis_error_set(err, ARVIS_E_NOMEM, "cannot start the playback thread");
    }
    *out = pb;
    return ARVIS_OK;
}

/* Stops, ends the thread and frees all but the sink, which it returns. */
static arvis_sink *end(arvis_playback *pb, int *error, arvis_error *err)
{
    pthread_mutex_lock(&pb->lock);
    pb->quit = true;
    pb->stop_asked++;
    atomic_store(&pb->stop, true);
    pthread_cond_broadcast(&pb->changed);
    pthread_mutex_unlock(&pb->lock);
    pthread_join(pb->thread, NULL);
    *error = pb->error;
    if (pb->error != ARVIS_OK) {
        arvis_error_set(err, pb->error, "%s", pb->error_msg);
    }
    arvis_sink *s = pb->sink;
    pthread_cond_destroy(&pb->changed);
    pthread_mutex_destroy(&pb->lock);
    free_playback(pb);
    return s;
}

int arvis_playback_destroy(arvis_playback *pb, arvis_error *err)
{
    if (!pb) {
        return ARVIS_OK;
    }
    int error;
    arvis_sink *s = end(pb, &error, err);
    if (error != ARVIS_OK) {
        arvis_sink_abort(s);
        return error;
    }
    return arvis_sink_close(s, err);
}

void arvis_playback_abort(arvis_playback *pb)
{
    if (pb) {
        int error;
        arvis_sink_abort(end(pb, &error, NULL));
    }
}

/* Appends it (the lock held). */
static void append(arvis_playback *pb, struct pb_item *it)
{
    if (pb->tail) {
        pb->tail->next = it;
    } else {
        pb->head = it;
    }
    pb->tail = it;
    pb->queued += it->n;
    pthread_cond_broadcast(&pb->changed);
}

/* Queues an item that takes no room (mark, finish). */
static int append_marker(arvis_playback *pb, enum pb_kind kind, uint64_t tag)
{
    struct pb_item *it = calloc(1, sizeof *it);
    if (!it) {
        return ARVIS_E_NOMEM;
    }
    it->kind = kind;
    it->tag = tag;
    pthread_mutex_lock(&pb->lock);
    int rc = pb->error;
    if (rc == ARVIS_OK) {
        append(pb, it);
    } else {
        free(it);
    }
    pthread_mutex_unlock(&pb->lock);
    return rc;
}

int arvis_playback_push(arvis_playback *pb, const int16_t *pcm, size_t n, int rate,
                        arvis_error *err)
{
    if (rate < AUDIO_RATE_MIN || rate > AUDIO_RATE_MAX) {
        return arvis_error_set(err, ARVIS_E_INVAL, "audio at %d Hz: rates go from %d to %d Hz",
                               rate, AUDIO_RATE_MIN, AUDIO_RATE_MAX);
    }
    if (n == 0) {
        return ARVIS_OK;
    }
    if (n > (SIZE_MAX - sizeof(struct pb_item)) / sizeof *pcm) {
        return arvis_error_set(err, ARVIS_E_TOOBIG, "too much audio at once");
    }
    struct pb_item *it = malloc(sizeof *it + n * sizeof *pcm);
    if (!it) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    *it = (struct pb_item){.kind = PB_PCM, .rate = rate, .n = n};
    memcpy(it->pcm, pcm, n * sizeof *pcm);
    pthread_mutex_lock(&pb->lock);
    if (pb->max_queued == 0) {
        pb->max_queued = (size_t)rate * DEFAULT_QUEUE_SECONDS;
    }
    unsigned gen = pb->stop_asked;
    /* A chunk larger than the whole queue still goes in once the queue is empty. */
    while (pb->error == ARVIS_OK && gen == pb->stop_asked && pb->queued > 0 &&
           pb->queued + n > pb->max_queued) {
        pthread_cond_wait(&pb->changed, &pb->lock);
    }
    int rc = ARVIS_OK;
    if (pb->error != ARVIS_OK) {
        rc = arvis_error_set(err, pb->error, "%s", pb->error_msg);
    } else if (gen != pb->stop_asked) {
        rc = arvis_error_set(err, ARVIS_E_CANCELLED, "playback was stopped");
    } else {
        append(pb, it);
        it = NULL;
    }
    pthread_mutex_unlock(&pb->lock);
    free(it);
    return rc;
}

int arvis_playback_mark(arvis_playback *pb, uint64_t tag)
{
    return append_marker(pb, PB_MARK, tag);
}

int arvis_playback_finish(arvis_playback *pb)
{
    return append_marker(pb, PB_FINISH, 0);
}

int arvis_playback_wait(arvis_playback *pb, arvis_error *err)
{
    pthread_mutex_lock(&pb->lock);
    pb->waiters++;
    pthread_cond_broadcast(&pb->changed);
    while (pb->error == ARVIS_OK &&
           (pb->head || pb->busy || pb->dirty || pb->stop_asked != pb->stop_done)) {
        pthread_cond_wait(&pb->changed, &pb->lock);
    }
    pb->waiters--;
    int rc = pb->error;
    if (rc != ARVIS_OK) {
        arvis_error_set(err, rc, "%s", pb->error_msg);
    }
    pthread_mutex_unlock(&pb->lock);
    return rc;
}

void arvis_playback_stop(arvis_playback *pb)
{
    pthread_mutex_lock(&pb->lock);
    unsigned mine = ++pb->stop_asked;
    atomic_store(&pb->stop, true);
    pthread_cond_broadcast(&pb->changed);
    while ((int)(pb->stop_done - mine) < 0) {
        pthread_cond_wait(&pb->changed, &pb->lock);
    }
    pthread_mutex_unlock(&pb->lock);
}

void arvis_playback_pause(arvis_playback *pb)
{
    atomic_store(&pb->paused, true);
}

void arvis_playback_resume(arvis_playback *pb)
{
    pthread_mutex_lock(&pb->lock);
    atomic_store(&pb->paused, false);
    pthread_cond_broadcast(&pb->changed);
    pthread_mutex_unlock(&pb->lock);
}

bool arvis_playback_paused(const arvis_playback *pb)
{
    return atomic_load(&pb->paused);
}

const char *arvis_playback_sink(const arvis_playback *pb)
{
    return atomic_load(&pb->sink_name);
}
