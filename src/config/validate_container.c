/* Draft-07 keywords about arrays (items, additionalItems, contains, sizes, uniqueItems) and
 * objects (properties, patternProperties, additionalProperties, required, propertyNames, sizes,
 * dependencies). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "validate_internal.h"

enum { KEYS_TEXT_MAX = PATH_TEXT_MAX + 64 };

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

/* Order-independent hash of a JSON value, consistent with arvis_json_equal. */
static uint64_t json_hash(const cJSON *v)
{
    uint64_t h = 1469598103934665603ull;
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble == 0 ? 0.0 : v->valuedouble;
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return (h ^ bits) * 1099511628211ull;
    }
    h = (h ^ (uint64_t)(v->type & 0xFF)) * 1099511628211ull;
    if (cJSON_IsString(v)) {
        for (const unsigned char *p = (const unsigned char *)v->valuestring; *p; p++) {
            h = (h ^ *p) * 1099511628211ull;
        }
    } else if (cJSON_IsArray(v)) {
        for (const cJSON *c = v->child; c; c = c->next) {
            h = (h ^ json_hash(c)) * 1099511628211ull;
        }
    } else if (cJSON_IsObject(v)) {
        uint64_t sum = 0;
        for (const cJSON *c = v->child; c; c = c->next) {
            uint64_t k = 1469598103934665603ull;
            for (const unsigned char *p = (const unsigned char *)c->string; *p; p++) {
                k = (k ^ *p) * 1099511628211ull;
            }
            sum += (k ^ json_hash(c)) * 1099511628211ull;
        }
        h ^= sum;
    }
    return h;
}

struct hashed {
    uint64_t hash;
    size_t index;
    const cJSON *item;
};

static int hashed_cmp(const void *a, const void *b)
{
    const struct hashed *x = a;
    const struct hashed *y = b;
    if (x->hash != y->hash) {
        return x->hash < y->hash ? -1 : 1;
    }
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Sorting by hash keeps this O(n log n), so a long array cannot stall validation. */
static bool check_unique(struct vrun *r, const cJSON *inst, size_t n, const struct vpath *path)
{
    struct hashed *items = calloc(n ? n : 1, sizeof *items);
    if (!items) {
        v_error(r, path, "uniqueItems", NULL, NULL, "out of memory");
        return false;
    }
    size_t i = 0;
    for (const cJSON *c = inst->child; c; c = c->next, i++) {
        items[i] = (struct hashed){json_hash(c), i, c};
    }
    qsort(items, n, sizeof *items, hashed_cmp);
    bool ok = true;
    for (i = 0; i + 1 < n && ok; i++) {
        for (size_t j = i + 1; j < n && items[j].hash == items[i].hash; j++) {
            if (arvis_json_equal(items[i].item, items[j].item)) {
                size_t a = items[i].index < items[j].index ? items[i].index : items[j].index;
                size_t b = items[i].index < items[j].index ? items[j].index : items[i].index;
                char found[VALUE_TEXT_MAX];
                arvis_json_describe(items[i].item, found, sizeof found);
                v_error(r, path, "uniqueItems", "unique items", found,
                        "items %zu and %zu are both %s; each item must appear once", a, b, found);
                ok = false;
                break;
            }
        }
    }
    free(items);
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
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(schema, "uniqueItems")) && n > 1 &&
        (ok || r->report)) {
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
