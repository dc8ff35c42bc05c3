/* The LLM client: the provider llm.provider names, one HTTP connection kept for every request,
 * the conversation, cancellation from any thread, warm-up, and the server checks. A turn
 * itself (window, stream, retries, continuation, measurements) is in turn.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/clock.h"
#include "arvis/log.h"
#include "llm_internal.h"

void llm_say(const arvis_llm_callbacks *cb, const char *fmt, ...)
{
    if (cb && cb->status_cb) {
        char text[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        cb->status_cb(text, cb->ud);
    }
}

int arvis_llm_create(const arvis_config *cfg, bool use_history, arvis_llm **out, arvis_error *err)
{
    arvis_error_clear(err);
    *out = NULL;
    const char *name = arvis_config_string(cfg, "llm.provider");
    const struct arvis_llm_ops *ops = llm_provider(name ? name : "");
    if (!ops) {
        return arvis_error_set(err, ARVIS_E_NOTFOUND,
                               "llm.provider \"%s\" is not known: use \"ollama\" or \"openai\"",
                               name ? name : "");
    }
    arvis_llm *llm = calloc(1, sizeof *llm);
    if (!llm) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    llm->cfg = cfg;
    llm->ops = ops;
    atomic_init(&llm->cancel, false);
    llm->base_url = strdup(arvis_config_string(cfg, "llm.base_url"));
    llm->model = strdup(arvis_config_string(cfg, "llm.model"));
    size_t max = (size_t)arvis_config_int(cfg, "llm.history.max_messages");
    int rc = llm->base_url && llm->model ? ARVIS_OK : ARVIS_E_NOMEM;
    if (rc == ARVIS_OK) {
        rc = arvis_http_create(&llm->http, err);
    }
    if (rc == ARVIS_OK && use_history && arvis_config_bool(cfg, "llm.history.save")) {
        rc = arvis_history_load(NULL, max, &llm->history, err);
        if (rc == ARVIS_OK && err && err->msg[0]) {
            arvis_log(ARVIS_LOG_WARNING, "llm", "%s", err->msg);
        }
    } else if (rc == ARVIS_OK) {
        rc = arvis_history_create(max, &llm->history);
    }
    if (rc != ARVIS_OK) {
        arvis_llm_destroy(llm);
        return rc == ARVIS_E_NOMEM ? arvis_error_set(err, rc, "out of memory") : rc;
    }
    arvis_error_clear(err);
    *out = llm;
    return ARVIS_OK;
}

void arvis_llm_destroy(arvis_llm *llm)
{
    if (!llm) {
        return;
    }
    arvis_http_destroy(llm->http);
    arvis_history_free(llm->history);
    free(llm->base_url);
    free(llm->model);
    free(llm);
}

void llm_client_ctx(arvis_llm *llm, struct llm_ctx *ctx)
{
    *ctx = (struct llm_ctx){
        .http = llm->http,
        .cfg = llm->cfg,
        .base_url = llm->base_url,
        .model = llm->model,
        .cancel = &llm->cancel,
        .max_line = (size_t)arvis_config_int(llm->cfg, "llm.max_line_bytes"),
    };
}

void arvis_llm_cancel(arvis_llm *llm)
{
    atomic_store(&llm->cancel, true);
    arvis_http_wakeup(llm->http);
}

int arvis_llm_set_model(arvis_llm *llm, const char *model)
{
    char *copy = strdup(model);
    if (!copy) {
        return ARVIS_E_NOMEM;
    }
    free(llm->model);
    llm->model = copy;
    return ARVIS_OK;
}

const char *arvis_llm_model(const arvis_llm *llm)
{
    return llm->model;
}

const char *arvis_llm_base_url(const arvis_llm *llm)
{
    return llm->base_url;
}

arvis_history *arvis_llm_history(arvis_llm *llm)
{
    return llm->history;
}

int arvis_llm_models(arvis_llm *llm, char ***names, size_t *n, arvis_error *err)
{
    atomic_store(&llm->cancel, false);
    struct llm_ctx ctx;
    llm_client_ctx(llm, &ctx);
    return llm->ops->models(&ctx, names, n, err);
}

void arvis_llm_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++) {
        free(names[i]);
    }
    free(names);
}

int arvis_llm_check(arvis_llm *llm, char **version, bool *has_model, arvis_error *err)
{
    *version = NULL;
    *has_model = false;
    atomic_store(&llm->cancel, false);
    struct llm_ctx ctx;
    llm_client_ctx(llm, &ctx);
    /* Servers without a version call are known by their model list alone. */
    int rc = llm->ops->version
                 ? llm->ops->version(&ctx, version, err)
                 : ((*version = strdup("OpenAI-compatible")) ? ARVIS_OK : ARVIS_E_NOMEM);
    char **names = NULL;
    size_t n = 0;
    if (rc == ARVIS_OK) {
        rc = llm->ops->models(&ctx, &names, &n, err);
    }
    for (size_t i = 0; rc == ARVIS_OK && i < n; i++) {
        *has_model = *has_model || strcmp(names[i], llm->model) == 0;
    }
    arvis_llm_names_free(names, n);
    if (rc != ARVIS_OK) {
        free(*version);
        *version = NULL;
    }
    return rc == ARVIS_E_NOMEM ? arvis_error_set(err, rc, "out of memory") : rc;
}

/* A model the server does not have: the message lists the ones it has. */
int llm_unknown_model(arvis_llm *llm, const char *detail, arvis_error *err)
{
    char **names = NULL;
    size_t n = 0;
    arvis_error lerr;
    struct llm_ctx ctx;
    llm_client_ctx(llm, &ctx);
    char list[512] = "";
    if (llm->ops->models(&ctx, &names, &n, &lerr) == ARVIS_OK) {
        size_t used = 0;
        for (size_t i = 0; i < n && used < sizeof list; i++) {
            int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
            used += w > 0 ? (size_t)w : 0;
        }
    }
    arvis_llm_names_free(names, n);
    bool ollama = llm->ops == &llm_ollama_ops;
    return arvis_error_set(err, ARVIS_E_NOTFOUND,
                           "%s has no model \"%s\" (%s); it has: %s. %s, or set llm.model",
                           llm->ops->server, llm->model, detail, list[0] ? list : "none",
                           ollama ? "Fetch it with `ollama pull MODEL`" : "Load it on the server");
}

static int discard(const char *text, size_t len, void *ud)
{
    (void)text;
    (void)len;
    (void)ud;
    return ARVIS_OK;
}

int arvis_llm_warmup(arvis_llm *llm, const arvis_llm_callbacks *cb, arvis_llm_stats *stats,
                     arvis_error *err)
{
    atomic_store(&llm->cancel, false);
    llm_stats_init(stats);
    struct llm_ctx ctx;
    llm_client_ctx(llm, &ctx);
    const char *system = arvis_config_string(llm->cfg, "llm.system_prompt");
    struct llm_message_ref sys = {"system", system};
    struct llm_request req = {.messages = &sys, .n = 1, .warmup = true};
    struct llm_sink sink = {.text = discard};
    struct llm_outcome out;
    llm_say(cb, "loading %s on %s", llm->model, llm->ops->server);
    uint64_t t0 = arvis_clock_ns();
    int rc = llm->ops->chat(&ctx, &req, &sink, &out, err);
    stats->total_ms = arvis_clock_elapsed_ms(t0, arvis_clock_ns());
    llm_stats_take_outcome(stats, &out);
    if (rc == ARVIS_E_NOTFOUND) {
        rc = llm_unknown_model(llm, err->msg, err);
    }
    if (rc == ARVIS_OK) {
        llm_say(cb, "%s is ready (%.0f ms)", llm->model, stats->total_ms);
    }
    return rc;
}
