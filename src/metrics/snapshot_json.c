/* A snapshot as JSON, for `arvis metrics --json` and storage: one object per series, with a
 * histogram's cumulative buckets and window statistics. */
#include <cjson/cJSON.h>
#include <math.h>

#include "metrics_internal.h"

/* A figure, or null when it is not finite (JSON has no infinity). */
static cJSON *figure(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static bool add_window(cJSON *o, const arvis_metric_series *s)
{
    const arvis_metric_window *w = &s->window;
    cJSON *win = cJSON_AddObjectToObject(o, "window");
    return win && cJSON_AddNumberToObject(win, "capacity", (double)s->window_capacity) &&
           cJSON_AddNumberToObject(win, "seconds", s->window_seconds) &&
           cJSON_AddNumberToObject(win, "count", (double)w->count) &&
           cJSON_AddItemToObject(win, "min", figure(w->min)) &&
           cJSON_AddItemToObject(win, "max", figure(w->max)) &&
           cJSON_AddItemToObject(win, "mean", figure(w->mean)) &&
           cJSON_AddItemToObject(win, "p50", figure(w->p50)) &&
           cJSON_AddItemToObject(win, "p95", figure(w->p95)) &&
           cJSON_AddItemToObject(win, "p99", figure(w->p99));
}

static bool add_histogram(cJSON *o, const arvis_metric_series *s)
{
    if (!cJSON_AddNumberToObject(o, "count", (double)s->count) ||
        !cJSON_AddItemToObject(o, "sum", figure(s->sum))) {
        return false;
    }
    cJSON *buckets = cJSON_AddArrayToObject(o, "buckets");
    for (size_t i = 0; buckets && i <= s->n_buckets; i++) {
        char le[METRICS_NUMBER_MAX];
        cJSON *b = cJSON_CreateObject();
        cJSON_AddItemToArray(buckets, b);
        if (!b || !cJSON_AddStringToObject(b, "le", metrics_number(s->bounds[i], le, sizeof le)) ||
            !cJSON_AddNumberToObject(b, "count", (double)s->cumulative[i])) {
            return false;
        }
    }
    return buckets && add_window(o, s);
}

static cJSON *series_json(const arvis_metric_series *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *labels = NULL;
    bool ok = o && cJSON_AddStringToObject(o, "name", s->name) &&
              cJSON_AddStringToObject(o, "help", s->help) &&
              cJSON_AddStringToObject(o, "type", arvis_metric_type_name(s->type)) &&
              (labels = cJSON_AddObjectToObject(o, "labels"));
    for (size_t i = 0; ok && i < s->n_labels; i++) {
        ok = cJSON_AddStringToObject(labels, s->labels[i].name, s->labels[i].value);
    }
    if (ok && s->type == ARVIS_METRIC_HISTOGRAM) {
        ok = add_histogram(o, s);
    } else if (ok) {
        ok = cJSON_AddItemToObject(o, "value", figure(s->value));
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *arvis_metrics_snapshot_json(const arvis_metrics_snapshot *s)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *list = root ? cJSON_AddArrayToObject(root, "metrics") : NULL;
    for (size_t i = 0; list && i < s->n; i++) {
        cJSON *item = series_json(&s->series[i]);
        if (!item) {
            list = NULL;
            break;
        }
        cJSON_AddItemToArray(list, item);
    }
    if (!list) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
