/* Shared between the files of the TTS subsystem: the table of operations every speech engine
 * defines, the registry that lists them, and what the engines have in common. */
#ifndef ARVIS_TTS_INTERNAL_H
#define ARVIS_TTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/config.h"
#include "arvis/error.h"
#include "arvis/tts.h"

/* One speech engine: one file defines one of these and nothing else public. */
struct tts_engine_ops {
    const char *name;
    const char *description;
    /* The voices it offers; *v (the caller frees) holds *n of them. */
    int (*voices)(arvis_tts_voice **v, size_t *n, arvis_error *err);
    /* Starts it with its section tts.<name> of cfg; voice (may be NULL) overrides the section's.
     * *state belongs to the engine until destroy. */
    int (*create)(const arvis_config *cfg, const char *voice, void **state, arvis_error *err);
    /* Speaks clean, non-empty UTF-8 text into emit, chunk by chunk, on this thread; stops
     * (ARVIS_E_CANCELLED) as soon as emit returns false. */
    int (*synth)(void *state, const char *text, arvis_pcm_cb emit, void *ctx, arvis_error *err);
    int (*rate)(const void *state);
    const char *(*voice)(const void *state);
    /* The script its voice reads; ARVIS_SCRIPT_OTHER for "any". */
    arvis_script (*script)(const void *state);
    void (*destroy)(void *state);
    bool silent; /* makes silence on purpose (null): its health check expects silence */
};

extern const struct tts_engine_ops tts_null_ops;
#ifdef ARVIS_HAVE_FLITE
extern const struct tts_engine_ops tts_flite_ops;
#endif
#ifdef ARVIS_HAVE_ESPEAK
extern const struct tts_engine_ops tts_espeak_ops;
#endif

/* The engine called name, or NULL (err then lists the engines this build has). */
const struct tts_engine_ops *tts_engine_find(const char *name, arvis_error *err);

/* Finds voice among an engine's voices by name; NULL when it has none such, with err listing
 * (the first few of) those it has. */
const arvis_tts_voice *tts_voice_find(const arvis_tts_voice *v, size_t n, const char *voice,
                                      const char *engine, arvis_error *err);

/* Audio made in one piece sent on in chunks of at most `chunk` samples, so that a stop takes
 * effect within a chunk. Returns false when emit asked to stop. */
bool tts_emit_chunked(const int16_t *pcm, size_t n, int rate, size_t chunk, arvis_pcm_cb emit,
                      void *ctx);

#endif
