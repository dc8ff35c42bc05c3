/* The assistant core: one turn pipeline for typed and spoken requests (transcribe, route to a
 * skill or the language model, speak the answer while it is written), its states and events,
 * the live loop with the wake phrase, and transcription of a whole recording. */
#ifndef ARVIS_ASSISTANT_H
#define ARVIS_ASSISTANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/audio.h"
#include "arvis/config.h"
#include "arvis/error.h"
#include "arvis/llm.h"
#include "arvis/stt.h"
#include "arvis/tts.h"

#ifdef __cplusplus
extern "C" {
#endif

struct arvis_notify;
struct arvis_metrics;
struct arvis_audit;

typedef enum arvis_state {
    ARVIS_STATE_IDLE,
    ARVIS_STATE_LISTENING,    /* speech is being heard */
    ARVIS_STATE_TRANSCRIBING, /* the recogniser finishes the utterance */
    ARVIS_STATE_THINKING,     /* a skill or the language model works on the answer */
    ARVIS_STATE_SPEAKING,     /* the answer is being played */
    ARVIS_STATE_ERROR,        /* the turn failed; the next turn starts from here */
} arvis_state;

/* "idle", "listening", "transcribing", "thinking", "speaking", "error". */
const char *arvis_state_name(arvis_state s);

typedef enum arvis_event_kind {
    ARVIS_EVENT_STATE,      /* state changed to ev->state */
    ARVIS_EVENT_WAKE,       /* the wake phrase was heard */
    ARVIS_EVENT_PARTIAL,    /* text: the recogniser's guess so far */
    ARVIS_EVENT_TRANSCRIPT, /* text: the final transcript of a spoken request */
    ARVIS_EVENT_TOKEN,      /* text: a piece of the answer as written */
    ARVIS_EVENT_SENTENCE,   /* text: a sentence of the answer, on its way to be spoken */
    ARVIS_EVENT_AUDIO,      /* the first audio of the answer reached the sink */
    ARVIS_EVENT_ERROR,      /* text: what went wrong and what to do; code: the status */
    ARVIS_EVENT_NOTICE,     /* text: something the user should know (a refused request...) */
    ARVIS_EVENT_TURN_END,   /* the turn is over; stats holds its figures */
} arvis_event_kind;

/* "state", "wake", "partial", "transcript", "token", "sentence", "audio", "error", "notice",
 * "turn_end". */
const char *arvis_event_kind_name(arvis_event_kind k);

/* Figures of one turn. Times in ms from the end of speech (the last sample of the request was
 * heard) for spoken requests, from the submission for typed ones; -1 when it did not happen. */
typedef struct arvis_turn_stats {
    double audio_s;               /* length of the spoken request */
    double stt_ms;                /* recognition time spent in all */
    double stt_rtf;               /* stt_ms / audio length; -1 for typed requests */
    size_t words;                 /* words recognised in the spoken request */
    double transcript_ms;         /* -> transcript */
    double first_token_ms;        /* -> first piece of the answer */
    double first_sentence_ms;     /* -> first whole sentence */
    double first_audio_ms;        /* -> its first audio at the sink */
    double total_ms;              /* -> everything spoken */
    double llm_first_sentence_ms; /* the language model's own time to its first sentence */
    const char *answered_by;      /* static: "skill", "llm", "error", "wake" (the wake phrase
                                     alone, acknowledged) or "none" */
    const char *skill;            /* static: the skill that answered, or NULL */
    bool cancelled;
    arvis_llm_stats llm; /* when answered by the language model */
    arvis_speech_stats speech;
} arvis_turn_stats;

typedef struct arvis_event {
    arvis_event_kind kind;
    uint64_t turn;     /* the turn it belongs to (0: none) */
    arvis_state state; /* STATE: the new state */
    const char *text;  /* not NUL-terminated: len bytes */
    size_t len;
    int code;                      /* ERROR: the status */
    const arvis_turn_stats *stats; /* TURN_END */
    const char *request;           /* TURN_END: the request text (transcript or typed) */
    const char *answer;            /* TURN_END: the whole answer */
} arvis_event;

/* Called on the assistant's threads (the turn worker, the synthesis and playback threads, or
 * the thread running the live loop); must return quickly and not call back into the assistant.
 * (A cancel from the playback thread, where AUDIO and the SPEAKING state come from, would wait
 * for that very thread: cancel from another one.) */
typedef void (*arvis_event_cb)(const arvis_event *ev, void *ud);

typedef struct arvis_assistant_options {
    const arvis_config *cfg;         /* must outlive the assistant */
    bool hear;                       /* start the recogniser (spoken requests) */
    bool speak;                      /* start speech output */
    bool use_history;                /* load and save the conversation */
    const char *stt_engine;          /* NULL: stt.engine */
    const char *tts_engine;          /* NULL: tts.engine and its fallbacks */
    const char *tts_voice;           /* NULL: the engine's configured voice */
    arvis_playback_options playback; /* where speech goes (its cb also gets playback events) */
    arvis_event_cb cb;
    void *ud;
    /* Where the assistant reports (each may be NULL; they must outlive it): model failures,
     * engine fallbacks, storage problems and health changes become notifications; every turn
     * records its figures in the registry. */
    struct arvis_notify *notify;
    struct arvis_metrics *metrics;
    struct arvis_audit *audit; /* the health monitor's audit trail */
    bool health_monitor;       /* recheck every health.interval and notify changes */
} arvis_assistant_options;

typedef struct arvis_assistant arvis_assistant;

/* Starts the components the options ask for and the turn worker thread. The language model
 * server need not run: its absence is found at the first question that needs it, and said. */
int arvis_assistant_create(const arvis_assistant_options *o, arvis_assistant **out,
                           arvis_error *err);

/* Cancels what runs, drops what waits, joins the worker and stops every component. */
void arvis_assistant_destroy(arvis_assistant *a);

/* Queues a typed request. With assistant.busy_policy "refuse" a request while another runs is
 * refused (ARVIS_E_STATE, err says so, and a NOTICE event tells the frontends); with "queue" it
 * waits, up to assistant.queue_max (beyond: ARVIS_E_TOOBIG, refused in words). *turn gets its
 * number (may be NULL). */
int arvis_assistant_submit_text(arvis_assistant *a, const char *text, uint64_t *turn,
                                arvis_error *err);

/* Queues a spoken request: n samples at ARVIS_STT_RATE (copied). audio_end_ns is the monotonic
 * time the end of speech was heard (0: now). Needs options.hear. */
int arvis_assistant_submit_audio(arvis_assistant *a, const int16_t *pcm, size_t n,
                                 uint64_t audio_end_ns, uint64_t *turn, arvis_error *err);

/* Timers running now (set by the timer skill); they ring only while the assistant runs. */
size_t arvis_assistant_active_timers(arvis_assistant *a);

/* Cancels the turn under way in any state and, with all, the queued ones (each ends with a
 * cancelled TURN_END from the worker, after the turn under way). Any thread. */
void arvis_assistant_cancel(arvis_assistant *a, bool all);

/* Blocks until no turn runs or waits. */
void arvis_assistant_wait_idle(arvis_assistant *a);

arvis_state arvis_assistant_state(arvis_assistant *a);

/* Says a sentence outside any turn (a timer, a notification): spoken after the answer being
 * spoken, never over it. */
int arvis_assistant_announce(arvis_assistant *a, const char *text, arvis_error *err);

/* Plays a short sound cue for a notification of level (higher levels sound higher and longer)
 * after what is queued for playback. ARVIS_E_STATE without speech output. */
int arvis_assistant_cue(arvis_assistant *a, int level, arvis_error *err);

/* One or two sentences on the engines in use and their state (the assistant status skill);
 * the caller frees. */
char *arvis_assistant_describe(arvis_assistant *a);

/* The components, for frontends that show or check them (NULL when not started). */
arvis_stt *arvis_assistant_stt(arvis_assistant *a);
arvis_tts *arvis_assistant_tts(arvis_assistant *a);
arvis_llm *arvis_assistant_llm(arvis_assistant *a);

/* Records one model answer's figures (time to first token, tokens per second ours and the
 * server's, tokens, an error or a cancel) in reg, for frontends that ask the model without a
 * whole turn (chat). reg NULL does nothing. */
int arvis_record_llm_answer(struct arvis_metrics *reg, const arvis_llm_stats *s, bool error,
                            bool cancelled, arvis_error *err);

/* ---- The live loop ---- */

typedef struct arvis_live_options {
    bool wake;           /* wait for the wake phrase (wake.enabled) before each request */
    bool live;           /* the source is a microphone: while Arvis speaks, audio is muted or
                            the wake threshold raised (wake.during_playback); a recording is
                            instead read on only once the turn it started is over */
    size_t max_requests; /* stop after this many requests (0: until the source ends) */
} arvis_live_options;

/* Hears requests from src until it ends, arvis_assistant_stop_live is called or max_requests
 * were handled: wake phrase (when asked), then the utterance up to its trailing silence, then
 * a turn. Blocks on the calling thread. Returns ARVIS_OK at the end of the source. */
int arvis_assistant_live(arvis_assistant *a, arvis_source *src, const arvis_live_options *o,
                         arvis_error *err);

/* Makes arvis_assistant_live return soon (ARVIS_E_CANCELLED). Any thread. */
void arvis_assistant_stop_live(arvis_assistant *a);

/* ---- Transcribing a recording ---- */

/* Called for each utterance found: its result and where it was in the recording (seconds). */
typedef void (*arvis_utterance_cb)(const arvis_stt_result *r, double start_s, double end_s,
                                   void *ud);

typedef struct arvis_transcript_stats {
    double audio_s;    /* length of the recording */
    double elapsed_ms; /* reading, detecting and recognising, in all */
    double stt_ms;     /* recognising only */
    size_t utterances;
    size_t words;
} arvis_transcript_stats;

/* Reads src to its end, splits it into utterances with the VAD (vo) and recognises each with
 * stt, in bounded memory. *text (may be NULL; the caller frees) gets all transcripts joined by
 * spaces. */
int arvis_transcribe(arvis_stt *stt, arvis_source *src, const arvis_vad_options *vo,
                     arvis_utterance_cb cb, void *ud, char **text, arvis_transcript_stats *st,
                     arvis_error *err);

#ifdef __cplusplus
}
#endif

#endif
