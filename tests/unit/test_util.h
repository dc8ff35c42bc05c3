/* Helpers for the unit tests: a fresh temporary ARVIS_HOME per test, and small file helpers.
 * Include after cmocka's prerequisites. */
#ifndef ARVIS_TEST_UTIL_H
#define ARVIS_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "arvis/config.h"
#include "arvis/llm.h"

struct cJSON;

/* Creates a new empty temporary folder and returns its path (static storage, overwritten by the
 * next call). Fails the test when it cannot. */
const char *tu_tempdir(void);

/* A fresh temporary folder set as ARVIS_HOME, with the XDG variables cleared. Returns its path. */
const char *tu_fresh_home(void);

/* Removes a folder and everything in it. */
void tu_rmtree(const char *path);

/* Writes len bytes (len -1: strlen) to path, failing the test on error. */
void tu_write(const char *path, const char *data, long len);

/* Reads a whole file (NUL-terminated) or returns NULL; the caller frees. */
char *tu_read(const char *path, size_t *len);

/* "dir/name" in static storage (one of a few rotating buffers). */
const char *tu_path(const char *dir, const char *name);

/* Number of entries in a folder, not counting . and .. */
int tu_count_entries(const char *dir);

/* Parses test JSON, failing the test when it is malformed. The caller deletes it. */
struct cJSON *tu_json(const char *text);

/* The configuration of a fresh ARVIS_HOME (no file, no environment) with the NULL-terminated
 * "key=value" overrides sets (may be NULL), failing the test when it does not load. */
arvis_config *tu_config(const char *const *sets);

/* History helpers that fail the test on any error: load (expecting no warning), add, save. */
arvis_history *tu_history_load(const char *path, size_t max);
void tu_history_add(arvis_history *h, const char *role, const char *content, bool cut);
void tu_history_save(const arvis_history *h);

#endif
