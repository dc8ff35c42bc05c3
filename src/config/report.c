/* Config findings: errors, warnings and migration notes, collected rather than stopping at
 * the first, with a cap so a hostile file cannot make the list endless. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

enum { DISTANCE_MAX_LEN = 64, REPORT_FIRST_CAP = 8 };

void arvis_config_report_init(arvis_config_report *r)
{
    memset(r, 0, sizeof *r);
}

void arvis_config_report_free(arvis_config_report *r)
{
    for (size_t i = 0; i < r->count; i++) {
        arvis_config_issue *it = &r->items[i];
        free(it->path);
        free(it->rule);
        free(it->expected);
        free(it->found);
        free(it->message);
    }
    free(r->items);
    memset(r, 0, sizeof *r);
}

static char *dup_or_null(const char *s, bool *failed)
{
    if (!s) {
        return NULL;
    }
    char *d = strdup(s);
    if (!d) {
        *failed = true;
    }
    return d;
}

int report_add(arvis_config_report *r, arvis_config_severity severity, const char *path,
               const char *rule, const char *expected, const char *found, const char *fmt, ...)
{
    if (!r) {
        return ARVIS_OK;
    }
    if (severity == ARVIS_CONFIG_ERROR) {
        r->errors++;
    } else if (severity == ARVIS_CONFIG_WARNING) {
        r->warnings++;
    } else {
        r->notes++;
    }
    if (r->count >= ARVIS_CONFIG_REPORT_MAX) {
        return ARVIS_OK;
    }
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : REPORT_FIRST_CAP;
        arvis_config_issue *items = realloc(r->items, cap * sizeof *items);
        if (!items) {
            return ARVIS_E_NOMEM;
        }
        r->items = items;
        r->cap = cap;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bool failed = false;
    arvis_config_issue it = {
        .severity = severity,
        .path = dup_or_null(path, &failed),
        .rule = dup_or_null(rule, &failed),
        .expected = dup_or_null(expected, &failed),
        .found = dup_or_null(found, &failed),
        .message = dup_or_null(msg, &failed),
    };
    if (failed) {
        free(it.path);
        free(it.rule);
        free(it.expected);
        free(it.found);
        free(it.message);
        return ARVIS_E_NOMEM;
    }
    r->items[r->count++] = it;
    return ARVIS_OK;
}

size_t config_distance(const char *a, const char *b)
{
    size_t la = strnlen(a, DISTANCE_MAX_LEN);
    size_t lb = strnlen(b, DISTANCE_MAX_LEN);
    size_t row[DISTANCE_MAX_LEN + 1];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Reads a ["..."] key with its \" and \\ escapes from *p into *out; false when malformed. */
static bool quoted_seg(const char **p, char **out, const char *end)
{
    const char *q = *p + 2; /* past [" */
    char *o = *out;
    while (*q && *q != '"') {
        if (*q == '\\' && (q[1] == '"' || q[1] == '\\')) {
            q++;
        }
        if (o == end) {
            return false;
        }
        *o++ = *q++;
    }
    if (q[0] != '"' || q[1] != ']' || o == end) {
        return false;
    }
    *o++ = '\0';
    *p = q + 2;
    *out = o;
    return true;
}

bool config_issue_segs(const char *path, char *buf, size_t size, const char **segs, size_t max,
                       size_t *n)
{
    *n = 0;
    const char *p = path;
    char *o = buf;
    const char *end = buf + size;
    while (*p && *n < max) {
        if (p[0] == '[' && p[1] != '"') {
            return true; /* an array index: the array is the value in question */
        }
        if (*n > 0 && p[0] == '.') {
            p++;
        }
        segs[*n] = o;
        if (p[0] == '[') {
            if (!quoted_seg(&p, &o, end)) {
                return false;
            }
        } else {
            size_t len = strcspn(p, ".[");
            if (len == 0 || (size_t)(end - o) <= len) {
                return false;
            }
            memcpy(o, p, len);
            o[len] = '\0';
            o += len + 1;
            p += len;
        }
        (*n)++;
    }
    return *p == '\0' || p[0] == '[';
}

cJSON *config_at_segs(const cJSON *root, const char *const *segs, size_t n)
{
    const cJSON *v = root;
    for (size_t i = 0; v && i < n; i++) {
        v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, segs[i]) : NULL;
    }
    return (cJSON *)v;
}
