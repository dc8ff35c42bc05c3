/* The arithmetic skill: sums spoken in words and typed in symbols give answers that read well
 * aloud; division by zero and other impossible sums are refused in words; anything that is not
 * a whole sum is left for the language model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "skills_test_util.h"

static const char *const sums[][2] = {
    {"what is 12 times 7", "12 times 7 is 84."},
    {"what is twelve times seven", "12 times 7 is 84."},
    {"What's 12*7?", "12 times 7 is 84."},
    {"12x7", "12 times 7 is 84."},
    {"what is twelve multiplied by seven", "12 times 7 is 84."},
    {"15% of 80", "15 percent of 80 is 12."},
    {"what is fifteen percent of eighty", "15 percent of 80 is 12."},
    {"what is 100 divided by 8", "100 divided by 8 is 12.5."},
    {"100/8", "100 divided by 8 is 12.5."},
    {"what is one hundred over eight", "100 divided by 8 is 12.5."},
    {"7 plus 5", "7 plus 5 is 12."},
    {"seven plus five", "7 plus 5 is 12."},
    {"10 minus 3", "10 minus 3 is 7."},
    {"10 - 3", "10 minus 3 is 7."},
    {"what is ten minus fifteen", "10 minus 15 is minus 5."},
    {"2 to the power of 10", "2 to the power of 10 is 1024."},
    {"2^10", "2 to the power of 10 is 1024."},
    {"square root of 81", "The square root of 81 is 9."},
    {"what is the square root of eighty one", "The square root of 81 is 9."},
    {"what is minus three times four", "Minus 3 times 4 is minus 12."},
    {"-3 + 5", "Minus 3 plus 5 is 2."},
    {"what is 5 times -3", "5 times minus 3 is minus 15."},
    {"3.5 times 2", "3.5 times 2 is 7."},
    {"three point five times two", "3.5 times 2 is 7."},
    {"one hundred and five plus two thousand", "105 plus 2000 is 2105."},
    {"2 plus 3 times 4", "2 plus 3 times 4 is 14."},
    {"what is 1 divided by 3", "1 divided by 3 is about 0.3333."},
    {"0.1 + 0.2", "0.1 plus 0.2 is 0.3."},
    {"1,000 + 1", "1000 plus 1 is 1001."},
    {"what is 5 squared", "5 squared is 25."},
    {"what is three cubed", "3 cubed is 27."},
    {"what does 2 plus 2 equal", "2 plus 2 is 4."},
    {"how much is ten percent of fifty", "10 percent of 50 is 5."},
    {"calculate 10 mod 3", "10 modulo 3 is 1."},
    {"please, what is 6 × 7?", "6 times 7 is 42."},
    {"2 to the power of 100", "2 to the power of 100 is about 1.27 times 10 to the power of 30."},
};

static const char *const refusals[][2] = {
    {"what is 10 divided by 0", "I cannot divide by zero."},
    {"what is ten divided by zero", "I cannot divide by zero."},
    {"7 mod 0", "I cannot divide by zero."},
    {"what is the square root of minus 4", "I cannot take the square root of a negative number."},
    {"10 to the power of 400", "That number is too large for me to say."},
    {"minus 8 to the power of 0.5", "That has no answer in real numbers."},
};

static const char *const not_sums[] = {
    "what is the meaning of life",
    "what is twelve",
    "what is 5 plus",
    "what is plus 5",
    "12 times",
    "what is 5 minutes",
    "the square root",
    "what is x plus 2",
    "what is one two",
    "what is 1 2",
    "inf times 2",
    "nan plus 1",
    "what is 2 plus 2 plus",
    "tell me about the number seven",
    "what is seven times the speed of light",
    "how many times have you been asked",
    "is 5 plus 5 ten",
};

static void test_sums_are_worked_out(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    for (size_t i = 0; i < sizeof sums / sizeof sums[0]; i++) {
        st_check(s, sums[i][0], 0, "arithmetic", sums[i][1]);
    }
    arvis_skills_destroy(s);
}

static void test_impossible_sums_are_refused_in_words(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        st_check(s, refusals[i][0], 0, "arithmetic", refusals[i][1]);
    }
    arvis_skills_destroy(s);
}

static void test_what_is_not_a_sum_goes_to_the_language_model(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    for (size_t i = 0; i < sizeof not_sums / sizeof not_sums[0]; i++) {
        st_check(s, not_sums[i], 0, NULL, NULL);
    }
    arvis_skills_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sums_are_worked_out),
        cmocka_unit_test(test_impossible_sums_are_refused_in_words),
        cmocka_unit_test(test_what_is_not_a_sum_goes_to_the_language_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
