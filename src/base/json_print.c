/* JSON output: compact or indented text, shortest round-trip numbers, UTF-8 kept as is.
 * Invalid UTF-8 inside a string (only possible for values built in code) becomes U+FFFD. */
#include "arvis/json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/buf.h"
#include "arvis/utf8.h"

enum {
    PRINT_MAX = 256 * 1024 * 1024, /* far above any document Arvis writes */
    INLINE_ARRAY_WIDTH = 72,       /* arrays of scalars up to this width stay on one line */
    MAX_EXACT_INTEGER = 15,        /* decimal digits a double holds exactly */
    INDENT_RUN = 64,               /* spaces added by one call */
};

char *arvis_json_number(double d, char *out, size_t size)
{
    if (!isfinite(d)) {
        snprintf(out, size, "null");
        return out;
    }
    if (d == floor(d) && fabs(d) < 1e15) {
        snprintf(out, size, "%.0f", d == 0 ? 0.0 : d);
        return out;
    }
    for (int prec = MAX_EXACT_INTEGER; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, d);
        if (strtod(out, NULL) == d) {
            break;
        }
    }
    return out;
}

static int print_string(arvis_buf *b, const char *s)
{
    int rc = arvis_buf_addc(b, '"');
    size_t len = strlen(s);
    size_t i = 0;
    while (rc == ARVIS_OK && i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            rc = arvis_buf_add(b, esc, 2);
            i++;
        } else if (c < 0x20) {
            static const char short_esc[] = "btn\0fr";
            if (c >= '\b' && c <= '\r' && c != 0x0B) {
                char esc[2] = {'\\', short_esc[c - '\b']};
                rc = arvis_buf_add(b, esc, 2);
            } else {
                rc = arvis_buf_addf(b, "\\u%04x", c);
            }
            i++;
        } else if (c < 0x80) {
            rc = arvis_buf_addc(b, (char)c);
            i++;
        } else {
            uint32_t cp;
            size_t n = arvis_utf8_decode(s + i, len - i, &cp);
            if (n == 0) {
                rc = arvis_buf_add(b, "\xEF\xBF\xBD", 3);
                i++;
            } else {
                rc = arvis_buf_add(b, s + i, n);
                i += n;
            }
        }
    }
    return rc == ARVIS_OK ? arvis_buf_addc(b, '"') : rc;
}

static int print_value(arvis_buf *b, const cJSON *v, int indent, int level);

/* A line break and the indentation of level, added a run of spaces at a time. */
static int newline(arvis_buf *b, int indent, int level)
{
    char spaces[INDENT_RUN];
    memset(spaces, ' ', sizeof spaces);
    int rc = arvis_buf_addc(b, '\n');
    size_t left = (size_t)indent * (size_t)level;
    while (rc == ARVIS_OK && left > 0) {
        size_t n = left < INDENT_RUN ? left : INDENT_RUN;
        rc = arvis_buf_add(b, spaces, n);
        left -= n;
    }
    return rc;
}

static bool is_scalar(const cJSON *v)
{
    return !cJSON_IsArray(v) && !cJSON_IsObject(v);
}

/* True when every item is a scalar and the one-line form is short. */
static bool array_fits_inline(const cJSON *v)
{
    size_t width = 2;
    for (const cJSON *c = v->child; c; c = c->next) {
        if (!is_scalar(c)) {
            return false;
        }
        width += 2 + (cJSON_IsString(c) ? strlen(c->valuestring) + 2 : 8);
    }
    return width <= INLINE_ARRAY_WIDTH;
}

static int print_container(arvis_buf *b, const cJSON *v, int indent, int level)
{
    bool object = cJSON_IsObject(v);
    int rc = arvis_buf_addc(b, object ? '{' : '[');
    if (!v->child) {
        return rc == ARVIS_OK ? arvis_buf_addc(b, object ? '}' : ']') : rc;
    }
    bool multiline = indent > 0 && (object || !array_fits_inline(v));
    for (const cJSON *c = v->child; c && rc == ARVIS_OK; c = c->next) {
        if (multiline) {
            rc = newline(b, indent, level + 1);
        }
        if (rc == ARVIS_OK && object) {
            rc = print_string(b, c->string);
            if (rc == ARVIS_OK) {
                rc = arvis_buf_adds(b, indent > 0 ? ": " : ":");
            }
        }
        if (rc == ARVIS_OK) {
            rc = print_value(b, c, indent, level + 1);
        }
        if (rc == ARVIS_OK && c->next) {
            rc = arvis_buf_adds(b, (indent > 0 && !multiline) ? ", " : ",");
        }
    }
    if (rc == ARVIS_OK && multiline) {
        rc = newline(b, indent, level);
    }
    return rc == ARVIS_OK ? arvis_buf_addc(b, object ? '}' : ']') : rc;
}

static int print_value(arvis_buf *b, const cJSON *v, int indent, int level)
{
    char num[32];
    if (cJSON_IsNull(v)) {
        return arvis_buf_adds(b, "null");
    }
    if (cJSON_IsBool(v)) {
        return arvis_buf_adds(b, cJSON_IsTrue(v) ? "true" : "false");
    }
    if (cJSON_IsNumber(v)) {
        return arvis_buf_adds(b, arvis_json_number(v->valuedouble, num, sizeof num));
    }
    if (cJSON_IsString(v)) {
        return print_string(b, v->valuestring);
    }
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        return print_container(b, v, indent, level);
    }
    return arvis_buf_adds(b, "null");
}

char *arvis_json_print_max(const cJSON *v, int indent, size_t max, bool *too_big)
{
    arvis_buf b;
    arvis_buf_init(&b, max);
    int rc = print_value(&b, v, indent, 0);
    if (too_big) {
        *too_big = rc == ARVIS_E_TOOBIG;
    }
    if (rc != ARVIS_OK) {
        arvis_buf_free(&b);
        return NULL;
    }
    return arvis_buf_take(&b);
}

char *arvis_json_print(const cJSON *v, int indent)
{
    return arvis_json_print_max(v, indent, PRINT_MAX, NULL);
}

char *arvis_json_describe(const cJSON *v, char *out, size_t size)
{
    char *text = arvis_json_print(v, 0);
    if (!text) {
        snprintf(out, size, "(value)");
        return out;
    }
    size_t len = strlen(text);
    if (len < size) {
        memcpy(out, text, len + 1);
    } else if (size >= sizeof "...") {
        size_t keep = arvis_utf8_truncate(text, len, size - sizeof "...");
        memcpy(out, text, keep);
        memcpy(out + keep, "...", sizeof "...");
    } else if (size > 0) {
        /* No room for any of the value: the dots alone say it was cut. */
        memcpy(out, "...", size - 1);
        out[size - 1] = '\0';
    }
    free(text);
    return out;
}
