/* The TTS checker: the configured speech engine starts and speaks a test phrase into memory;
 * DEGRADED when only a fallback engine does, as the factory's events tell. */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "arvis/tts.h"
#include "health_internal.h"

struct tts_check {
    const arvis_config *cfg; /* outlives the check: the facade joins before it is freed */
    char why[ARVIS_ERROR_MSG_MAX];
    int fallbacks;
};

static int tts_check_create(const arvis_config *cfg, long timeout_ms, void **state,
                            arvis_error *err)
{
    (void)timeout_ms; /* engines cannot be stopped while they start: the facade stops waiting */
    struct tts_check *c = calloc(1, sizeof *c);
    if (!c) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    c->cfg = cfg;
    *state = c;
    return ARVIS_OK;
}

static void on_event(const arvis_tts_event *ev, void *ud)
{
    struct tts_check *c = ud;
    if (ev->kind == ARVIS_TTS_FALLBACK && c->fallbacks++ == 0) {
        snprintf(c->why, sizeof c->why, "%s", ev->why ? ev->why : "");
    }
}

static void tts_check_run(void *state, struct health_outcome *out)
{
    struct tts_check *c = state;
    const char *wanted = arvis_config_string(c->cfg, "tts.engine");
    cJSON_AddStringToObject(out->details, "engine", wanted);
    arvis_tts *t = NULL;
    arvis_error err;
    arvis_error_clear(&err);
    int rc = arvis_tts_create(c->cfg, NULL, NULL, on_event, c, &t, &err);
    if (rc != ARVIS_OK) {
        health_set(out, ARVIS_HEALTH_UNHEALTHY, "no speech engine works: %s", err.msg);
        return;
    }
    arvis_tts_engine *e = arvis_tts_engine_in_use(t);
    const char *used = arvis_tts_engine_name(e);
    cJSON_AddStringToObject(out->details, "in_use", used);
    cJSON_AddStringToObject(out->details, "voice", arvis_tts_engine_voice(e));
    cJSON_AddBoolToObject(out->details, "fell_back", arvis_tts_fell_back(t));
    if (arvis_tts_fell_back(t)) {
        health_set(out, ARVIS_HEALTH_DEGRADED, "%s does not work, %s speaks instead: %s", wanted,
                   used, c->why);
    } else {
        health_set(out, ARVIS_HEALTH_HEALTHY, "%s speaks with voice %s", used,
                   arvis_tts_engine_voice(e));
    }
    arvis_tts_destroy(t);
}

static void tts_check_destroy(void *state)
{
    free(state);
}

const struct health_checker_ops health_tts_ops = {
    .name = "tts",
    .create = tts_check_create,
    .run = tts_check_run,
    .interrupt = NULL,
    .destroy = tts_check_destroy,
};
