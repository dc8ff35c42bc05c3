/* Helpers for the audio tests: test signals, reading a WAV back with libsndfile, measuring a
 * frequency, and standard output sent into a pipe. Static inline, as each test uses a few. */
#ifndef ARVIS_AUDIO_TEST_UTIL_H
#define ARVIS_AUDIO_TEST_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>
#include <sndfile.h>

#include "arvis/audio.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* n samples of a sine at freq Hz (amplitude amp of 32767) at rate. The caller frees. */
static inline int16_t *atu_sine(size_t n, int rate, double freq, double amp)
{
    int16_t *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t i = 0; x && i < n; i++) {
        x[i] = (int16_t)lrint(amp * 32767.0 * sin(2.0 * M_PI * freq * (double)i / rate));
    }
    return x;
}

/* Reads a whole sound file's samples (first channel) and its description. The caller frees;
 * NULL when it cannot be read. */
static inline int16_t *atu_read_wav(const char *path, SF_INFO *info)
{
    *info = (SF_INFO){0};
    SNDFILE *f = sf_open(path, SFM_READ, info);
    if (!f) {
        return NULL;
    }
    size_t n = (size_t)info->frames * (size_t)info->channels;
    int16_t *x = malloc((n ? n : 1) * sizeof *x);
    if (x && sf_read_short(f, x, (sf_count_t)n) != (sf_count_t)n) {
        free(x);
        x = NULL;
    }
    sf_close(f);
    return x;
}

/* Upward zero crossings: a sine of f Hz has f of them a second. */
static inline size_t atu_crossings(const int16_t *x, size_t n)
{
    size_t c = 0;
    for (size_t i = 1; i < n; i++) {
        c += x[i - 1] < 0 && x[i] >= 0;
    }
    return c;
}

/* The power of x at freq Hz (Goertzel), normalised by the length. */
static inline double atu_power(const int16_t *x, size_t n, int rate, double freq)
{
    double w = 2.0 * cos(2.0 * M_PI * freq / rate);
    double s1 = 0.0, s2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double s = x[i] + w * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    return (s1 * s1 + s2 * s2 - w * s1 * s2) / ((double)n * (double)n);
}

/* Standard output sent into a pipe: read_fd reads what is written to fd 1. */
struct atu_stdout {
    int saved;
    int read_fd;
};

static inline int atu_stdout_to_pipe(struct atu_stdout *r)
{
    int p[2];
    r->saved = r->read_fd = -1;
    fflush(stdout);
    if (pipe(p) != 0) {
        return -1;
    }
    r->saved = dup(STDOUT_FILENO);
    dup2(p[1], STDOUT_FILENO);
    close(p[1]);
    r->read_fd = p[0];
    return 0;
}

/* Gives fd 1 back (the pipe's writing end closes with it); read_fd stays open. */
static inline void atu_stdout_restore(struct atu_stdout *r)
{
    dup2(r->saved, STDOUT_FILENO);
    close(r->saved);
}

/* Reads exactly len bytes (fewer at the end of the pipe); returns how many. */
static inline size_t atu_read_all(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    return got;
}

/* Words noted by several threads in the order they happened ("pushing resume pushed"), and the
 * playback events as such words: S started, M<tag> mark, F finished, X stopped, B fallback,
 * E error. */
struct atu_log {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char text[4096];
    char message[2048]; /* the last FALLBACK or ERROR message */
    char sink[32];      /* the sink named by the last event */
};

static inline void atu_log_init(struct atu_log *l)
{
    memset(l, 0, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
}

static inline void atu_log_free(struct atu_log *l)
{
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
}

static inline void atu_note(struct atu_log *l, const char *word)
{
    pthread_mutex_lock(&l->mu);
    size_t used = strlen(l->text);
    snprintf(l->text + used, sizeof l->text - used, "%s%s", used ? " " : "", word);
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

/* Blocks until word has been noted. */
static inline void atu_await(struct atu_log *l, const char *word)
{
    pthread_mutex_lock(&l->mu);
    while (!strstr(l->text, word)) {
        pthread_cond_wait(&l->cv, &l->mu);
    }
    pthread_mutex_unlock(&l->mu);
}

/* A copy of what was noted so far (static storage). */
static inline const char *atu_text(struct atu_log *l)
{
    static char copy[sizeof l->text];
    pthread_mutex_lock(&l->mu);
    memcpy(copy, l->text, sizeof copy);
    pthread_mutex_unlock(&l->mu);
    return copy;
}

/* An arvis_playback_cb noting each event in the atu_log at ud. */
static inline void atu_event_cb(const arvis_playback_event *ev, void *ud)
{
    struct atu_log *l = ud;
    static const char *const names[] = {"S", "M", "F", "X", "B", "E"};
    char word[32];
    if (ev->kind == ARVIS_PLAYBACK_MARK) {
        snprintf(word, sizeof word, "M%llu", (unsigned long long)ev->tag);
    } else {
        snprintf(word, sizeof word, "%s", names[ev->kind]);
    }
    pthread_mutex_lock(&l->mu);
    if (ev->message) {
        snprintf(l->message, sizeof l->message, "%s", ev->message);
    }
    snprintf(l->sink, sizeof l->sink, "%s", ev->sink ? ev->sink : "(none)");
    pthread_mutex_unlock(&l->mu);
    atu_note(l, word);
}

/* n samples of one value. The caller frees. */
static inline int16_t *atu_constant(size_t n, int16_t value)
{
    int16_t *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t i = 0; x && i < n; i++) {
        x[i] = value;
    }
    return x;
}

#endif
