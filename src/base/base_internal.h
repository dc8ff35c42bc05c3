/* Shared between the files of the base library only. */
#ifndef ARVIS_BASE_INTERNAL_H
#define ARVIS_BASE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* Path segments kept while scanning; values nested deeper are checked but not visited. */
enum { JSON_PATH_MAX = 8 };

/* One step of the path to a value: an object key (not unescaped) or an array index. */
struct json_seg {
    const char *key; /* NULL inside an array */
    size_t key_len;
    size_t index;
};

/* Called for each value once it is scanned: its path from the root (n segments) and its text
 * (strings with their quotes). */
typedef void (*json_visit_fn)(void *ud, const struct json_seg *path, int n, const char *start,
                              const char *end);

/* json_scan that also calls visit for every value. */
bool json_scan_visit(const char *text, size_t len, json_visit_fn visit, void *ud, size_t *err_off,
                     const char **why);

/* Checks that text is exactly one JSON value (RFC 8259) with nothing after it but blanks.
 * On failure stores the byte offset of the problem and a static sentence saying what it is. */
bool json_scan(const char *text, size_t len, size_t *err_off, const char **why);

#endif
