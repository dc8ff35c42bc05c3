/* The STT checker: the configured recogniser has the model files it needs, readable; UNHEALTHY
 * with the reason (the Debian package to install) when it does not. */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "arvis/stt.h"
#include "health_internal.h"

struct stt_check {
    const arvis_config *cfg; /* outlives the check: the facade joins before it is freed */
};

static int stt_check_create(const arvis_config *cfg, long timeout_ms, void **state,
                            arvis_error *err)
{
    (void)timeout_ms; /* a model cannot be stopped while it loads: the facade stops waiting */
    struct stt_check *c = calloc(1, sizeof *c);
    if (!c) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    c->cfg = cfg;
    *state = c;
    return ARVIS_OK;
}

/* Cheap, as every check: the recogniser's files are there and readable; loading the model
 * (most of a second) is left to the first request, which tells as much. */
static void stt_check_run(void *state, struct health_outcome *out)
{
    struct stt_check *c = state;
    const char *engine = arvis_config_string(c->cfg, "stt.engine");
    cJSON_AddStringToObject(out->details, "engine", engine);
    arvis_error err;
    arvis_error_clear(&err);
    if (arvis_stt_engine_check(c->cfg, NULL, &err) != ARVIS_OK) {
        health_set(out, ARVIS_HEALTH_UNHEALTHY, "%s", err.msg);
    } else {
        health_set(out, ARVIS_HEALTH_HEALTHY, "%s has its model files", engine);
    }
}

static void stt_check_destroy(void *state)
{
    free(state);
}

const struct health_checker_ops health_stt_ops = {
    .name = "stt",
    .create = stt_check_create,
    .run = stt_check_run,
    .interrupt = NULL,
    .destroy = stt_check_destroy,
};
