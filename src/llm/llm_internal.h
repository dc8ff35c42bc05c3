/* Shared between the files of the LLM subsystem: streamed line and event parsing, the provider
 * table, and the state one request needs. */
#ifndef ARVIS_LLM_INTERNAL_H
#define ARVIS_LLM_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "arvis/buf.h"
#include "arvis/config.h"
#include "arvis/http.h"
#include "arvis/llm.h"

/* ---- stream.c: bytes into lines (LF, CRLF or CR), lines into server-sent events ---- */

typedef int (*llm_line_cb)(const char *line, size_t len, void *ud);

struct llm_lines {
    arvis_buf partial; /* a line not yet ended; bounded by the longest line allowed */
    bool after_cr;     /* the last byte was CR: a following LF belongs to it */
};

void llm_lines_init(struct llm_lines *l, size_t max_line);
void llm_lines_free(struct llm_lines *l);

/* Calls cb for each complete line. Returns ARVIS_E_TOOBIG for a line longer than the limit, or
 * the first non-zero status cb returns. */
int llm_lines_feed(struct llm_lines *l, const char *data, size_t len, llm_line_cb cb, void *ud);

/* The stream ended: a last line without a line end is passed on too. */
int llm_lines_finish(struct llm_lines *l, llm_line_cb cb, void *ud);

struct llm_sse {
    arvis_buf data; /* the data lines of the event being read */
    bool has_data;
};

void llm_sse_init(struct llm_sse *s, size_t max_event);
void llm_sse_free(struct llm_sse *s);

/* One line of an event stream; cb gets each event's data when a blank line ends it. Comments
 * (keep-alives) and the id, event and retry fields are skipped. */
int llm_sse_line(struct llm_sse *s, const char *line, size_t len, llm_line_cb cb, void *ud);

/* The stream ended: an event without its blank line is still passed on. */
int llm_sse_finish(struct llm_sse *s, llm_line_cb cb, void *ud);

/* ---- providers ---- */

/* Everything a provider needs to make requests, owned by the client. */
struct llm_ctx {
    arvis_http *http;
    const arvis_config *cfg;
    const char *base_url;
    const char *model;
    const atomic_bool *cancel;
    size_t max_line;
};

struct llm_message_ref {
    const char *role;
    const char *content;
};

struct llm_request {
    const struct llm_message_ref *messages; /* the system prompt first */
    size_t n;
    bool warmup; /* load the model; no answer wanted */
};

/* Receives the answer's text as it streams (valid UTF-8, never empty). */
struct llm_sink {
    int (*text)(const char *text, size_t len, void *ud);
    void *ud;
};

/* What the server said about the request. */
struct llm_outcome {
    char done_reason[16];
    bool received; /* the server answered something: retrying could repeat work */
    long prompt_tokens;
    long cached_tokens;
    long eval_tokens;
    double prompt_ms;
    double eval_ms;
    double load_ms;
    double total_ms;
};

struct arvis_llm_ops {
    const char *name;
    const char *server;     /* how messages name it: "Ollama", "the model server" */
    const char *start_hint; /* what to do when it cannot be reached */
    int (*chat)(struct llm_ctx *ctx, const struct llm_request *req, const struct llm_sink *sink,
                struct llm_outcome *out, arvis_error *err);
    int (*models)(struct llm_ctx *ctx, char ***names, size_t *n, arvis_error *err);
    int (*version)(struct llm_ctx *ctx, char **version, arvis_error *err);
};

extern const struct arvis_llm_ops llm_ollama_ops;
extern const struct arvis_llm_ops llm_openai_ops;

/* The provider called name, or NULL. */
const struct arvis_llm_ops *llm_provider(const char *name);

/* ---- provider.c: helpers the providers share ---- */

/* base_url + path, without a doubled slash. The caller frees. */
char *llm_url(const char *base_url, const char *path);

/* Sets an outcome's figures to "unknown". */
void llm_outcome_init(struct llm_outcome *out);

/* A GET whose (small) JSON answer is parsed; *body is owned by the caller. Errors name the
 * server and say what to do. */
int llm_get_json(struct llm_ctx *ctx, const struct arvis_llm_ops *ops, const char *path,
                 struct cJSON **body, arvis_error *err);

/* Turns a failed transfer or an HTTP error status into one sentence for the user. */
int llm_explain(struct llm_ctx *ctx, const struct arvis_llm_ops *ops, int rc,
                const arvis_http_result *res, const arvis_error *why, arvis_error *err);

/* Fills a request's common fields from the context and settings. */
void llm_http_request(struct llm_ctx *ctx, arvis_http_request *req, const char *method,
                      const char *url, const char *body, const char *accept);

#endif
