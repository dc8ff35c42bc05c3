/* JSON parsing with precise error positions, and tree helpers (equality, dotted paths, merge).
 * cJSON does the parsing; this file adds what a config file's user needs to find a mistake. */
#include "arvis/json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/buf.h"
#include "arvis/utf8.h"
#include "base_internal.h"

enum { KEY_PATH_MAX = 256, PATH_SEG_MAX = 128 };

/* 1-based line and column (in characters) of byte offset `off` in text. */
static void text_position(const char *text, size_t off, int *line, int *col)
{
    int l = 1;
    int c = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static int syntax_error(const char *text, size_t len, size_t off, const char *why, arvis_error *err)
{
    int line;
    int col;
    text_position(text, off, &line, &col);
    if (off >= len) {
        return arvis_error_set(err, ARVIS_E_PARSE,
                               "line %d, column %d: the JSON text ends too early (is it cut off?)",
                               line, col);
    }
    return arvis_error_set(err, ARVIS_E_PARSE, "line %d, column %d: %s", line, col, why);
}

/* Appends "a.b" style path text for a key below `parent_path`. */
static void child_path(char *out, size_t size, const char *parent_path, const char *key)
{
    if (parent_path[0]) {
        snprintf(out, size, "%s.%s", parent_path, key);
    } else {
        snprintf(out, size, "%s", key);
    }
}

/* Refuses duplicate keys (cJSON keeps both, and readers disagree on which wins) and numbers
 * that overflowed to infinity. */
static int check_tree(const cJSON *v, const char *path, int depth, arvis_error *err)
{
    if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) {
        return arvis_error_set(err, ARVIS_E_PARSE, "%s: the number is too large",
                               path[0] ? path : "(root)");
    }
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) {
        return ARVIS_OK;
    }
    int index = 0;
    for (const cJSON *c = v->child; c; c = c->next, index++) {
        char sub[KEY_PATH_MAX];
        if (cJSON_IsObject(v)) {
            for (const cJSON *d = v->child; d != c; d = d->next) {
                if (strcmp(d->string, c->string) == 0) {
                    child_path(sub, sizeof sub, path, c->string);
                    return arvis_error_set(err, ARVIS_E_PARSE,
                                           "%s: the key appears twice; keep only one", sub);
                }
            }
            child_path(sub, sizeof sub, path, c->string);
        } else {
            snprintf(sub, sizeof sub, "%s[%d]", path, index);
        }
        int rc = check_tree(c, sub, depth + 1, err);
        if (rc != ARVIS_OK) {
            return rc;
        }
    }
    return ARVIS_OK;
}

int arvis_json_parse(const char *text, size_t len, cJSON **out, arvis_error *err)
{
    *out = NULL;
    size_t start = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        start = 3;
    }
    size_t bad;
    if (!arvis_utf8_valid(text, len, &bad)) {
        int line;
        int col;
        text_position(text, bad, &line, &col);
        return arvis_error_set(err, ARVIS_E_UTF8,
                               "line %d, column %d: byte 0x%02X is not valid UTF-8 (save the "
                               "file as UTF-8)",
                               line, col, (unsigned char)text[bad]);
    }
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        return syntax_error(text, len, (size_t)(nul - text), "a NUL byte is not allowed in JSON",
                            err);
    }
    size_t first = start;
    while (first < len && strchr(" \t\n\r", text[first])) {
        first++;
    }
    if (first == len) {
        return arvis_error_set(err, ARVIS_E_PARSE,
                               "line 1, column 1: there is no JSON value (the text is empty)");
    }
    size_t off = 0;
    const char *why = NULL;
    if (!json_scan(text + start, len - start, &off, &why)) {
        return syntax_error(text, len, start + off, why, err);
    }
    cJSON *root = cJSON_ParseWithLength(text + start, len - start);
    if (!root) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory while reading JSON");
    }
    int rc = check_tree(root, "", 0, err);
    if (rc != ARVIS_OK) {
        cJSON_Delete(root);
        return rc;
    }
    *out = root;
    return ARVIS_OK;
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

/* Splits a dotted path into at most PATH_SEG_MAX segments in buf (modified in place). */
static int split_path(char *buf, char **segs)
{
    int n = 0;
    char *p = buf;
    while (*p) {
        if (n == PATH_SEG_MAX) {
            return -1;
        }
        segs[n++] = p;
        char *dot = strchr(p, '.');
        if (!dot) {
            break;
        }
        *dot = '\0';
        p = dot + 1;
    }
    return n;
}

cJSON *arvis_json_at(const cJSON *root, const char *path)
{
    const cJSON *v = root;
    const char *p = path;
    while (v && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (!cJSON_IsObject(v)) {
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
        p = dot ? dot + 1 : p + n;
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
        cJSON_ReplaceItemInObjectCaseSensitive(obj, segs[n - 1], value);
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

int arvis_json_merge(cJSON *dst, const cJSON *src)
{
    for (const cJSON *s = src->child; s; s = s->next) {
        cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, s->string);
        if (d && cJSON_IsObject(d) && cJSON_IsObject(s)) {
            int rc = arvis_json_merge(d, s);
            if (rc != ARVIS_OK) {
                return rc;
            }
            continue;
        }
        cJSON *copy = cJSON_Duplicate(s, 1);
        if (!copy) {
            return ARVIS_E_NOMEM;
        }
        if (d) {
            cJSON_ReplaceItemInObjectCaseSensitive(dst, s->string, copy);
        } else if (!cJSON_AddItemToObject(dst, s->string, copy)) {
            cJSON_Delete(copy);
            return ARVIS_E_NOMEM;
        }
    }
    return ARVIS_OK;
}
