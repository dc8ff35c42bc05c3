/* Rate conversion: lengths follow the ratio, a sine stays a sine at its frequency, chunks join up
 * as if converted whole, equal rates copy, and bad rates are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/audio.h"
#include "audio_test_util.h"

/* Converts x whole, flushing at the end. The caller frees. */
static int16_t *convert(int from, int to, const int16_t *x, size_t n, size_t *out_n)
{
    arvis_resampler *r = NULL;
    assert_int_equal(arvis_resampler_create(from, to, &r, NULL), ARVIS_OK);
    int16_t *out = NULL;
    assert_int_equal(arvis_resample(r, x, n, true, &out, out_n, NULL), ARVIS_OK);
    arvis_resampler_destroy(r);
    return out;
}

/* Converts x in chunks of the given sizes (repeated), flushing with an empty last call. */
static int16_t *convert_chunked(arvis_resampler *r, const int16_t *x, size_t n, const size_t *sizes,
                                size_t n_sizes, size_t *out_n)
{
    int16_t *all = malloc(n * 8 * sizeof *all);
    size_t used = 0;
    for (size_t done = 0, i = 0; done < n; i++) {
        size_t k = sizes[i % n_sizes];
        k = k < n - done ? k : n - done;
        int16_t *part = NULL;
        size_t got = 0;
        assert_int_equal(arvis_resample(r, x + done, k, false, &part, &got, NULL), ARVIS_OK);
        if (got > 0) {
            memcpy(all + used, part, got * sizeof *part);
        }
        used += got;
        free(part);
        done += k;
    }
    int16_t *tail = NULL;
    size_t got = 0;
    assert_int_equal(arvis_resample(r, NULL, 0, true, &tail, &got, NULL), ARVIS_OK);
    if (got > 0) {
        memcpy(all + used, tail, got * sizeof *tail);
    }
    free(tail);
    *out_n = used + got;
    return all;
}

static void test_equal_rates_copy_exactly(void **state)
{
    (void)state;
    int16_t x[] = {1, -2, 32767, -32768, 0, 5};
    size_t n = 0;
    int16_t *y = convert(16000, 16000, x, 6, &n);
    assert_int_equal(n, 6);
    assert_memory_equal(x, y, sizeof x);
    free(y);
    y = convert(16000, 16000, x, 0, &n);
    assert_null(y);
    assert_int_equal(n, 0);
}

static void test_bad_rates_are_refused(void **state)
{
    (void)state;
    arvis_resampler *r = NULL;
    arvis_error err;
    assert_int_equal(arvis_resampler_create(4000, 16000, &r, &err), ARVIS_E_INVAL);
    assert_string_equal(err.msg, "cannot convert 4000 Hz to 16000 Hz: rates go from 8000 to "
                                 "192000 Hz");
    assert_int_equal(arvis_resampler_create(16000, 384000, &r, &err), ARVIS_E_INVAL);
}

static void test_length_follows_the_ratio(void **state)
{
    (void)state;
    static const int pairs[][2] = {{22050, 48000}, {48000, 16000}, {8000, 44100}, {44100, 8000}};
    for (size_t i = 0; i < 4; i++) {
        int from = pairs[i][0], to = pairs[i][1];
        int16_t *x = atu_sine((size_t)from, from, 440.0, 0.5); /* one second */
        size_t n = 0;
        int16_t *y = convert(from, to, x, (size_t)from, &n);
        assert_in_range(n, (size_t)to - 2, (size_t)to + 2);
        free(x);
        free(y);
    }
}

static void test_a_sine_stays_a_sine_at_its_frequency(void **state)
{
    (void)state;
    int16_t *x = atu_sine(22050, 22050, 1000.0, 0.5);
    size_t n = 0;
    int16_t *y = convert(22050, 48000, x, 22050, &n);
    /* One second of 1 kHz: a thousand upward zero crossings, give or take the edges. */
    assert_in_range(atu_crossings(y, n), 999, 1001);
    double at = atu_power(y, n, 48000, 1000.0);
    assert_true(at > 1000.0 * atu_power(y, n, 48000, 1200.0));
    assert_true(at > 1000.0 * atu_power(y, n, 48000, 3000.0));
    /* The amplitude is kept: a sine of amplitude A has power A^2/4 at its frequency. */
    double a = 0.5 * 32767.0;
    assert_true(fabs(at - a * a / 4.0) < 0.05 * a * a / 4.0);
    free(x);
    free(y);
}

static void test_chunks_join_up_as_if_converted_whole(void **state)
{
    (void)state;
    size_t len = 30000;
    int16_t *x = atu_sine(len, 16000, 733.0, 0.8);
    size_t n_whole = 0;
    int16_t *whole = convert(16000, 44100, x, len, &n_whole);
    static const size_t sizes[] = {1, 7, 160, 4097, 333, 10000};
    arvis_resampler *r = NULL;
    assert_int_equal(arvis_resampler_create(16000, 44100, &r, NULL), ARVIS_OK);
    size_t n_chunked = 0;
    int16_t *chunked = convert_chunked(r, x, len, sizes, 6, &n_chunked);
    assert_int_equal(n_chunked, n_whole);
    int worst = 0;
    for (size_t i = 0; i < n_whole; i++) {
        int d = abs(whole[i] - chunked[i]);
        worst = d > worst ? d : worst;
    }
    assert_in_range(worst, 0, 2);
    /* After the flush the converter starts afresh: the same input gives the same output. */
    free(chunked);
    chunked = convert_chunked(r, x, len, sizes + 2, 1, &n_chunked);
    assert_int_equal(n_chunked, n_whole);
    for (size_t i = 0; i < n_whole; i++) {
        assert_true(abs(chunked[i] - whole[i]) <= 2);
    }
    arvis_resampler_destroy(r);
    free(x);
    free(whole);
    free(chunked);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_rates_copy_exactly),
        cmocka_unit_test(test_bad_rates_are_refused),
        cmocka_unit_test(test_length_follows_the_ratio),
        cmocka_unit_test(test_a_sine_stays_a_sine_at_its_frequency),
        cmocka_unit_test(test_chunks_join_up_as_if_converted_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
