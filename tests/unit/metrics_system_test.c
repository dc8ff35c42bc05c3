/* System figures: every series present after a reading with plausible values (memory within
 * the machine's, a share between 0 and 1, process CPU that only grows), and no GPU series when
 * NVML is absent or a library without its functions is given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/metrics.h"

static double value_of(arvis_metrics *reg, const char *name)
{
    arvis_metrics_snapshot *s = NULL;
    assert_int_equal(arvis_metrics_snapshot_take(reg, &s), ARVIS_OK);
    const arvis_metric_series *f = arvis_metrics_snapshot_find(s, name, NULL, 0);
    if (!f) {
        fail_msg("no series %s", name);
    }
    double v = f->type == ARVIS_METRIC_HISTOGRAM ? (double)f->count : f->value;
    arvis_metrics_snapshot_free(s);
    return v;
}

/* Burns some CPU so the process's CPU time grows between readings. */
static volatile double sink;
static void spin(void)
{
    for (long i = 0; i < 20000000; i++) {
        sink += (double)i * 0.5;
    }
}

static void test_figures_are_present_and_plausible(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metrics_system *sys = NULL;
    assert_int_equal(arvis_metrics_system_create(reg, true, NULL, &sys, NULL), ARVIS_OK);
    assert_int_equal(arvis_metrics_system_sample(sys, NULL), ARVIS_OK);
    double cpu1 = value_of(reg, "arvis_process_cpu_seconds_total");
    spin();
    assert_int_equal(arvis_metrics_system_sample(sys, NULL), ARVIS_OK);
    double cpu2 = value_of(reg, "arvis_process_cpu_seconds_total");
    assert_true(cpu2 > cpu1);
    double used = value_of(reg, "arvis_system_memory_used_bytes");
    double avail = value_of(reg, "arvis_system_memory_available_bytes");
    double rss = value_of(reg, "arvis_process_resident_memory_bytes");
    assert_true(avail > 0 && used > 0);
    assert_true(rss > 0 && rss < used + avail);
    double busy = value_of(reg, "arvis_system_cpu_busy_ratio");
    assert_true(busy >= 0 && busy <= 1);
    assert_true(value_of(reg, "arvis_system_load1") >= 0);
    assert_true(value_of(reg, "arvis_system_load15") >= 0);
    arvis_metrics_system_destroy(sys);
    arvis_metrics_destroy(reg);
}

/* No GPU on this machine's tests: no NVML, or a library that is not NVML. */
static void test_no_gpu_means_no_gpu_series(void **state)
{
    (void)state;
    const char *libs[] = {NULL, "libm.so.6", "libarvis-no-such-library.so"};
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        arvis_metrics *reg = arvis_metrics_create();
        arvis_metrics_system *sys = NULL;
        assert_int_equal(arvis_metrics_system_create(reg, true, libs[i], &sys, NULL), ARVIS_OK);
        assert_int_equal(arvis_metrics_system_sample(sys, NULL), ARVIS_OK);
        if (libs[i]) {
            assert_int_equal(arvis_metrics_system_gpus(sys), 0);
        }
        unsigned gpus = arvis_metrics_system_gpus(sys);
        arvis_metrics_snapshot *s = NULL;
        assert_int_equal(arvis_metrics_snapshot_take(reg, &s), ARVIS_OK);
        size_t gpu_series = 0;
        for (size_t k = 0; k < s->n; k++) {
            gpu_series += strncmp(s->series[k].name, "arvis_gpu_", 10) == 0;
        }
        assert_int_equal(gpu_series, gpus * 3);
        arvis_metrics_snapshot_free(s);
        arvis_metrics_system_destroy(sys);
        arvis_metrics_destroy(reg);
    }
}

static void test_names_table_and_records(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metrics_llm_turn t = {.ttft_s = 0.2,
                                .tokens_per_s = 30,
                                .server_tokens_per_s = -1,
                                .tokens = 50,
                                .cancelled = true};
    assert_int_equal(arvis_metrics_record_llm(reg, &t, NULL), ARVIS_OK);
    arvis_metrics_speech sp = {.first_audio_s = 0.1, .rtf = 0.05, .chars = 120};
    assert_int_equal(arvis_metrics_record_speech(reg, &sp, "flite", NULL), ARVIS_OK);
    assert_int_equal(arvis_metrics_record_stt(reg, 2.0, 0.5, 0.3, 4, NULL), ARVIS_OK);
    assert_int_equal(arvis_metrics_record_turn(reg, 0.8, 3.0, NULL), ARVIS_OK);
    assert_float_equal(value_of(reg, "arvis_llm_tokens_total"), 50, 0);
    assert_float_equal(value_of(reg, "arvis_llm_cancellations_total"), 1, 0);
    assert_float_equal(value_of(reg, "arvis_llm_errors_total"), 0, 0);
    assert_float_equal(value_of(reg, "arvis_stt_words_total"), 4, 0);
    assert_float_equal(value_of(reg, "arvis_turn_seconds"), 1, 0); /* a histogram: its count */
    /* An unknown figure (-1) is left out: the series is not even made. */
    arvis_metrics_snapshot *snap = NULL;
    assert_int_equal(arvis_metrics_snapshot_take(reg, &snap), ARVIS_OK);
    assert_null(arvis_metrics_snapshot_find(snap, "arvis_llm_server_tokens_per_second", NULL, 0));
    arvis_metrics_snapshot_free(snap);
    assert_string_equal(arvis_metrics_unit("arvis_llm_ttft_seconds"), "s");
    assert_string_equal(arvis_metrics_unit("other_bytes"), "bytes");
    arvis_metric *m = NULL;
    arvis_error err;
    assert_int_equal(arvis_metrics_named(reg, "nope", NULL, &m, &err), ARVIS_E_NOTFOUND);
    assert_int_equal(arvis_metrics_record_llm(NULL, &t, NULL), ARVIS_OK);
    arvis_metrics_destroy(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures_are_present_and_plausible),
        cmocka_unit_test(test_no_gpu_means_no_gpu_series),
        cmocka_unit_test(test_names_table_and_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
