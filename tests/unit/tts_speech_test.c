/* The speech queue: sentences spoken in order into a real WAV file while more are queued, what
 * was spoken recorded, cancel dropping the rest, errors of one sentence not stopping the others,
 * and the figures of an answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/tts.h"
#include "audio_test_util.h"
#include "test_util.h"

struct watch {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    size_t marks;
    size_t started;
};

static void on_playback(const arvis_playback_event *ev, void *ud)
{
    struct watch *w = ud;
    pthread_mutex_lock(&w->mu);
    w->marks += ev->kind == ARVIS_PLAYBACK_MARK;
    w->started += ev->kind == ARVIS_PLAYBACK_STARTED;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->mu);
}

struct rig {
    arvis_config *cfg;
    arvis_tts *tts;
    arvis_speech *sp;
    struct watch w;
    char wav[4096];
    double rms; /* of the WAV, after rig_close */
};

static void rig_open(struct rig *r, const char *engine, const char *const *sets)
{
    memset(r, 0, sizeof *r);
    r->cfg = tu_config(sets);
    pthread_mutex_init(&r->w.mu, NULL);
    pthread_cond_init(&r->w.cond, NULL);
    snprintf(r->wav, sizeof r->wav, "%s", tu_path(tu_tempdir(), "answer.wav"));
    arvis_error err;
    assert_int_equal(arvis_tts_create(r->cfg, engine, NULL, NULL, NULL, &r->tts, &err), ARVIS_OK);
    static const char *const sinks[] = {"file", NULL};
    arvis_playback_options po = {
        .sinks = sinks, .sink = {.path = r->wav}, .cb = on_playback, .ud = &r->w};
    assert_int_equal(arvis_speech_create(r->tts, &po, r->cfg, &r->sp, &err), ARVIS_OK);
}

/* Closes everything and returns the length of the WAV in seconds (-1 when there is none), with
 * the root mean square of its samples (of 32767) in r->rms. */
static double rig_close(struct rig *r)
{
    arvis_error err;
    assert_int_equal(arvis_speech_destroy(r->sp, true, &err), ARVIS_OK);
    arvis_tts_destroy(r->tts);
    arvis_config_free(r->cfg);
    pthread_cond_destroy(&r->w.cond);
    pthread_mutex_destroy(&r->w.mu);
    SF_INFO info;
    int16_t *x = atu_read_wav(r->wav, &info);
    if (!x) {
        return -1;
    }
    assert_int_equal(info.channels, 1);
    double sum = 0;
    for (sf_count_t i = 0; i < info.frames; i++) {
        sum += (double)x[i] * x[i];
    }
    r->rms = info.frames ? sqrt(sum / (double)info.frames) : 0;
    free(x);
    return (double)info.frames / info.samplerate;
}

static void say(struct rig *r, const char *text)
{
    assert_int_equal(arvis_speech_say(r->sp, text, strlen(text)), ARVIS_OK);
}

static void test_speech_speaks_sentences_in_order_and_records_them(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "flite", NULL);
    say(&r, "The first sentence.");
    say(&r, "**The second** one, with `code`.");
    say(&r, "And the [third](https://example.com).");
    arvis_error err;
    assert_int_equal(arvis_speech_finish(r.sp, &err), ARVIS_OK);
    char *spoken = arvis_speech_spoken(r.sp);
    assert_string_equal(spoken, "The first sentence. **The second** one, with `code`. And the "
                                "[third](https://example.com).");
    free(spoken);
    arvis_speech_stats st;
    arvis_speech_get_stats(r.sp, &st);
    assert_int_equal(st.sentences, 3);
    assert_int_equal(st.spoken, 3);
    assert_true(st.first_audio_ms >= 0);
    assert_true(st.audio_ms > 2000);
    assert_true(st.rtf > 0 && st.rtf < 1); /* faster than real time */
    /* the cleaned text was spoken: no "asterisk", no address */
    assert_int_equal(st.chars, strlen("The first sentence.") +
                                   strlen("The second one, with code.") + strlen("And the third."));
    assert_int_equal(r.w.started, 1);
    assert_int_equal(r.w.marks, 3);
    double seconds = rig_close(&r);
    assert_true(seconds * 1000 > st.audio_ms - 1 && seconds * 1000 < st.audio_ms + 1);
    assert_true(r.rms > 300); /* speech, not silence */
}

static void test_speech_keeps_going_after_a_sentence_it_cannot_read(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "flite", NULL);
    say(&r, "Hello.");
    say(&r, "Привет.");
    say(&r, "Goodbye.");
    arvis_error err;
    assert_int_equal(arvis_speech_finish(r.sp, &err), ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "Cyrillic"));
    char *spoken = arvis_speech_spoken(r.sp);
    assert_string_equal(spoken, "Hello. Goodbye.");
    free(spoken);
    /* the next answer starts clean */
    arvis_speech_reset(r.sp);
    say(&r, "Fine again.");
    assert_int_equal(arvis_speech_finish(r.sp, &err), ARVIS_OK);
    spoken = arvis_speech_spoken(r.sp);
    assert_string_equal(spoken, "Fine again.");
    free(spoken);
    assert_true(rig_close(&r) > 1.0);
}

static void test_speech_cancel_drops_what_waits_and_takes_more_after(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "null", (const char *[]){"tts.max_queue=64", NULL});
    /* Paused, nothing reaches the file: the synthesis thread fills the playback queue and
     * waits for room, with more sentences queued behind it. */
    arvis_playback_pause(arvis_speech_playback(r.sp));
    for (int i = 0; i < 40; i++) {
        say(&r, "A sentence that is queued with many others behind it.");
    }
    arvis_speech_cancel(r.sp);
    arvis_playback_resume(arvis_speech_playback(r.sp));
    arvis_speech_stats st;
    arvis_speech_get_stats(r.sp, &st);
    assert_int_equal(st.sentences, 40);
    assert_int_equal(st.spoken, 0);
    /* the answer is over until a reset, even for a cancel that came before the finish */
    arvis_error err;
    assert_int_equal(arvis_speech_finish(r.sp, &err), ARVIS_E_CANCELLED);
    assert_int_equal(arvis_speech_say(r.sp, "Late.", 5), ARVIS_E_CANCELLED);

    arvis_speech_reset(r.sp);
    say(&r, "After the stop.");
    assert_int_equal(arvis_speech_finish(r.sp, &err), ARVIS_OK);
    char *spoken = arvis_speech_spoken(r.sp);
    assert_string_equal(spoken, "After the stop.");
    free(spoken);
    /* the file holds that sentence alone: none of the cancelled audio was played */
    double seconds = rig_close(&r);
    double expected = strlen("After the stop.") / 14.0; /* tts.null.chars_per_second */
    assert_true(seconds > expected - 0.01 && seconds < expected + 0.01);
}

struct sayer {
    struct rig *r;
    int n;
};

static void *say_many(void *arg)
{
    struct sayer *s = arg;
    for (int i = 0; i < s->n; i++) {
        say(s->r, "Short one.");
    }
    return NULL;
}

static void test_speech_queue_is_bounded_and_loses_nothing(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "null", (const char *[]){"tts.max_queue=2", NULL});
    struct sayer s = {&r, 50};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, say_many, &s), 0);
    pthread_join(th, NULL);
    arvis_error err;
    assert_int_equal(arvis_speech_finish(r.sp, &err), ARVIS_OK);
    arvis_speech_stats st;
    arvis_speech_get_stats(r.sp, &st);
    assert_int_equal(st.sentences, 50);
    assert_int_equal(st.spoken, 50);
    double seconds = rig_close(&r);
    double expected = 50 * strlen("Short one.") / 14.0; /* tts.null.chars_per_second */
    assert_true(seconds > expected - 0.1 && seconds < expected + 0.1);
}

static void test_speech_says_nothing_for_a_code_block_option(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "null", (const char *[]){"tts.text.code_block_text=", NULL});
    say(&r, "```\nint main(void) { return 0; }\n```");
    arvis_error err;
    assert_int_equal(arvis_speech_finish(r.sp, &err), ARVIS_OK);
    arvis_speech_stats st;
    arvis_speech_get_stats(r.sp, &st);
    assert_int_equal(st.chars, 0);
    assert_true(rig_close(&r) <= 0.0);
}

static size_t queued(struct rig *r)
{
    arvis_speech_stats st;
    arvis_speech_get_stats(r->sp, &st);
    return st.sentences;
}

static void add(struct rig *r, const char *text, bool early)
{
    assert_int_equal(arvis_speech_add(r->sp, text, strlen(text), early), ARVIS_OK);
}

static char *finish_and_spoken(struct rig *r)
{
    arvis_error err;
    assert_int_equal(arvis_speech_finish(r->sp, &err), ARVIS_OK);
    return arvis_speech_spoken(r->sp);
}

static void test_speech_mode_realtime_speaks_an_early_clause_at_once(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "null", (const char *[]){"tts.mode=realtime", NULL});
    add(&r, "When the first clause is long,", true);
    assert_int_equal(queued(&r), 1);
    add(&r, "it goes before the rest.", false);
    assert_int_equal(queued(&r), 2);
    char *spoken = finish_and_spoken(&r);
    assert_string_equal(spoken, "When the first clause is long, it goes before the rest.");
    free(spoken);
    rig_close(&r);
}

static void test_speech_mode_sentence_by_sentence_joins_the_clause_to_its_sentence(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "null", (const char *[]){"tts.mode=sentence_by_sentence", NULL});
    add(&r, "When the first clause is long,", true);
    assert_int_equal(queued(&r), 0);
    add(&r, "it waits for the rest.", false);
    assert_int_equal(queued(&r), 1);
    add(&r, "Then the next.", false);
    assert_int_equal(queued(&r), 2);
    char *spoken = finish_and_spoken(&r);
    assert_string_equal(spoken,
                        "When the first clause is long, it waits for the rest. Then the next.");
    free(spoken);
    rig_close(&r);
}

static void test_speech_text_held_for_its_sentence_does_not_outlive_a_cancel(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "null", (const char *[]){"tts.mode=sentence_by_sentence", NULL});
    add(&r, "An early clause,", true);
    arvis_speech_cancel(r.sp);
    assert_int_equal(arvis_speech_add(r.sp, "old words,", 10, true), ARVIS_E_CANCELLED);
    arvis_speech_reset(r.sp);
    add(&r, "New answer.", false);
    char *spoken = finish_and_spoken(&r);
    assert_string_equal(spoken, "New answer.");
    free(spoken);
    rig_close(&r);
}

static void test_speech_mode_after_complete_waits_for_the_whole_answer(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "null", (const char *[]){"tts.mode=after_complete", NULL});
    add(&r, "One.", false);
    add(&r, "Two.", false);
    assert_int_equal(queued(&r), 0);
    char *spoken = finish_and_spoken(&r);
    assert_int_equal(queued(&r), 1);
    assert_string_equal(spoken, "One. Two.");
    free(spoken);
    rig_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_speech_speaks_sentences_in_order_and_records_them),
        cmocka_unit_test(test_speech_keeps_going_after_a_sentence_it_cannot_read),
        cmocka_unit_test(test_speech_cancel_drops_what_waits_and_takes_more_after),
        cmocka_unit_test(test_speech_queue_is_bounded_and_loses_nothing),
        cmocka_unit_test(test_speech_says_nothing_for_a_code_block_option),
        cmocka_unit_test(test_speech_mode_realtime_speaks_an_early_clause_at_once),
        cmocka_unit_test(test_speech_mode_sentence_by_sentence_joins_the_clause_to_its_sentence),
        cmocka_unit_test(test_speech_mode_after_complete_waits_for_the_whole_answer),
        cmocka_unit_test(test_speech_text_held_for_its_sentence_does_not_outlive_a_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
