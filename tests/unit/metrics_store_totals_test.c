/* Loading only the totals (what the commands that record need): counters and gauges match the
 * whole load, wherever their last value is (another process may have written it to an older
 * file); no histogram sample is read; damaged lines are skipped as in the whole load; a store
 * opened that way continues the totals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/file.h"
#include "arvis/metrics.h"
#include "test_util.h"

enum { SMALL_FILE = 16 * 1024, BATCHES = 40, PER_BATCH = 50 };

static arvis_metrics_store_params params(const char *dir, bool totals_only)
{
    arvis_metrics_store_params p = arvis_metrics_store_default_params();
    p.dir = dir;
    p.flush_ms = 0;
    p.max_file_bytes = SMALL_FILE;
    p.formats = ARVIS_METRICS_STORE_JSONL | ARVIS_METRICS_STORE_CSV;
    p.totals_only = totals_only;
    return p;
}

static arvis_metric *get(arvis_metrics *reg, arvis_metric_type type, const char *name)
{
    arvis_metric_opts o = {.name = name};
    arvis_metric *m = NULL;
    assert_int_equal(arvis_metrics_get(reg, type, &o, &m, NULL), ARVIS_OK);
    return m;
}

/* Records through a store with small files: words_total grows by 1 a sample, level is set to
 * the batch number, and lat_seconds takes every sample. Returns the files started. */
static uint64_t fill(const char *dir)
{
    arvis_metrics_store_params p = params(dir, false);
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metrics_store *st = NULL;
    assert_int_equal(arvis_metrics_store_open(&p, reg, &st, NULL, NULL), ARVIS_OK);
    arvis_metric *words = get(reg, ARVIS_METRIC_COUNTER, "words_total");
    arvis_metric *level = get(reg, ARVIS_METRIC_GAUGE, "level");
    arvis_metric *lat = get(reg, ARVIS_METRIC_HISTOGRAM, "lat_seconds");
    for (int b = 1; b <= BATCHES; b++) {
        for (int i = 0; i < PER_BATCH; i++) {
            arvis_metric_observe(lat, i);
            arvis_metric_add(words, 1);
        }
        if (b < BATCHES / 2) {
            arvis_metric_set(level, b); /* stops changing: only a new file repeats it */
        }
        assert_int_equal(arvis_metrics_store_flush(st, NULL), ARVIS_OK);
    }
    arvis_metrics_store_stats s;
    arvis_metrics_store_get_stats(st, &s);
    arvis_metrics_store_destroy(st);
    arvis_metrics_destroy(reg);
    return s.rolls;
}

struct loaded {
    arvis_metrics_load_report r;
    double words, level;
    uint64_t lat_count;
};

static struct loaded load(const char *dir, bool totals_only)
{
    arvis_metrics_store_params p = params(dir, totals_only);
    arvis_metrics *reg = arvis_metrics_create();
    struct loaded out;
    assert_int_equal(arvis_metrics_store_load(&p, reg, 0, &out.r, NULL), ARVIS_OK);
    out.words = arvis_metric_value(get(reg, ARVIS_METRIC_COUNTER, "words_total"));
    out.level = arvis_metric_value(get(reg, ARVIS_METRIC_GAUGE, "level"));
    arvis_metrics_snapshot *s = NULL;
    assert_int_equal(arvis_metrics_snapshot_take(reg, &s), ARVIS_OK);
    const arvis_metric_series *lat = arvis_metrics_snapshot_find(s, "lat_seconds", NULL, 0);
    out.lat_count = lat ? lat->window.count : 0;
    arvis_metrics_snapshot_free(s);
    arvis_metrics_destroy(reg);
    return out;
}

static void append(const char *dir, uint64_t seq, const char *text)
{
    char name[64];
    snprintf(name, sizeof name, "metrics-%llu.jsonl", (unsigned long long)seq);
    FILE *f = fopen(tu_path(dir, name), "a");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_totals_match_the_whole_load_without_histograms(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    uint64_t rolls = fill(dir);
    assert_true(rolls >= 3);
    struct loaded all = load(dir, false);
    struct loaded totals = load(dir, true);
    assert_float_equal(all.words, BATCHES * PER_BATCH, 0);
    assert_float_equal(totals.words, all.words, 0);
    assert_float_equal(all.level, BATCHES / 2 - 1, 0);
    assert_float_equal(totals.level, all.level, 0);
    assert_true(all.lat_count > 0);
    assert_int_equal(totals.lat_count, 0);
    assert_true(totals.r.samples < all.r.samples / 10); /* the histogram lines were passed over */
    assert_int_equal(totals.r.files, all.r.files);
    tu_rmtree(dir);
}

/* Another process still writing to the file it opened after this one rolled: its counter is
 * only in an older file, and reading the newest alone would start it again from 0. */
static void test_a_total_only_in_an_older_file_is_kept(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    fill(dir);
    append(dir, 1,
           "{\"t\":1,\"name\":\"late_total\",\"type\":\"counter\",\"labels\":{},\"v\":7}\n");
    append(dir, 2, "{\"t\":1,\"name\":\"words_total\",\"type\":\"coun\n"); /* torn */
    arvis_metrics_store_params p = params(dir, true);
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metrics_load_report r;
    assert_int_equal(arvis_metrics_store_load(&p, reg, 0, &r, NULL), ARVIS_OK);
    assert_float_equal(arvis_metric_value(get(reg, ARVIS_METRIC_COUNTER, "late_total")), 7, 0);
    assert_float_equal(arvis_metric_value(get(reg, ARVIS_METRIC_COUNTER, "words_total")),
                       BATCHES * PER_BATCH, 0);
    assert_int_equal(r.bad_lines, 1);
    arvis_metrics_destroy(reg);
    tu_rmtree(dir);
}

static void test_a_store_opened_for_totals_continues_them(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    fill(dir);
    arvis_metrics_store_params p = params(dir, true);
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metrics_store *st = NULL;
    arvis_metrics_load_report r;
    assert_int_equal(arvis_metrics_store_open(&p, reg, &st, &r, NULL), ARVIS_OK);
    arvis_metric_add(get(reg, ARVIS_METRIC_COUNTER, "words_total"), 5);
    arvis_metric_observe(get(reg, ARVIS_METRIC_HISTOGRAM, "lat_seconds"), 1000);
    arvis_metrics_store_destroy(st);
    arvis_metrics_destroy(reg);
    struct loaded all = load(dir, false);
    assert_float_equal(all.words, BATCHES * PER_BATCH + 5, 0);
    assert_float_equal(all.level, BATCHES / 2 - 1, 0);
    tu_rmtree(dir);
}

/* metrics.format changed between runs (JSON Lines, then CSV only, then both): each run's
 * figures are kept, since a file is never continued in a format it did not have. */
static void test_a_format_change_loses_nothing(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const unsigned formats[] = {ARVIS_METRICS_STORE_JSONL, ARVIS_METRICS_STORE_CSV,
                                ARVIS_METRICS_STORE_JSONL | ARVIS_METRICS_STORE_CSV};
    for (size_t run = 0; run < 3; run++) {
        arvis_metrics_store_params p = params(dir, true);
        p.formats = formats[run];
        arvis_metrics *reg = arvis_metrics_create();
        arvis_metrics_store *st = NULL;
        assert_int_equal(arvis_metrics_store_open(&p, reg, &st, NULL, NULL), ARVIS_OK);
        arvis_metric_add(get(reg, ARVIS_METRIC_COUNTER, "words_total"), 10);
        arvis_metric_observe(get(reg, ARVIS_METRIC_HISTOGRAM, "lat_seconds"), (double)run);
        arvis_metrics_store_destroy(st);
        arvis_metrics_destroy(reg);
    }
    struct loaded all = load(dir, false);
    assert_float_equal(all.words, 30, 0);
    assert_int_equal(all.lat_count, 3);
    assert_int_equal(all.r.files, 3);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_totals_match_the_whole_load_without_histograms),
        cmocka_unit_test(test_a_total_only_in_an_older_file_is_kept),
        cmocka_unit_test(test_a_store_opened_for_totals_continues_them),
        cmocka_unit_test(test_a_format_change_loses_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
