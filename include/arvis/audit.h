/* The audit log: one JSON line per event (time, event, component, status, details) appended to
 * audit.jsonl in the state folder, rotated by size, old archives removed by age. */
#ifndef ARVIS_AUDIT_H
#define ARVIS_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "arvis/config.h"
#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

#define ARVIS_AUDIT_FILE "audit.jsonl" /* in the state folder */
#define ARVIS_AUDIT_LINE_MAX 65536     /* bytes of one record; longer details are cut */

typedef struct arvis_audit_params {
    bool enabled;              /* false: records are accepted and dropped */
    size_t max_log_size;       /* bytes; the log is rotated before a record would pass it */
    unsigned max_log_age_days; /* archives last written longer ago are removed */
    const char *path;          /* NULL: audit.jsonl in the state folder */
} arvis_audit_params;

/* The schema's defaults (security.audit.*): enabled, 10 MiB, 90 days, the default path. */
arvis_audit_params arvis_audit_default_params(void);

/* Fills p from security.audit of cfg; the path is left as it was. */
void arvis_audit_params_from_config(const arvis_config *cfg, arvis_audit_params *p);

typedef struct arvis_audit arvis_audit;

/* Prepares an audit log and removes archives older than max_log_age_days. The file itself is
 * opened (and its folder created) at the first record, so a log that cannot be written is
 * reported by arvis_audit_write. Fails with ARVIS_E_INVAL (bad params), ARVIS_E_NOMEM or
 * ARVIS_E_NOTFOUND (no state folder). The caller closes it. */
int arvis_audit_open(const arvis_audit_params *p, arvis_audit **out, arvis_error *err);

/* fsyncs and closes the log, so that a clean exit keeps every record. a may be NULL. */
void arvis_audit_close(arvis_audit *a);

/* One event. The strings and JSON are read during the call only. */
typedef struct arvis_audit_record {
    double time;                 /* wall-clock seconds since the epoch; 0: now */
    const char *event;           /* what happened: "health.status_changed" */
    const char *component;       /* NULL: "arvis" */
    const char *status;          /* NULL: "" */
    const struct cJSON *details; /* an object, or NULL for {} */
    /* NULL, or an object whose members are written after the five fields (one named like them
     * is left out); the notification records keep their level and message there. */
    const struct cJSON *extra;
} arvis_audit_record;

/* Appends one record as one write() of a whole line (O_APPEND), so several threads and
 * processes can write the same log without tearing lines. Rotates first when the record would
 * take the file past max_log_size: audit.jsonl becomes audit-YYYYMMDDTHHMMSS.jsonl (UTC; -N
 * added when that name is taken) and archives past their age are removed. Thread-safe.
 * A failure (full disk, unwritable folder) is returned once, when it starts, with a message;
 * while it lasts, later records are counted as lost and ARVIS_OK is returned, and each record
 * tries the file again, so writing resumes by itself. ARVIS_E_INVAL for a record without an
 * event; bytes that are not UTF-8 are written as U+FFFD. */
int arvis_audit_write(arvis_audit *a, const arvis_audit_record *r, arvis_error *err);

/* True while records are being lost (the latest write failed). */
bool arvis_audit_failing(const arvis_audit *a);

/* Flushes what was written to the disk (fsync). */
int arvis_audit_sync(arvis_audit *a, arvis_error *err);

/* The log's path; owned by a. */
const char *arvis_audit_path(const arvis_audit *a);

typedef struct arvis_audit_stats {
    unsigned long written;   /* records written */
    unsigned long lost;      /* records lost to a failure */
    unsigned long rotations; /* times this object rotated the log */
    unsigned long removed;   /* archives removed for their age */
} arvis_audit_stats;

arvis_audit_stats arvis_audit_get_stats(const arvis_audit *a);

#ifdef __cplusplus
}
#endif

#endif
