/* Config versions: the table of stepwise migrations (vN -> vN+1), and parking values that a
 * migration could not carry over in the legacy section, so a migrated file always validates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "config_internal.h"

enum { PARK_ROUNDS = 4, KEY_MAX = 256 };

struct migration {
    int from;
    const char *what;
    int (*step)(cJSON *layer, arvis_config_report *report, arvis_error *err);
};

/* Adding a layout change: bump ARVIS_CONFIG_VERSION and the schema's config_version bounds,
 * then add one line here and one function. */
static const struct migration migrations[] = {
    {0, "the Arvis v1.5 layout", config_migrate_v0_to_v1},
};

int config_layer_version(const cJSON *layer, const char *path, int *version, arvis_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(layer, "config_version");
    if (!v) {
        *version = 0;
        return ARVIS_OK;
    }
    if (!cJSON_IsNumber(v) || floor(v->valuedouble) != v->valuedouble || v->valuedouble < 0) {
        char found[64];
        arvis_json_describe(v, found, sizeof found);
        return arvis_error_set(err, ARVIS_E_SCHEMA,
                               "%s: config_version: expected a whole number from 1 to %d, found %s",
                               path, ARVIS_CONFIG_VERSION, found);
    }
    if (v->valuedouble > ARVIS_CONFIG_VERSION) {
        return arvis_error_set(err, ARVIS_E_VERSION,
                               "%s: config_version %.0f is newer than this Arvis understands (up "
                               "to %d): update Arvis, or use an older file such as the .bak "
                               "beside it",
                               path, v->valuedouble, ARVIS_CONFIG_VERSION);
    }
    *version = (int)v->valuedouble;
    return ARVIS_OK;
}

int config_stamp_version(cJSON *layer, int version)
{
    cJSON_DeleteItemFromObjectCaseSensitive(layer, "config_version");
    cJSON *item = cJSON_CreateNumber(version);
    char *name = strdup("config_version");
    if (!item || !name) {
        cJSON_Delete(item);
        free(name);
        return ARVIS_E_NOMEM;
    }
    item->string = name;
    if (!layer->child) {
        layer->child = item;
        item->prev = item;
        return ARVIS_OK;
    }
    return cJSON_InsertItemInArray(layer, 0, item) ? ARVIS_OK : ARVIS_E_NOMEM;
}

int config_migrate_layer(cJSON *layer, int from, arvis_config_report *report, arvis_error *err)
{
    for (int v = from; v < ARVIS_CONFIG_VERSION; v++) {
        const struct migration *m = NULL;
        for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
            if (migrations[i].from == v) {
                m = &migrations[i];
            }
        }
        if (!m) {
            return arvis_error_set(err, ARVIS_E_VERSION, "no migration from config_version %d", v);
        }
        int rc = m->step(layer, report, err);
        if (rc == ARVIS_OK) {
            rc = config_stamp_version(layer, v + 1);
        }
        if (rc != ARVIS_OK) {
            return rc == ARVIS_E_NOMEM ? arvis_error_set(err, rc, "out of memory") : rc;
        }
    }
    return config_migrate_park_invalid(layer, report, err);
}

/* "tts.fallback[1]" -> "tts.fallback": an error inside an array parks the whole array. */
static void key_of(const char *path, char *out, size_t size)
{
    snprintf(out, size, "%s", path);
    char *bracket = strchr(out, '[');
    if (bracket) {
        *bracket = '\0';
    }
}

static int park(cJSON *layer, const arvis_config_issue *it, arvis_config_report *report)
{
    char key[KEY_MAX];
    key_of(it->path, key, sizeof key);
    cJSON *value = arvis_json_take(layer, key);
    if (!value) {
        return ARVIS_E_NOTFOUND;
    }
    char legacy_key[KEY_MAX + 8];
    snprintf(legacy_key, sizeof legacy_key, "legacy.%s", key);
    char found[96];
    arvis_json_describe(value, found, sizeof found);
    int rc = arvis_json_put(layer, legacy_key, value);
    if (rc == ARVIS_OK) {
        report_add(report, ARVIS_CONFIG_WARNING, key, "kept-in-legacy", it->expected, found,
                   "%s; the old value is kept as %s and the default applies", it->message,
                   legacy_key);
    }
    return rc;
}

int config_migrate_park_invalid(cJSON *layer, arvis_config_report *report, arvis_error *err)
{
    for (int round = 0; round < PARK_ROUNDS; round++) {
        arvis_config_report found;
        arvis_config_report_init(&found);
        int rc = config_check_file_layer(layer, &found, NULL, "");
        for (size_t i = 0; rc != ARVIS_OK && i < found.count; i++) {
            const arvis_config_issue *it = &found.items[i];
            int prc = it->path ? park(layer, it, report) : ARVIS_E_NOTFOUND;
            if (prc == ARVIS_E_NOMEM) {
                arvis_config_report_free(&found);
                return arvis_error_set(err, prc, "out of memory");
            }
        }
        arvis_config_report_free(&found);
        if (rc == ARVIS_OK) {
            return ARVIS_OK;
        }
    }
    return arvis_error_set(err, ARVIS_E_SCHEMA,
                           "the migrated configuration still does not validate; fix the file by "
                           "hand (`arvis config validate` lists the problems)");
}
