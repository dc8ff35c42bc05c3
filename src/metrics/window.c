/* Window statistics of a histogram: the recent samples its ring holds (bounded by count, and by
 * age when it has an age limit), and their count, min, max, mean and nearest-rank percentiles. */
#include <math.h>
#include <stdlib.h>

#include "metrics_internal.h"

size_t metrics_window_copy(const arvis_metric *m, const struct metrics_shard *sh, uint64_t now_ns,
                           struct metrics_sample *out)
{
    uint64_t kept = sh->written < m->window ? sh->written : m->window;
    /* A sample stamped after now (measured on another thread meanwhile) is recent too. */
    uint64_t oldest_ns = m->window_ns && now_ns > m->window_ns ? now_ns - m->window_ns : 0;
    size_t n = 0;
    for (uint64_t i = sh->written - kept; i < sh->written; i++) {
        const struct metrics_sample *s = &sh->ring[i % m->window];
        if (s->t_ns >= oldest_ns) {
            out[n++] = *s;
        }
    }
    return n;
}

/* Newest first. */
static int compare_time(const void *a, const void *b)
{
    uint64_t x = ((const struct metrics_sample *)a)->t_ns;
    uint64_t y = ((const struct metrics_sample *)b)->t_ns;
    return (x < y) - (x > y);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The nearest-rank percentile of sorted[0..n): the smallest value with at least pct percent of
 * the values at or below it. Integer arithmetic, so that 95% of 20 is exactly rank 19. */
static double percentile(const double *sorted, size_t n, size_t pct)
{
    size_t rank = (pct * n + 99) / 100;
    return sorted[rank > 0 ? rank - 1 : 0];
}

void metrics_window_stats(const arvis_metric *m, struct metrics_sample *samples, size_t n,
                          double *values, arvis_metric_window *out)
{
    /* Each shard keeps a whole window; together they may hold more than one. */
    if (n > m->window) {
        qsort(samples, n, sizeof *samples, compare_time);
        n = m->window;
    }
    for (size_t i = 0; i < n; i++) {
        values[i] = samples[i].v;
    }
    out->count = n;
    if (n == 0) {
        out->min = out->max = out->mean = NAN;
        out->p50 = out->p95 = out->p99 = NAN;
        return;
    }
    qsort(values, n, sizeof *values, compare_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += values[i];
    }
    out->min = values[0];
    out->max = values[n - 1];
    out->mean = sum / (double)n;
    out->p50 = percentile(values, n, 50);
    out->p95 = percentile(values, n, 95);
    out->p99 = percentile(values, n, 99);
}
