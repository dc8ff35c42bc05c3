/* $ref and $id for the validator: URI resolution (RFC 3986, the parts schemas use), an index
 * of every $id, and JSON Pointer fragments with ~0, ~1 and percent escapes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/buf.h"
#include "validate_internal.h"

enum {
    URI_MAX = 8192,
    RES_FIRST_CAP = 8,
    POINTER_TOKEN_MAX = 1024,
    INDEX_DIGITS_MAX = 9, /* array indexes in a pointer stay below INT_MAX */
};

/* Length of "scheme:" at the start of s, or 0 when s has no scheme. */
static size_t scheme_len(const char *s)
{
    if (!isalpha((unsigned char)s[0])) {
        return 0;
    }
    size_t i = 1;
    while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.') {
        i++;
    }
    return s[i] == ':' ? i + 1 : 0;
}

static char *join(const char *a, size_t alen, const char *b)
{
    arvis_buf out;
    arvis_buf_init(&out, URI_MAX);
    if (arvis_buf_add(&out, a, alen) != ARVIS_OK || arvis_buf_adds(&out, b) != ARVIS_OK) {
        arvis_buf_free(&out);
        return NULL;
    }
    return arvis_buf_take(&out);
}

char *v_uri_resolve(const char *base, const char *ref)
{
    if (scheme_len(ref) > 0) {
        return strdup(ref);
    }
    const char *hash = strchr(base, '#');
    size_t blen = hash ? (size_t)(hash - base) : strlen(base);
    if (ref[0] == '\0' || ref[0] == '#') {
        return join(base, blen, ref);
    }
    size_t scheme = scheme_len(base);
    if (ref[0] == '/' && ref[1] == '/') {
        return join(base, scheme, ref);
    }
    /* The authority ends at the first '/' after "scheme://". */
    size_t auth_end = scheme;
    if (strncmp(base + scheme, "//", 2) == 0) {
        const char *slash = memchr(base + scheme + 2, '/', blen - scheme - 2);
        auth_end = slash ? (size_t)(slash - base) : blen;
    }
    if (ref[0] == '/') {
        return join(base, auth_end, ref);
    }
    /* Relative path: replace the last segment of the base path. */
    size_t dir = blen;
    while (dir > auth_end && base[dir - 1] != '/') {
        dir--;
    }
    if (dir == auth_end && auth_end > scheme) {
        char *with_slash = join(base, auth_end, "/");
        char *out = with_slash ? join(with_slash, strlen(with_slash), ref) : NULL;
        free(with_slash);
        return out;
    }
    return join(base, dir, ref);
}

static int add_resource(schema_validator *v, const char *uri, const cJSON *node)
{
    if (v->nres == v->capres) {
        size_t cap = v->capres ? v->capres * 2 : RES_FIRST_CAP;
        struct resource *res = realloc(v->res, cap * sizeof *res);
        if (!res) {
            return ARVIS_E_NOMEM;
        }
        v->res = res;
        v->capres = cap;
    }
    char *copy = strdup(uri);
    if (!copy) {
        return ARVIS_E_NOMEM;
    }
    /* "http://x/y#" names the same document as "http://x/y". */
    size_t len = strlen(copy);
    if (len > 0 && copy[len - 1] == '#') {
        copy[len - 1] = '\0';
    }
    v->res[v->nres++] = (struct resource){copy, node};
    return ARVIS_OK;
}

static const cJSON *find_resource(const schema_validator *v, const char *uri, size_t len)
{
    for (size_t i = 0; i < v->nres; i++) {
        if (strlen(v->res[i].uri) == len && strncmp(v->res[i].uri, uri, len) == 0) {
            return v->res[i].node;
        }
    }
    return NULL;
}

static int index_node(schema_validator *v, const cJSON *node, const char *base);

static int index_members(schema_validator *v, const cJSON *obj, const char *base)
{
    for (const cJSON *c = cJSON_IsObject(obj) ? obj->child : NULL; c; c = c->next) {
        int rc = index_node(v, c, base);
        if (rc != ARVIS_OK) {
            return rc;
        }
    }
    return ARVIS_OK;
}

/* Walks only keywords that hold schemas: an "$id" inside enum or const data is not an id. */
static int index_node(schema_validator *v, const cJSON *node, const char *base)
{
    if (!cJSON_IsObject(node)) {
        return ARVIS_OK;
    }
    char *own = NULL;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(node, "$id");
    int rc = ARVIS_OK;
    if (cJSON_IsString(id) && !cJSON_GetObjectItemCaseSensitive(node, "$ref")) {
        own = v_uri_resolve(base, id->valuestring);
        if (!own) {
            return ARVIS_E_NOMEM;
        }
        rc = add_resource(v, own, node);
        base = own;
    }
    static const char *const maps[] = {"properties", "patternProperties", "definitions",
                                       "dependencies"};
    static const char *const singles[] = {"additionalItems",
                                          "additionalProperties",
                                          "contains",
                                          "propertyNames",
                                          "not",
                                          "if",
                                          "then",
                                          "else"};
    static const char *const lists[] = {"allOf", "anyOf", "oneOf"};
    for (size_t i = 0; rc == ARVIS_OK && i < sizeof maps / sizeof maps[0]; i++) {
        rc = index_members(v, cJSON_GetObjectItemCaseSensitive(node, maps[i]), base);
    }
    for (size_t i = 0; rc == ARVIS_OK && i < sizeof singles / sizeof singles[0]; i++) {
        rc = index_node(v, cJSON_GetObjectItemCaseSensitive(node, singles[i]), base);
    }
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(node, "items");
    for (size_t i = 0; rc == ARVIS_OK && i <= sizeof lists / sizeof lists[0]; i++) {
        const cJSON *list = i < sizeof lists / sizeof lists[0]
                                ? cJSON_GetObjectItemCaseSensitive(node, lists[i])
                                : items;
        if (cJSON_IsArray(list)) {
            for (const cJSON *c = list->child; rc == ARVIS_OK && c; c = c->next) {
                rc = index_node(v, c, base);
            }
        } else if (rc == ARVIS_OK && list) {
            rc = index_node(v, list, base);
        }
    }
    free(own);
    return rc;
}

int v_index_ids(schema_validator *v, const cJSON *doc, const char *uri)
{
    int rc = add_resource(v, uri, doc);
    return rc == ARVIS_OK ? index_node(v, doc, uri) : rc;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Decodes one pointer token (between slashes): percent escapes, then ~1 -> '/', ~0 -> '~'. */
static bool pointer_token(const char *p, size_t n, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
            c = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            i += 2;
        }
        if (o + 1 >= size) {
            return false;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    /* Unescape ~1 and ~0 in that order, as RFC 6901 requires. */
    size_t w = 0;
    for (size_t r = 0; r < o; r++, w++) {
        if (out[r] == '~' && (out[r + 1] == '1' || out[r + 1] == '0')) {
            out[w] = out[r + 1] == '1' ? '/' : '~';
            r++;
        } else {
            out[w] = out[r];
        }
    }
    out[w] = '\0';
    return true;
}

static const cJSON *follow_pointer(const cJSON *node, const char *frag, char **base)
{
    /* The document's own $id is already the base; each node passed on the way, and the target,
     * may change it. */
    const char *p = frag;
    while (node && *p == '/') {
        p++;
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char tok[POINTER_TOKEN_MAX];
        if (!pointer_token(p, n, tok, sizeof tok)) {
            return NULL;
        }
        if (cJSON_IsArray(node)) {
            /* RFC 6901: an index is 0 or digits without a leading zero; nothing else. */
            size_t len = strlen(tok);
            bool index = len > 0 && len <= INDEX_DIGITS_MAX && strspn(tok, "0123456789") == len &&
                         (tok[0] != '0' || len == 1);
            long idx = index ? strtol(tok, NULL, 10) : -1;
            node = idx >= 0 && idx < cJSON_GetArraySize(node) ? cJSON_GetArrayItem(node, (int)idx)
                                                              : NULL;
        } else {
            node = cJSON_GetObjectItemCaseSensitive(node, tok);
        }
        const cJSON *id = node ? cJSON_GetObjectItemCaseSensitive(node, "$id") : NULL;
        if (cJSON_IsString(id) && *base) {
            char *next = v_uri_resolve(*base, id->valuestring);
            if (!next) {
                return NULL; /* out of memory: the target is reported as not found */
            }
            free(*base);
            *base = next;
        }
        p += n;
    }
    return *p ? NULL : node;
}

const cJSON *v_resolve_ref(schema_validator *v, const char *base, const char *ref,
                           char **target_base)
{
    *target_base = v_uri_resolve(base, ref);
    if (!*target_base) {
        return NULL;
    }
    char *full = *target_base;
    char *hash = strchr(full, '#');
    const char *frag = hash ? hash + 1 : "";
    size_t doc_len = hash ? (size_t)(hash - full) : strlen(full);
    if (frag[0] && frag[0] != '/') {
        /* A plain-name fragment: a location-independent $id such as "#foo". */
        return find_resource(v, full, strlen(full));
    }
    const cJSON *doc = find_resource(v, full, doc_len);
    if (!doc) {
        return NULL;
    }
    if (!frag[0]) {
        if (hash) {
            *hash = '\0';
        }
        return doc;
    }
    /* follow_pointer may replace *target_base, which frag points into. */
    char *pointer = strdup(frag);
    if (!pointer) {
        return NULL;
    }
    *hash = '\0';
    const cJSON *node = follow_pointer(doc, pointer, target_base);
    free(pointer);
    return node;
}
