/* Configuration: one JSON Schema (compiled in) defines every key. Values are layered as
 * schema defaults <- config file <- ARVIS_* environment <- --set, validated once, then read typed.
 */
#ifndef ARVIS_CONFIG_H
#define ARVIS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

/* The config_version this build writes; older files are migrated step by step. */
#define ARVIS_CONFIG_VERSION 1

/* Largest config file Arvis reads. */
#define ARVIS_CONFIG_MAX_BYTES (1024 * 1024)

typedef enum arvis_config_severity {
    ARVIS_CONFIG_ERROR,
    ARVIS_CONFIG_WARNING,
    ARVIS_CONFIG_NOTE,
} arvis_config_severity;

/* One finding about a configuration: an error, a warning, or a note of what a migration did. */
typedef struct arvis_config_issue {
    arvis_config_severity severity;
    char *path;     /* key path such as "llm.temperature"; NULL when not about one key */
    char *rule;     /* what was checked: "maximum", "type", "syntax", "renamed"... */
    char *expected; /* what the rule wants, as text; may be NULL */
    char *found;    /* what was there, as text (secrets hidden); may be NULL */
    char *message;  /* the whole sentence, path included */
} arvis_config_issue;

/* Findings, in the order they were made. At most ARVIS_CONFIG_REPORT_MAX are kept; the counts
 * include the ones left out. */
typedef struct arvis_config_report {
    arvis_config_issue *items;
    size_t count;
    size_t cap;
    size_t errors;
    size_t warnings;
    size_t notes;
} arvis_config_report;

#define ARVIS_CONFIG_REPORT_MAX 100

void arvis_config_report_init(arvis_config_report *r);
void arvis_config_report_free(arvis_config_report *r);

typedef struct arvis_config_options {
    const char *file;        /* NULL: config.json in the config folder */
    bool require_file;       /* a missing file is an error rather than "use the defaults" */
    bool ignore_env;         /* do not read ARVIS_* environment variables */
    const char *const *sets; /* "key=value" overrides, applied last */
    size_t n_sets;
} arvis_config_options;

typedef struct arvis_config arvis_config;

/* Loads, migrates (in memory), merges and validates the configuration. On success *out is the
 * effective configuration (free it with arvis_config_free) and report may hold warnings. On
 * failure *out is NULL, err has one sentence and report lists every problem found: the status is
 * ARVIS_E_PARSE, ARVIS_E_UTF8 or ARVIS_E_SCHEMA for a wrong config, ARVIS_E_VERSION for a file
 * from a newer Arvis, ARVIS_E_NOTFOUND, ARVIS_E_PERM, ARVIS_E_TOOBIG or ARVIS_E_IO for the file. */
int arvis_config_load(const arvis_config_options *opts, arvis_config **out,
                      arvis_config_report *report, arvis_error *err);

void arvis_config_free(arvis_config *cfg);

/* Path of the config file this configuration was read from (it may not exist). */
const char *arvis_config_path(const arvis_config *cfg);

/* True when the config file existed when it was loaded. */
bool arvis_config_file_exists(const arvis_config *cfg);

/* config_version of the file as found, before any in-memory migration (0 for an Arvis v1.5
 * file), or ARVIS_CONFIG_VERSION when there was no file. */
int arvis_config_file_version(const arvis_config *cfg);

/* Typed reads of a key defined in the schema. The configuration is validated, so a defined key
 * always has a value of its type; a key that is not defined (a programming error) is logged and
 * gives 0, false or NULL. Strings belong to cfg. */
int64_t arvis_config_int(const arvis_config *cfg, const char *key);
double arvis_config_number(const arvis_config *cfg, const char *key);
bool arvis_config_bool(const arvis_config *cfg, const char *key);
const char *arvis_config_string(const arvis_config *cfg, const char *key);

/* The value at key (any type) or NULL when absent. Belongs to cfg. */
const struct cJSON *arvis_config_get(const arvis_config *cfg, const char *key);

/* The whole effective configuration as JSON text, secrets replaced by "********".
 * indent as for arvis_json_print. The caller frees; NULL when out of memory. */
char *arvis_config_to_text(const arvis_config *cfg, int indent);

typedef enum arvis_config_origin {
    ARVIS_CONFIG_FROM_DEFAULT,
    ARVIS_CONFIG_FROM_FILE,
    ARVIS_CONFIG_FROM_ENV,
    ARVIS_CONFIG_FROM_SET,
} arvis_config_origin;

/* One key of the effective configuration, as arvis_config_each reports it. */
typedef struct arvis_config_leaf {
    const char *key;           /* "llm.model" */
    const char *env;           /* "ARVIS_LLM_MODEL" */
    const struct cJSON *value; /* secrets already hidden; NULL when the key has no value */
    arvis_config_origin origin;
    bool secret;
} arvis_config_leaf;

/* Calls cb for every key the schema defines, in schema order; a non-zero return from cb stops
 * the walk and is returned. cb runs on the calling thread. */
int arvis_config_each(const arvis_config *cfg, int (*cb)(const arvis_config_leaf *leaf, void *ud),
                      void *ud);

/* Checks that key names something the schema defines (a section, a key, or an entry of a map
 * such as stt.pocketsphinx.words.NAME). Returns ARVIS_OK, or ARVIS_E_NOTFOUND with a message in
 * err that suggests the nearest defined key. */
int arvis_config_check_key(const char *key, arvis_error *err);

/* What a change to the config file did. */
typedef struct arvis_config_edit {
    char *old_text;     /* the key's value in the file before (JSON), NULL when it was not set */
    char *new_text;     /* the value after (JSON), NULL after an unset */
    int migrated_from;  /* the file's config_version when it had to be migrated first, else -1 */
    bool wrote;         /* false when the file did not need to change */
    char *override_env; /* an ARVIS_* variable that overrides this key right now, or NULL */
} arvis_config_edit;

void arvis_config_edit_free(arvis_config_edit *e);

/* Sets key to value_text in the config file (file NULL: the default one). The text is read by
 * the key's schema type: numbers, booleans, null, and arrays or objects as JSON; strings as they
 * are. The file is changed only when the result validates, atomically, keeping a .bak. On refusal
 * report lists why and the file is left byte-identical; a result whose text would be larger than
 * ARVIS_CONFIG_MAX_BYTES (so Arvis could not read it back) is refused with ARVIS_E_TOOBIG. */
int arvis_config_set(const char *file, const char *key, const char *value_text,
                     arvis_config_edit *edit, arvis_config_report *report, arvis_error *err);

/* Removes key from the config file so its default applies again; same guarantees as set. */
int arvis_config_unset(const char *file, const char *key, arvis_config_edit *edit,
                       arvis_config_report *report, arvis_error *err);

/* Brings the config file to ARVIS_CONFIG_VERSION. report receives a note per change and a
 * warning per value that could not be carried over as it was (such values are kept in the legacy
 * section). With dry_run nothing is written; otherwise the old file is kept as .bak. *from gets
 * the file's version; *text, when not NULL, the migrated file text (the caller frees; NULL on
 * failure). A result larger than ARVIS_CONFIG_MAX_BYTES is refused with ARVIS_E_TOOBIG, dry run
 * or not. */
int arvis_config_migrate(const char *file, bool dry_run, int *from, char **text,
                         arvis_config_report *report, arvis_error *err);

/* The embedded schema text (NUL-terminated, static). */
const char *arvis_config_schema_text(size_t *len);

/* The configuration reference in Markdown, generated from the schema (docs/CONFIG_REFERENCE.md).
 * The caller frees; NULL when out of memory. */
char *arvis_config_reference(void);

/* The default config file path (config.json in the config folder). The caller frees. */
int arvis_config_default_path(char **out, arvis_error *err);

#ifdef __cplusplus
}
#endif

#endif
