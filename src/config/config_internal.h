/* Shared between the files of the config subsystem: the compiled-in schema and walks over it,
 * the draft-07 validator, value parsing, the environment layer and the migrations. */
#ifndef ARVIS_CONFIG_INTERNAL_H
#define ARVIS_CONFIG_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "arvis/config.h"
#include "arvis/error.h"

/* ---- report.c ---- */

/* Appends a finding; path, rule, expected and found may be NULL. Returns ARVIS_OK or
 * ARVIS_E_NOMEM. Beyond ARVIS_CONFIG_REPORT_MAX findings only the counts grow. */
int report_add(arvis_config_report *r, arvis_config_severity severity, const char *path,
               const char *rule, const char *expected, const char *found, const char *fmt, ...)
    ARVIS_PRINTF(7, 8);

/* Splits an issue path as the validator writes it ("llm.model", "[\"a b\"].c", "tts.fallback[1]")
 * into object keys, up to the first array index (a problem inside an array is about the whole
 * array). The keys are copied into buf (size bytes); segs[0..*n) point at them. False when the
 * path does not fit or has another form. */
bool config_issue_segs(const char *path, char *buf, size_t size, const char **segs, size_t max,
                       size_t *n);

/* The value at a path given as keys (which may hold dots), or NULL. */
cJSON *config_at_segs(const cJSON *root, const char *const *segs, size_t n);

/* Levenshtein distance between two short strings (each cut at 64 bytes). */
size_t config_distance(const char *a, const char *b);

/* ---- schema.c ---- */

/* The parsed, compiled-in schema. Parsed once; never NULL after a successful build. */
const cJSON *config_schema(void);

/* Follows a local $ref ("#/definitions/x") chain from node; returns node when it has none. */
const cJSON *schema_resolve(const cJSON *node);

/* The resolved schema node for a dotted key path, or NULL when the schema does not define it
 * (the empty path and paths with an empty segment, such as "llm.", define nothing). Entries of
 * maps (a section whose additionalProperties is a schema) are found too. */
const cJSON *schema_node(const char *path);

/* The schema node of `path` as written (unresolved), so annotations beside a $ref can be read. */
const cJSON *schema_node_raw(const char *path);

/* True for a section: a node with "properties". Everything else is a key (a leaf). */
bool schema_is_section(const cJSON *node);

/* True for a secret (writeOnly) key. */
bool schema_is_secret(const cJSON *raw_node);

/* Calls cb(path, raw_node, resolved_node) for every leaf key in schema order. */
int schema_each_leaf(int (*cb)(const char *path, const cJSON *raw, const cJSON *node, void *ud),
                     void *ud);

/* The environment variable for a key: "ARVIS_" + the path in capitals, '.' and '-' as '_'.
 * Writes into out (size bytes). */
void schema_env_name(const char *path, char *out, size_t size);

/* A new tree with every default the schema defines. NULL when out of memory. */
cJSON *schema_defaults(void);

/* Writes into out the defined key path nearest to `path`, for "did you mean". Returns false
 * when none is close. */
bool schema_suggest(const char *path, char *out, size_t size);

/* ---- validate.c, validate_types.c, validate_ref.c ---- */

typedef struct schema_validator schema_validator;

/* A validator for the schema document `root` (not copied: it must outlive the validator). */
int validator_create(const cJSON *root, schema_validator **out);

/* Makes another schema document known under an absolute URI, for $ref to it. Not copied. */
int validator_add_document(schema_validator *v, const char *uri, const cJSON *doc);

/* Validates instance. Every problem goes to report (when not NULL). Returns true when valid. */
bool validator_check(schema_validator *v, const cJSON *instance, arvis_config_report *report);

/* True when value would be valid at key (a key path the schema defines); otherwise why (size
 * bytes) receives the first problem, such as "expected an integer, found 2.5". */
bool config_value_fits(const char *key, const cJSON *value, char *why, size_t size);

void validator_destroy(schema_validator *v);

/* ---- value.c ---- */

/* Reads text as a value of the type the schema node allows: strings as they are; numbers,
 * booleans and null by their JSON spelling; arrays and objects as JSON. The result still needs
 * validation. *out is owned by the caller. */
int config_parse_value(const cJSON *node, const char *text, cJSON **out, arvis_error *err);

/* ---- env.c ---- */

/* Builds the layer of ARVIS_* environment variables. Bad values are errors in report; variables
 * that name no key are warnings. */
int config_env_layer(cJSON **out, arvis_config_report *report);

/* Warns about ARVIS_* variables that name no key, except ARVIS_HOME and the variable that
 * llm.api_key_env names (a user may keep the model server's key in an ARVIS_ variable). */
void config_env_warn_unknown(arvis_config_report *report, const char *api_key_env);

/* ---- load.c ---- */

struct arvis_config {
    char *path;
    bool file_exists;
    int file_version;
    cJSON *file;     /* the file layer, migrated; NULL when there is no file */
    cJSON *env;      /* ARVIS_* variables; NULL when ignored */
    cJSON *sets;     /* --set overrides */
    cJSON *merged;   /* the effective configuration */
    cJSON *redacted; /* merged, with secrets hidden */
};

/* A copy of merged with secret values (writeOnly keys, and secret-looking names inside legacy)
 * replaced by "********". */
cJSON *config_redact(const cJSON *merged);

/* Reads and parses a config file. *exists tells whether there was one (when require is false a
 * missing file gives *out NULL and ARVIS_OK). The root must be an object. */
int config_read_file(const char *path, bool require, cJSON **out, bool *exists, arvis_error *err);

/* Validates defaults <- layer (the config file as it would be written). */
int config_check_file_layer(const cJSON *layer, arvis_config_report *report, arvis_error *err,
                            const char *path);

/* Serialises a file layer as Arvis writes it: two-space JSON and a final newline. NULL when out
 * of memory or when the text would be longer than ARVIS_CONFIG_MAX_BYTES, which Arvis could not
 * read back; *too_big (may be NULL) tells which. */
char *config_layer_text(const cJSON *layer, bool *too_big);

/* config_layer_text, for callers that need not know why it failed. */
char *config_file_text(const cJSON *layer);

/* ---- migrate.c, migrate_v1.c ---- */

/* The config_version of a file layer: 0 when absent (an Arvis v1.5 file). Fails, naming path,
 * for a value that is not a whole number or a version newer than this build. */
int config_layer_version(const cJSON *layer, const char *path, int *version, arvis_error *err);

/* Sets config_version in layer as its first key, where a reader looks for it. */
int config_stamp_version(cJSON *layer, int version);

/* Migrates layer in place from version `from` to ARVIS_CONFIG_VERSION, noting every change. */
int config_migrate_layer(cJSON *layer, int from, arvis_config_report *report, arvis_error *err);

/* Deepest old key a migration step walks to. */
enum { CONFIG_MIG_DEPTH_MAX = 64 };

struct config_placed;

/* A migration step at work: the old layer it reads, the new tree it builds, and where its walk
 * over the old keys is. The step sets the position fields before it handles each old value. */
struct config_mig {
    const cJSON *old;
    cJSON *out;
    arvis_config_report *report;
    const char *lang;  /* language.speech of the old file, e.g. "ru"; NULL when absent */
    int rc;            /* the first failure (out of memory); the step stops there */
    const cJSON *cur;  /* the old value at hand */
    const char **segs; /* its keys from the root (segs[0..depth]) */
    size_t depth;
    const char *path; /* the same as a dotted path */
    size_t rank;      /* its claim on a new key: 0 when the name stayed, else lower is stronger */
    bool kept;        /* cur is already in legacy */
    /* legacy objects for segs[0..d) (level[0] is legacy itself), made when first needed. Keys
     * of one old object are unique, so values kept during the walk are appended without a
     * lookup, however many there are. A step resets level[d + 1] before walking into cur. */
    cJSON *level[CONFIG_MIG_DEPTH_MAX + 1];
    struct config_placed *placed;
    size_t n_placed;
    size_t cap_placed;
};

/* Places value (taken) at `to` in m->out for the value at hand. When it does not fit there,
 * when another old key claims `to` more strongly (lower rank; a weaker earlier claim is moved to
 * legacy), or when a value that is not an object is in the way, the old value is kept in
 * legacy instead, with a warning: nothing is overwritten. */
void config_mig_place(struct config_mig *m, const char *to, cJSON *value);

/* Keeps the old value at hand under legacy at its old place (once however often called). */
void config_mig_keep(struct config_mig *m);

/* Ends a step: merges the old file's own legacy section without replacing anything the step
 * stored (one that is not an object is kept as legacy.legacy), puts legacy last and moves
 * m->out into layer. On failure layer is left as it was. Frees what m holds. */
int config_mig_finish(struct config_mig *m, cJSON *layer, arvis_error *err);

/* One step: an Arvis v1.5 file (no config_version) into the version 1 layout. */
int config_migrate_v0_to_v1(cJSON *layer, arvis_config_report *report, arvis_error *err);

/* Stores value (taken) in layer's legacy section at segs. A place already taken, or blocked by
 * a value that is not an object, is not replaced: the value goes beside it under KEY~1, KEY~2...
 * where receives the place used ("legacy.llm~1.model"). ARVIS_E_INVAL when legacy is not an
 * object. */
int config_legacy_store(cJSON *layer, const char *const *segs, size_t n, cJSON *value, char *where,
                        size_t size);

/* After the mapping, values that do not validate are moved into the legacy section, with a
 * warning each, so a migrated file always validates and nothing is lost. */
int config_migrate_park_invalid(cJSON *layer, arvis_config_report *report, arvis_error *err);

#endif
