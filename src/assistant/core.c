/* The assistant's lifecycle: its components, and the worker thread that runs one turn at a time
 * and says timers when they are due (the queue it takes requests from is requests.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assistant_internal.h"

/* How long the worker sleeps when no timer runs; a request or stop wakes it at once. */
#define WORKER_IDLE_WAIT_MS 60000

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
            assistant_drop_requests(a, r);
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
        assistant_free_request(r);
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
    /* The first system reading comes after the first turn or interval, not at start: a
     * one-turn command (voice) gets its reading after the turn, with nothing added to its
     * start (opening NVML can take a while). */
    assistant_schedule_system(a);
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
    assistant_free_requests(a->head);
    assistant_free_requests(a->dropped);
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

size_t arvis_assistant_active_timers(arvis_assistant *a)
{
    return arvis_skills_active_timers(a->skills);
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
