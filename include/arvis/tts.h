/* Speech output: text made fit to be read aloud, speech engines (flite, espeak-ng, null) behind
 * one table of operations, the factory with fallback and switching, and the speech queue that
 * speaks a streamed answer sentence by sentence while the rest is still being written. */
#ifndef ARVIS_TTS_H
#define ARVIS_TTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/audio.h"
#include "arvis/config.h"
#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Text for speech ---- */

typedef struct arvis_tts_text_options {
    bool strip_markdown;  /* drop markdown marks, headings, emoji */
    const char *url_word; /* said instead of a bare web address ("link") */
    const char
        *code_block_text; /* said instead of a code block ("code omitted"; "" says nothing) */
} arvis_tts_text_options;

/* The options from the tts.text.* keys of the defaults. */
arvis_tts_text_options arvis_tts_text_default_options(void);

typedef struct arvis_tts_text arvis_tts_text;

/* A cleaner for one stream of text (one answer): it remembers an open ``` block between calls.
 * o (NULL, or NULL strings in it: the defaults) is copied. Code blocks, addresses, links,
 * whitespace and invalid UTF-8 are handled whatever strip_markdown says. ARVIS_E_UTF8 when a
 * string of o is not valid UTF-8. */
int arvis_tts_text_create(const arvis_tts_text_options *o, arvis_tts_text **out);
void arvis_tts_text_destroy(arvis_tts_text *t);

/* Cleans the next piece of the stream (a sentence, say; its start counts as a line start).
 * *out (the caller frees) is what should be read aloud, possibly empty. Invalid UTF-8 is
 * replaced by U+FFFD and then dropped; *out is valid UTF-8 and never longer than 2 * len + 64
 * bytes (cut at a character beyond that). */
int arvis_tts_text_feed(arvis_tts_text *t, const char *text, size_t len, char **out);

/* One-shot form of the above for a whole text. */
int arvis_tts_text_prepare(const char *text, size_t len, const arvis_tts_text_options *o,
                           char **out);

typedef enum arvis_script {
    ARVIS_SCRIPT_NONE, /* no letters at all (digits and punctuation only, or empty) */
    ARVIS_SCRIPT_LATIN,
    ARVIS_SCRIPT_CYRILLIC,
    ARVIS_SCRIPT_GREEK,
    ARVIS_SCRIPT_OTHER, /* letters of some other script (CJK, Arabic, ...) */
} arvis_script;

/* The script most letters of the text are written in. */
arvis_script arvis_tts_text_script(const char *text, size_t len);
const char *arvis_script_name(arvis_script s);

/* ---- Engines ---- */

typedef enum arvis_tts_state {
    ARVIS_TTS_IDLE,
    ARVIS_TTS_INITIALIZING,
    ARVIS_TTS_READY,
    ARVIS_TTS_SPEAKING,
    ARVIS_TTS_ERROR,
} arvis_tts_state;

const char *arvis_tts_state_name(arvis_tts_state s);

typedef struct arvis_tts_voice {
    char name[64];
    char language[32]; /* such as "en-us" or "ru" */
    char description[128];
} arvis_tts_voice;

/* Audio as the engine makes it: signed 16-bit mono at `rate`. Return false to stop synthesis. */
typedef bool (*arvis_pcm_cb)(const int16_t *pcm, size_t n, int rate, void *ud);

typedef struct arvis_tts_engine arvis_tts_engine;

/* Names of the engines this build has, NULL-terminated ("flite", "espeak-ng", "null"). */
const char *const *arvis_tts_engine_names(void);

/* One line saying what the engine is. NULL for an unknown name. */
const char *arvis_tts_engine_describe(const char *name);

/* The voices an engine offers (*voices the caller frees). ARVIS_E_NOTFOUND for an unknown
 * engine, with the known ones in err. */
int arvis_tts_engine_voices(const char *name, arvis_tts_voice **voices, size_t *n,
                            arvis_error *err);

/* Checks the engine's config section (tts.<name>) beyond the schema: the voice exists, say. */
int arvis_tts_engine_validate(const char *name, const arvis_config *cfg, arvis_error *err);

/* Creates the engine `name` from its section tts.<name> of cfg (cfg may be freed afterwards).
 * voice, when not NULL, overrides the section's voice. The state goes INITIALIZING -> READY, or
 * the call fails (ARVIS_E_NOTFOUND for an unknown engine or voice, listing what exists). */
int arvis_tts_engine_create(const char *name, const arvis_config *cfg, const char *voice,
                            arvis_tts_engine **out, arvis_error *err);
void arvis_tts_engine_destroy(arvis_tts_engine *e);

/* Speaks text (already cleaned for speech) into cb on this thread, blocking until done, stopped
 * by cb or cancelled (ARVIS_E_CANCELLED). State: READY -> SPEAKING -> READY (ERROR when the
 * engine broke). Text in a script the voice cannot read is ARVIS_E_INVAL, with a message naming
 * an engine that can read it. Empty text gives no audio. */
int arvis_tts_engine_synth(arvis_tts_engine *e, const char *text, arvis_pcm_cb cb, void *ud,
                           arvis_error *err);

/* Stops the synthesis under way within one chunk. Any thread. A cancel while idle is
 * forgotten. */
void arvis_tts_engine_cancel(arvis_tts_engine *e);

/* Synthesises a short phrase into memory, silently, and checks the samples are there and not
 * silent (for null: that they are). */
int arvis_tts_engine_health(arvis_tts_engine *e, arvis_error *err);

arvis_tts_state arvis_tts_engine_state(const arvis_tts_engine *e);
const char *arvis_tts_engine_name(const arvis_tts_engine *e);
const char *arvis_tts_engine_voice(const arvis_tts_engine *e);
int arvis_tts_engine_rate(const arvis_tts_engine *e);

/* The engine's status as a JSON object (name, voice, rate, state, last error). */
struct cJSON *arvis_tts_engine_status(const arvis_tts_engine *e);

/* ---- The factory: the configured engine, its fallbacks, and switching ---- */

typedef enum arvis_tts_event_kind {
    ARVIS_TTS_FALLBACK,      /* an engine failed; `to` is used instead */
    ARVIS_TTS_SWITCHED,      /* a switch asked for succeeded */
    ARVIS_TTS_SWITCH_FAILED, /* a switch failed; `from` stays in use */
} arvis_tts_event_kind;

typedef struct arvis_tts_event {
    arvis_tts_event_kind kind;
    const char *from; /* the engine before (NULL at start) */
    const char *to;   /* the engine after */
    const char *why;  /* one sentence */
} arvis_tts_event;

typedef void (*arvis_tts_event_cb)(const arvis_tts_event *ev, void *ud);

typedef struct arvis_tts arvis_tts;

/* Creates tts.engine and keeps it when it passes its health check; else tries tts.fallback in
 * order, emitting a FALLBACK event for each engine skipped. An `engine` or `voice` given (not
 * NULL) means that engine only, without fallback and without a health check: with nothing to
 * fall back on, the first sentence tells as much as a test phrase. Fails with the last
 * engine's error when none works. cb runs on this thread. cfg must outlive the result. */
int arvis_tts_create(const arvis_config *cfg, const char *engine, const char *voice,
                     arvis_tts_event_cb cb, void *ud, arvis_tts **out, arvis_error *err);
void arvis_tts_destroy(arvis_tts *t);

/* Switches to engine `name` (voice may be NULL). The old engine stays in use when the new one
 * fails to start or its health check; either way an event says what happened. Waits for a
 * sentence being synthesised to end. */
int arvis_tts_switch(arvis_tts *t, const char *name, const char *voice, arvis_error *err);

/* The engine in use; valid until the next switch. */
arvis_tts_engine *arvis_tts_engine_in_use(arvis_tts *t);

/* Speaks text with the engine in use (as arvis_tts_engine_synth); a switch waits for it. */
int arvis_tts_synth(arvis_tts *t, const char *text, arvis_pcm_cb cb, void *ud, arvis_error *err);

/* Stops the synthesis under way, if any (as arvis_tts_engine_cancel). Any thread. */
void arvis_tts_cancel(arvis_tts *t);

/* True when the engine in use is not the one asked for. */
bool arvis_tts_fell_back(const arvis_tts *t);

/* ---- Speaking: sentences -> synthesis thread -> playback queue ---- */

typedef struct arvis_speech_stats {
    double first_audio_ms; /* first sentence queued -> its first samples reached the sink */
    double synth_ms;       /* time spent in synthesis */
    double audio_ms;       /* length of the audio made */
    double rtf;            /* synth_ms / audio_ms; -1 when no audio */
    size_t sentences;      /* sentences queued */
    size_t spoken;         /* sentences whose audio was all handed to the sink */
    size_t chars;          /* characters synthesised */
} arvis_speech_stats;

typedef struct arvis_speech arvis_speech;

/* A speech queue on its own synthesis thread, feeding a playback queue it creates from po (its
 * events are passed on to po->cb after the speech queue has seen them). tts must outlive it.
 * At most tts.max_queue sentences wait; arvis_speech_say blocks beyond that. */
int arvis_speech_create(arvis_tts *tts, const arvis_playback_options *po, const arvis_config *cfg,
                        arvis_speech **out, arvis_error *err);

/* The playback queue it feeds (for pause and resume). */
arvis_playback *arvis_speech_playback(arvis_speech *sp);

/* Stops (as arvis_speech_cancel), joins the thread and closes the playback queue. With keep a
 * file sink's file is completed and moved into place, else it is dropped and any earlier file at
 * its path left alone. Returns the sink's close status. NULL is allowed. */
int arvis_speech_destroy(arvis_speech *sp, bool keep, arvis_error *err);

/* Queues one sentence (cleaned for speech on the synthesis thread). Any thread. */
int arvis_speech_say(arvis_speech *sp, const char *text, size_t len);

/* Queues a sentence of a streamed answer as tts.mode says: realtime speaks an early clause at
 * once, sentence_by_sentence joins it to the rest of its sentence first, after_complete holds
 * everything until arvis_speech_finish. */
int arvis_speech_add(arvis_speech *sp, const char *text, size_t len, bool early);

/* Marks the end of the answer and blocks until all of it has been played (or a cancel).
 * Returns the first synthesis or playback error, else ARVIS_OK (ARVIS_E_CANCELLED when
 * cancelled). */
int arvis_speech_finish(arvis_speech *sp, arvis_error *err);

/* Stops synthesis and playback together and drops what waits. Any thread; returns within
 * ~50 ms. The answer is over: say, add and finish return ARVIS_E_CANCELLED until
 * arvis_speech_reset starts the next one. */
void arvis_speech_cancel(arvis_speech *sp);

/* The text actually spoken so far in this answer: the sentences whose audio reached the sink
 * completely (the caller frees). */
char *arvis_speech_spoken(arvis_speech *sp);

/* Measurements of the answer so far. */
void arvis_speech_get_stats(arvis_speech *sp, arvis_speech_stats *st);

/* Forgets the spoken text, the figures and a cancel, for the next answer. */
void arvis_speech_reset(arvis_speech *sp);

#ifdef __cplusplus
}
#endif

#endif
