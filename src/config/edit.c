/* Changing the config file: set, unset and migrate. Each change is validated before anything
 * is written, and written atomically with the old file kept as .bak; a refused change leaves
 * the file byte-identical. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/file.h"
#include "arvis/json.h"
#include "arvis/paths.h"
#include "config_internal.h"

enum { ENV_NAME_MAX = 256, CONFIG_DIR_MODE = 0700 };

void arvis_config_edit_free(arvis_config_edit *e)
{
    free(e->old_text);
    free(e->new_text);
    free(e->override_env);
    memset(e, 0, sizeof *e);
}

static int resolve_path(const char *file, char **path, arvis_error *err)
{
    if (file) {
        *path = strdup(file);
        return *path ? ARVIS_OK : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    return arvis_config_default_path(path, err);
}

/* Reads the file layer (an empty one when there is no file) at the current version. */
static int open_layer(const char *path, bool require, cJSON **layer, bool *exists, int *migrated,
                      arvis_config_report *report, arvis_error *err)
{
    int rc = config_read_file(path, require, layer, exists, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    *migrated = -1;
    if (!*layer) {
        *layer = cJSON_CreateObject();
        return *layer ? ARVIS_OK : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    int version;
    rc = config_layer_version(*layer, path, &version, err);
    if (rc == ARVIS_OK && version < ARVIS_CONFIG_VERSION) {
        *migrated = version;
        rc = config_migrate_layer(*layer, version, report, err);
    }
    return rc;
}

/* The file text for layer. Indented printing makes a file larger than the one it was read from,
 * so a text Arvis could not read back is refused. */
static int file_text(const char *path, const cJSON *layer, char **out, arvis_error *err)
{
    bool too_big = false;
    *out = config_layer_text(layer, &too_big);
    if (*out) {
        return ARVIS_OK;
    }
    if (!too_big) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    return arvis_error_set(err, ARVIS_E_TOOBIG,
                           "%s would be larger than %d bytes, the most Arvis reads; nothing was "
                           "written (make its legacy section smaller)",
                           path, ARVIS_CONFIG_MAX_BYTES);
}

/* Validates the layer and, when its text differs from the file, writes it. */
static int save_layer(const char *path, bool exists, cJSON *layer, bool *wrote,
                      arvis_config_report *report, arvis_error *err)
{
    *wrote = false;
    int rc = config_check_file_layer(layer, report, err, path);
    if (rc != ARVIS_OK) {
        return rc;
    }
    char *text = NULL;
    if ((rc = file_text(path, layer, &text, err)) != ARVIS_OK) {
        return rc;
    }
    char *current = NULL;
    size_t current_len = 0;
    if (exists &&
        arvis_file_read(path, ARVIS_CONFIG_MAX_BYTES, &current, &current_len, NULL) == ARVIS_OK &&
        current_len == strlen(text) && memcmp(current, text, current_len) == 0) {
        free(current);
        free(text);
        return ARVIS_OK;
    }
    free(current);
    char *dir = arvis_path_dirname(path);
    rc = dir ? arvis_mkdirs(dir, CONFIG_DIR_MODE, err)
             : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    if (rc == ARVIS_OK) {
        rc = arvis_file_write_atomic(path, text, strlen(text), err);
    }
    free(dir);
    free(text);
    *wrote = rc == ARVIS_OK;
    return rc;
}

static int edit(const char *file, const char *key, const char *value_text, arvis_config_edit *e,
                arvis_config_report *report, arvis_error *err)
{
    memset(e, 0, sizeof *e);
    e->migrated_from = -1;
    int rc = arvis_config_check_key(key, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    cJSON *value = NULL;
    if (value_text) {
        arvis_error verr;
        rc = config_parse_value(schema_node(key), value_text, &value, &verr);
        if (rc != ARVIS_OK) {
            return arvis_error_set(err, rc, "%s: %s; nothing was written", key, verr.msg);
        }
    }
    char *path = NULL;
    cJSON *layer = NULL;
    bool exists = false;
    rc = resolve_path(file, &path, err);
    if (rc == ARVIS_OK) {
        rc = open_layer(path, false, &layer, &exists, &e->migrated_from, report, err);
    }
    if (rc != ARVIS_OK) {
        goto done;
    }
    const cJSON *old = arvis_json_at(layer, key);
    if (old && !(e->old_text = arvis_json_print(old, 0))) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
        goto done;
    }
    if (value) {
        e->new_text = arvis_json_print(value, 0);
        rc = arvis_json_put(layer, key, value);
        value = NULL;
        if (rc != ARVIS_OK) {
            arvis_error_set(err, rc, "%s: cannot be set inside a value that is not an object", key);
            goto done;
        }
    } else if (old) {
        cJSON_Delete(arvis_json_take(layer, key));
    } else {
        goto done; /* nothing to remove, so nothing to write */
    }
    rc = config_stamp_version(layer, ARVIS_CONFIG_VERSION);
    if (rc != ARVIS_OK) {
        arvis_error_set(err, rc, "out of memory");
        goto done;
    }
    rc = save_layer(path, exists, layer, &e->wrote, report, err);
    if (rc == ARVIS_E_SCHEMA) {
        arvis_error_set(err, rc, "%s would not be valid; nothing was written", path);
    }
    char env[ENV_NAME_MAX];
    schema_env_name(key, env, sizeof env);
    if (rc == ARVIS_OK && getenv(env)) {
        e->override_env = strdup(env);
    }
done:
    cJSON_Delete(value);
    cJSON_Delete(layer);
    free(path);
    return rc;
}

int arvis_config_set(const char *file, const char *key, const char *value_text,
                     arvis_config_edit *edit_out, arvis_config_report *report, arvis_error *err)
{
    return edit(file, key, value_text, edit_out, report, err);
}

int arvis_config_unset(const char *file, const char *key, arvis_config_edit *edit_out,
                       arvis_config_report *report, arvis_error *err)
{
    return edit(file, key, NULL, edit_out, report, err);
}

int arvis_config_migrate(const char *file, bool dry_run, int *from, char **text,
                         arvis_config_report *report, arvis_error *err)
{
    *from = -1;
    if (text) {
        *text = NULL;
    }
    char *path = NULL;
    cJSON *layer = NULL;
    bool exists = false;
    int migrated = -1;
    int rc = resolve_path(file, &path, err);
    if (rc == ARVIS_OK) {
        rc = open_layer(path, file != NULL, &layer, &exists, &migrated, report, err);
    }
    if (rc == ARVIS_OK && exists) {
        *from = migrated >= 0 ? migrated : ARVIS_CONFIG_VERSION;
        if (migrated >= 0 && text) {
            rc = file_text(path, layer, text, err); /* refused as the real run would be */
        }
        if (rc == ARVIS_OK && migrated >= 0 && !dry_run) {
            bool wrote;
            rc = save_layer(path, exists, layer, &wrote, report, err);
        }
    }
    if (rc != ARVIS_OK && text) {
        free(*text);
        *text = NULL;
    }
    cJSON_Delete(layer);
    free(path);
    return rc;
}
