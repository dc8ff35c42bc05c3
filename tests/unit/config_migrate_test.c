/* Migration from the Arvis v1.5 layout: renames, engines mapped with a warning, values that do
 * not fit parked in legacy, a .bak kept, and nothing lost. */
#include <cjson/cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "arvis/config.h"
#include "arvis/file.h"
#include "arvis/json.h"
#include "test_util.h"

static char home[4096];
static char config_path[4200];

static int setup(void **state)
{
    (void)state;
    snprintf(home, sizeof home, "%s", tu_fresh_home());
    mkdir(tu_path(home, "config"), 0700);
    snprintf(config_path, sizeof config_path, "%s/config/config.json", home);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(home);
    return 0;
}

static char *fixture(const char *name)
{
    const char *root = getenv("TEST_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/%s", root ? root : ".", name);
    char *text = tu_read(path, NULL);
    if (!text) {
        fail_msg("cannot read the fixture %s", path);
    }
    return text;
}

static bool report_has(const arvis_config_report *r, arvis_config_severity sev, const char *text)
{
    for (size_t i = 0; i < r->count; i++) {
        if (r->items[i].severity == sev && strstr(r->items[i].message, text)) {
            return true;
        }
    }
    return false;
}

/* Migrates the file at config_path for real; returns the migrated tree. */
static cJSON *migrate(arvis_config_report *r)
{
    int from = -1;
    arvis_error err;
    arvis_config_report_init(r);
    int rc = arvis_config_migrate(NULL, false, &from, NULL, r, &err);
    if (rc != ARVIS_OK) {
        fail_msg("migration failed: %s", err.msg);
    }
    assert_int_equal(from, 0);
    char *text = tu_read(config_path, NULL);
    cJSON *v = tu_json(text);
    free(text);
    return v;
}

/* Writes tests/data/v15-config.json as the config file and migrates it. */
static cJSON *migrate_fixture(arvis_config_report *r)
{
    char *old = fixture("v15-config.json");
    tu_write(config_path, old, -1);
    free(old);
    return migrate(r);
}

static const char *str_at(const cJSON *root, const char *path)
{
    const cJSON *v = arvis_json_at(root, path);
    if (!cJSON_IsString(v)) {
        fail_msg("%s is not a string", path);
    }
    return v->valuestring;
}

static double num_at(const cJSON *root, const char *path)
{
    const cJSON *v = arvis_json_at(root, path);
    if (!cJSON_IsNumber(v)) {
        fail_msg("%s is not a number", path);
    }
    return v->valuedouble;
}

static void test_fixture_migrates_to_a_valid_config_with_a_bak(void **state)
{
    (void)state;
    char *old = fixture("v15-config.json");
    tu_write(config_path, old, -1);
    arvis_config_report r;
    cJSON *now = migrate(&r);
    char *bak = tu_read(tu_path(home, "config/config.json.bak"), NULL);
    assert_string_equal(bak, old);
    free(bak);
    free(old);
    assert_int_equal(num_at(now, "config_version"), 1);
    assert_string_equal(now->child->string, "config_version");
    /* The result loads and validates as it is. */
    arvis_config_options o = {.ignore_env = true};
    arvis_config *cfg = NULL;
    arvis_config_report lr;
    arvis_config_report_init(&lr);
    assert_int_equal(arvis_config_load(&o, &cfg, &lr, NULL), ARVIS_OK);
    assert_int_equal(arvis_config_file_version(cfg), 1);
    assert_int_equal(lr.warnings, 0);
    arvis_config_free(cfg);
    arvis_config_report_free(&lr);
    arvis_config_report_free(&r);
    cJSON_Delete(now);
}

static void test_renamed_keys_move(void **state)
{
    (void)state;
    arvis_config_report r;
    cJSON *now = migrate_fixture(&r);
    assert_string_equal(str_at(now, "llm.model"), "llama3.2:3b");
    assert_string_equal(str_at(now, "llm.base_url"), "http://192.168.1.20:11434");
    assert_int_equal(num_at(now, "llm.request_timeout_ms"), 60000);
    assert_true(cJSON_IsFalse(arvis_json_at(now, "llm.warmup")));
    assert_true(cJSON_IsFalse(arvis_json_at(now, "llm.auto_continue")));
    assert_string_equal(str_at(now, "app.name"), "Home Helper");
    assert_string_equal(str_at(now, "app.user_name"), "Sam");
    assert_string_equal(str_at(now, "app.language"), "en");
    assert_string_equal(str_at(now, "tts.mode"), "sentence_by_sentence");
    assert_string_equal(str_at(now, "wake.phrase"), "computer");
    assert_int_equal(num_at(now, "wake.cooldown_ms"), 1500);
    assert_true(cJSON_IsFalse(arvis_json_at(now, "wake.enabled")));
    assert_true(cJSON_IsFalse(arvis_json_at(now, "llm.history.save")));
    assert_string_equal(str_at(now, "logging.level"), "warning");
    assert_string_equal(str_at(now, "logging.console_level"), "error");
    assert_true(cJSON_IsFalse(arvis_json_at(now, "security.rbac.enabled")));
    assert_string_equal(str_at(now, "security.rbac.default_role"), "power_user");
    assert_true(cJSON_IsTrue(arvis_json_at(now, "security.auth.two_factor.enabled")));
    assert_true(cJSON_IsFalse(arvis_json_at(now, "security.audit.enabled")));
    assert_int_equal(num_at(now, "security.auth.password_policy.min_length"), 10);
    assert_true(report_has(&r, ARVIS_CONFIG_NOTE, "llm.ollama_url is now llm.base_url"));
    arvis_config_report_free(&r);
    cJSON_Delete(now);
}

static void test_engines_we_lack_are_mapped_with_a_warning_each(void **state)
{
    (void)state;
    arvis_config_report r;
    cJSON *now = migrate_fixture(&r);
    /* tts.default_engine (sapi) wins over tts.engine and the old top-level tts_engine. */
    assert_string_equal(str_at(now, "tts.engine"), "espeak-ng");
    cJSON *fallback = arvis_json_at(now, "tts.fallback");
    cJSON *want = tu_json("[\"flite\"]"); /* the primary is not repeated */
    assert_true(arvis_json_equal(fallback, want));
    cJSON_Delete(want);
    assert_true(report_has(&r, ARVIS_CONFIG_WARNING,
                           "tts.default_engine: the sapi engine is not available in Arvis; "
                           "tts.engine is now espeak-ng"));
    assert_true(report_has(&r, ARVIS_CONFIG_WARNING, "stt.engine: vosk is not available"));
    assert_true(report_has(&r, ARVIS_CONFIG_WARNING, "tts.voice: voices now belong"));
    assert_true(report_has(&r, ARVIS_CONFIG_WARNING, "tts.engines_priority"));
    assert_string_equal(str_at(now, "legacy.tts.default_engine"), "sapi");
    assert_string_equal(str_at(now, "legacy.stt.engine"), "vosk");
    arvis_config_report_free(&r);
    cJSON_Delete(now);
}

static void test_values_that_do_not_fit_are_parked_with_a_warning(void **state)
{
    (void)state;
    arvis_config_report r;
    cJSON *now = migrate_fixture(&r);
    assert_null(arvis_json_at(now, "llm.temperature"));
    assert_true(num_at(now, "legacy.llm.temperature") == 1.7);
    assert_true(report_has(&r, ARVIS_CONFIG_WARNING,
                           "llm.temperature: 1.7 is out of range: expected a value from 0 to 1; "
                           "the old value is kept as legacy.llm.temperature"));
    assert_true(num_at(now, "legacy.audio.output_device") == 3);
    assert_int_equal(num_at(now, "llm.history.max_messages"), 10000);
    assert_true(report_has(&r, ARVIS_CONFIG_WARNING, "unlimited history is not offered"));
    arvis_config_report_free(&r);
    cJSON_Delete(now);
}

/* Every value of the old file is still in the new one: at its new place, or in legacy. */
static void expect_kept(const cJSON *old, const cJSON *now, char *path, size_t len)
{
    for (const cJSON *c = old->child; c; c = c->next) {
        size_t n = (size_t)snprintf(path + len, 512 - len, "%s%s", len ? "." : "", c->string);
        if (cJSON_IsObject(c) && c->child) {
            expect_kept(c, now, path, len + n);
            continue;
        }
        char legacy[600];
        snprintf(legacy, sizeof legacy, "legacy.%s", path);
        const cJSON *kept = arvis_json_at(now, legacy);
        if (strcmp(path, "legacy.kept") == 0) {
            kept = arvis_json_at(now, "legacy.kept");
        }
        if (!kept && strchr(c->string, '.')) {
            /* A key with a dot inside stays one key under legacy. */
            const cJSON *parent = arvis_json_at(now, "legacy.security.subscriptions");
            kept = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(parent, "user_assignments"), c->string);
        }
        static const char *const moved[] = {
            "llm.default_model",
            "llm.ollama_url",
            "llm.max_tokens",
            "llm.stream",
            "llm.worker_timeout_ms",
            "llm.auto_continue",
            "startup.preload_model",
            "tts.mode",
            "tts.fallback_on_error",
            "stt.wake_word",
            "stt.kaldi_cooldown",
            "modules.voice_activation_enabled",
            "history.save_to_file",
            "logging.level",
            "logging.console_level",
            "language.speech",
            "user.name",
            "audio.volume",
            "security.rbac_enabled",
            "security.default_role",
            "security.2fa_enabled",
            "security.audit_enabled",
            "auth.password_min_length",
            "app.name",
        };
        bool was_moved = false;
        for (size_t i = 0; i < sizeof moved / sizeof moved[0]; i++) {
            was_moved = was_moved || strcmp(moved[i], path) == 0;
        }
        if (!kept && !was_moved) {
            fail_msg("%s was lost", path);
        }
        if (kept && !was_moved && !arvis_json_equal(kept, c)) {
            fail_msg("%s changed on its way to legacy", path);
        }
        path[len] = '\0';
    }
}

static void test_nothing_is_lost(void **state)
{
    (void)state;
    char *text = fixture("v15-config.json");
    tu_write(config_path, text, -1);
    cJSON *old = tu_json(text);
    free(text);
    arvis_config_report r;
    cJSON *now = migrate(&r);
    char path[512] = "";
    expect_kept(old, now, path, 0);
    assert_string_equal(str_at(now, "legacy.kept"), "from before");
    assert_string_equal(str_at(now, "legacy.weather.api_key"), "wk-123");
    cJSON_Delete(old);
    cJSON_Delete(now);
    arvis_config_report_free(&r);
}

static void test_dry_run_writes_nothing_and_returns_the_text(void **state)
{
    (void)state;
    const char *old = "{\"llm\": {\"ollama_url\": \"http://x:1\"}}";
    tu_write(config_path, old, -1);
    int from = -1;
    char *text = NULL;
    arvis_config_report r;
    arvis_config_report_init(&r);
    assert_int_equal(arvis_config_migrate(NULL, true, &from, &text, &r, NULL), ARVIS_OK);
    assert_int_equal(from, 0);
    assert_non_null(strstr(text, "\"base_url\": \"http://x:1\""));
    char *now = tu_read(config_path, NULL);
    assert_string_equal(now, old);
    free(now);
    assert_false(arvis_file_exists(tu_path(home, "config/config.json.bak")));
    free(text);
    arvis_config_report_free(&r);
}

static void test_current_missing_and_newer_files(void **state)
{
    (void)state;
    int from = 7;
    arvis_config_report r;
    arvis_config_report_init(&r);
    arvis_error err;
    assert_int_equal(arvis_config_migrate(NULL, false, &from, NULL, &r, &err), ARVIS_OK);
    assert_int_equal(from, -1); /* no file */
    assert_int_equal(arvis_config_migrate(tu_path(home, "nope.json"), false, &from, NULL, &r, &err),
                     ARVIS_E_NOTFOUND);
    tu_write(config_path, "{\"config_version\": 1}", -1);
    assert_int_equal(arvis_config_migrate(NULL, false, &from, NULL, &r, &err), ARVIS_OK);
    assert_int_equal(from, 1);
    assert_false(arvis_file_exists(tu_path(home, "config/config.json.bak")));
    tu_write(config_path, "{\"config_version\": 2}", -1);
    assert_int_equal(arvis_config_migrate(NULL, false, &from, NULL, &r, &err), ARVIS_E_VERSION);
    char *now = tu_read(config_path, NULL);
    assert_string_equal(now, "{\"config_version\": 2}");
    free(now);
    arvis_config_report_free(&r);
}

static void test_silero_for_russian_becomes_espeak_with_a_russian_voice(void **state)
{
    (void)state;
    tu_write(config_path,
             "{\"tts\": {\"engine\": \"silero\"}, \"language\": {\"speech\": \"ru\"}, "
             "\"stt\": {\"wake_word\": \"Арвис\"}}",
             -1);
    arvis_config_report r;
    cJSON *now = migrate(&r);
    assert_string_equal(str_at(now, "tts.engine"), "espeak-ng");
    assert_string_equal(str_at(now, "tts.espeak-ng.voice"), "ru");
    assert_null(arvis_json_at(now, "wake.phrase"));
    assert_string_equal(str_at(now, "legacy.stt.wake_word"), "Арвис");
    assert_true(report_has(&r, ARVIS_CONFIG_WARNING, "the wake word is not English"));
    arvis_config_report_free(&r);
    cJSON_Delete(now);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fixture_migrates_to_a_valid_config_with_a_bak, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_renamed_keys_move, setup, teardown),
        cmocka_unit_test_setup_teardown(test_engines_we_lack_are_mapped_with_a_warning_each, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_values_that_do_not_fit_are_parked_with_a_warning,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_is_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dry_run_writes_nothing_and_returns_the_text, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_current_missing_and_newer_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silero_for_russian_becomes_espeak_with_a_russian_voice,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
