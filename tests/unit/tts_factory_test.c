/* The speech factory: the configured engine, fallback in order with an event for each engine
 * skipped, an engine named by the user without substitutes, and switching at run time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/tts.h"
#include "test_util.h"

struct events {
    size_t n;
    arvis_tts_event_kind kind[8];
    char from[8][32];
    char to[8][32];
    char why[8][600];
};

static void on_event(const arvis_tts_event *ev, void *ud)
{
    struct events *e = ud;
    if (e->n < 8) {
        e->kind[e->n] = ev->kind;
        snprintf(e->from[e->n], sizeof e->from[0], "%s", ev->from ? ev->from : "");
        snprintf(e->to[e->n], sizeof e->to[0], "%s", ev->to ? ev->to : "");
        snprintf(e->why[e->n], sizeof e->why[0], "%s", ev->why);
    }
    e->n++;
}

static bool count_cb(const int16_t *pcm, size_t n, int rate, void *ud)
{
    (void)pcm;
    (void)rate;
    *(size_t *)ud += n;
    return true;
}

static void test_factory_uses_the_configured_engine(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    struct events ev = {0};
    arvis_tts *t = NULL;
    arvis_error err;
    assert_int_equal(arvis_tts_create(cfg, NULL, NULL, on_event, &ev, &t, &err), ARVIS_OK);
    assert_string_equal(arvis_tts_engine_name(arvis_tts_engine_in_use(t)), "flite");
    assert_false(arvis_tts_fell_back(t));
    assert_int_equal(ev.n, 0);
    size_t samples = 0;
    assert_int_equal(arvis_tts_synth(t, "Ready when you are.", count_cb, &samples, &err), ARVIS_OK);
    assert_true(samples > 8000);
    arvis_tts_destroy(t);
    arvis_config_free(cfg);
}

static void test_factory_falls_back_in_order_saying_why(void **state)
{
    (void)state;
    arvis_config *cfg =
        tu_config((const char *[]){"tts.engine=espeak-ng", "tts.espeak-ng.voice=zz-nowhere",
                                   "tts.fallback=[\"espeak-ng\", \"null\"]", NULL});
    struct events ev = {0};
    arvis_tts *t = NULL;
    arvis_error err;
    assert_int_equal(arvis_tts_create(cfg, NULL, NULL, on_event, &ev, &t, &err), ARVIS_OK);
    assert_string_equal(arvis_tts_engine_name(arvis_tts_engine_in_use(t)), "null");
    assert_true(arvis_tts_fell_back(t));
    /* espeak-ng listed twice is tried once */
    assert_int_equal(ev.n, 1);
    assert_int_equal(ev.kind[0], ARVIS_TTS_FALLBACK);
    assert_string_equal(ev.from[0], "espeak-ng");
    assert_string_equal(ev.to[0], "null");
    assert_non_null(strstr(ev.why[0], "zz-nowhere"));
    arvis_tts_destroy(t);
    arvis_config_free(cfg);
}

static void test_factory_fails_when_no_engine_works(void **state)
{
    (void)state;
    {
        arvis_config *bad =
            tu_config((const char *[]){"tts.engine=espeak-ng", "tts.espeak-ng.voice=zz", NULL});
        arvis_tts *none = NULL;
        /* err may be NULL, as everywhere */
        assert_int_equal(arvis_tts_create(bad, NULL, NULL, NULL, NULL, &none, NULL), ARVIS_OK);
        assert_string_equal(arvis_tts_engine_name(arvis_tts_engine_in_use(none)), "null");
        assert_int_equal(arvis_tts_switch(none, "espeak-ng", "zz", NULL), ARVIS_E_NOTFOUND);
        arvis_tts_destroy(none);
        arvis_config_free(bad);
    }
    arvis_config *cfg = tu_config((const char *[]){
        "tts.engine=espeak-ng", "tts.espeak-ng.voice=zz-nowhere", "tts.fallback=[]", NULL});
    struct events ev = {0};
    arvis_tts *t = NULL;
    arvis_error err;
    assert_int_equal(arvis_tts_create(cfg, NULL, NULL, on_event, &ev, &t, &err), ARVIS_E_NOTFOUND);
    assert_null(t);
    assert_int_equal(ev.n, 0);
    assert_non_null(strstr(err.msg, "zz-nowhere"));
    arvis_config_free(cfg);
}

static void test_factory_engine_named_by_the_user_has_no_substitute(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    struct events ev = {0};
    arvis_tts *t = NULL;
    arvis_error err;
    assert_int_equal(arvis_tts_create(cfg, "flite", "nobody", on_event, &ev, &t, &err),
                     ARVIS_E_NOTFOUND);
    assert_null(t);
    assert_int_equal(ev.n, 0);
    assert_non_null(strstr(err.msg, "nobody"));
    assert_int_equal(arvis_tts_create(cfg, "espeak-ng", "ru", on_event, &ev, &t, &err), ARVIS_OK);
    assert_string_equal(arvis_tts_engine_voice(arvis_tts_engine_in_use(t)), "ru");
    arvis_tts_destroy(t);
    arvis_config_free(cfg);
}

static void test_factory_switch_keeps_the_old_engine_when_the_new_fails(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    struct events ev = {0};
    arvis_tts *t = NULL;
    arvis_error err;
    assert_int_equal(arvis_tts_create(cfg, NULL, NULL, on_event, &ev, &t, &err), ARVIS_OK);
    assert_int_equal(arvis_tts_switch(t, "espeak-ng", "nowhere-voice", &err), ARVIS_E_NOTFOUND);
    assert_string_equal(arvis_tts_engine_name(arvis_tts_engine_in_use(t)), "flite");
    assert_int_equal(ev.n, 1);
    assert_int_equal(ev.kind[0], ARVIS_TTS_SWITCH_FAILED);
    assert_non_null(strstr(ev.why[0], "keeping flite"));
    assert_int_equal(arvis_tts_switch(t, "festival", NULL, &err), ARVIS_E_NOTFOUND);
    assert_int_equal(ev.n, 2);

    assert_int_equal(arvis_tts_switch(t, "espeak-ng", "ru", &err), ARVIS_OK);
    assert_string_equal(arvis_tts_engine_name(arvis_tts_engine_in_use(t)), "espeak-ng");
    assert_false(arvis_tts_fell_back(t)); /* what was asked for last is in use */
    assert_int_equal(ev.n, 3);
    assert_int_equal(ev.kind[2], ARVIS_TTS_SWITCHED);
    assert_string_equal(ev.from[2], "flite");
    assert_string_equal(ev.to[2], "espeak-ng");
    size_t samples = 0;
    assert_int_equal(arvis_tts_synth(t, "Доброе утро.", count_cb, &samples, &err), ARVIS_OK);
    assert_true(samples > 11025);
    arvis_tts_destroy(t);
    arvis_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factory_uses_the_configured_engine),
        cmocka_unit_test(test_factory_falls_back_in_order_saying_why),
        cmocka_unit_test(test_factory_fails_when_no_engine_works),
        cmocka_unit_test(test_factory_engine_named_by_the_user_has_no_substitute),
        cmocka_unit_test(test_factory_switch_keeps_the_old_engine_when_the_new_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
