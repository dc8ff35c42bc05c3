/* The validator's messages: a path, the rule, the expected and the found value, for every
 * problem rather than the first. (Correctness against the official suite is
 * config_schema_suite_test.) */
#include <cjson/cJSON.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/json.h"
#include "config_internal.h"
#include "test_util.h"

/* Validates instance against schema and returns the report (the caller frees it). */
static arvis_config_report check(const char *schema_text, const char *instance_text, bool want)
{
    cJSON *schema = tu_json(schema_text);
    cJSON *inst = tu_json(instance_text);
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
    /* 20000 distinct numbers and one repeat; the check sorts rather than comparing every
     * pair. */
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < 20000; i++) {
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(i));
    }
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(7));
    cJSON *schema = tu_json("{\"uniqueItems\":true}");
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
    cJSON *schema = tu_json("{\"items\":{\"type\":\"integer\"}}");
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

/* 2-item arrays [a, b] whose FNV hash (the hash uniqueItems once sorted by) is the same for
 * every a: b is worked out backwards, as the multiply is invertible mod 2^64. */
static cJSON *colliding_items(int n)
{
    const uint64_t offset = 1469598103934665603ull;
    const uint64_t prime = 1099511628211ull;
    const uint64_t target = 0x123456789abcdef0ull;
    uint64_t inverse = prime; /* Newton's iteration: each step doubles the correct bits */
    for (int i = 0; i < 6; i++) {
        inverse *= 2 - prime * inverse;
    }
    cJSON *arr = cJSON_CreateArray();
    for (int a = 1, made = 0; made < n; a++) {
        double da = a;
        uint64_t bits_a;
        memcpy(&bits_a, &da, sizeof bits_a);
        uint64_t h = ((((offset ^ 32) * prime) ^ ((offset ^ bits_a) * prime)) * prime);
        uint64_t bits_b = (((target * inverse) ^ h) * inverse) ^ offset;
        double b;
        memcpy(&b, &bits_b, sizeof b);
        if (!isfinite(b) || b == 0) {
            continue;
        }
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateNumber(da));
        cJSON_AddItemToArray(pair, cJSON_CreateNumber(b));
        cJSON_AddItemToArray(arr, pair);
        made++;
    }
    return arr;
}

/* Validates arr against schema_text; returns the verdict and fills r. */
static bool check_tree(const char *schema_text, const cJSON *inst, arvis_config_report *r)
{
    cJSON *schema = tu_json(schema_text);
    schema_validator *v = NULL;
    assert_int_equal(validator_create(schema, &v), ARVIS_OK);
    arvis_config_report_init(r);
    bool ok = validator_check(v, inst, r);
    validator_destroy(v);
    cJSON_Delete(schema);
    return ok;
}

/* With items compared pair by pair within a run of equal hashes, 150,000 colliding items take
 * many minutes (past the test's time limit); sorted by their text, under a second. */
static void test_unique_items_cannot_be_made_quadratic(void **state)
{
    (void)state;
    enum { ITEMS = 150000 };
    cJSON *arr = colliding_items(ITEMS);
    arvis_config_report r;
    assert_true(check_tree("{\"uniqueItems\": true}", arr, &r));
    arvis_config_report_free(&r);
    cJSON_AddItemToArray(arr, cJSON_Duplicate(cJSON_GetArrayItem(arr, 1234), 1));
    assert_false(check_tree("{\"uniqueItems\": true}", arr, &r));
    assert_non_null(strstr(r.items[0].message, "items 1234 and 150000 are both [1235,"));
    arvis_config_report_free(&r);
    cJSON_Delete(arr);
}

static void test_unique_items_are_not_compared_once_items_failed(void **state)
{
    (void)state;
    arvis_config_report r =
        check("{\"items\": {\"type\": \"string\"}, \"uniqueItems\": true}", "[1, 1, 2]", false);
    assert_int_equal(r.errors, 3);
    for (size_t i = 0; i < r.count; i++) {
        assert_string_equal(r.items[i].rule, "type");
    }
    arvis_config_report_free(&r);
}

static void test_unique_items_follow_json_equality(void **state)
{
    (void)state;
    static const struct {
        const char *items;
        bool unique;
    } cases[] = {
        {"[{\"a\": 1, \"b\": [2]}, {\"b\": [2.0], \"a\": 1.0}]", false},
        {"[0, -0]", false},
        {"[1e2, 100]", false},
        {"[\"a\", \"a \"]", true},
        {"[[1, 2], [2, 1]]", true},
        {"[{\"a\": \"1\"}, {\"a\": 1}]", true},
        {"[true, 1, \"true\", null, false, 0, \"\", [], {}]", true},
        {"[{\"1:a\": \"\"}, {\"1\": \"a\"}]", true},
        {"[\"s1:a\", \"a\"]", true},
        {"[{\"a\": {}}, {\"a\": []}]", true},
        {"[{}, {}]", false},
        {"[[], []]", false},
        {"[null, null]", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        arvis_config_report r = check("{\"uniqueItems\": true}", cases[i].items, cases[i].unique);
        arvis_config_report_free(&r);
    }
}

static void test_multiple_of_allows_rounding_not_remainders(void **state)
{
    (void)state;
    static const struct {
        const char *schema;
        const char *value;
        bool ok;
    } cases[] = {
        {"{\"multipleOf\": 1}", "4.0000000001", false},
        {"{\"multipleOf\": 1}", "1000000000.5", false},
        {"{\"multipleOf\": 0.5}", "3000000000.3", false},
        {"{\"multipleOf\": 0.0001}", "0.0075", true},
        {"{\"multipleOf\": 0.1}", "0.3", true},
        {"{\"multipleOf\": 0.01}", "19.99", true},
        {"{\"multipleOf\": 0.01}", "19.991", false},
        {"{\"multipleOf\": 3}", "9e15", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        arvis_config_report r = check(cases[i].schema, cases[i].value, cases[i].ok);
        arvis_config_report_free(&r);
    }
}

static void test_patterns_follow_ecma_262(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        const char *value;
        bool ok;
    } cases[] = {
        {"^a.b$", "\"a\\rb\"", false},
        {"^a.b$", "\"a\\u2028b\"", false},
        {"^a.b$", "\"a\\u000bb\"", true},
        {"^a.b$", "\"a\\u0085b\"", true},
        {"^\\\\s$", "\"\\u00a0\"", true},
        {"^\\\\s$", "\"\\ufeff\"", true},
        {"^\\\\S$", "\"\\u2028\"", false},
        {"^[^\\\\s]+$", "\"a\\u00a0b\"", false},
        {"^[\\\\s]$", "\"\\u3000\"", true},
        {"^\\\\u00e9$", "\"\\u00e9\"", true},
        {"^\\\\ud83d\\\\ude00$", "\"\\ud83d\\ude00\"", true},
        {"^[^]$", "\"\\n\"", true},
        {"^a[]$", "\"a\"", false},
        {"^\\\\\\\\s$", "\"\\\\s\"", true},
        {"^[.]$", "\".\"", true},
        {"^[.]$", "\"x\"", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char schema[128];
        snprintf(schema, sizeof schema, "{\"pattern\": \"%s\"}", cases[i].pattern);
        arvis_config_report r = check(schema, cases[i].value, cases[i].ok);
        arvis_config_report_free(&r);
    }
    /* The schema's URL pattern, which uses [^\s...], refuses Unicode white space. */
    cJSON *url = cJSON_CreateObject();
    cJSON_AddStringToObject(url, "base_url", "http://host\xC2\xA0name:1/");
    arvis_config_report r;
    assert_false(check_tree("{\"properties\": {\"base_url\": {\"$ref\": "
                            "\"#/definitions/u\"}}, \"definitions\": {\"u\": {\"pattern\": "
                            "\"^https?://[^\\\\s/?#@]+(/[^\\\\s]*)?$\"}}}",
                            url, &r));
    arvis_config_report_free(&r);
    cJSON_Delete(url);
}

static void test_pointer_array_indexes_are_strict(void **state)
{
    (void)state;
    static const struct {
        const char *ref;
        bool resolves;
    } cases[] = {
        {"#/items/0", true},           {"#/items/1", true},   {"#/items/", false},
        {"#/items/01", false},         {"#/items/+1", false}, {"#/items/ 1", false},
        {"#/items/4294967296", false}, {"#/items/2", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char schema[256];
        snprintf(schema, sizeof schema,
                 "{\"items\": [{\"type\": \"string\"}, {\"type\": \"number\"}], "
                 "\"properties\": {\"x\": {\"$ref\": \"%s\"}}}",
                 cases[i].ref);
        /* A resolved $ref checks the type; one that does not resolve is an error either way. */
        arvis_config_report r = check(schema, "{\"x\": 5}", cases[i].resolves && i == 1);
        bool unresolved = false;
        for (size_t k = 0; k < r.count; k++) {
            unresolved = unresolved || strstr(r.items[k].message, "cannot be found") != NULL;
        }
        assert_int_equal(unresolved, !cases[i].resolves);
        arvis_config_report_free(&r);
    }
}

static void test_odd_keys_are_quoted_in_paths(void **state)
{
    (void)state;
    arvis_config_report r = check("{\"additionalProperties\": false}",
                                  "{\"\": 1, \"a b\": 2, \"q\\\"\\\\\": 3}", false);
    assert_int_equal(r.count, 3);
    assert_string_equal(r.items[0].path, "[\"\"]");
    assert_string_equal(r.items[1].path, "[\"a b\"]");
    assert_string_equal(r.items[2].path, "[\"q\\\"\\\\\"]");
    arvis_config_report_free(&r);
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
        cmocka_unit_test(test_unique_items_cannot_be_made_quadratic),
        cmocka_unit_test(test_unique_items_are_not_compared_once_items_failed),
        cmocka_unit_test(test_unique_items_follow_json_equality),
        cmocka_unit_test(test_multiple_of_allows_rounding_not_remainders),
        cmocka_unit_test(test_patterns_follow_ecma_262),
        cmocka_unit_test(test_pointer_array_indexes_are_strict),
        cmocka_unit_test(test_odd_keys_are_quoted_in_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
