/* Parsing: a strict RFC 8259 syntax check runs before cJSON builds the tree, so it fixes exactly
 * which texts Arvis accepts (cJSON alone takes "01" or "1.") and says precisely where and why one
 * fails; the tree is then checked for repeated keys and numbers too large for a double. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "arvis/utf8.h"
#include "base_internal.h"

/* Well below cJSON's own nesting limit; deeper input is refused rather than risk the stack. */
enum { SCAN_DEPTH_MAX = 512 };

struct scan {
    const char *s;
    size_t len;
    size_t pos;
    const char *why; /* set at the first error */
    int depth;
    bool no_nul;         /* refuse \u0000: the text becomes a cJSON tree */
    json_visit_fn visit; /* may be NULL */
    void *ud;
    int path_n; /* segments in path (may exceed JSON_PATH_MAX; deeper ones are not kept) */
    struct json_seg path[JSON_PATH_MAX];
};

static bool fail(struct scan *sc, const char *why)
{
    if (!sc->why) {
        sc->why = why;
    }
    return false;
}

static void skip_space(struct scan *sc)
{
    while (sc->pos < sc->len) {
        char c = sc->s[sc->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            return;
        }
        sc->pos++;
    }
}

static bool at_end(const struct scan *sc)
{
    return sc->pos >= sc->len;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

static bool scan_escape(struct scan *sc)
{
    sc->pos++; /* the backslash */
    if (at_end(sc)) {
        return fail(sc, "the text ends inside a string");
    }
    char c = sc->s[sc->pos];
    if (strchr("\"\\/bfnrt", c) && c) {
        sc->pos++;
        return true;
    }
    if (c != 'u') {
        return fail(sc, "unknown escape in a string (use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or "
                        "\\uXXXX)");
    }
    if (sc->len - sc->pos < 5 || hex4(sc->s + sc->pos + 1) < 0) {
        return fail(sc, "\\u must be followed by four hexadecimal digits");
    }
    int unit = hex4(sc->s + sc->pos + 1);
    if (unit == 0 && sc->no_nul) {
        /* cJSON ends its strings at a NUL, so the text after it would silently disappear. */
        return fail(sc, "\\u0000 (a NUL character) is not allowed in a string or key");
    }
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
        return fail(sc, "a lone low surrogate (\\uDC00-\\uDFFF) is not a character");
    }
    sc->pos += 5;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
        bool pair = sc->len - sc->pos >= 6 && sc->s[sc->pos] == '\\' && sc->s[sc->pos + 1] == 'u' &&
                    hex4(sc->s + sc->pos + 2) >= 0xDC00 && hex4(sc->s + sc->pos + 2) <= 0xDFFF;
        if (!pair) {
            return fail(sc, "a high surrogate must be followed by a low one (\\uDC00-\\uDFFF)");
        }
        sc->pos += 6;
    }
    return true;
}

static bool scan_string(struct scan *sc)
{
    sc->pos++; /* the opening quote */
    while (!at_end(sc)) {
        unsigned char c = (unsigned char)sc->s[sc->pos];
        if (c == '"') {
            sc->pos++;
            return true;
        }
        if (c < 0x20) {
            return fail(sc, c == '\n' ? "a string must not run over a line end (write \\n)"
                                      : "a control character in a string must be escaped");
        }
        if (c == '\\') {
            if (!scan_escape(sc)) {
                return false;
            }
            continue;
        }
        sc->pos++;
    }
    return fail(sc, "the text ends inside a string (a closing \" is missing)");
}

static bool digit(const struct scan *sc)
{
    return !at_end(sc) && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9';
}

static bool scan_number(struct scan *sc)
{
    if (sc->s[sc->pos] == '-') {
        sc->pos++;
    }
    if (!digit(sc)) {
        return fail(sc, "a number needs a digit here");
    }
    if (sc->s[sc->pos] == '0') {
        sc->pos++;
        if (digit(sc)) {
            return fail(sc, "a number must not start with 0 (leading zeros are not JSON)");
        }
    }
    while (digit(sc)) {
        sc->pos++;
    }
    if (!at_end(sc) && sc->s[sc->pos] == '.') {
        sc->pos++;
        if (!digit(sc)) {
            return fail(sc, "a decimal point must be followed by a digit");
        }
        while (digit(sc)) {
            sc->pos++;
        }
    }
    if (!at_end(sc) && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E')) {
        sc->pos++;
        if (!at_end(sc) && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-')) {
            sc->pos++;
        }
        if (!digit(sc)) {
            return fail(sc, "an exponent needs a digit");
        }
        while (digit(sc)) {
            sc->pos++;
        }
    }
    return true;
}

static bool scan_value(struct scan *sc);

/* Objects and arrays: members separated by commas, no trailing comma. */
static bool scan_container(struct scan *sc, char close)
{
    bool object = close == '}';
    if (++sc->depth > SCAN_DEPTH_MAX) {
        return fail(sc, "values are nested too deeply (more than 512 levels)");
    }
    sc->pos++;
    skip_space(sc);
    if (!at_end(sc) && sc->s[sc->pos] == close) {
        sc->pos++;
        sc->depth--;
        return true;
    }
    size_t index = 0;
    for (;;) {
        skip_space(sc);
        struct json_seg seg = {NULL, 0, index++};
        if (object) {
            if (at_end(sc) || sc->s[sc->pos] != '"') {
                return fail(sc, at_end(sc) || sc->s[sc->pos] != '}'
                                    ? "expected a key in double quotes"
                                    : "a comma before } is not allowed");
            }
            size_t key_at = sc->pos + 1;
            if (!scan_string(sc)) {
                return false;
            }
            seg.key = sc->s + key_at;
            seg.key_len = sc->pos - 1 - key_at;
            skip_space(sc);
            if (at_end(sc) || sc->s[sc->pos] != ':') {
                return fail(sc, "expected ':' after the key");
            }
            sc->pos++;
        }
        skip_space(sc);
        if (!object && !at_end(sc) && sc->s[sc->pos] == ']') {
            return fail(sc, "a comma before ] is not allowed");
        }
        if (sc->path_n < JSON_PATH_MAX) {
            sc->path[sc->path_n] = seg;
        }
        sc->path_n++;
        bool ok = scan_value(sc);
        sc->path_n--;
        if (!ok) {
            return false;
        }
        skip_space(sc);
        if (!at_end(sc) && sc->s[sc->pos] == ',') {
            sc->pos++;
            continue;
        }
        if (!at_end(sc) && sc->s[sc->pos] == close) {
            sc->pos++;
            sc->depth--;
            return true;
        }
        return fail(sc, object ? "expected ',' or '}' after the value"
                               : "expected ',' or ']' after the value");
    }
}

static bool scan_literal(struct scan *sc, const char *word)
{
    size_t n = strlen(word);
    if (sc->len - sc->pos >= n && memcmp(sc->s + sc->pos, word, n) == 0) {
        sc->pos += n;
        return true;
    }
    return fail(sc, "expected a value (a string, number, object, array, true, false or null)");
}

static bool scan_one(struct scan *sc)
{
    if (at_end(sc)) {
        return fail(sc, "expected a value");
    }
    switch (sc->s[sc->pos]) {
    case '{':
        return scan_container(sc, '}');
    case '[':
        return scan_container(sc, ']');
    case '"':
        return scan_string(sc);
    case 't':
        return scan_literal(sc, "true");
    case 'f':
        return scan_literal(sc, "false");
    case 'n':
        return scan_literal(sc, "null");
    default:
        if (sc->s[sc->pos] == '-' || (sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9')) {
            return scan_number(sc);
        }
        return fail(sc, sc->s[sc->pos] == '\''
                            ? "strings and keys take double quotes, not single quotes"
                            : "expected a value (a string, number, object, array, true, false "
                              "or null)");
    }
}

/* One value; the visitor (if any) sees it once it is complete. */
static bool scan_value(struct scan *sc)
{
    skip_space(sc);
    size_t start = sc->pos;
    if (!scan_one(sc)) {
        return false;
    }
    if (sc->visit && sc->path_n <= JSON_PATH_MAX) {
        sc->visit(sc->ud, sc->path, sc->path_n, sc->s + start, sc->s + sc->pos);
    }
    return true;
}

static bool scan_text(struct scan *sc, size_t *err_off, const char **why)
{
    bool ok = scan_value(sc);
    if (ok) {
        skip_space(sc);
        if (!at_end(sc)) {
            ok = fail(sc, "unexpected text after the end of the JSON value");
        }
    }
    if (!ok) {
        *err_off = sc->pos;
        *why = sc->why;
    }
    return ok;
}

bool json_scan_visit(const char *text, size_t len, json_visit_fn visit, void *ud, size_t *err_off,
                     const char **why)
{
    struct scan sc = {.s = text, .len = len, .visit = visit, .ud = ud};
    return scan_text(&sc, err_off, why);
}

bool json_scan(const char *text, size_t len, size_t *err_off, const char **why)
{
    struct scan sc = {.s = text, .len = len, .no_nul = true};
    return scan_text(&sc, err_off, why);
}

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

/* *at: the document position of the first member whose key an earlier member has, or SIZE_MAX. */
static int first_repeated_key(const cJSON *obj, size_t *at)
{
    *at = SIZE_MAX;
    size_t n = 0;
    struct json_member *m = json_sorted_members(obj, &n);
    if (!m) {
        return ARVIS_E_NOMEM;
    }
    for (size_t i = 1; i < n; i++) {
        if (m[i].index < *at && strcmp(m[i - 1].key, m[i].key) == 0) {
            *at = m[i].index;
        }
    }
    free(m);
    return ARVIS_OK;
}

/* Refuses duplicate keys (cJSON keeps both, and readers disagree on which wins) and numbers
 * that overflowed to infinity. The first problem in document order is the one reported. */
static int check_tree(const cJSON *v, const char *path, arvis_error *err)
{
    if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) {
        return arvis_error_set(err, ARVIS_E_PARSE, "%s: the number is too large",
                               path[0] ? path : "(root)");
    }
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) {
        return ARVIS_OK;
    }
    size_t repeated = SIZE_MAX;
    if (cJSON_IsObject(v) && first_repeated_key(v, &repeated) != ARVIS_OK) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory while reading JSON");
    }
    size_t index = 0;
    for (const cJSON *c = v->child; c; c = c->next, index++) {
        char sub[JSON_KEY_PATH_MAX];
        if (cJSON_IsObject(v)) {
            json_child_path(sub, sizeof sub, path, c->string);
            if (index == repeated) {
                return arvis_error_set(err, ARVIS_E_PARSE,
                                       "%s: the key appears twice; keep only one", sub);
            }
        } else if (snprintf(sub, sizeof sub, "%s[%zu]", path, index) < 0) {
            sub[0] = '\0';
        }
        int rc = check_tree(c, sub, err);
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
    int rc = check_tree(root, "", err);
    if (rc != ARVIS_OK) {
        cJSON_Delete(root);
        return rc;
    }
    *out = root;
    return ARVIS_OK;
}
