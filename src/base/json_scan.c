/* A strict RFC 8259 syntax check that runs before cJSON builds the tree: it fixes exactly which
 * texts Arvis accepts (cJSON alone takes "01" or "1.") and says precisely where and why one fails.
 */
#include <stdio.h>
#include <string.h>

#include "base_internal.h"

/* Well below cJSON's own nesting limit; deeper input is refused rather than risk the stack. */
enum { SCAN_DEPTH_MAX = 512 };

struct scan {
    const char *s;
    size_t len;
    size_t pos;
    const char *why; /* set at the first error */
    int depth;
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

bool json_scan_visit(const char *text, size_t len, json_visit_fn visit, void *ud, size_t *err_off,
                     const char **why)
{
    struct scan sc = {.s = text, .len = len, .visit = visit, .ud = ud};
    bool ok = scan_value(&sc);
    if (ok) {
        skip_space(&sc);
        if (!at_end(&sc)) {
            ok = fail(&sc, "unexpected text after the end of the JSON value");
        }
    }
    if (!ok) {
        *err_off = sc.pos;
        *why = sc.why;
    }
    return ok;
}

bool json_scan(const char *text, size_t len, size_t *err_off, const char **why)
{
    return json_scan_visit(text, len, NULL, NULL, err_off, why);
}
