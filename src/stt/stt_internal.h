/* Shared between the files of the STT subsystem: the table of operations every recogniser
 * defines, the registry that lists them, and the helpers that build a result. */
#ifndef ARVIS_STT_INTERNAL_H
#define ARVIS_STT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/config.h"
#include "arvis/error.h"
#include "arvis/stt.h"

struct cJSON;

/* One recogniser: one file defines one of these and nothing else public. engine.c calls the
 * work functions one at a time (under its lock) and only in order: start, feed..., finish. */
struct stt_engine_ops {
    const char *name;
    const char *description;
    /* Starts it with its section stt.<name> of cfg; *state belongs to the engine until destroy. */
    int (*create)(const arvis_config *cfg, void **state, arvis_error *err);
    /* Begins an utterance; one that was going on is dropped first. */
    int (*start)(void *state, arvis_error *err);
    /* Decodes n samples (at most a slice of ~100 ms: engine.c cuts bigger buffers). */
    int (*feed)(void *state, const int16_t *pcm, size_t n, arvis_error *err);
    /* The best guess so far, or NULL when there is none; the caller frees. */
    char *(*partial)(void *state);
    /* Ends the utterance and adds its words to r (stt_result_add_word); engine.c fills the text
     * from them and the figures. */
    int (*finish)(void *state, arvis_stt_result *r, arvis_error *err);
    /* The cheap check: what it needs (model files) is there and readable, without loading it;
     * NULL when there is nothing to check. */
    int (*check)(const arvis_config *cfg, arvis_error *err);
    /* Adds what it runs with (model, dictionary, ...) to the status object o. */
    void (*status)(const void *state, struct cJSON *o);
    void (*destroy)(void *state);
};

extern const struct stt_engine_ops stt_null_ops;
#ifdef ARVIS_HAVE_POCKETSPHINX
extern const struct stt_engine_ops stt_pocketsphinx_ops;
#endif

/* The recogniser called name, or NULL (err then lists the ones this build has). */
const struct stt_engine_ops *stt_engine_find(const char *name, arvis_error *err);

/* Appends a word to r, copying the first len bytes of word. ARVIS_E_NOMEM when memory runs out. */
int stt_result_add_word(arvis_stt_result *r, const char *word, size_t len, double start_s,
                        double end_s, double confidence);

#endif
