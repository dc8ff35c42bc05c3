/* The assistant's lifecycle: its components, the request queue with its busy policy, and the
 * worker thread that runs one turn at a time and says timers when they are due. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assistant_internal.h"

/* How long the worker sleeps when no timer runs; a request or stop wakes it at once. */
#define WORKER_IDLE_WAIT_MS 60000

enum { SUBMIT_ANNOUNCE = 1, SUBMIT_STRIP_WAKE = 2 };

static char *status_hook(void *ud)
{
    return arvis_assistant_describe(ud);
}

static void on_tts_event(const arvis_tts_event *ev, void *ud)
{
    arvis_assistant *a = ud;
    if (ev->kind != ARVIS_TTS_SWITCHED && ev->why) {
        assistant_emit_notice(a, ARVIS_NOTIFY_WARNING, "tts", ev->why);
    }
}

/* Playback events: the first audio of a turn makes it SPEAKING; the frontend's own callback
 * gets every event after that. */
_Thread_local bool assistant_on_playback_thread;

static void on_playback(const arvis_playback_event *ev, void *ud)
{
    arvis_assistant *a = ud;
    assistant_on_playback_thread = true;
    if (ev->kind == ARVIS_PLAYBACK_STARTED && atomic_load(&a->turn) &&
        !atomic_load(&a->first_audio_ns)) {
        atomic_store(&a->first_audio_ns, arvis_clock_ns());
        if (a->o.notify) {
            arvis_notify_set_speaking(a->o.notify, true); /* none spoken over the answer */
        }
        assistant_set_state(a, ARVIS_STATE_SPEAKING);
        assistant_emit_text(a, ARVIS_EVENT_AUDIO, NULL, 0);
    }
    if (ev->kind == ARVIS_PLAYBACK_FALLBACK || ev->kind == ARVIS_PLAYBACK_ERROR) {
        assistant_notify(
            a, ev->kind == ARVIS_PLAYBACK_ERROR ? ARVIS_NOTIFY_ERROR : ARVIS_NOTIFY_WARNING,
            "audio", "%s", ev->message ? ev->message : "the sound output failed");
    }
    if (a->o.playback.cb) {
        a->o.playback.cb(ev, a->o.playback.ud);
    }
    assistant_on_playback_thread = false;
}

static int start_components(arvis_assistant *a, arvis_error *err)
{
    const arvis_assistant_options *o = &a->o;
    int rc = arvis_llm_create(a->cfg, o->use_history, &a->llm, err);
    if (rc == ARVIS_OK) {
        arvis_skills_hooks hooks = {.assistant_status = status_hook, .ud = a};
        rc = arvis_skills_create(a->cfg, &hooks, &a->skills, err);
    }
    if (rc == ARVIS_OK && o->hear) {
        rc = arvis_stt_create(a->cfg, o->stt_engine, &a->stt, err);
    }
    if (rc == ARVIS_OK && o->speak) {
        rc = arvis_tts_create(a->cfg, o->tts_engine, o->tts_voice, on_tts_event, a, &a->tts, err);
    }
    if (rc == ARVIS_OK && o->speak) {
        arvis_playback_options po = o->playback;
        po.cb = on_playback;
        po.ud = a;
        if (!po.sink.rate) {
            po.sink.rate = arvis_tts_engine_rate(arvis_tts_engine_in_use(a->tts));
        }
        rc = arvis_speech_create(a->tts, &po, a->cfg, &a->speech, err);
    }
    return rc;
}

static void free_request(struct request *r)
{
    if (r) {
        free(r->text);
        free(r->pcm);
        arvis_stt_result_free(r->heard);
        free(r);
    }
}

/* A queued request cancelled before it began: its turn ends, cancelled, so a frontend waiting
 * for it hears it will not be answered. On the worker, where every TURN_END comes from. */
static void drop_request(arvis_assistant *a, struct request *r)
{
    if (!r->announce) {
        arvis_turn_stats st = {.stt_rtf = -1, .answered_by = "none", .cancelled = true};
        const char *request = r->text ? r->text : r->heard ? r->heard->text : "";
        arvis_event ev = {.kind = ARVIS_EVENT_TURN_END,
                          .turn = r->turn,
                          .stats = &st,
                          .request = request,
                          .answer = ""};
        assistant_emit(a, &ev);
    }
    free_request(r);
}

static void free_requests(struct request *r)
{
    while (r) {
        struct request *next = r->next;
        free_request(r);
        r = next;
    }
}

/* Takes the next request, or NULL at stop; between requests, says the timers that are due and
 * takes the system figures every metrics.system_interval. */
static struct request *next_request(arvis_assistant *a)
{
    pthread_mutex_lock(&a->lock);
    for (;;) {
        if (a->dropped) {
            struct request *r = a->dropped;
            a->dropped = NULL;
            a->busy = true; /* wait_idle waits for these TURN_ENDs too */
            pthread_mutex_unlock(&a->lock);
            while (r) {
                struct request *next = r->next;
                drop_request(a, r);
                r = next;
            }
            pthread_mutex_lock(&a->lock);
            a->busy = false;
            pthread_cond_broadcast(&a->cond);
            continue;
        }
        if (a->stop) {
            pthread_mutex_unlock(&a->lock);
            return NULL;
        }
        uint64_t now_ms = arvis_clock_ns() / 1000000u;
        if (a->system_due_ms <= now_ms && !a->head) { /* a waiting request goes first */
            pthread_mutex_unlock(&a->lock);
            assistant_sample_system(a);
            pthread_mutex_lock(&a->lock);
            continue;
        }
        uint64_t due = arvis_skills_next_timer(a->skills);
        if (due <= now_ms) {
            /* Busy while it is said: the microphone is muted and requests wait, as in a turn. */
            a->busy = true;
            pthread_mutex_unlock(&a->lock);
            char *said = arvis_skills_fire_timers(a->skills, now_ms);
            if (said) {
                assistant_emit_notice(a, ARVIS_NOTIFY_INFO, "timer", said);
                assistant_say(a, said, NULL);
                free(said);
            }
            pthread_mutex_lock(&a->lock);
            a->busy = false;
            pthread_cond_broadcast(&a->cond);
            continue;
        }
        if (a->head) {
            struct request *r = a->head;
            a->head = r->next;
            a->tail = a->head ? a->tail : NULL;
            a->queued--;
            a->busy = true;
            atomic_store(&a->cancel, false); /* a cancel from now on is this turn's */
            pthread_mutex_unlock(&a->lock);
            return r;
        }
        due = due < a->system_due_ms ? due : a->system_due_ms;
        uint64_t wait_ms = due == UINT64_MAX ? WORKER_IDLE_WAIT_MS : due - now_ms;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += (time_t)(wait_ms / 1000);
        ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&a->cond, &a->lock, &ts);
    }
}

static void *worker_main(void *arg)
{
    arvis_assistant *a = arg;
    struct request *r;
    while ((r = next_request(a))) {
        assistant_run_request(a, r);
        free_request(r);
        pthread_mutex_lock(&a->lock);
        a->busy = false;
        pthread_cond_broadcast(&a->cond);
        pthread_mutex_unlock(&a->lock);
    }
    return NULL;
}

int arvis_assistant_create(const arvis_assistant_options *o, arvis_assistant **out,
                           arvis_error *err)
{
    *out = NULL;
    if (!o || !o->cfg) {
        return arvis_error_set(err, ARVIS_E_INVAL, "the assistant needs a configuration");
    }
    arvis_assistant *a = calloc(1, sizeof *a);
    if (!a) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting the assistant");
    }
    a->o = *o;
    a->cfg = o->cfg;
    a->refuse_when_busy =
        strcmp(arvis_config_string(a->cfg, "assistant.busy_policy"), "refuse") == 0;
    a->queue_max = (size_t)arvis_config_int(a->cfg, "assistant.queue_max");
    a->system_due_ms = 0; /* the first system sample is taken when the worker starts */
    pthread_mutex_init(&a->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&a->cond, &ca);
    pthread_condattr_destroy(&ca);
    int rc = start_components(a, err);
    if (rc == ARVIS_OK) {
        rc = assistant_watch_start(a, err);
    }
    if (rc == ARVIS_OK && pthread_create(&a->worker, NULL, worker_main, a) != 0) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "cannot start the assistant's turn thread");
    }
    if (rc != ARVIS_OK) {
        a->stop = true;
        a->worker = 0;
        arvis_assistant_destroy(a);
        return rc;
    }
    *out = a;
    return ARVIS_OK;
}

void arvis_assistant_destroy(arvis_assistant *a)
{
    if (!a) {
        return;
    }
    if (a->worker) {
        pthread_mutex_lock(&a->lock);
        bool busy = a->busy;
        a->stop = true;
        pthread_cond_broadcast(&a->cond);
        pthread_mutex_unlock(&a->lock);
        if (busy) {
            arvis_assistant_cancel(a, true);
        }
        pthread_join(a->worker, NULL);
    }
    if (a->speech) {
        /* Sound queued outside any turn (a cue) is played to its end. */
        arvis_playback *pb = arvis_speech_playback(a->speech);
        arvis_playback_finish(pb);
        arvis_playback_wait(pb, NULL);
    }
    free_requests(a->head);
    free_requests(a->dropped);
    assistant_watch_stop(a);
    arvis_speech_destroy(a->speech, true, NULL);
    arvis_tts_destroy(a->tts);
    arvis_stt_destroy(a->stt);
    arvis_skills_destroy(a->skills);
    arvis_llm_destroy(a->llm);
    pthread_cond_destroy(&a->cond);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

/* Puts r in the queue, or refuses it as the busy policy says (r is then freed). */
static int enqueue(arvis_assistant *a, struct request *r, uint64_t *turn, arvis_error *err)
{
    arvis_error why;
    arvis_error_clear(&why);
    pthread_mutex_lock(&a->lock);
    bool busy = a->busy || a->head;
    int rc = ARVIS_OK;
    if (a->stop) {
        rc = arvis_error_set(&why, ARVIS_E_STATE, "the assistant is shutting down");
    } else if (busy && a->refuse_when_busy && !r->announce && !r->barge_in) {
        rc = arvis_error_set(&why, ARVIS_E_STATE,
                             "busy with another request; ask again when it is done (or set "
                             "assistant.busy_policy to \"queue\")");
    } else if (a->queued >= a->queue_max && !r->announce) {
        rc = arvis_error_set(&why, ARVIS_E_TOOBIG,
                             "%zu requests are already waiting; ask again when they are done "
                             "(assistant.queue_max)",
                             a->queued);
    } else {
        r->turn = r->announce ? 0 : ++a->next_turn;
        if (a->tail) {
            a->tail->next = r;
        } else {
            a->head = r;
        }
        a->tail = r;
        a->queued++;
        pthread_cond_broadcast(&a->cond);
    }
    pthread_mutex_unlock(&a->lock);
    if (rc != ARVIS_OK) {
        /* Never lost silently: the frontends hear of a refused request too. An announcement is
         * a notification's own speech: notifying its refusal would call the notifications
         * from inside them. */
        if (!r->announce) {
            assistant_emit_notice(a, ARVIS_NOTIFY_WARNING, "assistant", why.msg);
        }
        if (err) {
            *err = why;
        }
        free_request(r);
        return rc;
    }
    if (turn) {
        *turn = r->turn;
    }
    return ARVIS_OK;
}

static int submit(arvis_assistant *a, const char *text, const int16_t *pcm, size_t n,
                  uint64_t end_ns, unsigned flags, double wake_at_s, uint64_t *turn,
                  arvis_error *err)
{
    struct request *r = calloc(1, sizeof *r);
    if (!r) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory queueing a request");
    }
    r->wake_at_s = wake_at_s;
    r->announce = flags & SUBMIT_ANNOUNCE;
    r->strip_wake = flags & SUBMIT_STRIP_WAKE;
    r->submitted_ns = end_ns ? end_ns : arvis_clock_ns();
    if (text && !(r->text = strdup(text))) {
        free_request(r);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory queueing a request");
    }
    if (pcm) {
        r->pcm = malloc((n ? n : 1) * sizeof *pcm);
        if (!r->pcm) {
            free_request(r);
            return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory queueing a request");
        }
        memcpy(r->pcm, pcm, n * sizeof *pcm);
        r->n = n;
    }
    return enqueue(a, r, turn, err);
}

int arvis_assistant_submit_text(arvis_assistant *a, const char *text, uint64_t *turn,
                                arvis_error *err)
{
    if (!text || strlen(text) > ASSISTANT_TEXT_MAX) {
        return arvis_error_set(err, ARVIS_E_TOOBIG, "a request is at most %d KiB of text",
                               ASSISTANT_TEXT_MAX / 1024);
    }
    if (!arvis_utf8_valid(text, strlen(text), NULL)) {
        return arvis_error_set(err, ARVIS_E_UTF8, "the request is not valid UTF-8 text");
    }
    return submit(a, text, NULL, 0, 0, 0, 0, turn, err);
}

int arvis_assistant_submit_audio(arvis_assistant *a, const int16_t *pcm, size_t n,
                                 uint64_t audio_end_ns, uint64_t *turn, arvis_error *err)
{
    if (!a->stt) {
        return arvis_error_set(err, ARVIS_E_STATE,
                               "the assistant was started without speech recognition");
    }
    pthread_mutex_lock(&a->lock);
    bool live = a->live_src != NULL;
    pthread_mutex_unlock(&a->lock);
    if (live) {
        return arvis_error_set(err, ARVIS_E_STATE,
                               "the live loop is listening: it hears the requests itself");
    }
    return submit(a, NULL, pcm, n, audio_end_ns, 0, 0, turn, err);
}

int assistant_submit_heard(arvis_assistant *a, arvis_stt_result *res, uint64_t end_ns,
                           double stt_ms, bool strip_wake, double wake_at_s, bool barge_in,
                           arvis_error *err)
{
    double done_ms = arvis_clock_elapsed_ms(end_ns, arvis_clock_ns());
    struct request *r = calloc(1, sizeof *r);
    if (!r) {
        arvis_stt_result_free(res);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory queueing a request");
    }
    r->heard = res;
    r->heard_stt_ms = stt_ms;
    r->heard_done_ms = done_ms;
    r->submitted_ns = end_ns;
    r->strip_wake = strip_wake;
    r->wake_at_s = wake_at_s;
    r->barge_in = barge_in;
    return enqueue(a, r, NULL, err);
}

int assistant_submit_spoken(arvis_assistant *a, const int16_t *pcm, size_t n, uint64_t end_ns,
                            bool strip_wake, double wake_at_s, arvis_error *err)
{
    return submit(a, NULL, pcm, n, end_ns, strip_wake ? SUBMIT_STRIP_WAKE : 0, wake_at_s, NULL,
                  err);
}

int arvis_assistant_announce(arvis_assistant *a, const char *text, arvis_error *err)
{
    return submit(a, text, NULL, 0, 0, SUBMIT_ANNOUNCE, 0, NULL, err);
}

void arvis_assistant_cancel(arvis_assistant *a, bool all)
{
    if (all) {
        /* The worker ends their turns: after the one under way, before any new request. */
        pthread_mutex_lock(&a->lock);
        struct request **end = &a->dropped;
        while (*end) {
            end = &(*end)->next;
        }
        *end = a->head;
        a->head = a->tail = NULL;
        a->queued = 0;
        pthread_cond_broadcast(&a->cond);
        pthread_mutex_unlock(&a->lock);
    }
    pthread_mutex_lock(&a->lock);
    atomic_store(&a->cancel, true);
    bool live = a->live_src != NULL;
    pthread_mutex_unlock(&a->lock);
    /* The live loop's recogniser belongs to the utterance being heard (a barge-in goes on
     * into the new request); arvis_assistant_stop_live stops the loop itself. */
    if (a->stt && !live) {
        arvis_stt_cancel(a->stt);
    }
    arvis_llm_cancel(a->llm);
    if (a->speech) {
        arvis_speech_cancel(a->speech);
    }
}

size_t arvis_assistant_active_timers(arvis_assistant *a)
{
    return arvis_skills_active_timers(a->skills);
}

void arvis_assistant_wait_idle(arvis_assistant *a)
{
    pthread_mutex_lock(&a->lock);
    while ((a->busy || a->head || a->dropped) && !a->stop) {
        pthread_cond_wait(&a->cond, &a->lock);
    }
    pthread_mutex_unlock(&a->lock);
}

char *arvis_assistant_describe(arvis_assistant *a)
{
    char text[1024];
    int len = snprintf(text, sizeof text, "I use %s for listening, ",
                       a->stt ? arvis_stt_name(a->stt) : "nothing");
    if (a->tts) {
        arvis_tts_engine *e = arvis_tts_engine_in_use(a->tts);
        len +=
            snprintf(text + len, sizeof text - (size_t)len, "%s with the voice %s for speaking%s, ",
                     arvis_tts_engine_name(e), arvis_tts_engine_voice(e),
                     arvis_tts_fell_back(a->tts) ? " as a fallback" : "");
    } else {
        len += snprintf(text + len, sizeof text - (size_t)len, "no speech output, ");
    }
    snprintf(text + len, sizeof text - (size_t)len, "and the model %s at %s for everything else.",
             arvis_llm_model(a->llm), arvis_llm_base_url(a->llm));
    return strdup(text);
}

arvis_stt *arvis_assistant_stt(arvis_assistant *a)
{
    return a->stt;
}

arvis_tts *arvis_assistant_tts(arvis_assistant *a)
{
    return a->tts;
}

arvis_llm *arvis_assistant_llm(arvis_assistant *a)
{
    return a->llm;
}
