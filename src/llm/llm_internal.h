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
#include "arvis/json.h"
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
    /* Parses a recorded answer body fed in pieces of `piece` bytes, without a server. */
    int (*replay)(struct llm_ctx *ctx, const char *body, size_t len, size_t piece,
                  const struct llm_sink *sink, struct llm_outcome *out, arvis_error *err);
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
                 const char *bearer, struct cJSON **body, arvis_error *err);

/* The names in body[list_key][*][name_key] when rc is ARVIS_OK (the caller frees each and the
 * array); returns rc or an allocation failure. */
int llm_names(int rc, const struct cJSON *body, const char *list_key, const char *name_key,
              char ***names, size_t *n, arvis_error *err);

/* Turns a failed transfer or an HTTP error status into one sentence for the user. */
int llm_explain(struct llm_ctx *ctx, const struct arvis_llm_ops *ops, int rc,
                const arvis_http_result *res, const arvis_error *why, arvis_error *err);

/* Fills a request's common fields from the context and settings. */
void llm_http_request(struct llm_ctx *ctx, arvis_http_request *req, const char *method,
                      const char *url, const char *body, const char *accept);

/* ---- request.c: one streamed chat request, whatever the provider's framing ---- */

struct llm_streamer {
    const struct arvis_llm_ops *ops;
    const struct llm_sink *sink;
    struct llm_outcome *out;
    /* The provider's reading of one line (valid UTF-8: bad bytes already replaced) and of the
     * end of the stream; ud is the streamer. Errors go in err with the status returned. */
    llm_line_cb line;
    int (*finish)(struct llm_streamer *s);
    void *state;                   /* the provider's own */
    const arvis_json_paths *paths; /* the fields the provider reads from each line */
    struct llm_lines lines;
    arvis_buf clean; /* a line with invalid UTF-8 replaced */
    arvis_buf text;  /* scratch for decoded strings */
    bool done;       /* the server said the answer was complete */
    arvis_error err; /* why the stream was stopped */
};

/* Passes a piece of the answer to the sink (empty pieces are skipped). */
int llm_streamer_text(struct llm_streamer *s, const char *text, size_t len);

/* Stops the stream because a line could not be read as JSON. */
int llm_streamer_not_json(struct llm_streamer *s, const char *line, size_t len);

/* POSTs body to path and streams the answer through s->line. Returns ARVIS_OK only for a
 * whole answer that said it was done; errors name the server and say what to do. */
int llm_stream_post(struct llm_ctx *ctx, struct llm_streamer *s, const char *path,
                    const char *body, const char *accept, const char *bearer, arvis_error *err);

/* Reads a recorded answer body as if it arrived in pieces of `piece` bytes (tests, benchmarks). */
int llm_stream_replay(struct llm_ctx *ctx, struct llm_streamer *s, const char *data, size_t len,
                      size_t piece, arvis_error *err);

/* ---- client.c and turn.c ---- */

struct arvis_llm {
    const arvis_config *cfg;
    const struct arvis_llm_ops *ops;
    arvis_http *http;
    atomic_bool cancel;
    char *base_url;
    char *model;
    arvis_history *history; /* saved to a file, or in memory only */
};

void llm_client_ctx(arvis_llm *llm, struct llm_ctx *ctx);

/* Tells the caller what is going on (retrying, continuing, loading) through its status_cb. */
void llm_say(const arvis_llm_callbacks *cb, const char *fmt, ...) ARVIS_PRINTF(2, 3);

/* Replaces a "no such model" answer with one that lists the models the server has. */
int llm_unknown_model(arvis_llm *llm, const char *detail, arvis_error *err);

/* Stats with every figure "unknown". */
void llm_stats_init(arvis_llm_stats *s);

/* Copies the server's own figures into stats. */
void llm_stats_take_outcome(arvis_llm_stats *s, const struct llm_outcome *out);

/* The messages of the conversation to send before a new question: whole turns, newest first,
 * within llm.history.context_messages and context_chars; the start only moves in steps, so
 * the prefix stays byte-identical over several turns and the server can reuse its cache.
 * Returns the index of the first history message to send; unanswered questions are skipped
 * by the caller. */
size_t llm_window_start(const arvis_history *h, size_t max_messages, size_t max_chars);

#endif
