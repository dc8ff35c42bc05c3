/* The request queue: typed, spoken and heard requests and announcements submitted, queued or
 * refused by the busy policy (never silently), cancelled, and waited for. */
#include <stdlib.h>
#include <string.h>

#include "assistant_internal.h"

enum { SUBMIT_ANNOUNCE = 1, SUBMIT_STRIP_WAKE = 2 };

void assistant_free_request(struct request *r)
{
    if (r) {
        free(r->text);
        free(r->pcm);
        arvis_stt_result_free(r->heard);
        free(r);
    }
}

/* A queued request cancelled before it began: its turn ends, cancelled, so a frontend waiting
 * for it hears it will not be answered. */
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
    assistant_free_request(r);
}

void assistant_drop_requests(arvis_assistant *a, struct request *r)
{
    while (r) {
        struct request *next = r->next;
        drop_request(a, r);
        r = next;
    }
}

void assistant_free_requests(struct request *r)
{
    while (r) {
        struct request *next = r->next;
        assistant_free_request(r);
        r = next;
    }
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
        assistant_free_request(r);
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
        assistant_free_request(r);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory queueing a request");
    }
    if (pcm) {
        r->pcm = malloc((n ? n : 1) * sizeof *pcm);
        if (!r->pcm) {
            assistant_free_request(r);
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

void arvis_assistant_wait_idle(arvis_assistant *a)
{
    pthread_mutex_lock(&a->lock);
    while ((a->busy || a->head || a->dropped) && !a->stop) {
        pthread_cond_wait(&a->cond, &a->lock);
    }
    pthread_mutex_unlock(&a->lock);
}
