/* Metrics internals shared by the registry, recording, window statistics and the output
 * formats: the metric and registry layouts and the spin lock that guards a histogram. */
#ifndef ARVIS_METRICS_INTERNAL_H
#define ARVIS_METRICS_INTERNAL_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/metrics.h"

/* Hot fields start a cache line of their own, so that recording into one metric does not
 * slow down threads recording into its neighbour. */
enum { METRICS_CACHE_LINE = 64 };

/* Spins of a waiting thread before it yields the processor to a holder that may be asleep. */
enum { METRICS_SPINS_BEFORE_YIELD = 128 };

/* A histogram's critical section is a few stores, far shorter than a mutex's sleep and
 * wake-up, so waiters spin; they yield now and then in case the holder was preempted. */
typedef struct metrics_lock {
    atomic_bool held;
} metrics_lock;

static inline void metrics_lock_take(metrics_lock *l)
{
    unsigned spins = 0;
    while (atomic_exchange_explicit(&l->held, true, memory_order_acquire)) {
        while (atomic_load_explicit(&l->held, memory_order_relaxed)) {
            if (++spins >= METRICS_SPINS_BEFORE_YIELD) {
                sched_yield();
                spins = 0;
            }
        }
    }
}

static inline void metrics_lock_give(metrics_lock *l)
{
    atomic_store_explicit(&l->held, false, memory_order_release);
}

/* Histograms are split into shards, and each thread records into its own (threads beyond the
 * count share), so that two threads recording into one histogram do not fight over one lock. */
enum { METRICS_SHARDS = 4 };

/* One window sample: the value and when it was taken (arvis_clock_ns scale). */
struct metrics_sample {
    double v;
    uint64_t t_ns;
};

/* A histogram's share of the samples; the lock guards all of it. */
struct metrics_shard {
    _Alignas(METRICS_CACHE_LINE) metrics_lock lock;
    uint64_t count;
    double sum;
    uint64_t written;  /* samples ever put in the ring; the next goes to written % window */
    uint64_t *buckets; /* n_buckets + 1 counts (not cumulative); the last is +Inf */
    struct metrics_sample *ring; /* the last window samples */
};

struct arvis_metric {
    /* Counter: whole increments by fetch_add, the rest in bits; gauge: the value in bits. The
     * double's bits change by compare-and-swap. */
    _Alignas(METRICS_CACHE_LINE) _Atomic uint64_t whole;
    _Atomic uint64_t bits;

    /* Fixed at creation. */
    arvis_metric_type type;
    size_t order; /* creation order in the registry */
    const char *name;
    const char *help;
    arvis_metric_label labels[ARVIS_METRICS_MAX_LABELS];
    size_t n_labels;
    char *strings; /* one block holding name, help and the labels' text */
    size_t strings_len;
    double *bounds; /* n_buckets finite upper bounds */
    size_t n_buckets;
    size_t window;      /* samples each shard keeps, and the most a snapshot's window holds */
    uint64_t window_ns; /* 0: no age limit */

    struct metrics_shard shards[METRICS_SHARDS]; /* histograms */
};

struct arvis_metrics {
    pthread_mutex_t lock; /* guards the list, not the metrics' figures */
    arvis_metric **items;
    size_t n;
    size_t cap;
    size_t default_window; /* of histograms that do not ask for one */
};

/* record.c: a counter's or gauge's value. */
double metrics_scalar(const arvis_metric *m);

/* prometheus.c: v as the Prometheus text format writes a number ("0.25", "+Inf", "NaN"), so
 * that it reads back to the same double. out holds METRICS_NUMBER_MAX bytes. Returns out. */
enum { METRICS_NUMBER_MAX = 32 };
const char *metrics_number(double v, char *out, size_t size);

/* window.c: appends the samples of m's shard sh no older than m's age limit at now_ns to out
 * (room for m->window more) and returns how many. Call with the shard's lock held. */
size_t metrics_window_copy(const arvis_metric *m, const struct metrics_shard *sh, uint64_t now_ns,
                           struct metrics_sample *out);

/* window.c: statistics of the m->window newest of samples[0..n) (which it reorders), using
 * values (room for m->window) as scratch. */
void metrics_window_stats(const arvis_metric *m, struct metrics_sample *samples, size_t n,
                          double *values, arvis_metric_window *out);

#endif
