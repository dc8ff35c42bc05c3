/* The compiled-in config schema and the walks every other part needs: key lookup, leaves in
 * order, defaults, environment names and "did you mean" suggestions. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "arvis/log.h"
#include "config_internal.h"

extern const char arvis_schema_data[];
extern const size_t arvis_schema_data_len;

enum { REF_HOPS_MAX = 16, KEY_MAX = 256, SEG_MAX = 64 };

static pthread_once_t schema_once = PTHREAD_ONCE_INIT;
static cJSON *schema_root;

static void schema_parse(void)
{
    arvis_error err;
    if (arvis_json_parse(arvis_schema_data, arvis_schema_data_len, &schema_root, &err) !=
        ARVIS_OK) {
        arvis_log(ARVIS_LOG_ERROR, "config", "the built-in schema is broken: %s", err.msg);
        schema_root = NULL;
    }
}

const cJSON *config_schema(void)
{
    pthread_once(&schema_once, schema_parse);
    return schema_root;
}

const char *arvis_config_schema_text(size_t *len)
{
    if (len) {
        *len = arvis_schema_data_len;
    }
    return arvis_schema_data;
}

/* Evaluates a local pointer "#/a/b" from the schema root (no escapes are used in our schema). */
static const cJSON *schema_pointer(const char *ref)
{
    const cJSON *node = config_schema();
    if (strncmp(ref, "#/", 2) != 0) {
        return strcmp(ref, "#") == 0 ? node : NULL;
    }
    const char *p = ref + 2;
    while (node && *p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        char seg[KEY_MAX];
        if (n >= sizeof seg) {
            return NULL;
        }
        memcpy(seg, p, n);
        seg[n] = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, seg);
        p = slash ? slash + 1 : p + n;
    }
    return node;
}

const cJSON *schema_resolve(const cJSON *node)
{
    for (int hops = 0; node && hops < REF_HOPS_MAX; hops++) {
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(node, "$ref");
        if (!cJSON_IsString(ref)) {
            return node;
        }
        node = schema_pointer(ref->valuestring);
    }
    return NULL;
}

bool schema_is_section(const cJSON *node)
{
    return node && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(node, "properties"));
}

bool schema_is_secret(const cJSON *raw)
{
    if (!raw) {
        return false;
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(raw, "writeOnly"))) {
        return true;
    }
    const cJSON *node = schema_resolve(raw);
    return node && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(node, "writeOnly"));
}

const cJSON *schema_node_raw(const char *path)
{
    const cJSON *raw = config_schema();
    const char *p = path;
    if (!*p) {
        return NULL; /* the root is no key */
    }
    while (raw) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char seg[KEY_MAX];
        if (n == 0 || n >= sizeof seg) {
            return NULL;
        }
        memcpy(seg, p, n);
        seg[n] = '\0';
        const cJSON *node = schema_resolve(raw);
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(node, "properties");
        const cJSON *child = cJSON_GetObjectItemCaseSensitive(props, seg);
        if (!child) {
            const cJSON *extra = cJSON_GetObjectItemCaseSensitive(node, "additionalProperties");
            child = cJSON_IsObject(extra) ? extra : NULL;
        }
        raw = child;
        if (!dot) {
            break;
        }
        p = dot + 1; /* "llm." ends in an empty segment, which the check above refuses */
    }
    return raw;
}

const cJSON *schema_node(const char *path)
{
    return schema_resolve(schema_node_raw(path));
}

struct leaf_walk {
    int (*cb)(const char *path, const cJSON *raw, const cJSON *node, void *ud);
    void *ud;
    bool sections; /* report sections too (for suggestions) */
};

static int walk(const struct leaf_walk *w, const cJSON *raw, char *path, size_t len)
{
    const cJSON *node = schema_resolve(raw);
    if (!schema_is_section(node)) {
        return w->cb(path, raw, node, w->ud);
    }
    if (w->sections && len > 0) {
        int rc = w->cb(path, raw, node, w->ud);
        if (rc != 0) {
            return rc;
        }
    }
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(node, "properties");
    for (const cJSON *c = props->child; c; c = c->next) {
        size_t klen = strlen(c->string);
        if (len + klen + 2 > KEY_MAX) {
            continue;
        }
        size_t at = len;
        if (len > 0) {
            path[at++] = '.';
        }
        memcpy(path + at, c->string, klen + 1);
        int rc = walk(w, c, path, at + klen);
        path[len] = '\0';
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int schema_each_leaf(int (*cb)(const char *path, const cJSON *raw, const cJSON *node, void *ud),
                     void *ud)
{
    const cJSON *root = config_schema();
    if (!root) {
        return ARVIS_E_STATE;
    }
    char path[KEY_MAX] = "";
    struct leaf_walk w = {cb, ud, false};
    return walk(&w, root, path, 0);
}

void schema_env_name(const char *path, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "ARVIS_");
    for (const char *p = path; *p && n + 1 < size; p++, n++) {
        char c = *p;
        out[n] = (c == '.' || c == '-') ? '_' : (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    out[n < size ? n : size - 1] = '\0';
}

static cJSON *defaults_of(const cJSON *raw)
{
    const cJSON *node = schema_resolve(raw);
    const cJSON *def = cJSON_GetObjectItemCaseSensitive(raw, "default");
    if (!def && node) {
        def = cJSON_GetObjectItemCaseSensitive(node, "default");
    }
    if (def) {
        return cJSON_Duplicate(def, 1);
    }
    if (!schema_is_section(node)) {
        return NULL;
    }
    cJSON *obj = cJSON_CreateObject();
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(node, "properties");
    for (const cJSON *c = props->child; obj && c; c = c->next) {
        cJSON *child = defaults_of(c);
        if (child && !cJSON_AddItemToObject(obj, c->string, child)) {
            cJSON_Delete(child);
            cJSON_Delete(obj);
            obj = NULL;
        }
    }
    return obj;
}

cJSON *schema_defaults(void)
{
    const cJSON *root = config_schema();
    return root ? defaults_of(root) : NULL;
}

struct suggest {
    const char *path;
    size_t best;
    char *out;
    size_t size;
};

static int suggest_cb(const char *path, const cJSON *raw, const cJSON *node, void *ud)
{
    (void)raw;
    (void)node;
    struct suggest *s = ud;
    size_t d = config_distance(s->path, path);
    if (d < s->best) {
        s->best = d;
        snprintf(s->out, s->size, "%s", path);
    }
    return 0;
}

bool schema_suggest(const char *path, char *out, size_t size)
{
    const cJSON *root = config_schema();
    if (!root || size == 0) {
        return false;
    }
    size_t len = strlen(path);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    struct suggest s = {path, limit + 1, out, size};
    char buf[KEY_MAX] = "";
    struct leaf_walk w = {suggest_cb, &s, true};
    walk(&w, root, buf, 0);
    return s.best <= limit;
}
