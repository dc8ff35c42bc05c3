/* The null speech engine: silence as long as the text would take to say, for tests and for
 * machines without sound. It reads any script. */
#include <stdlib.h>
#include <string.h>

#include "arvis/utf8.h"
#include "tts_internal.h"

enum {
    NULL_CHUNK_MS = 20, /* silence goes out in pieces this long, so a stop is quick */
};

struct null_tts {
    int rate;
    double chars_per_second;
};

static int null_voices(arvis_tts_voice **v, size_t *n, arvis_error *err)
{
    *v = calloc(1, sizeof **v);
    if (!*v) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory listing voices");
    }
    strcpy((*v)->name, "silence");
    strcpy((*v)->language, "any");
    strcpy((*v)->description, "silence of the length the text would take to say");
    *n = 1;
    return ARVIS_OK;
}

static int null_create(const arvis_config *cfg, const char *voice, void **state, arvis_error *err)
{
    if (voice && strcmp(voice, "silence") != 0) {
        return arvis_error_set(err, ARVIS_E_NOTFOUND, "null has no voice \"%s\"; it has silence",
                               voice);
    }
    struct null_tts *t = calloc(1, sizeof *t);
    if (!t) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting null");
    }
    t->rate = (int)arvis_config_int(cfg, "tts.null.sample_rate");
    t->chars_per_second = arvis_config_number(cfg, "tts.null.chars_per_second");
    *state = t;
    return ARVIS_OK;
}

static int null_synth(void *state, const char *text, arvis_pcm_cb emit, void *ctx, arvis_error *err)
{
    const struct null_tts *t = state;
    size_t chars = arvis_utf8_length(text, strlen(text));
    size_t total = (size_t)((double)chars / t->chars_per_second * t->rate);
    size_t chunk = (size_t)t->rate * NULL_CHUNK_MS / 1000;
    int16_t *zeros = calloc(chunk, sizeof *zeros);
    if (!zeros) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory speaking");
    }
    int rc = ARVIS_OK;
    for (size_t at = 0; at < total; at += chunk) {
        size_t k = total - at < chunk ? total - at : chunk;
        if (!emit(zeros, k, t->rate, ctx)) {
            rc = ARVIS_E_CANCELLED;
            break;
        }
    }
    free(zeros);
    return rc;
}

static int null_rate(const void *state)
{
    return ((const struct null_tts *)state)->rate;
}

static const char *null_voice(const void *state)
{
    (void)state;
    return "silence";
}

static arvis_script null_script(const void *state)
{
    (void)state;
    return ARVIS_SCRIPT_OTHER;
}

const struct tts_engine_ops tts_null_ops = {
    .name = "null",
    .description = "silence of a plausible length, for tests and machines without sound",
    .voices = null_voices,
    .create = null_create,
    .synth = null_synth,
    .rate = null_rate,
    .voice = null_voice,
    .script = null_script,
    .destroy = free,
    .silent = true,
};
