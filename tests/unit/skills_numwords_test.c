/* Numbers in words as a recogniser writes them: whole numbers with hundreds, thousands and "and",
 * signs, decimals with "point", "a" as one, typed digits, and where a number ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/skills/skills_internal.h"

struct reading {
    const char *text;
    bool sign, article;
    size_t used; /* words read; 0: no number */
    double value;
};

static const struct reading readings[] = {
    {"twelve", false, false, 1, 12},
    {"one hundred and five", false, false, 4, 105},
    {"two thousand", false, false, 2, 2000},
    {"two thousand and five", false, false, 4, 2005},
    {"minus three", true, false, 2, -3},
    {"negative seven", true, false, 2, -7},
    {"three point five", false, false, 3, 3.5},
    {"three point one four", false, false, 4, 3.14},
    {"point five", false, false, 2, 0.5},
    {"a minute", false, true, 1, 1},
    {"an hour", false, true, 1, 1},
    {"a hundred", false, false, 2, 100},
    {"a thousand and one", false, false, 4, 1001},
    {"twenty one", false, false, 2, 21},
    {"ninety nine", false, false, 2, 99},
    {"one thousand two hundred and thirty four", false, false, 7, 1234},
    {"two million five hundred thousand", false, false, 5, 2500000},
    {"zero", false, false, 1, 0},
    {"12", false, false, 1, 12},
    {"3.5", false, false, 1, 3.5},
    {"5 thousand", false, false, 2, 5000},
    {"nineteen eighty four", false, false, 1, 19},
    {"one one", false, false, 1, 1},
    {"twenty twenty", false, false, 1, 20},
    {"fifteen percent of eighty", false, false, 1, 15},
    {"seven and five", false, false, 1, 7},
    {"one hundred and", false, false, 2, 100},
    {"zero five", false, false, 1, 0},
};

static const struct reading not_numbers[] = {
    {"a minute", false, false, 0, 0}, /* "a" is one only when the caller says so */
    {"minus three", false, false, 0, 0},
    {"hello", false, true, 0, 0},
    {"and five", false, false, 0, 0},
    {"minus", true, false, 0, 0},
    {"point", false, false, 0, 0},
    {"inf", false, false, 0, 0},
    {"nan", false, false, 0, 0},
    {"0x10", false, false, 0, 0},
    {"1.2.3", false, false, 0, 0},
    {"a five", false, true, 0, 0},
    {"", false, false, 0, 0},
};

static size_t read_number(const struct reading *r, double *value)
{
    struct sk_words w;
    assert_true(sk_split(r->text, &w));
    return numwords_parse(&w, 0, r->sign, r->article, value);
}

static void test_numbers_in_words_are_read(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof readings / sizeof readings[0]; i++) {
        double v = -12345;
        size_t used = read_number(&readings[i], &v);
        print_message("# %s -> %zu words, %g\n", readings[i].text, used, v);
        assert_int_equal(used, readings[i].used);
        assert_true(v > readings[i].value - 1e-9 && v < readings[i].value + 1e-9);
    }
}

static void test_words_that_are_no_number_are_left(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++) {
        double v = 0;
        print_message("# %s\n", not_numbers[i].text);
        assert_int_equal(read_number(&not_numbers[i], &v), 0);
    }
}

static void test_number_after_other_words(void **state)
{
    (void)state;
    struct sk_words w;
    assert_true(sk_split("set a timer for twenty five minutes", &w));
    double v = 0;
    assert_int_equal(numwords_parse(&w, 4, false, false, &v), 2);
    assert_true(v == 25);
    assert_int_equal(numwords_parse(&w, 3, false, false, &v), 0);
    /* past the end */
    assert_int_equal(numwords_parse(&w, w.n, true, true, &v), 0);
}

static void test_requests_get_digits(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"what is twelve times seven", "what is 12 times 7"},
        {"set a timer for five minutes", "set a timer for 5 minutes"},
        {"one hundred and five plus two", "105 plus 2"},
        {"ten minus three", "10 minus 3"},
        {"minus three", "minus 3"},
        {"three point five times two", "3.5 times 2"},
        {"what time is it", "what time is it"},
        {"a minute and a half", "a minute and a half"},
        {"what is a hundred divided by eight", "what is 100 divided by 8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = numwords_to_digits(cases[i][0]);
        assert_non_null(out);
        assert_string_equal(out, cases[i][1]);
        free(out);
    }
}

static void test_numbers_read_aloud(void **state)
{
    (void)state;
    char out[SK_NUMBER_TEXT];
    sk_format_number(84, out, sizeof out);
    assert_string_equal(out, "84");
    sk_format_number(12.5, out, sizeof out);
    assert_string_equal(out, "12.5");
    sk_format_number(-5, out, sizeof out);
    assert_string_equal(out, "minus 5");
    sk_format_number(-0.0, out, sizeof out);
    assert_string_equal(out, "0");
    sk_format_number(1e12, out, sizeof out);
    assert_string_equal(out, "1000000000000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_in_words_are_read),
        cmocka_unit_test(test_words_that_are_no_number_are_left),
        cmocka_unit_test(test_number_after_other_words),
        cmocka_unit_test(test_requests_get_digits),
        cmocka_unit_test(test_numbers_read_aloud),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
