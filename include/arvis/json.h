/* The one JSON helper, over cJSON: strict parsing with line and column in errors, printing
 * with two-space indentation, deep equality, dotted key paths ("llm.model") and deep merge. */
#ifndef ARVIS_JSON_H
#define ARVIS_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "arvis/buf.h"
#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

/* Parses len bytes of text as one JSON value into *out (the caller frees it with cJSON_Delete).
 * A leading UTF-8 byte-order mark is skipped. Refuses, with the line and column in err: invalid
 * UTF-8 (ARVIS_E_UTF8), empty text, syntax errors and text after the value (ARVIS_E_PARSE); also
 * refuses duplicate keys in one object and numbers too large to represent (ARVIS_E_PARSE, naming
 * the key path). */
int arvis_json_parse(const char *text, size_t len, struct cJSON **out, arvis_error *err);

/* Prints v as JSON text. indent 0 prints it on one line; indent > 0 prints it over several lines
 * with that many spaces per level (short arrays of scalars stay on one line). Non-ASCII text is
 * kept as UTF-8. Returns a string the caller frees, or NULL when memory runs out. */
char *arvis_json_print(const struct cJSON *v, int indent);

/* arvis_json_print that stops at max bytes: NULL, with *too_big (may be NULL) set, when the text
 * would be longer, so a small tree that prints large (deep indentation) costs at most max. */
char *arvis_json_print_max(const struct cJSON *v, int indent, size_t max, bool *too_big);

/* Prints v on one line into out (size bytes), cut at a character boundary and ended with "..."
 * when longer. For messages. Returns out. */
char *arvis_json_describe(const struct cJSON *v, char *out, size_t size);

/* Formats a number the shortest way that reads back to the same double ("0.7", "5242880").
 * out must hold at least 32 bytes. Returns out. */
char *arvis_json_number(double d, char *out, size_t size);

/* JSON-type name for messages: "null", "boolean", "number", "string", "array" or "object". */
const char *arvis_json_type_name(const struct cJSON *v);

/* Deep equality as JSON Schema defines it: numbers compare by value (1 equals 1.0), objects
 * regardless of key order, arrays in order. */
bool arvis_json_equal(const struct cJSON *a, const struct cJSON *b);

/* The value at dotted path in root ("" is root itself), or NULL when absent. A path with an
 * empty segment ("llm.", "a..b") names nothing. */
struct cJSON *arvis_json_at(const struct cJSON *root, const char *path);

/* Stores value at dotted path, creating missing objects on the way and replacing what was there.
 * Takes ownership of value in every case. Fails with ARVIS_E_INVAL when a non-object is in the
 * way or the path is empty or has an empty segment, ARVIS_E_NOMEM when out of memory. */
int arvis_json_put(struct cJSON *root, const char *path, struct cJSON *value);

/* Removes the value at dotted path and returns it (the caller owns it), or NULL when absent.
 * Objects left empty on the way are removed too. */
struct cJSON *arvis_json_take(struct cJSON *root, const char *path);

/* Deep-merges a copy of src into dst: objects merge key by key, anything else replaces. Objects
 * must not repeat a key (parsed trees never do); large ones are merged in O(n log n). */
int arvis_json_merge(struct cJSON *dst, const struct cJSON *src);

/* Deep-merges a copy of src into dst like arvis_json_merge, but never replaces what dst holds:
 * a value of src that would replace one (or sit below a value that is not an object) is stored
 * beside it under the first free name KEY~1, KEY~2... renamed_cb (may be NULL) hears the dotted
 * path below dst of each such place, on the calling thread. */
int arvis_json_merge_keep(struct cJSON *dst, const struct cJSON *src,
                          void (*renamed_cb)(const char *path, void *ud), void *ud);

/* ---- Reading a few fields fast (streamed lines), without building a tree ---- */

typedef enum arvis_json_kind {
    ARVIS_JSON_ABSENT = 0,
    ARVIS_JSON_NULL,
    ARVIS_JSON_BOOL,
    ARVIS_JSON_NUMBER,
    ARVIS_JSON_STRING,
    ARVIS_JSON_ARRAY,
    ARVIS_JSON_OBJECT,
} arvis_json_kind;

/* A field to look for, and what was found there. */
typedef struct arvis_json_field {
    const char *path;     /* in: dotted path; array items by number: "choices.0.delta.content" */
    arvis_json_kind kind; /* out: ARVIS_JSON_ABSENT when the text has no value there */
    const char *start; /* out: the value's text; for a string, its first byte inside the quotes */
    size_t len;        /* out: its length (a string's without the quotes) */
} arvis_json_field;

/* Checks that text is one strict JSON value and fills in each field found, in one pass and
 * without allocating. Paths up to eight levels deep; keys are compared as written. Fails with
 * ARVIS_E_PARSE (line and column in err) on malformed text. The caller checks UTF-8. */
int arvis_json_extract(const char *text, size_t len, arvis_json_field *fields, size_t n,
                       arvis_error *err);

/* The paths of a set of fields, split once: for reading many lines with the same fields. The
 * segments point into the path strings, which must outlive it. */
typedef struct arvis_json_paths {
    size_t n;
    struct arvis_json_path {
        const char *segs[8];
        size_t lens[8];
        int depth;
    } path[32];
} arvis_json_paths;

/* Splits paths[0..n) (at most 32, each at most eight levels deep). */
int arvis_json_paths_init(arvis_json_paths *p, const char *const *paths, size_t n,
                          arvis_error *err);

/* arvis_json_extract with prepared paths: fields[i] gets what p's i-th path found (its path
 * member is not read). */
int arvis_json_extract_paths(const arvis_json_paths *p, const char *text, size_t len,
                             arvis_json_field *fields, arvis_error *err);

/* Appends a found string field to out with its escapes decoded (to UTF-8). Other kinds append
 * nothing and return ARVIS_E_INVAL. */
int arvis_json_field_string(const arvis_json_field *f, arvis_buf *out);

/* The number a found number field holds; 0 for anything else. */
double arvis_json_field_number(const arvis_json_field *f);

/* True for a found `true`. */
bool arvis_json_field_true(const arvis_json_field *f);

/* True when a string field equals s exactly (no escapes involved). */
bool arvis_json_field_is(const arvis_json_field *f, const char *s);

#ifdef __cplusplus
}
#endif

#endif
