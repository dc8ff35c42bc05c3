/* Draft-07 keywords about one value: type, enum, const, the numeric bounds, multipleOf, and
 * string length (in characters) and pattern (ECMA-262 style, through PCRE2). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/buf.h"
#include "arvis/json.h"
#include "arvis/utf8.h"
#include "validate_internal.h"

enum { LIST_TEXT_MAX = 256 };

/* multipleOf allows the quotient this many units in the last place off a whole number, for the
 * rounding of binary division alone (0.0075 / 0.0001 is 74.99999999999999); draft 7 wants an
 * exact multiple, so anything more is a real remainder. */
enum { MULTIPLE_ULPS = 4 };

static bool type_matches(const char *type, const cJSON *inst)
{
    if (strcmp(type, "integer") == 0) {
        return cJSON_IsNumber(inst) && isfinite(inst->valuedouble) &&
               floor(inst->valuedouble) == inst->valuedouble;
    }
    return strcmp(type, arvis_json_type_name(inst)) == 0;
}

static const char *article(const char *type)
{
    return (type[0] == 'a' || type[0] == 'i' || type[0] == 'o') ? "an" : "a";
}

static bool check_type(struct vrun *r, const cJSON *schema, const cJSON *inst,
                       const struct vpath *path)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(schema, "type");
    if (!type) {
        return true;
    }
    char expected[LIST_TEXT_MAX] = "";
    if (cJSON_IsString(type)) {
        if (type_matches(type->valuestring, inst)) {
            return true;
        }
        snprintf(expected, sizeof expected, "%s %s", article(type->valuestring), type->valuestring);
    } else if (cJSON_IsArray(type)) {
        size_t used = 0;
        for (const cJSON *t = type->child; t; t = t->next) {
            if (cJSON_IsString(t) && type_matches(t->valuestring, inst)) {
                return true;
            }
            if (cJSON_IsString(t) && used < sizeof expected) {
                int w = snprintf(expected + used, sizeof expected - used, "%s%s",
                                 used ? (t->next ? ", " : " or ") : "", t->valuestring);
                used += w > 0 ? (size_t)w : 0;
            }
        }
    } else {
        return true;
    }
    char found[VALUE_TEXT_MAX];
    v_value_text(schema, inst, found, sizeof found);
    v_error(r, path, "type", expected, found, "expected %s, found %s %s", expected,
            arvis_json_type_name(inst), found);
    return false;
}

static void list_values(const cJSON *values, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (const cJSON *e = values->child; e && used + 8 < size; e = e->next) {
        char one[VALUE_TEXT_MAX];
        arvis_json_describe(e, one, sizeof one);
        int w = snprintf(out + used, size - used, "%s%s", used ? ", " : "", one);
        used += w > 0 ? (size_t)w : 0;
    }
}

static bool check_enum_const(struct vrun *r, const cJSON *schema, const cJSON *inst,
                             const struct vpath *path)
{
    bool ok = true;
    char found[VALUE_TEXT_MAX];
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(schema, "enum");
    if (cJSON_IsArray(values)) {
        bool hit = false;
        for (const cJSON *e = values->child; e && !hit; e = e->next) {
            hit = arvis_json_equal(e, inst);
        }
        if (!hit) {
            char allowed[LIST_TEXT_MAX];
            list_values(values, allowed, sizeof allowed);
            v_value_text(schema, inst, found, sizeof found);
            v_error(r, path, "enum", allowed, found, "%s is not allowed; expected one of %s", found,
                    allowed);
            ok = false;
        }
    }
    const cJSON *constant = cJSON_GetObjectItemCaseSensitive(schema, "const");
    if (constant && !arvis_json_equal(constant, inst)) {
        char want[VALUE_TEXT_MAX];
        arvis_json_describe(constant, want, sizeof want);
        v_value_text(schema, inst, found, sizeof found);
        v_error(r, path, "const", want, found, "expected %s, found %s", want, found);
        ok = false;
    }
    return ok;
}

/* Describes the allowed range from whichever bounds the schema has, for one clear message. */
static void range_text(const cJSON *schema, char *out, size_t size)
{
    const cJSON *lo = cJSON_GetObjectItemCaseSensitive(schema, "minimum");
    const cJSON *xlo = cJSON_GetObjectItemCaseSensitive(schema, "exclusiveMinimum");
    const cJSON *hi = cJSON_GetObjectItemCaseSensitive(schema, "maximum");
    const cJSON *xhi = cJSON_GetObjectItemCaseSensitive(schema, "exclusiveMaximum");
    char a[32] = "";
    char b[32] = "";
    const cJSON *low = cJSON_IsNumber(lo) ? lo : cJSON_IsNumber(xlo) ? xlo : NULL;
    const cJSON *high = cJSON_IsNumber(hi) ? hi : cJSON_IsNumber(xhi) ? xhi : NULL;
    if (low) {
        arvis_json_number(low->valuedouble, a, sizeof a);
    }
    if (high) {
        arvis_json_number(high->valuedouble, b, sizeof b);
    }
    if (low == lo && high == hi && low && high) {
        snprintf(out, size, "from %s to %s", a, b);
    } else if (low && high) {
        snprintf(out, size, "%s %s and %s %s", low == lo ? "at least" : "above", a,
                 high == hi ? "at most" : "below", b);
    } else if (low) {
        snprintf(out, size, "%s %s", low == lo ? "at least" : "above", a);
    } else {
        snprintf(out, size, "%s %s", high == hi ? "at most" : "below", b);
    }
}

static bool check_number(struct vrun *r, const cJSON *schema, const cJSON *inst,
                         const struct vpath *path)
{
    if (!cJSON_IsNumber(inst)) {
        return true;
    }
    double x = inst->valuedouble;
    bool ok = true;
    static const char *const bounds[] = {"minimum", "maximum", "exclusiveMinimum",
                                         "exclusiveMaximum"};
    for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(schema, bounds[i]);
        if (!cJSON_IsNumber(b)) {
            continue;
        }
        double lim = b->valuedouble;
        bool pass = i == 0 ? x >= lim : i == 1 ? x <= lim : i == 2 ? x > lim : x < lim;
        if (!pass) {
            char range[LIST_TEXT_MAX];
            char found[VALUE_TEXT_MAX];
            range_text(schema, range, sizeof range);
            v_value_text(schema, inst, found, sizeof found);
            v_error(r, path, bounds[i], range, found, "%s is out of range: expected a value %s",
                    found, range);
            ok = false;
        }
    }
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(schema, "multipleOf");
    if (cJSON_IsNumber(m) && m->valuedouble > 0) {
        double q = x / m->valuedouble;
        bool pass =
            isfinite(q) && fabs(q - nearbyint(q)) <= MULTIPLE_ULPS * DBL_EPSILON * fmax(1, fabs(q));
        if (!pass) {
            char want[32];
            char found[VALUE_TEXT_MAX];
            arvis_json_number(m->valuedouble, want, sizeof want);
            v_value_text(schema, inst, found, sizeof found);
            v_error(r, path, "multipleOf", want, found, "%s is not a multiple of %s", found, want);
            ok = false;
        }
    }
    return ok;
}

static bool check_string(struct vrun *r, const cJSON *schema, const cJSON *inst,
                         const struct vpath *path)
{
    if (!cJSON_IsString(inst)) {
        return true;
    }
    bool ok = true;
    const char *s = inst->valuestring;
    size_t chars = arvis_utf8_length(s, strlen(s));
    char found[VALUE_TEXT_MAX];
    static const struct {
        const char *kw;
        bool is_min;
    } lengths[] = {{"minLength", true}, {"maxLength", false}};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        const cJSON *lim = cJSON_GetObjectItemCaseSensitive(schema, lengths[i].kw);
        if (!cJSON_IsNumber(lim) || (lengths[i].is_min ? (double)chars >= lim->valuedouble
                                                       : (double)chars <= lim->valuedouble)) {
            continue;
        }
        char want[32];
        v_value_text(schema, inst, found, sizeof found);
        arvis_json_number(lim->valuedouble, want, sizeof want);
        v_error(r, path, lengths[i].kw, want, found,
                "%s is too %s: expected at %s %s characters, found %zu", found,
                lengths[i].is_min ? "short" : "long", lengths[i].is_min ? "least" : "most", want,
                chars);
        ok = false;
    }
    const cJSON *pattern = cJSON_GetObjectItemCaseSensitive(schema, "pattern");
    if (cJSON_IsString(pattern)) {
        bool bad = false;
        if (!v_regex_match(r->v, pattern->valuestring, s, &bad)) {
            v_value_text(schema, inst, found, sizeof found);
            if (bad) {
                v_error(r, path, "pattern", pattern->valuestring, found,
                        "the schema's pattern %s is not a valid regular expression",
                        pattern->valuestring);
            } else {
                v_error(r, path, "pattern", pattern->valuestring, found,
                        "%s does not have the expected form (pattern %s)", found,
                        pattern->valuestring);
            }
            ok = false;
        }
    }
    return ok;
}

bool v_value_keywords(struct vrun *r, const cJSON *schema, const cJSON *inst,
                      const struct vpath *path)
{
    bool ok = check_type(r, schema, inst, path);
    if (!ok && !r->report) {
        return false;
    }
    ok = check_enum_const(r, schema, inst, path) && ok;
    if (!ok && !r->report) {
        return false;
    }
    ok = check_number(r, schema, inst, path) && ok;
    if (!ok && !r->report) {
        return false;
    }
    return check_string(r, schema, inst, path) && ok;
}

/* ECMA-262's white space and line terminators (its \s), as the inside of a PCRE2 class. */
#define ECMA_SPACE                                                                                 \
    "\\t\\n\\x0B\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}"    \
    "\\x{3000}\\x{FEFF}"

/* ECMA's \uXXXX (and a surrogate pair of them) as PCRE2's \x{...}; returns the bytes used of p,
 * or 0 when p does not start with one. */
static size_t ecma_unicode_escape(const char *p, arvis_buf *out)
{
    char *end = NULL;
    if (p[0] != 'u' || strspn(p + 1, "0123456789abcdefABCDEF") < 4) {
        return 0;
    }
    char hex[5] = {p[1], p[2], p[3], p[4], '\0'};
    unsigned long cp = strtoul(hex, &end, 16);
    size_t used = 5;
    if (cp >= 0xD800 && cp <= 0xDBFF && p[5] == '\\' && p[6] == 'u' &&
        strspn(p + 7, "0123456789abcdefABCDEF") >= 4) {
        char low_hex[5] = {p[7], p[8], p[9], p[10], '\0'};
        unsigned long low = strtoul(low_hex, &end, 16);
        if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            used = 11;
        }
    }
    return arvis_buf_addf(out, "\\x{%lX}", cp) == ARVIS_OK ? used : 0;
}

/* Rewrites an ECMA-262 pattern where PCRE2 reads it differently: "." must not match only \n but
 * every line terminator, \s and \S follow ECMA's (Unicode) white space, and \uXXXX escapes a
 * character. (\S inside a class keeps PCRE2's ASCII meaning.) The caller frees the result. */
static char *ecma_to_pcre(const char *pattern)
{
    arvis_buf b;
    arvis_buf_init(&b, strlen(pattern) * 64 + 64);
    bool in_class = false;
    int rc = ARVIS_OK;
    for (const char *p = pattern; rc == ARVIS_OK && *p; p++) {
        if (*p == '\\' && p[1]) {
            size_t used = ecma_unicode_escape(p + 1, &b);
            if (used) {
                p += used;
            } else if (p[1] == 's' || (p[1] == 'S' && !in_class)) {
                rc = arvis_buf_adds(&b, in_class      ? ECMA_SPACE
                                        : p[1] == 's' ? "[" ECMA_SPACE "]"
                                                      : "[^" ECMA_SPACE "]");
                p++;
            } else {
                rc = arvis_buf_add(&b, p, 2);
                p++;
            }
        } else if (*p == '.' && !in_class) {
            rc = arvis_buf_adds(&b, "[^\\n\\r\\x{2028}\\x{2029}]");
        } else {
            if (*p == '[' && !in_class) {
                in_class = true;
                rc = arvis_buf_addc(&b, *p);
                if (rc == ARVIS_OK && p[1] == '^') {
                    rc = arvis_buf_addc(&b, *++p);
                }
                continue; /* a "]" right here ends the class: ECMA's empty class */
            }
            in_class = in_class && *p != ']';
            rc = arvis_buf_addc(&b, *p);
        }
    }
    if (rc != ARVIS_OK) {
        arvis_buf_free(&b);
        return NULL;
    }
    return arvis_buf_take(&b);
}

static struct regex_entry *regex_get(schema_validator *v, const char *pattern)
{
    for (struct regex_entry *e = v->regexes; e; e = e->next) {
        if (strcmp(e->pattern, pattern) == 0) {
            return e;
        }
    }
    struct regex_entry *e = calloc(1, sizeof *e);
    if (!e || !(e->pattern = strdup(pattern))) {
        free(e);
        return NULL;
    }
    int code;
    PCRE2_SIZE offset;
    char *ecma = ecma_to_pcre(pattern);
    /* ECMA-262: "$" matches only at the very end, not before a final newline; "[]" matches
     * nothing and "[^]" any character. */
    e->code = ecma ? pcre2_compile((PCRE2_SPTR)ecma, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALLOW_EMPTY_CLASS,
                                   &code, &offset, NULL)
                   : NULL;
    free(ecma);
    e->next = v->regexes;
    v->regexes = e;
    return e;
}

bool v_regex_match(schema_validator *v, const char *pattern, const char *subject, bool *bad)
{
    struct regex_entry *e = regex_get(v, pattern);
    if (!e || !e->code) {
        *bad = true;
        return false;
    }
    int rc = pcre2_match(e->code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, v->match, NULL);
    return rc >= 0;
}
