/* The metrics store: at each flush (a thread's, the owner's, and the last at destroy) it takes
 * what histograms recorded since the previous one from their rings, and the changed counters
 * and gauges, and writes them in one batch, so recording itself never touches a file. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arvis/clock.h"
#include "arvis/paths.h"
#include "store_internal.h"

enum {
    DEFAULT_FILE_BYTES = 10 * 1000 * 1000,
    DEFAULT_TOTAL_BYTES = 100 * 1000 * 1000,
    DEFAULT_FILES = 20,
    DEFAULT_FLUSH_MS = 10 * 1000,
    BYTES_PER_MB = 1000 * 1000,
    MS_PER_S = 1000,
};

arvis_metrics_store_params arvis_metrics_store_default_params(void)
{
    return (arvis_metrics_store_params){.formats = ARVIS_METRICS_STORE_JSONL,
                                        .max_file_bytes = DEFAULT_FILE_BYTES,
                                        .max_total_bytes = DEFAULT_TOTAL_BYTES,
                                        .max_files = DEFAULT_FILES,
                                        .flush_ms = DEFAULT_FLUSH_MS};
}

void arvis_metrics_store_params_from_config(const arvis_config *cfg, arvis_metrics_store_params *p)
{
    const char *format = arvis_config_string(cfg, "metrics.format");
    p->formats = !format || strcmp(format, "jsonl") == 0 ? ARVIS_METRICS_STORE_JSONL
                 : strcmp(format, "csv") == 0            ? ARVIS_METRICS_STORE_CSV
                                              : ARVIS_METRICS_STORE_JSONL | ARVIS_METRICS_STORE_CSV;
    p->max_file_bytes = (uint64_t)arvis_config_int(cfg, "metrics.max_file_mb") * BYTES_PER_MB;
    p->max_total_bytes = (uint64_t)arvis_config_int(cfg, "metrics.max_total_mb") * BYTES_PER_MB;
    p->max_files = (size_t)arvis_config_int(cfg, "metrics.max_files");
    p->flush_ms = (unsigned)arvis_config_int(cfg, "metrics.flush_interval") * MS_PER_S;
}

/* Grows the remembered state to the registry's n metrics; new ones start as never stored. */
static int grow_seen(arvis_metrics_store *st, size_t n)
{
    if (n <= st->n_seen) {
        return ARVIS_OK;
    }
    struct store_seen *seen = realloc(st->seen, n * sizeof *seen);
    if (!seen) {
        return ARVIS_E_NOMEM;
    }
    memset(seen + st->n_seen, 0, (n - st->n_seen) * sizeof *seen);
    st->seen = seen;
    st->n_seen = n;
    return ARVIS_OK;
}

/* The registry's metrics as they are now, in creation order (the caller frees the array;
 * metrics themselves live as long as the registry). */
static arvis_metric **list_metrics(arvis_metrics *reg, size_t *n)
{
    pthread_mutex_lock(&reg->lock);
    *n = reg->n;
    arvis_metric **items = malloc((*n ? *n : 1) * sizeof *items);
    if (items && *n) {
        memcpy(items, reg->items, *n * sizeof *items);
    }
    pthread_mutex_unlock(&reg->lock);
    return items;
}

/* Unix milliseconds of a monotonic time, given both clocks read now. */
static int64_t wall_ms_of(uint64_t t_ns, uint64_t now_ns, int64_t now_ms)
{
    return t_ns <= now_ns ? now_ms - (int64_t)((now_ns - t_ns) / 1000000u)
                          : now_ms + (int64_t)((t_ns - now_ns) / 1000000u);
}

static int emit_value(arvis_metrics_store *st, char prefix[][STORE_PREFIX_MAX], int64_t t_ms,
                      double v, arvis_error *err)
{
    char line[STORE_LINE_MAX];
    int rc = ARVIS_OK;
    for (int f = 0; f < STORE_FORMATS && rc == ARVIS_OK; f++) {
        int len =
            (st->p.formats & (1u << f)) ? store_line(f, t_ms, prefix[f], v, line, sizeof line) : 0;
        if (len > 0) {
            rc = store_emit(st, f, line, (size_t)len, err);
        }
    }
    st->batch_lines++;
    return rc;
}

/* The samples of one shard not yet stored, copied out under its lock into buf (room for
 * m->window); returns how many, oldest first. */
static size_t take_new(arvis_metrics_store *st, arvis_metric *m, size_t shard,
                       struct store_seen *seen, struct metrics_sample *buf)
{
    struct metrics_shard *sh = &m->shards[shard];
    metrics_lock_take(&sh->lock);
    uint64_t to = sh->written, from = seen->written[shard];
    if (to - from > m->window) {
        st->stats.missed += to - from - m->window;
        from = to - m->window;
    }
    size_t n = 0;
    for (uint64_t i = from; i < to; i++) {
        buf[n++] = sh->ring[i % m->window];
    }
    metrics_lock_give(&sh->lock);
    seen->written[shard] = to;
    return n;
}

static int store_metric(arvis_metrics_store *st, arvis_metric *m, struct store_seen *seen,
                        struct metrics_sample *buf, uint64_t now_ns, int64_t now_ms,
                        arvis_error *err)
{
    char prefix[STORE_FORMATS][STORE_PREFIX_MAX];
    for (int f = 0; f < STORE_FORMATS; f++) {
        if (store_prefix(m, f, prefix[f], sizeof prefix[f]) != ARVIS_OK) {
            return ARVIS_OK; /* cannot happen within the registry's limits: left out */
        }
    }
    int rc = ARVIS_OK;
    if (m->type != ARVIS_METRIC_HISTOGRAM) {
        double v = metrics_scalar(m);
        if (!seen->stored || memcmp(&v, &seen->value, sizeof v) != 0) {
            seen->value = v;
            seen->stored = true;
            rc = emit_value(st, prefix, now_ms, v, err);
        }
        return rc;
    }
    for (size_t s = 0; s < METRICS_SHARDS && rc == ARVIS_OK; s++) {
        size_t n = take_new(st, m, s, seen, buf);
        for (size_t i = 0; i < n && rc == ARVIS_OK; i++) {
            rc = emit_value(st, prefix, wall_ms_of(buf[i].t_ns, now_ns, now_ms), buf[i].v, err);
        }
    }
    return rc;
}

static int flush_locked(arvis_metrics_store *st, arvis_error *err)
{
    uint64_t now_ns = arvis_clock_ns();
    int64_t now_ms = (int64_t)(arvis_clock_wall() * MS_PER_S);
    size_t n = 0;
    arvis_metric **items = list_metrics(st->reg, &n);
    struct metrics_sample *buf = malloc(ARVIS_METRICS_WINDOW_MAX * sizeof *buf);
    if (!items || !buf || grow_seen(st, n) != ARVIS_OK) {
        free(items);
        free(buf);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory storing metrics");
    }
    int rc = ARVIS_OK;
    for (size_t i = 0; i < n; i++) {
        /* Only the first failure of a flush is reported; the rest are counted. */
        int r = store_metric(st, items[i], &st->seen[items[i]->order], buf, now_ns, now_ms,
                             rc == ARVIS_OK ? err : NULL);
        rc = rc == ARVIS_OK ? r : rc;
    }
    int r = store_write_batches(st, rc == ARVIS_OK ? err : NULL);
    free(items);
    free(buf);
    return rc == ARVIS_OK ? r : rc;
}

int arvis_metrics_store_flush(arvis_metrics_store *st, arvis_error *err)
{
    if (!st) {
        return ARVIS_OK;
    }
    pthread_mutex_lock(&st->lock);
    int rc = flush_locked(st, err);
    pthread_mutex_unlock(&st->lock);
    return rc;
}

static void *flush_thread(void *arg)
{
    arvis_metrics_store *st = arg;
    pthread_mutex_lock(&st->lock);
    while (!st->stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += st->p.flush_ms / MS_PER_S;
        until.tv_nsec += (long)(st->p.flush_ms % MS_PER_S) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!st->stop && pthread_cond_timedwait(&st->wake, &st->lock, &until) == 0) {
        }
        if (!st->stop) {
            flush_locked(st, NULL); /* failures are logged once by the writer */
        }
    }
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

static int check_params(const arvis_metrics_store_params *p, arvis_error *err)
{
    unsigned all = ARVIS_METRICS_STORE_JSONL | ARVIS_METRICS_STORE_CSV;
    if (!p || !p->formats || (p->formats & ~all) || p->max_file_bytes < STORE_LINE_MAX ||
        p->max_total_bytes < p->max_file_bytes || p->max_files < 1) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "metrics storage: give a format, files of at least %d bytes, a "
                               "total no smaller than one file and at least one file",
                               STORE_LINE_MAX);
    }
    return ARVIS_OK;
}

/* The folder the files go in: p->dir, or metrics/ in the data folder. */
int arvis_metrics_store_dir(const arvis_metrics_store_params *p, char **out, arvis_error *err)
{
    if (p->dir) {
        *out = strdup(p->dir);
        return *out ? ARVIS_OK : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    return arvis_place_file(ARVIS_PLACE_DATA, "metrics", out, err);
}

/* Everything the registry holds now counts as stored: the load put it there. */
static int mark_stored(arvis_metrics_store *st)
{
    size_t n = 0;
    arvis_metric **items = list_metrics(st->reg, &n);
    if (!items || grow_seen(st, n) != ARVIS_OK) {
        free(items);
        return ARVIS_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        struct store_seen *seen = &st->seen[items[i]->order];
        for (size_t s = 0; s < METRICS_SHARDS && items[i]->type == ARVIS_METRIC_HISTOGRAM; s++) {
            metrics_lock_take(&items[i]->shards[s].lock);
            seen->written[s] = items[i]->shards[s].written;
            metrics_lock_give(&items[i]->shards[s].lock);
        }
    }
    free(items);
    return ARVIS_OK;
}

/* Continues the newest files when they have room, else starts the next. */
static int open_current(arvis_metrics_store *st, arvis_error *err)
{
    struct store_file *files = NULL;
    size_t n = 0;
    int rc = store_list(st->dir, &files, &n, err);
    st->seq = n ? files[n - 1].seq : 1;
    /* The newest file is continued only in the formats it has: a load reads one format of a
     * file, so after metrics.format changed, what went to the other would be lost. */
    unsigned formats = 0;
    for (size_t i = n; i > 0 && files[i - 1].seq == st->seq; i--) {
        formats |= 1u << files[i - 1].format;
    }
    free(files);
    if (rc == ARVIS_OK) {
        rc = store_open_files(st, n > 0 && formats != st->p.formats, err);
    }
    bool full = false;
    for (int f = 0; f < STORE_FORMATS; f++) {
        full = full || st->size[f] + STORE_LINE_MAX > st->p.max_file_bytes;
    }
    if (rc == ARVIS_OK && full) {
        rc = store_open_files(st, true, err);
    }
    if (rc == ARVIS_OK) {
        store_enforce_caps(st);
    }
    return rc;
}

static arvis_metrics_store *store_new(const arvis_metrics_store_params *p, arvis_metrics *reg)
{
    arvis_metrics_store *st = calloc(1, sizeof *st);
    if (!st) {
        return NULL;
    }
    st->p = *p;
    st->reg = reg;
    for (int f = 0; f < STORE_FORMATS; f++) {
        st->fd[f] = -1;
        arvis_buf_init(&st->batch[f], STORE_BATCH_MAX + STORE_LINE_MAX);
    }
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&st->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&st->lock, NULL);
    return st;
}

static void store_free(arvis_metrics_store *st)
{
    store_close_files(st);
    for (int f = 0; f < STORE_FORMATS; f++) {
        arvis_buf_free(&st->batch[f]);
    }
    pthread_cond_destroy(&st->wake);
    pthread_mutex_destroy(&st->lock);
    free(st->seen);
    free(st->dir);
    free(st);
}

int arvis_metrics_store_open(const arvis_metrics_store_params *p, arvis_metrics *reg,
                             arvis_metrics_store **out, arvis_metrics_load_report *r,
                             arvis_error *err)
{
    *out = NULL;
    int rc = check_params(p, err);
    if (rc != ARVIS_OK || !reg) {
        return rc != ARVIS_OK ? rc : arvis_error_set(err, ARVIS_E_INVAL, "no metrics registry");
    }
    arvis_metrics_store *st = store_new(p, reg);
    if (!st) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    rc = arvis_metrics_store_dir(p, &st->dir, err);
    if (rc == ARVIS_OK) {
        st->p.dir = st->dir;
        rc = arvis_mkdirs(st->dir, 0700, err);
    }
    if (rc == ARVIS_OK) {
        rc = arvis_metrics_store_load(&st->p, reg, 0, r, err);
    }
    if (rc == ARVIS_OK && mark_stored(st) != ARVIS_OK) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    if (rc == ARVIS_OK) {
        rc = open_current(st, err);
    }
    if (rc == ARVIS_OK && p->flush_ms > 0) {
        st->has_thread = pthread_create(&st->thread, NULL, flush_thread, st) == 0;
        rc = st->has_thread ? ARVIS_OK
                            : arvis_error_set(err, ARVIS_E_NOMEM,
                                              "cannot start the metrics "
                                              "flush thread");
    }
    if (rc != ARVIS_OK) {
        store_free(st);
        return rc;
    }
    *out = st;
    return ARVIS_OK;
}

void arvis_metrics_store_get_stats(arvis_metrics_store *st, arvis_metrics_store_stats *out)
{
    memset(out, 0, sizeof *out);
    if (st) {
        pthread_mutex_lock(&st->lock);
        *out = st->stats;
        pthread_mutex_unlock(&st->lock);
    }
}

void arvis_metrics_store_destroy(arvis_metrics_store *st)
{
    if (!st) {
        return;
    }
    if (st->has_thread) {
        pthread_mutex_lock(&st->lock);
        st->stop = true;
        pthread_cond_signal(&st->wake);
        pthread_mutex_unlock(&st->lock);
        pthread_join(st->thread, NULL);
    }
    arvis_metrics_store_flush(st, NULL);
    store_free(st);
}
