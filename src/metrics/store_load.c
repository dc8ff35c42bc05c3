/* Reloading stored samples into a registry: every file oldest first, line by line, damaged
 * lines skipped and counted (one warning for them all); samples placed at their age. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arvis/clock.h"
#include "arvis/log.h"
#include "arvis/paths.h"
#include "store_internal.h"

enum { NS_PER_MS = 1000000, MS_PER_S = 1000, KEY_MAX = STORE_LINE_MAX };

/* A series met in the files: its metric (NULL when the registry refused it) and the last
 * counter or gauge value, applied at the end. */
struct series {
    char *key;
    arvis_metric *m;
    double last;
    bool has_last;
};

struct load {
    arvis_metrics *reg;
    arvis_metrics_load_report r;
    bool totals_only; /* histogram samples are not loaded */
    int64_t since_ms, now_ms;
    uint64_t now_ns;
    struct series *series;
    size_t n, cap, hit;
    struct store_record rec;
    char key[KEY_MAX];
};

/* name, type and labels as one string: what tells series apart. */
static bool make_key(const struct store_record *r, char *out, size_t size)
{
    int n = snprintf(out, size, "%s\x1f%d", r->name, (int)r->type);
    for (size_t i = 0; i < r->n_labels && n >= 0 && (size_t)n < size; i++) {
        n += snprintf(out + n, size - (size_t)n, "\x1f%s\x1e%s", r->labels[i].name,
                      r->labels[i].value);
    }
    return n >= 0 && (size_t)n < size;
}

/* The registry's first metric named name, whose settings a reloaded series of it takes. */
static arvis_metric *find_named(arvis_metrics *reg, const char *name)
{
    arvis_metric *found = NULL;
    pthread_mutex_lock(&reg->lock);
    for (size_t i = 0; i < reg->n && !found; i++) {
        found = strcmp(reg->items[i]->name, name) == 0 ? reg->items[i] : NULL;
    }
    pthread_mutex_unlock(&reg->lock);
    return found;
}

/* Finds or creates the metric of r: with the settings of a metric of that name already in
 * the registry, else of the names table, else the defaults. */
static arvis_metric *metric_of(arvis_metrics *reg, const struct store_record *r)
{
    arvis_metric_opts o = {.name = r->name, .labels = r->labels, .n_labels = r->n_labels};
    const arvis_metric *like = find_named(reg, r->name);
    const arvis_metric_info *info = arvis_metrics_info(r->name);
    if (like) {
        o.help = like->help;
        o.buckets = like->n_buckets ? like->bounds : NULL;
        o.n_buckets = like->n_buckets;
        o.window = like->window;
        o.window_seconds = (double)like->window_ns / 1e9;
    } else if (info) {
        o.help = info->help;
        o.buckets = info->buckets;
        o.n_buckets = info->n_buckets;
    }
    arvis_metric *m = NULL;
    return arvis_metrics_get(reg, r->type, &o, &m, NULL) == ARVIS_OK ? m : NULL;
}

static struct series *series_of(struct load *l)
{
    if (!make_key(&l->rec, l->key, sizeof l->key)) {
        return NULL;
    }
    if (l->hit < l->n && strcmp(l->series[l->hit].key, l->key) == 0) {
        return &l->series[l->hit];
    }
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->series[i].key, l->key) == 0) {
            l->hit = i;
            return &l->series[i];
        }
    }
    if (l->n == ARVIS_METRICS_MAX_SERIES) {
        return NULL;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct series *grown = realloc(l->series, cap * sizeof *grown);
        if (!grown) {
            return NULL;
        }
        l->series = grown;
        l->cap = cap;
    }
    char *key = strdup(l->key);
    if (!key) {
        return NULL;
    }
    l->series[l->n] = (struct series){.key = key, .m = metric_of(l->reg, &l->rec)};
    l->hit = l->n;
    return &l->series[l->n++];
}

/* The monotonic time of a sample stamped t_ms: its true age, a future stamp (a clock that
 * jumped) counted as now, and an age beyond the monotonic clock's start as its start. */
static uint64_t time_of(struct load *l, int64_t t_ms)
{
    int64_t age_ms = l->now_ms - t_ms;
    if (age_ms < -(int64_t)ARVIS_METRICS_FUTURE_SLACK_S * MS_PER_S) {
        l->r.future++;
    }
    uint64_t age_ns = age_ms > 0 ? (uint64_t)age_ms * NS_PER_MS : 0;
    return age_ns < l->now_ns ? l->now_ns - age_ns : 0;
}

/* One line; false when it is damaged or its series is refused. */
static bool load_line(struct load *l, int f, const char *line, size_t len)
{
    if (!store_parse_line(f, line, len, &l->rec)) {
        return false;
    }
    if (l->rec.t_ms < l->since_ms) {
        l->r.before++;
        return true;
    }
    struct series *s = series_of(l);
    if (!s || !s->m || s->m->type != l->rec.type) {
        return false;
    }
    if (l->rec.type == ARVIS_METRIC_HISTOGRAM && l->totals_only) {
        return true;
    }
    if (l->rec.type == ARVIS_METRIC_HISTOGRAM) {
        arvis_metric_observe_at(s->m, l->rec.v, time_of(l, l->rec.t_ms));
    } else {
        time_of(l, l->rec.t_ms);
        s->last = l->rec.v;
        s->has_last = true;
    }
    l->r.samples++;
    return true;
}

static void load_file(struct load *l, const char *path, int f)
{
    FILE *in = fopen(path, "r");
    struct stat sb;
    /* Only regular files: a device in its place (/dev/full reads zeros forever) is not read. */
    if (!in || fstat(fileno(in), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (in) {
            fclose(in);
        }
        return;
    }
    l->r.files++;
    char line[STORE_LINE_MAX];
    while (fgets(line, sizeof line, in)) {
        size_t len = strlen(line);
        bool whole = len > 0 && line[len - 1] == '\n';
        if (!whole && !feof(in)) {
            /* Longer than any line written: skip to its end. */
            int c;
            while ((c = fgetc(in)) != EOF && c != '\n') {
            }
            l->r.bad_lines++;
            continue;
        }
        len -= whole;
        if (l->totals_only && strstr(line, f == 0 ? "\"type\":\"histogram\"" : ",histogram,")) {
            continue; /* found without parsing it: most lines are histogram samples */
        }
        bool header = f == 1 && strncmp(line, STORE_CSV_HEADER, len) == 0 && len > 0;
        if (len > 0 && !header && !load_line(l, f, line, len)) {
            l->r.bad_lines++;
        }
    }
    fclose(in);
}

static void free_series(struct load *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->series[i].key);
    }
    free(l->series);
    l->series = NULL;
    l->n = l->cap = l->hit = 0;
}

/* Counters continue from their stored total, gauges show their last value. */
static void apply_last(struct load *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct series *s = &l->series[i];
        if (s->m && s->has_last && s->m->type == ARVIS_METRIC_COUNTER) {
            arvis_metric_add(s->m, s->last);
        } else if (s->m && s->has_last) {
            arvis_metric_set(s->m, s->last);
        }
    }
    free_series(l);
}

static void load_files(struct load *l, const char *dir, const struct store_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* The same samples in both formats: the JSON Lines file is read, the CSV skipped. */
        if (i > 0 && files[i].seq == files[i - 1].seq) {
            continue;
        }
        char name[64];
        snprintf(name, sizeof name, STORE_FILE_PREFIX "%llu%s", (unsigned long long)files[i].seq,
                 store_suffix[files[i].format]);
        char *path = arvis_path_join(dir, name);
        if (path) {
            load_file(l, path, files[i].format);
        }
        free(path);
    }
}

int arvis_metrics_store_load(const arvis_metrics_store_params *p, arvis_metrics *reg,
                             double since_s, arvis_metrics_load_report *r, arvis_error *err)
{
    char *dir = NULL;
    struct store_file *files = NULL;
    size_t n = 0;
    int rc = arvis_metrics_store_dir(p, &dir, err);
    if (rc == ARVIS_OK) {
        rc = store_list(dir, &files, &n, err);
    }
    struct load *l = rc == ARVIS_OK ? calloc(1, sizeof *l) : NULL;
    if (rc == ARVIS_OK && !l) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    if (l) {
        *l = (struct load){.reg = reg,
                           .totals_only = p->totals_only,
                           .since_ms = since_s > 0 ? (int64_t)(since_s * MS_PER_S) : INT64_MIN,
                           .now_ms = (int64_t)(arvis_clock_wall() * MS_PER_S),
                           .now_ns = arvis_clock_ns()};
        load_files(l, dir, files, n);
        apply_last(l);
        if (l->r.bad_lines) {
            arvis_log(ARVIS_LOG_WARNING, "metrics",
                      "skipped %zu damaged lines in the metrics files in %s; kept %zu samples",
                      l->r.bad_lines, dir, l->r.samples);
        }
        if (r) {
            *r = l->r;
        }
    }
    free(l);
    free(files);
    free(dir);
    return rc;
}
