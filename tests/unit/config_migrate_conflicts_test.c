/* Migration conflicts: two old keys for one new key, values in the way, odd keys, an old legacy
 * section, transformed values that do not fit. Every old value ends at its new place or in
 * legacy, with a warning when it did not go where the user would expect. */
#include <cjson/cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/json.h"
#include "config_internal.h"
#include "test_util.h"

/* The Arvis v1.5 file `old` migrated in memory; the result must validate. */
static cJSON *migrated(const char *old, arvis_config_report *r)
{
    cJSON *layer = tu_json(old);
    arvis_config_report_init(r);
    arvis_error err;
    if (config_migrate_layer(layer, 0, r, &err) != ARVIS_OK) {
        fail_msg("migration of %s failed: %s", old, err.msg);
    }
    assert_int_equal(config_check_file_layer(layer, NULL, NULL, "x"), ARVIS_OK);
    return layer;
}

static bool warned(const arvis_config_report *r, const char *text)
{
    for (size_t i = 0; i < r->count; i++) {
        if (r->items[i].severity == ARVIS_CONFIG_WARNING && strstr(r->items[i].message, text)) {
            return true;
        }
    }
    return false;
}

/* The value at a path given as keys, which may be empty or hold dots. */
static const cJSON *at(const cJSON *root, const char *const *keys, size_t n)
{
    const cJSON *v = root;
    for (size_t i = 0; v && i < n; i++) {
        v = cJSON_GetObjectItemCaseSensitive(v, keys[i]);
    }
    if (!v) {
        fail_msg("nothing at %s...", keys[0]);
    }
    return v;
}

static void expect_json(const cJSON *root, const char *path, const char *want_text)
{
    const cJSON *got = arvis_json_at(root, path);
    cJSON *want = tu_json(want_text);
    if (!got || !arvis_json_equal(got, want)) {
        char *text = arvis_json_print(root, 0);
        fail_msg("%s is not %s in %s", path, want_text, text);
    }
    cJSON_Delete(want);
}

static void test_a_blocked_legacy_place_keeps_the_value_beside_it(void **state)
{
    (void)state;
    arvis_config_report r;
    cJSON *now = migrated("{\"llm\": {\"model\": 5}, \"legacy\": {\"llm\": \"old\"}}", &r);
    expect_json(now, "legacy.llm", "\"old\"");
    const char *const moved[] = {"legacy", "llm~1", "model"};
    assert_non_null(at(now, moved, 3));
    assert_true(at(now, moved, 3)->valuedouble == 5);
    assert_null(arvis_json_at(now, "llm.model"));
    assert_true(warned(&r, "the old value is kept as legacy.llm~1.model"));
    arvis_config_report_free(&r);
    cJSON_Delete(now);
}

/* Whatever their order in the file, a key that kept its name beats a renamed one, and of two
 * renamed ones the rule listed first wins; the loser stays in legacy with a warning. */
static void test_two_old_keys_for_one_new_key_lose_nothing(void **state)
{
    (void)state;
    static const char *const files[] = {
        "{\"audit\": {\"enabled\": true}, \"security\": {\"audit_enabled\": false}, "
        "\"llm\": {\"ollama_url\": \"http://a:1\", \"base_url\": \"http://b:2\", "
        "\"default_model\": \"m1\", \"model\": \"m2\"}}",
        "{\"llm\": {\"model\": \"m2\", \"default_model\": \"m1\", \"base_url\": \"http://b:2\", "
        "\"ollama_url\": \"http://a:1\"}, \"security\": {\"audit_enabled\": false}, "
        "\"audit\": {\"enabled\": true}}",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        arvis_config_report r;
        cJSON *now = migrated(files[i], &r);
        expect_json(now, "security.audit.enabled", "true");
        expect_json(now, "legacy.security.audit_enabled", "false");
        expect_json(now, "llm.base_url", "\"http://b:2\"");
        expect_json(now, "legacy.llm.ollama_url", "\"http://a:1\"");
        expect_json(now, "llm.model", "\"m2\"");
        expect_json(now, "legacy.llm.default_model", "\"m1\"");
        assert_true(warned(&r, "security.audit_enabled: cannot become security.audit.enabled "
                               "(security.audit.enabled already comes from audit.enabled)") ||
                    warned(&r, "security.audit_enabled: security.audit.enabled now comes from "
                               "audit.enabled"));
        assert_true(warned(&r, "llm.ollama_url"));
        arvis_config_report_free(&r);
        cJSON_Delete(now);
    }
}

static void test_old_legacy_section_is_never_dropped_or_overwritten(void **state)
{
    (void)state;
    arvis_config_report r;
    cJSON *now = migrated("{\"legacy\": [1, 2, 3], \"llm\": {\"model\": \"x\"}}", &r);
    expect_json(now, "legacy.legacy", "[1, 2, 3]");
    expect_json(now, "llm.model", "\"x\"");
    assert_true(warned(&r, "legacy: expected an object, found array; it is kept as "
                           "legacy.legacy"));
    arvis_config_report_free(&r);
    cJSON_Delete(now);

    now = migrated("{\"tts\": {\"voice\": \"kal\"}, \"legacy\": {\"tts\": \"x\", \"y\": 1}}", &r);
    expect_json(now, "legacy.tts.voice", "\"kal\"");
    expect_json(now, "legacy.tts~1", "\"x\"");
    expect_json(now, "legacy.y", "1");
    assert_true(warned(&r, "the old section's is kept as legacy.tts~1"));
    arvis_config_report_free(&r);
    cJSON_Delete(now);
}

static void test_keys_with_empty_segments_are_not_their_parents(void **state)
{
    (void)state;
    arvis_config_report r;
    cJSON *now =
        migrated("{\"llm\": {\"model\": \"mistral\", \"base_url\": \"http://h:1\", \"\": 1}}", &r);
    expect_json(now, "llm.model", "\"mistral\"");
    expect_json(now, "llm.base_url", "\"http://h:1\"");
    const char *const empty_in_llm[] = {"legacy", "llm", ""};
    assert_true(at(now, empty_in_llm, 3)->valuedouble == 1);
    arvis_config_report_free(&r);
    cJSON_Delete(now);

    now = migrated("{\"\": 1, \"llm.\": {\"a\": 2}, \"llm\": {\"model\": \"x\"}}", &r);
    expect_json(now, "llm.model", "\"x\"");
    const char *const empty[] = {"legacy", ""};
    const char *const dotted[] = {"legacy", "llm.", "a"};
    assert_true(at(now, empty, 2)->valuedouble == 1);
    assert_true(at(now, dotted, 3)->valuedouble == 2);
    arvis_config_report_free(&r);
    cJSON_Delete(now);
}

static void test_a_section_that_is_not_an_object_does_not_stop_the_migration(void **state)
{
    (void)state;
    static const char *const files[] = {
        "{\"llm\": \"oops\", \"prompts\": {\"system\": \"be nice\"}}",
        "{\"prompts\": {\"system\": \"be nice\"}, \"llm\": \"oops\"}",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        arvis_config_report r;
        cJSON *now = migrated(files[i], &r);
        expect_json(now, "llm.system_prompt", "\"be nice\"");
        expect_json(now, "legacy.llm", "\"oops\"");
        assert_true(warned(&r, "llm: expected an object (a section), found string"));
        arvis_config_report_free(&r);
        cJSON_Delete(now);
    }
}

static void test_the_strongest_engine_key_wins_whatever_the_order(void **state)
{
    (void)state;
    arvis_config_report r;
    cJSON *now = migrated("{\"tts\": {\"default_engine\": \"espeak\"}, \"tts_engine\": \"flite\", "
                          "\"language\": {\"speech\": \"ru\"}}",
                          &r);
    expect_json(now, "tts.engine", "\"espeak-ng\"");
    expect_json(now, "tts.espeak-ng.voice", "\"ru\"");
    expect_json(now, "legacy.tts_engine", "\"flite\"");
    expect_json(now, "legacy.tts.default_engine", "\"espeak\"");
    arvis_config_report_free(&r);
    cJSON_Delete(now);

    /* An engine Arvis cannot map does not win over one it can. */
    now = migrated("{\"tts_engine\": \"flite\", \"tts\": {\"default_engine\": \"nope\", "
                   "\"engine\": \"espeak-ng\", \"engines_priority\": [\"espeak-ng\", \"flite\"]}}",
                   &r);
    expect_json(now, "tts.engine", "\"espeak-ng\"");
    expect_json(now, "tts.fallback", "[\"flite\"]");
    expect_json(now, "legacy.tts.default_engine", "\"nope\"");
    expect_json(now, "legacy.tts_engine", "\"flite\"");
    arvis_config_report_free(&r);
    cJSON_Delete(now);
}

static void test_transformed_values_that_do_not_fit_keep_the_original(void **state)
{
    (void)state;
    arvis_config_report r;
    cJSON *now = migrated("{\"logging\": {\"level\": \"Very-Verbose-Level-Name-That-Is-Long\", "
                          "\"console_level\": \"Chatty\"}, \"stt\": {\"kaldi_cooldown\": 1e306}}",
                          &r);
    expect_json(now, "legacy.logging.level", "\"Very-Verbose-Level-Name-That-Is-Long\"");
    expect_json(now, "legacy.logging.console_level", "\"Chatty\"");
    expect_json(now, "legacy.stt.kaldi_cooldown", "1e306");
    assert_null(arvis_json_at(now, "logging"));
    assert_null(arvis_json_at(now, "wake.cooldown_ms"));
    assert_true(warned(&r, "stt.kaldi_cooldown: cannot become wake.cooldown_ms"));
    arvis_config_report_free(&r);
    cJSON_Delete(now);

    now = migrated("{\"logging\": {\"level\": \"CRITICAL\"}, \"stt\": {\"kaldi_cooldown\": 1.5}}",
                   &r);
    expect_json(now, "logging.level", "\"error\"");
    expect_json(now, "wake.cooldown_ms", "1500");
    arvis_config_report_free(&r);
    cJSON_Delete(now);
}

static void test_version_message_names_the_range_it_accepts(void **state)
{
    (void)state;
    cJSON *layer = tu_json("{\"config_version\": -1}");
    int version = 7;
    arvis_error err;
    assert_int_equal(config_layer_version(layer, "c.json", &version, &err), ARVIS_E_SCHEMA);
    assert_non_null(strstr(err.msg, "expected a whole number from 0 (the Arvis v1.5 layout) to"));
    cJSON_Delete(layer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_blocked_legacy_place_keeps_the_value_beside_it),
        cmocka_unit_test(test_two_old_keys_for_one_new_key_lose_nothing),
        cmocka_unit_test(test_old_legacy_section_is_never_dropped_or_overwritten),
        cmocka_unit_test(test_keys_with_empty_segments_are_not_their_parents),
        cmocka_unit_test(test_a_section_that_is_not_an_object_does_not_stop_the_migration),
        cmocka_unit_test(test_the_strongest_engine_key_wins_whatever_the_order),
        cmocka_unit_test(test_transformed_values_that_do_not_fit_keep_the_original),
        cmocka_unit_test(test_version_message_names_the_range_it_accepts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
