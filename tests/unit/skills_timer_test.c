/* The timer skill on explicit monotonic times (never a sleep): set in words and digits, fired at
 * the exact due millisecond, the limits answered in words, cancel and the time left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "skills_test_util.h"

enum { T0 = 1000000, FIVE_MIN_MS = 300000 };

static void test_a_timer_fires_at_its_due_millisecond(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    assert_int_equal(arvis_skills_next_timer(s), UINT64_MAX);
    assert_null(arvis_skills_fire_timers(s, T0));
    st_check(s, "set a timer for 5 minutes", T0, "timer", "Timer set for 5 minutes.");
    assert_int_equal(arvis_skills_active_timers(s), 1);
    assert_int_equal(arvis_skills_next_timer(s), T0 + FIVE_MIN_MS);
    assert_null(arvis_skills_fire_timers(s, T0 + FIVE_MIN_MS - 1));
    assert_int_equal(arvis_skills_active_timers(s), 1);
    char *said = arvis_skills_fire_timers(s, T0 + FIVE_MIN_MS);
    assert_non_null(said);
    assert_string_equal(said, "Your 5 minute timer is done.");
    free(said);
    assert_int_equal(arvis_skills_active_timers(s), 0);
    assert_int_equal(arvis_skills_next_timer(s), UINT64_MAX);
    /* fired once only */
    assert_null(arvis_skills_fire_timers(s, T0 + 2 * FIVE_MIN_MS));
    arvis_skills_destroy(s);
}

static void test_lengths_in_words_and_digits(void **state)
{
    (void)state;
    static const struct {
        const char *ask, *set, *done;
        uint64_t ms;
    } cases[] = {
        {"set a timer for five minutes", "Timer set for 5 minutes.", "Your 5 minute timer is done.",
         300000},
        {"timer for 1 hour and 30 minutes", "Timer set for 1 hour and 30 minutes.",
         "Your 1 hour 30 minute timer is done.", 5400000},
        {"set a 10 second timer", "Timer set for 10 seconds.", "Your 10 second timer is done.",
         10000},
        {"Set a 10-second timer.", "Timer set for 10 seconds.", "Your 10 second timer is done.",
         10000},
        {"set a timer for a minute", "Timer set for 1 minute.", "Your 1 minute timer is done.",
         60000},
        {"set a timer for half an hour", "Timer set for 30 minutes.",
         "Your 30 minute timer is done.", 1800000},
        {"start a timer for an hour and a half", "Timer set for 1 hour and 30 minutes.",
         "Your 1 hour 30 minute timer is done.", 5400000},
        {"set a timer for one and a half minutes", "Timer set for 1 minute and 30 seconds.",
         "Your 1 minute 30 second timer is done.", 90000},
        {"please set a timer for twenty five seconds", "Timer set for 25 seconds.",
         "Your 25 second timer is done.", 25000},
        {"set a timer for 2 hours 3 minutes and 4 seconds",
         "Timer set for 2 hours, 3 minutes and 4 seconds.",
         "Your 2 hour 3 minute 4 second timer is done.", 7384000},
        {"set a timer for ninety seconds", "Timer set for 1 minute and 30 seconds.",
         "Your 1 minute 30 second timer is done.", 90000},
    };
    arvis_skills *s = st_skills(NULL, NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        st_check(s, cases[i].ask, T0, "timer", cases[i].set);
        assert_int_equal(arvis_skills_next_timer(s), T0 + cases[i].ms);
        char *said = arvis_skills_fire_timers(s, T0 + cases[i].ms);
        assert_non_null(said);
        assert_string_equal(said, cases[i].done);
        free(said);
    }
    arvis_skills_destroy(s);
}

static void test_timers_due_together_fire_together(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    st_check(s, "set a timer for 10 seconds", T0, "timer", NULL);
    st_check(s, "set a timer for 5 seconds", T0 + 5000, "timer", NULL);
    st_check(s, "set a timer for 1 minute", T0, "timer", NULL);
    assert_int_equal(arvis_skills_next_timer(s), T0 + 10000);
    char *said = arvis_skills_fire_timers(s, T0 + 10000);
    assert_non_null(said);
    assert_string_equal(said, "Your 10 second timer is done. Your 5 second timer is done.");
    free(said);
    assert_int_equal(arvis_skills_active_timers(s), 1);
    assert_int_equal(arvis_skills_next_timer(s), T0 + 60000);
    arvis_skills_destroy(s);
}

static void test_limits_are_answered_in_words(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(
        (const char *[]){"skills.timer.max_active=2", "skills.timer.max_duration_s=3600", NULL},
        NULL);
    st_check(s, "set a timer for 2 hours", T0, "timer", "I can only set timers up to 1 hour.");
    st_check(s, "set a timer for 99999999999999999999 hours", T0, "timer",
             "I can only set timers up to 1 hour.");
    assert_int_equal(arvis_skills_active_timers(s), 0);
    st_check(s, "set a timer for 1 hour", T0, "timer", "Timer set for 1 hour.");
    st_check(s, "set a timer for 1 minute", T0, "timer", "Timer set for 1 minute.");
    st_check(s, "set a timer for 2 minutes", T0, "timer", "I can only keep 2 timers at once.");
    assert_int_equal(arvis_skills_active_timers(s), 2);
    st_check(s, "set a timer for 0 seconds", T0, "timer", "A timer needs at least one second.");
    st_check(s, "set a timer", T0, "timer",
             "How long should the timer run? Say, for example, set a timer for 5 minutes.");
    arvis_skills_destroy(s);

    s = st_skills(NULL, NULL);
    st_check(s, "set a timer for 25 hours", T0, "timer", "I can only set timers up to 1 day.");
    arvis_skills_destroy(s);
}

static void test_cancel(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    st_check(s, "cancel the timer", T0, "timer", "There is no timer to cancel.");
    st_check(s, "set a timer for 5 minutes", T0, "timer", NULL);
    st_check(s, "cancel the timer", T0, "timer", "I cancelled your 5 minute timer.");
    assert_int_equal(arvis_skills_active_timers(s), 0);
    assert_null(arvis_skills_fire_timers(s, T0 + FIVE_MIN_MS));

    st_check(s, "set a timer for 5 minutes", T0, "timer", NULL);
    st_check(s, "set a timer for 10 minutes", T0, "timer", NULL);
    st_check(s, "set a timer for 15 minutes", T0, "timer", NULL);
    st_check(s, "cancel the ten minute timer", T0, "timer", "I cancelled your 10 minute timer.");
    st_check(s, "cancel the 7 minute timer", T0, "timer", "There is no timer of that length.");
    assert_int_equal(arvis_skills_active_timers(s), 2);
    st_check(s, "Cancel all the timers!", T0, "timer", "I cancelled 2 timers.");
    assert_int_equal(arvis_skills_active_timers(s), 0);
    assert_int_equal(arvis_skills_next_timer(s), UINT64_MAX);
    arvis_skills_destroy(s);
}

static void test_time_left(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    st_check(s, "how much time is left", T0, "timer", "There is no timer running.");
    st_check(s, "set a timer for five minutes", T0, "timer", NULL);
    st_check(s, "how much time is left", T0 + 50000, "timer",
             "Your 5 minute timer has 4 minutes and 10 seconds left.");
    st_check(s, "How much time is left on the timer?", T0 + FIVE_MIN_MS - 200, "timer",
             "Your 5 minute timer has 1 second left.");
    st_check(s, "set a timer for 1 hour", T0, "timer", NULL);
    st_check(s, "how much time is left on my timers", T0 + 60000, "timer",
             "Your 5 minute timer has 4 minutes left. Your 1 hour timer has 59 minutes left.");
    arvis_skills_destroy(s);
}

static void test_what_is_not_about_timers_goes_on(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    static const char *const asks[] = {
        "set the table for five people",
        "set a timer for the oven",
        "how much time is left until christmas",
        "stop the music",
        "cancel my subscription",
        "what is a timer",
        "set a reminder for 5 minutes",
        "5 minutes",
        "timer for five",
        "set a timer for minus 5 minutes",
    };
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        st_check(s, asks[i], T0, NULL, NULL);
    }
    assert_int_equal(arvis_skills_active_timers(s), 0);
    arvis_skills_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_timer_fires_at_its_due_millisecond),
        cmocka_unit_test(test_lengths_in_words_and_digits),
        cmocka_unit_test(test_timers_due_together_fire_together),
        cmocka_unit_test(test_limits_are_answered_in_words),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_time_left),
        cmocka_unit_test(test_what_is_not_about_timers_goes_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
