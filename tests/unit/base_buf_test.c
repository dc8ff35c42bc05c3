/* The bounded buffer: growth within the maximum, refusal past it with contents intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/buf.h"

static void test_empty_buffer_reads_as_empty_string(void **state)
{
    (void)state;
    arvis_buf b;
    arvis_buf_init(&b, 16);
    assert_string_equal(arvis_buf_str(&b), "");
    assert_int_equal(b.len, 0);
    char *taken = arvis_buf_take(&b);
    assert_non_null(taken);
    assert_string_equal(taken, "");
    free(taken);
}

static void test_add_grows_and_stays_terminated(void **state)
{
    (void)state;
    arvis_buf b;
    arvis_buf_init(&b, 1 << 20);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(arvis_buf_add(&b, "abc", 3), ARVIS_OK);
    }
    assert_int_equal(b.len, 3000);
    assert_int_equal(strlen(arvis_buf_str(&b)), 3000);
    assert_memory_equal(arvis_buf_str(&b) + 2997, "abc", 4);
    arvis_buf_free(&b);
}

static void test_add_past_maximum_is_refused_and_keeps_contents(void **state)
{
    (void)state;
    arvis_buf b;
    arvis_buf_init(&b, 8);
    assert_int_equal(arvis_buf_adds(&b, "12345"), ARVIS_OK);
    assert_int_equal(arvis_buf_adds(&b, "6789"), ARVIS_E_TOOBIG);
    assert_string_equal(arvis_buf_str(&b), "12345");
    assert_int_equal(arvis_buf_adds(&b, "678"), ARVIS_OK);
    assert_string_equal(arvis_buf_str(&b), "12345678");
    assert_int_equal(arvis_buf_addc(&b, '9'), ARVIS_E_TOOBIG);
    assert_true(b.cap <= 9);
    arvis_buf_free(&b);
}

static void test_addf_formats_and_respects_maximum(void **state)
{
    (void)state;
    arvis_buf b;
    arvis_buf_init(&b, 10);
    assert_int_equal(arvis_buf_addf(&b, "%d-%s", 42, "ok"), ARVIS_OK);
    assert_string_equal(arvis_buf_str(&b), "42-ok");
    assert_int_equal(arvis_buf_addf(&b, "%s", "too long"), ARVIS_E_TOOBIG);
    assert_string_equal(arvis_buf_str(&b), "42-ok");
    arvis_buf_free(&b);
}

static void test_consume_drops_the_front(void **state)
{
    (void)state;
    arvis_buf b;
    arvis_buf_init(&b, 64);
    arvis_buf_adds(&b, "line one\nline two");
    arvis_buf_consume(&b, 9);
    assert_string_equal(arvis_buf_str(&b), "line two");
    arvis_buf_consume(&b, 100);
    assert_string_equal(arvis_buf_str(&b), "");
    assert_int_equal(b.len, 0);
    arvis_buf_free(&b);
}

static void test_truncate_reset_and_take(void **state)
{
    (void)state;
    arvis_buf b;
    arvis_buf_init(&b, 64);
    arvis_buf_adds(&b, "hello world");
    arvis_buf_truncate(&b, 5);
    assert_string_equal(arvis_buf_str(&b), "hello");
    arvis_buf_truncate(&b, 50);
    assert_string_equal(arvis_buf_str(&b), "hello");
    char *s = arvis_buf_take(&b);
    assert_string_equal(s, "hello");
    assert_null(b.data);
    free(s);
    arvis_buf_adds(&b, "again");
    arvis_buf_reset(&b);
    assert_string_equal(arvis_buf_str(&b), "");
    arvis_buf_free(&b);
}

static void test_binary_data_with_nul_bytes(void **state)
{
    (void)state;
    arvis_buf b;
    arvis_buf_init(&b, 64);
    const char data[] = {'a', '\0', 'b'};
    assert_int_equal(arvis_buf_add(&b, data, 3), ARVIS_OK);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, data, 3);
    assert_int_equal(arvis_buf_add(&b, NULL, 0), ARVIS_OK);
    assert_int_equal(b.len, 3);
    arvis_buf_free(&b);
}

static void test_join_puts_the_separator_between_items_only(void **state)
{
    (void)state;
    arvis_buf b;
    arvis_buf_init(&b, 16);
    const char *none[] = {NULL};
    assert_int_equal(arvis_buf_join(&b, none, ", "), ARVIS_OK);
    assert_string_equal(arvis_buf_str(&b), "");
    const char *three[] = {"a", "bb", "c", NULL};
    assert_int_equal(arvis_buf_join(&b, three, ", "), ARVIS_OK);
    assert_string_equal(arvis_buf_str(&b), "a, bb, c");
    const char *long_list[] = {"0123456789", "0123456789", NULL};
    assert_int_equal(arvis_buf_join(&b, long_list, "-"), ARVIS_E_TOOBIG);
    arvis_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_buffer_reads_as_empty_string),
        cmocka_unit_test(test_add_grows_and_stays_terminated),
        cmocka_unit_test(test_add_past_maximum_is_refused_and_keeps_contents),
        cmocka_unit_test(test_addf_formats_and_respects_maximum),
        cmocka_unit_test(test_consume_drops_the_front),
        cmocka_unit_test(test_truncate_reset_and_take),
        cmocka_unit_test(test_binary_data_with_nul_bytes),
        cmocka_unit_test(test_join_puts_the_separator_between_items_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
