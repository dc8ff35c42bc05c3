/* Paths and merges over JSON trees: empty path segments name nothing, merges keep or replace
 * as asked, stay O(n log n) for huge objects, and leak nothing when memory runs out. */
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

/* Two objects of this many keys make a lookup per key through cJSON's linear search take
 * minutes (past the test's time limit); indexed, a fraction of a second. */
enum { HOSTILE_KEYS = 300000 };

static void test_paths_with_an_empty_segment_name_nothing(void **state)
{
    (void)state;
    cJSON *root = tu_json("{\"llm\": {\"model\": \"a\", \"\": 1}, \"\": {\"x\": 2}}");
    assert_null(arvis_json_at(root, "llm."));
    assert_null(arvis_json_at(root, ".x"));
    assert_null(arvis_json_at(root, "llm..model"));
    assert_int_equal(arvis_json_put(root, "llm.", cJSON_CreateNumber(1)), ARVIS_E_INVAL);
    assert_int_equal(arvis_json_put(root, "", cJSON_CreateNumber(1)), ARVIS_E_INVAL);
    assert_int_equal(arvis_json_put(root, "a..b", cJSON_CreateNumber(1)), ARVIS_E_INVAL);
    assert_null(arvis_json_take(root, "llm."));
    assert_null(arvis_json_take(root, ""));
    cJSON *want = tu_json("{\"llm\": {\"model\": \"a\", \"\": 1}, \"\": {\"x\": 2}}");
    assert_true(arvis_json_equal(root, want));
    cJSON_Delete(want);
    cJSON_Delete(root);
}

/* cJSON allocations fail after `left` more succeed (-1: never). */
static int allocations_left = -1;

static void *failing_malloc(size_t size)
{
    if (allocations_left == 0) {
        return NULL;
    }
    allocations_left -= allocations_left > 0;
    return malloc(size);
}

/* Replacing a value when memory runs out must not leak it (the sanitizer build checks). */
static void test_failed_allocations_leak_nothing(void **state)
{
    (void)state;
    for (int k = 0; k < 12; k++) {
        cJSON *root = tu_json("{\"a\": {\"b\": 1}}");
        cJSON *src = tu_json("{\"a\": {\"b\": [1, 2]}, \"c\": \"x\"}");
        cJSON *value = cJSON_CreateString("v");
        cJSON_Hooks hooks = {failing_malloc, free};
        allocations_left = k;
        cJSON_InitHooks(&hooks);
        int put = arvis_json_put(root, "a.b", value);
        int merged = arvis_json_merge(root, src);
        cJSON_InitHooks(NULL);
        assert_true(put == ARVIS_OK || put == ARVIS_E_NOMEM);
        assert_true(merged == ARVIS_OK || merged == ARVIS_E_NOMEM);
        cJSON_Delete(root);
        cJSON_Delete(src);
    }
}

static void record_renamed(const char *path, void *ud)
{
    cJSON_AddItemToArray(ud, cJSON_CreateString(path));
}

static void test_merge_keep_replaces_nothing(void **state)
{
    (void)state;
    cJSON *dst =
        tu_json("{\"tts\": {\"voice\": \"kal\"}, \"a\": 1, \"a~1\": 2, \"x\": {\"y\": 1}}");
    cJSON *src = tu_json("{\"tts\": \"x\", \"a\": 3, \"b\": 4, \"x\": {\"y\": 2, \"z\": 3}}");
    cJSON *renamed = cJSON_CreateArray();
    assert_int_equal(arvis_json_merge_keep(dst, src, record_renamed, renamed), ARVIS_OK);
    cJSON *want = tu_json("{\"tts\": {\"voice\": \"kal\"}, \"a\": 1, \"a~1\": 2, "
                          "\"x\": {\"y\": 1, \"y~1\": 2, \"z\": 3}, \"tts~1\": \"x\", "
                          "\"a~2\": 3, \"b\": 4}");
    assert_true(arvis_json_equal(dst, want));
    cJSON *want_renamed = tu_json("[\"tts~1\", \"a~2\", \"x.y~1\"]");
    assert_true(arvis_json_equal(renamed, want_renamed));
    /* A name src itself uses is not free either. */
    cJSON *dst2 = tu_json("{\"k\": 1}");
    cJSON *src2 = tu_json("{\"k\": 2, \"k~1\": 3}");
    assert_int_equal(arvis_json_merge_keep(dst2, src2, NULL, NULL), ARVIS_OK);
    cJSON *want2 = tu_json("{\"k\": 1, \"k~2\": 2, \"k~1\": 3}");
    assert_true(arvis_json_equal(dst2, want2));
    cJSON *objs[] = {dst, src, renamed, want, want_renamed, dst2, src2, want2};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
        cJSON_Delete(objs[i]);
    }
}

/* Two objects of HOSTILE_KEYS keys, every other key in both. */
static void test_merges_scale_to_huge_objects(void **state)
{
    (void)state;
    cJSON *dst = cJSON_CreateObject();
    cJSON *src = cJSON_CreateObject();
    char key[32];
    for (int i = 0; i < HOSTILE_KEYS; i++) {
        snprintf(key, sizeof key, "k%d", i * 2);
        cJSON_AddNumberToObject(dst, key, i);
        snprintf(key, sizeof key, "k%d", i);
        cJSON_AddNumberToObject(src, key, -i);
    }
    cJSON *kept = cJSON_Duplicate(dst, 1);
    assert_int_equal(arvis_json_merge(dst, src), ARVIS_OK);
    assert_int_equal(cJSON_GetArraySize(dst), HOSTILE_KEYS + HOSTILE_KEYS / 2);
    assert_true(arvis_json_at(dst, "k4")->valuedouble == -4);
    assert_true(arvis_json_at(dst, "k5")->valuedouble == -5);
    assert_true(arvis_json_at(dst, "k400000")->valuedouble == 200000);
    assert_int_equal(arvis_json_merge_keep(kept, src, NULL, NULL), ARVIS_OK);
    assert_int_equal(cJSON_GetArraySize(kept), 2 * HOSTILE_KEYS);
    assert_true(arvis_json_at(kept, "k4")->valuedouble == 2);
    assert_true(arvis_json_at(kept, "k4~1")->valuedouble == -4);
    assert_true(arvis_json_at(kept, "k5")->valuedouble == -5);
    cJSON_Delete(kept);
    cJSON_Delete(dst);
    /* A small object that grows by every key of a huge one (the defaults under a file). */
    cJSON *small = tu_json("{\"k7\": {\"x\": 1}, \"z\": 2}");
    assert_int_equal(arvis_json_merge(small, src), ARVIS_OK);
    assert_int_equal(cJSON_GetArraySize(small), HOSTILE_KEYS + 1);
    assert_true(arvis_json_at(small, "k7")->valuedouble == -7);
    cJSON_Delete(small);
    cJSON_Delete(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths_with_an_empty_segment_name_nothing),
        cmocka_unit_test(test_failed_allocations_leak_nothing),
        cmocka_unit_test(test_merge_keep_replaces_nothing),
        cmocka_unit_test(test_merges_scale_to_huge_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
