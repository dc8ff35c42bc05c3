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

/* Checks that text is exactly one JSON value (RFC 8259) with nothing after it but blanks, and
 * no \u0000, which a cJSON tree cannot hold (json_scan_visit accepts it). On failure stores the
 * byte offset of the problem and a static sentence saying what it is. */
bool json_scan(const char *text, size_t len, size_t *err_off, const char **why);

/* ---- json.c, shared with json_scan.c ---- */

struct cJSON;

/* Longest key path kept for a message; longer ones are cut. */
enum { JSON_KEY_PATH_MAX = 256 };

/* Writes "parent.key" (or "key" below the root) into out, cut when too long. */
void json_child_path(char *out, size_t size, const char *parent_path, const char *key);

/* One member of an object, for a sorted index over its keys. */
struct json_member {
    const char *key;
    struct cJSON *item;
    size_t index; /* position in the object */
};

/* obj's members sorted by key, ties in document order, in an array the caller frees (*n
 * members); NULL when out of memory. Sorting keeps duplicate checks and lookups O(n log n)
 * however many keys a hostile file holds. */
struct json_member *json_sorted_members(const struct cJSON *obj, size_t *n);

/* The first member named key in a sorted array of n, or NULL. */
struct json_member *json_find_member(struct json_member *m, size_t n, const char *key);

#endif
