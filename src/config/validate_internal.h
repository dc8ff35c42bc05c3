/* Private to the draft-07 validator (validate*.c): the run state, instance paths, and the
 * keyword groups each file implements. */
#ifndef ARVIS_VALIDATE_INTERNAL_H
#define ARVIS_VALIDATE_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "config_internal.h"

/* Where in the instance we are: a chain of object keys and array indexes back to the root. */
struct vpath {
    const struct vpath *parent;
    const char *key; /* NULL for an array item */
    size_t index;
};

struct resource {
    char *uri;
    const cJSON *node;
};

struct regex_entry {
    char *pattern;
    pcre2_code *code; /* NULL when the pattern does not compile */
    struct regex_entry *next;
};

struct schema_validator {
    const cJSON *root;
    struct resource *res;
    size_t nres;
    size_t capres;
    struct regex_entry *regexes;
    pcre2_match_data *match;
};

/* One validation: report is NULL when only the verdict matters (inside anyOf, not, if...). */
struct vrun {
    schema_validator *v;
    arvis_config_report *report;
    int depth;
};

enum { VALUE_TEXT_MAX = 96, PATH_TEXT_MAX = 256 };

bool v_schema(struct vrun *r, const cJSON *schema, const char *base, const cJSON *inst,
              const struct vpath *path);

/* v_schema for a schema reached through $ref, whose base URI already includes its own $id. */
bool v_schema_at(struct vrun *r, const cJSON *schema, const char *base, const cJSON *inst,
                 const struct vpath *path, bool id_applied);

void v_error(struct vrun *r, const struct vpath *path, const char *rule, const char *expected,
             const char *found, const char *fmt, ...) ARVIS_PRINTF(6, 7);

void v_path_text(const struct vpath *p, char *out, size_t size);

/* The instance as short text for a message; "(hidden)" when the schema marks it writeOnly. */
void v_value_text(const cJSON *schema, const cJSON *inst, char *out, size_t size);

bool v_value_keywords(struct vrun *r, const cJSON *schema, const cJSON *inst,
                      const struct vpath *path);
bool v_array_keywords(struct vrun *r, const cJSON *schema, const char *base, const cJSON *inst,
                      const struct vpath *path);
bool v_object_keywords(struct vrun *r, const cJSON *schema, const char *base, const cJSON *inst,
                       const struct vpath *path);

/* True when pattern (ECMA-262 style, run with PCRE2) matches somewhere in subject. An invalid
 * pattern sets *bad and matches nothing. */
bool v_regex_match(schema_validator *v, const char *pattern, const char *subject, bool *bad);

/* Resolves ref against base (RFC 3986, the parts JSON Schema uses). The caller frees. */
char *v_uri_resolve(const char *base, const char *ref);

/* Finds the schema a $ref points to; *target_base receives its base URI, its own $id included
 * (the caller frees).
 * NULL when it cannot be found. */
const cJSON *v_resolve_ref(schema_validator *v, const char *base, const char *ref,
                           char **target_base);

/* Registers every $id inside doc (known to be at uri). */
int v_index_ids(schema_validator *v, const cJSON *doc, const char *uri);

#endif
