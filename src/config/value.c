/* Reads a value typed on a command line or in an environment variable by the type its key
 * has in the schema, so "0.5" becomes a number and "flite" stays a string. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arvis/json.h"
#include "config_internal.h"

enum {
    T_NULL = 1,
    T_BOOLEAN = 2,
    T_INTEGER = 4,
    T_NUMBER = 8,
    T_STRING = 16,
    T_ARRAY = 32,
    T_OBJECT = 64,
    T_ANY = 127,
};

static unsigned type_bit(const char *name)
{
    static const char *const names[] = {"null",   "boolean", "integer", "number",
                                        "string", "array",   "object"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i]) == 0) {
            return 1u << i;
        }
    }
    return 0;
}

static unsigned allowed_types(const cJSON *node)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "type");
    if (cJSON_IsString(type)) {
        return type_bit(type->valuestring);
    }
    unsigned bits = 0;
    for (const cJSON *t = cJSON_IsArray(type) ? type->child : NULL; t; t = t->next) {
        bits |= cJSON_IsString(t) ? type_bit(t->valuestring) : 0;
    }
    return bits ? bits : T_ANY;
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool parse_number(const char *s, double *out)
{
    if (!*s) {
        return false;
    }
    errno = 0;
    char *end;
    double d = strtod(s, &end);
    if (*end || errno == ERANGE || !isfinite(d)) {
        return false;
    }
    /* strtod also takes hex, "inf" and "nan"; configs hold decimal numbers only. */
    for (const char *p = s; *p; p++) {
        if (!strchr("0123456789+-.eE", *p)) {
            return false;
        }
    }
    *out = d;
    return true;
}

int config_parse_value(const cJSON *node, const char *text, cJSON **out, arvis_error *err)
{
    unsigned types = allowed_types(node);
    *out = NULL;
    if ((types & T_NULL) && strcmp(text, "null") == 0) {
        *out = cJSON_CreateNull();
    } else if (types & T_BOOLEAN) {
        bool b;
        if (parse_bool(text, &b)) {
            *out = cJSON_CreateBool(b);
        } else if (!(types & ~(T_BOOLEAN | T_NULL))) {
            return arvis_error_set(err, ARVIS_E_INVAL, "\"%s\" is not a boolean: use true or false",
                                   text);
        }
    }
    if (!*out && (types & (T_INTEGER | T_NUMBER))) {
        double d;
        if (parse_number(text, &d)) {
            if (!(types & T_NUMBER) && floor(d) != d) {
                return arvis_error_set(err, ARVIS_E_INVAL, "\"%s\" is not a whole number", text);
            }
            *out = cJSON_CreateNumber(d);
        } else if (!(types & ~(T_INTEGER | T_NUMBER | T_NULL))) {
            return arvis_error_set(err, ARVIS_E_INVAL, "\"%s\" is not a %s", text,
                                   (types & T_NUMBER) ? "number" : "whole number");
        }
    }
    if (!*out && (types & (T_ARRAY | T_OBJECT)) && !(types & T_STRING)) {
        arvis_error perr;
        int rc = arvis_json_parse(text, strlen(text), out, &perr);
        if (rc != ARVIS_OK) {
            return arvis_error_set(err, ARVIS_E_INVAL, "expected a JSON %s such as %s: %s",
                                   (types & T_ARRAY) ? "array" : "object",
                                   (types & T_ARRAY) ? "[\"a\", \"b\"]" : "{\"name\": \"value\"}",
                                   perr.msg);
        }
        return ARVIS_OK;
    }
    if (!*out && (types & T_STRING)) {
        *out = cJSON_CreateString(text);
    }
    if (!*out) {
        /* Only reachable for keys whose schema allows no type we can read from text. */
        return arvis_error_set(err, ARVIS_E_INVAL, "\"%s\" cannot be read as this key's type",
                               text);
    }
    return ARVIS_OK;
}
