/* Where Arvis keeps things: config, data and state folders after the XDG base directory
 * specification, all three under one directory when ARVIS_HOME is set. */
#ifndef ARVIS_PATHS_H
#define ARVIS_PATHS_H

#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum arvis_place {
    ARVIS_PLACE_CONFIG, /* $XDG_CONFIG_HOME/arvis, or $ARVIS_HOME/config */
    ARVIS_PLACE_DATA,   /* $XDG_DATA_HOME/arvis (history, metrics, notifications, users) */
    ARVIS_PLACE_STATE,  /* $XDG_STATE_HOME/arvis (logs, the audit log) */
} arvis_place;

/* Stores in *out the absolute folder for place (not created). The caller frees *out.
 * Fails with ARVIS_E_NOTFOUND when neither ARVIS_HOME, the XDG variable nor HOME is usable. */
int arvis_place_dir(arvis_place place, char **out, arvis_error *err);

/* Like arvis_place_dir, with "/name" appended. The caller frees *out. */
int arvis_place_file(arvis_place place, const char *name, char **out, arvis_error *err);

/* Returns the name of a place ("config", "data", "state"). */
const char *arvis_place_name(arvis_place place);

/* Joins a folder and a name with one slash. Returns NULL when memory runs out; the caller frees. */
char *arvis_path_join(const char *dir, const char *name);

/* The folder part of path ("." when it has none). The caller frees; NULL when out of memory. */
char *arvis_path_dirname(const char *path);

/* Creates dir and any missing parents with the given mode. Succeeds when dir already exists;
 * fails when something other than a folder is in the way. */
int arvis_mkdirs(const char *dir, unsigned mode, arvis_error *err);

#ifdef __cplusplus
}
#endif

#endif
