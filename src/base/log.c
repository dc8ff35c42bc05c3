/* The logger: one mutex, one FILE, size-based rotation with a fixed number of backups.
 * Logging must never take the process down, so failures only disable the file. */
#include "arvis/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "arvis/clock.h"

enum { LOG_LINE_MAX = 2048, LOG_BACKUPS_MAX = 99 };

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static char *log_path;
static size_t log_size;
static size_t log_max_bytes;
static unsigned log_backups;
static arvis_log_level log_file_level = ARVIS_LOG_INFO;
static arvis_log_level log_stderr_level = ARVIS_LOG_WARNING;

static const char *const level_names[] = {"debug", "info", "warning", "error", "off"};

const char *arvis_log_level_name(arvis_log_level level)
{
    return (unsigned)level <= ARVIS_LOG_OFF ? level_names[level] : "unknown";
}

int arvis_log_level_parse(const char *name, arvis_log_level *out)
{
    for (unsigned i = 0; i <= ARVIS_LOG_OFF; i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            *out = (arvis_log_level)i;
            return ARVIS_OK;
        }
    }
    return ARVIS_E_INVAL;
}

/* NAME.(N-1) -> NAME.N ... NAME -> NAME.1; the oldest falls off the end. Called locked. */
static void rotate_locked(void)
{
    size_t plen = strlen(log_path);
    size_t size = plen + 8;
    char *from = malloc(size);
    char *to = malloc(size);
    if (from && to) {
        for (unsigned i = log_backups; i >= 1; i--) {
            snprintf(to, size, "%s.%u", log_path, i);
            if (i == 1) {
                snprintf(from, size, "%s", log_path);
            } else {
                snprintf(from, size, "%s.%u", log_path, i - 1);
            }
            rename(from, to);
        }
        if (log_backups == 0) {
            remove(log_path);
        }
    }
    free(from);
    free(to);
}

static int open_file_locked(arvis_error *err)
{
    log_file = fopen(log_path, "a");
    if (!log_file) {
        return arvis_error_errno(err, errno, "cannot open the log file %s", log_path);
    }
    struct stat st;
    log_size = fstat(fileno(log_file), &st) == 0 ? (size_t)st.st_size : 0;
    return ARVIS_OK;
}

static void close_file_locked(void)
{
    if (log_file) {
        fclose(log_file);
        log_file = NULL;
    }
    free(log_path);
    log_path = NULL;
}

int arvis_log_open(const arvis_log_options *opts, arvis_error *err)
{
    pthread_mutex_lock(&log_lock);
    close_file_locked();
    log_file_level = opts->file_level;
    log_stderr_level = opts->stderr_level;
    log_max_bytes = opts->max_bytes;
    log_backups = opts->backups > LOG_BACKUPS_MAX ? LOG_BACKUPS_MAX : opts->backups;
    int rc = ARVIS_OK;
    if (opts->file) {
        log_path = strdup(opts->file);
        if (!log_path) {
            rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
        } else {
            rc = open_file_locked(err);
            if (rc == ARVIS_OK && log_max_bytes > 0 && log_size >= log_max_bytes) {
                fclose(log_file);
                rotate_locked();
                rc = open_file_locked(err);
            }
            if (rc != ARVIS_OK) {
                close_file_locked();
            }
        }
    }
    pthread_mutex_unlock(&log_lock);
    return rc;
}

void arvis_log_close(void)
{
    pthread_mutex_lock(&log_lock);
    close_file_locked();
    pthread_mutex_unlock(&log_lock);
}

static void write_file_locked(const char *line, size_t len)
{
    if (log_max_bytes > 0 && log_size + len > log_max_bytes && log_size > 0) {
        fclose(log_file);
        log_file = NULL;
        rotate_locked();
        if (open_file_locked(NULL) != ARVIS_OK) {
            return;
        }
    }
    if (fwrite(line, 1, len, log_file) != len || fflush(log_file) != 0) {
        /* A full disk must not turn every later message into another failure. */
        fclose(log_file);
        log_file = NULL;
        return;
    }
    log_size += len;
}

void arvis_log(arvis_log_level level, const char *component, const char *fmt, ...)
{
    if (level >= ARVIS_LOG_OFF) {
        return;
    }
    char msg[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    pthread_mutex_lock(&log_lock);
    if (log_file && level >= log_file_level) {
        char stamp[32];
        char line[LOG_LINE_MAX + 96];
        arvis_clock_iso8601(arvis_clock_wall(), stamp, sizeof stamp);
        int n = snprintf(line, sizeof line, "%s %-7s %s: %s\n", stamp, level_names[level],
                         component, msg);
        if (n > 0) {
            size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
            write_file_locked(line, len);
        }
    }
    if (level >= log_stderr_level) {
        fprintf(stderr, "arvis: %s: %s\n", level_names[level], msg);
    }
    pthread_mutex_unlock(&log_lock);
}
