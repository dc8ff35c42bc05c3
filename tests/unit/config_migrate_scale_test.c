/* Migration of hostile sizes: any number of unknown keys and of bad values is carried over, in
 * time that grows like n log n. (Keeping each value with a lookup by name took minutes for the
 * sizes here, past the test's time limit; bad values past the report's cap were once lost.) */
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

enum { HOSTILE_KEYS = 300000 };

static void migrate_ok(cJSON *layer, arvis_config_report *r)
{
    arvis_config_report_init(r);
    arvis_error err;
    if (config_migrate_layer(layer, 0, r, &err) != ARVIS_OK) {
        fail_msg("migration failed: %s", err.msg);
    }
    assert_int_equal(config_check_file_layer(layer, NULL, NULL, "x"), ARVIS_OK);
}

static double num(const cJSON *root, const char *path)
{
    const cJSON *v = arvis_json_at(root, path);
    if (!cJSON_IsNumber(v)) {
        fail_msg("%s is not a number", path);
    }
    return v->valuedouble;
}

/* HOSTILE_KEYS unknown keys, and an old legacy section holding every other one of them too. */
static void test_many_unknown_keys_and_a_big_old_legacy_are_kept(void **state)
{
    (void)state;
    cJSON *layer = cJSON_CreateObject();
    cJSON *old_legacy = cJSON_AddObjectToObject(layer, "legacy");
    char key[32];
    for (int i = 0; i < HOSTILE_KEYS; i++) {
        snprintf(key, sizeof key, "k%d", i);
        cJSON_AddNumberToObject(layer, key, 0);
        if (i % 2 == 0) {
            cJSON_AddNumberToObject(old_legacy, key, 1);
        }
    }
    arvis_config_report r;
    migrate_ok(layer, &r);
    cJSON *legacy = cJSON_GetObjectItemCaseSensitive(layer, "legacy");
    assert_int_equal(cJSON_GetArraySize(legacy), HOSTILE_KEYS + HOSTILE_KEYS / 2);
    assert_true(num(layer, "legacy.k4") == 0);
    assert_true(num(layer, "legacy.k4~1") == 1);
    assert_true(num(layer, "legacy.k5") == 0);
    assert_null(arvis_json_at(layer, "legacy.k5~1"));
    assert_int_equal(r.notes, HOSTILE_KEYS);
    assert_int_equal(r.warnings, HOSTILE_KEYS / 2);
    arvis_config_report_free(&r);
    cJSON_Delete(layer);
}

/* A word name made of letters only, as the schema wants: "waa", "wab"... */
static void word_name(int i, char *out)
{
    out[0] = 'w';
    out[1] = (char)('a' + i / 26 / 26 % 26);
    out[2] = (char)('a' + i / 26 % 26);
    out[3] = (char)('a' + i % 26);
    out[4] = '\0';
}

/* Far more bad values than one report holds (ARVIS_CONFIG_REPORT_MAX): all are parked. */
static void test_any_number_of_bad_values_is_parked(void **state)
{
    (void)state;
    enum { WORDS = 301, ITEMS = 110 };
    cJSON *layer = tu_json("{\"stt\": {\"pocketsphinx\": {\"words\": {}}}}");
    cJSON *words = arvis_json_at(layer, "stt.pocketsphinx.words");
    char name[8];
    for (int i = 0; i < WORDS; i++) {
        word_name(i, name);
        cJSON_AddStringToObject(words, name, "lower");
    }
    static const char *const arrays[] = {"tts.fallback", "skills.enabled", "health.required",
                                         "security.auth.two_factor.enforced_roles"};
    for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; a++) {
        cJSON *list = cJSON_CreateArray();
        for (int i = 0; i < ITEMS; i++) {
            char item[16];
            snprintf(item, sizeof item, "x%d", i);
            cJSON_AddItemToArray(list, cJSON_CreateString(item));
        }
        assert_int_equal(arvis_json_put(layer, arrays[a], list), ARVIS_OK);
    }
    arvis_config_report r;
    migrate_ok(layer, &r);
    assert_null(arvis_json_at(layer, "stt.pocketsphinx.words"));
    const cJSON *kept = arvis_json_at(layer, "legacy.stt.pocketsphinx.words");
    assert_int_equal(cJSON_GetArraySize(kept), WORDS);
    word_name(WORDS - 1, name);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(kept, name)->valuestring, "lower");
    for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; a++) {
        char path[128];
        snprintf(path, sizeof path, "legacy.%s", arrays[a]);
        assert_int_equal(cJSON_GetArraySize(arvis_json_at(layer, path)), ITEMS);
        assert_null(arvis_json_at(layer, arrays[a]));
    }
    arvis_config_report_free(&r);
    cJSON_Delete(layer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_unknown_keys_and_a_big_old_legacy_are_kept),
        cmocka_unit_test(test_any_number_of_bad_values_is_parked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
