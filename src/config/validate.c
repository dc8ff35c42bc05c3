/* JSON Schema draft-07 validation over cJSON: the walk, $ref and $id, the combinators
 * (allOf, anyOf, oneOf, not, if/then/else), and error reporting with instance paths. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "validate_internal.h"

/* Deep enough for any real schema; a $ref cycle that does not consume input stops here. */
enum { DEPTH_MAX = 512 };

int validator_create(const cJSON *root, schema_validator **out)
{
    schema_validator *v = calloc(1, sizeof *v);
    if (!v) {
        return ARVIS_E_NOMEM;
    }
    v->root = root;
    v->match = pcre2_match_data_create(1, NULL);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "$id");
    int rc = v->match ? ARVIS_OK : ARVIS_E_NOMEM;
    if (rc == ARVIS_OK) {
        rc = validator_add_document(v, cJSON_IsString(id) ? id->valuestring : "", root);
    }
    if (rc != ARVIS_OK) {
        validator_destroy(v);
        return rc;
    }
    *out = v;
    return ARVIS_OK;
}

void validator_destroy(schema_validator *v)
{
    if (!v) {
        return;
    }
    for (size_t i = 0; i < v->nres; i++) {
        free(v->res[i].uri);
    }
    free(v->res);
    struct regex_entry *e = v->regexes;
    while (e) {
        struct regex_entry *next = e->next;
        pcre2_code_free(e->code);
        free(e->pattern);
        free(e);
        e = next;
    }
    pcre2_match_data_free(v->match);
    free(v);
}

int validator_add_document(schema_validator *v, const char *uri, const cJSON *doc)
{
    char *abs = v_uri_resolve("", uri);
    if (!abs) {
        return ARVIS_E_NOMEM;
    }
    int rc = v_index_ids(v, doc, abs);
    free(abs);
    return rc;
}

/* Appends c to out (size bytes, kept NUL-terminated) at *n, counting what did not fit too. */
static void put_char(char *out, size_t size, size_t *n, char c)
{
    if (*n + 1 < size) {
        out[*n] = c;
        out[*n + 1] = '\0';
    }
    (*n)++;
}

/* ["key"] with " and \ escaped, so the key can be read back from the path. Returns the length
 * it needed, as snprintf does. */
static int quoted_key(char *out, size_t size, const char *key)
{
    size_t n = 0;
    if (size > 0) {
        out[0] = '\0';
    }
    put_char(out, size, &n, '[');
    put_char(out, size, &n, '"');
    for (const char *k = key; *k; k++) {
        if (*k == '"' || *k == '\\') {
            put_char(out, size, &n, '\\');
        }
        put_char(out, size, &n, *k);
    }
    put_char(out, size, &n, '"');
    put_char(out, size, &n, ']');
    return (int)n;
}

void v_path_text(const struct vpath *p, char *out, size_t size)
{
    const struct vpath *chain[PATH_TEXT_MAX];
    size_t n = 0;
    for (; p && p->parent && n < PATH_TEXT_MAX; p = p->parent) {
        chain[n++] = p;
    }
    if (n == 0) {
        snprintf(out, size, "(root)");
        return;
    }
    size_t used = 0;
    out[0] = '\0';
    while (n-- > 0 && used < size) {
        const struct vpath *s = chain[n];
        int w;
        if (!s->key) {
            w = snprintf(out + used, size - used, "[%zu]", s->index);
        } else if (strpbrk(s->key, ".[] \"\\") || !s->key[0]) {
            w = quoted_key(out + used, size - used, s->key);
        } else {
            w = snprintf(out + used, size - used, "%s%s", used ? "." : "", s->key);
        }
        used += w > 0 ? (size_t)w : 0;
    }
}

void v_value_text(const cJSON *schema, const cJSON *inst, char *out, size_t size)
{
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(schema, "writeOnly"))) {
        snprintf(out, size, "(hidden)");
        return;
    }
    arvis_json_describe(inst, out, size);
}

void v_error(struct vrun *r, const struct vpath *path, const char *rule, const char *expected,
             const char *found, const char *fmt, ...)
{
    if (!r->report) {
        return;
    }
    char where[PATH_TEXT_MAX];
    char detail[768];
    v_path_text(path, where, sizeof where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    report_add(r->report, ARVIS_CONFIG_ERROR, path && path->parent ? where : NULL, rule, expected,
               found, "%s: %s", where, detail);
}

static bool v_ref(struct vrun *r, const cJSON *schema, const char *ref, const char *base,
                  const cJSON *inst, const struct vpath *path)
{
    char *target_base = NULL;
    const cJSON *target = v_resolve_ref(r->v, base, ref, &target_base);
    if (!target) {
        free(target_base);
        v_error(r, path, "$ref", NULL, NULL, "the schema refers to %s, which cannot be found", ref);
        return false;
    }
    (void)schema;
    bool ok = v_schema_at(r, target, target_base, inst, path, true);
    free(target_base);
    return ok;
}

/* Runs sub-schemas for a verdict only; errors inside them are not reported. */
static bool v_quiet(struct vrun *r, const cJSON *schema, const char *base, const cJSON *inst,
                    const struct vpath *path)
{
    struct vrun q = {r->v, NULL, r->depth};
    return v_schema(&q, schema, base, inst, path);
}

static bool v_combinators(struct vrun *r, const cJSON *schema, const char *base, const cJSON *inst,
                          const struct vpath *path)
{
    bool ok = true;
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(schema, "allOf");
    for (const cJSON *s = cJSON_IsArray(all) ? all->child : NULL; s; s = s->next) {
        ok = v_schema(r, s, base, inst, path) && ok;
        if (!ok && !r->report) {
            return false;
        }
    }
    const cJSON *any = cJSON_GetObjectItemCaseSensitive(schema, "anyOf");
    if (cJSON_IsArray(any)) {
        bool matched = false;
        for (const cJSON *s = any->child; s && !matched; s = s->next) {
            matched = v_quiet(r, s, base, inst, path);
        }
        if (!matched) {
            char found[VALUE_TEXT_MAX];
            v_value_text(schema, inst, found, sizeof found);
            v_error(r, path, "anyOf", NULL, found, "%s matches none of the %d allowed forms", found,
                    cJSON_GetArraySize(any));
            ok = false;
        }
    }
    const cJSON *one = cJSON_GetObjectItemCaseSensitive(schema, "oneOf");
    if (cJSON_IsArray(one)) {
        int matches = 0;
        for (const cJSON *s = one->child; s && matches < 2; s = s->next) {
            matches += v_quiet(r, s, base, inst, path) ? 1 : 0;
        }
        if (matches != 1) {
            char found[VALUE_TEXT_MAX];
            v_value_text(schema, inst, found, sizeof found);
            v_error(r, path, "oneOf", "exactly one form", found,
                    "%s must match exactly one of the %d allowed forms, but matches %s", found,
                    cJSON_GetArraySize(one), matches ? "more than one" : "none");
            ok = false;
        }
    }
    const cJSON *not = cJSON_GetObjectItemCaseSensitive(schema, "not");
    if (not &&v_quiet(r, not, base, inst, path)) {
        char found[VALUE_TEXT_MAX];
        v_value_text(schema, inst, found, sizeof found);
        v_error(r, path, "not", NULL, found, "%s has a form that is not allowed here", found);
        ok = false;
    }
    const cJSON *cond = cJSON_GetObjectItemCaseSensitive(schema, "if");
    if (cond) {
        const char *branch = v_quiet(r, cond, base, inst, path) ? "then" : "else";
        const cJSON *next = cJSON_GetObjectItemCaseSensitive(schema, branch);
        if (next) {
            ok = v_schema(r, next, base, inst, path) && ok;
        }
    }
    return ok;
}

bool v_schema(struct vrun *r, const cJSON *schema, const char *base, const cJSON *inst,
              const struct vpath *path)
{
    return v_schema_at(r, schema, base, inst, path, false);
}

bool v_schema_at(struct vrun *r, const cJSON *schema, const char *base, const cJSON *inst,
                 const struct vpath *path, bool id_applied)
{
    if (cJSON_IsBool(schema)) {
        if (cJSON_IsTrue(schema)) {
            return true;
        }
        v_error(r, path, "false", NULL, NULL, "no value is allowed here");
        return false;
    }
    if (!cJSON_IsObject(schema)) {
        return true;
    }
    if (r->depth >= DEPTH_MAX) {
        v_error(r, path, "$ref", NULL, NULL, "the schema refers to itself without end");
        return false;
    }
    r->depth++;
    bool ok = true;
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(schema, "$ref");
    if (cJSON_IsString(ref)) {
        /* Draft 7: beside $ref every other keyword is ignored. */
        ok = v_ref(r, schema, ref->valuestring, base, inst, path);
        r->depth--;
        return ok;
    }
    char *own_base = NULL;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(schema, "$id");
    if (cJSON_IsString(id) && !id_applied) {
        own_base = v_uri_resolve(base, id->valuestring);
        if (own_base) {
            base = own_base;
        }
    }
    ok = v_value_keywords(r, schema, inst, path);
    if (ok || r->report) {
        ok = v_array_keywords(r, schema, base, inst, path) && ok;
    }
    if (ok || r->report) {
        ok = v_object_keywords(r, schema, base, inst, path) && ok;
    }
    if (ok || r->report) {
        ok = v_combinators(r, schema, base, inst, path) && ok;
    }
    free(own_base);
    r->depth--;
    return ok;
}

bool validator_check(schema_validator *v, const cJSON *instance, arvis_config_report *report)
{
    struct vrun r = {v, report, 0};
    struct vpath root = {NULL, NULL, 0};
    return v_schema(&r, v->root, v->nres ? v->res[0].uri : "", instance, &root);
}

bool config_value_fits(const char *key, const cJSON *value, char *why, size_t size)
{
    snprintf(why, size, "%s is not a key", key);
    const cJSON *node = schema_node_raw(key);
    schema_validator *v = NULL;
    if (!node || validator_create(config_schema(), &v) != ARVIS_OK) {
        return false;
    }
    arvis_config_report found;
    arvis_config_report_init(&found);
    struct vrun r = {v, &found, 0};
    struct vpath root = {NULL, NULL, 0};
    bool ok = v_schema(&r, node, v->nres ? v->res[0].uri : "", value, &root);
    if (!ok) {
        /* Messages about the value itself start with "(root): ". */
        const char *msg = found.count ? found.items[0].message : "out of memory";
        const char *colon = strstr(msg, ": ");
        snprintf(why, size, "%s", colon && strncmp(msg, "(root)", 6) == 0 ? colon + 2 : msg);
    }
    arvis_config_report_free(&found);
    validator_destroy(v);
    return ok;
}
