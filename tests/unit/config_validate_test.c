/* The validator's messages: a path, the rule, the expected and the found value, for every
 * problem rather than the first. (Correctness against the official suite is
 * config_schema_suite_test.) */
#include <cjson/cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/json.h"
#include "config_internal.h"

static cJSON *json(const char *text)
{
    cJSON *v = NULL;
    arvis_error err;
    if (arvis_json_parse(text, strlen(text), &v, &err) != ARVIS_OK) {
        fail_msg("bad test JSON %s: %s", text, err.msg);
    }
    return v;
}

/* Validates instance against schema and returns the report (the caller frees it). */
static arvis_config_report check(const char *schema_text, const char *instance_text, bool want)
{
    cJSON *schema = json(schema_text);
    cJSON *inst = json(instance_text);
    schema_validator *v = NULL;
    assert_int_equal(validator_create(schema, &v), ARVIS_OK);
    arvis_config_report r;
    arvis_config_report_init(&r);
    bool ok = validator_check(v, inst, &r);
    assert_int_equal(ok, want);
    validator_destroy(v);
    cJSON_Delete(schema);
    cJSON_Delete(inst);
    return r;
}

static const arvis_config_issue *find(const arvis_config_report *r, const char *rule)
{
    for (size_t i = 0; i < r->count; i++) {
        if (strcmp(r->items[i].rule, rule) == 0) {
            return &r->items[i];
        }
    }
    fail_msg("no %s issue among %zu", rule, r->count);
    return NULL;
}

static void test_range_error_names_path_rule_range_and_value(void **state)
{
    (void)state;
    arvis_config_report r = check("{\"properties\":{\"llm\":{\"properties\":{\"temperature\":{"
                                  "\"minimum\":0,\"maximum\":1}}}}}",
                                  "{\"llm\":{\"temperature\":2.5}}", false);
    const arvis_config_issue *it = find(&r, "maximum");
    assert_string_equal(it->path, "llm.temperature");
    assert_string_equal(it->expected, "from 0 to 1");
    assert_string_equal(it->found, "2.5");
    assert_string_equal(it->message,
                        "llm.temperature: 2.5 is out of range: expected a value from 0 to 1");
    arvis_config_report_free(&r);
}

static void test_every_problem_is_collected(void **state)
{
    (void)state;
    arvis_config_report r =
        check("{\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"enum\":[1,2]},"
              "\"c\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}},\"required\":[\"d\"]}",
              "{\"a\":5,\"b\":3,\"c\":[1,\"x\",2.5]}", false);
    assert_int_equal(r.errors, 5);
    assert_string_equal(find(&r, "type")->message, "a: expected a string, found number 5");
    assert_string_equal(find(&r, "enum")->message, "b: 3 is not allowed; expected one of 1, 2");
    assert_string_equal(find(&r, "required")->message, "d: is required, but missing");
    bool saw_item = false;
    for (size_t i = 0; i < r.count; i++) {
        saw_item = saw_item ||
                   strcmp(r.items[i].message, "c[1]: expected an integer, found string \"x\"") == 0;
    }
    assert_true(saw_item);
    arvis_config_report_free(&r);
}

static void test_unknown_key_suggests_the_nearest(void **state)
{
    (void)state;
    arvis_config_report r = check("{\"properties\":{\"llm\":{\"properties\":{\"model\":{}},"
                                  "\"additionalProperties\":false}}}",
                                  "{\"llm\":{\"modle\":\"x\"}}", false);
    assert_string_equal(find(&r, "additionalProperties")->message,
                        "llm.modle: unknown key (did you mean llm.model?)");
    arvis_config_report_free(&r);
}

static void test_secret_values_never_appear_in_messages(void **state)
{
    (void)state;
    arvis_config_report r = check(
        "{\"properties\":{\"token\":{\"type\":\"string\",\"maxLength\":3,\"writeOnly\":true}}}",
        "{\"token\":\"hunter2\"}", false);
    const arvis_config_issue *it = find(&r, "maxLength");
    assert_null(strstr(it->message, "hunter2"));
    assert_string_equal(it->found, "(hidden)");
    arvis_config_report_free(&r);
}

static void test_combinator_and_shape_messages(void **state)
{
    (void)state;
    arvis_config_report r =
        check("{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "3", false);
    assert_non_null(strstr(find(&r, "oneOf")->message, "matches more than one"));
    arvis_config_report_free(&r);
    r = check("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]}", "1", false);
    assert_non_null(strstr(find(&r, "anyOf")->message, "matches none of the 2"));
    arvis_config_report_free(&r);
    r = check("{\"uniqueItems\":true}", "[1,{\"a\":1},2,{\"a\":1.0}]", false);
    assert_string_equal(find(&r, "uniqueItems")->message,
                        "(root): items 1 and 3 are both {\"a\":1}; each item must appear once");
    arvis_config_report_free(&r);
    r = check("{\"properties\":{\"s\":{\"pattern\":\"^[a-z]+$\"}}}", "{\"s\":\"Abc\"}", false);
    assert_string_equal(find(&r, "pattern")->message,
                        "s: \"Abc\" does not have the expected form (pattern ^[a-z]+$)");
    arvis_config_report_free(&r);
    r = check("{\"dependencies\":{\"a\":[\"b\"]}}", "{\"a\":1}", false);
    assert_string_equal(find(&r, "dependencies")->message,
                        "b: is required when a is set, but missing");
    arvis_config_report_free(&r);
}

static void test_bad_schema_parts_are_errors_not_crashes(void **state)
{
    (void)state;
    arvis_config_report r = check("{\"$ref\":\"#/definitions/missing\"}", "1", false);
    assert_non_null(strstr(find(&r, "$ref")->message, "cannot be found"));
    arvis_config_report_free(&r);
    r = check("{\"pattern\":\"([a-\"}", "\"x\"", false);
    assert_non_null(strstr(find(&r, "pattern")->message, "not a valid regular expression"));
    arvis_config_report_free(&r);
    r = check(
        "{\"definitions\":{\"a\":{\"$ref\":\"#/definitions/a\"}},\"$ref\":\"#/definitions/a\"}",
        "1", false);
    assert_non_null(strstr(find(&r, "$ref")->message, "refers to itself"));
    arvis_config_report_free(&r);
}

static void test_duplicate_found_in_a_long_array(void **state)
{
    (void)state;
    /* 20000 distinct numbers and one repeat; the check sorts by hash rather than comparing
     * every pair. */
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < 20000; i++) {
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(i));
    }
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(7));
    cJSON *schema = json("{\"uniqueItems\":true}");
    schema_validator *v = NULL;
    assert_int_equal(validator_create(schema, &v), ARVIS_OK);
    arvis_config_report r;
    arvis_config_report_init(&r);
    assert_false(validator_check(v, arr, &r));
    assert_string_equal(r.items[0].message,
                        "(root): items 7 and 20000 are both 7; each item must appear once");
    arvis_config_report_free(&r);
    validator_destroy(v);
    cJSON_Delete(schema);
    cJSON_Delete(arr);
}

static void test_report_keeps_a_bounded_number_of_items(void **state)
{
    (void)state;
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < 500; i++) {
        cJSON_AddItemToArray(arr, cJSON_CreateString("x"));
    }
    cJSON *schema = json("{\"items\":{\"type\":\"integer\"}}");
    schema_validator *v = NULL;
    assert_int_equal(validator_create(schema, &v), ARVIS_OK);
    arvis_config_report r;
    arvis_config_report_init(&r);
    assert_false(validator_check(v, arr, &r));
    assert_int_equal(r.errors, 500);
    assert_int_equal(r.count, ARVIS_CONFIG_REPORT_MAX);
    arvis_config_report_free(&r);
    validator_destroy(v);
    cJSON_Delete(schema);
    cJSON_Delete(arr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_error_names_path_rule_range_and_value),
        cmocka_unit_test(test_every_problem_is_collected),
        cmocka_unit_test(test_unknown_key_suggests_the_nearest),
        cmocka_unit_test(test_secret_values_never_appear_in_messages),
        cmocka_unit_test(test_combinator_and_shape_messages),
        cmocka_unit_test(test_bad_schema_parts_are_errors_not_crashes),
        cmocka_unit_test(test_duplicate_found_in_a_long_array),
        cmocka_unit_test(test_report_keeps_a_bounded_number_of_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
