/* Helpers for the source tests: sound files of every kind written with libsndfile (a sine per
 * channel, each with its own gain), and a source read to its end in small pieces. */
#ifndef ARVIS_AUDIO_SOURCE_TEST_UTIL_H
#define ARVIS_AUDIO_SOURCE_TEST_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "arvis/audio.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

enum {
    ASTU_BLOCK = 4096,      /* frames written at once */
    ASTU_CHANNELS_MAX = 8,  /* channels a test file may have */
    ASTU_READ_PIECE = 1000, /* samples asked for per read: not a multiple of any block */
    ASTU_TONE_HZ = 440,
};

/* A test file: format (SF_FORMAT_*), channels, rate, frames, a sine of freq Hz at amplitude
 * amp (of full scale) times gain[c] in channel c (gain 0 is taken as 1 when all are 0). */
struct astu_sound {
    int format;
    int channels;
    int rate;
    int64_t frames;
    double freq;
    double amp;
    double gain[ASTU_CHANNELS_MAX];
};

/* Writes the sound to path; returns 0, or -1 when libsndfile refuses (message on stderr). */
static inline int astu_write(const char *path, const struct astu_sound *s)
{
    SF_INFO info = {.samplerate = s->rate, .channels = s->channels, .format = s->format};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "cannot write %s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    bool any_gain = false;
    for (int c = 0; c < s->channels; c++) {
        any_gain = any_gain || s->gain[c] != 0.0;
    }
    static float block[ASTU_BLOCK * ASTU_CHANNELS_MAX];
    int rc = 0;
    for (int64_t done = 0; done < s->frames && rc == 0;) {
        int64_t k = s->frames - done < ASTU_BLOCK ? s->frames - done : ASTU_BLOCK;
        for (int64_t i = 0; i < k; i++) {
            double v = s->amp * sin(2.0 * M_PI * s->freq * (double)(done + i) / s->rate);
            for (int c = 0; c < s->channels; c++) {
                block[i * s->channels + c] = (float)(v * (any_gain ? s->gain[c] : 1.0));
            }
        }
        rc = sf_writef_float(f, block, k) == k ? 0 : -1;
        done += k;
    }
    sf_close(f);
    return rc;
}

/* Writes frames of a 440 Hz tone at half of full scale, the same in every channel. */
static inline int astu_write_tone(const char *path, int format, int channels, int rate,
                                  int64_t frames)
{
    struct astu_sound s = {.format = format,
                           .channels = channels,
                           .rate = rate,
                           .frames = frames,
                           .freq = ASTU_TONE_HZ,
                           .amp = 0.5};
    return astu_write(path, &s);
}

/* Reads the source to its end, ASTU_READ_PIECE samples at a time. Returns the status of the
 * last read; *out (the caller frees) receives *n samples. */
static inline int astu_read_all(arvis_source *s, int16_t **out, size_t *n, arvis_error *err)
{
    size_t cap = ASTU_READ_PIECE, len = 0;
    int16_t *x = malloc(cap * sizeof *x);
    int rc = ARVIS_OK;
    for (;;) {
        if (cap - len < ASTU_READ_PIECE) {
            cap *= 2;
            x = realloc(x, cap * sizeof *x);
        }
        size_t got = 0;
        rc = arvis_source_read(s, x + len, ASTU_READ_PIECE, &got, err);
        if (rc != ARVIS_OK || got == 0) {
            break;
        }
        len += got;
    }
    *out = x;
    *n = len;
    return rc;
}

/* Opens the file at path as a source at 16 kHz and reads it all; returns the status of the open
 * or of the last read. */
static inline int astu_read_file(const char *path, int16_t **out, size_t *n,
                                 arvis_source_info *info, bool *truncated, arvis_error *err)
{
    arvis_source_options o = {.path = path};
    arvis_source *s = NULL;
    *out = NULL;
    *n = 0;
    int rc = arvis_source_open("file", &o, &s, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    if (info) {
        arvis_source_get_info(s, info);
    }
    rc = astu_read_all(s, out, n, err);
    if (truncated) {
        *truncated = arvis_source_truncated(s);
    }
    arvis_source_close(s);
    return rc;
}

#endif
