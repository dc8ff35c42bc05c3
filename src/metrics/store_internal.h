/* Metrics storage internals shared by the writer (store.c), the files and their rolling
 * (store_files.c), the line formats (store_format.c) and the reload (store_load.c). */
#ifndef ARVIS_METRICS_STORE_INTERNAL_H
#define ARVIS_METRICS_STORE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "arvis/buf.h"
#include "metrics_internal.h"

enum {
    STORE_FORMATS = 2,             /* JSON Lines [0], CSV [1] */
    STORE_LINE_MAX = 16 * 1024,    /* longest line written or read back */
    STORE_BATCH_MAX = 1024 * 1024, /* bytes of one format held before they are written */
    STORE_PREFIX_MAX = 8 * 1024,   /* a series' name, type and labels, as written */
    STORE_MAX_LISTED = 100000,     /* files of a folder looked at */
};

/* "metrics-SEQ.jsonl" and "metrics-SEQ.csv"; the CSV's first line names its columns. */
#define STORE_FILE_PREFIX "metrics-"
#define STORE_CSV_HEADER "t_ms,name,type,labels,value\n"
extern const char *const store_suffix[STORE_FORMATS]; /* ".jsonl", ".csv" */

/* One stored file. */
struct store_file {
    uint64_t seq;
    int format; /* 0 JSON Lines, 1 CSV */
    uint64_t size;
};

/* Lists the stored files of dir, sorted by sequence then format, into *out (the caller frees).
 * A missing folder is an empty list. */
int store_list(const char *dir, struct store_file **out, size_t *n, arvis_error *err);

/* What the store remembers of a metric between flushes. */
struct store_seen {
    uint64_t written[METRICS_SHARDS]; /* ring positions already stored */
    double value;                     /* counter or gauge as last stored */
    bool stored;                      /* value was stored in the current file */
};

struct arvis_metrics_store {
    arvis_metrics_store_params p;
    char *dir;
    arvis_metrics *reg;
    pthread_mutex_t lock;    /* one flush at a time; guards everything below */
    struct store_seen *seen; /* by metric order in the registry */
    size_t n_seen;
    uint64_t seq;                 /* the current files' number */
    int fd[STORE_FORMATS];        /* -1 when closed */
    uint64_t size[STORE_FORMATS]; /* bytes in the current files */
    bool need_newline[STORE_FORMATS];
    arvis_buf batch[STORE_FORMATS];
    size_t batch_lines;
    bool failing; /* the last write failed; the failure was reported */
    arvis_error failure;
    arvis_metrics_store_stats stats;
    /* The flush thread. */
    pthread_t thread;
    bool has_thread;
    bool stop;
    pthread_cond_t wake;
};

/* store_files.c: opens the current files (appending to the newest when there is room), or
 * rolls to new ones when `roll`. */
int store_open_files(arvis_metrics_store *st, bool roll, arvis_error *err);

/* store_files.c: removes the oldest files until max_files and max_total_bytes hold (never the
 * current ones). */
void store_enforce_caps(arvis_metrics_store *st);

/* store_files.c: appends a line of format f to its batch, writing the batch and rolling to new
 * files first when the current file would pass max_file_bytes. */
int store_emit(arvis_metrics_store *st, int f, const char *line, size_t len, arvis_error *err);

/* store_files.c: writes the batches out. */
int store_write_batches(arvis_metrics_store *st, arvis_error *err);

/* store_files.c: closes the current files. */
void store_close_files(arvis_metrics_store *st);

/* store_format.c: the part of m's lines that never changes, in format f ("\"name\":...,
 * \"labels\":{...}" for JSON Lines, "name,type,\"{...}\"" for CSV). */
int store_prefix(const arvis_metric *m, int f, char *out, size_t size);

/* store_format.c: one line of format f: time (Unix milliseconds), prefix, value. */
int store_line(int f, int64_t t_ms, const char *prefix, double v, char *out, size_t size);

/* store_load.c: parses one line of format f into its parts (the strings point into line, which
 * is changed); false when it is not a line of the current version. */
struct store_record {
    int64_t t_ms;
    char name[ARVIS_METRICS_NAME_MAX + 1];
    arvis_metric_type type;
    arvis_metric_label labels[ARVIS_METRICS_MAX_LABELS];
    size_t n_labels;
    double v;
    char text[STORE_LINE_MAX]; /* where the label strings are kept */
};
bool store_parse_line(int f, const char *line, size_t len, struct store_record *r);

#endif
