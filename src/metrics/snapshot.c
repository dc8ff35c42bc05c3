/* Snapshots: a copy of every metric that the caller owns, each histogram copied under its lock
 * so that its buckets, count, sum and window agree; and the snapshot as JSON. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/clock.h"
#include "metrics_internal.h"

/* Series order: by name, then label values, then creation. */
static int compare_metrics(const void *a, const void *b)
{
    const arvis_metric *x = *(const arvis_metric *const *)a;
    const arvis_metric *y = *(const arvis_metric *const *)b;
    int c = strcmp(x->name, y->name);
    for (size_t i = 0; c == 0 && i < x->n_labels && i < y->n_labels; i++) {
        c = strcmp(x->labels[i].value, y->labels[i].value);
    }
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The registry's list as it is now, sorted; the metrics live as long as the registry. */
static arvis_metric **list_metrics(arvis_metrics *reg, size_t *n)
{
    pthread_mutex_lock(&reg->lock);
    *n = reg->n;
    arvis_metric **list = malloc((reg->n ? reg->n : 1) * sizeof *list);
    if (list && reg->n) {
        memcpy(list, reg->items, reg->n * sizeof *list);
    }
    pthread_mutex_unlock(&reg->lock);
    if (list) {
        qsort(list, *n, sizeof *list, compare_metrics);
    }
    return list;
}

/* Copies a histogram with all its shards locked at once, so that buckets, count, sum and
 * window are of one moment. */
static int copy_histogram(arvis_metric *m, uint64_t now_ns, arvis_metric_series *s)
{
    size_t nb = m->n_buckets + 1;
    double *bounds = malloc(nb * (sizeof(double) + sizeof(uint64_t)));
    struct metrics_sample *samples = malloc(METRICS_SHARDS * m->window * sizeof *samples);
    double *values = malloc(m->window * sizeof *values);
    if (!bounds || !samples || !values) {
        free(bounds);
        free(samples);
        free(values);
        return ARVIS_E_NOMEM;
    }
    uint64_t *cumulative = (uint64_t *)(bounds + nb);
    memset(cumulative, 0, nb * sizeof *cumulative);
    size_t n = 0;
    for (size_t i = 0; i < METRICS_SHARDS; i++) {
        metrics_lock_take(&m->shards[i].lock);
    }
    for (size_t i = 0; i < METRICS_SHARDS; i++) {
        const struct metrics_shard *sh = &m->shards[i];
        for (size_t b = 0; b < nb; b++) {
            cumulative[b] += sh->buckets[b];
        }
        s->count += sh->count;
        s->sum += sh->sum;
        n += metrics_window_copy(m, sh, now_ns, samples + n);
    }
    for (size_t i = METRICS_SHARDS; i-- > 0;) {
        metrics_lock_give(&m->shards[i].lock);
    }

    memcpy(bounds, m->bounds, m->n_buckets * sizeof *bounds);
    bounds[m->n_buckets] = INFINITY;
    for (size_t i = 1; i < nb; i++) {
        cumulative[i] += cumulative[i - 1];
    }
    s->n_buckets = m->n_buckets;
    s->bounds = bounds;
    s->cumulative = cumulative;
    s->window_capacity = m->window;
    s->window_seconds = (double)m->window_ns / 1e9;
    metrics_window_stats(m, samples, n, values, &s->window);
    free(samples);
    free(values);
    return ARVIS_OK;
}

/* Copies m into s: its strings into one block of s's own, then its figures. */
static int copy_metric(arvis_metric *m, uint64_t now_ns, arvis_metric_series *s)
{
    char *strings = malloc(m->strings_len);
    if (!strings) {
        return ARVIS_E_NOMEM;
    }
    memcpy(strings, m->strings, m->strings_len);
    s->name = strings + (m->name - m->strings);
    s->help = strings + (m->help - m->strings);
    for (size_t i = 0; i < m->n_labels; i++) {
        s->labels[i].name = strings + (m->labels[i].name - m->strings);
        s->labels[i].value = strings + (m->labels[i].value - m->strings);
    }
    s->n_labels = m->n_labels;
    s->type = m->type;
    if (m->type != ARVIS_METRIC_HISTOGRAM) {
        s->value = metrics_scalar(m);
        return ARVIS_OK;
    }
    return copy_histogram(m, now_ns, s);
}

int arvis_metrics_snapshot_take_at(arvis_metrics *reg, uint64_t now_ns,
                                   arvis_metrics_snapshot **out)
{
    *out = NULL;
    arvis_metrics_snapshot *snap = calloc(1, sizeof *snap);
    size_t n = 0;
    arvis_metric **list = list_metrics(reg, &n);
    if (snap && list) {
        snap->series = calloc(n ? n : 1, sizeof *snap->series);
    }
    if (!snap || !list || !snap->series) {
        free(list);
        arvis_metrics_snapshot_free(snap);
        return ARVIS_E_NOMEM;
    }
    snap->taken_ns = now_ns;
    int rc = ARVIS_OK;
    for (size_t i = 0; i < n && rc == ARVIS_OK; i++) {
        rc = copy_metric(list[i], now_ns, &snap->series[i]);
        snap->n = i + 1; /* a failed copy is freed with the rest: its pointers are NULL */
    }
    free(list);
    if (rc != ARVIS_OK) {
        arvis_metrics_snapshot_free(snap);
        return rc;
    }
    *out = snap;
    return ARVIS_OK;
}

int arvis_metrics_snapshot_take(arvis_metrics *reg, arvis_metrics_snapshot **out)
{
    return arvis_metrics_snapshot_take_at(reg, arvis_clock_ns(), out);
}

void arvis_metrics_snapshot_free(arvis_metrics_snapshot *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; s->series && i < s->n; i++) {
        /* The name starts the strings block, and the bounds the arrays block. */
        free((char *)s->series[i].name);
        free((double *)s->series[i].bounds);
    }
    free(s->series);
    free(s);
}

static bool labels_match(const arvis_metric_series *s, const arvis_metric_label *labels,
                         size_t n_labels)
{
    if (s->n_labels != n_labels) {
        return false;
    }
    for (size_t i = 0; i < n_labels; i++) {
        if (strcmp(s->labels[i].name, labels[i].name) != 0 ||
            strcmp(s->labels[i].value, labels[i].value) != 0) {
            return false;
        }
    }
    return true;
}

const arvis_metric_series *arvis_metrics_snapshot_find(const arvis_metrics_snapshot *s,
                                                       const char *name,
                                                       const arvis_metric_label *labels,
                                                       size_t n_labels)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->series[i].name, name) == 0 && labels_match(&s->series[i], labels, n_labels)) {
            return &s->series[i];
        }
    }
    return NULL;
}
