/* The clock: monotonic readings, elapsed arithmetic, and timestamps for files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/clock.h"

static void test_monotonic_clock_never_goes_back(void **state)
{
    (void)state;
    uint64_t prev = arvis_clock_ns();
    for (int i = 0; i < 10000; i++) {
        uint64_t now = arvis_clock_ns();
        assert_true(now >= prev);
        prev = now;
    }
    assert_true(arvis_clock_ms() > 0);
}

static void test_elapsed_is_in_milliseconds_and_never_negative(void **state)
{
    (void)state;
    assert_true(arvis_clock_elapsed_ms(1000000, 3500000) == 2.5);
    assert_true(arvis_clock_elapsed_ms(5000000, 1000000) == 0.0);
}

static void test_iso8601_formats_utc_with_milliseconds(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(arvis_clock_iso8601(0.0, buf, sizeof buf), "1970-01-01T00:00:00.000Z");
    assert_string_equal(arvis_clock_iso8601(1795512600.25, buf, sizeof buf),
                        "2026-11-24T09:30:00.250Z");
    assert_true(arvis_clock_wall() > 1700000000.0);
}

static void test_sleep_of_zero_returns(void **state)
{
    (void)state;
    uint64_t before = arvis_clock_ns();
    arvis_clock_sleep_ms(0);
    arvis_clock_sleep_ms(1);
    assert_true(arvis_clock_ns() > before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monotonic_clock_never_goes_back),
        cmocka_unit_test(test_elapsed_is_in_milliseconds_and_never_negative),
        cmocka_unit_test(test_iso8601_formats_utc_with_milliseconds),
        cmocka_unit_test(test_sleep_of_zero_returns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
