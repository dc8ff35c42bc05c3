/* Helpers for the VAD and wake phrase tests: speech from flite gathered into one buffer, silence,
 * deterministic white noise, and where speech lies in a buffer. Include after cmocka. */
#ifndef ARVIS_STT_AUDIO_TEST_UTIL_H
#define ARVIS_STT_AUDIO_TEST_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/stt.h"
#include "arvis/tts.h"
#include "test_util.h"

/* A growing buffer of 16-bit samples. */
typedef struct sat_pcm {
    int16_t *x;
    size_t n;
    size_t cap;
    int rate;
} sat_pcm;

static inline void sat_append(sat_pcm *p, const int16_t *x, size_t n)
{
    if (n == 0) {
        return;
    }
    if (p->n + n > p->cap) {
        size_t cap = p->cap ? p->cap : 16000;
        while (cap < p->n + n) {
            cap *= 2;
        }
        int16_t *grown = realloc(p->x, cap * sizeof *grown);
        assert_non_null(grown);
        p->x = grown;
        p->cap = cap;
    }
    if (x) {
        memcpy(p->x + p->n, x, n * sizeof *x);
    } else {
        memset(p->x + p->n, 0, n * sizeof *p->x);
    }
    p->n += n;
}

/* Appends seconds of digital silence at the buffer's rate. */
static inline void sat_silence(sat_pcm *p, double seconds)
{
    sat_append(p, NULL, (size_t)lround(seconds * p->rate));
}

static inline void sat_free(sat_pcm *p)
{
    free(p->x);
    *p = (sat_pcm){0};
}

static bool sat_collect(const int16_t *pcm, size_t n, int rate, void *ud)
{
    sat_pcm *p = ud;
    p->rate = rate;
    sat_append(p, pcm, n);
    return true;
}

/* The flite voice `voice` ("slt", "awb", ...); fails the test when it cannot start. */
static inline arvis_tts_engine *sat_voice(const arvis_config *cfg, const char *voice)
{
    arvis_tts_engine *e = NULL;
    arvis_error err = {0};
    if (arvis_tts_engine_create("flite", cfg, voice, &e, &err) != ARVIS_OK) {
        fail_msg("cannot start flite %s: %s", voice, err.msg);
    }
    return e;
}

/* Appends what the engine says for text; its rate must be 16 kHz. */
static inline void sat_say(arvis_tts_engine *e, const char *text, sat_pcm *out)
{
    sat_pcm said = {0};
    arvis_error err = {0};
    if (arvis_tts_engine_synth(e, text, sat_collect, &said, &err) != ARVIS_OK) {
        fail_msg("cannot say \"%s\": %s", text, err.msg);
    }
    assert_int_equal(said.rate, 16000);
    out->rate = said.rate;
    sat_append(out, said.x, said.n);
    sat_free(&said);
}

/* sat_say, cut at the onset of the first word (its first sample at least 500 loud): a
 * recording that begins with speech, with no quiet before it. */
static inline void sat_say_cut(arvis_tts_engine *e, const char *text, sat_pcm *out)
{
    sat_pcm said = {0};
    sat_say(e, text, &said);
    size_t first = 0;
    while (first < said.n && abs(said.x[first]) < 500) {
        first++;
    }
    out->rate = said.rate;
    sat_append(out, said.x + first, said.n - first);
    sat_free(&said);
}

/* The next value of a xorshift generator: noise that is the same on every run. */
static inline uint32_t sat_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* Adds uniform white noise of root mean square rms to n samples, clipping at full scale. */
static inline void sat_add_noise(int16_t *x, size_t n, double rms, uint32_t *state)
{
    double amp = rms * sqrt(3.0); /* a uniform noise in [-a, a] has rms a / sqrt(3) */
    for (size_t i = 0; i < n; i++) {
        double u = (double)sat_random(state) / 4294967295.0 * 2.0 - 1.0;
        double v = x[i] + amp * u;
        x[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrint(v));
    }
}

static inline double sat_rms(const int16_t *x, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += (double)x[i] * x[i];
    }
    return n ? sqrt(sum / (double)n) : 0;
}

/* Where speech lies in x: the first and the end of the last 10 ms frame louder than -40 dB of
 * full scale (flite's own quiet lead-in and tail are below it). */
static inline void sat_speech_span(const int16_t *x, size_t n, int rate, size_t *first, size_t *end)
{
    const double loud = 32768.0 * 0.01;
    size_t frame = (size_t)rate / 100;
    *first = n;
    *end = 0;
    for (size_t at = 0; at + frame <= n; at += frame) {
        if (sat_rms(x + at, frame) >= loud) {
            *first = *first < at ? *first : at;
            *end = at + frame;
        }
    }
    assert_true(*first < *end);
}

/* A pocketsphinx recogniser with the NULL-ended "key=value" overrides sets (may be NULL); fails
 * the test when it cannot start. */
static inline arvis_stt *sat_recogniser(const char *const *sets)
{
    arvis_config *cfg = tu_config(sets);
    arvis_stt *s = NULL;
    arvis_error err;
    int rc = arvis_stt_create(cfg, "pocketsphinx", &s, &err);
    arvis_config_free(cfg);
    if (rc != ARVIS_OK) {
        fail_msg("cannot start pocketsphinx: %s", err.msg);
    }
    return s;
}

/* The setting that turns on command mode with data/commands.gram of the source tree. */
static inline void sat_command_mode(char *set, size_t size)
{
    const char *root = getenv("TEST_SOURCE_ROOT");
    assert_non_null(root);
    snprintf(set, size, "stt.pocketsphinx.grammar=%s/data/commands.gram", root);
}

/* What stt heard in e saying text with pad_s seconds of silence on each side (a microphone
 * recording has a little quiet around the words); the caller frees the result. */
static inline arvis_stt_result *sat_heard(arvis_tts_engine *e, arvis_stt *stt, const char *text,
                                          double pad_s)
{
    sat_pcm p = {.rate = ARVIS_STT_RATE};
    sat_silence(&p, pad_s);
    sat_say(e, text, &p);
    sat_silence(&p, pad_s);
    arvis_stt_result *res = NULL;
    arvis_error err;
    if (arvis_stt_recognize(stt, p.x, p.n, &res, &err) != ARVIS_OK) {
        fail_msg("recognising \"%s\" failed: %s", text, err.msg);
    }
    sat_free(&p);
    return res;
}

#endif
