/* Spoken requests through the assistant: a recording is transcribed and answered with every
 * state in order; the live loop on a recorded conversation ignores talk without the wake phrase,
 * acknowledges the phrase said alone and takes the next utterance as the request; without the
 * wake phrase every utterance is a request; max_requests stops it. Real flite and pocketsphinx. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sndfile.h>

#include "assistant_test_util.h"
#include "stt_audio_test_util.h"

/* kal16 is the flite voice Debian's general en-us model hears best (see docs/stt.md). */
static void say(const arvis_config *cfg, const char *text, sat_pcm *out)
{
    arvis_tts_engine *e = sat_voice(cfg, "kal16");
    sat_say(e, text, out);
    arvis_tts_engine_destroy(e);
}

/* Writes the samples as a 16 kHz WAV in a temporary folder; returns its path (static). */
static const char *write_wav(const sat_pcm *p)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s", tu_path(tu_tempdir(), "talk.wav"));
    SF_INFO info = {
        .samplerate = ARVIS_STT_RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    assert_non_null(f);
    assert_int_equal(sf_write_short(f, p->x, (sf_count_t)p->n), (sf_count_t)p->n);
    sf_close(f);
    return path;
}

static int live(struct atu_rig *r, const sat_pcm *talk, bool wake, size_t max_requests)
{
    arvis_source_options so = {.path = write_wav(talk), .rate = ARVIS_STT_RATE};
    arvis_source *src = NULL;
    arvis_error err;
    assert_int_equal(arvis_source_open("file", &so, &src, &err), ARVIS_OK);
    arvis_live_options lo = {.wake = wake, .live = false, .max_requests = max_requests};
    int rc = arvis_assistant_live(r->a, src, &lo, &err);
    arvis_source_close(src);
    return rc;
}

static const struct atu_event *nth_turn_end(struct atu_rig *r, size_t nth)
{
    size_t seen = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->ev[i].kind == ARVIS_EVENT_TURN_END && ++seen == nth) {
            return &r->ev[i];
        }
    }
    fail_msg("there is no turn %zu (%zu turns)", nth, seen);
    return NULL;
}

static void test_spoken_request_goes_through_every_state(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, "{\"replies\": [{\"text\": \"unused\"}]}", true, NULL);
    sat_pcm talk = {.rate = ARVIS_STT_RATE};
    sat_silence(&talk, 0.3);
    say(r.cfg, "What is twelve times seven?", &talk);
    sat_silence(&talk, 0.5);
    uint64_t turn = 0;
    arvis_error err;
    assert_int_equal(arvis_assistant_submit_audio(r.a, talk.x, talk.n, 0, &turn, &err), ARVIS_OK);
    const struct atu_event *e = &r.ev[atu_wait(&r, ARVIS_EVENT_TURN_END, turn)];
    assert_string_equal(e->request, "what is twelve times seven");
    assert_string_equal(e->stats.skill, "arithmetic");
    assert_true(e->stats.audio_s > 1.0);
    assert_true(e->stats.stt_rtf > 0);
    assert_true(e->stats.words == 5);
    assert_true(e->stats.transcript_ms >= 0 && e->stats.first_audio_ms >= e->stats.transcript_ms);
    arvis_assistant_wait_idle(r.a);
    size_t transcribing = atu_wait_state(&r, ARVIS_STATE_TRANSCRIBING, 0);
    size_t i = atu_wait(&r, ARVIS_EVENT_TRANSCRIPT, turn);
    assert_true(i > transcribing);
    i = atu_wait_state(&r, ARVIS_STATE_THINKING, i);
    i = atu_wait_state(&r, ARVIS_STATE_SPEAKING, i);
    atu_wait_state(&r, ARVIS_STATE_IDLE, i);
    assert_int_equal(fake_llm_requests(r.server), 0);
    sat_free(&talk);
    atu_close(&r);
}

/* A request handed over as a buffer that begins with its first word (push to talk pressed
 * while speaking): the recogniser gets a moment of quiet before it and hears it whole. */
static void test_a_buffer_that_starts_with_speech_is_heard_whole(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, "{\"replies\": [{\"text\": \"unused\"}]}", true, NULL);
    arvis_tts_engine *kal = sat_voice(r.cfg, "kal16");
    sat_pcm talk = {.rate = ARVIS_STT_RATE};
    sat_say_cut(kal, "What is twelve times seven?", &talk);
    arvis_tts_engine_destroy(kal);
    sat_silence(&talk, 0.3);
    uint64_t turn = 0;
    arvis_error err;
    assert_int_equal(arvis_assistant_submit_audio(r.a, talk.x, talk.n, 0, &turn, &err), ARVIS_OK);
    const struct atu_event *e = &r.ev[atu_wait(&r, ARVIS_EVENT_TURN_END, turn)];
    assert_string_equal(e->request, "what is twelve times seven");
    assert_string_equal(e->stats.skill, "arithmetic");
    sat_free(&talk);
    atu_close(&r);
}

static void test_wake_phrase_alone_is_acknowledged_and_the_next_utterance_answered(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, "{\"replies\": [{\"text\": \"unused\"}]}", true, NULL);
    sat_pcm talk = {.rate = ARVIS_STT_RATE};
    sat_silence(&talk, 1.0);
    say(r.cfg, "Tell me about the weather.", &talk); /* not for Arvis: no wake phrase */
    sat_silence(&talk, 2.0);
    say(r.cfg, "Hey Arvis.", &talk);
    sat_silence(&talk, 2.0);
    say(r.cfg, "What is seven plus five?", &talk);
    sat_silence(&talk, 2.0);
    assert_int_equal(live(&r, &talk, true, 0), ARVIS_OK);
    arvis_assistant_wait_idle(r.a);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_WAKE, 0), 1);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_TURN_END, 0), 2);
    const struct atu_event *ack = nth_turn_end(&r, 1);
    assert_string_equal(ack->stats.answered_by, "wake");
    assert_string_equal(ack->answer, "Yes?");
    const struct atu_event *answer = nth_turn_end(&r, 2);
    assert_string_equal(answer->stats.skill, "arithmetic");
    assert_non_null(strstr(answer->answer, "12"));
    assert_int_equal(fake_llm_requests(r.server), 0);
    sat_free(&talk);
    atu_close(&r);
}

static void test_without_the_wake_phrase_every_utterance_is_a_request(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, "{\"replies\": [{\"text\": \"unused\"}]}", true, NULL);
    sat_pcm talk = {.rate = ARVIS_STT_RATE};
    sat_silence(&talk, 1.0);
    say(r.cfg, "What time is it?", &talk);
    sat_silence(&talk, 2.0);
    say(r.cfg, "What is twelve times seven?", &talk);
    sat_silence(&talk, 2.0);
    assert_int_equal(live(&r, &talk, false, 0), ARVIS_OK);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_TURN_END, 0), 2);
    assert_string_equal(nth_turn_end(&r, 1)->stats.skill, "time");
    assert_string_equal(nth_turn_end(&r, 2)->stats.skill, "arithmetic");
    atu_close(&r);
    /* max_requests ends the loop after that many */
    atu_open(&r, "{\"replies\": [{\"text\": \"unused\"}]}", true, NULL);
    assert_int_equal(live(&r, &talk, false, 1), ARVIS_OK);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_TURN_END, 0), 1);
    sat_free(&talk);
    atu_close(&r);
}

static void test_silence_and_noise_make_no_request(void **state)
{
    (void)state;
    struct atu_rig r;
    atu_open(&r, "{\"replies\": [{\"text\": \"unused\"}]}", true, NULL);
    sat_pcm talk = {.rate = ARVIS_STT_RATE};
    sat_silence(&talk, 3.0);
    size_t quiet = talk.n;
    sat_silence(&talk, 3.0);
    uint32_t seed = 1;
    sat_add_noise(talk.x + quiet, talk.n - quiet, 300, &seed);
    assert_int_equal(live(&r, &talk, true, 0), ARVIS_OK);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_TURN_END, 0), 0);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_WAKE, 0), 0);
    sat_free(&talk);
    atu_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spoken_request_goes_through_every_state),
        cmocka_unit_test(test_a_buffer_that_starts_with_speech_is_heard_whole),
        cmocka_unit_test(test_wake_phrase_alone_is_acknowledged_and_the_next_utterance_answered),
        cmocka_unit_test(test_without_the_wake_phrase_every_utterance_is_a_request),
        cmocka_unit_test(test_silence_and_noise_make_no_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
