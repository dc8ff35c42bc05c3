/* UTF-8: validation by RFC 3629, counting characters, and cutting only at boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/utf8.h"

static bool valid(const char *s)
{
    return arvis_utf8_valid(s, strlen(s), NULL);
}

static void test_valid_text_in_several_scripts(void **state)
{
    (void)state;
    assert_true(valid(""));
    assert_true(valid("plain ASCII"));
    assert_true(valid("Привет, мир"));
    assert_true(valid("日本語"));
    assert_true(valid("emoji \xF0\x9F\x98\x80 here"));
    assert_true(valid("\xF4\x8F\xBF\xBF")); /* U+10FFFF, the last code point */
}

static void test_invalid_sequences_are_found_at_their_offset(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_false(arvis_utf8_valid("ab\xC3", 3, &bad)); /* truncated */
    assert_int_equal(bad, 2);
    assert_false(arvis_utf8_valid("\xC0\xAF", 2, &bad)); /* overlong '/' */
    assert_int_equal(bad, 0);
    assert_false(valid("\xE0\x80\xAF"));     /* overlong, three bytes */
    assert_false(valid("\xED\xA0\x80"));     /* surrogate U+D800 */
    assert_false(valid("\xF4\x90\x80\x80")); /* above U+10FFFF */
    assert_false(valid("x\x80y"));           /* stray continuation byte */
    assert_false(valid("\xFF"));
    assert_false(arvis_utf8_valid("ok\xE2\x82", 4, &bad)); /* cut euro sign */
    assert_int_equal(bad, 2);
}

static void test_length_counts_characters(void **state)
{
    (void)state;
    assert_int_equal(arvis_utf8_length("", 0), 0);
    assert_int_equal(arvis_utf8_length("abc", 3), 3);
    const char *ru = "Привет";
    assert_int_equal(arvis_utf8_length(ru, strlen(ru)), 6);
    const char *two_emoji = "\xF0\x9F\x92\xA9\xF0\x9F\x92\xA9";
    assert_int_equal(arvis_utf8_length(two_emoji, strlen(two_emoji)), 2);
    assert_int_equal(arvis_utf8_length("a\xFF"
                                       "b",
                                       3),
                     3); /* an invalid byte counts once */
}

static void test_truncate_never_splits_a_character(void **state)
{
    (void)state;
    const char *s = "aЖb"; /* a, two-byte Ж, b */
    size_t len = strlen(s);
    assert_int_equal(arvis_utf8_truncate(s, len, 10), len);
    assert_int_equal(arvis_utf8_truncate(s, len, 3), 3);
    assert_int_equal(arvis_utf8_truncate(s, len, 2), 1); /* would cut Ж in half */
    assert_int_equal(arvis_utf8_truncate(s, len, 1), 1);
    assert_int_equal(arvis_utf8_truncate(s, len, 0), 0);
    const char *emoji = "\xF0\x9F\x98\x80!";
    for (size_t max = 1; max < 4; max++) {
        assert_int_equal(arvis_utf8_truncate(emoji, 5, max), 0);
    }
    assert_int_equal(arvis_utf8_truncate(emoji, 5, 4), 4);
}

static void test_truncate_after_invalid_bytes(void **state)
{
    (void)state;
    const char s[] = "ab\x80\x80\x80\x80z";
    assert_int_equal(arvis_utf8_truncate(s, sizeof s - 1, 4), 4);
}

static void test_encode_decode_round_trip(void **state)
{
    (void)state;
    const uint32_t points[] = {0x24, 0xA2, 0x416, 0x20AC, 0x1F600, 0x10FFFF};
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        char buf[4];
        size_t n = arvis_utf8_encode(points[i], buf);
        assert_true(n >= 1 && n <= 4);
        uint32_t back = 0;
        assert_int_equal(arvis_utf8_decode(buf, n, &back), n);
        assert_int_equal(back, points[i]);
    }
    char buf[4];
    assert_int_equal(arvis_utf8_encode(0xD800, buf), 0);
    assert_int_equal(arvis_utf8_encode(0x110000, buf), 0);
    uint32_t cp;
    assert_int_equal(arvis_utf8_decode("", 0, &cp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_text_in_several_scripts),
        cmocka_unit_test(test_invalid_sequences_are_found_at_their_offset),
        cmocka_unit_test(test_length_counts_characters),
        cmocka_unit_test(test_truncate_never_splits_a_character),
        cmocka_unit_test(test_truncate_after_invalid_bytes),
        cmocka_unit_test(test_encode_decode_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
