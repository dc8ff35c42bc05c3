/* Speech recognisers (pocketsphinx, null) through the registry: names, bad configurations, a
 * real recording with word timings, grammar mode, silence and noise, reuse, cancel, status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arvis/stt.h"
#include "health_test_util.h"
#include "test_util.h"

#define TESTDATA "/usr/share/pocketsphinx/test/data/"
#define GOFORWARD_TEXT "go forward ten meters"

struct pcm {
    int16_t *s;
    size_t n;
};

/* goforward.raw: 16 kHz mono s16le, "go forward ten meters". */
static struct pcm goforward(void)
{
    size_t len = 0;
    char *bytes = tu_read(TESTDATA "goforward.raw", &len);
    if (!bytes) {
        fail_msg("cannot read " TESTDATA "goforward.raw (package pocketsphinx-testdata)");
    }
    return (struct pcm){(int16_t *)(void *)bytes, len / sizeof(int16_t)};
}

static arvis_stt *recogniser(const char *engine, const char *const *sets)
{
    arvis_config *cfg = tu_config(sets);
    arvis_stt *s = NULL;
    arvis_error err;
    int rc = arvis_stt_create(cfg, engine, &s, &err);
    arvis_config_free(cfg);
    if (rc != ARVIS_OK) {
        fail_msg("cannot create %s: %s", engine ? engine : "stt.engine", err.msg);
    }
    return s;
}

/* Creating with sets fails with code, and the message contains each of the NULL-ended words. */
static void create_fails(const char *const *sets, int code, const char *const *words)
{
    arvis_config *cfg = tu_config(sets);
    arvis_stt *s = NULL;
    arvis_error err;
    arvis_error_clear(&err);
    int rc = arvis_stt_create(cfg, NULL, &s, &err);
    arvis_config_free(cfg);
    assert_null(s);
    if (rc != code) {
        fail_msg("expected %s, got %s: %s", arvis_strerror(code), arvis_strerror(rc), err.msg);
    }
    for (size_t i = 0; words[i]; i++) {
        if (!strstr(err.msg, words[i])) {
            fail_msg("\"%s\" does not name \"%s\"", err.msg, words[i]);
        }
    }
}

static arvis_stt_result *hear(arvis_stt *s, const int16_t *pcm, size_t n)
{
    arvis_stt_result *r = NULL;
    arvis_error err;
    if (arvis_stt_recognize(s, pcm, n, &r, &err) != ARVIS_OK) {
        fail_msg("recognising %zu samples failed: %s", n, err.msg);
    }
    assert_non_null(r->text);
    return r;
}

static void test_engine_names_list_pocketsphinx_and_null(void **state)
{
    (void)state;
    const char *const *names = arvis_stt_engine_names();
    assert_string_equal(names[0], "pocketsphinx");
    assert_string_equal(names[1], "null");
    assert_null(names[2]);
    assert_non_null(strstr(arvis_stt_engine_describe("null"), "nothing"));
    assert_null(arvis_stt_engine_describe("whisper"));
}

static void test_unknown_engine_names_the_known_ones(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_stt *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_stt_create(cfg, "whisper", &s, &err), ARVIS_E_NOTFOUND);
    assert_null(s);
    assert_non_null(strstr(err.msg, "\"whisper\""));
    assert_non_null(strstr(err.msg, "pocketsphinx, null"));
    arvis_config_free(cfg);
}

static void test_missing_model_folder_names_the_debian_package(void **state)
{
    (void)state;
    create_fails((const char *[]){"stt.pocketsphinx.model_dir=/nonexistent/en-us", NULL},
                 ARVIS_E_UNAVAILABLE,
                 (const char *[]){"/nonexistent/en-us", "pocketsphinx-en-us",
                                  "stt.pocketsphinx.model_dir", NULL});
    create_fails((const char *[]){"stt.pocketsphinx.dictionary=/nonexistent.dict", NULL},
                 ARVIS_E_UNAVAILABLE,
                 (const char *[]){"/nonexistent.dict", "stt.pocketsphinx.dictionary", NULL});
}

static void test_null_engine_hears_nothing(void **state)
{
    (void)state;
    arvis_stt *s = recogniser("null", NULL);
    assert_string_equal(arvis_stt_name(s), "null");
    struct pcm g = goforward();
    arvis_stt_result *r = hear(s, g.s, g.n);
    assert_string_equal(r->text, "");
    assert_int_equal(r->n_words, 0);
    assert_true(r->audio_s > 2.7 && r->audio_s < 2.8); /* 44580 samples */
    assert_null(arvis_stt_partial(s));
    arvis_error err;
    assert_int_equal(arvis_stt_health(s, &err), ARVIS_OK);
    arvis_stt_result_free(r);
    free(g.s);
    arvis_stt_destroy(s);
}

static void test_goforward_is_recognised_with_word_timings(void **state)
{
    (void)state;
    arvis_stt *s = recogniser(NULL, NULL);
    assert_string_equal(arvis_stt_name(s), "pocketsphinx");
    struct pcm g = goforward();
    arvis_stt_result *r = hear(s, g.s, g.n);
    assert_string_equal(r->text, GOFORWARD_TEXT);
    assert_int_equal(r->n_words, 4);
    const char *expect[] = {"go", "forward", "ten", "meters"};
    double last_end = 0;
    for (size_t i = 0; i < r->n_words; i++) {
        const arvis_stt_word *w = &r->words[i];
        print_message("# %-8s %.2f-%.2f s, confidence %.2f\n", w->word, w->start_s, w->end_s,
                      w->confidence);
        assert_string_equal(w->word, expect[i]);
        assert_true(w->start_s >= last_end && w->end_s > w->start_s);
        assert_true(w->end_s <= r->audio_s + 0.01);
        assert_true(w->confidence >= 0 && w->confidence <= 1);
        last_end = w->end_s;
    }
    print_message("# %.2f s of audio recognised in %.3f s: real-time factor %.3f\n", r->audio_s,
                  r->elapsed_s, r->elapsed_s / r->audio_s);
    assert_true(r->elapsed_s > 0);
    arvis_stt_result_free(r);
    free(g.s);
    arvis_stt_destroy(s);
}

static void test_grammar_mode_recognises_goforward(void **state)
{
    (void)state;
    arvis_stt *s = recogniser(
        NULL, (const char *[]){"stt.pocketsphinx.grammar=" TESTDATA "goforward.gram", NULL});
    struct pcm g = goforward();
    arvis_stt_result *r = hear(s, g.s, g.n);
    assert_string_equal(r->text, GOFORWARD_TEXT);
    cJSON *st = arvis_stt_status(s);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(st, "mode")), "grammar");
    assert_null(cJSON_GetObjectItem(st, "language_model"));
    cJSON_Delete(st);
    arvis_stt_result_free(r);
    free(g.s);
    arvis_stt_destroy(s);
}

/* A grammar of the test's own, where "go forward ten meters" is one choice among others, and
 * one that is the other way round: the recording must pick the right branch. */
static void test_own_grammar_picks_what_was_said(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "robot.gram");
    tu_write(path,
             "#JSGF V1.0;\ngrammar robot;\n"
             "public <cmd> = (go | turn) (forward | back | left | right) [(one | two | ten) "
             "[meters]] | stop | what time is it;\n",
             -1);
    char set[512];
    snprintf(set, sizeof set, "stt.pocketsphinx.grammar=%s", path);
    arvis_stt *s = recogniser(NULL, (const char *[]){set, NULL});
    struct pcm g = goforward();
    arvis_stt_result *r = hear(s, g.s, g.n);
    assert_string_equal(r->text, GOFORWARD_TEXT);
    arvis_stt_result_free(r);
    free(g.s);
    arvis_stt_destroy(s);
    tu_rmtree(dir);
}

static void test_bad_grammars_are_named(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *broken = tu_path(dir, "broken.gram");
    tu_write(broken, "#JSGF V1.0;\ngrammar x;\npublic <a> = ( go forward ;\n", -1);
    char set[512];
    snprintf(set, sizeof set, "stt.pocketsphinx.grammar=%s", broken);
    create_fails((const char *[]){set, NULL}, ARVIS_E_PARSE, (const char *[]){broken, NULL});

    const char *unknown = tu_path(dir, "unknown.gram");
    tu_write(unknown, "#JSGF V1.0;\ngrammar x;\npublic <a> = go qzxvw;\n", -1);
    snprintf(set, sizeof set, "stt.pocketsphinx.grammar=%s", unknown);
    create_fails((const char *[]){set, NULL}, ARVIS_E_INVAL,
                 (const char *[]){unknown, "stt.pocketsphinx.words", NULL});

    const char *missing = tu_path(dir, "missing.gram");
    snprintf(set, sizeof set, "stt.pocketsphinx.grammar=%s", missing);
    create_fails((const char *[]){set, NULL}, ARVIS_E_NOTFOUND, (const char *[]){missing, NULL});
    tu_rmtree(dir);
}

static void test_silence_gives_an_empty_transcript(void **state)
{
    (void)state;
    arvis_stt *s = recogniser(NULL, NULL);
    size_t n = 2 * ARVIS_STT_RATE;
    int16_t *quiet = calloc(n, sizeof *quiet);
    arvis_stt_result *r = hear(s, quiet, n);
    assert_string_equal(r->text, "");
    assert_int_equal(r->n_words, 0);
    arvis_stt_result_free(r);
    free(quiet);
    arvis_stt_destroy(s);
}

/* Loud white noise, then the most extreme samples there are: words or nothing, but an answer. */
static void test_noise_and_garbage_do_not_crash(void **state)
{
    (void)state;
    arvis_stt *s = recogniser(NULL, NULL);
    size_t n = 2 * ARVIS_STT_RATE;
    int16_t *noise = malloc(n * sizeof *noise);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1664525u + 1013904223u;
        noise[i] = (int16_t)(x >> 16);
    }
    arvis_stt_result *r = hear(s, noise, n);
    print_message("# white noise heard as \"%s\"\n", r->text);
    arvis_stt_result_free(r);
    for (size_t i = 0; i < n; i++) {
        noise[i] = (i / 7) % 2 ? INT16_MAX : INT16_MIN;
    }
    r = hear(s, noise, n);
    arvis_stt_result_free(r);
    r = hear(s, noise, 1); /* a single sample */
    assert_string_equal(r->text, "");
    arvis_stt_result_free(r);
    free(noise);
    arvis_stt_destroy(s);
}

static void test_several_utterances_in_a_row(void **state)
{
    (void)state;
    arvis_stt *s = recogniser(NULL, NULL);
    struct pcm g = goforward();
    size_t quiet_n = ARVIS_STT_RATE;
    int16_t *quiet = calloc(quiet_n, sizeof *quiet);
    arvis_error err;
    for (int i = 0; i < 3; i++) {
        arvis_stt_result *r = hear(s, g.s, g.n);
        assert_string_equal(r->text, GOFORWARD_TEXT);
        arvis_stt_result_free(r);
        r = hear(s, quiet, quiet_n);
        assert_string_equal(r->text, "");
        arvis_stt_result_free(r);
    }
    /* A start in the middle of an utterance drops it: only what follows is heard. */
    assert_int_equal(arvis_stt_start(s, &err), ARVIS_OK);
    assert_int_equal(arvis_stt_feed(s, quiet, quiet_n, &err), ARVIS_OK);
    arvis_stt_result *r = hear(s, g.s, g.n);
    assert_string_equal(r->text, GOFORWARD_TEXT);
    arvis_stt_result_free(r);
    /* No utterance: feed and finish say so. */
    assert_int_equal(arvis_stt_feed(s, quiet, quiet_n, &err), ARVIS_E_STATE);
    assert_non_null(strstr(err.msg, "arvis_stt_start"));
    assert_int_equal(arvis_stt_finish(s, &r, &err), ARVIS_E_STATE);
    assert_null(r);
    free(quiet);
    free(g.s);
    arvis_stt_destroy(s);
}

static void *cancel_thread(void *s)
{
    arvis_stt_cancel(s);
    return NULL;
}

static void test_cancel_from_another_thread_stops_feeding(void **state)
{
    (void)state;
    arvis_stt *s = recogniser(NULL, NULL);
    struct pcm g = goforward();
    arvis_error err;
    assert_int_equal(arvis_stt_start(s, &err), ARVIS_OK);
    assert_int_equal(arvis_stt_feed(s, g.s, g.n / 2, &err), ARVIS_OK);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_thread, s), 0);
    pthread_join(t, NULL);
    assert_int_equal(arvis_stt_feed(s, g.s + g.n / 2, g.n - g.n / 2, &err), ARVIS_E_CANCELLED);
    arvis_stt_result *r = NULL;
    assert_int_equal(arvis_stt_finish(s, &r, &err), ARVIS_E_CANCELLED);
    assert_null(r);
    /* The next utterance is not cancelled. */
    r = hear(s, g.s, g.n);
    assert_string_equal(r->text, GOFORWARD_TEXT);
    arvis_stt_result_free(r);
    free(g.s);
    arvis_stt_destroy(s);
}

static void test_custom_words_are_checked(void **state)
{
    (void)state;
    create_fails((const char *[]){"stt.pocketsphinx.words={\"zork\": \"XX YY\"}", NULL},
                 ARVIS_E_INVAL, (const char *[]){"zork", "XX YY", NULL});
    /* A word the dictionary has already gets the new pronunciation as a variant. */
    arvis_stt *s = recogniser(
        NULL, (const char *[]){"stt.pocketsphinx.words={\"arvis\": \"AA R V IH S\", \"go\": "
                               "\"G OW\"}",
                               NULL});
    cJSON *st = arvis_stt_status(s);
    cJSON *words = cJSON_GetObjectItem(st, "words");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(words, "arvis")), "AA R V IH S");
    cJSON_Delete(st);
    struct pcm g = goforward();
    arvis_stt_result *r = hear(s, g.s, g.n);
    assert_string_equal(r->text, GOFORWARD_TEXT); /* "go(3)" comes back as "go" */
    arvis_stt_result_free(r);
    free(g.s);
    arvis_stt_destroy(s);
}

static void test_partial_result_midway_through_an_utterance(void **state)
{
    (void)state;
    arvis_stt *s = recogniser(NULL, NULL);
    struct pcm g = goforward();
    arvis_error err;
    assert_int_equal(arvis_stt_start(s, &err), ARVIS_OK);
    assert_null(arvis_stt_partial(s)); /* nothing heard yet */
    assert_int_equal(arvis_stt_feed(s, g.s, g.n * 2 / 3, &err), ARVIS_OK);
    char *partial = arvis_stt_partial(s);
    assert_non_null(partial);
    print_message("# after two thirds: \"%s\"\n", partial);
    assert_non_null(strstr(partial, "go"));
    free(partial);
    arvis_stt_result *r = NULL;
    assert_int_equal(arvis_stt_feed(s, g.s + g.n * 2 / 3, g.n - g.n * 2 / 3, &err), ARVIS_OK);
    assert_int_equal(arvis_stt_finish(s, &r, &err), ARVIS_OK);
    assert_string_equal(r->text, GOFORWARD_TEXT);
    assert_null(arvis_stt_partial(s)); /* the utterance is over */
    arvis_stt_result_free(r);
    arvis_stt_destroy(s);

    s = recogniser(NULL, (const char *[]){"stt.partial_results=false", NULL});
    assert_int_equal(arvis_stt_start(s, &err), ARVIS_OK);
    assert_int_equal(arvis_stt_feed(s, g.s, g.n * 2 / 3, &err), ARVIS_OK);
    assert_null(arvis_stt_partial(s));
    arvis_stt_destroy(s);
    free(g.s);
}

static void test_health_and_status(void **state)
{
    (void)state;
    arvis_stt *s = recogniser(NULL, NULL);
    arvis_error err;
    assert_int_equal(arvis_stt_health(s, &err), ARVIS_OK);
    assert_int_equal(arvis_stt_start(s, &err), ARVIS_OK);
    assert_int_equal(arvis_stt_health(s, &err), ARVIS_E_STATE); /* not in the middle of one */
    cJSON *st = arvis_stt_status(s);
    const char *root = "/usr/share/pocketsphinx/model/en-us/";
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(st, "engine")), "pocketsphinx");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(st, "model_dir")),
                        "/usr/share/pocketsphinx/model/en-us/en-us");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(st, "dictionary")),
                        "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict");
    assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(st, "language_model")), root));
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(st, "mode")), "language_model");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(st, "partial_results")));
    cJSON_Delete(st);
    arvis_stt_destroy(s); /* in the middle of an utterance: destroy ends it */
}

static void test_health_checker_finds_the_model_files(void **state)
{
    (void)state;
    /* The cheap check finds a model folder that lacks the acoustic model's own files. */
    const char *dir = tu_tempdir();
    char set[4200];
    snprintf(set, sizeof set, "stt.pocketsphinx.model_dir=%s", dir);
    arvis_config *partial = tu_config((const char *[]){
        set, "stt.pocketsphinx.dictionary=/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict",
        "stt.pocketsphinx.language_model=/usr/share/pocketsphinx/model/en-us/en-us.lm.bin", NULL});
    arvis_error err;
    assert_int_equal(arvis_stt_engine_check(partial, "pocketsphinx", &err), ARVIS_E_UNAVAILABLE);
    ht_assert_has(err.msg, "mdef");
    assert_int_equal(arvis_stt_engine_check(partial, "null", &err), ARVIS_OK);
    assert_int_equal(arvis_stt_engine_check(partial, "whisper", &err), ARVIS_E_NOTFOUND);
    arvis_config_free(partial);
    /* Slowness (loading the model on a busy machine) must not decide the outcome here. */
    arvis_config *cfg = tu_config((const char *[]){"tts.engine=null", "health.timeout_ms.stt=60000",
                                                   "health.degraded_latency_ms=60000", NULL});
    arvis_health_report *r = ht_check_once(cfg);
    const arvis_health_result *stt = ht_find(r, "stt");
    print_message("# stt check: %s (%.0f ms)\n", stt->message, stt->latency_ms);
    assert_int_equal(stt->status, ARVIS_HEALTH_HEALTHY);
    ht_assert_has(stt->message, "pocketsphinx has its model files");
    assert_true(stt->latency_ms > 0);
    arvis_health_report_free(r);
    arvis_config_free(cfg);

    cfg = tu_config(
        (const char *[]){"tts.engine=null", "stt.pocketsphinx.model_dir=/nonexistent", NULL});
    r = ht_check_once(cfg);
    stt = ht_find(r, "stt");
    assert_int_equal(stt->status, ARVIS_HEALTH_UNHEALTHY);
    ht_assert_has(stt->message, "pocketsphinx-en-us");
    arvis_health_report_free(r);
    arvis_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_names_list_pocketsphinx_and_null),
        cmocka_unit_test(test_unknown_engine_names_the_known_ones),
        cmocka_unit_test(test_missing_model_folder_names_the_debian_package),
        cmocka_unit_test(test_null_engine_hears_nothing),
        cmocka_unit_test(test_goforward_is_recognised_with_word_timings),
        cmocka_unit_test(test_grammar_mode_recognises_goforward),
        cmocka_unit_test(test_own_grammar_picks_what_was_said),
        cmocka_unit_test(test_bad_grammars_are_named),
        cmocka_unit_test(test_silence_gives_an_empty_transcript),
        cmocka_unit_test(test_noise_and_garbage_do_not_crash),
        cmocka_unit_test(test_several_utterances_in_a_row),
        cmocka_unit_test(test_cancel_from_another_thread_stops_feeding),
        cmocka_unit_test(test_custom_words_are_checked),
        cmocka_unit_test(test_partial_result_midway_through_an_utterance),
        cmocka_unit_test(test_health_and_status),
        cmocka_unit_test(test_health_checker_finds_the_model_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
