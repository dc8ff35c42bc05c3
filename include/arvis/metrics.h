/* Metrics: a thread-safe registry of counters, gauges and histograms (with statistics over a
 * rolling window of recent samples), snapshots of it as data or JSON, and the Prometheus text. */
#ifndef ARVIS_METRICS_H
#define ARVIS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/buf.h"
#include "arvis/config.h"
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

/* The window of the histograms created from now on that do not ask for one (metrics.window;
 * ARVIS_METRICS_WINDOW_DEFAULT until set). ARVIS_E_INVAL outside 1..ARVIS_METRICS_WINDOW_MAX. */
int arvis_metrics_set_default_window(arvis_metrics *reg, size_t window, arvis_error *err);

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

/* ---- Names: the figures Arvis's components record, one table (names.c) ---- */

/* A metric of the table: its type, help, unit for tables, buckets and label name. */
typedef struct arvis_metric_info {
    const char *name;
    arvis_metric_type type;
    const char *help;
    const char *unit;      /* "s", "bytes", "tokens/s"... for tables ("" when a plain count) */
    const char *label;     /* the one label name its series carry, or NULL */
    const double *buckets; /* histograms: upper bounds (NULL: the latency defaults) */
    size_t n_buckets;
} arvis_metric_info;

/* The table's entry for name, or NULL when it is not one of Arvis's figures. */
const arvis_metric_info *arvis_metrics_info(const char *name);

/* The unit of a metric for tables: the table's, else read from the name's suffix. */
const char *arvis_metrics_unit(const char *name);

/* arvis_metrics_get for a name of the table, with its type, help and buckets; label_value is
 * the value of its label (ignored when it has none). ARVIS_E_NOTFOUND for an unknown name. */
int arvis_metrics_named(arvis_metrics *reg, const char *name, const char *label_value,
                        arvis_metric **out, arvis_error *err);

/* One LLM answer, in plain figures (the assistant converts arvis_llm_stats). A figure below 0
 * is unknown and not recorded. */
typedef struct arvis_metrics_llm_turn {
    double ttft_s;              /* request sent -> first text */
    double tokens_per_s;        /* measured by Arvis */
    double server_tokens_per_s; /* as the server reported it */
    double tokens;              /* tokens of the answer */
    bool error;                 /* the request failed */
    bool cancelled;             /* the answer was cut by a cancel */
} arvis_metrics_llm_turn;

/* One spoken answer, in plain figures (from arvis_speech_stats). Below 0: unknown. */
typedef struct arvis_metrics_speech {
    double first_audio_s; /* first sentence queued -> its first audio at the sink */
    double rtf;           /* synthesis time / audio length */
    double chars;         /* characters synthesised */
} arvis_metrics_speech;

/* Record one LLM answer, one spoken answer (series labelled with the engine), one recognition
 * and one voice turn into reg. reg NULL (metrics off) does nothing. Each looks its metrics up
 * under the registry's lock: call once per turn, not per sample. ARVIS_E_INVAL (err says why)
 * only when reg already holds one of these names with other settings. */
int arvis_metrics_record_llm(arvis_metrics *reg, const arvis_metrics_llm_turn *t, arvis_error *err);
int arvis_metrics_record_speech(arvis_metrics *reg, const arvis_metrics_speech *s,
                                const char *engine, arvis_error *err);
int arvis_metrics_record_stt(arvis_metrics *reg, double audio_s, double elapsed_s, double latency_s,
                             double words, arvis_error *err);
int arvis_metrics_record_turn(arvis_metrics *reg, double eos_to_first_audio_s, double total_s,
                              arvis_error *err);

/* ---- Storage: samples written in batches as JSON Lines and CSV, rolled by size (store.c) ---- */

enum {
    ARVIS_METRICS_STORE_JSONL = 1,
    ARVIS_METRICS_STORE_CSV = 2,
};

typedef struct arvis_metrics_store_params {
    const char *dir;          /* folder of the files, created when missing (NULL: metrics/ in
                               * the data folder) */
    unsigned formats;         /* ARVIS_METRICS_STORE_JSONL and/or ARVIS_METRICS_STORE_CSV */
    uint64_t max_file_bytes;  /* a file is closed and the next started before passing this */
    uint64_t max_total_bytes; /* all files together; the oldest are removed first */
    size_t max_files;         /* files kept, both formats counted */
    unsigned flush_ms; /* a thread of the store flushes this often (0: no thread; the owner calls
                        * arvis_metrics_store_flush) */
    /* Load only what recording needs to go on: counters' totals and gauges' last values, from
     * every file as the whole load reads them, with the histogram samples (most lines) passed
     * over without being parsed. For a process that records and never reads window
     * statistics. */
    bool totals_only;
} arvis_metrics_store_params;

/* JSON Lines, 10 MB files, 100 MB in all, 20 files, flushed every 10 s. */
arvis_metrics_store_params arvis_metrics_store_default_params(void);

/* Fills p from the metrics.* keys (format, max_file_mb, max_total_mb, max_files,
 * flush_interval); p->dir is left as it was. */
void arvis_metrics_store_params_from_config(const arvis_config *cfg, arvis_metrics_store_params *p);

/* The folder of p's files: p->dir, or metrics/ in the data folder. The caller frees *out. */
int arvis_metrics_store_dir(const arvis_metrics_store_params *p, char **out, arvis_error *err);

/* What a load found. A sample stamped more than ARVIS_METRICS_FUTURE_SLACK_S after now (the
 * clock jumped) is kept as recorded now; any time in the past is kept at its age. */
#define ARVIS_METRICS_FUTURE_SLACK_S 300
typedef struct arvis_metrics_load_report {
    size_t files;     /* files read */
    size_t samples;   /* lines loaded */
    size_t bad_lines; /* skipped: truncated, corrupt, another version, or refused by reg */
    size_t future;    /* stamped in the future: counted as recorded now */
    size_t before;    /* older than the since time asked for: left out */
} arvis_metrics_load_report;

/* Reads every stored file in p->dir (oldest first; of a file kept in both formats, the JSON
 * Lines one) into reg: histogram samples at their age, counters and gauges at their last stored
 * value. Samples stamped before since_s (Unix seconds; 0: all) are left out. Damaged lines are
 * skipped and counted, with one warning in the log for them all. A missing folder is no
 * samples. Blocks; fails only when the folder cannot be read. r may be NULL. */
int arvis_metrics_store_load(const arvis_metrics_store_params *p, arvis_metrics *reg,
                             double since_s, arvis_metrics_load_report *r, arvis_error *err);

typedef struct arvis_metrics_store arvis_metrics_store;

/* Loads what is stored into reg (as arvis_metrics_store_load; r may be NULL), then writes what
 * reg records from now on: every histogram sample and the changed counters and gauges at each
 * flush. Open it before recording starts: samples recorded during the load are not stored.
 * reg must outlive the store. ARVIS_E_INVAL for bad params, or the folder's failure. */
int arvis_metrics_store_open(const arvis_metrics_store_params *p, arvis_metrics *reg,
                             arvis_metrics_store **out, arvis_metrics_load_report *r,
                             arvis_error *err);

/* Writes what was recorded since the last flush, rolling and removing files as needed. Safe
 * from any thread. A failed write (a full disk) returns ARVIS_E_IO once and logs it once; later
 * flushes drop their batch silently (counted in the stats) until a write works again.
 * Recording is never affected. */
int arvis_metrics_store_flush(arvis_metrics_store *st, arvis_error *err);

typedef struct arvis_metrics_store_stats {
    uint64_t lines;    /* lines written */
    uint64_t dropped;  /* lines lost to failed writes */
    uint64_t missed;   /* samples overwritten in memory before a flush took them */
    uint64_t failures; /* failed writes reported (once per run of failures) */
    uint64_t rolls;    /* files started */
    uint64_t removed;  /* files removed by the caps */
} arvis_metrics_store_stats;

void arvis_metrics_store_get_stats(arvis_metrics_store *st, arvis_metrics_store_stats *out);

/* Stops the flush thread, flushes what is left (a clean exit loses no sample) and frees the
 * store. NULL is allowed. */
void arvis_metrics_store_destroy(arvis_metrics_store *st);

/* ---- System figures (system.c): process, machine, and NVIDIA GPUs through NVML ---- */

typedef struct arvis_metrics_system arvis_metrics_system;

/* Prepares sampling into reg. With gpu true, NVML is loaded at run time from nvml_library
 * (NULL: "libnvidia-ml.so.1") when it is there; without it there are no GPU series at all.
 * reg must outlive it. */
int arvis_metrics_system_create(arvis_metrics *reg, bool gpu, const char *nvml_library,
                                arvis_metrics_system **out, arvis_error *err);

/* Reads the figures once and records them: process CPU seconds (counter) and resident memory,
 * system CPU busy share since the previous call (since boot on the first), memory used and
 * available, load averages, and per GPU its utilisation and memory. Call it periodically from
 * one thread. ARVIS_E_IO when /proc cannot be read. */
int arvis_metrics_system_sample(arvis_metrics_system *s, arvis_error *err);

/* GPUs found through NVML (0: none, or no NVML). */
unsigned arvis_metrics_system_gpus(const arvis_metrics_system *s);

void arvis_metrics_system_destroy(arvis_metrics_system *s);

#ifdef __cplusplus
}
#endif

#endif
