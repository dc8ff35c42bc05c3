/* Values typed on a command line or in the environment are read by the key's schema type. */
#include <cjson/cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config_internal.h"

static cJSON *read_as(const char *key, const char *text, int want_rc)
{
    cJSON *v = NULL;
    arvis_error err;
    const cJSON *node = schema_node(key);
    assert_non_null(node);
    int rc = config_parse_value(node, text, &v, &err);
    if (rc != want_rc) {
        fail_msg("%s=%s: got %d (%s), wanted %d", key, text, rc, err.msg, want_rc);
    }
    return v;
}

static void test_numbers_integers_and_booleans(void **state)
{
    (void)state;
    cJSON *v = read_as("llm.temperature", "0.5", ARVIS_OK);
    assert_true(cJSON_IsNumber(v) && v->valuedouble == 0.5);
    cJSON_Delete(v);
    v = read_as("llm.max_tokens", "2048", ARVIS_OK);
    assert_true(v->valuedouble == 2048);
    cJSON_Delete(v);
    v = read_as("llm.max_tokens", "1.5", ARVIS_E_INVAL);
    assert_null(v);
    assert_null(read_as("llm.temperature", "hot", ARVIS_E_INVAL));
    assert_null(read_as("llm.temperature", "0x10", ARVIS_E_INVAL));
    assert_null(read_as("llm.temperature", "nan", ARVIS_E_INVAL));
    assert_null(read_as("llm.temperature", "", ARVIS_E_INVAL));
    v = read_as("llm.stream", "false", ARVIS_OK);
    assert_true(cJSON_IsFalse(v));
    cJSON_Delete(v);
    v = read_as("llm.stream", "YES", ARVIS_OK);
    assert_true(cJSON_IsTrue(v));
    cJSON_Delete(v);
    assert_null(read_as("llm.stream", "maybe", ARVIS_E_INVAL));
}

static void test_strings_are_taken_as_written(void **state)
{
    (void)state;
    cJSON *v = read_as("llm.model", "llama3.2:1b", ARVIS_OK);
    assert_string_equal(v->valuestring, "llama3.2:1b");
    cJSON_Delete(v);
    v = read_as("llm.model", "true", ARVIS_OK);
    assert_string_equal(v->valuestring, "true");
    cJSON_Delete(v);
    v = read_as("tts.engine", "espeak-ng", ARVIS_OK); /* through a $ref */
    assert_string_equal(v->valuestring, "espeak-ng");
    cJSON_Delete(v);
}

static void test_nullable_strings(void **state)
{
    (void)state;
    cJSON *v = read_as("audio.output_device", "null", ARVIS_OK);
    assert_true(cJSON_IsNull(v));
    cJSON_Delete(v);
    v = read_as("audio.output_device", "alsa_output.usb", ARVIS_OK);
    assert_string_equal(v->valuestring, "alsa_output.usb");
    cJSON_Delete(v);
}

static void test_arrays_and_objects_are_json(void **state)
{
    (void)state;
    cJSON *v = read_as("tts.fallback", "[\"null\"]", ARVIS_OK);
    assert_true(cJSON_IsArray(v) && cJSON_GetArraySize(v) == 1);
    cJSON_Delete(v);
    v = read_as("stt.pocketsphinx.words", "{\"jarvis\": \"JH AA R V IH S\"}", ARVIS_OK);
    assert_true(cJSON_IsObject(v));
    cJSON_Delete(v);
    cJSON *bad = NULL;
    arvis_error err;
    assert_int_equal(config_parse_value(schema_node("tts.fallback"), "espeak-ng", &bad, &err),
                     ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "expected a JSON array"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_integers_and_booleans),
        cmocka_unit_test(test_strings_are_taken_as_written),
        cmocka_unit_test(test_nullable_strings),
        cmocka_unit_test(test_arrays_and_objects_are_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
