/* Speech input: recognisers (pocketsphinx, null) behind one interface, the voice activity
 * detector that finds where an utterance starts and ends, and the wake phrase spotter. */
#ifndef ARVIS_STT_H
#define ARVIS_STT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/config.h"
#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

/* Every recogniser, the VAD and the wake spotter take signed 16-bit mono PCM at this rate. */
#define ARVIS_STT_RATE 16000

/* ---- Recognisers ---- */

typedef struct arvis_stt_word {
    char *word;        /* as the dictionary spells it, without pronunciation variants "(2)" */
    double start_s;    /* from the start of the utterance */
    double end_s;      /* end of its last frame */
    double confidence; /* 0 to 1 (posterior probability), or -1 when the engine has none */
} arvis_stt_word;

/* A recognised utterance; arvis_stt_result_free frees it and everything in it. */
typedef struct arvis_stt_result {
    char *text;            /* words separated by single spaces; "" when nothing was recognised */
    arvis_stt_word *words; /* fillers and silences left out */
    size_t n_words;
    double audio_s;   /* length of the audio fed */
    double elapsed_s; /* time spent recognising (feed and finish), monotonic clock */
} arvis_stt_result;

void arvis_stt_result_free(arvis_stt_result *r);

/* Names of the recognisers this build has, NULL-terminated ("pocketsphinx", "null"). */
const char *const *arvis_stt_engine_names(void);

/* One line describing an engine, or NULL for an unknown name. */
const char *arvis_stt_engine_describe(const char *name);

typedef struct arvis_stt arvis_stt;

/* The cheap check of a recogniser (NULL: stt.engine): what it needs, its model files, is there
 * and readable, without loading it. Errors as arvis_stt_create's for missing files. */
int arvis_stt_engine_check(const arvis_config *cfg, const char *engine, arvis_error *err);

/* Starts the recogniser `engine` (NULL for stt.engine) with its section stt.<engine>. A model
 * folder that is missing gives ARVIS_E_UNAVAILABLE, and err names the Debian package to install;
 * an unknown engine gives ARVIS_E_NOTFOUND, err listing the known ones; a grammar or word that
 * cannot be used gives ARVIS_E_INVAL naming it. Loading takes a while (pocketsphinx: ~0.3 s). */
int arvis_stt_create(const arvis_config *cfg, const char *engine, arvis_stt **out,
                     arvis_error *err);
void arvis_stt_destroy(arvis_stt *s);

/* Begins an utterance (ending any that was going on without a result). */
int arvis_stt_start(arvis_stt *s, arvis_error *err);

/* Right after arvis_stt_start, for an utterance that begins with speech at once (a recording
 * cut at its first word): gives the recogniser `seconds` of silence first, as the pre-roll would
 * have, since it hears a first word better after a moment of quiet. The result's word times and
 * audio length leave it out. */
int arvis_stt_lead_in(arvis_stt *s, double seconds, arvis_error *err);

/* Feeds n samples at ARVIS_STT_RATE to the utterance; returns ARVIS_E_CANCELLED once
 * arvis_stt_cancel was called (until the next start). */
int arvis_stt_feed(arvis_stt *s, const int16_t *pcm, size_t n, arvis_error *err);

/* The best guess so far for the utterance, or NULL when there is none yet; the caller frees.
 * Cheap enough to call every few hundred milliseconds. */
char *arvis_stt_partial(arvis_stt *s);

/* Ends the utterance and returns its result (*out, the caller frees with arvis_stt_result_free). */
int arvis_stt_finish(arvis_stt *s, arvis_stt_result **out, arvis_error *err);

/* Asks a feed or finish in progress on another thread to stop soon. Any thread. */
void arvis_stt_cancel(arvis_stt *s);

/* Recognises a whole utterance held in memory: start, feed, finish. */
int arvis_stt_recognize(arvis_stt *s, const int16_t *pcm, size_t n, arvis_stt_result **out,
                        arvis_error *err);

/* A silent check that the recogniser works: a short stretch of synthetic audio goes through a
 * whole utterance without an error. */
int arvis_stt_health(arvis_stt *s, arvis_error *err);

const char *arvis_stt_name(const arvis_stt *s);

/* What the recogniser runs with, as a JSON object the caller frees with cJSON_Delete: engine,
 * model folder, dictionary, language model or grammar, custom words. */
struct cJSON *arvis_stt_status(const arvis_stt *s);

/* ---- Voice activity detection ---- */

typedef struct arvis_vad_options {
    int rate;                /* of the samples fed; 0 for ARVIS_STT_RATE */
    int trailing_silence_ms; /* silence that ends an utterance (stt.vad.trailing_silence_ms) */
    int max_utterance_ms;    /* an utterance is cut at this length (stt.vad.max_utterance_ms) */
    int min_speech_ms;       /* shorter sound is not speech (stt.vad.min_speech_ms) */
} arvis_vad_options;

/* The options from the stt.vad section. */
arvis_vad_options arvis_vad_options_from_config(const arvis_config *cfg);

typedef enum arvis_vad_event_kind {
    ARVIS_VAD_START, /* speech began at `sample` (a little before it was sure: pre-roll) */
    ARVIS_VAD_END,   /* speech ended at `sample`, after the trailing silence */
    ARVIS_VAD_CUT,   /* the utterance reached max_utterance_ms and was ended at `sample` */
} arvis_vad_event_kind;

typedef struct arvis_vad_event {
    arvis_vad_event_kind kind;
    uint64_t sample; /* position in the whole stream fed so far, in samples */
} arvis_vad_event;

typedef struct arvis_vad arvis_vad;

int arvis_vad_create(const arvis_vad_options *o, arvis_vad **out, arvis_error *err);
void arvis_vad_destroy(arvis_vad *v);

/* Feeds n samples; events found in them are written to ev (at most max_ev; the rest are kept for
 * the next call) and counted in *n_ev. Deterministic: the same samples give the same events.
 * A START is put 250 ms (pre-roll) before the first loud frame, itself min_speech_ms or a little
 * more before the samples that made the detector sure, or before the sound just ahead of it that
 * the floor shows was speech (the look-back, at most 1.5 s): a caller keeps 1.75 s plus
 * min_speech_ms of audio (the live loop keeps 2 s, a transcription 4 s). A call
 * with n 0 only collects kept events; with more than 4096 kept, a call with samples is refused
 * (ARVIS_E_TOOBIG) until they are collected. */
int arvis_vad_feed(arvis_vad *v, const int16_t *pcm, size_t n, arvis_vad_event *ev, size_t max_ev,
                   size_t *n_ev);

/* Whether the detector is inside an utterance now. */
bool arvis_vad_in_speech(const arvis_vad *v);

/* Forgets everything: the next sample is position 0 again, outside speech. */
void arvis_vad_reset(arvis_vad *v);

/* ---- Wake phrase ---- */

typedef struct arvis_wake arvis_wake;

/* Starts a spotter for wake.phrase with wake.threshold, wake.cooldown_ms and
 * wake.playback_threshold, on the acoustic model and dictionary of stt.pocketsphinx (words of
 * the phrase missing from the dictionary are taken from stt.pocketsphinx.words, else an error
 * names them). ARVIS_E_UNAVAILABLE when this build or machine has no pocketsphinx. */
int arvis_wake_create(const arvis_config *cfg, arvis_wake **out, arvis_error *err);
void arvis_wake_destroy(arvis_wake *w);

/* Feeds n samples at ARVIS_STT_RATE; *heard is set when the phrase was spotted in them (not
 * within the cooldown of the last detection, counted in samples fed, not wall-clock time). */
int arvis_wake_feed(arvis_wake *w, const int16_t *pcm, size_t n, bool *heard, arvis_error *err);

/* While Arvis speaks: true switches to wake.playback_threshold (harder to wake), false back. */
int arvis_wake_set_speaking(arvis_wake *w, bool speaking, arvis_error *err);

/* Forgets the audio heard so far (after a detection, before listening for a request). */
void arvis_wake_reset(arvis_wake *w);

/* The part of a transcript after a leading wake phrase (case and punctuation ignored), or the
 * whole transcript when it does not start with the phrase; "" when it held only the phrase.
 * Returns a pointer into transcript. */
const char *arvis_wake_strip(const char *phrase, const char *transcript);

#ifdef __cplusplus
}
#endif

#endif
