/* The null recogniser: hears nothing in any audio, for tests and for machines without a speech
 * model. Every utterance ends with the empty transcript and no words. */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "stt_internal.h"

static int null_create(const arvis_config *cfg, void **state, arvis_error *err)
{
    (void)cfg;
    (void)err;
    *state = NULL; /* nothing to keep */
    return ARVIS_OK;
}

static int null_start(void *state, arvis_error *err)
{
    (void)state;
    (void)err;
    return ARVIS_OK;
}

static int null_feed(void *state, const int16_t *pcm, size_t n, arvis_error *err)
{
    (void)state;
    (void)pcm;
    (void)n;
    (void)err;
    return ARVIS_OK;
}

static char *null_partial(void *state)
{
    (void)state;
    return NULL;
}

static int null_finish(void *state, arvis_stt_result *r, arvis_error *err)
{
    (void)state;
    (void)r;
    (void)err;
    return ARVIS_OK;
}

static void null_status(const void *state, cJSON *o)
{
    (void)state;
    (void)o;
}

static void null_destroy(void *state)
{
    (void)state;
}

const struct stt_engine_ops stt_null_ops = {
    .name = "null",
    .description = "recognises nothing (an empty transcript), for tests and machines without a "
                   "speech model",
    .create = null_create,
    .start = null_start,
    .feed = null_feed,
    .partial = null_partial,
    .finish = null_finish,
    .status = null_status,
    .destroy = null_destroy,
};
