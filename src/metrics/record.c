/* Recording a sample, the hot path: counters and gauges by compare-and-swap on the value's bits,
 * histograms under their own spin lock (bucket, count, sum and window move together). */
#include <math.h>
#include <string.h>

#include "arvis/clock.h"
#include "metrics_internal.h"

double metrics_from_bits(uint64_t bits)
{
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

uint64_t metrics_to_bits(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

static void add_bits(arvis_metric *m, double v)
{
    uint64_t old = atomic_load_explicit(&m->bits, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&m->bits, &old,
                                                  metrics_to_bits(metrics_from_bits(old) + v),
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
}

void arvis_metric_add(arvis_metric *m, double v)
{
    if (!m) {
        return;
    }
    if (m->type == ARVIS_METRIC_GAUGE || (m->type == ARVIS_METRIC_COUNTER && v >= 0)) {
        add_bits(m, v);
    }
}

void arvis_metric_inc(arvis_metric *m)
{
    arvis_metric_add(m, 1);
}

void arvis_metric_set(arvis_metric *m, double v)
{
    if (m && m->type == ARVIS_METRIC_GAUGE) {
        atomic_store_explicit(&m->bits, metrics_to_bits(v), memory_order_relaxed);
    }
}

/* The bucket v falls in: the first whose upper bound is >= v, or n_buckets (+Inf). */
static size_t bucket_of(const arvis_metric *m, double v)
{
    size_t lo = 0;
    size_t hi = m->n_buckets;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v <= m->bounds[mid]) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

void arvis_metric_observe_at(arvis_metric *m, double v, uint64_t t_ns)
{
    if (!m || m->type != ARVIS_METRIC_HISTOGRAM || isnan(v)) {
        return;
    }
    size_t b = bucket_of(m, v);
    metrics_lock_take(&m->lock);
    m->buckets[b]++;
    m->count++;
    m->sum += v;
    m->ring[m->written % m->window] = (struct metrics_sample){.v = v, .t_ns = t_ns};
    m->written++;
    metrics_lock_give(&m->lock);
}

void arvis_metric_observe(arvis_metric *m, double v)
{
    if (m && m->type == ARVIS_METRIC_HISTOGRAM) {
        arvis_metric_observe_at(m, v, arvis_clock_ns());
    }
}

double arvis_metric_value(arvis_metric *m)
{
    if (!m) {
        return 0;
    }
    if (m->type != ARVIS_METRIC_HISTOGRAM) {
        return metrics_from_bits(atomic_load_explicit(&m->bits, memory_order_relaxed));
    }
    metrics_lock_take(&m->lock);
    double count = (double)m->count;
    metrics_lock_give(&m->lock);
    return count;
}
