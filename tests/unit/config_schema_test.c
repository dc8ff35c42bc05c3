/* The schema itself: a valid draft-07 document whose every key is documented, bounded and has
 * a valid default, with unique environment names; and the committed reference is current. */
#include <cjson/cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/file.h"
#include "arvis/json.h"
#include "config_internal.h"
#include "test_util.h"

enum { MAX_LEAVES = 512 };

static const char *metaschema_path =
    "/usr/lib/python3/dist-packages/jsonschema/schemas/draft7.json";

struct leaves {
    char names[MAX_LEAVES][128];
    char envs[MAX_LEAVES][160];
    size_t n;
    cJSON *defaults;
};

static int collect(const char *path, const cJSON *raw, const cJSON *node, void *ud)
{
    struct leaves *l = ud;
    assert_true(l->n < MAX_LEAVES);
    snprintf(l->names[l->n], sizeof l->names[0], "%s", path);
    schema_env_name(path, l->envs[l->n], sizeof l->envs[0]);
    l->n++;
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(raw, "description");
    if (!cJSON_IsString(desc) || strlen(desc->valuestring) < 8) {
        fail_msg("%s has no description", path);
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "type");
    if (cJSON_IsString(type) && strcmp(type->valuestring, "integer") == 0) {
        if (!cJSON_GetObjectItemCaseSensitive(node, "minimum") ||
            !cJSON_GetObjectItemCaseSensitive(node, "maximum")) {
            fail_msg("%s is an integer without both bounds", path);
        }
    }
    if (strcmp(path, "legacy") != 0 && !arvis_json_at(l->defaults, path)) {
        fail_msg("%s has no default", path);
    }
    return 0;
}

static void test_every_key_is_documented_bounded_and_has_a_default(void **state)
{
    (void)state;
    static struct leaves l;
    l.n = 0;
    l.defaults = schema_defaults();
    assert_non_null(l.defaults);
    assert_int_equal(schema_each_leaf(collect, &l), 0);
    assert_true(l.n > 100);
    for (size_t i = 0; i < l.n; i++) {
        for (size_t j = i + 1; j < l.n; j++) {
            if (strcmp(l.envs[i], l.envs[j]) == 0) {
                fail_msg("%s and %s share %s", l.names[i], l.names[j], l.envs[i]);
            }
        }
    }
    cJSON_Delete(l.defaults);
}

static void test_defaults_validate(void **state)
{
    (void)state;
    cJSON *defaults = schema_defaults();
    schema_validator *v = NULL;
    assert_int_equal(validator_create(config_schema(), &v), ARVIS_OK);
    arvis_config_report r;
    arvis_config_report_init(&r);
    bool ok = validator_check(v, defaults, &r);
    if (!ok) {
        fail_msg("defaults do not validate: %s", r.items[0].message);
    }
    arvis_config_report_free(&r);
    validator_destroy(v);
    cJSON_Delete(defaults);
}

static void test_schema_is_a_valid_draft7_schema(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    if (arvis_file_read(metaschema_path, 1 << 20, &text, &len, NULL) != ARVIS_OK) {
        fail_msg("%s is missing: install python3-jsonschema (scripts/install-deps)",
                 metaschema_path);
    }
    cJSON *meta = NULL;
    assert_int_equal(arvis_json_parse(text, len, &meta, NULL), ARVIS_OK);
    free(text);
    schema_validator *v = NULL;
    assert_int_equal(validator_create(meta, &v), ARVIS_OK);
    arvis_config_report r;
    arvis_config_report_init(&r);
    bool ok = validator_check(v, config_schema(), &r);
    if (!ok) {
        fail_msg("data/config.schema.json breaks the metaschema: %s", r.items[0].message);
    }
    /* And the metaschema does catch a broken schema. */
    cJSON *broken = NULL;
    assert_int_equal(arvis_json_parse("{\"type\": 12}", 12, &broken, NULL), ARVIS_OK);
    assert_false(validator_check(v, broken, NULL));
    cJSON_Delete(broken);
    arvis_config_report_free(&r);
    validator_destroy(v);
    cJSON_Delete(meta);
}

static void test_secrets_are_marked(void **state)
{
    (void)state;
    assert_true(schema_is_secret(schema_node_raw("server.api_token")));
    assert_false(schema_is_secret(schema_node_raw("llm.api_key_env")));
    assert_false(schema_is_secret(NULL));
}

static void test_lookups_through_refs_and_maps(void **state)
{
    (void)state;
    assert_non_null(schema_node("tts.engine"));
    assert_non_null(cJSON_GetObjectItemCaseSensitive(schema_node("tts.engine"), "enum"));
    assert_non_null(schema_node("notifications.channels.tts.min_level"));
    assert_non_null(schema_node("stt.pocketsphinx.words.anything"));
    assert_null(schema_node("llm.no_such_key"));
    assert_null(schema_node("llm..model"));
    assert_true(schema_is_section(schema_node("llm.history")));
    assert_false(schema_is_section(schema_node("llm.model")));
    char env[64];
    schema_env_name("tts.espeak-ng.voice", env, sizeof env);
    assert_string_equal(env, "ARVIS_TTS_ESPEAK_NG_VOICE");
    char near[64];
    assert_true(schema_suggest("llm.temprature", near, sizeof near));
    assert_string_equal(near, "llm.temperature");
    assert_false(schema_suggest("completely.different.thing", near, sizeof near));
}

static void test_committed_reference_is_current(void **state)
{
    (void)state;
    const char *root = getenv("TEST_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/CONFIG_REFERENCE.md", root ? root : ".");
    char *committed = tu_read(path, NULL);
    char *fresh = arvis_config_reference();
    assert_non_null(fresh);
    if (!committed || strcmp(committed, fresh) != 0) {
        fail_msg("docs/CONFIG_REFERENCE.md is stale: run `arvis config reference > "
                 "docs/CONFIG_REFERENCE.md`");
    }
    assert_non_null(strstr(fresh, "| `llm.temperature` | number | `0.7` | 0 to 1 | "
                                  "`ARVIS_LLM_TEMPERATURE` |"));
    free(committed);
    free(fresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key_is_documented_bounded_and_has_a_default),
        cmocka_unit_test(test_defaults_validate),
        cmocka_unit_test(test_schema_is_a_valid_draft7_schema),
        cmocka_unit_test(test_secrets_are_marked),
        cmocka_unit_test(test_lookups_through_refs_and_maps),
        cmocka_unit_test(test_committed_reference_is_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
