/* The "null" sink: takes any audio at once and keeps none of it (sink.c counts the samples).
 * The last resort of every fallback list, and the sink tests and benchmarks play into. */
#include "audio_internal.h"

static int null_open(const arvis_sink_options *o, void **state, arvis_error *err)
{
    (void)o;
    (void)err;
    *state = NULL;
    return ARVIS_OK;
}

static int null_write(void *state, const int16_t *pcm, size_t n, const atomic_bool *cancel,
                      arvis_error *err)
{
    (void)state;
    (void)pcm;
    (void)n;
    (void)cancel;
    (void)err;
    return ARVIS_OK;
}

static int null_nothing(void *state, arvis_error *err)
{
    (void)state;
    (void)err;
    return ARVIS_OK;
}

static void null_abort(void *state)
{
    (void)state;
}

const struct audio_sink_ops audio_sink_null_ops = {
    .name = "null",
    .open = null_open,
    .write = null_write,
    .drain = null_nothing,
    .flush = null_nothing,
    .close = null_nothing,
    .abort = null_abort,
};
