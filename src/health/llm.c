/* The LLM checker: the model server answers its version call and has the configured model,
 * through the LLM client itself, so that the check sees what a question would. */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "arvis/llm.h"
#include "health_internal.h"

struct llm_check {
    arvis_llm *llm;
};

static int llm_check_create(const arvis_config *cfg, long timeout_ms, void **state,
                            arvis_error *err)
{
    (void)timeout_ms; /* the facade bounds the wait and cancels the request */
    struct llm_check *c = calloc(1, sizeof *c);
    if (!c) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    int rc = arvis_llm_create(cfg, false, &c->llm, err);
    if (rc != ARVIS_OK) {
        free(c);
        return rc;
    }
    *state = c;
    return ARVIS_OK;
}

static void llm_check_run(void *state, struct health_outcome *out)
{
    struct llm_check *c = state;
    char *version = NULL;
    bool has_model = false;
    arvis_error err;
    arvis_error_clear(&err);
    const char *model = arvis_llm_model(c->llm);
    cJSON_AddStringToObject(out->details, "url", arvis_llm_base_url(c->llm));
    cJSON_AddStringToObject(out->details, "model", model);
    int rc = arvis_llm_check(c->llm, &version, &has_model, &err);
    if (rc != ARVIS_OK) {
        health_set(out, ARVIS_HEALTH_UNHEALTHY, "%s", err.msg);
        return;
    }
    cJSON_AddStringToObject(out->details, "version", version);
    cJSON_AddBoolToObject(out->details, "has_model", has_model);
    if (has_model) {
        health_set(out, ARVIS_HEALTH_HEALTHY, "server %s answers and has %s", version, model);
    } else {
        health_set(out, ARVIS_HEALTH_UNHEALTHY,
                   "the server answers (%s) but has no model \"%s\": fetch it (`ollama pull "
                   "%s`) or set llm.model",
                   version, model, model);
    }
    free(version);
}

static void llm_check_interrupt(void *state)
{
    struct llm_check *c = state;
    arvis_llm_cancel(c->llm);
}

static void llm_check_destroy(void *state)
{
    struct llm_check *c = state;
    if (c) {
        arvis_llm_destroy(c->llm);
        free(c);
    }
}

const struct health_checker_ops health_llm_ops = {
    .name = "llm",
    .create = llm_check_create,
    .run = llm_check_run,
    .interrupt = llm_check_interrupt,
    .destroy = llm_check_destroy,
};
