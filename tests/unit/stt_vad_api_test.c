/* The VAD's contract apart from speech: bad options and input refused with a message naming
 * them, options from the config, and events that wait for a caller that does not collect them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/stt.h"
#include "test_util.h"

#define RATE 16000
#define MS(ms) ((size_t)(ms)*RATE / 1000)

static const arvis_vad_options DEFAULTS = {
    .rate = RATE, .trailing_silence_ms = 800, .max_utterance_ms = 15000, .min_speech_ms = 200};

/* Short clicks far apart, with min_speech_ms 0: two events each, never collected. Each cycle
 * starts with silence, so the floor is that of a silent room from the first frame. */
static void test_vad_refuses_audio_while_too_many_events_wait(void **state)
{
    (void)state;
    arvis_vad_options o = DEFAULTS;
    o.min_speech_ms = 0;
    o.trailing_silence_ms = 100;
    const size_t cycle = MS(200), lead = MS(20), click = MS(30);
    const size_t cycles = 2100;
    int16_t *x = calloc(cycle * cycles, sizeof *x);
    assert_non_null(x);
    for (size_t c = 0; c < cycles; c++) {
        for (size_t i = 0; i < click; i++) {
            x[c * cycle + lead + i] = (int16_t)(i % 16 < 8 ? 10000 : -10000);
        }
    }
    arvis_vad *v = NULL;
    assert_int_equal(arvis_vad_create(&o, &v, NULL), ARVIS_OK);
    size_t n_ev = 1;
    assert_int_equal(arvis_vad_feed(v, x, cycle * cycles, NULL, 0, &n_ev), ARVIS_OK);
    assert_int_equal(n_ev, 0);
    assert_int_equal(arvis_vad_feed(v, x, cycle, NULL, 0, &n_ev), ARVIS_E_TOOBIG);
    arvis_vad_event ev[1024];
    size_t total = 0;
    do {
        assert_int_equal(arvis_vad_feed(v, NULL, 0, ev, 1024, &n_ev), ARVIS_OK);
        for (size_t i = 0; i < n_ev; i++) {
            assert_int_equal(ev[i].kind, (total + i) % 2 ? ARVIS_VAD_END : ARVIS_VAD_START);
        }
        total += n_ev;
    } while (n_ev);
    assert_int_equal(total, 2 * cycles);
    assert_int_equal(arvis_vad_feed(v, x, cycle, ev, 1024, &n_ev), ARVIS_OK);
    arvis_vad_destroy(v);
    free(x);
}

static void expect_refused(arvis_vad_options o, const char *word)
{
    arvis_vad *v = (arvis_vad *)&o; /* must be cleared */
    arvis_error err = {0};
    assert_int_equal(arvis_vad_create(&o, &v, &err), ARVIS_E_INVAL);
    assert_null(v);
    if (!strstr(err.msg, word)) {
        fail_msg("\"%s\" does not name %s", err.msg, word);
    }
}

static void test_vad_refuses_bad_options_and_input(void **state)
{
    (void)state;
    arvis_vad_options o = DEFAULTS;
    o.rate = 7999;
    expect_refused(o, "rate");
    o.rate = 96000;
    expect_refused(o, "rate");
    o = DEFAULTS;
    o.trailing_silence_ms = 0;
    expect_refused(o, "trailing_silence_ms");
    o = DEFAULTS;
    o.max_utterance_ms = 100;
    expect_refused(o, "max_utterance_ms");
    o = DEFAULTS;
    o.min_speech_ms = -1;
    expect_refused(o, "min_speech_ms");

    arvis_vad *v = NULL;
    arvis_error err = {0};
    assert_int_equal(arvis_vad_create(NULL, &v, &err), ARVIS_E_INVAL);
    o = DEFAULTS;
    o.rate = 0; /* the recognisers' rate */
    assert_int_equal(arvis_vad_create(&o, &v, &err), ARVIS_OK);
    arvis_vad_event ev[1];
    size_t n_ev = 0;
    assert_int_equal(arvis_vad_feed(v, NULL, 10, ev, 1, &n_ev), ARVIS_E_INVAL);
    int16_t x[10] = {0};
    assert_int_equal(arvis_vad_feed(v, x, 10, NULL, 1, &n_ev), ARVIS_E_INVAL);
    assert_int_equal(arvis_vad_feed(v, x, 10, ev, 1, NULL), ARVIS_E_INVAL);
    assert_int_equal(arvis_vad_feed(v, x, 10, ev, 1, &n_ev), ARVIS_OK);
    arvis_vad_destroy(v);
    arvis_vad_destroy(NULL);
}

static void test_vad_options_come_from_the_config(void **state)
{
    (void)state;
    static const char *const sets[] = {"stt.vad.trailing_silence_ms=500",
                                       "stt.vad.min_speech_ms=120", NULL};
    arvis_config *cfg = tu_config(sets);
    arvis_vad_options o = arvis_vad_options_from_config(cfg);
    assert_int_equal(o.rate, ARVIS_STT_RATE);
    assert_int_equal(o.trailing_silence_ms, 500);
    assert_int_equal(o.min_speech_ms, 120);
    assert_int_equal(o.max_utterance_ms, 15000); /* the schema's default */
    arvis_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vad_refuses_audio_while_too_many_events_wait),
        cmocka_unit_test(test_vad_refuses_bad_options_and_input),
        cmocka_unit_test(test_vad_options_come_from_the_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
