/* The Ollama provider: POST /api/chat streaming newline-delimited JSON, the server's own
 * figures from its last line, GET /api/tags for models and /api/version for checks. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "llm_internal.h"

enum { NS_PER_MS = 1000000 };

enum {
    F_CONTENT,
    F_DONE,
    F_REASON,
    F_ERROR,
    F_PROMPT_COUNT,
    F_PROMPT_NS,
    F_EVAL_COUNT,
    F_EVAL_NS,
    F_LOAD_NS,
    F_TOTAL_NS,
    F_COUNT,
};

static const char *const field_paths[F_COUNT] = {
    "message.content",      "done",       "done_reason",   "error",         "prompt_eval_count",
    "prompt_eval_duration", "eval_count", "eval_duration", "load_duration", "total_duration",
};

static cJSON *options_of(const arvis_config *cfg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "temperature", arvis_config_number(cfg, "llm.temperature"));
    cJSON_AddNumberToObject(o, "top_p", arvis_config_number(cfg, "llm.top_p"));
    cJSON_AddNumberToObject(o, "top_k", (double)arvis_config_int(cfg, "llm.top_k"));
    cJSON_AddNumberToObject(o, "num_predict", (double)arvis_config_int(cfg, "llm.max_tokens"));
    cJSON_AddNumberToObject(o, "repeat_penalty", arvis_config_number(cfg, "llm.repeat_penalty"));
    cJSON_AddNumberToObject(o, "num_ctx", (double)arvis_config_int(cfg, "llm.num_ctx"));
    if (arvis_config_int(cfg, "llm.seed") >= 0) {
        cJSON_AddNumberToObject(o, "seed", (double)arvis_config_int(cfg, "llm.seed"));
    }
    return o;
}

static char *chat_body(struct llm_ctx *ctx, const struct llm_request *req)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "model", ctx->model);
    cJSON *msgs = cJSON_AddArrayToObject(b, "messages");
    for (size_t i = 0; msgs && !req->warmup && i < req->n; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", req->messages[i].role);
        cJSON_AddStringToObject(m, "content", req->messages[i].content);
        cJSON_AddItemToArray(msgs, m);
    }
    /* An empty chat only loads the model; it answers with one object, not a stream. */
    cJSON_AddBoolToObject(b, "stream", !req->warmup);
    cJSON_AddStringToObject(b, "keep_alive", arvis_config_string(ctx->cfg, "llm.keep_alive"));
    if (!req->warmup) {
        cJSON_AddItemToObject(b, "options", options_of(ctx->cfg));
    }
    char *text = arvis_json_print(b, 0);
    cJSON_Delete(b);
    return text;
}

static double ns_to_ms(const arvis_json_field *f)
{
    return f->kind == ARVIS_JSON_NUMBER ? arvis_json_field_number(f) / NS_PER_MS : -1;
}

static long count_of(const arvis_json_field *f)
{
    return f->kind == ARVIS_JSON_NUMBER ? (long)arvis_json_field_number(f) : -1;
}

static void take_figures(struct llm_outcome *o, const arvis_json_field *f)
{
    o->prompt_tokens = count_of(&f[F_PROMPT_COUNT]);
    o->eval_tokens = count_of(&f[F_EVAL_COUNT]);
    o->prompt_ms = ns_to_ms(&f[F_PROMPT_NS]);
    o->eval_ms = ns_to_ms(&f[F_EVAL_NS]);
    o->load_ms = ns_to_ms(&f[F_LOAD_NS]);
    o->total_ms = ns_to_ms(&f[F_TOTAL_NS]);
    if (f[F_REASON].kind == ARVIS_JSON_STRING) {
        snprintf(o->done_reason, sizeof o->done_reason, "%.*s", (int)f[F_REASON].len,
                 f[F_REASON].start);
    }
}

/* One line of the stream: {"message": {"content": "..."}, "done": false}, and at the end
 * {"done": true, "done_reason": "stop", ...figures}. */
static int on_line(const char *line, size_t len, void *ud)
{
    struct llm_streamer *st = ud;
    if (len == 0) {
        return ARVIS_OK;
    }
    arvis_json_field f[F_COUNT];
    if (arvis_json_extract_paths(st->paths, line, len, f, NULL) != ARVIS_OK) {
        return llm_streamer_not_json(st, line, len);
    }
    if (f[F_ERROR].kind != ARVIS_JSON_ABSENT) {
        arvis_buf_reset(&st->text);
        arvis_json_field_string(&f[F_ERROR], &st->text);
        return arvis_error_set(&st->err, ARVIS_E_PROTOCOL, "it reported an error: %s",
                               arvis_buf_str(&st->text));
    }
    arvis_buf_reset(&st->text);
    if (arvis_json_field_string(&f[F_CONTENT], &st->text) == ARVIS_OK) {
        int rc = llm_streamer_text(st, st->text.data, st->text.len);
        if (rc != ARVIS_OK) {
            return rc;
        }
    }
    if (arvis_json_field_true(&f[F_DONE])) {
        st->done = true;
        take_figures(st->out, f);
    }
    return ARVIS_OK;
}

static int ollama_chat(struct llm_ctx *ctx, const struct llm_request *req,
                       const struct llm_sink *sink, struct llm_outcome *out, arvis_error *err)
{
    llm_outcome_init(out);
    char *body = chat_body(ctx, req);
    if (!body) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    arvis_json_paths paths;
    arvis_json_paths_init(&paths, field_paths, F_COUNT, NULL);
    struct llm_streamer st = {
        .ops = &llm_ollama_ops, .sink = sink, .out = out, .line = on_line, .paths = &paths};
    int rc = llm_stream_post(ctx, &st, "/api/chat", body, "application/x-ndjson", NULL, err);
    free(body);
    return rc;
}

static int ollama_replay(struct llm_ctx *ctx, const char *body, size_t len, size_t piece,
                         const struct llm_sink *sink, struct llm_outcome *out, arvis_error *err)
{
    llm_outcome_init(out);
    arvis_json_paths paths;
    arvis_json_paths_init(&paths, field_paths, F_COUNT, NULL);
    struct llm_streamer st = {
        .ops = &llm_ollama_ops, .sink = sink, .out = out, .line = on_line, .paths = &paths};
    return llm_stream_replay(ctx, &st, body, len, piece, err);
}

static int ollama_models(struct llm_ctx *ctx, char ***names, size_t *n, arvis_error *err)
{
    cJSON *body = NULL;
    int rc = llm_get_json(ctx, &llm_ollama_ops, "/api/tags", NULL, &body, err);
    rc = llm_names(rc, body, "models", "name", names, n, err);
    cJSON_Delete(body);
    return rc;
}

static int ollama_version(struct llm_ctx *ctx, char **version, arvis_error *err)
{
    cJSON *body = NULL;
    int rc = llm_get_json(ctx, &llm_ollama_ops, "/api/version", NULL, &body, err);
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "version"));
    if (rc == ARVIS_OK) {
        *version = strdup(v ? v : "unknown");
        rc = *version ? ARVIS_OK : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    cJSON_Delete(body);
    return rc;
}

const struct arvis_llm_ops llm_ollama_ops = {
    .name = "ollama",
    .server = "Ollama",
    .start_hint = "start it with `ollama serve`",
    .chat = ollama_chat,
    .models = ollama_models,
    .version = ollama_version,
    .replay = ollama_replay,
};
