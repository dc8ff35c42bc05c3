/* The time and date skills with a fixed clock: the now hook gives set epoch values and TZ is
 * UTC, so every answer is known: 12-hour time with AM and PM, weekday, month and year. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include "skills_test_util.h"

/* 2026-11-24 15:05:00 UTC, a Tuesday. */
static const time_t TUESDAY_AFTERNOON = 1795532700;

static time_t fixed_now(void *ud)
{
    return *(const time_t *)ud;
}

static arvis_skills *clock_skills(time_t *now)
{
    arvis_skills_hooks hooks = {.now = fixed_now, .ud = now};
    return st_skills(NULL, &hooks);
}

static int utc(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    return 0;
}

static void test_time_in_words_and_typed(void **state)
{
    (void)state;
    time_t now = TUESDAY_AFTERNOON;
    arvis_skills *s = clock_skills(&now);
    static const char *const asks[] = {
        "what time is it",     "What's the time?", "whats the time",
        "tell me the time",    "what is the time", "Can you tell me what time it is, please?",
        "what time is it now", "WHAT TIME IS IT",  "what\xe2\x80\x99s the time",
    };
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        st_check(s, asks[i], 0, "time", "It is 3:05 PM.");
    }
    arvis_skills_destroy(s);
}

static void test_time_around_midnight_and_noon(void **state)
{
    (void)state;
    static const struct {
        time_t t;
        const char *said;
    } times[] = {
        {1795478400, "It is 12:00 AM."}, /* midnight */
        {1795521659, "It is 12:00 PM."}, /* noon, 59 seconds past */
        {1709197620, "It is 9:07 AM."},
        {1798847940, "It is 11:59 PM."},
    };
    time_t now = 0;
    arvis_skills *s = clock_skills(&now);
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        now = times[i].t;
        st_check(s, "what time is it", 0, "time", times[i].said);
    }
    arvis_skills_destroy(s);
}

static void test_date(void **state)
{
    (void)state;
    time_t now = TUESDAY_AFTERNOON;
    arvis_skills *s = clock_skills(&now);
    static const char *const asks[] = {
        "what is the date",       "what day is it today", "What's today's date?", "what day is it",
        "what is the date today", "tell me the date",     "which day is it",
    };
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        st_check(s, asks[i], 0, "date", "Today is Tuesday, November 24, 2026.");
    }
    now = 1709197620;
    st_check(s, "what is the date", 0, "date", "Today is Thursday, February 29, 2024.");
    now = 1798847940;
    st_check(s, "what is the date", 0, "date", "Today is Friday, January 1, 2027.");
    arvis_skills_destroy(s);
}

static void test_the_local_zone_is_used(void **state)
{
    (void)state;
    time_t now = TUESDAY_AFTERNOON;
    arvis_skills *s = clock_skills(&now);
    /* POSIX TZ: "XYZ-2" is two hours ahead of UTC, so 15:05 UTC is 17:05 there */
    setenv("TZ", "XYZ-2", 1);
    tzset();
    st_check(s, "what time is it", 0, "time", "It is 5:05 PM.");
    setenv("TZ", "XYZ+16", 1);
    tzset();
    st_check(s, "what day is it", 0, "date", "Today is Monday, November 23, 2026.");
    utc(NULL);
    arvis_skills_destroy(s);
}

static void test_mentions_of_time_are_not_questions_about_it(void **state)
{
    (void)state;
    time_t now = TUESDAY_AFTERNOON;
    arvis_skills *s = clock_skills(&now);
    static const char *const asks[] = {
        "tell me about the time of the dinosaurs",  "what time does the bakery open",
        "what is the date of the moon landing",     "is it time to go",
        "what is the time complexity of quicksort", "date night ideas",
        "what day was the battle of hastings",      "time flies like an arrow",
    };
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        st_check(s, asks[i], 0, NULL, NULL);
    }
    arvis_skills_destroy(s);
}

static void test_without_a_hook_the_system_clock_is_used(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    time_t before = time(NULL);
    char *said = st_ask(s, "what time is it", 0, "time", NULL);
    time_t after = time(NULL);
    /* the answer is one of the minutes the question was asked in */
    bool one_of = false;
    for (time_t t = before - before % 60; t <= after && !one_of; t += 60) {
        struct tm tm;
        gmtime_r(&t, &tm);
        char expect[32];
        int hour = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
        snprintf(expect, sizeof expect, "It is %d:%02d %s.", hour, tm.tm_min,
                 tm.tm_hour < 12 ? "AM" : "PM");
        one_of = strcmp(said, expect) == 0;
    }
    assert_true(one_of);
    free(said);
    arvis_skills_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_in_words_and_typed),
        cmocka_unit_test(test_time_around_midnight_and_noon),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_the_local_zone_is_used),
        cmocka_unit_test(test_mentions_of_time_are_not_questions_about_it),
        cmocka_unit_test(test_without_a_hook_the_system_clock_is_used),
    };
    return cmocka_run_group_tests(tests, utc, NULL);
}
