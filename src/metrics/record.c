/* Recording a sample, the hot path: counters and gauges by compare-and-swap on the value's bits,
 * histograms under the spin lock of the thread's shard (bucket, count, sum and window together). */
#include <math.h>
#include <string.h>

#include "arvis/clock.h"
#include "metrics_internal.h"

static double from_bits(uint64_t bits)
{
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

double metrics_scalar(const arvis_metric *m)
{
    double rest = from_bits(atomic_load_explicit(&m->bits, memory_order_relaxed));
    return (double)atomic_load_explicit(&m->whole, memory_order_relaxed) + rest;
}

static uint64_t to_bits(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

/* Below this, a double holds every whole number, so whole increments can be counted apart. */
static const double WHOLE_LIMIT = 9007199254740992.0; /* 2^53 */

/* The shard of the calling thread: threads take shards in turn as they first record. */
static atomic_uint next_shard;
static _Thread_local unsigned thread_shard = METRICS_SHARDS;

static struct metrics_shard *shard_of_thread(arvis_metric *m)
{
    if (thread_shard == METRICS_SHARDS) {
        thread_shard =
            atomic_fetch_add_explicit(&next_shard, 1, memory_order_relaxed) % METRICS_SHARDS;
    }
    return &m->shards[thread_shard];
}

static void add_bits(arvis_metric *m, double v)
{
    uint64_t old = atomic_load_explicit(&m->bits, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&m->bits, &old, to_bits(from_bits(old) + v),
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
}

void arvis_metric_add(arvis_metric *m, double v)
{
    if (!m) {
        return;
    }
    if (m->type == ARVIS_METRIC_COUNTER && v >= 0 && v < WHOLE_LIMIT && v == floor(v)) {
        /* The usual case, one uncontended instruction even when threads share the counter. */
        atomic_fetch_add_explicit(&m->whole, (uint64_t)v, memory_order_relaxed);
    } else if (m->type == ARVIS_METRIC_GAUGE || (m->type == ARVIS_METRIC_COUNTER && v >= 0)) {
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
        atomic_store_explicit(&m->bits, to_bits(v), memory_order_relaxed);
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
    struct metrics_shard *sh = shard_of_thread(m);
    metrics_lock_take(&sh->lock);
    sh->buckets[b]++;
    sh->count++;
    sh->sum += v;
    sh->ring[sh->written % m->window] = (struct metrics_sample){.v = v, .t_ns = t_ns};
    sh->written++;
    metrics_lock_give(&sh->lock);
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
        return metrics_scalar(m);
    }
    uint64_t count = 0;
    for (size_t i = 0; i < METRICS_SHARDS; i++) {
        metrics_lock_take(&m->shards[i].lock);
        count += m->shards[i].count;
        metrics_lock_give(&m->shards[i].lock);
    }
    return (double)count;
}
