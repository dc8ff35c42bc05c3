/* Reading the effective configuration: typed getters, a walk over every key with where its
 * value came from, key checks with suggestions, and secret redaction for display. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "arvis/log.h"
#include "config_internal.h"

enum { KEY_MAX = 256, ENV_NAME_MAX = 256 };

static const char REDACTED[] = "********";

/* Names inside the legacy section that hold secrets in old files. */
static const char *const secret_words[] = {"key", "token", "password", "secret", "pin"};

const char *arvis_config_path(const arvis_config *cfg)
{
    return cfg->path;
}

bool arvis_config_file_exists(const arvis_config *cfg)
{
    return cfg->file_exists;
}

int arvis_config_file_version(const arvis_config *cfg)
{
    return cfg->file_version;
}

const cJSON *arvis_config_get(const arvis_config *cfg, const char *key)
{
    return arvis_json_at(cfg->merged, key);
}

/* The value of a defined key, or NULL (logged) when the key is not defined or not of `type`. */
static const cJSON *typed(const arvis_config *cfg, const char *key, int type)
{
    const cJSON *v = arvis_json_at(cfg->merged, key);
    if (v && (v->type & type)) {
        return v;
    }
    if (!v || !cJSON_IsNull(v)) {
        arvis_log(ARVIS_LOG_ERROR, "config", "%s is not a defined key of the expected type", key);
    }
    return NULL;
}

int64_t arvis_config_int(const arvis_config *cfg, const char *key)
{
    const cJSON *v = typed(cfg, key, cJSON_Number);
    /* The schema bounds every integer key well inside int64_t. */
    return v ? (int64_t)llround(v->valuedouble) : 0;
}

double arvis_config_number(const arvis_config *cfg, const char *key)
{
    const cJSON *v = typed(cfg, key, cJSON_Number);
    return v ? v->valuedouble : 0.0;
}

bool arvis_config_bool(const arvis_config *cfg, const char *key)
{
    const cJSON *v = typed(cfg, key, cJSON_True | cJSON_False);
    return v && cJSON_IsTrue(v);
}

const char *arvis_config_string(const arvis_config *cfg, const char *key)
{
    const cJSON *v = typed(cfg, key, cJSON_String);
    return v ? v->valuestring : NULL;
}

char *arvis_config_to_text(const arvis_config *cfg, int indent)
{
    return arvis_json_print(cfg->redacted, indent);
}

static bool secret_name(const char *name)
{
    char lower[KEY_MAX];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof lower; i++) {
        lower[i] = (char)tolower((unsigned char)name[i]);
    }
    lower[i] = '\0';
    for (size_t w = 0; w < sizeof secret_words / sizeof secret_words[0]; w++) {
        if (strstr(lower, secret_words[w])) {
            return true;
        }
    }
    return false;
}

static void redact_legacy(cJSON *obj)
{
    for (cJSON *c = obj ? obj->child : NULL; c; c = c->next) {
        if (cJSON_IsObject(c)) {
            redact_legacy(c);
        } else if (cJSON_IsString(c) && c->valuestring[0] && secret_name(c->string)) {
            cJSON_SetValuestring(c, REDACTED);
        }
    }
}

static int redact_leaf(const char *path, const cJSON *raw, const cJSON *node, void *ud)
{
    (void)node;
    cJSON *v = arvis_json_at(ud, path);
    if (schema_is_secret(raw) && cJSON_IsString(v) && v->valuestring[0]) {
        if (!cJSON_SetValuestring(v, REDACTED)) {
            return 1;
        }
    }
    return 0;
}

cJSON *config_redact(const cJSON *merged)
{
    cJSON *copy = cJSON_Duplicate(merged, 1);
    if (!copy) {
        return NULL;
    }
    if (schema_each_leaf(redact_leaf, copy) != 0) {
        cJSON_Delete(copy);
        return NULL;
    }
    redact_legacy(cJSON_GetObjectItemCaseSensitive(copy, "legacy"));
    return copy;
}

struct each_walk {
    const arvis_config *cfg;
    int (*cb)(const arvis_config_leaf *leaf, void *ud);
    void *ud;
};

static int each_leaf(const char *path, const cJSON *raw, const cJSON *node, void *ud)
{
    (void)node;
    struct each_walk *w = ud;
    char env[ENV_NAME_MAX];
    schema_env_name(path, env, sizeof env);
    arvis_config_origin origin = ARVIS_CONFIG_FROM_DEFAULT;
    if (w->cfg->sets && arvis_json_at(w->cfg->sets, path)) {
        origin = ARVIS_CONFIG_FROM_SET;
    } else if (w->cfg->env && arvis_json_at(w->cfg->env, path)) {
        origin = ARVIS_CONFIG_FROM_ENV;
    } else if (w->cfg->file && arvis_json_at(w->cfg->file, path)) {
        origin = ARVIS_CONFIG_FROM_FILE;
    }
    arvis_config_leaf leaf = {
        .key = path,
        .env = env,
        .value = arvis_json_at(w->cfg->redacted, path),
        .origin = origin,
        .secret = schema_is_secret(raw),
    };
    return w->cb(&leaf, w->ud);
}

int arvis_config_each(const arvis_config *cfg, int (*cb)(const arvis_config_leaf *leaf, void *ud),
                      void *ud)
{
    struct each_walk w = {cfg, cb, ud};
    return schema_each_leaf(each_leaf, &w);
}

int arvis_config_check_key(const char *key, arvis_error *err)
{
    if (key[0] && schema_node_raw(key) && strcmp(key, "legacy") != 0 &&
        strncmp(key, "legacy.", 7) != 0) {
        return ARVIS_OK;
    }
    if (strcmp(key, "legacy") == 0 || strncmp(key, "legacy.", 7) == 0) {
        return arvis_error_set(err, ARVIS_E_NOTFOUND,
                               "%s: the legacy section keeps old keys Arvis does not use; edit "
                               "the file to change it",
                               key);
    }
    char near[KEY_MAX];
    if (schema_suggest(key, near, sizeof near)) {
        return arvis_error_set(err, ARVIS_E_NOTFOUND, "%s: unknown key (did you mean %s?)", key,
                               near);
    }
    return arvis_error_set(err, ARVIS_E_NOTFOUND,
                           "%s: unknown key (`arvis config reference` lists every key)", key);
}
