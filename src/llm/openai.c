/* The OpenAI-compatible provider (llama.cpp server, vLLM, LM Studio, OpenAI): POST
 * /v1/chat/completions streaming server-sent events up to `data: [DONE]`, the bearer key from
 * the variable llm.api_key_env names, `usage` and llama.cpp's `timings` when present, and
 * GET /v1/models for models and checks. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "llm_internal.h"

enum {
    F_CONTENT,
    F_FINISH,
    F_ERROR,
    F_ERROR_TEXT,
    F_PROMPT,
    F_COMPLETION,
    F_CACHED,
    F_T_PROMPT_N,
    F_T_PROMPT_MS,
    F_T_PREDICTED_N,
    F_T_PREDICTED_MS,
    F_T_CACHE_N,
    F_COUNT,
};

static const char *const field_paths[F_COUNT] = {
    "choices.0.delta.content",
    "choices.0.finish_reason",
    "error.message",
    "error",
    "usage.prompt_tokens",
    "usage.completion_tokens",
    "usage.prompt_tokens_details.cached_tokens",
    "timings.prompt_n",
    "timings.prompt_ms",
    "timings.predicted_n",
    "timings.predicted_ms",
    "timings.cache_n",
};

static char *chat_body(struct llm_ctx *ctx, const struct llm_request *req)
{
    const arvis_config *cfg = ctx->cfg;
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "model", ctx->model);
    cJSON *msgs = cJSON_AddArrayToObject(b, "messages");
    /* Warming up sends the system prompt alone, so the server also caches that prefix. */
    size_t n = req->warmup && req->n > 0 ? 1 : req->n;
    for (size_t i = 0; msgs && i < n; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", req->messages[i].role);
        cJSON_AddStringToObject(m, "content", req->messages[i].content);
        cJSON_AddItemToArray(msgs, m);
    }
    cJSON_AddBoolToObject(b, "stream", true);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(b, "stream_options"), "include_usage", true);
    cJSON_AddNumberToObject(b, "temperature", arvis_config_number(cfg, "llm.temperature"));
    cJSON_AddNumberToObject(b, "top_p", arvis_config_number(cfg, "llm.top_p"));
    cJSON_AddNumberToObject(b, "max_tokens",
                            req->warmup ? 1 : (double)arvis_config_int(cfg, "llm.max_tokens"));
    if (arvis_config_int(cfg, "llm.seed") >= 0) {
        cJSON_AddNumberToObject(b, "seed", (double)arvis_config_int(cfg, "llm.seed"));
    }
    char *text = arvis_json_print(b, 0);
    cJSON_Delete(b);
    return text;
}

static long count_of(const arvis_json_field *f)
{
    return f->kind == ARVIS_JSON_NUMBER ? (long)arvis_json_field_number(f) : -1;
}

static void take_figures(struct llm_outcome *o, const arvis_json_field *f)
{
    if (f[F_PROMPT].kind == ARVIS_JSON_NUMBER) {
        o->prompt_tokens = count_of(&f[F_PROMPT]);
        o->eval_tokens = count_of(&f[F_COMPLETION]);
    }
    if (f[F_CACHED].kind == ARVIS_JSON_NUMBER) {
        o->cached_tokens = count_of(&f[F_CACHED]);
    }
    if (f[F_T_PREDICTED_N].kind == ARVIS_JSON_NUMBER) {
        o->prompt_tokens = count_of(&f[F_T_PROMPT_N]);
        o->eval_tokens = count_of(&f[F_T_PREDICTED_N]);
        o->prompt_ms = f[F_T_PROMPT_MS].kind ? arvis_json_field_number(&f[F_T_PROMPT_MS]) : -1;
        o->eval_ms = f[F_T_PREDICTED_MS].kind ? arvis_json_field_number(&f[F_T_PREDICTED_MS]) : -1;
        if (f[F_T_CACHE_N].kind == ARVIS_JSON_NUMBER) {
            o->cached_tokens = count_of(&f[F_T_CACHE_N]);
        }
    }
}

/* One event's data: a chunk {"choices": [{"delta": {"content": "..."}, "finish_reason": ...}]},
 * the usage chunk, an error object, or [DONE]. */
static int on_event(const char *data, size_t len, void *ud)
{
    struct llm_streamer *st = ud;
    if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
        st->done = true;
        return ARVIS_OK;
    }
    arvis_json_field f[F_COUNT];
    if (arvis_json_extract_paths(st->paths, data, len, f, NULL) != ARVIS_OK) {
        return llm_streamer_not_json(st, data, len);
    }
    if (f[F_ERROR].kind != ARVIS_JSON_ABSENT || f[F_ERROR_TEXT].kind == ARVIS_JSON_STRING) {
        arvis_buf_reset(&st->text);
        if (arvis_json_field_string(&f[F_ERROR], &st->text) != ARVIS_OK) {
            arvis_json_field_string(&f[F_ERROR_TEXT], &st->text);
        }
        return arvis_error_set(&st->err, ARVIS_E_PROTOCOL, "it reported an error: %s",
                               st->text.len ? arvis_buf_str(&st->text) : "no reason given");
    }
    arvis_buf_reset(&st->text);
    if (arvis_json_field_string(&f[F_CONTENT], &st->text) == ARVIS_OK) {
        int rc = llm_streamer_text(st, st->text.data, st->text.len);
        if (rc != ARVIS_OK) {
            return rc;
        }
    }
    if (f[F_FINISH].kind == ARVIS_JSON_STRING) {
        snprintf(st->out->done_reason, sizeof st->out->done_reason, "%.*s", (int)f[F_FINISH].len,
                 f[F_FINISH].start);
    }
    take_figures(st->out, f);
    return ARVIS_OK;
}

static int on_line(const char *line, size_t len, void *ud)
{
    struct llm_streamer *st = ud;
    if (st->done) {
        return ARVIS_OK; /* nothing after [DONE] matters */
    }
    int rc = llm_sse_line(st->state, line, len, on_event, st);
    if (rc == ARVIS_E_TOOBIG && st->err.code == ARVIS_OK) {
        arvis_error_set(&st->err, rc,
                        "it sent an event longer than %zu bytes "
                        "(llm.max_line_bytes)",
                        ((struct llm_sse *)st->state)->data.max);
    }
    return rc;
}

static int on_finish(struct llm_streamer *st)
{
    int rc = st->done ? ARVIS_OK : llm_sse_finish(st->state, on_event, st);
    /* A stream that gave its finish reason but lost [DONE] still holds the whole answer. */
    if (rc == ARVIS_OK && st->out->done_reason[0]) {
        st->done = true;
    }
    return rc;
}

static const char *api_key(const arvis_config *cfg)
{
    const char *var = arvis_config_string(cfg, "llm.api_key_env");
    const char *key = var && var[0] ? getenv(var) : NULL;
    return key && key[0] ? key : NULL;
}

/* Runs one stream with the SSE state: from the server (body != NULL) or a recording. */
static int run(struct llm_ctx *ctx, const char *body, const char *recorded, size_t len,
               size_t piece, const struct llm_sink *sink, struct llm_outcome *out, arvis_error *err)
{
    llm_outcome_init(out);
    struct llm_sse sse;
    llm_sse_init(&sse, ctx->max_line);
    arvis_json_paths paths;
    arvis_json_paths_init(&paths, field_paths, F_COUNT, NULL);
    struct llm_streamer st = {
        .paths = &paths,
        .ops = &llm_openai_ops,
        .sink = sink,
        .out = out,
        .line = on_line,
        .finish = on_finish,
        .state = &sse,
    };
    int rc = body ? llm_stream_post(ctx, &st, "/v1/chat/completions", body, "text/event-stream",
                                    api_key(ctx->cfg), err)
                  : llm_stream_replay(ctx, &st, recorded, len, piece, err);
    llm_sse_free(&sse);
    return rc;
}

static int openai_chat(struct llm_ctx *ctx, const struct llm_request *req,
                       const struct llm_sink *sink, struct llm_outcome *out, arvis_error *err)
{
    char *body = chat_body(ctx, req);
    if (!body) {
        llm_outcome_init(out);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    int rc = run(ctx, body, NULL, 0, 0, sink, out, err);
    free(body);
    return rc;
}

static int openai_replay(struct llm_ctx *ctx, const char *recorded, size_t len, size_t piece,
                         const struct llm_sink *sink, struct llm_outcome *out, arvis_error *err)
{
    return run(ctx, NULL, recorded, len, piece ? piece : len, sink, out, err);
}

static int openai_models(struct llm_ctx *ctx, char ***names, size_t *n, arvis_error *err)
{
    cJSON *body = NULL;
    int rc = llm_get_json(ctx, &llm_openai_ops, "/v1/models", api_key(ctx->cfg), &body, err);
    rc = llm_names(rc, body, "data", "id", names, n, err);
    cJSON_Delete(body);
    return rc;
}

const struct arvis_llm_ops llm_openai_ops = {
    .name = "openai",
    .server = "the model server",
    .start_hint = "start the server (for example llama.cpp's `llama-server`)",
    .chat = openai_chat,
    .models = openai_models,
    .version = NULL,
    .replay = openai_replay,
};
