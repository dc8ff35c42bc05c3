/* Voice activity detection on real speech (flite, pocketsphinx's recording), silence and noise:
 * where utterances start and end, the cut, chunking, other rates, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/audio.h"
#include "arvis/stt.h"
#include "stt_audio_test_util.h"
#include "test_util.h"

#define MAX_EVENTS 64
#define RATE 16000
#define MS(ms, rate) ((uint64_t)(ms) * (uint64_t)(rate) / 1000)

static const char *const SENTENCE_1 = "Please open the window and let some fresh air in.";
static const char *const SENTENCE_2 = "The weather is nice today.";
static const char *const GOFORWARD = "/usr/share/pocketsphinx/test/data/goforward.raw";

static const arvis_vad_options DEFAULTS = {
    .rate = RATE, .trailing_silence_ms = 800, .max_utterance_ms = 15000, .min_speech_ms = 200};

static sat_pcm said_1, said_2; /* flite saying each sentence, shared by the tests */

struct events {
    arvis_vad_event ev[MAX_EVENTS];
    size_t n;
};

static int setup(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = sat_voice(cfg, "slt");
    sat_say(e, SENTENCE_1, &said_1);
    sat_say(e, SENTENCE_2, &said_2);
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sat_free(&said_1);
    sat_free(&said_2);
    return 0;
}

static void collect(arvis_vad *v, const int16_t *x, size_t n, size_t max_ev, struct events *out)
{
    arvis_vad_event ev[MAX_EVENTS];
    size_t got = 0;
    assert_int_equal(arvis_vad_feed(v, x, n, ev, max_ev, &got), ARVIS_OK);
    assert_true(got <= max_ev);
    assert_true(out->n + got <= MAX_EVENTS);
    memcpy(out->ev + out->n, ev, got * sizeof *ev);
    out->n += got;
}

/* The events of x fed in pieces of chunk samples, taking at most max_ev events a call. */
static struct events run_chunked(const arvis_vad_options *o, const int16_t *x, size_t n,
                                 size_t chunk, size_t max_ev)
{
    arvis_vad *v = NULL;
    assert_int_equal(arvis_vad_create(o, &v, NULL), ARVIS_OK);
    struct events out = {0};
    for (size_t at = 0; at < n; at += chunk) {
        collect(v, x + at, n - at < chunk ? n - at : chunk, max_ev, &out);
    }
    for (size_t before = out.n + 1; out.n != before;) { /* what was kept for later calls */
        before = out.n;
        collect(v, NULL, 0, max_ev, &out);
    }
    arvis_vad_destroy(v);
    return out;
}

static struct events run(const arvis_vad_options *o, const sat_pcm *p)
{
    return run_chunked(o, p->x, p->n, p->n, MAX_EVENTS);
}

static void expect_kinds(const struct events *e, const char *kinds)
{
    char got[MAX_EVENTS + 1] = "";
    for (size_t i = 0; i < e->n; i++) {
        got[i] = e->ev[i].kind == ARVIS_VAD_START ? 'S'
                 : e->ev[i].kind == ARVIS_VAD_END ? 'E'
                                                  : 'C';
    }
    assert_string_equal(got, kinds);
}

static void expect_between(uint64_t v, int64_t lo, int64_t hi, const char *what)
{
    if ((int64_t)v < lo || (int64_t)v > hi) {
        fail_msg("%s at sample %llu, expected %lld to %lld", what, (unsigned long long)v,
                 (long long)lo, (long long)hi);
    }
}

/* silence_s, then the speech, then silence_s, at 16 kHz. */
static sat_pcm padded(const sat_pcm *speech, double silence_s)
{
    sat_pcm p = {.rate = RATE};
    sat_silence(&p, silence_s);
    sat_append(&p, speech->x, speech->n);
    sat_silence(&p, silence_s);
    return p;
}

/* START within the pre-roll before the first loud frame, END trailing_silence_ms after the
 * last one (a little more for the quiet tail of the last sound). */
static void expect_utterance(const struct events *e, size_t i, size_t first, size_t end, int rate,
                             int trailing_ms)
{
    assert_int_equal(e->ev[i].kind, ARVIS_VAD_START);
    assert_int_equal(e->ev[i + 1].kind, ARVIS_VAD_END);
    expect_between(e->ev[i].sample, (int64_t)(first - MS(400, rate)), (int64_t)first, "START");
    int64_t done = (int64_t)(end + MS(trailing_ms, rate));
    expect_between(e->ev[i + 1].sample, done - (int64_t)MS(50, rate), done + (int64_t)MS(250, rate),
                   "END");
}

static void test_vad_silence_gives_no_event(void **state)
{
    (void)state;
    sat_pcm p = {.rate = RATE};
    sat_silence(&p, 10);
    struct events e = run(&DEFAULTS, &p);
    assert_int_equal(e.n, 0);
    sat_free(&p);
}

/* A steady noise from the start is the floor itself: never speech. */
static void test_vad_steady_white_noise_is_not_speech(void **state)
{
    (void)state;
    sat_pcm p = {.rate = RATE};
    sat_silence(&p, 20);
    uint32_t seed = 12345;
    sat_add_noise(p.x, p.n, 1000, &seed);
    struct events e = run(&DEFAULTS, &p);
    assert_int_equal(e.n, 0);
    sat_free(&p);
}

/* A steady noise that begins in a silent room is loud for as long as the floor takes to rise
 * to it (2.5 s): one utterance at most, and it ends. */
static void test_vad_noise_that_begins_is_one_utterance_at_most(void **state)
{
    (void)state;
    sat_pcm p = {.rate = RATE};
    sat_silence(&p, 20);
    uint32_t seed = 777;
    size_t onset = 2 * RATE;
    sat_add_noise(p.x + onset, p.n - onset, 1000, &seed);
    struct events e = run(&DEFAULTS, &p);
    expect_kinds(&e, "SE");
    expect_between(e.ev[1].sample, (int64_t)onset, (int64_t)(onset + MS(4000, RATE)), "END");
    sat_free(&p);
}

static void test_vad_finds_one_padded_sentence(void **state)
{
    (void)state;
    sat_pcm p = padded(&said_1, 1.0);
    size_t first, end;
    sat_speech_span(p.x, p.n, RATE, &first, &end);
    struct events e = run(&DEFAULTS, &p);
    expect_kinds(&e, "SE");
    expect_utterance(&e, 0, first, end, RATE, DEFAULTS.trailing_silence_ms);

    arvis_vad *v = NULL;
    assert_int_equal(arvis_vad_create(&DEFAULTS, &v, NULL), ARVIS_OK);
    struct events part = {0};
    size_t middle = (first + end) / 2;
    collect(v, p.x, middle, MAX_EVENTS, &part);
    assert_true(arvis_vad_in_speech(v));
    collect(v, p.x + middle, p.n - middle, MAX_EVENTS, &part);
    assert_false(arvis_vad_in_speech(v));
    assert_int_equal(part.n, 2);
    arvis_vad_destroy(v);
    sat_free(&p);
}

/* A recording cut at its first word: the floor is not known at the first frame, yet START is
 * there, not at the first pause the floor is learnt from. */
static void test_vad_speech_from_the_first_sample_starts_there(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *kal = sat_voice(cfg, "kal16");
    sat_pcm p = {.rate = RATE};
    sat_say_cut(kal, "What is twelve times seven?", &p); /* "what" as loud as what follows */
    arvis_tts_engine_destroy(kal);
    arvis_config_free(cfg);
    sat_silence(&p, 1.0);
    struct events e = run(&DEFAULTS, &p);
    expect_kinds(&e, "SE");
    expect_between(e.ev[0].sample, 0, (int64_t)MS(10, RATE), "START");
    sat_free(&p);
}

static sat_pcm two_sentences(double gap_s)
{
    sat_pcm p = {.rate = RATE};
    sat_silence(&p, 1.0);
    sat_append(&p, said_1.x, said_1.n);
    sat_silence(&p, gap_s);
    sat_append(&p, said_2.x, said_2.n);
    sat_silence(&p, 1.0);
    return p;
}

static void test_vad_two_seconds_apart_are_two_utterances(void **state)
{
    (void)state;
    sat_pcm p = two_sentences(2.0);
    size_t first1, end1, first2, end2;
    size_t second = RATE + said_1.n + 2 * RATE;
    sat_speech_span(p.x, second, RATE, &first1, &end1);
    sat_speech_span(p.x + second, p.n - second, RATE, &first2, &end2);
    struct events e = run(&DEFAULTS, &p);
    expect_kinds(&e, "SESE");
    expect_utterance(&e, 0, first1, end1, RATE, DEFAULTS.trailing_silence_ms);
    expect_utterance(&e, 2, second + first2, second + end2, RATE, DEFAULTS.trailing_silence_ms);
    sat_free(&p);
}

static void test_vad_a_pause_shorter_than_the_trailing_silence_is_one_utterance(void **state)
{
    (void)state;
    sat_pcm p = two_sentences(0.3);
    size_t first, end;
    sat_speech_span(p.x, p.n, RATE, &first, &end);
    struct events e = run(&DEFAULTS, &p);
    expect_kinds(&e, "SE");
    expect_utterance(&e, 0, first, end, RATE, DEFAULTS.trailing_silence_ms);
    sat_free(&p);
}

/* 20 s of speech without a pause as long as the trailing silence: an utterance is cut every
 * max_utterance_ms, and the next begins where the cut was. */
static void test_vad_cuts_an_overlong_utterance(void **state)
{
    (void)state;
    sat_pcm p = {.rate = RATE};
    while (p.n < 20 * (size_t)RATE) {
        sat_append(&p, said_1.x, said_1.n);
        sat_append(&p, said_2.x, said_2.n);
    }
    arvis_vad_options o = DEFAULTS;
    o.max_utterance_ms = 5000;
    struct events e = run(&o, &p);
    assert_true(e.n >= 6);
    assert_int_equal(e.ev[0].kind, ARVIS_VAD_START);
    expect_between(e.ev[0].sample, 0, (int64_t)MS(300, RATE), "first START");
    assert_int_equal(e.ev[1].kind, ARVIS_VAD_CUT);
    assert_int_equal(e.ev[1].sample, e.ev[0].sample + MS(5000, RATE));
    size_t cuts = 0;
    for (size_t i = 0; i + 1 < e.n; i += 2) {
        assert_int_equal(e.ev[i].kind, ARVIS_VAD_START);
        if (e.ev[i + 1].kind == ARVIS_VAD_CUT) {
            assert_int_equal(e.ev[i + 1].sample, e.ev[i].sample + MS(5000, RATE));
            cuts++;
        }
        /* The next utterance starts where the cut was, or soon after at a pause. */
        assert_true(i == 0 || e.ev[i].sample - e.ev[i - 1].sample <= MS(600, RATE));
    }
    assert_true(cuts >= 3);
    sat_free(&p);
}

static void expect_same(const struct events *a, const struct events *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(a->ev[i].kind, b->ev[i].kind);
        assert_int_equal(a->ev[i].sample, b->ev[i].sample);
    }
}

static void test_vad_chunk_size_does_not_change_the_events(void **state)
{
    (void)state;
    sat_pcm p = two_sentences(2.0);
    struct events whole = run(&DEFAULTS, &p);
    assert_int_equal(whole.n, 4);
    static const size_t chunks[] = {1, 160, 4096};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        struct events e = run_chunked(&DEFAULTS, p.x, p.n, chunks[i], MAX_EVENTS);
        expect_same(&whole, &e);
    }
    /* One event a call: the others wait for the next calls, in order. */
    struct events one = run_chunked(&DEFAULTS, p.x, p.n, p.n, 1);
    expect_same(&whole, &one);
    sat_free(&p);
}

static sat_pcm resampled(const sat_pcm *p, int rate)
{
    arvis_resampler *r = NULL;
    assert_int_equal(arvis_resampler_create(RATE, rate, &r, NULL), ARVIS_OK);
    int16_t *out = NULL;
    size_t n = 0;
    assert_int_equal(arvis_resample(r, p->x, p->n, true, &out, &n, NULL), ARVIS_OK);
    arvis_resampler_destroy(r);
    sat_pcm q = {.rate = rate};
    sat_append(&q, out, n);
    free(out);
    return q;
}

static void test_vad_works_at_8_and_48_khz(void **state)
{
    (void)state;
    static const int rates[] = {8000, 48000};
    sat_pcm p = padded(&said_1, 1.0);
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        sat_pcm q = resampled(&p, rates[i]);
        size_t first, end;
        sat_speech_span(q.x, q.n, rates[i], &first, &end);
        arvis_vad_options o = DEFAULTS;
        o.rate = rates[i];
        struct events e = run(&o, &q);
        expect_kinds(&e, "SE");
        expect_utterance(&e, 0, first, end, rates[i], o.trailing_silence_ms);
        sat_free(&q);
    }
    sat_free(&p);
}

/* White noise 20 dB below the speech, before, during and after it. */
static void test_vad_finds_speech_in_background_noise(void **state)
{
    (void)state;
    sat_pcm p = padded(&said_1, 1.0);
    size_t first, end;
    sat_speech_span(p.x, p.n, RATE, &first, &end);
    double speech = sat_rms(p.x + first, end - first);
    uint32_t seed = 4242;
    sat_add_noise(p.x, p.n, speech / 10.0, &seed);
    struct events e = run(&DEFAULTS, &p);
    expect_kinds(&e, "SE");
    expect_between(e.ev[0].sample, (int64_t)(first - MS(400, RATE)),
                   (int64_t)(first + MS(200, RATE)), "START");
    int64_t done = (int64_t)(end + MS(DEFAULTS.trailing_silence_ms, RATE));
    expect_between(e.ev[1].sample, done - (int64_t)MS(400, RATE), done + (int64_t)MS(250, RATE),
                   "END");
    sat_free(&p);
}

/* pocketsphinx's own test recording ("go forward ten meters"), a real room's noise included;
 * silence after it lets the trailing silence pass. */
static void test_vad_finds_the_recorded_utterance(void **state)
{
    (void)state;
    size_t bytes = 0;
    char *raw = tu_read(GOFORWARD, &bytes);
    assert_non_null(raw);
    sat_pcm p = {.rate = RATE};
    sat_append(&p, (const int16_t *)(const void *)raw, bytes / 2);
    free(raw);
    sat_silence(&p, 1.0);
    struct events e = run(&DEFAULTS, &p);
    expect_kinds(&e, "SE");
    /* The recording is quiet until 0.45 s and speech fades out by 2.4 s; bursts of its noise
     * 6 to 10 dB above the rest go on until it ends at 2.79 s. */
    expect_between(e.ev[0].sample, (int64_t)MS(100, RATE), (int64_t)MS(500, RATE), "START");
    expect_between(e.ev[1].sample, (int64_t)MS(3100, RATE), (int64_t)MS(3800, RATE), "END");
    sat_free(&p);
}

static void test_vad_reset_starts_the_stream_again(void **state)
{
    (void)state;
    sat_pcm p = padded(&said_1, 1.0);
    struct events fresh = run(&DEFAULTS, &p);
    arvis_vad *v = NULL;
    assert_int_equal(arvis_vad_create(&DEFAULTS, &v, NULL), ARVIS_OK);
    struct events ignored = {0};
    collect(v, p.x, p.n / 2, 0, &ignored); /* an event found here is kept, then forgotten */
    assert_true(arvis_vad_in_speech(v));
    arvis_vad_reset(v);
    assert_false(arvis_vad_in_speech(v));
    struct events again = {0};
    collect(v, p.x, p.n, MAX_EVENTS, &again);
    expect_same(&fresh, &again);
    arvis_vad_destroy(v);
    sat_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vad_silence_gives_no_event),
        cmocka_unit_test(test_vad_steady_white_noise_is_not_speech),
        cmocka_unit_test(test_vad_noise_that_begins_is_one_utterance_at_most),
        cmocka_unit_test(test_vad_finds_one_padded_sentence),
        cmocka_unit_test(test_vad_speech_from_the_first_sample_starts_there),
        cmocka_unit_test(test_vad_two_seconds_apart_are_two_utterances),
        cmocka_unit_test(test_vad_a_pause_shorter_than_the_trailing_silence_is_one_utterance),
        cmocka_unit_test(test_vad_cuts_an_overlong_utterance),
        cmocka_unit_test(test_vad_chunk_size_does_not_change_the_events),
        cmocka_unit_test(test_vad_works_at_8_and_48_khz),
        cmocka_unit_test(test_vad_finds_speech_in_background_noise),
        cmocka_unit_test(test_vad_finds_the_recorded_utterance),
        cmocka_unit_test(test_vad_reset_starts_the_stream_again),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
