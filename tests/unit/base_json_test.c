/* The JSON helper: errors with line and column, duplicate keys, printing, equality as JSON
 * Schema defines it, dotted paths and merging. */
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
#include "test_util.h"

static void parse_fails(const char *text, size_t len, int code, const char *msg_part)
{
    cJSON *v = NULL;
    arvis_error err;
    assert_int_equal(arvis_json_parse(text, len, &v, &err), code);
    assert_null(v);
    if (!strstr(err.msg, msg_part)) {
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg_part);
    }
}

static void test_syntax_errors_name_line_and_column(void **state)
{
    (void)state;
    const char *text = "{\n  \"a\": 1,\n  \"b\": tru\n}";
    parse_fails(text, strlen(text), ARVIS_E_PARSE, "line 3, column");
    parse_fails("{\"a\": 1,}", 9, ARVIS_E_PARSE,
                "line 1, column 9: a comma before } is not allowed");
    parse_fails("[1, 2", 5, ARVIS_E_PARSE, "ends too early");
    parse_fails("{} {}", 5, ARVIS_E_PARSE, "line 1, column 4: unexpected text after");
    parse_fails("[1, 2,]", 7, ARVIS_E_PARSE, "column 7: a comma before ] is not allowed");
    parse_fails("{\"a\" 1}", 7, ARVIS_E_PARSE, "column 6: expected ':' after the key");
    parse_fails("{\"a\": 1 \"b\": 2}", 15, ARVIS_E_PARSE, "column 9: expected ',' or '}'");
    parse_fails("[1 2]", 5, ARVIS_E_PARSE, "column 4: expected ',' or ']'");
    parse_fails("  \n ", 4, ARVIS_E_PARSE, "no JSON value");
    parse_fails("", 0, ARVIS_E_PARSE, "no JSON value");
}

static void test_columns_count_characters_not_bytes(void **state)
{
    (void)state;
    const char *text = "{\"имя\": x}";
    parse_fails(text, strlen(text), ARVIS_E_PARSE, "line 1, column 9: expected a value");
}

static void test_invalid_utf8_and_nul_bytes_are_refused(void **state)
{
    (void)state;
    parse_fails("{\"a\": \"\xC3\x28\"}", 10, ARVIS_E_UTF8, "line 1, column 8: byte 0xC3");
    parse_fails("{\"a\": \"x\0\"}", 11, ARVIS_E_PARSE, "column 9: a NUL byte");
}

static void test_only_strict_json_is_accepted(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *msg;
    } cases[] = {
        {"01", "must not start with 0"},
        {"1.x", "decimal point must be followed by a digit"},
        {"1ex", "exponent needs a digit"},
        {"-", "the JSON text ends too early"},
        {"+1", "expected a value"},
        {"{'a': 1}", "expected a key in double quotes"},
        {"['a']", "not single quotes"},
        {"\"abc", "ends too early"},
        {"\"a\tb\"", "control character in a string must be escaped"},
        {"\"a\nb\"", "must not run over a line end"},
        {"\"\\x\"", "unknown escape"},
        {"\"\\u12\"", "four hexadecimal digits"},
        {"\"\\udc00\"", "lone low surrogate"},
        {"\"\\ud800x\"", "must be followed by a low one"},
        {"tru", "expected a value"},
        {"nulll", "unexpected text after"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        parse_fails(cases[i].text, strlen(cases[i].text), ARVIS_E_PARSE, cases[i].msg);
    }
    cJSON *v = tu_json("[\"\\ud83d\\ude00\", -0.5e+3, 0, 1E2, true, false, null, {}]");
    assert_string_equal(cJSON_GetArrayItem(v, 0)->valuestring, "\xF0\x9F\x98\x80");
    assert_true(cJSON_GetArrayItem(v, 1)->valuedouble == -500);
    cJSON_Delete(v);
}

static void test_deep_nesting_is_refused_not_crashed(void **state)
{
    (void)state;
    char deep[1200];
    memset(deep, '[', 600);
    memset(deep + 600, ']', 600);
    parse_fails(deep, sizeof deep, ARVIS_E_PARSE, "nested too deeply");
    memset(deep, '[', 500);
    memset(deep + 500, ']', 500);
    cJSON *v = NULL;
    assert_int_equal(arvis_json_parse(deep, 1000, &v, NULL), ARVIS_OK);
    cJSON_Delete(v);
}

static void test_duplicate_keys_are_refused_with_their_path(void **state)
{
    (void)state;
    const char *text = "{\"llm\": {\"model\": \"a\", \"model\": \"b\"}}";
    parse_fails(text, strlen(text), ARVIS_E_PARSE, "llm.model: the key appears twice");
    const char *nested = "{\"x\": [{\"k\": 1, \"k\": 2}]}";
    parse_fails(nested, strlen(nested), ARVIS_E_PARSE, "x[0].k");
}

static void test_numbers_that_overflow_are_refused(void **state)
{
    (void)state;
    parse_fails("{\"n\": 1e999}", 12, ARVIS_E_PARSE, "n: the number is too large");
}

static void test_bom_is_skipped(void **state)
{
    (void)state;
    cJSON *v = tu_json("\xEF\xBB\xBF{\"a\": 1}");
    assert_true(cJSON_IsObject(v));
    cJSON_Delete(v);
}

static void test_pretty_print_layout(void **state)
{
    (void)state;
    cJSON *v = tu_json("{\"a\":{\"b\":[1,2],\"c\":{}},\"d\":[],\"e\":\"Привет\\n\\u0001\","
                       "\"f\":[{\"g\":null}]}");
    char *text = arvis_json_print(v, 2);
    assert_string_equal(text, "{\n"
                              "  \"a\": {\n"
                              "    \"b\": [1, 2],\n"
                              "    \"c\": {}\n"
                              "  },\n"
                              "  \"d\": [],\n"
                              "  \"e\": \"Привет\\n\\u0001\",\n"
                              "  \"f\": [\n"
                              "    {\n"
                              "      \"g\": null\n"
                              "    }\n"
                              "  ]\n"
                              "}");
    free(text);
    text = arvis_json_print(v, 0);
    assert_string_equal(text, "{\"a\":{\"b\":[1,2],\"c\":{}},\"d\":[],\"e\":\"Привет\\n\\u0001\","
                              "\"f\":[{\"g\":null}]}");
    free(text);
    cJSON_Delete(v);
}

static void test_print_round_trips_through_parse(void **state)
{
    (void)state;
    const char *src = "{\"t\":true,\"f\":false,\"q\":\"a\\\"b\\\\c\\t\",\"n\":-0.1,\"big\":1e300}";
    cJSON *v = tu_json(src);
    char *text = arvis_json_print(v, 2);
    cJSON *back = tu_json(text);
    assert_true(arvis_json_equal(v, back));
    free(text);
    cJSON_Delete(v);
    cJSON_Delete(back);
}

static void test_numbers_print_shortest_exact_form(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(arvis_json_number(0.7, buf, sizeof buf), "0.7");
    assert_string_equal(arvis_json_number(5242880, buf, sizeof buf), "5242880");
    assert_string_equal(arvis_json_number(-0.0, buf, sizeof buf), "0");
    assert_string_equal(arvis_json_number(1e-20, buf, sizeof buf), "1e-20");
    assert_string_equal(arvis_json_number(0.1 + 0.2, buf, sizeof buf), "0.30000000000000004");
}

static void test_equality_follows_json_schema(void **state)
{
    (void)state;
    cJSON *a = tu_json("{\"x\": 1, \"y\": [1, \"s\", null]}");
    cJSON *b = tu_json("{\"y\": [1.0, \"s\", null], \"x\": 1.0}");
    cJSON *c = tu_json("{\"y\": [\"s\", 1, null], \"x\": 1}");
    cJSON *t = tu_json("[true]");
    cJSON *one = tu_json("[1]");
    assert_true(arvis_json_equal(a, b));
    assert_false(arvis_json_equal(a, c));
    assert_false(arvis_json_equal(t, one));
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
    cJSON_Delete(t);
    cJSON_Delete(one);
}

static void test_dotted_paths_get_put_take(void **state)
{
    (void)state;
    cJSON *root = tu_json("{\"llm\": {\"model\": \"a\"}, \"n\": 5}");
    assert_string_equal(arvis_json_at(root, "llm.model")->valuestring, "a");
    assert_ptr_equal(arvis_json_at(root, ""), root);
    assert_null(arvis_json_at(root, "llm.model.deeper"));
    assert_null(arvis_json_at(root, "llm.missing"));
    assert_int_equal(arvis_json_put(root, "tts.flite.voice", cJSON_CreateString("kal")), ARVIS_OK);
    assert_string_equal(arvis_json_at(root, "tts.flite.voice")->valuestring, "kal");
    assert_int_equal(arvis_json_put(root, "llm.model", cJSON_CreateString("b")), ARVIS_OK);
    assert_string_equal(arvis_json_at(root, "llm.model")->valuestring, "b");
    assert_int_equal(arvis_json_put(root, "n.sub", cJSON_CreateTrue()), ARVIS_E_INVAL);
    cJSON *taken = arvis_json_take(root, "tts.flite.voice");
    assert_string_equal(taken->valuestring, "kal");
    cJSON_Delete(taken);
    assert_null(arvis_json_at(root, "tts")); /* emptied objects are pruned */
    assert_null(arvis_json_take(root, "no.such.key"));
    cJSON_Delete(root);
}

static void test_merge_is_deep_for_objects_only(void **state)
{
    (void)state;
    cJSON *dst = tu_json("{\"a\": {\"x\": 1, \"y\": 2}, \"l\": [1, 2, 3]}");
    cJSON *src = tu_json("{\"a\": {\"y\": 20, \"z\": 30}, \"l\": [9], \"new\": true}");
    assert_int_equal(arvis_json_merge(dst, src), ARVIS_OK);
    cJSON *want = tu_json("{\"a\": {\"x\": 1, \"y\": 20, \"z\": 30}, \"l\": [9], \"new\": true}");
    assert_true(arvis_json_equal(dst, want));
    cJSON_Delete(dst);
    cJSON_Delete(src);
    cJSON_Delete(want);
}

static void test_describe_cuts_long_values_at_a_character(void **state)
{
    (void)state;
    cJSON *v = cJSON_CreateString("ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ");
    char out[16];
    arvis_json_describe(v, out, sizeof out);
    assert_string_equal(out, "\"ЖЖЖЖЖ...");
    cJSON_Delete(v);
    assert_string_equal(arvis_json_type_name(NULL), "null");
}

/* {"k0":0,"k1":0,...} with n keys, and dup appended as one more key when not NULL. */
static char *many_keys_text(size_t n, const char *dup)
{
    size_t size = n * 24 + 64;
    char *text = malloc(size);
    assert_non_null(text);
    size_t used = (size_t)snprintf(text, size, "{");
    for (size_t i = 0; i < n; i++) {
        used += (size_t)snprintf(text + used, size - used, "%s\"k%zu\":0", i ? "," : "", i);
    }
    if (dup) {
        used += (size_t)snprintf(text + used, size - used, ",\"%s\":1", dup);
    }
    snprintf(text + used, size - used, "}");
    return text;
}

/* Hostile sizes: with a check that compares every key with every earlier one, 300,000 keys
 * take minutes (past the test's time limit); sorted, they take a fraction of a second. */
enum { HOSTILE_KEYS = 300000 };

static void test_duplicate_check_scales_to_a_huge_object(void **state)
{
    (void)state;
    char *text = many_keys_text(HOSTILE_KEYS, NULL);
    cJSON *v = tu_json(text);
    assert_int_equal(cJSON_GetArraySize(v), HOSTILE_KEYS);
    cJSON_Delete(v);
    free(text);
    text = many_keys_text(HOSTILE_KEYS, "k12345");
    parse_fails(text, strlen(text), ARVIS_E_PARSE, "k12345: the key appears twice");
    free(text);
}

static void test_first_repeated_key_in_document_order_is_named(void **state)
{
    (void)state;
    const char *inner = "{\"b\": 1, \"a\": 1, \"c\": {\"x\": 1, \"x\": 2}, \"a\": 2}";
    parse_fails(inner, strlen(inner), ARVIS_E_PARSE, "c.x: the key appears twice");
    const char *outer = "{\"z\": 1, \"b\": 1, \"a\": 1, \"b\": 2, \"a\": 2}";
    parse_fails(outer, strlen(outer), ARVIS_E_PARSE, "b: the key appears twice");
    const char *empty = "{\"\": 1, \"\": 2}";
    parse_fails(empty, strlen(empty), ARVIS_E_PARSE, "the key appears twice");
}

static void test_nul_escape_is_refused_not_truncated(void **state)
{
    (void)state;
    const char *value = "{\"s\": \"a\\u0000b\"}";
    parse_fails(value, strlen(value), ARVIS_E_PARSE, "line 1, column 10: \\u0000");
    const char *keys = "{\"a\\u0000x\": 1, \"a\\u0000y\": 2}";
    parse_fails(keys, strlen(keys), ARVIS_E_PARSE, "is not allowed in a string or key");
    cJSON *v = tu_json("[\"\\u0001\"]");
    assert_string_equal(cJSON_GetArrayItem(v, 0)->valuestring, "\x01");
    cJSON_Delete(v);
}

static void test_describe_fits_any_size(void **state)
{
    (void)state;
    cJSON *v = cJSON_CreateString("a long value");
    static const char *const want[] = {"", ".", "..", "...", "\"..."};
    for (size_t size = 1; size <= 5; size++) {
        char *out = malloc(size); /* exactly size bytes, so a write past them is caught */
        assert_non_null(out);
        arvis_json_describe(v, out, size);
        assert_string_equal(out, want[size - 1]);
        free(out);
    }
    cJSON_Delete(v);
}

static void test_deep_indentation_is_exact(void **state)
{
    (void)state;
    enum { DEPTH = 100 };
    char text[2 * DEPTH + 2];
    memset(text, '[', DEPTH);
    text[DEPTH] = '{';
    text[DEPTH + 1] = '}';
    memset(text + DEPTH + 2, ']', DEPTH);
    cJSON *v = NULL;
    assert_int_equal(arvis_json_parse(text, sizeof text, &v, NULL), ARVIS_OK);
    char *printed = arvis_json_print(v, 3);
    /* The innermost line is {} indented by 3 spaces per level above it. */
    char want[3 * DEPTH + 8];
    want[0] = '\n';
    memset(want + 1, ' ', 3 * DEPTH);
    memcpy(want + 1 + 3 * DEPTH, "{}\n", 4);
    assert_non_null(strstr(printed, want));
    cJSON *back = NULL;
    assert_int_equal(arvis_json_parse(printed, strlen(printed), &back, NULL), ARVIS_OK);
    assert_true(arvis_json_equal(v, back));
    free(printed);
    cJSON_Delete(back);
    cJSON_Delete(v);
}

/* 300 levels of arrays around 20000 zeros: 60 KB as JSON, over 12 MB indented. */
static void test_bounded_print_stops_at_its_limit(void **state)
{
    (void)state;
    enum { DEPTH = 300, ZEROS = 20000, LIMIT = 1024 * 1024 };
    cJSON *root = cJSON_CreateArray();
    cJSON *inner = root;
    for (int i = 1; i < DEPTH; i++) {
        cJSON *next = cJSON_CreateArray();
        cJSON_AddItemToArray(inner, next);
        inner = next;
    }
    for (int i = 0; i < ZEROS; i++) {
        cJSON_AddItemToArray(inner, cJSON_CreateNumber(0));
    }
    bool too_big = false;
    assert_null(arvis_json_print_max(root, 2, LIMIT, &too_big));
    assert_true(too_big);
    char *compact = arvis_json_print_max(root, 0, LIMIT, &too_big);
    assert_non_null(compact);
    assert_false(too_big);
    char *plain = arvis_json_print(root, 0);
    assert_string_equal(compact, plain);
    free(compact);
    free(plain);
    cJSON_Delete(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_errors_name_line_and_column),
        cmocka_unit_test(test_columns_count_characters_not_bytes),
        cmocka_unit_test(test_invalid_utf8_and_nul_bytes_are_refused),
        cmocka_unit_test(test_only_strict_json_is_accepted),
        cmocka_unit_test(test_deep_nesting_is_refused_not_crashed),
        cmocka_unit_test(test_duplicate_keys_are_refused_with_their_path),
        cmocka_unit_test(test_numbers_that_overflow_are_refused),
        cmocka_unit_test(test_bom_is_skipped),
        cmocka_unit_test(test_pretty_print_layout),
        cmocka_unit_test(test_print_round_trips_through_parse),
        cmocka_unit_test(test_numbers_print_shortest_exact_form),
        cmocka_unit_test(test_equality_follows_json_schema),
        cmocka_unit_test(test_dotted_paths_get_put_take),
        cmocka_unit_test(test_merge_is_deep_for_objects_only),
        cmocka_unit_test(test_describe_cuts_long_values_at_a_character),
        cmocka_unit_test(test_duplicate_check_scales_to_a_huge_object),
        cmocka_unit_test(test_first_repeated_key_in_document_order_is_named),
        cmocka_unit_test(test_nul_escape_is_refused_not_truncated),
        cmocka_unit_test(test_describe_fits_any_size),
        cmocka_unit_test(test_deep_indentation_is_exact),
        cmocka_unit_test(test_bounded_print_stops_at_its_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
