/* libFuzzer target for the configuration reader: arbitrary bytes through the strict JSON
 * parser, the version check, the v1.5 migration and the validator. A migration that reports
 * success must leave a file that validates. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "arvis/json.h"
#include "config_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *layer = NULL;
    if (arvis_json_parse((const char *)data, size, &layer, NULL) != ARVIS_OK) {
        return 0;
    }
    int version = 0;
    if (cJSON_IsObject(layer) && config_layer_version(layer, "input", &version, NULL) == ARVIS_OK) {
        arvis_config_report report;
        arvis_config_report_init(&report);
        bool migrated = version < ARVIS_CONFIG_VERSION &&
                        config_migrate_layer(layer, version, &report, NULL) == ARVIS_OK;
        int valid = config_check_file_layer(layer, &report, NULL, "input");
        if (migrated && valid != ARVIS_OK) {
            abort(); /* the migration promised a valid file */
        }
        free(config_file_text(layer));
        arvis_config_report_free(&report);
    }
    cJSON_Delete(layer);
    return 0;
}
