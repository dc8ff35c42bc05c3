/* One turn on the worker thread: a spoken request is transcribed, then the router gives it to a
 * skill or the language model, and the answer is spoken sentence by sentence as it is written. */
#include <stdlib.h>
#include <string.h>

#include "assistant_internal.h"

/* What one turn carries between its stages. */
struct turn {
    arvis_assistant *a;
    struct request *r;
    arvis_turn_stats st;
    uint64_t llm_start_ns;
    char *request; /* the transcript or typed text */
    char *answer;
};

static double since_ms(const struct turn *t, uint64_t ns)
{
    return ns ? arvis_clock_elapsed_ms(t->r->submitted_ns, ns) : -1;
}

static bool cancelled(const struct turn *t)
{
    return atomic_load(&t->a->cancel);
}

/* Drops the wake phrase from the front of the transcript: by its words when the recogniser
 * wrote them, else by time, since a recogniser without "arvis" in its language model writes
 * something else ("where are those"): the words that ended before the spotter heard the phrase
 * were the phrase. */
static void strip_wake_phrase(struct turn *t, const arvis_stt_result *res)
{
    const char *rest = arvis_wake_strip(arvis_config_string(t->a->cfg, "wake.phrase"), t->request);
    if (rest != t->request || t->r->wake_at_s <= 0) {
        memmove(t->request, rest, strlen(rest) + 1);
        return;
    }
    size_t len = 0;
    for (size_t i = 0; i < res->n_words; i++) {
        if (res->words[i].end_s > t->r->wake_at_s) {
            size_t n = strlen(res->words[i].word);
            memmove(t->request + len + (len > 0), res->words[i].word, n);
            if (len) {
                t->request[len] = ' ';
            }
            len += n + (len > 0);
        }
    }
    t->request[len] = '\0';
}

/* The transcript of a spoken request, recognised here or by the live loop as it was heard:
 * its figures, the wake phrase dropped, and the TRANSCRIPT event. */
static int take_transcript(struct turn *t, const arvis_stt_result *res, double stt_ms,
                           arvis_error *err)
{
    t->st.audio_s = res->audio_s;
    t->st.stt_ms = stt_ms;
    t->st.stt_rtf = res->audio_s > 0 ? stt_ms / (res->audio_s * 1000) : -1;
    t->st.words = res->n_words;
    if (!(t->request = strdup(res->text))) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory keeping the transcript");
    }
    if (t->r->strip_wake) {
        strip_wake_phrase(t, res);
    }
    assistant_emit_text(t->a, ARVIS_EVENT_TRANSCRIPT, t->request, strlen(t->request));
    return ARVIS_OK;
}

/* Feeds the spoken request to the recogniser in slices, with partial transcripts. */
static int transcribe(struct turn *t, arvis_error *err)
{
    arvis_assistant *a = t->a;
    assistant_set_state(a, ARVIS_STATE_TRANSCRIBING);
    uint64_t start = arvis_clock_ns();
    int rc = arvis_stt_start(a->stt, err);
    if (rc == ARVIS_OK) {
        /* A buffer handed over may begin with its first word (push to talk pressed while
         * speaking); a moment of quiet before it costs nothing when it did not. */
        rc = arvis_stt_lead_in(a->stt, ASSISTANT_LEAD_IN_S, err);
    }
    bool partials = arvis_config_bool(a->cfg, "stt.partial_results");
    size_t next_partial = ASSISTANT_PARTIAL_SAMPLES;
    for (size_t off = 0; rc == ARVIS_OK && off < t->r->n; off += ASSISTANT_FEED_SAMPLES) {
        if (cancelled(t)) {
            rc = arvis_error_set(err, ARVIS_E_CANCELLED, "cancelled");
            break;
        }
        size_t n = t->r->n - off < ASSISTANT_FEED_SAMPLES ? t->r->n - off : ASSISTANT_FEED_SAMPLES;
        rc = arvis_stt_feed(a->stt, t->r->pcm + off, n, err);
        if (rc == ARVIS_OK && partials && off + n >= next_partial) {
            next_partial += ASSISTANT_PARTIAL_SAMPLES;
            char *p = arvis_stt_partial(a->stt);
            if (p && *p) {
                assistant_emit_text(a, ARVIS_EVENT_PARTIAL, p, strlen(p));
            }
            free(p);
        }
    }
    arvis_stt_result *res = NULL;
    if (rc == ARVIS_OK) {
        rc = arvis_stt_finish(a->stt, &res, err);
    }
    uint64_t end = arvis_clock_ns();
    if (rc == ARVIS_OK) {
        rc = take_transcript(t, res, arvis_clock_elapsed_ms(start, end), err);
        t->st.transcript_ms = since_ms(t, end);
    }
    arvis_stt_result_free(res);
    return rc;
}

/* Appends a piece to the whole answer (kept for the TURN_END event). */
static void keep_answer(struct turn *t, const char *text, size_t len)
{
    size_t have = t->answer ? strlen(t->answer) : 0;
    char *grown = realloc(t->answer, have + len + 1);
    if (grown) {
        memcpy(grown + have, text, len);
        grown[have + len] = '\0';
        t->answer = grown;
    }
}

static void on_token(const char *text, size_t len, void *ud)
{
    struct turn *t = ud;
    if (t->st.first_token_ms < 0) {
        t->st.first_token_ms = since_ms(t, arvis_clock_ns());
    }
    keep_answer(t, text, len);
    assistant_emit_text(t->a, ARVIS_EVENT_TOKEN, text, len);
}

static void on_sentence(const char *text, size_t len, bool early, void *ud)
{
    struct turn *t = ud;
    if (t->st.first_sentence_ms < 0) {
        uint64_t now = arvis_clock_ns();
        t->st.first_sentence_ms = since_ms(t, now);
        t->st.llm_first_sentence_ms = arvis_clock_elapsed_ms(t->llm_start_ns, now);
    }
    assistant_emit_text(t->a, ARVIS_EVENT_SENTENCE, text, len);
    if (t->a->speech) {
        arvis_speech_add(t->a->speech, text, len, early);
    }
}

/* A whole answer known at once (a skill's, or a failure said in words): shown and spoken. */
static void answer_at_once(struct turn *t, const char *text)
{
    on_token(text, strlen(text), t);
    if (t->st.first_sentence_ms < 0) {
        t->st.first_sentence_ms = t->st.first_token_ms;
    }
    assistant_emit_text(t->a, ARVIS_EVENT_SENTENCE, text, strlen(text));
    if (t->a->speech) {
        arvis_speech_say(t->a->speech, text, strlen(text));
    }
}

/* The language model could not answer: the user hears why, in words, and reads what to do. */
static void llm_failed(struct turn *t, int rc, const arvis_error *err)
{
    static const char unreachable[] =
        "I cannot reach the language model right now, so I can only answer what I know "
        "offline. Say help to hear what that is.";
    static const char failed[] = "Sorry, the language model could not answer that.";
    /* A warning: the answer says it aloud already, so the speech channel does not repeat it. */
    assistant_emit_error(t->a, rc, ARVIS_NOTIFY_WARNING, "llm", err->msg);
    if (!t->answer) {
        answer_at_once(t,
                       rc == ARVIS_E_UNAVAILABLE || rc == ARVIS_E_TIMEOUT ? unreachable : failed);
    }
    t->st.answered_by = "error";
}

static int ask_llm(struct turn *t, arvis_error *err)
{
    arvis_llm_callbacks cb = {
        .token_cb = on_token, .sentence_cb = on_sentence, .ud = t, .stop = &t->a->cancel};
    arvis_llm_reply reply = {0};
    t->llm_start_ns = arvis_clock_ns();
    t->st.answered_by = "llm";
    int rc = arvis_llm_ask(t->a->llm, t->request, &cb, &reply, err);
    t->st.llm = reply.stats;
    arvis_llm_reply_free(&reply);
    if (rc != ARVIS_OK && rc != ARVIS_E_CANCELLED) {
        llm_failed(t, rc, err);
    }
    return rc;
}

/* After the answer is written: waits until it has been spoken. A stopped answer leaves in the
 * history only what was actually said. */
static int finish_speaking(struct turn *t, int rc, arvis_error *err)
{
    arvis_assistant *a = t->a;
    if (!a->speech) {
        return rc;
    }
    int spoken_rc = ARVIS_E_CANCELLED;
    if (rc != ARVIS_E_CANCELLED && !cancelled(t)) {
        spoken_rc = arvis_speech_finish(a->speech, err);
    } else {
        arvis_speech_cancel(a->speech);
    }
    arvis_history *h = arvis_llm_history(a->llm);
    if (spoken_rc == ARVIS_E_CANCELLED && h && strcmp(t->st.answered_by, "llm") == 0) {
        char *spoken = arvis_speech_spoken(a->speech);
        arvis_error herr;
        if (spoken && arvis_history_amend_last(h, spoken, true) == ARVIS_OK &&
            arvis_history_save(h, &herr) != ARVIS_OK) {
            assistant_emit_error(a, herr.code, ARVIS_NOTIFY_ERROR, "storage", herr.msg);
        }
        free(spoken);
    }
    arvis_speech_get_stats(a->speech, &t->st.speech);
    return rc == ARVIS_OK ? spoken_rc : rc;
}

/* The wake phrase alone: Arvis says it is listening and takes the next utterance as the
 * request, without the phrase. */
static void acknowledge(struct turn *t)
{
    t->st.answered_by = "wake";
    atomic_store(&t->a->armed, true);
    const char *ack = arvis_config_string(t->a->cfg, "wake.acknowledgement");
    if (*ack) {
        answer_at_once(t, ack);
    }
}

/* Routes the request: a skill first, in the documented order, else the language model. */
static int route(struct turn *t, arvis_error *err)
{
    assistant_set_state(t->a, ARVIS_STATE_THINKING);
    arvis_skill_reply reply = {0};
    int rc =
        arvis_skills_handle(t->a->skills, t->request, arvis_clock_ns() / 1000000u, &reply, err);
    if (rc == ARVIS_OK) {
        t->st.answered_by = "skill";
        t->st.skill = reply.skill;
        answer_at_once(t, reply.text);
        free(reply.text);
        return ARVIS_OK;
    }
    if (rc != ARVIS_E_NOTFOUND) {
        return rc;
    }
    return ask_llm(t, err);
}

static void end_turn(struct turn *t, int rc)
{
    arvis_assistant *a = t->a;
    t->st.cancelled = rc == ARVIS_E_CANCELLED || cancelled(t);
    uint64_t first_audio = atomic_load(&a->first_audio_ns);
    t->st.first_audio_ms = since_ms(t, first_audio);
    t->st.total_ms = since_ms(t, arvis_clock_ns());
    arvis_event ev = {.kind = ARVIS_EVENT_TURN_END,
                      .turn = t->r->turn,
                      .stats = &t->st,
                      .request = t->request ? t->request : "",
                      .answer = t->answer ? t->answer : ""};
    assistant_record_turn(a, &t->st);
    assistant_emit(a, &ev);
    atomic_store(&a->turn, 0); /* late playback events no longer move this turn's state */
    if (a->o.notify) {
        arvis_notify_set_speaking(a->o.notify, false); /* held spoken notifications go now */
    }
    assistant_set_state(a,
                        rc == ARVIS_OK || t->st.cancelled ? ARVIS_STATE_IDLE : ARVIS_STATE_ERROR);
}

static void run_turn(arvis_assistant *a, struct request *r)
{
    struct turn t = {.a = a, .r = r};
    t.st = (arvis_turn_stats){.stt_rtf = -1,
                              .transcript_ms = -1,
                              .first_token_ms = -1,
                              .first_sentence_ms = -1,
                              .first_audio_ms = -1,
                              .total_ms = -1,
                              .llm_first_sentence_ms = -1,
                              .answered_by = "none"};
    atomic_store(&a->first_audio_ns, 0);
    atomic_store(&a->turn, r->turn);
    if (a->speech) {
        arvis_speech_reset(a->speech);
    }
    arvis_error err;
    arvis_error_clear(&err);
    int rc = ARVIS_OK;
    if (r->heard) {
        /* the live loop recognised it while it was said */
        rc = take_transcript(&t, r->heard, r->heard_stt_ms, &err);
        t.st.transcript_ms = r->heard_done_ms;
    } else if (r->pcm) {
        rc = transcribe(&t, &err);
    } else if (!(t.request = strdup(r->text))) {
        rc = arvis_error_set(&err, ARVIS_E_NOMEM, "out of memory starting a turn");
    }
    if (rc == ARVIS_OK && cancelled(&t)) {
        rc = ARVIS_E_CANCELLED;
    }
    if (rc == ARVIS_OK && r->strip_wake && !t.request[0]) {
        acknowledge(&t); /* only the wake phrase: the next utterance is the request */
    } else if (rc == ARVIS_OK && !t.request[0]) {
        /* Nothing was understood: said so rather than sent to the model as an empty question. */
        answer_at_once(&t, "Sorry, I did not catch that.");
    } else if (rc == ARVIS_OK) {
        rc = route(&t, &err);
    }
    if (rc != ARVIS_OK && rc != ARVIS_E_CANCELLED && strcmp(t.st.answered_by, "error") != 0) {
        assistant_emit_error(a, rc, ARVIS_NOTIFY_ERROR, "assistant", err.msg);
    }
    rc = finish_speaking(&t, rc, &err);
    end_turn(&t, strcmp(t.st.answered_by, "error") == 0 ? ARVIS_E_UNAVAILABLE : rc);
    free(t.request);
    free(t.answer);
}

int assistant_say(arvis_assistant *a, const char *text, arvis_error *err)
{
    if (!a->speech) {
        return ARVIS_OK;
    }
    arvis_speech_reset(a->speech);
    int rc = arvis_speech_say(a->speech, text, strlen(text));
    return rc == ARVIS_OK ? arvis_speech_finish(a->speech, err) : rc;
}

void assistant_run_request(arvis_assistant *a, struct request *r)
{
    if (r->announce) {
        assistant_emit_text(a, ARVIS_EVENT_NOTICE, r->text, strlen(r->text));
        assistant_say(a, r->text, NULL);
        return;
    }
    run_turn(a, r);
}
