/* Draft-07 keywords about arrays (items, additionalItems, contains, sizes, uniqueItems) and
 * objects (properties, patternProperties, additionalProperties, required, propertyNames, sizes,
 * dependencies). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/buf.h"
#include "arvis/json.h"
#include "validate_internal.h"

enum {
    KEYS_TEXT_MAX = PATH_TEXT_MAX + 64,
    UNIQUE_TEXT_MAX = 64 * 1024 * 1024, /* items' comparison text: ~4 times their JSON at most */
};

/* An object member, for walking members in key order. */
struct keyed {
    const char *key;
    const cJSON *item;
};

static int keyed_cmp(const void *a, const void *b)
{
    return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

static bool count_limit(struct vrun *r, const cJSON *schema, const char *kw, size_t count,
                        bool is_min, const char *noun, const struct vpath *path)
{
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(schema, kw);
    if (!cJSON_IsNumber(lim)) {
        return true;
    }
    bool pass = is_min ? (double)count >= lim->valuedouble : (double)count <= lim->valuedouble;
    if (pass) {
        return true;
    }
    char want[32];
    char found[32];
    arvis_json_number(lim->valuedouble, want, sizeof want);
    snprintf(found, sizeof found, "%zu", count);
    v_error(r, path, kw, want, found, "expected at %s %s %s, found %zu", is_min ? "least" : "most",
            want, noun, count);
    return false;
}

/* A text for v such that two values have the same text exactly when arvis_json_equal holds:
 * numbers in shortest round-trip form, strings and keys with their length in front, object
 * members sorted by key. Sorting items by it finds duplicates in O(n log n) whatever the input;
 * a hash could be made to collide. */
static int canonical(arvis_buf *b, const cJSON *v)
{
    char num[32];
    if (cJSON_IsNumber(v)) {
        return arvis_buf_addf(b, "n%s;", arvis_json_number(v->valuedouble, num, sizeof num));
    }
    if (cJSON_IsString(v)) {
        size_t n = strlen(v->valuestring);
        int rc = arvis_buf_addf(b, "s%zu:", n);
        return rc == ARVIS_OK ? arvis_buf_add(b, v->valuestring, n) : rc;
    }
    if (cJSON_IsArray(v)) {
        int rc = arvis_buf_addf(b, "a%d[", cJSON_GetArraySize(v));
        for (const cJSON *c = v->child; rc == ARVIS_OK && c; c = c->next) {
            rc = canonical(b, c);
        }
        return rc == ARVIS_OK ? arvis_buf_addc(b, ']') : rc;
    }
    if (cJSON_IsObject(v)) {
        size_t n = 0;
        struct keyed *m = malloc(((size_t)cJSON_GetArraySize(v) + 1) * sizeof *m);
        if (!m) {
            return ARVIS_E_NOMEM;
        }
        for (const cJSON *c = v->child; c; c = c->next) {
            m[n++] = (struct keyed){c->string, c};
        }
        qsort(m, n, sizeof *m, keyed_cmp);
        int rc = arvis_buf_addf(b, "o%zu{", n);
        for (size_t i = 0; rc == ARVIS_OK && i < n; i++) {
            rc = arvis_buf_addf(b, "%zu:%s", strlen(m[i].key), m[i].key);
            rc = rc == ARVIS_OK ? canonical(b, m[i].item) : rc;
        }
        free(m);
        return rc == ARVIS_OK ? arvis_buf_addc(b, '}') : rc;
    }
    return arvis_buf_addc(b, cJSON_IsTrue(v) ? 't' : cJSON_IsFalse(v) ? 'f' : 'z');
}

struct item_text {
    const char *text; /* into the shared buffer, which holds every item's text */
    size_t start;
    size_t len;
    size_t index;
    const cJSON *item;
};

static int text_cmp(const void *a, const void *b)
{
    const struct item_text *x = a;
    const struct item_text *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->text + x->start, y->text + y->start, n);
    if (c != 0) {
        return c;
    }
    if (x->len != y->len) {
        return x->len < y->len ? -1 : 1;
    }
    return (x->index > y->index) - (x->index < y->index);
}

static bool check_unique(struct vrun *r, const cJSON *inst, size_t n, const struct vpath *path)
{
    struct item_text *items = calloc(n ? n : 1, sizeof *items);
    arvis_buf b;
    arvis_buf_init(&b, UNIQUE_TEXT_MAX);
    int rc = items ? ARVIS_OK : ARVIS_E_NOMEM;
    size_t i = 0;
    for (const cJSON *c = inst->child; rc == ARVIS_OK && c; c = c->next, i++) {
        size_t start = b.len;
        rc = canonical(&b, c);
        items[i] = (struct item_text){NULL, start, b.len - start, i, c};
    }
    if (rc != ARVIS_OK) {
        v_error(r, path, "uniqueItems", NULL, NULL, "the items are too large to compare");
        free(items);
        arvis_buf_free(&b);
        return false;
    }
    for (i = 0; i < n; i++) {
        items[i].text = b.data;
    }
    qsort(items, n, sizeof *items, text_cmp);
    /* Of all repeated items, name the one that repeats earliest in the array. Within a run of
     * equal texts items are in array order, so that is the second of some run. */
    const struct item_text *repeat = NULL;
    size_t first = 0;
    for (i = 1; i < n; i++) {
        const struct item_text *x = &items[i - 1];
        const struct item_text *y = &items[i];
        bool same = x->len == y->len && memcmp(b.data + x->start, b.data + y->start, x->len) == 0;
        if (same && (!repeat || y->index < repeat->index)) {
            repeat = y;
            first = x->index;
        }
    }
    if (repeat) {
        char found[VALUE_TEXT_MAX];
        arvis_json_describe(repeat->item, found, sizeof found);
        v_error(r, path, "uniqueItems", "unique items", found,
                "items %zu and %zu are both %s; each item must appear once", first, repeat->index,
                found);
    }
    bool ok = !repeat;
    free(items);
    arvis_buf_free(&b);
    return ok;
}

bool v_array_keywords(struct vrun *r, const cJSON *schema, const char *base, const cJSON *inst,
                      const struct vpath *path)
{
    if (!cJSON_IsArray(inst)) {
        return true;
    }
    bool ok = true;
    size_t n = (size_t)cJSON_GetArraySize(inst);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
    const cJSON *extra = cJSON_GetObjectItemCaseSensitive(schema, "additionalItems");
    const cJSON *tuple = cJSON_IsArray(items) ? items->child : NULL;
    size_t i = 0;
    for (const cJSON *c = inst->child; c && (ok || r->report); c = c->next, i++) {
        struct vpath sub = {path, NULL, i};
        const cJSON *s = NULL;
        if (cJSON_IsArray(items)) {
            s = tuple ? tuple : extra;
            tuple = tuple ? tuple->next : NULL;
        } else {
            s = items;
        }
        if (s) {
            ok = v_schema(r, s, base, c, &sub) && ok;
        }
    }
    const cJSON *contains = cJSON_GetObjectItemCaseSensitive(schema, "contains");
    if (contains && (ok || r->report)) {
        struct vrun quiet = {r->v, NULL, r->depth};
        bool hit = false;
        i = 0;
        for (const cJSON *c = inst->child; c && !hit; c = c->next, i++) {
            struct vpath sub = {path, NULL, i};
            hit = v_schema(&quiet, contains, base, c, &sub);
        }
        if (!hit) {
            v_error(r, path, "contains", NULL, NULL,
                    "expected at least one item of the required form, found none");
            ok = false;
        }
    }
    ok = count_limit(r, schema, "minItems", n, true, "items", path) && ok;
    ok = count_limit(r, schema, "maxItems", n, false, "items", path) && ok;
    /* Items that already failed are reported as such; comparing them too would only let a
     * hostile array cost more. */
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(schema, "uniqueItems")) && n > 1 && ok) {
        ok = check_unique(r, inst, n, path) && ok;
    }
    return ok;
}

/* "did you mean": the nearest declared property name, when close enough. */
static const char *nearest_property(const cJSON *props, const char *key)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    size_t limit = strlen(key) / 3 > 2 ? strlen(key) / 3 : 2;
    for (const cJSON *p = cJSON_IsObject(props) ? props->child : NULL; p; p = p->next) {
        size_t d = config_distance(key, p->string);
        if (d < best_d) {
            best_d = d;
            best = p->string;
        }
    }
    return best_d <= limit ? best : NULL;
}

static bool check_properties(struct vrun *r, const cJSON *schema, const char *base,
                             const cJSON *inst, const struct vpath *path)
{
    bool ok = true;
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
    const cJSON *patterns = cJSON_GetObjectItemCaseSensitive(schema, "patternProperties");
    const cJSON *extra = cJSON_GetObjectItemCaseSensitive(schema, "additionalProperties");
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(schema, "propertyNames");
    for (const cJSON *c = inst->child; c && (ok || r->report); c = c->next) {
        struct vpath sub = {path, c->string, 0};
        bool declared = false;
        const cJSON *s =
            cJSON_IsObject(props) ? cJSON_GetObjectItemCaseSensitive(props, c->string) : NULL;
        if (s) {
            declared = true;
            ok = v_schema(r, s, base, c, &sub) && ok;
        }
        for (const cJSON *p = cJSON_IsObject(patterns) ? patterns->child : NULL; p; p = p->next) {
            bool bad = false;
            if (v_regex_match(r->v, p->string, c->string, &bad)) {
                declared = true;
                ok = v_schema(r, p, base, c, &sub) && ok;
            }
        }
        if (!declared && cJSON_IsFalse(extra)) {
            const char *near = nearest_property(props, c->string);
            char hint[KEYS_TEXT_MAX] = "";
            if (near) {
                char parent[PATH_TEXT_MAX];
                v_path_text(path, parent, sizeof parent);
                snprintf(hint, sizeof hint, " (did you mean %s%s%s?)", path->parent ? parent : "",
                         path->parent ? "." : "", near);
            }
            v_error(r, &sub, "additionalProperties", near, c->string, "unknown key%s", hint);
            ok = false;
        } else if (!declared && extra && !cJSON_IsBool(extra)) {
            ok = v_schema(r, extra, base, c, &sub) && ok;
        }
        if (names) {
            cJSON *name = cJSON_CreateString(c->string);
            if (name) {
                ok = v_schema(r, names, base, name, &sub) && ok;
                cJSON_Delete(name);
            } else {
                v_error(r, &sub, "propertyNames", NULL, NULL, "out of memory");
                ok = false;
            }
        }
    }
    return ok;
}

static bool check_required(struct vrun *r, const cJSON *list, const cJSON *inst,
                           const struct vpath *path, const char *because)
{
    bool ok = true;
    for (const cJSON *k = cJSON_IsArray(list) ? list->child : NULL; k; k = k->next) {
        if (!cJSON_IsString(k) || cJSON_GetObjectItemCaseSensitive(inst, k->valuestring)) {
            continue;
        }
        struct vpath sub = {path, k->valuestring, 0};
        if (because) {
            v_error(r, &sub, "dependencies", "present", "missing",
                    "is required when %s is set, but missing", because);
        } else {
            v_error(r, &sub, "required", "present", "missing", "is required, but missing");
        }
        ok = false;
        if (!r->report) {
            break;
        }
    }
    return ok;
}

bool v_object_keywords(struct vrun *r, const cJSON *schema, const char *base, const cJSON *inst,
                       const struct vpath *path)
{
    if (!cJSON_IsObject(inst)) {
        return true;
    }
    bool ok = check_properties(r, schema, base, inst, path);
    ok =
        check_required(r, cJSON_GetObjectItemCaseSensitive(schema, "required"), inst, path, NULL) &&
        ok;
    size_t n = (size_t)cJSON_GetArraySize(inst);
    ok = count_limit(r, schema, "minProperties", n, true, "keys", path) && ok;
    ok = count_limit(r, schema, "maxProperties", n, false, "keys", path) && ok;
    const cJSON *deps = cJSON_GetObjectItemCaseSensitive(schema, "dependencies");
    for (const cJSON *d = cJSON_IsObject(deps) ? deps->child : NULL; d && (ok || r->report);
         d = d->next) {
        if (!cJSON_GetObjectItemCaseSensitive(inst, d->string)) {
            continue;
        }
        if (cJSON_IsArray(d)) {
            ok = check_required(r, d, inst, path, d->string) && ok;
        } else {
            ok = v_schema(r, d, base, inst, path) && ok;
        }
    }
    return ok;
}
