/* The metrics registry: counters, gauges, histograms, labels, names refused with a reason, exact
 * totals from many threads, and snapshots that agree with themselves while recording goes on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

#include "arvis/json.h"
#include "arvis/metrics.h"

enum { THREADS = 8, PER_THREAD = 50000, SNAPSHOTS = 200 };

static arvis_metric *get(arvis_metrics *reg, arvis_metric_type type, arvis_metric_opts o)
{
    arvis_metric *m = NULL;
    arvis_error err = {0};
    int rc = arvis_metrics_get(reg, type, &o, &m, &err);
    if (rc != ARVIS_OK) {
        fail_msg("%s: %s", o.name, err.msg);
    }
    assert_non_null(m);
    return m;
}

/* Asks for a metric that must be refused, and checks the message names the problem. */
static void refused(arvis_metrics *reg, arvis_metric_type type, arvis_metric_opts o,
                    const char *words)
{
    arvis_metric *m = (arvis_metric *)&m;
    arvis_error err = {0};
    assert_int_equal(arvis_metrics_get(reg, type, &o, &m, &err), ARVIS_E_INVAL);
    assert_null(m);
    if (!strstr(err.msg, words)) {
        fail_msg("expected \"%s\" in: %s", words, err.msg);
    }
}

static void test_counter_adds_and_ignores_negative_and_nan(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metric *c = get(reg, ARVIS_METRIC_COUNTER, (arvis_metric_opts){.name = "x_total"});
    arvis_metric_inc(c);
    arvis_metric_add(c, 2.5);
    arvis_metric_add(c, -1);
    arvis_metric_add(c, NAN);
    arvis_metric_set(c, 100); /* not a gauge */
    assert_float_equal(arvis_metric_value(c), 3.5, 0);
    arvis_metrics_destroy(reg);
}

static void test_gauge_sets_and_goes_both_ways(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metric *g = get(reg, ARVIS_METRIC_GAUGE, (arvis_metric_opts){.name = "arvis:rss_bytes"});
    arvis_metric_set(g, 5);
    arvis_metric_add(g, -7.5);
    assert_float_equal(arvis_metric_value(g), -2.5, 0);
    arvis_metric_observe(g, 1); /* not a histogram */
    arvis_metric_inc(g);
    assert_float_equal(arvis_metric_value(g), -1.5, 0);
    arvis_metrics_destroy(reg);
}

static void test_recording_into_no_metric_is_ignored(void **state)
{
    (void)state;
    arvis_metric_inc(NULL);
    arvis_metric_set(NULL, 1);
    arvis_metric_observe(NULL, 1);
    assert_float_equal(arvis_metric_value(NULL), 0, 0);
}

static void test_same_name_and_labels_give_the_same_handle(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metric_label flite[] = {{"engine", "flite"}};
    arvis_metric_label espeak[] = {{"engine", "espeak"}};
    arvis_metric_opts o = {.name = "arvis_tts_chars_total",
                           .help = "Characters spoken.",
                           .labels = flite,
                           .n_labels = 1};
    arvis_metric *a = get(reg, ARVIS_METRIC_COUNTER, o);
    assert_ptr_equal(get(reg, ARVIS_METRIC_COUNTER, o), a);
    o.labels = espeak;
    arvis_metric *b = get(reg, ARVIS_METRIC_COUNTER, o);
    assert_ptr_not_equal(a, b);
    arvis_metric_add(a, 10);
    arvis_metric_add(b, 3);

    arvis_metrics_snapshot *s = NULL;
    assert_int_equal(arvis_metrics_snapshot_take(reg, &s), ARVIS_OK);
    assert_int_equal(s->n, 2);
    /* Sorted by label value: espeak first. */
    assert_string_equal(s->series[0].labels[0].value, "espeak");
    assert_float_equal(s->series[0].value, 3, 0);
    const arvis_metric_series *f = arvis_metrics_snapshot_find(s, o.name, flite, 1);
    assert_non_null(f);
    assert_float_equal(f->value, 10, 0);
    assert_string_equal(f->help, "Characters spoken.");
    assert_null(arvis_metrics_snapshot_find(s, o.name, NULL, 0));
    arvis_metrics_snapshot_free(s);
    arvis_metrics_destroy(reg);
}

static void test_bad_names_and_labels_are_refused_with_a_reason(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    const arvis_metric_type C = ARVIS_METRIC_COUNTER;
    const arvis_metric_type H = ARVIS_METRIC_HISTOGRAM;
    refused(reg, C, (arvis_metric_opts){.name = "1st"}, "\"1st\" is not valid");
    refused(reg, C, (arvis_metric_opts){.name = "a-b"}, "[a-zA-Z_:][a-zA-Z0-9_:]*");
    refused(reg, C, (arvis_metric_opts){.name = ""}, "is not valid");
    refused(reg, C, (arvis_metric_opts){.name = NULL}, "is not valid");
    char longname[ARVIS_METRICS_NAME_MAX + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    refused(reg, C, (arvis_metric_opts){.name = longname}, "at most 128 bytes");
    refused(reg, C, (arvis_metric_opts){.name = "x", .help = "bad \xff"}, "help must be UTF-8");

    arvis_metric_label l[ARVIS_METRICS_MAX_LABELS + 1] = {
        {"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}};
    refused(reg, C, (arvis_metric_opts){.name = "x", .labels = l, .n_labels = 5}, "at most 4");
    arvis_metric_label bad[][1] = {
        {{"__x", "v"}}, {{"a:b", "v"}}, {{"9a", "v"}}, {{"a", "\xc3"}}, {{"a", NULL}}};
    for (size_t i = 0; i < 5; i++) {
        refused(reg, C, (arvis_metric_opts){.name = "x", .labels = bad[i], .n_labels = 1},
                i < 3 ? "is not valid" : "must be UTF-8 text");
    }
    arvis_metric_label twice[] = {{"a", "1"}, {"a", "2"}};
    refused(reg, C, (arvis_metric_opts){.name = "x", .labels = twice, .n_labels = 2},
            "label \"a\" given twice");
    arvis_metric_label le[] = {{"le", "1"}};
    refused(reg, H, (arvis_metric_opts){.name = "h", .labels = le, .n_labels = 1},
            "\"le\" is kept");
    get(reg, C, (arvis_metric_opts){.name = "le_is_fine_here", .labels = le, .n_labels = 1});

    double down[] = {1, 0.5};
    double inf[] = {1, INFINITY};
    refused(reg, H, (arvis_metric_opts){.name = "h", .buckets = down, .n_buckets = 2},
            "strictly increasing");
    refused(reg, H, (arvis_metric_opts){.name = "h", .buckets = inf, .n_buckets = 2},
            "bound 2 is not");
    refused(reg, H, (arvis_metric_opts){.name = "h", .buckets = down, .n_buckets = 0},
            "between 1 and 32");
    refused(reg, H, (arvis_metric_opts){.name = "h", .window = ARVIS_METRICS_WINDOW_MAX + 1},
            "above the maximum");
    refused(reg, H, (arvis_metric_opts){.name = "h", .window_seconds = -1}, "window_seconds");
    refused(reg, H, (arvis_metric_opts){.name = "h", .window_seconds = NAN}, "window_seconds");

    arvis_metrics_snapshot *s = NULL;
    assert_int_equal(arvis_metrics_snapshot_take(reg, &s), ARVIS_OK);
    assert_int_equal(s->n, 1); /* nothing refused was created */
    arvis_metrics_snapshot_free(s);
    arvis_metrics_destroy(reg);
}

static void test_a_name_keeps_its_type_help_labels_and_buckets(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metric_label e[] = {{"engine", "flite"}};
    arvis_metric_label v[] = {{"voice", "slt"}};
    get(reg, ARVIS_METRIC_COUNTER, (arvis_metric_opts){.name = "n", .help = "N."});
    refused(reg, ARVIS_METRIC_GAUGE, (arvis_metric_opts){.name = "n", .help = "N."},
            "already exists as a counter");
    refused(reg, ARVIS_METRIC_COUNTER, (arvis_metric_opts){.name = "n", .help = "Other."},
            "other help");
    get(reg, ARVIS_METRIC_GAUGE, (arvis_metric_opts){.name = "g", .labels = e, .n_labels = 1});
    refused(reg, ARVIS_METRIC_GAUGE, (arvis_metric_opts){.name = "g", .labels = v, .n_labels = 1},
            "label \"engine\" in place of \"voice\"");

    double b1[] = {1, 2};
    double b2[] = {1, 3};
    get(reg, ARVIS_METRIC_HISTOGRAM,
        (arvis_metric_opts){.name = "h", .buckets = b1, .n_buckets = 2});
    refused(reg, ARVIS_METRIC_HISTOGRAM,
            (arvis_metric_opts){.name = "h", .buckets = b2, .n_buckets = 2}, "other buckets");
    refused(reg, ARVIS_METRIC_HISTOGRAM, (arvis_metric_opts){.name = "h"}, "other buckets");
    refused(reg, ARVIS_METRIC_HISTOGRAM,
            (arvis_metric_opts){.name = "h", .buckets = b1, .n_buckets = 2, .window = 5},
            "or window");
    arvis_metrics_destroy(reg);
}

static void test_histogram_series_names_cannot_be_taken(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    get(reg, ARVIS_METRIC_HISTOGRAM, (arvis_metric_opts){.name = "lat_seconds"});
    refused(reg, ARVIS_METRIC_COUNTER, (arvis_metric_opts){.name = "lat_seconds_count"},
            "clashes with lat_seconds");
    refused(reg, ARVIS_METRIC_GAUGE, (arvis_metric_opts){.name = "lat_seconds_bucket"},
            "NAME_bucket");
    get(reg, ARVIS_METRIC_GAUGE, (arvis_metric_opts){.name = "rtf_sum"});
    refused(reg, ARVIS_METRIC_HISTOGRAM, (arvis_metric_opts){.name = "rtf"},
            "clashes with rtf_sum");
    get(reg, ARVIS_METRIC_GAUGE, (arvis_metric_opts){.name = "lat_seconds_total"});
    arvis_metrics_destroy(reg);
}

static void test_registry_holds_a_bounded_number_of_series(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    char name[32];
    for (int i = 0; i < ARVIS_METRICS_MAX_SERIES; i++) {
        snprintf(name, sizeof name, "m%d", i);
        get(reg, ARVIS_METRIC_COUNTER, (arvis_metric_opts){.name = name});
    }
    arvis_metric *m = NULL;
    arvis_error err = {0};
    arvis_metric_opts o = {.name = "one_more"};
    assert_int_equal(arvis_metrics_get(reg, ARVIS_METRIC_COUNTER, &o, &m, &err), ARVIS_E_TOOBIG);
    assert_non_null(strstr(err.msg, "4096 metrics"));
    /* An existing one is still found. */
    o.name = "m7";
    assert_int_equal(arvis_metrics_get(reg, ARVIS_METRIC_COUNTER, &o, &m, &err), ARVIS_OK);
    arvis_metrics_destroy(reg);
}

struct workers {
    arvis_metric *counter, *gauge, *hist;
    atomic_bool stop;
};

static void *record_fixed(void *arg)
{
    struct workers *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        arvis_metric_inc(w->counter);
        arvis_metric_add(w->gauge, i % 2 ? 1 : -1);
        arvis_metric_observe(w->hist, (double)(i % 4)); /* 0, 1, 2, 3 */
    }
    return NULL;
}

static void test_many_threads_give_exact_totals(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    double bounds[] = {0.5, 1.5, 2.5};
    struct workers w = {
        .counter = get(reg, ARVIS_METRIC_COUNTER, (arvis_metric_opts){.name = "c"}),
        .gauge = get(reg, ARVIS_METRIC_GAUGE, (arvis_metric_opts){.name = "g"}),
        .hist = get(reg, ARVIS_METRIC_HISTOGRAM,
                    (arvis_metric_opts){.name = "h", .buckets = bounds, .n_buckets = 3}),
    };
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, record_fixed, &w), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
    }
    const double total = (double)THREADS * PER_THREAD;
    assert_float_equal(arvis_metric_value(w.counter), total, 0);
    assert_float_equal(arvis_metric_value(w.gauge), 0, 0);
    arvis_metrics_snapshot *s = NULL;
    assert_int_equal(arvis_metrics_snapshot_take(reg, &s), ARVIS_OK);
    const arvis_metric_series *h = arvis_metrics_snapshot_find(s, "h", NULL, 0);
    assert_non_null(h);
    assert_int_equal(h->count, THREADS * PER_THREAD);
    assert_float_equal(h->sum, total / 4 * (0 + 1 + 2 + 3), 0);
    for (size_t b = 0; b <= 3; b++) {
        assert_int_equal(h->cumulative[b], (b + 1) * (THREADS * PER_THREAD / 4));
    }
    assert_int_equal(h->window.count, ARVIS_METRICS_WINDOW_DEFAULT);
    assert_float_equal(h->window.min, 0, 0);
    assert_float_equal(h->window.max, 3, 0);
    arvis_metrics_snapshot_free(s);
    arvis_metrics_destroy(reg);
}

static void *record_until_stopped(void *arg)
{
    struct workers *w = arg;
    while (!atomic_load(&w->stop)) {
        arvis_metric_inc(w->counter);
        arvis_metric_observe(w->hist, 1);
    }
    return NULL;
}

static void test_snapshots_agree_with_themselves_while_recording(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    double bounds[] = {0.5, 1, 2};
    struct workers w = {
        .counter = get(reg, ARVIS_METRIC_COUNTER, (arvis_metric_opts){.name = "c"}),
        .hist =
            get(reg, ARVIS_METRIC_HISTOGRAM,
                (arvis_metric_opts){.name = "h", .buckets = bounds, .n_buckets = 3, .window = 64}),
    };
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, record_until_stopped, &w), 0);
    }
    double last_counter = 0;
    uint64_t last_count = 0;
    for (int i = 0; i < SNAPSHOTS; i++) {
        arvis_metrics_snapshot *s = NULL;
        assert_int_equal(arvis_metrics_snapshot_take(reg, &s), ARVIS_OK);
        const arvis_metric_series *c = &s->series[0];
        const arvis_metric_series *h = &s->series[1];
        assert_true(c->value >= last_counter);
        assert_true(h->count >= last_count);
        /* Every sample is 1: bucket 0 stays empty, the rest hold count, sum equals count. */
        assert_int_equal(h->cumulative[0], 0);
        assert_int_equal(h->cumulative[1], h->count);
        assert_int_equal(h->cumulative[3], h->count);
        assert_float_equal(h->sum, (double)h->count, 0);
        assert_int_equal(h->window.count, h->count < 64 ? h->count : 64);
        last_counter = c->value;
        last_count = h->count;
        arvis_metrics_snapshot_free(s);
    }
    atomic_store(&w.stop, true);
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
    }
    arvis_metrics_destroy(reg);
}

static void test_snapshot_outlives_the_registry_and_prints_as_json(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metric_label l[] = {{"engine", "flite"}};
    double bounds[] = {0.1, 1};
    arvis_metric *h = get(reg, ARVIS_METRIC_HISTOGRAM,
                          (arvis_metric_opts){.name = "arvis_tts_rtf",
                                              .help = "RTF.",
                                              .labels = l,
                                              .n_labels = 1,
                                              .buckets = bounds,
                                              .n_buckets = 2,
                                              .window = 8,
                                              .window_seconds = 60});
    arvis_metric_observe(h, 0.0625);
    arvis_metric_observe(h, 0.4375);
    arvis_metric_observe(h, 2.5);
    arvis_metrics_snapshot *s = NULL;
    assert_int_equal(arvis_metrics_snapshot_take(reg, &s), ARVIS_OK);
    arvis_metrics_destroy(reg);

    cJSON *j = arvis_metrics_snapshot_json(s);
    assert_non_null(j);
    char *text = arvis_json_print(j, 0);
    const char *want =
        "{\"metrics\":[{\"name\":\"arvis_tts_rtf\",\"help\":\"RTF.\",\"type\":\"histogram\","
        "\"labels\":{\"engine\":\"flite\"},\"count\":3,\"sum\":3,\"buckets\":["
        "{\"le\":\"0.1\",\"count\":1},{\"le\":\"1\",\"count\":2},{\"le\":\"+Inf\",\"count\":3}],"
        "\"window\":{\"capacity\":8,\"seconds\":60,\"count\":3,\"min\":0.0625,"
        "\"max\":2.5,\"mean\":1,\"p50\":0.4375,\"p95\":2.5,\"p99\":2.5}}]}";
    assert_string_equal(text, want);
    free(text);
    cJSON_Delete(j);
    arvis_metrics_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_adds_and_ignores_negative_and_nan),
        cmocka_unit_test(test_gauge_sets_and_goes_both_ways),
        cmocka_unit_test(test_recording_into_no_metric_is_ignored),
        cmocka_unit_test(test_same_name_and_labels_give_the_same_handle),
        cmocka_unit_test(test_bad_names_and_labels_are_refused_with_a_reason),
        cmocka_unit_test(test_a_name_keeps_its_type_help_labels_and_buckets),
        cmocka_unit_test(test_histogram_series_names_cannot_be_taken),
        cmocka_unit_test(test_registry_holds_a_bounded_number_of_series),
        cmocka_unit_test(test_many_threads_give_exact_totals),
        cmocka_unit_test(test_snapshots_agree_with_themselves_while_recording),
        cmocka_unit_test(test_snapshot_outlives_the_registry_and_prints_as_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
