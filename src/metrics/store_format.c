/* The stored line formats, both ways: one sample a line as JSON Lines
 * {"t":MS,"name":...,"type":...,"labels":{...},"v":V} or CSV t_ms,name,type,labels,value. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arvis/json.h"
#include "store_internal.h"

const char *const store_suffix[STORE_FORMATS] = {".jsonl", ".csv"};

/* m's labels as one line of JSON, in *out (the caller frees). */
static char *labels_json(const arvis_metric *m)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL;
    for (size_t i = 0; ok && i < m->n_labels; i++) {
        ok = cJSON_AddStringToObject(o, m->labels[i].name, m->labels[i].value) != NULL;
    }
    char *text = ok ? arvis_json_print(o, 0) : NULL;
    cJSON_Delete(o);
    return text;
}

int store_prefix(const arvis_metric *m, int f, char *out, size_t size)
{
    char *labels = labels_json(m);
    if (!labels) {
        return ARVIS_E_NOMEM;
    }
    const char *type = arvis_metric_type_name(m->type);
    int n;
    if (f == 0) {
        n = snprintf(out, size, "\"name\":\"%s\",\"type\":\"%s\",\"labels\":%s", m->name, type,
                     labels);
    } else {
        /* The labels' JSON as one quoted CSV field: its quotes doubled. */
        n = snprintf(out, size, "%s,%s,\"", m->name, type);
        for (const char *p = labels; n >= 0 && (size_t)n + 3 < size && *p; p++) {
            out[n++] = *p;
            if (*p == '"') {
                out[n++] = '"';
            }
        }
        n = n >= 0 && (size_t)n + 2 < size ? n + snprintf(out + n, size - (size_t)n, "\"") : -1;
    }
    free(labels);
    return n >= 0 && (size_t)n < size ? ARVIS_OK : ARVIS_E_TOOBIG;
}

int store_line(int f, int64_t t_ms, const char *prefix, double v, char *out, size_t size)
{
    char num[METRICS_NUMBER_MAX];
    metrics_number(v, num, sizeof num);
    int n;
    if (f == 0) {
        /* JSON has no infinity or NaN: those are written as the strings "+Inf", "NaN". */
        const char *q = isfinite(v) ? "" : "\"";
        n = snprintf(out, size, "{\"t\":%lld,%s,\"v\":%s%s%s}\n", (long long)t_ms, prefix, q, num,
                     q);
    } else {
        n = snprintf(out, size, "%lld,%s,%s\n", (long long)t_ms, prefix, num);
    }
    return n >= 0 && (size_t)n < size ? n : -1;
}

/* ---- Reading back ---- */

static bool parse_type(const char *s, arvis_metric_type *out)
{
    static const arvis_metric_type types[] = {ARVIS_METRIC_COUNTER, ARVIS_METRIC_GAUGE,
                                              ARVIS_METRIC_HISTOGRAM};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(s, arvis_metric_type_name(types[i])) == 0) {
            *out = types[i];
            return true;
        }
    }
    return false;
}

/* A value as written: a number, or (JSON's strings, CSV's words) +Inf, -Inf or NaN. */
static bool parse_value(const char *s, double *out)
{
    if (strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0) {
        *out = s[0] == '+' ? INFINITY : -INFINITY;
        return true;
    }
    if (strcmp(s, "NaN") == 0) {
        *out = NAN;
        return true;
    }
    char *end = NULL;
    *out = strtod(s, &end);
    return *s && end && !*end && isfinite(*out);
}

/* Copies the labels object into r (strings kept in r->text). */
static bool take_labels(const cJSON *labels, struct store_record *r)
{
    size_t used = 0;
    r->n_labels = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, labels)
    {
        if (!cJSON_IsString(l) || r->n_labels == ARVIS_METRICS_MAX_LABELS) {
            return false;
        }
        const char *parts[2] = {l->string, l->valuestring};
        const char *kept[2];
        for (int i = 0; i < 2; i++) {
            size_t len = strlen(parts[i]) + 1;
            if (used + len > sizeof r->text) {
                return false;
            }
            kept[i] = memcpy(r->text + used, parts[i], len);
            used += len;
        }
        r->labels[r->n_labels++] = (arvis_metric_label){.name = kept[0], .value = kept[1]};
    }
    return true;
}

/* The fields common to both formats, checked. */
static bool take_fields(double t, const char *name, const char *type, const cJSON *labels,
                        struct store_record *r)
{
    if (!isfinite(t) || t < 0 || t > (double)INT64_MAX / 2 || strlen(name) == 0 ||
        strlen(name) > ARVIS_METRICS_NAME_MAX || !parse_type(type, &r->type) ||
        (labels && !cJSON_IsObject(labels))) {
        return false;
    }
    r->t_ms = (int64_t)t;
    strcpy(r->name, name);
    return take_labels(labels, r);
}

static bool parse_jsonl(const char *line, size_t len, struct store_record *r)
{
    cJSON *o = NULL;
    if (arvis_json_parse(line, len, &o, NULL) != ARVIS_OK) {
        return false;
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "t");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "v");
    bool ok = cJSON_IsNumber(t) && cJSON_IsString(name) && cJSON_IsString(type) &&
              take_fields(t->valuedouble, name->valuestring, type->valuestring,
                          cJSON_GetObjectItemCaseSensitive(o, "labels"), r);
    if (ok && cJSON_IsNumber(v)) {
        r->v = v->valuedouble;
    } else {
        ok = ok && cJSON_IsString(v) && !isfinite(strtod(v->valuestring, NULL)) &&
             parse_value(v->valuestring, &r->v);
    }
    cJSON_Delete(o);
    return ok;
}

/* Splits a CSV line into n fields in place (quotes removed, doubled quotes undone). */
static bool split_csv(char *s, char **fields, size_t n)
{
    char *w = s;
    for (size_t i = 0; i < n; i++) {
        fields[i] = w;
        bool quoted = *s == '"';
        s += quoted;
        while (*s && (quoted || *s != ',')) {
            if (quoted && *s == '"' && s[1] != '"') {
                quoted = false;
                s++;
                continue;
            }
            s += quoted && *s == '"';
            *w++ = *s++;
        }
        if (quoted || (i + 1 < n && *s != ',') || (i + 1 == n && *s)) {
            return false;
        }
        s += *s == ',';
        *w++ = '\0';
    }
    return true;
}

static bool parse_csv(const char *line, size_t len, struct store_record *r)
{
    char copy[STORE_LINE_MAX];
    if (len >= sizeof copy) {
        return false;
    }
    memcpy(copy, line, len);
    copy[len] = '\0';
    char *f[5];
    cJSON *labels = NULL;
    char *end = NULL;
    bool ok = split_csv(copy, f, 5);
    double t = ok ? strtod(f[0], &end) : NAN;
    ok = ok && *f[0] && !*end && arvis_json_parse(f[3], strlen(f[3]), &labels, NULL) == ARVIS_OK &&
         take_fields(t, f[1], f[2], labels, r) && parse_value(f[4], &r->v);
    cJSON_Delete(labels);
    return ok;
}

bool store_parse_line(int f, const char *line, size_t len, struct store_record *r)
{
    return f == 0 ? parse_jsonl(line, len, r) : parse_csv(line, len, r);
}
