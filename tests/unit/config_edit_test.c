/* Changing the config file: set and unset validate first, write atomically with a .bak, and
 * leave the file byte-identical whenever they refuse. */
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
#include "test_util.h"

static char home[4096];
static char config_path[4200];

static int setup(void **state)
{
    (void)state;
    snprintf(home, sizeof home, "%s", tu_fresh_home());
    snprintf(config_path, sizeof config_path, "%s/config/config.json", home);
    unsetenv("ARVIS_LLM_TEMPERATURE");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(home);
    unsetenv("ARVIS_LLM_TEMPERATURE");
    return 0;
}

static int set(const char *key, const char *value, arvis_config_edit *e, arvis_config_report *r,
               arvis_error *err)
{
    arvis_config_report_init(r);
    arvis_error_clear(err);
    return arvis_config_set(NULL, key, value, e, r, err);
}

static void test_set_creates_the_file_with_a_version(void **state)
{
    (void)state;
    arvis_config_edit e;
    arvis_config_report r;
    arvis_error err;
    assert_int_equal(set("llm.temperature", "0.5", &e, &r, &err), ARVIS_OK);
    assert_true(e.wrote);
    assert_null(e.old_text);
    assert_string_equal(e.new_text, "0.5");
    char *text = tu_read(config_path, NULL);
    assert_string_equal(text, "{\n  \"config_version\": 1,\n  \"llm\": {\n    \"temperature\": "
                              "0.5\n  }\n}\n");
    free(text);
    arvis_config_edit_free(&e);
    arvis_config_report_free(&r);
}

static void test_refused_set_leaves_the_file_byte_identical(void **state)
{
    (void)state;
    mkdir(tu_path(home, "config"), 0700);
    const char *original = "{\"config_version\":1,\"llm\":{\"temperature\":0.3}}  \n";
    tu_write(config_path, original, -1);
    static const struct {
        const char *key;
        const char *value;
        int rc;
        const char *msg;
    } cases[] = {
        {"llm.temperature", "2.5", ARVIS_E_SCHEMA, "would not be valid"},
        {"llm.temperature", "warm", ARVIS_E_INVAL, "is not a number"},
        {"llm.modle", "x", ARVIS_E_NOTFOUND, "did you mean llm.model?"},
        {"tts.engine", "silero", ARVIS_E_SCHEMA, "would not be valid"},
        {"tts.fallback", "[\"flite\", \"flite\"]", ARVIS_E_SCHEMA, "would not be valid"},
        {"legacy.x", "1", ARVIS_E_NOTFOUND, "legacy section"},
        {"llm.temperature.x", "1", ARVIS_E_NOTFOUND, "unknown key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        arvis_config_edit e;
        arvis_config_report r;
        arvis_error err;
        int rc = set(cases[i].key, cases[i].value, &e, &r, &err);
        if (rc != cases[i].rc || !strstr(err.msg, cases[i].msg)) {
            fail_msg("case %zu: rc %d, \"%s\"", i, rc, err.msg);
        }
        char *now = tu_read(config_path, NULL);
        assert_string_equal(now, original);
        free(now);
        assert_false(arvis_file_exists(tu_path(home, "config/config.json.bak")));
        arvis_config_edit_free(&e);
        arvis_config_report_free(&r);
    }
    /* The range refusal lists the rule and the range. */
    arvis_config_edit e;
    arvis_config_report r;
    arvis_error err;
    set("llm.temperature", "2.5", &e, &r, &err);
    assert_int_equal(r.errors, 1);
    assert_string_equal(r.items[0].message,
                        "llm.temperature: 2.5 is out of range: expected a value from 0 to 1");
    arvis_config_edit_free(&e);
    arvis_config_report_free(&r);
}

static void test_set_keeps_the_previous_file_as_bak(void **state)
{
    (void)state;
    arvis_config_edit e;
    arvis_config_report r;
    arvis_error err;
    assert_int_equal(set("llm.model", "llama3.2", &e, &r, &err), ARVIS_OK);
    arvis_config_edit_free(&e);
    arvis_config_report_free(&r);
    char *first = tu_read(config_path, NULL);
    assert_int_equal(set("llm.model", "qwen2.5", &e, &r, &err), ARVIS_OK);
    assert_string_equal(e.old_text, "\"llama3.2\"");
    char *bak = tu_read(tu_path(home, "config/config.json.bak"), NULL);
    assert_string_equal(bak, first);
    free(first);
    free(bak);
    arvis_config_edit_free(&e);
    arvis_config_report_free(&r);
}

static void test_setting_the_same_value_writes_nothing(void **state)
{
    (void)state;
    arvis_config_edit e;
    arvis_config_report r;
    arvis_error err;
    assert_int_equal(set("wake.phrase", "hello arvis", &e, &r, &err), ARVIS_OK);
    arvis_config_edit_free(&e);
    arvis_config_report_free(&r);
    assert_int_equal(set("wake.phrase", "hello arvis", &e, &r, &err), ARVIS_OK);
    assert_false(e.wrote);
    assert_false(arvis_file_exists(tu_path(home, "config/config.json.bak")));
    arvis_config_edit_free(&e);
    arvis_config_report_free(&r);
}

static void test_set_reports_an_overriding_variable(void **state)
{
    (void)state;
    setenv("ARVIS_LLM_TEMPERATURE", "0.1", 1);
    arvis_config_edit e;
    arvis_config_report r;
    arvis_error err;
    assert_int_equal(set("llm.temperature", "0.9", &e, &r, &err), ARVIS_OK);
    assert_string_equal(e.override_env, "ARVIS_LLM_TEMPERATURE");
    arvis_config_edit_free(&e);
    arvis_config_report_free(&r);
}

static void test_unset_restores_the_default(void **state)
{
    (void)state;
    arvis_config_edit e;
    arvis_config_report r;
    arvis_error err;
    assert_int_equal(set("tts.flite.voice", "kal", &e, &r, &err), ARVIS_OK);
    arvis_config_edit_free(&e);
    arvis_config_report_free(&r);
    arvis_config_report_init(&r);
    assert_int_equal(arvis_config_unset(NULL, "tts.flite.voice", &e, &r, &err), ARVIS_OK);
    assert_string_equal(e.old_text, "\"kal\"");
    assert_true(e.wrote);
    char *text = tu_read(config_path, NULL);
    assert_string_equal(text, "{\n  \"config_version\": 1\n}\n");
    free(text);
    arvis_config_edit_free(&e);
    /* Unsetting what is not set changes nothing. */
    assert_int_equal(arvis_config_unset(NULL, "tts.flite.voice", &e, &r, &err), ARVIS_OK);
    assert_false(e.wrote);
    assert_null(e.old_text);
    arvis_config_edit_free(&e);
    arvis_config_report_free(&r);
}

static void test_set_on_an_old_file_migrates_it(void **state)
{
    (void)state;
    mkdir(tu_path(home, "config"), 0700);
    const char *old = "{\"llm\": {\"ollama_url\": \"http://h:11434\"}}";
    tu_write(config_path, old, -1);
    arvis_config_edit e;
    arvis_config_report r;
    arvis_error err;
    assert_int_equal(set("llm.model", "phi3", &e, &r, &err), ARVIS_OK);
    assert_int_equal(e.migrated_from, 0);
    char *bak = tu_read(tu_path(home, "config/config.json.bak"), NULL);
    assert_string_equal(bak, old);
    free(bak);
    char *text = tu_read(config_path, NULL);
    assert_non_null(strstr(text, "\"base_url\": \"http://h:11434\""));
    assert_non_null(strstr(text, "\"model\": \"phi3\""));
    free(text);
    arvis_config_edit_free(&e);
    arvis_config_report_free(&r);
}

static void test_broken_file_is_never_overwritten(void **state)
{
    (void)state;
    mkdir(tu_path(home, "config"), 0700);
    const char *broken = "{\"llm\": {\"model\": \"x\"";
    tu_write(config_path, broken, -1);
    arvis_config_edit e;
    arvis_config_report r;
    arvis_error err;
    assert_int_equal(set("llm.model", "y", &e, &r, &err), ARVIS_E_PARSE);
    assert_non_null(strstr(err.msg, "ends too early"));
    char *now = tu_read(config_path, NULL);
    assert_string_equal(now, broken);
    free(now);
    arvis_config_edit_free(&e);
    arvis_config_report_free(&r);
}

static void test_unwritable_folder_gives_a_clear_error(void **state)
{
    (void)state;
    /* A file where the config folder should be: nothing can be created under it. */
    tu_write(tu_path(home, "config"), "not a folder", -1);
    arvis_config_edit e;
    arvis_config_report r;
    arvis_error err;
    int rc = set("llm.model", "y", &e, &r, &err);
    assert_int_not_equal(rc, ARVIS_OK);
    assert_non_null(strstr(err.msg, "config"));
    char *kept = tu_read(tu_path(home, "config"), NULL);
    assert_string_equal(kept, "not a folder");
    free(kept);
    arvis_config_edit_free(&e);
    arvis_config_report_free(&r);
}

/* A valid file of just under 1 MB: a legacy section of `n` small objects, written compactly. */
static char *big_compact_file(int n)
{
    size_t size = (size_t)n * 24 + 64;
    char *text = malloc(size);
    assert_non_null(text);
    size_t used = (size_t)snprintf(text, size, "{\"config_version\":1,\"legacy\":{");
    for (int i = 0; i < n; i++) {
        used += (size_t)snprintf(text + used, size - used, "%s\"k%d\":{\"a\":0}", i ? "," : "", i);
    }
    snprintf(text + used, size - used, "}}");
    assert_true(strlen(text) < ARVIS_CONFIG_MAX_BYTES);
    return text;
}

/* Indented, these files would pass the limit Arvis reads, so no change may write them. */
static void test_a_file_arvis_could_not_read_back_is_never_written(void **state)
{
    (void)state;
    mkdir(tu_path(home, "config"), 0700);
    char deep[2 * 300 + 20000 * 2 + 64];
    size_t used = (size_t)snprintf(deep, sizeof deep, "{\"config_version\":1,\"legacy\":{\"d\":");
    memset(deep + used, '[', 300);
    used += 300;
    for (int i = 0; i < 20000; i++) {
        used += (size_t)snprintf(deep + used, sizeof deep - used, "%s0", i ? "," : "");
    }
    memset(deep + used, ']', 300);
    snprintf(deep + used + 300, sizeof deep - used - 300, "}}");
    char *wide = big_compact_file(55000);
    const char *files[] = {wide, deep};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        tu_write(config_path, files[i], -1);
        arvis_config_edit e;
        arvis_config_report r;
        arvis_error err;
        assert_int_equal(set("llm.model", "foo", &e, &r, &err), ARVIS_E_TOOBIG);
        assert_non_null(strstr(err.msg, "nothing was written"));
        assert_false(e.wrote);
        char *now = tu_read(config_path, NULL);
        assert_string_equal(now, files[i]);
        free(now);
        assert_false(arvis_file_exists(tu_path(home, "config/config.json.bak")));
        arvis_config_edit_free(&e);
        arvis_config_report_free(&r);
    }
    free(wide);
}

static void test_migration_refuses_a_result_too_big_to_read(void **state)
{
    (void)state;
    mkdir(tu_path(home, "config"), 0700);
    char *text = big_compact_file(55000);
    /* The same keys at the top of an Arvis v1.5 file end in legacy. */
    const char *old = strstr(text, "\"legacy\":{") + strlen("\"legacy\":");
    size_t len = strlen(old);
    tu_write(config_path, old, (long)len - 1);
    for (int dry_run = 0; dry_run <= 1; dry_run++) {
        int from = -1;
        char *migrated = NULL;
        arvis_config_report r;
        arvis_config_report_init(&r);
        arvis_error err;
        assert_int_equal(arvis_config_migrate(NULL, dry_run, &from, &migrated, &r, &err),
                         ARVIS_E_TOOBIG);
        assert_null(migrated);
        assert_non_null(strstr(err.msg, "nothing was written"));
        size_t now_len = 0;
        char *now = tu_read(config_path, &now_len);
        assert_int_equal(now_len, len - 1);
        assert_memory_equal(now, old, len - 1);
        free(now);
        assert_false(arvis_file_exists(tu_path(home, "config/config.json.bak")));
        arvis_config_report_free(&r);
    }
    free(text);
}

static void test_keys_with_an_empty_segment_are_refused(void **state)
{
    (void)state;
    static const char *const keys[] = {"llm.", "", ".model", "llm..model"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        arvis_config_edit e;
        arvis_config_report r;
        arvis_error err;
        assert_int_equal(set(keys[i], "x", &e, &r, &err), ARVIS_E_NOTFOUND);
        assert_false(arvis_file_exists(config_path));
        arvis_config_edit_free(&e);
        arvis_config_report_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_set_creates_the_file_with_a_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_set_leaves_the_file_byte_identical, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_set_keeps_the_previous_file_as_bak, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setting_the_same_value_writes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_set_reports_an_overriding_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unset_restores_the_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_on_an_old_file_migrates_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broken_file_is_never_overwritten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_folder_gives_a_clear_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_file_arvis_could_not_read_back_is_never_written,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_refuses_a_result_too_big_to_read, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_keys_with_an_empty_segment_are_refused, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
