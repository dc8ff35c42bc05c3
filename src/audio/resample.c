/* Sample rate conversion on libsamplerate, streaming: the filter's state is kept between calls,
 * so audio converted chunk by chunk joins up without clicks. Equal rates are a plain copy. */
#include <stdlib.h>
#include <string.h>

#include <samplerate.h>

#include "arvis/buf.h"
#include "audio_internal.h"

/* SRC_SINC_FASTEST is a band-limited sinc filter (97 dB signal-to-noise, 80 % of the band kept):
 * beyond what 16-bit speech holds, and it converts speech hundreds of times faster than real
 * time on one core. The linear and zero-order-hold converters are faster still but alias
 * audibly (a whistle over the voice); the medium and best sinc converters cost several times as
 * much for detail no one hears in speech. */
static const int CONVERTER = SRC_SINC_FASTEST;

enum {
    BLOCK_IN = 4096,      /* input samples converted at once */
    BLOCK_OUT_SLACK = 64, /* output room beyond the ratio, for the filter's rounding */
};

struct arvis_resampler {
    SRC_STATE *src; /* NULL when the rates are equal */
    double ratio;
    size_t out_cap; /* output samples per block */
    float in[BLOCK_IN];
    float *out;
    int16_t *out16;
};

static bool rate_ok(int rate)
{
    return rate >= AUDIO_RATE_MIN && rate <= AUDIO_RATE_MAX;
}

int arvis_resampler_create(int from_rate, int to_rate, arvis_resampler **out, arvis_error *err)
{
    *out = NULL;
    if (!rate_ok(from_rate) || !rate_ok(to_rate)) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "cannot convert %d Hz to %d Hz: rates go from %d to %d Hz",
                               from_rate, to_rate, AUDIO_RATE_MIN, AUDIO_RATE_MAX);
    }
    arvis_resampler *r = calloc(1, sizeof *r);
    if (!r) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    r->ratio = (double)to_rate / from_rate;
    if (from_rate != to_rate) {
        int e = 0;
        r->src = src_new(CONVERTER, 1, &e);
        r->out_cap = (size_t)(BLOCK_IN * r->ratio) + BLOCK_OUT_SLACK;
        r->out = malloc(r->out_cap * sizeof *r->out);
        r->out16 = malloc(r->out_cap * sizeof *r->out16);
        if (!r->src || !r->out || !r->out16) {
            arvis_resampler_destroy(r);
            return arvis_error_set(err, ARVIS_E_NOMEM, "cannot start the rate converter: %s",
                                   e ? src_strerror(e) : "out of memory");
        }
    }
    *out = r;
    return ARVIS_OK;
}

void arvis_resampler_destroy(arvis_resampler *r)
{
    if (!r) {
        return;
    }
    if (r->src) {
        src_delete(r->src);
    }
    free(r->out);
    free(r->out16);
    free(r);
}

static int copy_samples(const int16_t *in, size_t n, int16_t **out, size_t *out_n, arvis_error *err)
{
    if (n == 0) {
        return ARVIS_OK;
    }
    int16_t *copy = malloc(n * sizeof *copy);
    if (!copy) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    memcpy(copy, in, n * sizeof *copy);
    *out = copy;
    *out_n = n;
    return ARVIS_OK;
}

/* Runs blocks of input through the filter into b; with last, until the filter is empty. */
static int convert(arvis_resampler *r, const int16_t *in, size_t n, bool last, arvis_buf *b,
                   arvis_error *err)
{
    size_t done = 0;
    for (;;) {
        size_t take = n - done < BLOCK_IN ? n - done : BLOCK_IN;
        if (take > 0) {
            src_short_to_float_array(in + done, r->in, (int)take);
        }
        SRC_DATA d = {
            .data_in = r->in,
            .data_out = r->out,
            .input_frames = (long)take,
            .output_frames = (long)r->out_cap,
            .end_of_input = last && done + take == n,
            .src_ratio = r->ratio,
        };
        int e = src_process(r->src, &d);
        if (e != 0) {
            return arvis_error_set(err, ARVIS_E_IO, "rate conversion failed: %s", src_strerror(e));
        }
        src_float_to_short_array(r->out, r->out16, (int)d.output_frames_gen);
        int rc = arvis_buf_add(b, r->out16, (size_t)d.output_frames_gen * sizeof *r->out16);
        if (rc != ARVIS_OK) {
            return arvis_error_set(err, rc, "rate conversion: out of memory");
        }
        done += (size_t)d.input_frames_used;
        if (done == n && (!d.end_of_input || d.output_frames_gen == 0)) {
            return ARVIS_OK;
        }
        if (d.input_frames_used == 0 && d.output_frames_gen == 0) {
            return arvis_error_set(err, ARVIS_E_IO, "rate conversion made no progress");
        }
    }
}

int arvis_resample(arvis_resampler *r, const int16_t *in, size_t n, bool last, int16_t **out,
                   size_t *out_n, arvis_error *err)
{
    *out = NULL;
    *out_n = 0;
    if (!r->src) {
        return copy_samples(in, n, out, out_n, err);
    }
    if (n == 0 && !last) {
        return ARVIS_OK;
    }
    arvis_buf b;
    arvis_buf_init(&b, ((size_t)((double)n * r->ratio) + 2 * r->out_cap) * sizeof(int16_t));
    int rc = convert(r, in, n, last, &b, err);
    if (last) {
        src_reset(r->src); /* the next call starts a new stream */
    }
    if (rc != ARVIS_OK || b.len == 0) {
        arvis_buf_free(&b);
        return rc;
    }
    *out_n = b.len / sizeof(int16_t);
    *out = (int16_t *)(void *)arvis_buf_take(&b);
    if (!*out) {
        *out_n = 0;
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    return ARVIS_OK;
}
