/* Benchmark: what opening the metrics store costs a command when the store is at its 100 MB
 * cap. `arvis metrics` reads every stored sample (the whole load); the commands that only record
 * (ask, chat, voice, run) read the counters' totals from the newest file (totals only). Next to
 * them, `wc -l` reading the same files: the cost of merely reading 100 MB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/clock.h"
#include "arvis/metrics.h"
#include "arvis/paths.h"

enum { RUNS = 3, BATCH = 1000, MB = 1000 * 1000 };

static arvis_metric *metric(arvis_metrics *reg, arvis_metric_type type, const char *name)
{
    arvis_metric *m = NULL;
    arvis_error err;
    const arvis_metric_info *info = arvis_metrics_info(name); /* as Arvis records it */
    arvis_metric_opts o = {
        .name = name, .help = info->help, .buckets = info->buckets, .n_buckets = info->n_buckets};
    if (arvis_metrics_get(reg, type, &o, &m, &err) != ARVIS_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(1);
    }
    return m;
}

static arvis_metrics_store_params params(const char *dir, bool totals_only)
{
    arvis_metrics_store_params p = arvis_metrics_store_default_params();
    p.dir = dir;
    p.flush_ms = 0;
    p.totals_only = totals_only;
    return p;
}

/* Fills dir the way Arvis does, until the files hold at least the cap less one file. */
static uint64_t fill(const char *dir)
{
    arvis_metrics_store_params p = params(dir, true);
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metrics_store *st = NULL;
    arvis_error err;
    if (!reg || arvis_metrics_store_open(&p, reg, &st, NULL, &err) != ARVIS_OK) {
        fprintf(stderr, "bench: cannot open the store: %s\n", reg ? err.msg : "out of memory");
        exit(1);
    }
    arvis_metric *h[] = {metric(reg, ARVIS_METRIC_HISTOGRAM, "arvis_llm_ttft_seconds"),
                         metric(reg, ARVIS_METRIC_HISTOGRAM, "arvis_turn_first_audio_seconds"),
                         metric(reg, ARVIS_METRIC_HISTOGRAM, "arvis_turn_seconds")};
    arvis_metric *tokens = metric(reg, ARVIS_METRIC_COUNTER, "arvis_llm_tokens_total");
    uint64_t lines = 0;
    for (;;) {
        arvis_metrics_store_stats s;
        arvis_metrics_store_get_stats(st, &s);
        if (s.rolls >= p.max_total_bytes / p.max_file_bytes) {
            lines = s.lines;
            break;
        }
        for (int i = 0; i < BATCH; i++) {
            arvis_metric_observe(h[i % 3], 0.001 * (i % 997));
            arvis_metric_add(tokens, 1);
        }
        if (arvis_metrics_store_flush(st, &err) != ARVIS_OK) {
            fprintf(stderr, "bench: %s\n", err.msg);
            exit(1);
        }
    }
    arvis_metrics_store_destroy(st);
    arvis_metrics_destroy(reg);
    return lines;
}

/* Best time of RUNS opens, in ms; the samples and the tokens total the last one loaded. */
static double open_ms(const char *dir, bool totals_only, size_t *samples, double *tokens)
{
    double best = 0;
    for (int run = 0; run < RUNS; run++) {
        arvis_metrics_store_params p = params(dir, totals_only);
        arvis_metrics *reg = arvis_metrics_create();
        arvis_metrics_store *st = NULL;
        arvis_metrics_load_report r;
        arvis_error err;
        uint64_t t0 = arvis_clock_ns();
        if (!reg || arvis_metrics_store_open(&p, reg, &st, &r, &err) != ARVIS_OK) {
            fprintf(stderr, "bench: cannot open the store: %s\n", reg ? err.msg : "out of memory");
            exit(1);
        }
        double ms = arvis_clock_elapsed_ms(t0, arvis_clock_ns());
        best = run == 0 || ms < best ? ms : best;
        *samples = r.samples;
        *tokens = arvis_metric_value(metric(reg, ARVIS_METRIC_COUNTER, "arvis_llm_tokens_total"));
        arvis_metrics_store_destroy(st);
        arvis_metrics_destroy(reg);
    }
    return best;
}

static double wc_ms(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "cat '%s'/metrics-*.jsonl | wc -l > /dev/null", dir);
    double best = 0;
    for (int run = 0; run < RUNS; run++) {
        uint64_t t0 = arvis_clock_ns();
        if (system(cmd) != 0) {
            fprintf(stderr, "bench: wc failed\n");
            exit(1);
        }
        double ms = arvis_clock_elapsed_ms(t0, arvis_clock_ns());
        best = run == 0 || ms < best ? ms : best;
    }
    return best;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char dir[] = "/tmp/arvis-metrics-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("bench: mkdtemp");
        return 1;
    }
    uint64_t lines = fill(dir);
    size_t all_samples = 0, totals_samples = 0;
    double all_tokens = 0, totals_tokens = 0;
    double all = open_ms(dir, false, &all_samples, &all_tokens);
    double totals = open_ms(dir, true, &totals_samples, &totals_tokens);
    double wc = wc_ms(dir);
    printf("metrics store: opening a store at its %d MB cap (%llu lines written), best of %d\n",
           (int)(arvis_metrics_store_default_params().max_total_bytes / MB),
           (unsigned long long)lines, RUNS);
    printf("  %-46s %10.1f ms  (%zu samples)\n", "whole load (arvis metrics)", all, all_samples);
    printf("  %-46s %10.1f ms  (%zu samples)\n", "totals only (ask, chat, voice, run)", totals,
           totals_samples);
    printf("  %-46s %10.1f ms\n", "reference: cat | wc -l over the same files", wc);
    printf("  tokens total after each: %.0f and %.0f (%s)\n", all_tokens, totals_tokens,
           all_tokens == totals_tokens ? "the same" : "DIFFERENT");
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 && all_tokens == totals_tokens ? 0 : 1;
}
