/* Metrics: a thread-safe registry of counters, gauges and histograms (with statistics over a
 * rolling window of recent samples), snapshots of it as data or JSON, and the Prometheus text. */
#ifndef ARVIS_METRICS_H
#define ARVIS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "arvis/buf.h"
#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

/* Limits, so that what a registry holds is bounded whatever is recorded into it. */
#define ARVIS_METRICS_MAX_SERIES 4096     /* metrics (name plus label values) in one registry */
#define ARVIS_METRICS_MAX_LABELS 4        /* label pairs on one metric */
#define ARVIS_METRICS_MAX_BUCKETS 32      /* histogram upper bounds, not counting +Inf */
#define ARVIS_METRICS_NAME_MAX 128        /* bytes in a metric or label name */
#define ARVIS_METRICS_VALUE_MAX 256       /* bytes in a label value */
#define ARVIS_METRICS_HELP_MAX 1024       /* bytes in a help text */
#define ARVIS_METRICS_WINDOW_DEFAULT 1024 /* samples a histogram keeps for window statistics */
#define ARVIS_METRICS_WINDOW_MAX 16384    /* the most it may be asked to keep */

typedef enum arvis_metric_type {
    ARVIS_METRIC_COUNTER,   /* a total that only goes up */
    ARVIS_METRIC_GAUGE,     /* a value that is set, or goes up and down */
    ARVIS_METRIC_HISTOGRAM, /* observations counted in buckets, plus window statistics */
} arvis_metric_type;

/* "counter", "gauge" or "histogram", as the Prometheus # TYPE line says it. */
const char *arvis_metric_type_name(arvis_metric_type t);

typedef struct arvis_metric_label {
    const char *name;  /* [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__"; "le" is kept for
                        * histogram buckets */
    const char *value; /* any UTF-8 text, at most ARVIS_METRICS_VALUE_MAX bytes */
} arvis_metric_label;

/* What a metric is. Zero-initialise it and fill in what you need; everything is copied. */
typedef struct arvis_metric_opts {
    const char *name; /* [a-zA-Z_:][a-zA-Z0-9_:]*, unit in the name: arvis_llm_ttft_seconds */
    const char *help; /* one line saying what it measures (NULL: none) */
    const arvis_metric_label *labels;
    size_t n_labels;
    /* Histograms only. */
    const double *buckets; /* finite upper bounds, strictly increasing (NULL: latencies in
                            * seconds from 5 ms to 10 s, the Prometheus defaults) */
    size_t n_buckets;
    /* The window statistics cover the newest `window` samples by time stamp (0: the default;
     * a histogram holds 64 * window bytes for them), none older than window_seconds (0: no
     * age limit). */
    size_t window;
    double window_seconds;
} arvis_metric_opts;

typedef struct arvis_metrics arvis_metrics; /* the registry */
typedef struct arvis_metric arvis_metric;   /* one metric, owned by its registry */

/* Creates an empty registry. Returns NULL when memory runs out. */
arvis_metrics *arvis_metrics_create(void);

/* Frees the registry and every metric in it: handles from it must not be used afterwards.
 * Snapshots taken from it stay valid. reg may be NULL. */
void arvis_metrics_destroy(arvis_metrics *reg);

/* Finds the metric with o's name and label values, creating it when there is none, and stores
 * its handle in *out (valid until the registry is destroyed). Safe from any thread; takes a
 * lock, so look handles up once, not per sample. Refuses with ARVIS_E_INVAL and a sentence in
 * err: a bad name, label or bucket list; the name already used with another type, help or label
 * names, or (same labels) other buckets or window; a name that clashes with a histogram's
 * _bucket, _sum or _count series. ARVIS_E_TOOBIG past ARVIS_METRICS_MAX_SERIES. */
int arvis_metrics_get(arvis_metrics *reg, arvis_metric_type type, const arvis_metric_opts *o,
                      arvis_metric **out, arvis_error *err);

/* ---- Recording: lock-free for counters and gauges; for histograms, a short spin lock on a
 * shard of their own for up to four threads, so threads rarely wait for each other. Safe
 * from any thread; never allocates. A NULL handle (metrics turned off) and a handle of the wrong
 * type are ignored, so that recording never fails. ---- */

/* Counter: adds v; a negative or NaN v is ignored (a counter only goes up). Gauge: adds v. */
void arvis_metric_add(arvis_metric *m, double v);

/* arvis_metric_add(m, 1). */
void arvis_metric_inc(arvis_metric *m);

/* Gauge: sets the value. */
void arvis_metric_set(arvis_metric *m, double v);

/* Histogram: records one observation, stamped with the monotonic clock. NaN is ignored. */
void arvis_metric_observe(arvis_metric *m, double v);

/* arvis_metric_observe with the sample's time given (arvis_clock_ns scale), for samples
 * measured earlier or reloaded from storage. */
void arvis_metric_observe_at(arvis_metric *m, double v, uint64_t t_ns);

/* Counter or gauge: the current value (a histogram's: its count). 0 for NULL. */
double arvis_metric_value(arvis_metric *m);

/* ---- Snapshots ---- */

/* Statistics over a histogram's window; every figure is NaN when count is 0. Percentiles by
 * nearest rank: p95 is the smallest sample with at least 95% of the window at or below it. */
typedef struct arvis_metric_window {
    size_t count;
    double min, max, mean, p50, p95, p99;
} arvis_metric_window;

/* One metric as it was at the snapshot. Its strings and arrays belong to the snapshot. */
typedef struct arvis_metric_series {
    const char *name;
    const char *help;
    arvis_metric_type type;
    arvis_metric_label labels[ARVIS_METRICS_MAX_LABELS];
    size_t n_labels;
    double value; /* counter, gauge */
    /* Histograms: all-time figures, consistent with each other (bucket n_buckets is +Inf and
     * holds count), then the window. */
    uint64_t count;
    double sum;
    size_t n_buckets;           /* upper bounds, not counting +Inf */
    const double *bounds;       /* n_buckets + 1 upper bounds, the last INFINITY */
    const uint64_t *cumulative; /* n_buckets + 1 counts of samples <= each bound */
    size_t window_capacity;
    double window_seconds;
    arvis_metric_window window;
} arvis_metric_series;

/* Series sorted by name, then label values; a name's series are next to each other. */
typedef struct arvis_metrics_snapshot {
    uint64_t taken_ns; /* arvis_clock_ns() when it was taken */
    size_t n;
    arvis_metric_series *series;
} arvis_metrics_snapshot;

/* Copies every metric of the registry into *out (the caller frees it with
 * arvis_metrics_snapshot_free). Each series is consistent in itself; recording goes on
 * meanwhile, so two series may be a sample apart. ARVIS_E_NOMEM when memory runs out. */
int arvis_metrics_snapshot_take(arvis_metrics *reg, arvis_metrics_snapshot **out);

/* arvis_metrics_snapshot_take as if taken at now_ns, for the window's age limit. */
int arvis_metrics_snapshot_take_at(arvis_metrics *reg, uint64_t now_ns,
                                   arvis_metrics_snapshot **out);

void arvis_metrics_snapshot_free(arvis_metrics_snapshot *s);

/* The series with this name and these label values in s (n_labels 0: the one without labels),
 * or NULL when there is none. */
const arvis_metric_series *arvis_metrics_snapshot_find(const arvis_metrics_snapshot *s,
                                                       const char *name,
                                                       const arvis_metric_label *labels,
                                                       size_t n_labels);

/* The snapshot as JSON: {"metrics": [{"name", "help", "type", "labels": {...}, "value"} or for
 * histograms {..., "count", "sum", "buckets": [{"le", "count"}], "window": {...}}]}. Figures
 * that are not finite are null. Returns a tree the caller deletes, or NULL when out of memory. */
struct cJSON *arvis_metrics_snapshot_json(const arvis_metrics_snapshot *s);

/* Appends the snapshot in the Prometheus text exposition format, version 0.0.4 (served as
 * "text/plain; version=0.0.4"), to out. ARVIS_E_TOOBIG when out's maximum is reached, with out
 * left as it was. */
int arvis_metrics_prometheus(const arvis_metrics_snapshot *s, arvis_buf *out);

#ifdef __cplusplus
}
#endif

#endif
