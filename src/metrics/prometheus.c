/* The Prometheus text exposition format, version 0.0.4: # HELP and # TYPE once per name, then
 * one line per sample; histograms as cumulative _bucket lines up to le="+Inf", _sum and _count. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arvis/json.h"
#include "metrics_internal.h"

const char *metrics_number(double v, char *out, size_t size)
{
    if (isnan(v)) {
        snprintf(out, size, "NaN");
    } else if (isinf(v)) {
        snprintf(out, size, "%s", v > 0 ? "+Inf" : "-Inf");
    } else {
        arvis_json_number(v, out, size);
    }
    return out;
}

/* Appends s with backslash and newline escaped, and double quotes too when quotes is set
 * (label values escape all three, help texts the first two). */
static int add_escaped(arvis_buf *out, const char *s, bool quotes)
{
    int rc = ARVIS_OK;
    for (const char *p = s; *p && rc == ARVIS_OK; p++) {
        if (*p == '\\') {
            rc = arvis_buf_adds(out, "\\\\");
        } else if (*p == '\n') {
            rc = arvis_buf_adds(out, "\\n");
        } else if (*p == '"' && quotes) {
            rc = arvis_buf_adds(out, "\\\"");
        } else {
            rc = arvis_buf_addc(out, *p);
        }
    }
    return rc;
}

/* Appends name+suffix{labels,le="..."} value and the line's end; le may be NULL. */
static int add_sample(arvis_buf *out, const arvis_metric_series *s, const char *suffix,
                      const char *le, double value)
{
    char num[METRICS_NUMBER_MAX];
    int rc = arvis_buf_addf(out, "%s%s", s->name, suffix);
    if (rc == ARVIS_OK && (s->n_labels || le)) {
        rc = arvis_buf_addc(out, '{');
    }
    for (size_t i = 0; i < s->n_labels && rc == ARVIS_OK; i++) {
        rc = arvis_buf_addf(out, "%s%s=\"", i ? "," : "", s->labels[i].name);
        if (rc == ARVIS_OK) {
            rc = add_escaped(out, s->labels[i].value, true);
        }
        if (rc == ARVIS_OK) {
            rc = arvis_buf_addc(out, '"');
        }
    }
    if (rc == ARVIS_OK && le) {
        rc = arvis_buf_addf(out, "%sle=\"%s\"", s->n_labels ? "," : "", le);
    }
    if (rc == ARVIS_OK && (s->n_labels || le)) {
        rc = arvis_buf_addc(out, '}');
    }
    if (rc == ARVIS_OK) {
        rc = arvis_buf_addf(out, " %s\n", metrics_number(value, num, sizeof num));
    }
    return rc;
}

static int add_histogram(arvis_buf *out, const arvis_metric_series *s)
{
    int rc = ARVIS_OK;
    for (size_t i = 0; i <= s->n_buckets && rc == ARVIS_OK; i++) {
        char le[METRICS_NUMBER_MAX];
        rc = add_sample(out, s, "_bucket", metrics_number(s->bounds[i], le, sizeof le),
                        (double)s->cumulative[i]);
    }
    if (rc == ARVIS_OK) {
        rc = add_sample(out, s, "_sum", NULL, s->sum);
    }
    if (rc == ARVIS_OK) {
        rc = add_sample(out, s, "_count", NULL, (double)s->count);
    }
    return rc;
}

/* The # HELP (when there is help) and # TYPE lines that start a name's series. */
static int add_header(arvis_buf *out, const arvis_metric_series *s)
{
    int rc = ARVIS_OK;
    if (s->help[0]) {
        rc = arvis_buf_addf(out, "# HELP %s ", s->name);
        if (rc == ARVIS_OK) {
            rc = add_escaped(out, s->help, false);
        }
        if (rc == ARVIS_OK) {
            rc = arvis_buf_addc(out, '\n');
        }
    }
    if (rc == ARVIS_OK) {
        rc = arvis_buf_addf(out, "# TYPE %s %s\n", s->name, arvis_metric_type_name(s->type));
    }
    return rc;
}

int arvis_metrics_prometheus(const arvis_metrics_snapshot *s, arvis_buf *out)
{
    size_t start = out->len;
    int rc = ARVIS_OK;
    for (size_t i = 0; i < s->n && rc == ARVIS_OK; i++) {
        const arvis_metric_series *m = &s->series[i];
        /* A snapshot keeps a name's series together, so the header goes before the first. */
        if (i == 0 || strcmp(s->series[i - 1].name, m->name) != 0) {
            rc = add_header(out, m);
        }
        if (rc == ARVIS_OK) {
            rc = m->type == ARVIS_METRIC_HISTOGRAM ? add_histogram(out, m)
                                                   : add_sample(out, m, "", NULL, m->value);
        }
    }
    if (rc != ARVIS_OK) {
        arvis_buf_truncate(out, start); /* no half exposition */
    }
    return rc;
}
