/* Reading files with a size limit, and writing them atomically: a temporary file, fsync,
 * rename, with the previous version kept beside it as NAME.bak. */
#ifndef ARVIS_FILE_H
#define ARVIS_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the whole file at path into *out (NUL-terminated; the caller frees) and its length into
 * *len. Fails with ARVIS_E_NOTFOUND when it does not exist, ARVIS_E_INVAL when it is a folder,
 * ARVIS_E_TOOBIG when it holds more than max bytes, ARVIS_E_PERM or ARVIS_E_IO otherwise. */
int arvis_file_read(const char *path, size_t max, char **out, size_t *len, arvis_error *err);

/* Replaces the file at path with len bytes of data so that a reader sees either the old or the
 * new contents, never a mix, even after a crash. When path is a symbolic link, the file it leads
 * to is replaced and the link kept. When the file existed, its previous contents are kept as
 * .bak beside it, and its permissions (and, where allowed, its owner) are kept; a new file gets
 * mode 0600. On failure nothing is changed, path.bak included; the one exception is a .bak that
 * cannot be updated after the new contents are in place, which fails with a message saying the
 * file was written. The folder must exist. */
int arvis_file_write_atomic(const char *path, const void *data, size_t len, arvis_error *err);

/* True when something (file or folder) exists at path. */
bool arvis_file_exists(const char *path);

#ifdef __cplusplus
}
#endif

#endif
