/* Window statistics of a histogram: min, max, mean and percentiles against values worked out by
 * hand and by sorting, the window rolling by count and by age, and memory that stays bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>

#include "arvis/metrics.h"

enum { RANDOM_SAMPLES = 1000, FLOOD = 1000000 };

static const uint64_t SECOND = 1000000000ull;

/* A histogram "h" in a new registry; *reg receives the registry. */
static arvis_metric *histogram(arvis_metrics **reg, size_t window, double window_seconds)
{
    *reg = arvis_metrics_create();
    assert_non_null(*reg);
    arvis_metric *m = NULL;
    arvis_metric_opts o = {.name = "h", .window = window, .window_seconds = window_seconds};
    assert_int_equal(arvis_metrics_get(*reg, ARVIS_METRIC_HISTOGRAM, &o, &m, NULL), ARVIS_OK);
    return m;
}

/* The window statistics and all-time figures of "h" at now_ns (0: now). */
static arvis_metric_series stats_at(arvis_metrics *reg, uint64_t now_ns)
{
    arvis_metrics_snapshot *s = NULL;
    int rc = now_ns ? arvis_metrics_snapshot_take_at(reg, now_ns, &s)
                    : arvis_metrics_snapshot_take(reg, &s);
    assert_int_equal(rc, ARVIS_OK);
    assert_int_equal(s->n, 1);
    arvis_metric_series h = s->series[0];
    h.bounds = NULL; /* freed with the snapshot */
    h.cumulative = NULL;
    arvis_metrics_snapshot_free(s);
    return h;
}

static void test_small_windows_worked_out_by_hand(void **state)
{
    (void)state;
    arvis_metrics *reg;
    arvis_metric *h = histogram(&reg, 0, 0);
    arvis_metric_observe(h, 7);
    arvis_metric_series s = stats_at(reg, 0);
    assert_int_equal(s.window.count, 1);
    assert_float_equal(s.window.min, 7, 0);
    assert_float_equal(s.window.p50, 7, 0);
    assert_float_equal(s.window.p99, 7, 0);

    /* 5 1 4 2 3: p50 is rank ceil(2.5) = 3, p95 rank ceil(4.75) = 5. */
    const double five[] = {5, 1, 4, 2, 3};
    for (int i = 0; i < 5; i++) {
        arvis_metric_observe(h, five[i]);
    }
    /* With the 7: 1 2 3 4 5 7, p50 rank 3 (3), p95 rank ceil(5.7) = 6 (7). */
    s = stats_at(reg, 0);
    assert_int_equal(s.window.count, 6);
    assert_float_equal(s.window.min, 1, 0);
    assert_float_equal(s.window.max, 7, 0);
    assert_float_equal(s.window.mean, 22.0 / 6, 1e-12);
    assert_float_equal(s.window.p50, 3, 0);
    assert_float_equal(s.window.p95, 7, 0);
    assert_float_equal(s.window.p99, 7, 0);
    arvis_metrics_destroy(reg);
}

static void test_one_to_a_hundred_in_any_order(void **state)
{
    (void)state;
    arvis_metrics *reg;
    arvis_metric *h = histogram(&reg, 100, 0);
    for (int i = 0; i < 100; i++) {
        arvis_metric_observe(h, (double)((i * 37) % 100 + 1)); /* 37 is prime to 100 */
    }
    arvis_metric_series s = stats_at(reg, 0);
    assert_int_equal(s.window.count, 100);
    assert_float_equal(s.window.min, 1, 0);
    assert_float_equal(s.window.max, 100, 0);
    assert_float_equal(s.window.mean, 50.5, 1e-12);
    assert_float_equal(s.window.p50, 50, 0);
    assert_float_equal(s.window.p95, 95, 0);
    assert_float_equal(s.window.p99, 99, 0);
    arvis_metrics_destroy(reg);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The smallest sorted value with at least pct percent of the values at or below it, found by
 * walking up (the code under test computes the rank directly). */
static double walk_percentile(const double *sorted, size_t n, double pct)
{
    for (size_t i = 0; i < n; i++) {
        if ((double)(i + 1) * 100 >= pct * (double)n) {
            return sorted[i];
        }
    }
    return sorted[n - 1];
}

static void test_random_values_match_a_sort(void **state)
{
    (void)state;
    arvis_metrics *reg;
    arvis_metric *h = histogram(&reg, RANDOM_SAMPLES, 0);
    double values[RANDOM_SAMPLES];
    double sum = 0;
    uint32_t x = 12345;
    for (size_t i = 0; i < RANDOM_SAMPLES; i++) {
        x = x * 1664525u + 1013904223u;
        values[i] = (double)(x >> 8) / 1000.0 - 5000.0;
        sum += values[i];
        arvis_metric_observe(h, values[i]);
    }
    qsort(values, RANDOM_SAMPLES, sizeof values[0], compare_double);
    arvis_metric_series s = stats_at(reg, 0);
    assert_int_equal(s.window.count, RANDOM_SAMPLES);
    assert_float_equal(s.window.min, values[0], 0);
    assert_float_equal(s.window.max, values[RANDOM_SAMPLES - 1], 0);
    assert_float_equal(s.window.mean, sum / RANDOM_SAMPLES, 1e-6);
    assert_float_equal(s.window.p50, walk_percentile(values, RANDOM_SAMPLES, 50), 0);
    assert_float_equal(s.window.p95, walk_percentile(values, RANDOM_SAMPLES, 95), 0);
    assert_float_equal(s.window.p99, walk_percentile(values, RANDOM_SAMPLES, 99), 0);
    arvis_metrics_destroy(reg);
}

static void test_old_samples_leave_a_full_window(void **state)
{
    (void)state;
    arvis_metrics *reg;
    arvis_metric *h = histogram(&reg, 10, 0);
    for (int i = 1; i <= 25; i++) {
        arvis_metric_observe(h, i);
    }
    arvis_metric_series s = stats_at(reg, 0);
    /* The window keeps 16..25; the all-time figures keep everything. */
    assert_int_equal(s.window.count, 10);
    assert_float_equal(s.window.min, 16, 0);
    assert_float_equal(s.window.max, 25, 0);
    assert_float_equal(s.window.mean, 20.5, 1e-12);
    assert_float_equal(s.window.p50, 20, 0);
    assert_int_equal(s.count, 25);
    assert_float_equal(s.sum, 325, 0);
    arvis_metrics_destroy(reg);
}

/* The registry's default window (metrics.window) sizes the histograms that do not ask. */
static void test_the_default_window_is_the_registrys(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    assert_non_null(reg);
    arvis_error err;
    assert_int_equal(arvis_metrics_set_default_window(reg, 0, &err), ARVIS_E_INVAL);
    assert_int_equal(arvis_metrics_set_default_window(reg, ARVIS_METRICS_WINDOW_MAX + 1, &err),
                     ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "metrics.window"));
    assert_int_equal(arvis_metrics_set_default_window(reg, 4, &err), ARVIS_OK);
    arvis_metric *m = NULL;
    arvis_metric_opts o = {.name = "h"};
    assert_int_equal(arvis_metrics_get(reg, ARVIS_METRIC_HISTOGRAM, &o, &m, NULL), ARVIS_OK);
    for (int i = 1; i <= 9; i++) {
        arvis_metric_observe(m, i);
    }
    arvis_metric_series s = stats_at(reg, 0);
    assert_int_equal(s.window.count, 4);
    assert_float_equal(s.window.min, 6, 0);
    assert_int_equal(s.count, 9);
    arvis_metrics_destroy(reg);
}

static void test_samples_older_than_the_age_limit_leave(void **state)
{
    (void)state;
    arvis_metrics *reg;
    arvis_metric *h = histogram(&reg, 100, 10);
    const uint64_t t0 = 1000 * SECOND;
    for (uint64_t i = 0; i < 30; i++) {
        arvis_metric_observe_at(h, (double)i, t0 + i * SECOND);
    }
    /* At t0 + 29 s the last ten seconds hold the samples stamped 19..29. */
    arvis_metric_series s = stats_at(reg, t0 + 29 * SECOND);
    assert_int_equal(s.window.count, 11);
    assert_float_equal(s.window.min, 19, 0);
    assert_float_equal(s.window.max, 29, 0);
    /* Later, fewer; much later, none, while the all-time count stays. */
    s = stats_at(reg, t0 + 35 * SECOND);
    assert_int_equal(s.window.count, 5);
    assert_float_equal(s.window.min, 25, 0);
    s = stats_at(reg, t0 + 100 * SECOND);
    assert_int_equal(s.window.count, 0);
    assert_true(isnan(s.window.min) && isnan(s.window.mean) && isnan(s.window.p99));
    assert_int_equal(s.count, 30);
    /* A sample stamped after the snapshot's time counts as recent. */
    arvis_metric_observe_at(h, 99, t0 + 200 * SECOND);
    s = stats_at(reg, t0 + 100 * SECOND);
    assert_int_equal(s.window.count, 1);
    assert_float_equal(s.window.max, 99, 0);
    arvis_metrics_destroy(reg);
}

struct stamper {
    arvis_metric *h;
    uint64_t first; /* stamps first, first + 2, ... up to 100 seconds */
};

static void *stamp(void *arg)
{
    struct stamper *s = arg;
    for (uint64_t t = s->first; t <= 100; t += 2) {
        arvis_metric_observe_at(s->h, (double)t, t * SECOND);
    }
    return NULL;
}

static void test_the_window_is_the_newest_samples_of_all_threads(void **state)
{
    (void)state;
    arvis_metrics *reg;
    arvis_metric *h = histogram(&reg, 10, 0);
    /* Two threads, one after the other (each records apart from the other): odd and even
     * stamps. The newest ten are 91..100, five from each. */
    struct stamper odd = {h, 1}, even = {h, 2};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stamp, &even), 0);
    pthread_join(t, NULL);
    assert_int_equal(pthread_create(&t, NULL, stamp, &odd), 0);
    pthread_join(t, NULL);
    arvis_metric_series s = stats_at(reg, 0);
    assert_int_equal(s.count, 100);
    assert_int_equal(s.window.count, 10);
    assert_float_equal(s.window.min, 91, 0);
    assert_float_equal(s.window.max, 100, 0);
    assert_float_equal(s.window.mean, 95.5, 1e-12);
    arvis_metrics_destroy(reg);
}

static void test_nan_is_ignored_and_infinity_counts(void **state)
{
    (void)state;
    arvis_metrics *reg;
    arvis_metric *h = histogram(&reg, 0, 0);
    arvis_metric_observe(h, NAN);
    arvis_metric_series s = stats_at(reg, 0);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.window.count, 0);
    assert_true(isnan(s.window.p50));
    arvis_metric_observe(h, INFINITY);
    arvis_metric_observe(h, 1);
    s = stats_at(reg, 0);
    assert_int_equal(s.count, 2);
    assert_true(isinf(s.window.max) && s.window.max > 0);
    assert_float_equal(s.window.min, 1, 0);
    arvis_metrics_destroy(reg);
}

static void test_recording_allocates_nothing_whatever_the_number_of_samples(void **state)
{
    (void)state;
    arvis_metrics *reg;
    arvis_metric *h = histogram(&reg, ARVIS_METRICS_WINDOW_MAX, 0);
    arvis_metric_observe(h, 0);
    size_t before = mallinfo2().uordblks;
    for (int i = 0; i < FLOOD; i++) {
        arvis_metric_observe(h, (double)i);
    }
    size_t after = mallinfo2().uordblks;
    assert_int_equal(after, before);
    arvis_metric_series s = stats_at(reg, 0);
    assert_int_equal(s.window.count, ARVIS_METRICS_WINDOW_MAX);
    assert_float_equal(s.window.min, FLOOD - ARVIS_METRICS_WINDOW_MAX, 0);
    assert_float_equal(s.window.max, FLOOD - 1, 0);
    assert_int_equal(s.count, FLOOD + 1);
    arvis_metrics_destroy(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_windows_worked_out_by_hand),
        cmocka_unit_test(test_one_to_a_hundred_in_any_order),
        cmocka_unit_test(test_random_values_match_a_sort),
        cmocka_unit_test(test_old_samples_leave_a_full_window),
        cmocka_unit_test(test_the_default_window_is_the_registrys),
        cmocka_unit_test(test_samples_older_than_the_age_limit_leave),
        cmocka_unit_test(test_the_window_is_the_newest_samples_of_all_threads),
        cmocka_unit_test(test_nan_is_ignored_and_infinity_counts),
        cmocka_unit_test(test_recording_allocates_nothing_whatever_the_number_of_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
