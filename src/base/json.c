/* JSON tree helpers over cJSON: equality as JSON Schema defines it, dotted key paths, and deep
 * merges that stay O(n log n) for objects with many keys. */
#include "arvis/json.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base_internal.h"

enum {
    KEY_PATH_MAX = JSON_KEY_PATH_MAX,
    PATH_SEG_MAX = 128,
    MERGE_SCAN_MAX = 16, /* up to this many keys a linear scan beats sorting */
};

void json_child_path(char *out, size_t size, const char *parent_path, const char *key)
{
    int w = snprintf(out, size, "%s%s%s", parent_path, parent_path[0] ? "." : "", key);
    if (w < 0) {
        out[0] = '\0';
    }
}

static int member_cmp(const void *a, const void *b)
{
    const struct json_member *x = a;
    const struct json_member *y = b;
    int c = strcmp(x->key, y->key);
    if (c != 0) {
        return c;
    }
    return (x->index > y->index) - (x->index < y->index);
}

struct json_member *json_sorted_members(const cJSON *obj, size_t *n)
{
    size_t count = 0;
    for (const cJSON *c = obj->child; c; c = c->next) {
        count++;
    }
    struct json_member *m = malloc((count ? count : 1) * sizeof *m);
    if (!m) {
        return NULL;
    }
    size_t i = 0;
    for (cJSON *c = obj->child; c; c = c->next, i++) {
        m[i] = (struct json_member){c->string, c, i};
    }
    qsort(m, count, sizeof *m, member_cmp);
    *n = count;
    return m;
}

struct json_member *json_find_member(struct json_member *m, size_t n, const char *key)
{
    size_t lo = 0;
    size_t hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m[mid].key, key) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < n && strcmp(m[lo].key, key) == 0 ? &m[lo] : NULL;
}

const char *arvis_json_type_name(const cJSON *v)
{
    if (!v || cJSON_IsNull(v)) {
        return "null";
    }
    if (cJSON_IsBool(v)) {
        return "boolean";
    }
    if (cJSON_IsNumber(v)) {
        return "number";
    }
    if (cJSON_IsString(v)) {
        return "string";
    }
    if (cJSON_IsArray(v)) {
        return "array";
    }
    return "object";
}

bool arvis_json_equal(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b)) {
        return a->valuedouble == b->valuedouble;
    }
    if ((a->type & 0xFF) != (b->type & 0xFF)) {
        return false;
    }
    if (cJSON_IsString(a)) {
        return strcmp(a->valuestring, b->valuestring) == 0;
    }
    if (cJSON_IsArray(a)) {
        const cJSON *x = a->child;
        const cJSON *y = b->child;
        for (; x && y; x = x->next, y = y->next) {
            if (!arvis_json_equal(x, y)) {
                return false;
            }
        }
        return !x && !y;
    }
    if (cJSON_IsObject(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b)) {
            return false;
        }
        for (const cJSON *x = a->child; x; x = x->next) {
            const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
            if (!y || !arvis_json_equal(x, y)) {
                return false;
            }
        }
        return true;
    }
    return true; /* null, true, false: the type said it all */
}

/* Splits a dotted path into at most PATH_SEG_MAX segments in buf (modified in place). An empty
 * path or segment ("", "a..b", "llm.") names nothing: -1, as for too many segments. */
static int split_path(char *buf, char **segs)
{
    int n = 0;
    char *p = buf;
    for (;;) {
        char *dot = strchr(p, '.');
        if (dot) {
            *dot = '\0';
        }
        if (!*p || n == PATH_SEG_MAX) {
            return -1;
        }
        segs[n++] = p;
        if (!dot) {
            return n;
        }
        p = dot + 1;
    }
}

cJSON *arvis_json_at(const cJSON *root, const char *path)
{
    if (!path[0]) {
        return (cJSON *)root;
    }
    const cJSON *v = root;
    const char *p = path;
    while (v) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 0 || !cJSON_IsObject(v)) {
            return NULL;
        }
        const cJSON *found = NULL;
        for (const cJSON *c = v->child; c; c = c->next) {
            if (strlen(c->string) == n && memcmp(c->string, p, n) == 0) {
                found = c;
                break;
            }
        }
        v = found;
        if (!dot) {
            break;
        }
        p = dot + 1;
    }
    return (cJSON *)v;
}

int arvis_json_put(cJSON *root, const char *path, cJSON *value)
{
    char *buf = strdup(path);
    char *segs[PATH_SEG_MAX];
    int n = buf ? split_path(buf, segs) : -1;
    int rc = ARVIS_OK;
    if (n <= 0) {
        rc = buf ? ARVIS_E_INVAL : ARVIS_E_NOMEM;
        goto done;
    }
    cJSON *obj = root;
    for (int i = 0; i < n - 1; i++) {
        cJSON *next = cJSON_GetObjectItemCaseSensitive(obj, segs[i]);
        if (!next) {
            next = cJSON_AddObjectToObject(obj, segs[i]);
            if (!next) {
                rc = ARVIS_E_NOMEM;
                goto done;
            }
        } else if (!cJSON_IsObject(next)) {
            rc = ARVIS_E_INVAL;
            goto done;
        }
        obj = next;
    }
    if (!cJSON_IsObject(obj)) {
        rc = ARVIS_E_INVAL;
        goto done;
    }
    if (cJSON_GetObjectItemCaseSensitive(obj, segs[n - 1])) {
        if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, segs[n - 1], value)) {
            rc = ARVIS_E_NOMEM;
            goto done;
        }
    } else if (!cJSON_AddItemToObject(obj, segs[n - 1], value)) {
        rc = ARVIS_E_NOMEM;
        goto done;
    }
    value = NULL;
done:
    cJSON_Delete(value);
    free(buf);
    return rc;
}

cJSON *arvis_json_take(cJSON *root, const char *path)
{
    char *buf = strdup(path);
    char *segs[PATH_SEG_MAX];
    int n = buf ? split_path(buf, segs) : -1;
    cJSON *taken = NULL;
    if (n > 0) {
        cJSON *chain[PATH_SEG_MAX];
        cJSON *obj = root;
        int i = 0;
        for (; i < n - 1 && cJSON_IsObject(obj); i++) {
            chain[i] = obj;
            obj = cJSON_GetObjectItemCaseSensitive(obj, segs[i]);
        }
        if (i == n - 1 && cJSON_IsObject(obj)) {
            taken = cJSON_DetachItemFromObjectCaseSensitive(obj, segs[n - 1]);
            /* Remove objects the removal left empty, innermost first. */
            for (int j = n - 2; taken && j >= 0 && obj && !obj->child; j--) {
                cJSON_DeleteItemFromObjectCaseSensitive(chain[j], segs[j]);
                obj = chain[j];
            }
        }
    }
    free(buf);
    return taken;
}

/* How a merge treats a value dst already has. */
struct merge {
    bool keep; /* never replace: a value that would is stored beside it as KEY~N */
    void (*renamed_cb)(const char *path, void *ud);
    void *ud;
};

/* Key lookups in one object: a linear scan when it is small, a sorted index when it is large. */
struct lookup {
    const cJSON *obj;
    struct json_member *sorted; /* NULL: scan */
    size_t n;
};

static int lookup_init(struct lookup *l, const cJSON *obj, bool large)
{
    *l = (struct lookup){obj, NULL, 0};
    if (large && !(l->sorted = json_sorted_members(obj, &l->n))) {
        return ARVIS_E_NOMEM;
    }
    return ARVIS_OK;
}

/* The member named key: NULL when absent. m->item may be replaced through the result. */
static struct json_member *lookup_find(struct lookup *l, const char *key,
                                       struct json_member *scratch)
{
    if (l->sorted) {
        return json_find_member(l->sorted, l->n, key);
    }
    cJSON *c = cJSON_GetObjectItemCaseSensitive(l->obj, key);
    *scratch = (struct json_member){key, c, 0};
    return c ? scratch : NULL;
}

/* The first name KEY~N (N = 1, 2...) that neither object uses. Each taken name belongs to one
 * key, so the probes over a whole merge stay linear. The caller frees the result. */
static char *free_name(struct lookup *dst, struct lookup *src, const char *key)
{
    size_t size = strlen(key) + 24;
    char *name = malloc(size);
    struct json_member scratch;
    for (unsigned long n = 1; name; n++) {
        snprintf(name, size, "%s~%lu", key, n);
        if (!lookup_find(dst, name, &scratch) && !lookup_find(src, name, &scratch)) {
            break;
        }
    }
    return name;
}

static int merge_into(cJSON *dst, const cJSON *src, const struct merge *how, const char *path);

/* Stores a copy of s in dst under a free name beside the value it would have replaced. */
static int keep_beside(cJSON *dst, const cJSON *s, struct lookup *ld, struct lookup *ls,
                       const struct merge *how, const char *path)
{
    char *name = free_name(ld, ls, s->string);
    cJSON *copy = name ? cJSON_Duplicate(s, 1) : NULL;
    if (!copy || !cJSON_AddItemToObject(dst, name, copy)) {
        cJSON_Delete(copy);
        free(name);
        return ARVIS_E_NOMEM;
    }
    if (how->renamed_cb) {
        char where[KEY_PATH_MAX];
        json_child_path(where, sizeof where, path, name);
        how->renamed_cb(where, how->ud);
    }
    free(name);
    return ARVIS_OK;
}

static int merge_member(cJSON *dst, const cJSON *s, struct lookup *ld, struct lookup *ls,
                        const struct merge *how, const char *path)
{
    struct json_member scratch;
    struct json_member *d = lookup_find(ld, s->string, &scratch);
    if (d && cJSON_IsObject(d->item) && cJSON_IsObject(s)) {
        char sub[KEY_PATH_MAX];
        json_child_path(sub, sizeof sub, path, s->string);
        return merge_into(d->item, s, how, sub);
    }
    if (d && how->keep) {
        return keep_beside(dst, s, ld, ls, how, path);
    }
    cJSON *copy = cJSON_Duplicate(s, 1);
    if (!copy) {
        return ARVIS_E_NOMEM;
    }
    if (d) {
        if (!cJSON_ReplaceItemViaPointer(dst, d->item, copy)) {
            cJSON_Delete(copy);
            return ARVIS_E_NOMEM;
        }
        d->item = copy; /* cJSON_Duplicate copied the key too */
        d->key = copy->string;
    } else if (!cJSON_AddItemToObject(dst, s->string, copy)) {
        cJSON_Delete(copy);
        return ARVIS_E_NOMEM;
    }
    return ARVIS_OK;
}

static int merge_into(cJSON *dst, const cJSON *src, const struct merge *how, const char *path)
{
    int ns = cJSON_GetArraySize(src);
    /* Keys a merge adds are never looked up again (src repeats none), so an index of dst as it
     * was serves the whole merge, however small dst starts. */
    bool large = ns > MERGE_SCAN_MAX;
    struct lookup ld = {dst, NULL, 0};
    struct lookup ls = {src, NULL, 0};
    int rc = lookup_init(&ld, dst, large);
    if (rc == ARVIS_OK) {
        rc = lookup_init(&ls, src, large && how->keep);
    }
    for (const cJSON *s = src->child; rc == ARVIS_OK && s; s = s->next) {
        rc = merge_member(dst, s, &ld, &ls, how, path);
    }
    free(ld.sorted);
    free(ls.sorted);
    return rc;
}

int arvis_json_merge(cJSON *dst, const cJSON *src)
{
    struct merge how = {false, NULL, NULL};
    return merge_into(dst, src, &how, "");
}

int arvis_json_merge_keep(cJSON *dst, const cJSON *src,
                          void (*renamed_cb)(const char *path, void *ud), void *ud)
{
    struct merge how = {true, renamed_cb, ud};
    return merge_into(dst, src, &how, "");
}
