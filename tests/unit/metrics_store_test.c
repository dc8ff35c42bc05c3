/* Metrics storage: samples written in batches and reloaded into the window statistics, files
 * rolled by size and capped by count and total, damaged lines skipped with the good ones kept,
 * a failed write reported once, CSV read back, and the rule for samples stamped in the future. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "arvis/clock.h"
#include "arvis/file.h"
#include "arvis/metrics.h"
#include "test_util.h"

enum { SMALL_FILE = 16 * 1024, SAMPLES = 2000 };

static arvis_metrics_store_params params(const char *dir)
{
    arvis_metrics_store_params p = arvis_metrics_store_default_params();
    p.dir = dir;
    p.flush_ms = 0;
    return p;
}

static arvis_metric *get(arvis_metrics *reg, arvis_metric_type type, const char *name,
                         const char *engine)
{
    arvis_metric_label l = {.name = "engine", .value = engine};
    arvis_metric_opts o = {.name = name, .labels = engine ? &l : NULL, .n_labels = engine ? 1 : 0};
    arvis_metric *m = NULL;
    assert_int_equal(arvis_metrics_get(reg, type, &o, &m, NULL), ARVIS_OK);
    return m;
}

/* The series name{engine=...} of a fresh snapshot of reg; fails the test when absent. */
static arvis_metric_series find(arvis_metrics *reg, const char *name, const char *engine)
{
    arvis_metrics_snapshot *s = NULL;
    assert_int_equal(arvis_metrics_snapshot_take(reg, &s), ARVIS_OK);
    arvis_metric_label l = {.name = "engine", .value = engine};
    const arvis_metric_series *f =
        arvis_metrics_snapshot_find(s, name, engine ? &l : NULL, !!engine);
    assert_non_null(f);
    arvis_metric_series out = *f;
    out.bounds = NULL;
    out.cumulative = NULL;
    out.name = NULL;
    out.help = NULL;
    memset(out.labels, 0, sizeof out.labels);
    arvis_metrics_snapshot_free(s);
    return out;
}

/* A registry reloaded from dir, with the report in *r. */
static arvis_metrics *reload(const char *dir, double since, arvis_metrics_load_report *r)
{
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metrics_store_params p = params(dir);
    assert_int_equal(arvis_metrics_store_load(&p, reg, since, r, NULL), ARVIS_OK);
    return reg;
}

static void test_samples_written_at_destroy_rebuild_the_window(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metrics_store_params p = params(dir);
    arvis_metrics_store *st = NULL;
    assert_int_equal(arvis_metrics_store_open(&p, reg, &st, NULL, NULL), ARVIS_OK);
    arvis_metric *h = get(reg, ARVIS_METRIC_HISTOGRAM, "arvis_tts_first_audio_seconds_x", "flite");
    arvis_metric *c = get(reg, ARVIS_METRIC_COUNTER, "chars_total", "flite");
    arvis_metric *g = get(reg, ARVIS_METRIC_GAUGE, "temperature", NULL);
    for (int i = 1; i <= 100; i++) {
        arvis_metric_observe(h, i / 100.0);
    }
    arvis_metric_add(c, 42);
    arvis_metric_set(g, -3.5);
    arvis_metrics_store_destroy(st); /* no flush before: destroy must write everything */
    arvis_metric_series before = find(reg, "arvis_tts_first_audio_seconds_x", "flite");
    arvis_metrics_destroy(reg);

    arvis_metrics_load_report r;
    reg = reload(dir, 0, &r);
    assert_int_equal(r.bad_lines, 0);
    assert_int_equal(r.samples, 102);
    arvis_metric_series after = find(reg, "arvis_tts_first_audio_seconds_x", "flite");
    assert_int_equal(after.window.count, 100);
    assert_float_equal(after.window.min, before.window.min, 0);
    assert_float_equal(after.window.max, before.window.max, 0);
    assert_float_equal(after.window.p50, before.window.p50, 0);
    assert_float_equal(after.window.p99, before.window.p99, 0);
    assert_float_equal(after.window.mean, before.window.mean, 1e-12);
    assert_float_equal(find(reg, "chars_total", "flite").value, 42, 0);
    assert_float_equal(find(reg, "temperature", NULL).value, -3.5, 0);
    arvis_metrics_destroy(reg);
    tu_rmtree(dir);
}

static void test_a_second_run_appends_and_counters_continue(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    arvis_metrics_store_params p = params(dir);
    for (int run = 0; run < 2; run++) {
        arvis_metrics *reg = arvis_metrics_create();
        arvis_metrics_store *st = NULL;
        assert_int_equal(arvis_metrics_store_open(&p, reg, &st, NULL, NULL), ARVIS_OK);
        arvis_metric_add(get(reg, ARVIS_METRIC_COUNTER, "words_total", NULL), 10);
        arvis_metric_observe(get(reg, ARVIS_METRIC_HISTOGRAM, "lat_seconds", NULL), run + 1);
        assert_int_equal(arvis_metrics_store_flush(st, NULL), ARVIS_OK);
        arvis_metrics_store_destroy(st);
        arvis_metrics_destroy(reg);
    }
    assert_int_equal(tu_count_entries(dir), 1);
    arvis_metrics_load_report r;
    arvis_metrics *reg = reload(dir, 0, &r);
    assert_float_equal(find(reg, "words_total", NULL).value, 20, 0);
    arvis_metric_series h = find(reg, "lat_seconds", NULL);
    assert_int_equal(h.window.count, 2); /* the first run's sample was not written twice */
    assert_float_equal(h.window.max, 2, 0);
    arvis_metrics_destroy(reg);
    tu_rmtree(dir);
}

/* Writes SAMPLES samples through a store with small files and flushes every 100. */
static arvis_metrics_store_stats fill(const char *dir, uint64_t total, size_t files)
{
    arvis_metrics_store_params p = params(dir);
    p.max_file_bytes = SMALL_FILE;
    p.max_total_bytes = total;
    p.max_files = files;
    p.formats = ARVIS_METRICS_STORE_JSONL | ARVIS_METRICS_STORE_CSV;
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metrics_store *st = NULL;
    assert_int_equal(arvis_metrics_store_open(&p, reg, &st, NULL, NULL), ARVIS_OK);
    arvis_metric *h = get(reg, ARVIS_METRIC_HISTOGRAM, "roll_seconds", "a");
    for (int i = 0; i < SAMPLES; i++) {
        arvis_metric_observe(h, i);
        if (i % 100 == 99) {
            assert_int_equal(arvis_metrics_store_flush(st, NULL), ARVIS_OK);
        }
    }
    arvis_metrics_store_stats stats;
    arvis_metrics_store_get_stats(st, &stats);
    arvis_metrics_store_destroy(st);
    arvis_metrics_destroy(reg);
    return stats;
}

static void test_files_roll_by_size_and_keep_every_line(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    arvis_metrics_store_stats stats = fill(dir, 100 * 1000 * 1000, 1000);
    assert_true(stats.rolls >= 3);
    assert_int_equal(stats.removed, 0);
    assert_int_equal(stats.lines, SAMPLES);
    char name[64];
    for (uint64_t seq = 1; seq <= stats.rolls + 1; seq++) {
        snprintf(name, sizeof name, "metrics-%llu.jsonl", (unsigned long long)seq);
        size_t len = 0;
        char *text = tu_read(tu_path(dir, name), &len);
        assert_non_null(text);
        assert_true(len <= SMALL_FILE);
        free(text);
    }
    arvis_metrics_load_report r;
    arvis_metrics *reg = reload(dir, 0, &r);
    assert_int_equal(r.samples, SAMPLES); /* each sequence read once, from its JSON Lines */
    assert_int_equal(r.bad_lines, 0);
    assert_float_equal(find(reg, "roll_seconds", "a").window.max, SAMPLES - 1, 0);
    arvis_metrics_destroy(reg);
    tu_rmtree(dir);
}

static void test_caps_remove_the_oldest_files(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    arvis_metrics_store_stats stats = fill(dir, 100 * 1000 * 1000, 4);
    assert_true(stats.removed > 0);
    assert_true(tu_count_entries(dir) <= 4);
    assert_false(arvis_file_exists(tu_path(dir, "metrics-1.jsonl")));
    tu_rmtree(dir);

    dir = tu_tempdir();
    stats = fill(dir, 3 * SMALL_FILE, 1000);
    assert_true(stats.removed > 0);
    assert_false(arvis_file_exists(tu_path(dir, "metrics-1.csv")));
    arvis_metrics_load_report r;
    arvis_metrics *reg = reload(dir, 0, &r);
    assert_true(r.samples > 0 && r.samples < SAMPLES);
    /* What is left is the newest: the last sample is there. */
    assert_float_equal(find(reg, "roll_seconds", "a").window.max, SAMPLES - 1, 0);
    arvis_metrics_destroy(reg);
    tu_rmtree(dir);
}

static void test_damaged_lines_are_skipped_and_good_ones_kept(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char text[2048];
    long long now = (long long)(arvis_clock_wall() * 1000);
    snprintf(text, sizeof text,
             "{\"t\":%lld,\"name\":\"ok_seconds\",\"type\":\"histogram\",\"labels\":{},\"v\":1}\n"
             "not json at all\n"
             "{\"time\":%lld,\"metric\":\"ok_seconds\",\"value\":2}\n" /* an older layout */
             "{\"t\":%lld,\"name\":\"ok_seconds\",\"type\":\"histogram\",\"labels\":{},\"v\":3}\n"
             "{\"t\":%lld,\"name\":\"bad name\",\"type\":\"histogram\",\"labels\":{},\"v\":4}\n"
             "{\"t\":%lld,\"name\":\"ok_seconds\",\"type\":\"gauge\",\"labels\":{},\"v\":5}\n"
             "\xff\xfe\n"
             "{\"t\":%lld,\"name\":\"ok_seconds\",\"type\":\"histogram\",\"labels\":{},\"v\":",
             now, now, now, now, now, now);
    tu_write(tu_path(dir, "metrics-1.jsonl"), text, -1);
    tu_write(tu_path(dir, "metrics-2.csv"),
             "t_ms,name,type,labels,value\n"
             "1000,csv_total,counter,\"{\"\"engine\"\":\"\"flite\"\"}\",7\n"
             "1000,csv_total,counter,\"{broken\n"
             "2000,csv_total,counter,\"{\"\"engine\"\":\"\"flite\"\"}\",9\n",
             -1);
    arvis_metrics_load_report r;
    arvis_metrics *reg = reload(dir, 0, &r);
    assert_int_equal(r.files, 2);
    assert_int_equal(r.samples, 4);
    assert_int_equal(r.bad_lines, 7);
    arvis_metric_series h = find(reg, "ok_seconds", NULL);
    assert_int_equal(h.window.count, 2);
    assert_float_equal(h.window.min, 1, 0);
    assert_float_equal(h.window.max, 3, 0);
    assert_float_equal(find(reg, "csv_total", "flite").value, 9, 0);
    arvis_metrics_destroy(reg);
    tu_rmtree(dir);
}

static void test_a_failed_write_is_reported_once_and_recording_goes_on(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    /* The current file is the device that always answers "no space left". */
    assert_int_equal(symlink("/dev/full", tu_path(dir, "metrics-1.jsonl")), 0);
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metrics_store_params p = params(dir);
    arvis_metrics_store *st = NULL;
    assert_int_equal(arvis_metrics_store_open(&p, reg, &st, NULL, NULL), ARVIS_OK);
    arvis_metric *h = get(reg, ARVIS_METRIC_HISTOGRAM, "full_seconds", NULL);
    arvis_error err = {0};
    arvis_metric_observe(h, 1);
    assert_int_equal(arvis_metrics_store_flush(st, &err), ARVIS_E_IO);
    assert_non_null(strstr(err.msg, "cannot write metrics"));
    for (int i = 0; i < 5; i++) {
        arvis_metric_observe(h, 2);
        assert_int_equal(arvis_metrics_store_flush(st, NULL), ARVIS_OK);
    }
    arvis_metrics_store_stats stats;
    arvis_metrics_store_get_stats(st, &stats);
    assert_int_equal(stats.failures, 1);
    assert_int_equal(stats.dropped, 6);
    assert_int_equal(stats.lines, 0);
    assert_int_equal(find(reg, "full_seconds", NULL).window.count, 6);
    arvis_metrics_store_destroy(st);
    arvis_metrics_destroy(reg);
    tu_rmtree(dir);
}

static void test_future_stamps_count_as_now_and_since_filters(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    long long now = (long long)(arvis_clock_wall() * 1000);
    char text[1024];
    snprintf(text, sizeof text,
             "{\"t\":%lld,\"name\":\"j_seconds\",\"type\":\"histogram\",\"v\":1}\n"
             "{\"t\":%lld,\"name\":\"j_seconds\",\"type\":\"histogram\",\"v\":2}\n"
             "{\"t\":0,\"name\":\"j_seconds\",\"type\":\"histogram\",\"v\":3}\n",
             now + 86400000LL * 365, now - 1000);
    tu_write(tu_path(dir, "metrics-1.jsonl"), text, -1);
    arvis_metrics_load_report r;
    arvis_metrics *reg = reload(dir, 0, &r);
    assert_int_equal(r.samples, 3);
    assert_int_equal(r.future, 1);
    assert_int_equal(find(reg, "j_seconds", NULL).window.count, 3);
    arvis_metrics_destroy(reg);

    reg = reload(dir, (double)(now - 60000) / 1000, &r);
    assert_int_equal(r.samples, 2);
    assert_int_equal(r.before, 1);
    assert_float_equal(find(reg, "j_seconds", NULL).window.max, 2, 0);
    arvis_metrics_destroy(reg);
    tu_rmtree(dir);
}

static void test_bad_params_and_a_missing_folder(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    const char *dir = tu_tempdir();
    arvis_metrics_store_params p = params(dir);
    p.formats = 0;
    arvis_metrics_store *st = NULL;
    arvis_error err;
    assert_int_equal(arvis_metrics_store_open(&p, reg, &st, NULL, &err), ARVIS_E_INVAL);
    assert_null(st);
    assert_non_null(strstr(err.msg, "format"));
    tu_rmtree(dir);
    p = params("/nonexistent/arvis-metrics");
    arvis_metrics_load_report r;
    assert_int_equal(arvis_metrics_store_load(&p, reg, 0, &r, NULL), ARVIS_OK);
    assert_int_equal(r.files, 0);
    arvis_metrics_destroy(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples_written_at_destroy_rebuild_the_window),
        cmocka_unit_test(test_a_second_run_appends_and_counters_continue),
        cmocka_unit_test(test_files_roll_by_size_and_keep_every_line),
        cmocka_unit_test(test_caps_remove_the_oldest_files),
        cmocka_unit_test(test_damaged_lines_are_skipped_and_good_ones_kept),
        cmocka_unit_test(test_a_failed_write_is_reported_once_and_recording_goes_on),
        cmocka_unit_test(test_future_stamps_count_as_now_and_since_filters),
        cmocka_unit_test(test_bad_params_and_a_missing_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
