/* Shared by the files of the assistant core: the assistant's parts, its request queue and the
 * turn under way. Only src/assistant/ includes this. */
#ifndef ARVIS_ASSISTANT_INTERNAL_H
#define ARVIS_ASSISTANT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "arvis/arvis.h"
#include "arvis/assistant.h"

/* Samples fed to the recogniser at once: a cancel is seen within this much audio. */
#define ASSISTANT_FEED_SAMPLES (ARVIS_STT_RATE / 10)
/* Audio between two partial transcripts. */
#define ASSISTANT_PARTIAL_SAMPLES (ARVIS_STT_RATE / 2)
/* Silence given to the recogniser before an utterance that starts with the stream (no pre-roll
 * of quiet before its first word). */
#define ASSISTANT_LEAD_IN_S 0.1
/* Longest typed request, bytes. */
#define ASSISTANT_TEXT_MAX (64 * 1024)

/* A request waiting for the worker. */
struct request {
    struct request *next;
    uint64_t turn;
    uint64_t submitted_ns; /* typed: submission; spoken: end of speech */
    char *text;            /* typed request or announcement, or NULL */
    int16_t *pcm;          /* spoken request, or NULL */
    size_t n;
    bool announce;    /* text is said as it is, outside any turn */
    bool strip_wake;  /* the transcript may begin with the wake phrase */
    double wake_at_s; /* where in the audio the wake phrase was heard (0: not in it) */
    bool barge_in;    /* it interrupted a turn: the "refuse" policy does not refuse it */
    /* Heard by the live loop, which recognised it while it was said: the result, the
     * recognition time in all, and end of speech -> its final transcript. */
    arvis_stt_result *heard;
    double heard_stt_ms;
    double heard_done_ms;
};

struct arvis_assistant {
    arvis_assistant_options o;
    const arvis_config *cfg;
    arvis_stt *stt;
    arvis_tts *tts;
    arvis_speech *speech;
    arvis_llm *llm;
    arvis_skills *skills;
    arvis_health *health;
    arvis_health_monitor *monitor;
    arvis_metrics_system *system; /* made at the first sample; the worker's alone */
    uint64_t system_due_ms;       /* next system sample, arvis_clock_ns / 1e6 (UINT64_MAX: none) */
    bool system_failed;           /* a reading failed (and was notified): no more are taken */

    pthread_t worker;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* a request came, the worker went idle, or stop */
    struct request *head, *tail;
    struct request *dropped; /* cancelled before they began: the worker ends their turns */
    size_t queued;
    bool busy; /* a turn runs */
    bool stop;
    uint64_t next_turn;
    bool refuse_when_busy;
    size_t queue_max;

    arvis_state state;                   /* under lock */
    atomic_bool cancel;                  /* the turn under way is to stop */
    atomic_bool live_stop;               /* arvis_assistant_live is to return */
    atomic_bool armed;                   /* the wake phrase was heard alone: the next utterance is a
                                            request without it */
    atomic_uint_fast64_t turn;           /* the turn under way (0: none) */
    atomic_uint_fast64_t first_audio_ns; /* of the turn under way, 0 until its audio starts */
    arvis_source *live_src; /* the live loop's source, for stop (under lock); while it is set,
                               the live loop owns the recogniser */
};

/* Sends an event to the frontend (ud and cb of the options). */
void assistant_emit(arvis_assistant *a, const arvis_event *ev);

/* Emits a text event of the turn under way. */
void assistant_emit_text(arvis_assistant *a, arvis_event_kind kind, const char *text, size_t len);

/* Emits an ERROR event with the message and status, and sends it as a notification of
 * component at level (the answer may already say it aloud: then a warning, which is not spoken
 * again). */
void assistant_emit_error(arvis_assistant *a, int code, arvis_notify_level level,
                          const char *component, const char *message);

/* Emits a NOTICE event and sends it as a notification of component at level. */
void assistant_emit_notice(arvis_assistant *a, arvis_notify_level level, const char *component,
                           const char *message);

/* Moves to state s and tells the frontends when it changed. */
void assistant_set_state(arvis_assistant *a, arvis_state s);

/* Runs one request on the worker thread: a whole turn, or an announcement. */
void assistant_run_request(arvis_assistant *a, struct request *r);

/* Queues a spoken request whose transcript may begin with the wake phrase (the live loop). */
int assistant_submit_spoken(arvis_assistant *a, const int16_t *pcm, size_t n, uint64_t end_ns,
                            bool strip_wake, double wake_at_s, arvis_error *err);

/* Frees a request (NULL allowed), and a list of them by their next links. */
void assistant_free_request(struct request *r);
void assistant_free_requests(struct request *r);

/* Ends the turn of each request in the list, cancelled (a TURN_END without an answer; none for
 * an announcement), and frees them. The worker's: every TURN_END comes from it. */
void assistant_drop_requests(arvis_assistant *a, struct request *r);

/* Queues a request the live loop has recognised already (res is taken over, also on failure):
 * end_ns is when the end of speech was heard, stt_ms the recognition time in all; barge_in:
 * it interrupted a turn (the "refuse" policy does not refuse it). */
int assistant_submit_heard(arvis_assistant *a, arvis_stt_result *res, uint64_t end_ns,
                           double stt_ms, bool strip_wake, double wake_at_s, bool barge_in,
                           arvis_error *err);

/* True on the playback thread while it runs the assistant's playback callback. */
extern _Thread_local bool assistant_on_playback_thread;

/* Sends a notification when the assistant has a manager (level, component, one sentence). */
void assistant_notify(arvis_assistant *a, arvis_notify_level level, const char *component,
                      const char *fmt, ...) ARVIS_PRINTF(4, 5);

/* Starts the health monitor when the options ask for it; its changes become notifications. */
int assistant_watch_start(arvis_assistant *a, arvis_error *err);
void assistant_watch_stop(arvis_assistant *a);

/* Records the system's and the process's figures (metrics.system_interval 0: never) and sets
 * when the next periodic sample is due. Worker thread only. */
void assistant_sample_system(arvis_assistant *a);

/* Sets the next periodic sample one interval from now (never without metrics, with the
 * interval 0, or after a reading failed). */
void assistant_schedule_system(arvis_assistant *a);

/* Records a finished turn's figures in the metrics registry, when there is one. */
void assistant_record_turn(arvis_assistant *a, const arvis_turn_stats *st);

/* Speaks text outside a turn and waits until it has been played. */
int assistant_say(arvis_assistant *a, const char *text, arvis_error *err);

#endif
