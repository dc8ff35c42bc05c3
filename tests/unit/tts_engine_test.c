/* Speech engines (flite, espeak-ng, null) through the registry: creation by name, voices, the
 * state machine, audio that is really speech, rates, scripts, cancel, health and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arvis/tts.h"
#include "test_util.h"

struct audio {
    size_t samples;
    int rate;
    double sum_squares;
    size_t calls;
    size_t stop_after;               /* calls; 0 never */
    arvis_tts_engine *cancel_engine; /* cancel this engine from inside the first call */
    arvis_tts_state state_seen;
};

static bool collect(const int16_t *pcm, size_t n, int rate, void *ud)
{
    struct audio *a = ud;
    a->rate = rate;
    a->samples += n;
    a->calls++;
    for (size_t i = 0; i < n; i++) {
        a->sum_squares += (double)pcm[i] * pcm[i];
    }
    if (a->cancel_engine) {
        a->state_seen = arvis_tts_engine_state(a->cancel_engine);
        arvis_tts_engine_cancel(a->cancel_engine);
    }
    return !(a->stop_after && a->calls >= a->stop_after);
}

static double seconds(const struct audio *a)
{
    return a->rate ? (double)a->samples / a->rate : 0;
}

static double rms(const struct audio *a)
{
    return a->samples ? sqrt(a->sum_squares / (double)a->samples) : 0;
}

static arvis_tts_engine *engine(arvis_config *cfg, const char *name, const char *voice)
{
    arvis_tts_engine *e = NULL;
    arvis_error err;
    int rc = arvis_tts_engine_create(name, cfg, voice, &e, &err);
    if (rc != ARVIS_OK) {
        fail_msg("cannot create %s: %s", name, err.msg);
    }
    assert_int_equal(arvis_tts_engine_state(e), ARVIS_TTS_READY);
    return e;
}

static struct audio speak(arvis_tts_engine *e, const char *text, int expect)
{
    struct audio a = {0};
    arvis_error err;
    int rc = arvis_tts_engine_synth(e, text, collect, &a, &err);
    if (rc != expect) {
        fail_msg("speaking \"%.40s\" gave %s (%s), expected %s", text, arvis_strerror(rc), err.msg,
                 arvis_strerror(expect));
    }
    return a;
}

static void test_engine_registry_lists_every_engine(void **state)
{
    (void)state;
    const char *const *names = arvis_tts_engine_names();
    const char *want[] = {"flite", "espeak-ng", "null"};
    for (size_t w = 0; w < 3; w++) {
        bool found = false;
        for (size_t i = 0; names[i]; i++) {
            found = found || strcmp(names[i], want[w]) == 0;
        }
        assert_true(found);
        assert_non_null(arvis_tts_engine_describe(want[w]));
    }
    assert_null(arvis_tts_engine_describe("festival"));
}

static void test_engine_unknown_name_lists_the_known_ones(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = NULL;
    arvis_error err;
    assert_int_equal(arvis_tts_engine_create("festival", cfg, NULL, &e, &err), ARVIS_E_NOTFOUND);
    assert_null(e);
    assert_non_null(strstr(err.msg, "festival"));
    assert_non_null(strstr(err.msg, "flite, espeak-ng, null"));
    arvis_config_free(cfg);
}

static void test_flite_speaks_english_at_16k(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = engine(cfg, "flite", NULL);
    assert_string_equal(arvis_tts_engine_voice(e), "slt");
    struct audio a = speak(e, "Hello there. The weather is fine today.", ARVIS_OK);
    assert_int_equal(a.rate, 16000);
    assert_int_equal(arvis_tts_engine_rate(e), 16000);
    assert_true(seconds(&a) > 1.0 && seconds(&a) < 6.0);
    assert_true(rms(&a) > 300);
    assert_true(a.calls > 1); /* streamed in chunks, not one block at the end */
    assert_int_equal(arvis_tts_engine_state(e), ARVIS_TTS_READY);
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
}

static void test_flite_every_voice_speaks_at_its_rate(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_voice *v = NULL;
    size_t n = 0;
    assert_int_equal(arvis_tts_engine_voices("flite", &v, &n, NULL), ARVIS_OK);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        arvis_tts_engine *e = engine(cfg, "flite", v[i].name);
        struct audio a = speak(e, "Good morning.", ARVIS_OK);
        assert_int_equal(a.rate, strcmp(v[i].name, "kal") == 0 ? 8000 : 16000);
        assert_true(seconds(&a) > 0.3);
        arvis_tts_engine_destroy(e);
    }
    free(v);
    arvis_config_free(cfg);
}

static void test_flite_rate_two_speaks_faster(void **state)
{
    (void)state;
    const char *text = "This sentence is read at two different speeds.";
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = engine(cfg, "flite", NULL);
    struct audio normal = speak(e, text, ARVIS_OK);
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
    cfg = tu_config((const char *[]){"tts.flite.rate=2", NULL});
    e = engine(cfg, "flite", NULL);
    struct audio fast = speak(e, text, ARVIS_OK);
    assert_true(seconds(&fast) < 0.7 * seconds(&normal));
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
}

static void test_flite_unknown_voice_lists_its_voices(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = NULL;
    arvis_error err;
    assert_int_equal(arvis_tts_engine_create("flite", cfg, "hal9000", &e, &err), ARVIS_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "hal9000"));
    assert_non_null(strstr(err.msg, "slt, kal, kal16, awb, rms"));
    arvis_config_free(cfg);
}

static void test_flite_refuses_cyrillic_and_names_a_way(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = engine(cfg, "flite", NULL);
    arvis_error err;
    struct audio a = {0};
    assert_int_equal(arvis_tts_engine_synth(e, "Привет, как дела?", collect, &a, &err),
                     ARVIS_E_INVAL);
    assert_int_equal(a.samples, 0);
    assert_non_null(strstr(err.msg, "Cyrillic"));
    assert_non_null(strstr(err.msg, "espeak-ng"));
    assert_int_equal(arvis_tts_engine_state(e), ARVIS_TTS_READY);
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
}

static void test_espeak_speaks_russian_with_voice_ru(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config((const char *[]){"tts.espeak-ng.voice=ru", NULL});
    arvis_tts_engine *e = engine(cfg, "espeak-ng", NULL);
    struct audio a = speak(e, "Привет, как дела?", ARVIS_OK);
    assert_int_equal(a.rate, 22050);
    assert_true(seconds(&a) > 0.5);
    assert_true(rms(&a) > 300);
    arvis_tts_engine_destroy(e);
    /* the English voice is told apart */
    e = engine(cfg, "espeak-ng", "en-us");
    arvis_error err;
    assert_int_equal(arvis_tts_engine_synth(e, "Привет, как дела?", collect, &a, &err),
                     ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "en-us"));
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
}

static void test_espeak_rate_changes_the_length(void **state)
{
    (void)state;
    const char *text = "Speaking quickly now.";
    arvis_config *slow = tu_config((const char *[]){"tts.espeak-ng.rate=100", NULL});
    arvis_tts_engine *e = engine(slow, "espeak-ng", NULL);
    struct audio a = speak(e, text, ARVIS_OK);
    arvis_tts_engine_destroy(e);
    arvis_config *fast = tu_config((const char *[]){"tts.espeak-ng.rate=400", NULL});
    e = engine(fast, "espeak-ng", NULL);
    struct audio b = speak(e, text, ARVIS_OK);
    arvis_tts_engine_destroy(e);
    assert_true(seconds(&b) < 0.6 * seconds(&a));
    arvis_config_free(slow);
    arvis_config_free(fast);
}

static void test_espeak_voices_include_russian_and_unknown_is_refused(void **state)
{
    (void)state;
    arvis_tts_voice *v = NULL;
    size_t n = 0;
    assert_int_equal(arvis_tts_engine_voices("espeak-ng", &v, &n, NULL), ARVIS_OK);
    assert_true(n > 50);
    bool ru = false, en = false;
    for (size_t i = 0; i < n; i++) {
        ru = ru || strcmp(v[i].name, "ru") == 0;
        en = en || strcmp(v[i].name, "en-us") == 0;
    }
    free(v);
    assert_true(ru && en);
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = NULL;
    arvis_error err;
    assert_int_equal(arvis_tts_engine_create("espeak-ng", cfg, "klingon", &e, &err),
                     ARVIS_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "klingon"));
    assert_non_null(strstr(err.msg, "arvis tts voices espeak-ng"));
    /* a variant of a known voice is accepted */
    e = engine(cfg, "espeak-ng", "en-us+f3");
    speak(e, "Variant.", ARVIS_OK);
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
}

static void test_null_makes_silence_as_long_as_the_text(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(
        (const char *[]){"tts.null.chars_per_second=10", "tts.null.sample_rate=8000", NULL});
    arvis_tts_engine *e = engine(cfg, "null", NULL);
    struct audio a = speak(e, "twenty characters!!!", ARVIS_OK); /* 20 characters: 2 s */
    assert_int_equal(a.rate, 8000);
    assert_int_equal(a.samples, 16000);
    assert_true(rms(&a) == 0);
    assert_int_equal(arvis_tts_engine_health(e, NULL), ARVIS_OK);
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
}

static void test_engine_state_is_speaking_during_synthesis(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = engine(cfg, "null", NULL);
    struct audio a = {.cancel_engine = e};
    arvis_error err;
    assert_int_equal(
        arvis_tts_engine_synth(e, "a long enough sentence to take chunks", collect, &a, &err),
        ARVIS_E_CANCELLED);
    assert_int_equal(a.state_seen, ARVIS_TTS_SPEAKING);
    assert_int_equal(a.calls, 1); /* the cancel took effect at the next chunk */
    assert_int_equal(arvis_tts_engine_state(e), ARVIS_TTS_READY);
    /* a cancel while idle is forgotten */
    arvis_tts_engine_cancel(e);
    speak(e, "again", ARVIS_OK);
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
}

static void test_engine_stops_when_the_callback_says_so(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    const char *names[] = {"flite", "espeak-ng"};
    for (size_t i = 0; i < 2; i++) {
        arvis_tts_engine *e = engine(cfg, names[i], NULL);
        struct audio a = {.stop_after = 1};
        arvis_error err;
        assert_int_equal(arvis_tts_engine_synth(e,
                                                "One long sentence that goes on and on, with "
                                                "many words, so that it takes several chunks.",
                                                collect, &a, &err),
                         ARVIS_E_CANCELLED);
        assert_int_equal(a.calls, 1);
        assert_int_equal(arvis_tts_engine_state(e), ARVIS_TTS_READY);
        arvis_tts_engine_destroy(e);
    }
    arvis_config_free(cfg);
}

static void test_engine_bad_text(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = engine(cfg, "flite", NULL);
    struct audio a = speak(e, "", ARVIS_OK);
    assert_int_equal(a.samples, 0);
    a = speak(e, "  \n\t ", ARVIS_OK);
    assert_int_equal(a.samples, 0);
    a = speak(e, "...", ARVIS_OK);
    assert_int_equal(a.samples, 0);
    arvis_error err;
    assert_int_equal(arvis_tts_engine_synth(e, "bad \xff byte", collect, &a, &err), ARVIS_E_UTF8);
    assert_non_null(strstr(err.msg, "UTF-8"));
    assert_int_equal(arvis_tts_engine_synth(e, NULL, collect, &a, &err), ARVIS_E_INVAL);
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
}

static void test_engine_speaks_a_long_text_without_ends_in_pieces(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = engine(cfg, "null", NULL);
    size_t len = 20000;
    char *text = malloc(len + 1);
    for (size_t i = 0; i < len; i++) {
        text[i] = i % 6 == 5 ? ' ' : 'a';
    }
    text[len] = '\0';
    struct audio a = speak(e, text, ARVIS_OK);
    double expected = 20000.0 / 14 * 16000; /* tts.null defaults: 14 characters a second */
    assert_true(fabs((double)a.samples - expected) < expected * 0.01);
    free(text);
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
}

static void test_engine_health_and_status(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = engine(cfg, "flite", "kal");
    arvis_error err;
    assert_int_equal(arvis_tts_engine_health(e, &err), ARVIS_OK);
    cJSON *st = arvis_tts_engine_status(e);
    assert_string_equal(cJSON_GetObjectItem(st, "engine")->valuestring, "flite");
    assert_string_equal(cJSON_GetObjectItem(st, "voice")->valuestring, "kal");
    assert_int_equal(cJSON_GetObjectItem(st, "sample_rate")->valueint, 8000);
    assert_string_equal(cJSON_GetObjectItem(st, "state")->valuestring, "ready");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(st, "last_error")));
    cJSON_Delete(st);
    struct audio a = {0};
    arvis_tts_engine_synth(e, "Да", collect, &a, &err);
    st = arvis_tts_engine_status(e);
    cJSON *last = cJSON_GetObjectItem(st, "last_error");
    assert_true(cJSON_IsString(last));
    assert_non_null(strstr(last->valuestring, "Cyrillic"));
    cJSON_Delete(st);
    assert_string_equal(arvis_tts_state_name(ARVIS_TTS_INITIALIZING), "initializing");
    assert_string_equal(arvis_tts_state_name(ARVIS_TTS_ERROR), "error");
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
}

static void test_engine_validate_checks_the_section(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config((const char *[]){"tts.espeak-ng.voice=zz-nowhere", NULL});
    arvis_error err;
    assert_int_equal(arvis_tts_engine_validate("espeak-ng", cfg, &err), ARVIS_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "zz-nowhere"));
    assert_int_equal(arvis_tts_engine_validate("flite", cfg, &err), ARVIS_OK);
    assert_int_equal(arvis_tts_engine_validate("nope", cfg, &err), ARVIS_E_NOTFOUND);
    arvis_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_registry_lists_every_engine),
        cmocka_unit_test(test_engine_unknown_name_lists_the_known_ones),
        cmocka_unit_test(test_flite_speaks_english_at_16k),
        cmocka_unit_test(test_flite_every_voice_speaks_at_its_rate),
        cmocka_unit_test(test_flite_rate_two_speaks_faster),
        cmocka_unit_test(test_flite_unknown_voice_lists_its_voices),
        cmocka_unit_test(test_flite_refuses_cyrillic_and_names_a_way),
        cmocka_unit_test(test_espeak_speaks_russian_with_voice_ru),
        cmocka_unit_test(test_espeak_rate_changes_the_length),
        cmocka_unit_test(test_espeak_voices_include_russian_and_unknown_is_refused),
        cmocka_unit_test(test_null_makes_silence_as_long_as_the_text),
        cmocka_unit_test(test_engine_state_is_speaking_during_synthesis),
        cmocka_unit_test(test_engine_stops_when_the_callback_says_so),
        cmocka_unit_test(test_engine_bad_text),
        cmocka_unit_test(test_engine_speaks_a_long_text_without_ends_in_pieces),
        cmocka_unit_test(test_engine_health_and_status),
        cmocka_unit_test(test_engine_validate_checks_the_section),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
