/* Loading: defaults <- file <- environment <- --set, every problem with where it came from,
 * bad files refused with one clear sentence, typed reads and hidden secrets. */
#include <cjson/cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "arvis/config.h"
#include "arvis/paths.h"
#include "test_util.h"

static char config_path[4096];

static int setup(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    snprintf(config_path, sizeof config_path, "%s/config", home);
    mkdir(config_path, 0700);
    snprintf(config_path, sizeof config_path, "%s/config/config.json", home);
    /* Variables a developer's shell may hold must not leak into these tests. */
    unsetenv("ARVIS_LLM_MODEL");
    unsetenv("ARVIS_LLM_TEMPERATURE");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *home = strdup(getenv("ARVIS_HOME"));
    tu_rmtree(home);
    free(home);
    unsetenv("ARVIS_LLM_MODEL");
    unsetenv("ARVIS_LLM_TEMPERATURE");
    unsetenv("ARVIS_LLM_MODLE");
    unsetenv("ARVIS_TTS_FALLBACK");
    return 0;
}

struct loaded {
    arvis_config *cfg;
    arvis_config_report report;
    arvis_error err;
    int rc;
};

static struct loaded load(const arvis_config_options *opts)
{
    struct loaded l;
    arvis_config_report_init(&l.report);
    arvis_error_clear(&l.err);
    arvis_config_options defaults = {0};
    l.rc = arvis_config_load(opts ? opts : &defaults, &l.cfg, &l.report, &l.err);
    return l;
}

static void done(struct loaded *l)
{
    arvis_config_free(l->cfg);
    arvis_config_report_free(&l->report);
}

static bool report_has(const arvis_config_report *r, const char *text)
{
    for (size_t i = 0; i < r->count; i++) {
        if (strstr(r->items[i].message, text)) {
            return true;
        }
    }
    return false;
}

static void test_no_file_means_defaults(void **state)
{
    (void)state;
    struct loaded l = load(NULL);
    assert_int_equal(l.rc, ARVIS_OK);
    assert_false(arvis_config_file_exists(l.cfg));
    assert_string_equal(arvis_config_path(l.cfg), config_path);
    assert_string_equal(arvis_config_string(l.cfg, "llm.model"), "gemma2:2b");
    assert_string_equal(arvis_config_string(l.cfg, "llm.base_url"), "http://127.0.0.1:11434");
    assert_true(arvis_config_number(l.cfg, "llm.temperature") == 0.7);
    assert_int_equal(arvis_config_int(l.cfg, "llm.history.max_messages"), 50);
    assert_int_equal(arvis_config_int(l.cfg, "logging.max_bytes"), 5242880);
    assert_true(arvis_config_bool(l.cfg, "tts.enabled"));
    assert_int_equal(arvis_config_file_version(l.cfg), ARVIS_CONFIG_VERSION);
    assert_int_equal(l.report.count, 0);
    done(&l);
}

static void test_layers_override_in_order(void **state)
{
    (void)state;
    tu_write(config_path,
             "{\"config_version\": 1, \"llm\": {\"model\": \"from-file\", \"temperature\": 0.2,"
             " \"top_k\": 10}}",
             -1);
    setenv("ARVIS_LLM_MODEL", "from-env", 1);
    setenv("ARVIS_LLM_TEMPERATURE", "0.3", 1);
    const char *sets[] = {"llm.temperature=0.4"};
    arvis_config_options o = {.sets = sets, .n_sets = 1};
    struct loaded l = load(&o);
    assert_int_equal(l.rc, ARVIS_OK);
    assert_int_equal(arvis_config_int(l.cfg, "llm.top_k"), 10);
    assert_string_equal(arvis_config_string(l.cfg, "llm.model"), "from-env");
    assert_true(arvis_config_number(l.cfg, "llm.temperature") == 0.4);
    done(&l);
}

struct origins {
    int file, env, set;
};

static int count_origins(const arvis_config_leaf *leaf, void *ud)
{
    struct origins *o = ud;
    o->file += leaf->origin == ARVIS_CONFIG_FROM_FILE;
    o->env += leaf->origin == ARVIS_CONFIG_FROM_ENV;
    o->set += leaf->origin == ARVIS_CONFIG_FROM_SET;
    if (strcmp(leaf->key, "llm.model") == 0) {
        assert_string_equal(leaf->env, "ARVIS_LLM_MODEL");
        assert_int_equal(leaf->origin, ARVIS_CONFIG_FROM_ENV);
    }
    return 0;
}

static void test_each_key_says_where_its_value_came_from(void **state)
{
    (void)state;
    tu_write(config_path, "{\"config_version\": 1, \"tts\": {\"engine\": \"null\"}}", -1);
    setenv("ARVIS_LLM_MODEL", "m", 1);
    const char *sets[] = {"app.name=Jarvis", "wake.phrase=hello there"};
    arvis_config_options o = {.sets = sets, .n_sets = 2};
    struct loaded l = load(&o);
    assert_int_equal(l.rc, ARVIS_OK);
    struct origins counts = {0, 0, 0};
    assert_int_equal(arvis_config_each(l.cfg, count_origins, &counts), 0);
    assert_int_equal(counts.file, 2); /* config_version and tts.engine */
    assert_int_equal(counts.env, 1);
    assert_int_equal(counts.set, 2);
    done(&l);
}

static void test_problems_are_all_listed_with_their_origin(void **state)
{
    (void)state;
    tu_write(config_path,
             "{\"config_version\": 1, \"llm\": {\"temperature\": 1.5, \"modle\": \"x\"},"
             " \"tts\": {\"engine\": \"silero\"}}",
             -1);
    setenv("ARVIS_TTS_FALLBACK", "[\"bark\"]", 1);
    const char *sets[] = {"llm.top_p=2", "llm.max_tokens=lots", "no.such.key=1", "novalue"};
    arvis_config_options o = {.sets = sets, .n_sets = 4};
    struct loaded l = load(&o);
    assert_int_equal(l.rc, ARVIS_E_SCHEMA);
    assert_null(l.cfg);
    assert_int_equal(l.report.errors, 8);
    assert_true(report_has(&l.report, "llm.temperature: 1.5 is out of range: expected a value "
                                      "from 0 to 1 (in "));
    assert_true(report_has(&l.report, "llm.modle: unknown key (did you mean llm.model?)"));
    assert_true(report_has(&l.report, "tts.engine: \"silero\" is not allowed"));
    assert_true(report_has(&l.report, "tts.fallback[0]: \"bark\" is not allowed; expected one "
                                      "of \"flite\", \"espeak-ng\", \"null\" (from "
                                      "ARVIS_TTS_FALLBACK)"));
    assert_true(report_has(&l.report, "llm.top_p: 2 is out of range: expected a value from 0 "
                                      "to 1 (from --set)"));
    assert_true(report_has(&l.report, "llm.max_tokens: \"lots\" is not a whole number (from "
                                      "--set)"));
    assert_true(report_has(&l.report, "--set no.such.key: unknown key"));
    assert_true(report_has(&l.report, "--set expects KEY=VALUE"));
    assert_non_null(strstr(l.err.msg, "not valid"));
    done(&l);
}

static void test_unknown_arvis_variables_are_warned_about(void **state)
{
    (void)state;
    setenv("ARVIS_LLM_MODLE", "x", 1);
    struct loaded l = load(NULL);
    assert_int_equal(l.rc, ARVIS_OK);
    assert_true(report_has(&l.report, "ARVIS_LLM_MODLE is not a configuration key"));
    assert_int_equal(l.report.warnings, 1);
    done(&l);
}

static void test_environment_can_be_ignored(void **state)
{
    (void)state;
    setenv("ARVIS_LLM_MODEL", "from-env", 1);
    arvis_config_options o = {.ignore_env = true};
    struct loaded l = load(&o);
    assert_string_equal(arvis_config_string(l.cfg, "llm.model"), "gemma2:2b");
    done(&l);
}

static void test_bad_files_are_refused_clearly(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int rc;
        const char *msg;
    } cases[] = {
        {"{\"llm\": {\"model\": \"x\",}}", ARVIS_E_PARSE, "line 1, column 23: a comma before }"},
        {"{\"llm\": ", ARVIS_E_PARSE, "ends too early"},
        {"[1, 2]", ARVIS_E_SCHEMA, "must hold a JSON object"},
        {"{\"app\": {\"name\": \"\xFF\"}}", ARVIS_E_UTF8, "not valid UTF-8"},
        {"{\"config_version\": 99}", ARVIS_E_VERSION, "newer than this Arvis"},
        {"{\"config_version\": \"one\"}", ARVIS_E_SCHEMA, "expected a whole number"},
        {"{\"config_version\": 1.5}", ARVIS_E_SCHEMA, "expected a whole number"},
        {"", ARVIS_E_PARSE, "no JSON value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tu_write(config_path, cases[i].text, -1);
        struct loaded l = load(NULL);
        assert_int_equal(l.rc, cases[i].rc);
        assert_null(l.cfg);
        if (!strstr(l.err.msg, cases[i].msg) || !strstr(l.err.msg, config_path)) {
            fail_msg("case %zu: \"%s\" lacks \"%s\" or the path", i, l.err.msg, cases[i].msg);
        }
        done(&l);
    }
}

static void test_folder_and_huge_file_are_refused(void **state)
{
    (void)state;
    mkdir(config_path, 0700);
    struct loaded l = load(NULL);
    assert_int_equal(l.rc, ARVIS_E_INVAL);
    assert_non_null(strstr(l.err.msg, "folder"));
    done(&l);
    rmdir(config_path);
    char *big = malloc(ARVIS_CONFIG_MAX_BYTES + 2);
    memset(big, ' ', ARVIS_CONFIG_MAX_BYTES + 1);
    big[0] = '{';
    big[ARVIS_CONFIG_MAX_BYTES] = '}';
    big[ARVIS_CONFIG_MAX_BYTES + 1] = '\0';
    tu_write(config_path, big, -1);
    free(big);
    l = load(NULL);
    assert_int_equal(l.rc, ARVIS_E_TOOBIG);
    assert_non_null(strstr(l.err.msg, "limit"));
    done(&l);
}

static void test_required_file_must_exist(void **state)
{
    (void)state;
    arvis_config_options o = {.file = "/nonexistent/arvis.json", .require_file = true};
    struct loaded l = load(&o);
    assert_int_equal(l.rc, ARVIS_E_NOTFOUND);
    assert_non_null(strstr(l.err.msg, "/nonexistent/arvis.json"));
    done(&l);
}

static void test_old_layout_is_migrated_in_memory_with_a_warning(void **state)
{
    (void)state;
    tu_write(config_path,
             "{\"llm\": {\"ollama_url\": \"http://10.0.0.2:11434\", \"default_model\": "
             "\"llama3\"}, \"tts\": {\"engine\": \"silero\"}, \"logging\": {\"level\": "
             "\"DEBUG\"}}",
             -1);
    struct loaded l = load(NULL);
    assert_int_equal(l.rc, ARVIS_OK);
    assert_int_equal(arvis_config_file_version(l.cfg), 0);
    assert_string_equal(arvis_config_string(l.cfg, "llm.base_url"), "http://10.0.0.2:11434");
    assert_string_equal(arvis_config_string(l.cfg, "llm.model"), "llama3");
    assert_string_equal(arvis_config_string(l.cfg, "tts.engine"), "flite");
    assert_string_equal(arvis_config_string(l.cfg, "logging.level"), "debug");
    assert_true(report_has(&l.report, "run `arvis config migrate`") ||
                report_has(&l.report, "Run `arvis config migrate`"));
    assert_true(report_has(&l.report, "silero engine is not available"));
    /* The file itself is untouched by loading. */
    char *text = tu_read(config_path, NULL);
    assert_non_null(strstr(text, "ollama_url"));
    free(text);
    done(&l);
}

static void test_secrets_are_hidden_when_shown(void **state)
{
    (void)state;
    tu_write(config_path,
             "{\"config_version\": 1, \"server\": {\"api_token\": \"s3cret\"},"
             " \"legacy\": {\"weather\": {\"api_key\": \"abc\", \"city\": \"Kyiv\"}}}",
             -1);
    struct loaded l = load(NULL);
    assert_int_equal(l.rc, ARVIS_OK);
    assert_string_equal(arvis_config_string(l.cfg, "server.api_token"), "s3cret");
    char *text = arvis_config_to_text(l.cfg, 0);
    assert_null(strstr(text, "s3cret"));
    assert_null(strstr(text, "\"abc\""));
    assert_non_null(strstr(text, "Kyiv"));
    assert_non_null(strstr(text, "\"api_token\":\"********\""));
    free(text);
    done(&l);
}

static void test_key_checks_suggest_and_guard_legacy(void **state)
{
    (void)state;
    arvis_error err;
    assert_int_equal(arvis_config_check_key("llm.model", &err), ARVIS_OK);
    assert_int_equal(arvis_config_check_key("llm", &err), ARVIS_OK);
    assert_int_equal(arvis_config_check_key("stt.pocketsphinx.words.jarvis", &err), ARVIS_OK);
    assert_int_equal(arvis_config_check_key("tts.engnie", &err), ARVIS_E_NOTFOUND);
    assert_string_equal(err.msg, "tts.engnie: unknown key (did you mean tts.engine?)");
    assert_int_equal(arvis_config_check_key("zzzzzz.qqqq", &err), ARVIS_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "arvis config reference"));
    assert_int_equal(arvis_config_check_key("legacy.app", &err), ARVIS_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "legacy section"));
    assert_int_equal(arvis_config_check_key("", &err), ARVIS_E_NOTFOUND);
}

static void test_typed_reads_of_undefined_keys_give_zero_values(void **state)
{
    (void)state;
    struct loaded l = load(NULL);
    assert_null(arvis_config_string(l.cfg, "no.such.key"));
    assert_int_equal(arvis_config_int(l.cfg, "llm.model"), 0); /* wrong type */
    assert_false(arvis_config_bool(l.cfg, "no.such.key"));
    assert_true(arvis_config_number(l.cfg, "no.such") == 0.0);
    assert_null(arvis_config_string(l.cfg, "audio.output_device")); /* null by default */
    assert_non_null(arvis_config_get(l.cfg, "tts.fallback"));
    done(&l);
}

/* Keys shown in brackets (["a b"], [""]) belong to the file, not to --set or a variable. */
static void test_bracketed_keys_are_attributed_to_the_file(void **state)
{
    (void)state;
    tu_write(config_path,
             "{\"config_version\": 1, \"\": 1, \"a b\": 2, \"llm\": {\"x.y\": 3, \"q\\\"\": 4}}",
             -1);
    const char *sets[] = {"llm.model=qwen"};
    arvis_config_options o = {.sets = sets, .n_sets = 1};
    struct loaded l = load(&o);
    assert_int_equal(l.rc, ARVIS_E_SCHEMA);
    assert_int_equal(l.report.errors, 4);
    static const char *const shown[] = {"[\"\"]: unknown key", "[\"a b\"]: unknown key",
                                        "llm[\"x.y\"]: unknown key", "llm[\"q\\\"\"]: unknown key"};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        if (!report_has(&l.report, shown[i])) {
            fail_msg("no finding \"%s...\"", shown[i]);
        }
        assert_non_null(strstr(l.report.items[i].message, " (in "));
    }
    assert_false(report_has(&l.report, "(from --set)"));
    done(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_file_means_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layers_override_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_key_says_where_its_value_came_from, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_problems_are_all_listed_with_their_origin, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown_arvis_variables_are_warned_about, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_environment_can_be_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files_are_refused_clearly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_and_huge_file_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_required_file_must_exist, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_layout_is_migrated_in_memory_with_a_warning, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_secrets_are_hidden_when_shown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_checks_suggest_and_guard_legacy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typed_reads_of_undefined_keys_give_zero_values, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bracketed_keys_are_attributed_to_the_file, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
