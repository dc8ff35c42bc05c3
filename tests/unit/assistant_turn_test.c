/* The turn pipeline with typed requests: skills first, then the model streamed and spoken, an
 * unreachable model said in words, the busy policy (queue or refuse, never lost silently),
 * cancel in any state, and the states a turn goes through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sndfile.h>

#include "assistant_test_util.h"
#include "audio_test_util.h"

static const char STALL[] = "{\"replies\": [{\"text\": \"never\", \"ttft_ms\": 600000}]}";

static uint64_t submit(struct atu_rig *r, const char *text)
{
    uint64_t turn = 0;
    arvis_error err;
    int rc = arvis_assistant_submit_text(r->a, text, &turn, &err);
    if (rc != ARVIS_OK) {
        fail_msg("submit %s: %s", text, err.msg);
    }
    return turn;
}

static const struct atu_event *turn_end(struct atu_rig *r, uint64_t turn)
{
    return &r->ev[atu_wait(r, ARVIS_EVENT_TURN_END, turn)];
}

static void test_skill_answers_before_the_model_and_is_spoken(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, "{\"replies\": [{\"text\": \"from the model\"}]}", false, NULL);
    uint64_t t = submit(&r, "What is 12 times 7?");
    const struct atu_event *e = turn_end(&r, t);
    assert_string_equal(e->stats.answered_by, "skill");
    assert_string_equal(e->stats.skill, "arithmetic");
    assert_non_null(strstr(e->answer, "84"));
    assert_true(e->stats.speech.spoken >= 1);
    assert_true(e->stats.first_audio_ms >= 0);
    assert_int_equal(fake_llm_requests(r.server), 0);
    arvis_assistant_wait_idle(r.a);
    /* thinking -> speaking -> idle, each once */
    size_t thinking = atu_wait_state(&r, ARVIS_STATE_THINKING, 0);
    size_t speaking = atu_wait_state(&r, ARVIS_STATE_SPEAKING, thinking);
    atu_wait_state(&r, ARVIS_STATE_IDLE, speaking);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_AUDIO, t), 1);
    assert_int_equal(arvis_assistant_state(r.a), ARVIS_STATE_IDLE);
    atu_close(&r);
}

static void test_model_answer_streams_as_tokens_and_sentences(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r,
             "{\"replies\": [{\"tokens\": [\"The sky \", \"is blue. \", \"Light \", "
             "\"scatters.\"]}]}",
             false, NULL);
    uint64_t t = submit(&r, "why is the sky blue");
    const struct atu_event *e = turn_end(&r, t);
    assert_string_equal(e->stats.answered_by, "llm");
    assert_string_equal(e->answer, "The sky is blue. Light scatters.");
    assert_int_equal(atu_count(&r, ARVIS_EVENT_TOKEN, t), 4);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_SENTENCE, t), 2);
    assert_int_equal(e->stats.speech.spoken, 2);
    assert_true(e->stats.first_token_ms >= 0);
    assert_true(e->stats.first_sentence_ms >= e->stats.first_token_ms);
    assert_true(e->stats.llm_first_sentence_ms >= 0);
    assert_false(e->stats.cancelled);
    char *body = fake_llm_request_body(r.server, 0);
    assert_non_null(strstr(body, "why is the sky blue"));
    free(body);
    atu_close(&r);
}

static void test_unreachable_model_is_said_in_words_and_text(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, NULL, false, NULL);
    uint64_t t = submit(&r, "write me a poem");
    const struct atu_event *e = turn_end(&r, t);
    assert_string_equal(e->stats.answered_by, "error");
    assert_non_null(strstr(e->answer, "cannot reach the language model"));
    assert_true(e->stats.speech.spoken >= 1);
    size_t i = atu_wait(&r, ARVIS_EVENT_ERROR, t);
    assert_int_equal(r.ev[i].code, ARVIS_E_UNAVAILABLE);
    assert_true(strlen(r.ev[i].text) > 10);
    atu_wait_state(&r, ARVIS_STATE_ERROR, 0);
    /* Offline skills still answer afterwards. */
    uint64_t t2 = submit(&r, "what is 2 plus 2");
    assert_string_equal(turn_end(&r, t2)->stats.answered_by, "skill");
    atu_close(&r);
}

static void test_refuse_policy_refuses_in_words_while_busy(void **state)
{
    (void)state;
    struct atu_rig r;
    const char *const sets[] = {"assistant.busy_policy=refuse", NULL};
    atu_open(&r, STALL, false, sets);
    uint64_t t = submit(&r, "tell me a long story");
    uint64_t t2 = 0;
    arvis_error err;
    assert_int_equal(arvis_assistant_submit_text(r.a, "what time is it", &t2, &err), ARVIS_E_STATE);
    assert_non_null(strstr(err.msg, "busy"));
    size_t i = atu_wait(&r, ARVIS_EVENT_NOTICE, 0);
    assert_non_null(strstr(r.ev[i].text, "busy"));
    atu_wait_state(&r, ARVIS_STATE_THINKING, 0);
    arvis_assistant_cancel(r.a, false);
    assert_true(turn_end(&r, t)->stats.cancelled);
    arvis_assistant_wait_idle(r.a);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_TURN_END, 0), 1);
    atu_close(&r);
}

static void test_queue_policy_answers_every_request_in_order(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, STALL, false, NULL);
    uint64_t t1 = submit(&r, "what is 1 plus 1");
    uint64_t t2 = submit(&r, "what is 2 plus 2");
    uint64_t t3 = submit(&r, "what is 3 plus 3");
    assert_true(t1 < t2 && t2 < t3);
    size_t e1 = atu_wait(&r, ARVIS_EVENT_TURN_END, t1);
    size_t e2 = atu_wait(&r, ARVIS_EVENT_TURN_END, t2);
    size_t e3 = atu_wait(&r, ARVIS_EVENT_TURN_END, t3);
    assert_true(e1 < e2 && e2 < e3);
    assert_non_null(strstr(r.ev[e3].answer, "6"));
    atu_close(&r);
}

static void test_queue_beyond_its_maximum_is_refused_and_cancel_ends_queued_turns(void **state)
{
    (void)state;
    struct atu_rig r;
    const char *const sets[] = {"assistant.queue_max=1", NULL};
    atu_open(&r, STALL, false, sets);
    uint64_t t1 = submit(&r, "tell me a long story");
    atu_wait_state(&r, ARVIS_STATE_THINKING, 0); /* the first runs: the queue is empty */
    uint64_t t2 = submit(&r, "what is 2 plus 2");
    arvis_error err;
    assert_int_equal(arvis_assistant_submit_text(r.a, "what is 3 plus 3", NULL, &err),
                     ARVIS_E_TOOBIG);
    assert_non_null(strstr(err.msg, "assistant.queue_max"));
    /* Cancelling everything ends the queued turn too, so nobody waits for it in vain. */
    arvis_assistant_cancel(r.a, true);
    const struct atu_event *queued = turn_end(&r, t2);
    assert_true(queued->stats.cancelled);
    assert_string_equal(queued->request, "what is 2 plus 2");
    assert_string_equal(queued->answer, "");
    assert_true(turn_end(&r, t1)->stats.cancelled);
    assert_true(turn_end(&r, t1) < queued); /* from the worker, in order */
    arvis_assistant_wait_idle(r.a);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_TURN_END, 0), 2);
    atu_close(&r);
}

static void test_cancel_while_thinking_ends_the_turn(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, STALL, false, NULL);
    uint64_t t = submit(&r, "tell me a long story");
    atu_wait_state(&r, ARVIS_STATE_THINKING, 0);
    arvis_assistant_cancel(r.a, false);
    const struct atu_event *e = turn_end(&r, t);
    assert_true(e->stats.cancelled);
    assert_int_equal(e->stats.speech.spoken, 0);
    arvis_assistant_wait_idle(r.a);
    assert_int_equal(arvis_assistant_state(r.a), ARVIS_STATE_IDLE);
    atu_close(&r);
}

static void test_bad_requests_are_refused_with_a_reason(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, STALL, false, NULL);
    arvis_error err;
    assert_int_equal(arvis_assistant_submit_text(r.a, "caf\xc3", NULL, &err), ARVIS_E_UTF8);
    int16_t pcm[16] = {0};
    assert_int_equal(arvis_assistant_submit_audio(r.a, pcm, 16, 0, NULL, &err), ARVIS_E_STATE);
    assert_non_null(strstr(err.msg, "recognition"));
    atu_close(&r);
}

static void test_announcement_is_spoken_outside_a_turn(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, STALL, false, NULL);
    arvis_error err;
    assert_int_equal(arvis_assistant_announce(r.a, "Your 5 minute timer is done.", &err), ARVIS_OK);
    arvis_assistant_wait_idle(r.a);
    size_t i = atu_wait(&r, ARVIS_EVENT_NOTICE, 0);
    assert_string_equal(r.ev[i].text, "Your 5 minute timer is done.");
    assert_int_equal(atu_count(&r, ARVIS_EVENT_TURN_END, 0), 0);
    char *d = arvis_assistant_describe(r.a);
    assert_non_null(strstr(d, "flite"));
    free(d);
    atu_close(&r);
}

static void test_cue_plays_a_tone_higher_for_worse_levels(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, STALL, false, NULL);
    arvis_error err;
    assert_int_equal(arvis_assistant_cue(r.a, 2 /* warning */, &err), ARVIS_OK);
    arvis_assistant_destroy(r.a);
    r.a = NULL;
    SF_INFO info;
    int16_t *x = atu_read_wav(r.wav, &info);
    assert_non_null(x);
    size_t n = (size_t)info.frames;
    assert_true(n >= (size_t)info.samplerate / 10); /* at least 100 ms */
    /* the warning's pitch (659 Hz) stands far above the error's (784 Hz) */
    assert_true(atu_power(x, n, info.samplerate, 659) > 20 * atu_power(x, n, info.samplerate, 784));
    free(x);
    atu_close(&r);
}

/* A timer fires while Arvis runs: the worker says it between turns. The test waits for it (a
 * second of real time passes); nothing is decided by how long it takes. */
static void test_timer_is_said_when_it_fires(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, STALL, false, NULL);
    uint64_t t = submit(&r, "set a timer for 1 second");
    const struct atu_event *set = turn_end(&r, t);
    assert_string_equal(set->stats.skill, "timer");
    size_t i = atu_wait(&r, ARVIS_EVENT_NOTICE, 0);
    assert_non_null(strstr(r.ev[i].text, "timer is done"));
    assert_true(i > (size_t)(set - r.ev)); /* after the turn that set it */
    atu_close(&r);
}

/* A spoken notification held while an answer is spoken is released when the turn ends; when
 * that end is a shutdown, its speech is refused quietly (the refusal is not notified from
 * inside the notification: that deadlocked). */
static int speak_through_assistant(const char *text, void *ud)
{
    arvis_assistant **a = ud;
    return *a ? arvis_assistant_announce(*a, text, NULL) : 0;
}

static void test_shutdown_with_a_held_spoken_notification_does_not_hang(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r,
             "{\"replies\": [{\"tokens\": [\"First sentence. \", \"never\"], \"token_ms\": "
             "600000}]}",
             false, NULL);
    arvis_assistant *spoken_by = NULL;
    arvis_notify_params np = arvis_notify_default_params();
    np.history_path = "";
    np.speak_cb = speak_through_assistant;
    np.ud = &spoken_by;
    arvis_notify *n = NULL;
    arvis_error err;
    assert_int_equal(arvis_notify_create(&np, &n, &err), ARVIS_OK);
    arvis_assistant_destroy(r.a); /* again, reporting to the manager */
    static const char *const sinks[] = {"file", NULL};
    arvis_assistant_options o = {.cfg = r.cfg,
                                 .speak = true,
                                 .playback = {.sinks = sinks, .sink = {.path = r.wav}},
                                 .cb = atu_on_event,
                                 .ud = &r,
                                 .notify = n};
    assert_int_equal(arvis_assistant_create(&o, &r.a, &err), ARVIS_OK);
    spoken_by = r.a;
    submit(&r, "tell me a long story");
    atu_wait_state(&r, ARVIS_STATE_SPEAKING, 0);
    assert_int_equal(arvis_notify_send(n, ARVIS_NOTIFY_ERROR, "test", "held while speaking"),
                     ARVIS_OK);
    arvis_assistant_destroy(r.a); /* cancels the turn; its end releases the held notification */
    r.a = NULL;
    arvis_notify_destroy(n);
    atu_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skill_answers_before_the_model_and_is_spoken),
        cmocka_unit_test(test_model_answer_streams_as_tokens_and_sentences),
        cmocka_unit_test(test_unreachable_model_is_said_in_words_and_text),
        cmocka_unit_test(test_refuse_policy_refuses_in_words_while_busy),
        cmocka_unit_test(test_queue_policy_answers_every_request_in_order),
        cmocka_unit_test(test_queue_beyond_its_maximum_is_refused_and_cancel_ends_queued_turns),
        cmocka_unit_test(test_cancel_while_thinking_ends_the_turn),
        cmocka_unit_test(test_bad_requests_are_refused_with_a_reason),
        cmocka_unit_test(test_announcement_is_spoken_outside_a_turn),
        cmocka_unit_test(test_cue_plays_a_tone_higher_for_worse_levels),
        cmocka_unit_test(test_timer_is_said_when_it_fires),
        cmocka_unit_test(test_shutdown_with_a_held_spoken_notification_does_not_hang),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
