/* Process-wide logging: levels, stderr, and a size-rotated file (NAME, NAME.1 ... NAME.N).
 * Thread-safe. Until arvis_log_open is called, warnings and errors go to stderr only. */
#ifndef ARVIS_LOG_H
#define ARVIS_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum arvis_log_level {
    ARVIS_LOG_DEBUG = 0,
    ARVIS_LOG_INFO = 1,
    ARVIS_LOG_WARNING = 2,
    ARVIS_LOG_ERROR = 3,
    ARVIS_LOG_OFF = 4,
} arvis_log_level;

typedef struct arvis_log_options {
    const char *file;             /* log file path, or NULL for no file */
    arvis_log_level file_level;   /* lowest level written to the file */
    arvis_log_level stderr_level; /* lowest level written to stderr */
    size_t max_bytes;             /* rotate the file when it would grow past this */
    unsigned backups;             /* rotated files kept (NAME.1 is the newest) */
} arvis_log_options;

/* Applies opts: opens (creating) the log file, rotating it first when it is already full.
 * Replaces any earlier configuration. On failure logging continues to stderr only. */
int arvis_log_open(const arvis_log_options *opts, arvis_error *err);

/* Closes the log file; later messages go to stderr only, at the configured stderr level. */
void arvis_log_close(void);

/* Writes one line "TIME LEVEL component: message" to the file and, at or above the stderr
 * level, "arvis: level: message" to stderr. Never fails visibly: a write error disables the file.
 */
void arvis_log(arvis_log_level level, const char *component, const char *fmt, ...)
    ARVIS_PRINTF(3, 4);

/* Parses "debug", "info", "warning", "error" or "off" (any case). */
int arvis_log_level_parse(const char *name, arvis_log_level *out);

/* Lower-case name of a level. */
const char *arvis_log_level_name(arvis_log_level level);

#ifdef __cplusplus
}
#endif

#endif
