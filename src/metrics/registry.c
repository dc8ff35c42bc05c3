/* The metrics registry: checks names, labels and buckets against the Prometheus rules, and
 * finds or creates a metric under a lock (recording itself never takes this lock). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/utf8.h"
#include "metrics_internal.h"

/* The Prometheus client libraries' default buckets: latencies in seconds. */
static const double default_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
enum { N_DEFAULT_BUCKETS = sizeof default_buckets / sizeof default_buckets[0] };

static const char *const histogram_suffixes[] = {"_bucket", "_sum", "_count"};

/* How a new metric will be: the options with their defaults filled in. */
struct metric_settings {
    const double *bounds;
    size_t n_buckets;
    size_t window;
    uint64_t window_ns;
};

const char *arvis_metric_type_name(arvis_metric_type t)
{
    switch (t) {
    case ARVIS_METRIC_COUNTER:
        return "counter";
    case ARVIS_METRIC_GAUGE:
        return "gauge";
    case ARVIS_METRIC_HISTOGRAM:
        return "histogram";
    }
    return "unknown";
}

arvis_metrics *arvis_metrics_create(void)
{
    arvis_metrics *reg = calloc(1, sizeof *reg);
    if (reg && pthread_mutex_init(&reg->lock, NULL) != 0) {
        free(reg);
        return NULL;
    }
    if (reg) {
        reg->default_window = ARVIS_METRICS_WINDOW_DEFAULT;
    }
    return reg;
}

int arvis_metrics_set_default_window(arvis_metrics *reg, size_t window, arvis_error *err)
{
    if (window < 1 || window > ARVIS_METRICS_WINDOW_MAX) {
        return arvis_error_set(
            err, ARVIS_E_INVAL,
            "a metrics window of %zu samples is outside 1 to %d (metrics.window)", window,
            ARVIS_METRICS_WINDOW_MAX);
    }
    pthread_mutex_lock(&reg->lock);
    reg->default_window = window;
    pthread_mutex_unlock(&reg->lock);
    return ARVIS_OK;
}

static void metric_free(arvis_metric *m)
{
    for (size_t i = 0; i < METRICS_SHARDS; i++) {
        free(m->shards[i].buckets);
        free(m->shards[i].ring);
    }
    free(m->strings);
    free(m->bounds);
    free(m);
}

void arvis_metrics_destroy(arvis_metrics *reg)
{
    if (!reg) {
        return;
    }
    for (size_t i = 0; i < reg->n; i++) {
        metric_free(reg->items[i]);
    }
    free(reg->items);
    pthread_mutex_destroy(&reg->lock);
    free(reg);
}

/* name matches [a-zA-Z_:][a-zA-Z0-9_:]* (colons only when allow_colon). */
static bool valid_name(const char *name, bool allow_colon)
{
    if (!name || !name[0] || strlen(name) > ARVIS_METRICS_NAME_MAX) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (allow_colon && c == ':') || (p > name && c >= '0' && c <= '9');
        if (!ok) {
            return false;
        }
    }
    return true;
}

static int check_labels(arvis_metric_type type, const arvis_metric_opts *o, arvis_error *err)
{
    if (o->n_labels > ARVIS_METRICS_MAX_LABELS || (o->n_labels && !o->labels)) {
        return arvis_error_set(err, ARVIS_E_INVAL, "metric %s: at most %d labels are allowed",
                               o->name, ARVIS_METRICS_MAX_LABELS);
    }
    for (size_t i = 0; i < o->n_labels; i++) {
        const arvis_metric_label *l = &o->labels[i];
        if (!valid_name(l->name, false) || strncmp(l->name, "__", 2) == 0) {
            return arvis_error_set(err, ARVIS_E_INVAL,
                                   "metric %s: label name \"%s\" is not valid: it must match "
                                   "[a-zA-Z_][a-zA-Z0-9_]* and not start with __",
                                   o->name, l->name ? l->name : "");
        }
        if (type == ARVIS_METRIC_HISTOGRAM && strcmp(l->name, "le") == 0) {
            return arvis_error_set(err, ARVIS_E_INVAL,
                                   "histogram %s: the label name \"le\" is kept for its buckets",
                                   o->name);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(o->labels[j].name, l->name) == 0) {
                return arvis_error_set(err, ARVIS_E_INVAL, "metric %s: label \"%s\" given twice",
                                       o->name, l->name);
            }
        }
        size_t len = l->value ? strlen(l->value) : 0;
        if (!l->value || len > ARVIS_METRICS_VALUE_MAX || !arvis_utf8_valid(l->value, len, NULL)) {
            return arvis_error_set(err, ARVIS_E_INVAL,
                                   "metric %s: the value of label \"%s\" must be UTF-8 text of at "
                                   "most %d bytes",
                                   o->name, l->name, ARVIS_METRICS_VALUE_MAX);
        }
    }
    return ARVIS_OK;
}

static int check_histogram(const arvis_metric_opts *o, arvis_error *err)
{
    if (o->n_buckets > ARVIS_METRICS_MAX_BUCKETS || (o->n_buckets && !o->buckets) ||
        (o->buckets && !o->n_buckets)) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "histogram %s: give between 1 and %d bucket bounds (or none for "
                               "the defaults)",
                               o->name, ARVIS_METRICS_MAX_BUCKETS);
    }
    for (size_t i = 0; i < o->n_buckets; i++) {
        if (!isfinite(o->buckets[i]) || (i > 0 && !(o->buckets[i] > o->buckets[i - 1]))) {
            return arvis_error_set(err, ARVIS_E_INVAL,
                                   "histogram %s: bucket bounds must be finite and strictly "
                                   "increasing (+Inf is always added); bound %zu is not",
                                   o->name, i + 1);
        }
    }
    if (o->window > ARVIS_METRICS_WINDOW_MAX) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "histogram %s: a window of %zu samples is above the maximum %d",
                               o->name, o->window, ARVIS_METRICS_WINDOW_MAX);
    }
    if (!(o->window_seconds >= 0) || o->window_seconds > (double)UINT64_MAX / 1e9) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "histogram %s: window_seconds must be 0 or a positive duration",
                               o->name);
    }
    return ARVIS_OK;
}

static int check_opts(arvis_metric_type type, const arvis_metric_opts *o, arvis_error *err)
{
    if (!o || !valid_name(o->name, true)) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "metric name \"%s\" is not valid: it must match "
                               "[a-zA-Z_:][a-zA-Z0-9_:]* and be at most %d bytes",
                               o && o->name ? o->name : "", ARVIS_METRICS_NAME_MAX);
    }
    if (type != ARVIS_METRIC_COUNTER && type != ARVIS_METRIC_GAUGE &&
        type != ARVIS_METRIC_HISTOGRAM) {
        return arvis_error_set(err, ARVIS_E_INVAL, "metric %s: unknown type %d", o->name,
                               (int)type);
    }
    size_t help_len = o->help ? strlen(o->help) : 0;
    if (help_len > ARVIS_METRICS_HELP_MAX || !arvis_utf8_valid(o->help, help_len, NULL)) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "metric %s: the help must be UTF-8 text of at most %d bytes",
                               o->name, ARVIS_METRICS_HELP_MAX);
    }
    int rc = check_labels(type, o, err);
    if (rc == ARVIS_OK && type == ARVIS_METRIC_HISTOGRAM) {
        rc = check_histogram(o, err);
    }
    return rc;
}

static struct metric_settings settings_of(arvis_metric_type type, const arvis_metric_opts *o,
                                          size_t default_window)
{
    struct metric_settings s = {0};
    if (type == ARVIS_METRIC_HISTOGRAM) {
        s.bounds = o->buckets ? o->buckets : default_buckets;
        s.n_buckets = o->buckets ? o->n_buckets : N_DEFAULT_BUCKETS;
        s.window = o->window ? o->window : default_window;
        s.window_ns = (uint64_t)(o->window_seconds * 1e9);
    }
    return s;
}

static bool same_settings(const arvis_metric *m, const struct metric_settings *s)
{
    if (m->n_buckets != s->n_buckets || m->window != s->window || m->window_ns != s->window_ns) {
        return false;
    }
    for (size_t i = 0; i < s->n_buckets; i++) {
        if (m->bounds[i] != s->bounds[i]) {
            return false;
        }
    }
    return true;
}

/* True when other is one of the series names histogram hist writes (hist_bucket...). */
static bool is_histogram_series(const char *hist, const char *other)
{
    size_t len = strlen(hist);
    if (strncmp(hist, other, len) != 0) {
        return false;
    }
    for (size_t i = 0; i < sizeof histogram_suffixes / sizeof histogram_suffixes[0]; i++) {
        if (strcmp(other + len, histogram_suffixes[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Compares o with an existing metric m: ARVIS_OK with *same set when m is the series o names,
 * ARVIS_OK when unrelated, ARVIS_E_INVAL when they contradict each other. */
static int compare_existing(const arvis_metric *m, arvis_metric_type type,
                            const arvis_metric_opts *o, const struct metric_settings *s, bool *same,
                            arvis_error *err)
{
    if ((m->type == ARVIS_METRIC_HISTOGRAM && is_histogram_series(m->name, o->name)) ||
        (type == ARVIS_METRIC_HISTOGRAM && is_histogram_series(o->name, m->name))) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "metric %s clashes with %s: a histogram writes series named "
                               "NAME_bucket, NAME_sum and NAME_count",
                               o->name, m->name);
    }
    if (strcmp(m->name, o->name) != 0) {
        return ARVIS_OK;
    }
    if (m->type != type || strcmp(m->help, o->help ? o->help : "") != 0 ||
        m->n_labels != o->n_labels) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "metric %s already exists as a %s with other help or labels",
                               o->name, arvis_metric_type_name(m->type));
    }
    bool values_equal = true;
    for (size_t i = 0; i < m->n_labels; i++) {
        if (strcmp(m->labels[i].name, o->labels[i].name) != 0) {
            return arvis_error_set(err, ARVIS_E_INVAL,
                                   "metric %s already exists with label \"%s\" in place of \"%s\"",
                                   o->name, m->labels[i].name, o->labels[i].name);
        }
        values_equal = values_equal && strcmp(m->labels[i].value, o->labels[i].value) == 0;
    }
    if (values_equal && !same_settings(m, s)) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "histogram %s already exists with other buckets or window", o->name);
    }
    *same = values_equal;
    return ARVIS_OK;
}

/* Appends s and its NUL to the strings block at *pos and returns where it went. */
static const char *put_string(arvis_metric *m, size_t *pos, const char *s)
{
    size_t len = strlen(s) + 1;
    memcpy(m->strings + *pos, s, len);
    *pos += len;
    return m->strings + *pos - len;
}

static arvis_metric *metric_new(arvis_metric_type type, const arvis_metric_opts *o,
                                const struct metric_settings *s)
{
    size_t size =
        (sizeof(arvis_metric) + METRICS_CACHE_LINE - 1) / METRICS_CACHE_LINE * METRICS_CACHE_LINE;
    arvis_metric *m = aligned_alloc(METRICS_CACHE_LINE, size);
    if (!m) {
        return NULL;
    }
    memset(m, 0, sizeof *m);
    m->type = type;
    const char *help = o->help ? o->help : "";
    m->strings_len = strlen(o->name) + strlen(help) + 2;
    for (size_t i = 0; i < o->n_labels; i++) {
        m->strings_len += strlen(o->labels[i].name) + strlen(o->labels[i].value) + 2;
    }
    m->strings = malloc(m->strings_len);
    bool ok = m->strings != NULL;
    if (s->n_buckets) {
        m->bounds = malloc(s->n_buckets * sizeof *m->bounds);
        ok = ok && m->bounds;
    }
    for (size_t i = 0; ok && s->n_buckets && i < METRICS_SHARDS; i++) {
        m->shards[i].buckets = calloc(s->n_buckets + 1, sizeof(uint64_t));
        m->shards[i].ring = malloc(s->window * sizeof(struct metrics_sample));
        ok = m->shards[i].buckets && m->shards[i].ring;
    }
    if (!ok) {
        metric_free(m);
        return NULL;
    }
    size_t pos = 0;
    m->name = put_string(m, &pos, o->name);
    m->help = put_string(m, &pos, help);
    for (size_t i = 0; i < o->n_labels; i++) {
        m->labels[i].name = put_string(m, &pos, o->labels[i].name);
        m->labels[i].value = put_string(m, &pos, o->labels[i].value);
    }
    m->n_labels = o->n_labels;
    if (s->n_buckets) {
        memcpy(m->bounds, s->bounds, s->n_buckets * sizeof *m->bounds);
    }
    m->n_buckets = s->n_buckets;
    m->window = s->window;
    m->window_ns = s->window_ns;
    return m;
}

/* Adds a new metric to the list; call with the registry's lock held. */
static int add_new(arvis_metrics *reg, arvis_metric_type type, const arvis_metric_opts *o,
                   const struct metric_settings *s, arvis_metric **out, arvis_error *err)
{
    if (reg->n >= ARVIS_METRICS_MAX_SERIES) {
        return arvis_error_set(err, ARVIS_E_TOOBIG,
                               "metric %s: the registry already holds %d metrics, its maximum",
                               o->name, ARVIS_METRICS_MAX_SERIES);
    }
    if (reg->n == reg->cap) {
        size_t cap = reg->cap ? reg->cap * 2 : 16;
        arvis_metric **items = realloc(reg->items, cap * sizeof *items);
        if (!items) {
            return arvis_error_set(err, ARVIS_E_NOMEM, "metric %s: out of memory", o->name);
        }
        reg->items = items;
        reg->cap = cap;
    }
    arvis_metric *m = metric_new(type, o, s);
    if (!m) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "metric %s: out of memory", o->name);
    }
    m->order = reg->n;
    reg->items[reg->n++] = m;
    *out = m;
    return ARVIS_OK;
}

int arvis_metrics_get(arvis_metrics *reg, arvis_metric_type type, const arvis_metric_opts *o,
                      arvis_metric **out, arvis_error *err)
{
    *out = NULL;
    int rc = check_opts(type, o, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    pthread_mutex_lock(&reg->lock);
    struct metric_settings s = settings_of(type, o, reg->default_window);
    for (size_t i = 0; i < reg->n && rc == ARVIS_OK && !*out; i++) {
        bool same = false;
        rc = compare_existing(reg->items[i], type, o, &s, &same, err);
        if (same) {
            *out = reg->items[i];
        }
    }
    if (rc == ARVIS_OK && !*out) {
        rc = add_new(reg, type, o, &s, out, err);
    }
    pthread_mutex_unlock(&reg->lock);
    return rc;
}
