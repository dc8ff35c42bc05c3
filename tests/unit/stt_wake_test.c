/* The wake phrase spotter on flite's voices: the phrase heard once, other sentences, silence and
 * noise not heard, cooldown, the playback threshold, a long stream, bad words and models. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/stt.h"
#include "stt_audio_test_util.h"
#include "test_util.h"

#define RATE 16000
#define CHUNK 1600 /* 100 ms, as a microphone delivers it */

static const char *const PHRASE = "hey arvis";

/* A spotter with the config overrides sets (NULL-terminated, or NULL). */
static arvis_wake *spotter(const char *const *sets)
{
    arvis_config *cfg = tu_config(sets);
    arvis_wake *w = NULL;
    arvis_error err = {0};
    if (arvis_wake_create(cfg, &w, &err) != ARVIS_OK) {
        fail_msg("cannot start the wake spotter: %s", err.msg);
    }
    arvis_config_free(cfg);
    return w;
}

/* How many feed calls said the phrase was heard, x fed in pieces of chunk samples. */
static int times_heard(arvis_wake *w, const sat_pcm *p, size_t chunk)
{
    int heard_n = 0;
    for (size_t at = 0; at < p->n; at += chunk) {
        bool heard = false;
        arvis_error err = {0};
        size_t k = p->n - at < chunk ? p->n - at : chunk;
        if (arvis_wake_feed(w, p->x + at, k, &heard, &err) != ARVIS_OK) {
            fail_msg("feeding the spotter failed: %s", err.msg);
        }
        heard_n += heard;
    }
    return heard_n;
}

/* flite's voice saying text, with silence_s of silence before and after. */
static sat_pcm said(const char *voice, const char *text, double silence_s)
{
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = sat_voice(cfg, voice);
    sat_pcm p = {.rate = RATE};
    sat_silence(&p, silence_s);
    sat_say(e, text, &p);
    sat_silence(&p, silence_s);
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
    return p;
}

static void expect_heard(const char *voice, const char *text, int times)
{
    sat_pcm p = said(voice, text, 1.0);
    arvis_wake *w = spotter(NULL);
    int n = times_heard(w, &p, CHUNK);
    if (n != times) {
        fail_msg("%s saying \"%s\" was heard %d times, expected %d", voice, text, n, times);
    }
    arvis_wake_destroy(w);
    sat_free(&p);
}

static void test_wake_hears_the_phrase_once_in_each_voice(void **state)
{
    (void)state;
    static const char *const voices[] = {"slt", "rms", "awb", "kal16"};
    for (size_t i = 0; i < sizeof voices / sizeof voices[0]; i++) {
        expect_heard(voices[i], PHRASE, 1);
    }
}

static void test_wake_hears_the_phrase_before_a_request(void **state)
{
    (void)state;
    expect_heard("slt", "hey arvis what time is it", 1);
}

static void test_wake_does_not_hear_other_sentences(void **state)
{
    (void)state;
    expect_heard("slt", "the weather is nice today", 0);
    expect_heard("slt", "please open the window", 0);
    expect_heard("awb", "have a nice day", 0);
}

static void test_wake_does_not_hear_silence_or_noise(void **state)
{
    (void)state;
    sat_pcm p = {.rate = RATE};
    sat_silence(&p, 10);
    arvis_wake *w = spotter(NULL);
    assert_int_equal(times_heard(w, &p, CHUNK), 0);
    uint32_t seed = 99;
    sat_add_noise(p.x, p.n, 2000, &seed);
    assert_int_equal(times_heard(w, &p, CHUNK), 0);
    arvis_wake_destroy(w);
    sat_free(&p);
}

/* The same stream in other pieces: the same detection. */
static void test_wake_chunk_size_does_not_matter(void **state)
{
    (void)state;
    sat_pcm p = said("slt", PHRASE, 1.0);
    static const size_t chunks[] = {160, 4096, 1 << 20};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        arvis_wake *w = spotter(NULL);
        assert_int_equal(times_heard(w, &p, chunks[i]), 1);
        arvis_wake_destroy(w);
    }
    sat_free(&p);
}

/* The phrase (without flite's quiet lead-in and tail), 1 s of silence, the phrase again: the
 * detections are ~1.8 s apart. */
static int heard_twice_said(const char *cooldown)
{
    sat_pcm once = said("slt", PHRASE, 0.0);
    size_t first, end;
    sat_speech_span(once.x, once.n, RATE, &first, &end);
    sat_pcm p = {.rate = RATE};
    sat_silence(&p, 1.0);
    sat_append(&p, once.x + first, end - first);
    sat_silence(&p, 1.0);
    sat_append(&p, once.x + first, end - first);
    sat_silence(&p, 1.0);
    const char *const sets[] = {cooldown, NULL};
    arvis_wake *w = spotter(sets);
    int n = times_heard(w, &p, CHUNK);
    arvis_wake_destroy(w);
    sat_free(&once);
    sat_free(&p);
    return n;
}

static void test_wake_cooldown_ignores_a_repeat(void **state)
{
    (void)state;
    assert_int_equal(heard_twice_said("wake.cooldown_ms=2000"), 1);
    assert_int_equal(heard_twice_said("wake.cooldown_ms=0"), 2);
}

/* awb's "hey arvis" scores between 1e-20 and 1e-2: heard while listening, not while speaking. */
static void test_wake_speaking_raises_the_threshold(void **state)
{
    (void)state;
    sat_pcm p = said("awb", PHRASE, 1.0);
    static const char *const sets[] = {"wake.playback_threshold=1e-2", NULL};
    arvis_wake *w = spotter(sets);
    arvis_error err = {0};
    assert_int_equal(arvis_wake_set_speaking(w, true, &err), ARVIS_OK);
    assert_int_equal(times_heard(w, &p, CHUNK), 0);
    assert_int_equal(arvis_wake_set_speaking(w, true, &err), ARVIS_OK); /* no change */
    assert_int_equal(times_heard(w, &p, CHUNK), 0);
    assert_int_equal(arvis_wake_set_speaking(w, false, &err), ARVIS_OK);
    assert_int_equal(times_heard(w, &p, CHUNK), 1);
    arvis_wake_destroy(w);
    sat_free(&p);
}

/* Three minutes of quiet noise, then the phrase: the utterance is restarted every 30 s on the
 * way, and a restart in the middle of the phrase does not lose it. */
static void test_wake_hears_the_phrase_after_a_long_stream(void **state)
{
    (void)state;
    sat_pcm phrase = said("slt", PHRASE, 0.0);
    sat_pcm p = {.rate = RATE};
    sat_silence(&p, 29.7); /* the phrase crosses the first restart, at 30 s */
    sat_append(&p, phrase.x, phrase.n);
    sat_silence(&p, 180.0 - (double)p.n / RATE);
    sat_append(&p, phrase.x, phrase.n);
    sat_silence(&p, 1.0);
    uint32_t seed = 2024;
    sat_add_noise(p.x, p.n, 100, &seed);
    arvis_wake *w = spotter(NULL);
    sat_pcm first = {.x = p.x, .n = 32 * RATE, .rate = RATE};
    sat_pcm rest = {.x = p.x + first.n, .n = p.n - first.n, .rate = RATE};
    assert_int_equal(times_heard(w, &first, CHUNK), 1);
    assert_int_equal(times_heard(w, &rest, CHUNK), 1);
    arvis_wake_destroy(w);
    sat_free(&phrase);
    sat_free(&p);
}

/* Half of the phrase, a reset, then the other half: neither half is the phrase. */
static void test_wake_reset_forgets_what_was_heard(void **state)
{
    (void)state;
    sat_pcm p = said("slt", PHRASE, 1.0);
    size_t first, end;
    sat_speech_span(p.x, p.n, RATE, &first, &end);
    size_t cut = first + (end - first) / 3; /* inside "arvis" */
    sat_pcm before = {.x = p.x, .n = cut, .rate = RATE};
    sat_pcm after = {.x = p.x + cut, .n = p.n - cut, .rate = RATE};
    arvis_wake *w = spotter(NULL);
    assert_int_equal(times_heard(w, &before, CHUNK), 0);
    arvis_wake_reset(w);
    assert_int_equal(times_heard(w, &after, CHUNK), 0);
    assert_int_equal(times_heard(w, &p, CHUNK), 1);
    arvis_wake_destroy(w);
    sat_free(&p);
}

static void expect_refused(const char *const *sets, int code, const char *a, const char *b)
{
    arvis_config *cfg = tu_config(sets);
    arvis_wake *w = (arvis_wake *)cfg; /* must be cleared */
    arvis_error err = {0};
    assert_int_equal(arvis_wake_create(cfg, &w, &err), code);
    assert_null(w);
    if (!strstr(err.msg, a) || !strstr(err.msg, b)) {
        fail_msg("\"%s\" does not name %s and %s", err.msg, a, b);
    }
    arvis_config_free(cfg);
}

static void test_wake_refuses_a_word_it_cannot_say(void **state)
{
    (void)state;
    static const char *const unknown[] = {"wake.phrase=hey zorblax", NULL};
    expect_refused(unknown, ARVIS_E_INVAL, "\"zorblax\"", "stt.pocketsphinx.words");
    static const char *const taught[] = {
        "wake.phrase=hey zorblax", "stt.pocketsphinx.words={\"zorblax\": \"Z AO R B L AE K S\"}",
        NULL};
    arvis_wake_destroy(spotter(taught));
    static const char *const bad_phone[] = {
        "wake.phrase=hey zorblax", "stt.pocketsphinx.words={\"zorblax\": \"ZZ AO R\"}", NULL};
    expect_refused(bad_phone, ARVIS_E_INVAL, "zorblax", "ZZ AO R");
}

static void test_wake_names_the_package_of_a_missing_model(void **state)
{
    (void)state;
    static const char *const sets[] = {"stt.pocketsphinx.model_dir=/nonexistent/en-us", NULL};
    expect_refused(sets, ARVIS_E_UNAVAILABLE, "pocketsphinx-en-us", "/nonexistent/en-us");
}

static void test_wake_refuses_bad_input(void **state)
{
    (void)state;
    arvis_wake *w = spotter(NULL);
    bool heard = true;
    arvis_error err = {0};
    int16_t x[4] = {0};
    assert_int_equal(arvis_wake_feed(w, NULL, 4, &heard, &err), ARVIS_E_INVAL);
    assert_int_equal(arvis_wake_feed(w, x, 4, NULL, &err), ARVIS_E_INVAL);
    assert_int_equal(arvis_wake_feed(w, x, 0, &heard, &err), ARVIS_OK);
    assert_false(heard);
    assert_int_equal(arvis_wake_set_speaking(NULL, true, &err), ARVIS_E_INVAL);
    arvis_wake_destroy(w);
    arvis_wake_destroy(NULL);
    arvis_wake_reset(NULL);
}

static void test_wake_strip_takes_the_phrase_off_a_transcript(void **state)
{
    (void)state;
    static const struct {
        const char *transcript, *rest;
    } cases[] = {
        {"hey arvis what time is it", "what time is it"},
        {"Hey Arvis, what time is it?", "what time is it?"},
        {"Hey, Arvis. What time is it?", "What time is it?"},
        {"  hey   arvis   turn it up", "turn it up"},
        {"HEY ARVIS", ""},
        {"hey arvis.", ""},
        {"hey arvis,", ""},
        {"hey arvisx what", "hey arvisx what"},
        {"hey", "hey"},
        {"what time is it", "what time is it"},
        {"say hey arvis", "say hey arvis"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *rest = arvis_wake_strip(PHRASE, cases[i].transcript);
        assert_string_equal(rest, cases[i].rest);
        /* A pointer into the transcript, not a copy. */
        assert_true(rest >= cases[i].transcript &&
                    rest <= cases[i].transcript + strlen(cases[i].transcript));
    }
    assert_string_equal(arvis_wake_strip("  hey,  arvis ", "Hey Arvis! Go"), "Go");
    assert_string_equal(arvis_wake_strip("", "hey arvis go"), "hey arvis go");
    assert_null(arvis_wake_strip(PHRASE, NULL));
    assert_string_equal(arvis_wake_strip(NULL, "hey arvis go"), "hey arvis go");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wake_hears_the_phrase_once_in_each_voice),
        cmocka_unit_test(test_wake_hears_the_phrase_before_a_request),
        cmocka_unit_test(test_wake_does_not_hear_other_sentences),
        cmocka_unit_test(test_wake_does_not_hear_silence_or_noise),
        cmocka_unit_test(test_wake_chunk_size_does_not_matter),
        cmocka_unit_test(test_wake_cooldown_ignores_a_repeat),
        cmocka_unit_test(test_wake_speaking_raises_the_threshold),
        cmocka_unit_test(test_wake_hears_the_phrase_after_a_long_stream),
        cmocka_unit_test(test_wake_reset_forgets_what_was_heard),
        cmocka_unit_test(test_wake_refuses_a_word_it_cannot_say),
        cmocka_unit_test(test_wake_names_the_package_of_a_missing_model),
        cmocka_unit_test(test_wake_refuses_bad_input),
        cmocka_unit_test(test_wake_strip_takes_the_phrase_off_a_transcript),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
