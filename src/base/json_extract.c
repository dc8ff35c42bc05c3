/* Reading a few known fields out of a JSON line in one pass, without a tree: how streamed LLM
 * replies are parsed fast enough that parsing never shows in the time to first audio. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "arvis/utf8.h"
#include "base_internal.h"

enum { FIELDS_MAX = 32 };

struct extract {
    arvis_json_field *fields;
    const struct arvis_json_path *wanted;
    size_t n;
};

static bool seg_matches(const struct json_seg *seg, const char *want, size_t len)
{
    if (seg->key) {
        return seg->key_len == len && memcmp(seg->key, want, len) == 0;
    }
    size_t index = 0;
    for (size_t i = 0; i < len; i++) {
        if (want[i] < '0' || want[i] > '9') {
            return false;
        }
        index = index * 10 + (size_t)(want[i] - '0');
    }
    return len > 0 && index == seg->index;
}

static arvis_json_kind kind_of(char c)
{
    switch (c) {
    case '"':
        return ARVIS_JSON_STRING;
    case '{':
        return ARVIS_JSON_OBJECT;
    case '[':
        return ARVIS_JSON_ARRAY;
    case 'n':
        return ARVIS_JSON_NULL;
    case 't':
    case 'f':
        return ARVIS_JSON_BOOL;
    default:
        return ARVIS_JSON_NUMBER;
    }
}

static void visit(void *ud, const struct json_seg *path, int n, const char *start, const char *end)
{
    struct extract *x = ud;
    for (size_t i = 0; i < x->n; i++) {
        const struct arvis_json_path *w = &x->wanted[i];
        if (w->depth != n || x->fields[i].kind != ARVIS_JSON_ABSENT) {
            continue;
        }
        bool match = true;
        for (int k = 0; match && k < n; k++) {
            match = seg_matches(&path[k], w->segs[k], w->lens[k]);
        }
        if (!match) {
            continue;
        }
        arvis_json_field *f = &x->fields[i];
        f->kind = kind_of(*start);
        f->start = start;
        f->len = (size_t)(end - start);
        if (f->kind == ARVIS_JSON_STRING) {
            f->start++;
            f->len -= 2;
        }
    }
}

/* Points the segments of a dotted path into the path itself. */
static bool split_path(const char *path, struct arvis_json_path *w)
{
    w->depth = 0;
    const char *seg = path;
    for (const char *p = path;; p++) {
        if (*p != '.' && *p != '\0') {
            continue;
        }
        if (w->depth == JSON_PATH_MAX) {
            return false;
        }
        w->segs[w->depth] = seg;
        w->lens[w->depth] = (size_t)(p - seg);
        w->depth++;
        if (*p == '\0') {
            return true;
        }
        seg = p + 1;
    }
}

int arvis_json_paths_init(arvis_json_paths *p, const char *const *paths, size_t n,
                          arvis_error *err)
{
    if (n > FIELDS_MAX) {
        return arvis_error_set(err, ARVIS_E_INVAL, "at most %d fields at once", FIELDS_MAX);
    }
    p->n = n;
    for (size_t i = 0; i < n; i++) {
        if (!split_path(paths[i], &p->path[i])) {
            return arvis_error_set(err, ARVIS_E_INVAL, "the path %s is too deep", paths[i]);
        }
    }
    return ARVIS_OK;
}

int arvis_json_extract_paths(const arvis_json_paths *p, const char *text, size_t len,
                             arvis_json_field *fields, arvis_error *err)
{
    for (size_t i = 0; i < p->n; i++) {
        fields[i].kind = ARVIS_JSON_ABSENT;
        fields[i].start = NULL;
        fields[i].len = 0;
    }
    struct extract x = {fields, p->path, p->n};
    size_t off = 0;
    const char *why = NULL;
    if (!json_scan_visit(text, len, visit, &x, &off, &why)) {
        return arvis_error_set(err, ARVIS_E_PARSE, "at byte %zu: %s", off + 1, why);
    }
    return ARVIS_OK;
}

int arvis_json_extract(const char *text, size_t len, arvis_json_field *fields, size_t n,
                       arvis_error *err)
{
    if (n > FIELDS_MAX) {
        return arvis_error_set(err, ARVIS_E_INVAL, "at most %d fields at once", FIELDS_MAX);
    }
    arvis_json_paths p;
    const char *paths[FIELDS_MAX];
    for (size_t i = 0; i < n; i++) {
        paths[i] = fields[i].path;
    }
    int rc = arvis_json_paths_init(&p, paths, n, err);
    return rc == ARVIS_OK ? arvis_json_extract_paths(&p, text, len, fields, err) : rc;
}

static int hexdigit(char c)
{
    return (c >= '0' && c <= '9')   ? c - '0'
           : (c >= 'a' && c <= 'f') ? c - 'a' + 10
           : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                    : -1;
}

static uint32_t hex4(const char *p)
{
    return (uint32_t)(hexdigit(p[0]) << 12 | hexdigit(p[1]) << 8 | hexdigit(p[2]) << 4 |
                      hexdigit(p[3]));
}

int arvis_json_field_string(const arvis_json_field *f, arvis_buf *out)
{
    if (f->kind != ARVIS_JSON_STRING) {
        return ARVIS_E_INVAL;
    }
    const char *p = f->start;
    const char *end = f->start + f->len;
    int rc = ARVIS_OK;
    while (rc == ARVIS_OK && p < end) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        if (!bs) {
            return arvis_buf_add(out, p, (size_t)(end - p));
        }
        rc = arvis_buf_add(out, p, (size_t)(bs - p));
        if (rc != ARVIS_OK) {
            break;
        }
        /* The scan already checked every escape, so the digits are there. */
        char c = bs[1];
        static const char from[] = "\"\\/bfnrt";
        static const char to[] = "\"\\/\b\f\n\r\t";
        const char *hit = strchr(from, c);
        if (c != 'u' && hit) {
            rc = arvis_buf_addc(out, to[hit - from]);
            p = bs + 2;
            continue;
        }
        uint32_t cp = hex4(bs + 2);
        p = bs + 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(p + 2) - 0xDC00);
            p += 6;
        }
        char utf8[4];
        size_t n = arvis_utf8_encode(cp, utf8);
        rc = arvis_buf_add(out, utf8, n);
    }
    return rc;
}

double arvis_json_field_number(const arvis_json_field *f)
{
    if (f->kind != ARVIS_JSON_NUMBER) {
        return 0;
    }
    char buf[64];
    size_t n = f->len < sizeof buf - 1 ? f->len : sizeof buf - 1;
    memcpy(buf, f->start, n);
    buf[n] = '\0';
    double d = strtod(buf, NULL);
    return isfinite(d) ? d : 0;
}

bool arvis_json_field_true(const arvis_json_field *f)
{
    return f->kind == ARVIS_JSON_BOOL && f->start[0] == 't';
}

bool arvis_json_field_is(const arvis_json_field *f, const char *s)
{
    return f->kind == ARVIS_JSON_STRING && strlen(s) == f->len && memcmp(f->start, s, f->len) == 0;
}
