/* Loading the configuration: read and parse the file, migrate it in memory when it is old,
 * add the environment and --set layers, merge over the schema defaults and validate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/file.h"
#include "arvis/json.h"
#include "arvis/paths.h"
#include "config_internal.h"

enum { KEY_MAX = 256, ENV_NAME_MAX = 256, SEGS_MAX = 64 };

int arvis_config_default_path(char **out, arvis_error *err)
{
    return arvis_place_file(ARVIS_PLACE_CONFIG, "config.json", out, err);
}

int config_read_file(const char *path, bool require, cJSON **out, bool *exists, arvis_error *err)
{
    *out = NULL;
    *exists = false;
    char *text = NULL;
    size_t len = 0;
    arvis_error ferr;
    int rc = arvis_file_read(path, ARVIS_CONFIG_MAX_BYTES, &text, &len, &ferr);
    if (rc == ARVIS_E_NOTFOUND && !require) {
        return ARVIS_OK;
    }
    if (rc != ARVIS_OK) {
        if (err) {
            *err = ferr;
        }
        return rc;
    }
    *exists = true;
    arvis_error perr;
    rc = arvis_json_parse(text, len, out, &perr);
    free(text);
    if (rc != ARVIS_OK) {
        return arvis_error_set(err, rc, "%s: %s", path, perr.msg);
    }
    if (!cJSON_IsObject(*out)) {
        const char *type = arvis_json_type_name(*out);
        cJSON_Delete(*out);
        *out = NULL;
        return arvis_error_set(err, ARVIS_E_SCHEMA,
                               "%s: the file must hold a JSON object ({ ... }), not %s %s", path,
                               type[0] == 'a' || type[0] == 'o' ? "an" : "a", type);
    }
    return ARVIS_OK;
}

char *config_layer_text(const cJSON *layer, bool *too_big)
{
    /* The limit leaves room for the final newline. */
    char *text = arvis_json_print_max(layer, 2, ARVIS_CONFIG_MAX_BYTES - 1, too_big);
    if (!text) {
        return NULL;
    }
    size_t len = strlen(text);
    char *out = realloc(text, len + 2);
    if (!out) {
        free(text);
        return NULL;
    }
    out[len] = '\n';
    out[len + 1] = '\0';
    return out;
}

char *config_file_text(const cJSON *layer)
{
    return config_layer_text(layer, NULL);
}

/* Where the value an issue is about came from: " (from --set)", " (from ARVIS_X)", " (in FILE)",
 * or "" when that cannot be told. */
static void issue_origin(const char *path, const cJSON *file, const cJSON *env, const cJSON *sets,
                         const char *file_path, char *out, size_t size)
{
    char buf[KEY_MAX];
    const char *segs[SEGS_MAX];
    size_t n = 0;
    out[0] = '\0';
    if (!path || !config_issue_segs(path, buf, sizeof buf, segs, SEGS_MAX, &n) || n == 0) {
        return;
    }
    if (sets && config_at_segs(sets, segs, n)) {
        snprintf(out, size, " (from --set)");
    } else if (env && config_at_segs(env, segs, n)) {
        /* The environment layer holds schema keys only, which have no dots inside. */
        char key[KEY_MAX] = "";
        size_t used = 0;
        for (size_t i = 0; i < n && used < sizeof key; i++) {
            int w = snprintf(key + used, sizeof key - used, "%s%s", i ? "." : "", segs[i]);
            used += w > 0 ? (size_t)w : 0;
        }
        char name[ENV_NAME_MAX];
        schema_env_name(key, name, sizeof name);
        snprintf(out, size, " (from %s)", name);
    } else if (file && file_path && config_at_segs(file, segs, n)) {
        snprintf(out, size, " (in %s)", file_path);
    }
}

/* Validates merged; each error says where its value came from (a variable, --set, the file). */
static bool validate_merged(const cJSON *merged, const cJSON *file, const cJSON *env,
                            const cJSON *sets, const char *file_path, arvis_config_report *report)
{
    schema_validator *v = NULL;
    if (validator_create(config_schema(), &v) != ARVIS_OK) {
        report_add(report, ARVIS_CONFIG_ERROR, NULL, "internal", NULL, NULL, "out of memory");
        return false;
    }
    arvis_config_report found;
    arvis_config_report_init(&found);
    bool ok = validator_check(v, merged, &found);
    validator_destroy(v);
    for (size_t i = 0; i < found.count; i++) {
        const arvis_config_issue *it = &found.items[i];
        char from[KEY_MAX + 64];
        issue_origin(it->path, file, env, sets, file_path, from, sizeof from);
        report_add(report, it->severity, it->path, it->rule, it->expected, it->found, "%s%s",
                   it->message, from);
    }
    /* Findings beyond the report's cap still count. */
    if (report && found.errors > found.count) {
        report->errors += found.errors - found.count;
    }
    arvis_config_report_free(&found);
    return ok;
}

int config_check_file_layer(const cJSON *layer, arvis_config_report *report, arvis_error *err,
                            const char *path)
{
    cJSON *merged = schema_defaults();
    if (!merged || arvis_json_merge(merged, layer) != ARVIS_OK) {
        cJSON_Delete(merged);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    size_t before = report ? report->errors : 0;
    bool ok = validate_merged(merged, NULL, NULL, NULL, NULL, report);
    cJSON_Delete(merged);
    if (!ok) {
        size_t n = report ? report->errors - before : 0;
        return arvis_error_set(err, ARVIS_E_SCHEMA, "%s would not be valid (%zu problem%s)", path,
                               n, n == 1 ? "" : "s");
    }
    return ARVIS_OK;
}

static int add_set(cJSON *sets, const char *spec, arvis_config_report *report)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        return report_add(report, ARVIS_CONFIG_ERROR, NULL, "usage", "KEY=VALUE", spec,
                          "--set expects KEY=VALUE, such as llm.model=llama3.2, got \"%s\"", spec);
    }
    char key[KEY_MAX];
    snprintf(key, sizeof key, "%.*s", (int)(eq - spec), spec);
    arvis_error err;
    if (arvis_config_check_key(key, &err) != ARVIS_OK) {
        return report_add(report, ARVIS_CONFIG_ERROR, key, "unknown-key", NULL, key, "--set %s",
                          err.msg);
    }
    cJSON *value = NULL;
    if (config_parse_value(schema_node(key), eq + 1, &value, &err) != ARVIS_OK) {
        return report_add(report, ARVIS_CONFIG_ERROR, key, "type", NULL, eq + 1,
                          "%s: %s (from --set)", key, err.msg);
    }
    return arvis_json_put(sets, key, value);
}

/* Migrates an old file layer in memory and says how to make it permanent. */
static int migrate_in_memory(arvis_config *cfg, arvis_config_report *report, arvis_error *err)
{
    arvis_config_report steps;
    arvis_config_report_init(&steps);
    int rc = config_migrate_layer(cfg->file, cfg->file_version, &steps, err);
    for (size_t i = 0; rc == ARVIS_OK && i < steps.count; i++) {
        const arvis_config_issue *it = &steps.items[i];
        if (it->severity == ARVIS_CONFIG_WARNING) {
            report_add(report, it->severity, it->path, it->rule, it->expected, it->found, "%s",
                       it->message);
        }
    }
    arvis_config_report_free(&steps);
    if (rc == ARVIS_OK) {
        report_add(report, ARVIS_CONFIG_WARNING, NULL, "config_version", NULL, NULL,
                   "%s has the layout of config_version %d; it was migrated in memory. Run "
                   "`arvis config migrate` to update the file (the old one is kept as .bak)",
                   cfg->path, cfg->file_version);
    }
    return rc;
}

static int load_layers(arvis_config *cfg, const arvis_config_options *opts,
                       arvis_config_report *report, arvis_error *err)
{
    int rc = config_read_file(cfg->path, opts->require_file, &cfg->file, &cfg->file_exists, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    cfg->file_version = ARVIS_CONFIG_VERSION;
    if (cfg->file) {
        rc = config_layer_version(cfg->file, cfg->path, &cfg->file_version, err);
        if (rc == ARVIS_OK && cfg->file_version < ARVIS_CONFIG_VERSION) {
            rc = migrate_in_memory(cfg, report, err);
        }
        if (rc != ARVIS_OK) {
            return rc;
        }
    }
    if (!opts->ignore_env && (rc = config_env_layer(&cfg->env, report)) != ARVIS_OK) {
        return arvis_error_set(err, rc, "out of memory");
    }
    cfg->sets = cJSON_CreateObject();
    if (!cfg->sets) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < opts->n_sets; i++) {
        if ((rc = add_set(cfg->sets, opts->sets[i], report)) != ARVIS_OK) {
            return arvis_error_set(err, rc, "out of memory");
        }
    }
    return ARVIS_OK;
}

static int merge_layers(arvis_config *cfg)
{
    cfg->merged = schema_defaults();
    if (!cfg->merged) {
        return ARVIS_E_NOMEM;
    }
    const cJSON *layers[] = {cfg->file, cfg->env, cfg->sets};
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        if (layers[i] && arvis_json_merge(cfg->merged, layers[i]) != ARVIS_OK) {
            return ARVIS_E_NOMEM;
        }
    }
    return ARVIS_OK;
}

int arvis_config_load(const arvis_config_options *opts, arvis_config **out,
                      arvis_config_report *report, arvis_error *err)
{
    *out = NULL;
    if (!config_schema()) {
        return arvis_error_set(err, ARVIS_E_STATE, "the built-in config schema is broken");
    }
    arvis_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    int rc;
    if (opts->file) {
        cfg->path = strdup(opts->file);
        rc = cfg->path ? ARVIS_OK : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    } else {
        rc = arvis_config_default_path(&cfg->path, err);
    }
    size_t errors_before = report ? report->errors : 0;
    if (rc == ARVIS_OK) {
        rc = load_layers(cfg, opts, report, err);
    }
    if (rc == ARVIS_OK && (rc = merge_layers(cfg)) != ARVIS_OK) {
        arvis_error_set(err, rc, "out of memory");
    }
    if (rc == ARVIS_OK) {
        const cJSON *key_env = arvis_json_at(cfg->merged, "llm.api_key_env");
        if (!opts->ignore_env) {
            config_env_warn_unknown(report, cJSON_IsString(key_env) ? key_env->valuestring : NULL);
        }
        bool valid =
            validate_merged(cfg->merged, cfg->file, cfg->env, cfg->sets, cfg->path, report);
        size_t problems = report ? report->errors - errors_before : 0;
        if (!valid || problems > 0) {
            rc = arvis_error_set(err, ARVIS_E_SCHEMA,
                                 "the configuration is not valid (%zu "
                                 "problem%s)",
                                 problems, problems == 1 ? "" : "s");
        }
    }
    if (rc == ARVIS_OK && !(cfg->redacted = config_redact(cfg->merged))) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    if (rc != ARVIS_OK) {
        arvis_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return ARVIS_OK;
}

void arvis_config_free(arvis_config *cfg)
{
    if (!cfg) {
        return;
    }
    free(cfg->path);
    cJSON_Delete(cfg->file);
    cJSON_Delete(cfg->env);
    cJSON_Delete(cfg->sets);
    cJSON_Delete(cfg->merged);
    cJSON_Delete(cfg->redacted);
    free(cfg);
}
