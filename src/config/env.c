/* The environment layer: ARVIS_<KEY PATH> variables, one per key the schema defines, read by
 * the key's type. Variables that look like ours but name no key are reported, since a typo
 * there would otherwise be silently ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "config_internal.h"

extern char **environ;

enum { ENV_NAME_MAX = 256 };

/* Variables named ARVIS_* that are not config keys. */
static const char *const not_keys[] = {"ARVIS_HOME"};

struct env_walk {
    cJSON *layer;
    arvis_config_report *report;
    int rc;
};

static int env_leaf(const char *path, const cJSON *raw, const cJSON *node, void *ud)
{
    struct env_walk *w = ud;
    char name[ENV_NAME_MAX];
    schema_env_name(path, name, sizeof name);
    const char *text = getenv(name);
    if (!text) {
        return 0;
    }
    cJSON *value = NULL;
    arvis_error err;
    if (config_parse_value(node, text, &value, &err) != ARVIS_OK) {
        report_add(w->report, ARVIS_CONFIG_ERROR, path, "type", NULL,
                   schema_is_secret(raw) ? "(hidden)" : text, "%s: %s (from %s)", path, err.msg,
                   name);
        return 0;
    }
    int rc = arvis_json_put(w->layer, path, value);
    if (rc != ARVIS_OK) {
        w->rc = rc;
        return 1;
    }
    return 0;
}

struct env_match {
    const char *name;
    size_t len;
    bool found;
};

static int env_match_leaf(const char *path, const cJSON *raw, const cJSON *node, void *ud)
{
    (void)raw;
    (void)node;
    struct env_match *m = ud;
    char name[ENV_NAME_MAX];
    schema_env_name(path, name, sizeof name);
    if (strlen(name) == m->len && strncmp(name, m->name, m->len) == 0) {
        m->found = true;
        return 1;
    }
    return 0;
}

static bool is_known_other(const char *var, size_t len)
{
    for (size_t i = 0; i < sizeof not_keys / sizeof not_keys[0]; i++) {
        if (strlen(not_keys[i]) == len && strncmp(not_keys[i], var, len) == 0) {
            return true;
        }
    }
    return false;
}

void config_env_warn_unknown(arvis_config_report *report, const char *api_key_env)
{
    for (char **e = environ; e && *e; e++) {
        if (strncmp(*e, "ARVIS_", 6) != 0) {
            continue;
        }
        const char *eq = strchr(*e, '=');
        size_t len = eq ? (size_t)(eq - *e) : strlen(*e);
        if (is_known_other(*e, len) ||
            (api_key_env && strlen(api_key_env) == len && strncmp(*e, api_key_env, len) == 0)) {
            continue;
        }
        struct env_match m = {*e, len, false};
        schema_each_leaf(env_match_leaf, &m);
        if (!m.found) {
            report_add(report, ARVIS_CONFIG_WARNING, NULL, "environment", NULL, NULL,
                       "%.*s is not a configuration key; it is ignored (see `arvis config "
                       "reference` for the variable names)",
                       (int)len, *e);
        }
    }
}

int config_env_layer(cJSON **out, arvis_config_report *report)
{
    struct env_walk w = {cJSON_CreateObject(), report, ARVIS_OK};
    if (!w.layer) {
        return ARVIS_E_NOMEM;
    }
    schema_each_leaf(env_leaf, &w);
    if (w.rc != ARVIS_OK) {
        cJSON_Delete(w.layer);
        return w.rc;
    }
    *out = w.layer;
    return ARVIS_OK;
}
