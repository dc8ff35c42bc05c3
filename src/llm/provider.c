/* What the providers share: the table of providers, URLs, request settings from the config, a
 * small JSON GET, and turning a failed request into one sentence that says what to do. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "llm_internal.h"

enum { SMALL_BODY_MAX = 4 * 1024 * 1024, DETAIL_MAX = 300 };

static const struct arvis_llm_ops *const providers[] = {&llm_ollama_ops, &llm_openai_ops};
static const char *const provider_names[] = {"ollama", "openai", NULL};

const char *const *arvis_llm_providers(void)
{
    return provider_names;
}

const struct arvis_llm_ops *llm_provider(const char *name)
{
    for (size_t i = 0; i < sizeof providers / sizeof providers[0]; i++) {
        if (strcmp(providers[i]->name, name) == 0) {
            return providers[i];
        }
    }
    return NULL;
}

char *llm_url(const char *base_url, const char *path)
{
    size_t blen = strlen(base_url);
    while (blen > 0 && base_url[blen - 1] == '/') {
        blen--;
    }
    size_t n = blen + strlen(path) + 1;
    char *url = malloc(n);
    if (url) {
        snprintf(url, n, "%.*s%s", (int)blen, base_url, path);
    }
    return url;
}

void llm_outcome_init(struct llm_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->prompt_tokens = out->cached_tokens = out->eval_tokens = -1;
    out->prompt_ms = out->eval_ms = out->load_ms = out->total_ms = -1;
}

void llm_http_request(struct llm_ctx *ctx, arvis_http_request *req, const char *method,
                      const char *url, const char *body, const char *accept)
{
    *req = (arvis_http_request){
        .method = method,
        .url = url,
        .body = body,
        .body_len = body ? strlen(body) : 0,
        .accept = accept,
        .connect_timeout_ms = (long)arvis_config_int(ctx->cfg, "llm.connect_timeout_ms"),
        .read_gap_ms = (long)arvis_config_int(ctx->cfg, "llm.stream_chunk_timeout_ms"),
        .total_timeout_ms = (long)arvis_config_int(ctx->cfg, "llm.request_timeout_ms"),
    };
}

/* The message in an error body: {"error": "..."} (Ollama) or {"error": {"message": "..."}}
 * (OpenAI), else the start of the body. */
static void error_detail(const arvis_http_result *res, char *out, size_t size)
{
    out[0] = '\0';
    if (!res->body) {
        return;
    }
    arvis_json_field f[] = {{.path = "error"}, {.path = "error.message"}};
    arvis_buf text;
    arvis_buf_init(&text, size);
    if (arvis_json_extract(res->body, res->body_len, f, 2, NULL) == ARVIS_OK &&
        (arvis_json_field_string(&f[0], &text) == ARVIS_OK ||
         arvis_json_field_string(&f[1], &text) == ARVIS_OK)) {
        snprintf(out, size, "%s", arvis_buf_str(&text));
    } else {
        snprintf(out, size, "%.*s", (int)(res->body_len < 200 ? res->body_len : 200), res->body);
    }
    arvis_buf_free(&text);
}

int llm_explain(struct llm_ctx *ctx, const struct arvis_llm_ops *ops, int rc,
                const arvis_http_result *res, const arvis_error *why, arvis_error *err)
{
    const char *who = ops->server;
    const char *where = ctx->base_url;
    switch (rc) {
    case ARVIS_OK:
        break;
    case ARVIS_E_UNAVAILABLE:
        return arvis_error_set(err, rc, "cannot reach %s at %s (%s): %s, or set llm.base_url", who,
                               where, why->msg, ops->start_hint);
    case ARVIS_E_TIMEOUT:
        return arvis_error_set(err, rc, "%s at %s stopped answering: %s", who, where, why->msg);
    case ARVIS_E_CANCELLED:
        return arvis_error_set(err, rc, "cancelled");
    case ARVIS_E_INVAL:
        return arvis_error_set(err, rc, "llm.base_url %s: %s", where, why->msg);
    default:
        return arvis_error_set(err, rc, "%s at %s: %s", who, where, why->msg);
    }
    char detail[DETAIL_MAX];
    error_detail(res, detail, sizeof detail);
    long status = res->status;
    if (status >= 300 && status < 400) {
        return arvis_error_set(err, ARVIS_E_PROTOCOL,
                               "%s at %s answered with a redirect to %s, which Arvis does not "
                               "follow: set llm.base_url to the address the server really has",
                               who, where, res->location ? res->location : "another address");
    }
    if (status == 401 || status == 403) {
        return arvis_error_set(err, ARVIS_E_PERM,
                               "%s at %s refused the request (%ld: %s): check the API key in the "
                               "variable llm.api_key_env names",
                               who, where, status, detail);
    }
    if (status == 404) {
        return arvis_error_set(err, ARVIS_E_NOTFOUND, "%s", detail[0] ? detail : "not found");
    }
    return arvis_error_set(err, ARVIS_E_PROTOCOL, "%s at %s answered %ld: %s", who, where, status,
                           detail[0] ? detail : "no reason given");
}

static int collect(const char *data, size_t len, void *ud)
{
    return arvis_buf_add(ud, data, len);
}

int llm_get_json(struct llm_ctx *ctx, const struct arvis_llm_ops *ops, const char *path,
                 const char *bearer, cJSON **body, arvis_error *err)
{
    *body = NULL;
    char *url = llm_url(ctx->base_url, path);
    if (!url) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    arvis_buf text;
    arvis_buf_init(&text, SMALL_BODY_MAX);
    arvis_http_request req;
    llm_http_request(ctx, &req, "GET", url, NULL, "application/json");
    req.bearer = bearer;
    req.data_cb = collect;
    req.ud = &text;
    arvis_http_result res;
    arvis_error why;
    arvis_error_clear(&why);
    int rc = arvis_http_perform(ctx->http, &req, ctx->cancel, &res, &why);
    if (rc == ARVIS_OK && (res.status < 200 || res.status > 299)) {
        rc = llm_explain(ctx, ops, rc, &res, &why, err);
    } else if (rc != ARVIS_OK) {
        rc = llm_explain(ctx, ops, rc, &res, &why, err);
    } else if (arvis_json_parse(text.data ? text.data : "", text.len, body, &why) != ARVIS_OK) {
        rc = arvis_error_set(err, ARVIS_E_PROTOCOL,
                             "%s at %s sent something that is not JSON "
                             "for %s: %s",
                             ops->server, ctx->base_url, path, why.msg);
    }
    arvis_http_result_free(&res);
    arvis_buf_free(&text);
    free(url);
    return rc;
}

int llm_names(int rc, const cJSON *body, const char *list_key, const char *name_key, char ***names,
              size_t *n, arvis_error *err)
{
    *names = NULL;
    *n = 0;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, list_key);
    size_t count = (size_t)cJSON_GetArraySize(list);
    if (rc == ARVIS_OK && count > 0 && !(*names = calloc(count, sizeof **names))) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    for (const cJSON *m = list ? list->child : NULL; rc == ARVIS_OK && m; m = m->next) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, name_key));
        if (name && ((*names)[*n] = strdup(name))) {
            (*n)++;
        }
    }
    return rc;
}
