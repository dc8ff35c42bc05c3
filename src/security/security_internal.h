/* Shared by the files of the security module: the audit log's archive names and the removal of
 * archives past their age (audit_files.c), used by the writer (audit.c). */
#ifndef ARVIS_SECURITY_INTERNAL_H
#define ARVIS_SECURITY_INTERNAL_H

#include <stddef.h>

#include "arvis/audit.h"

enum { SECURITY_DIR_MODE = 0700, SECURITY_FILE_MODE = 0600 };

/* Moves the log at path aside as an archive beside it, NAME-YYYYMMDDTHHMMSS.EXT after the wall
 * time now (UTC), with -N added when that name is taken. ARVIS_OK, or the rename's failure. */
int audit_archive(const char *path, double now, arvis_error *err);

/* Removes the archives of the log at path whose last write is more than max_age_days before
 * now. Returns how many were removed; what cannot be removed is left for the next time. */
unsigned long audit_remove_old(const char *path, unsigned max_age_days, double now);

#endif
