/* The language model: providers (Ollama, OpenAI-compatible) streaming their answer, the stream
 * turned into display chunks and whole sentences for speech, the conversation history, and the
 * measurements of every request (time to first token, tokens per second, gaps). */
#ifndef ARVIS_LLM_H
#define ARVIS_LLM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "arvis/config.h"
#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Display chunks: streamed text cut at word boundaries for the screen ---- */

typedef void (*arvis_text_cb)(const char *text, size_t len, void *ud);

typedef struct arvis_chunker arvis_chunker;

/* A chunker that releases text once it holds min_chars characters, at the last word boundary
 * (space, newline, tab or . , ! ? ; :), and after force_chars characters even without one.
 * With word_boundary false it cuts at exactly min_chars characters. Never splits a character. */
int arvis_chunker_create(size_t min_chars, size_t force_chars, bool word_boundary,
                         arvis_chunker **out);
void arvis_chunker_destroy(arvis_chunker *c);

/* Adds text and calls cb (on this thread) for every chunk that becomes ready. */
int arvis_chunker_add(arvis_chunker *c, const char *text, size_t len, arvis_text_cb cb, void *ud);

/* Releases whatever is held (end of the stream). */
void arvis_chunker_flush(arvis_chunker *c, arvis_text_cb cb, void *ud);

/* ---- Sentences: streamed text cut into whole sentences for speech ---- */

typedef void (*arvis_sentence_cb)(const char *text, size_t len, bool early, void *ud);

typedef struct arvis_sentencer arvis_sentencer;

/* A splitter that knows abbreviations (Dr., e.g., U.S., a.m.), decimals and versions (3.14,
 * v1.6.0), ellipses, closing quotes and brackets, list items, line breaks, code blocks, Cyrillic
 * and emoji. early_chars > 0 lets the first sentence out early, at its last clause boundary
 * (comma, colon, semicolon, dash), once it is longer than that (0: never). */
int arvis_sentencer_create(size_t early_chars, arvis_sentencer **out);
void arvis_sentencer_destroy(arvis_sentencer *s);

/* Adds text and calls cb for every sentence that is complete. Sentences come trimmed; `early`
 * marks a clause released before its sentence ended. */
int arvis_sentencer_add(arvis_sentencer *s, const char *text, size_t len, arvis_sentence_cb cb,
                        void *ud);

/* Releases the rest as a last sentence (end of the stream) and starts over. */
void arvis_sentencer_flush(arvis_sentencer *s, arvis_sentence_cb cb, void *ud);

/* ---- Conversation history, saved in the data folder ---- */

typedef struct arvis_llm_message {
    char *role;    /* "user" or "assistant" */
    char *content; /* exactly as said or received */
    double time;   /* wall clock, seconds since the epoch */
    bool cut;      /* the answer was cut short (cancelled, or the connection failed) */
} arvis_llm_message;

typedef struct arvis_history arvis_history;

/* Loads the history at path (NULL: history.json in the data folder), keeping at most
 * max_messages. A missing file is an empty history. A file that cannot be read as a history is
 * moved aside (to path.corrupt, or .corrupt.2 and so on when that exists) with a warning in
 * err->msg and ARVIS_OK, so nothing is lost. */
int arvis_history_load(const char *path, size_t max_messages, arvis_history **out,
                       arvis_error *err);
void arvis_history_free(arvis_history *h);

/* A history kept in memory only: saving it does nothing. */
int arvis_history_create(size_t max_messages, arvis_history **out);

size_t arvis_history_count(const arvis_history *h);
const arvis_llm_message *arvis_history_at(const arvis_history *h, size_t i);

/* Appends a message (dropping the oldest beyond the maximum). Does not save. The role must be
 * "user" or "assistant" (ARVIS_E_INVAL otherwise). */
int arvis_history_add(arvis_history *h, const char *role, const char *content, bool cut);

/* Replaces the last answer's text with content and its cut mark (an answer stopped while it
 * was being spoken keeps only what was said). Does not save. ARVIS_E_STATE when the last
 * message is not an answer. */
int arvis_history_amend_last(arvis_history *h, const char *content, bool cut);

/* Writes the history atomically (the previous file kept as .bak). */
int arvis_history_save(const arvis_history *h, arvis_error *err);

/* Removes every message and saves. */
int arvis_history_clear(arvis_history *h, arvis_error *err);

/* The history as JSON text ({"messages": [...]}); the caller frees. */
char *arvis_history_to_json(const arvis_history *h);

/* Where it is saved (NULL: in memory only). */
const char *arvis_history_path(const arvis_history *h);

/* The sequence number of the oldest message kept: how many were ever dropped before it. */
size_t arvis_history_first(const arvis_history *h);

/* ---- Measurements of one request ---- */

typedef struct arvis_llm_stats {
    double ttft_ms;      /* request sent -> first text, on our clock; -1 without text */
    double total_ms;     /* request sent -> end of the answer */
    size_t chunks;       /* pieces of text received: our token count */
    size_t chars;        /* characters received */
    double tokens_per_s; /* ours: pieces after the first / time from first to last; -1 unknown */
    double gap_p50_ms;   /* gaps between pieces */
    double gap_p95_ms;
    long prompt_tokens; /* the server's figures, -1 when it does not say */
    long cached_tokens;
    long eval_tokens;
    double prompt_ms;
    double eval_ms;
    double load_ms;
    double server_total_ms;
    double server_tokens_per_s; /* eval_tokens / eval_ms; -1 unknown */
    int retries;                /* connection attempts that failed before this answer */
    int continuations;          /* times the answer was continued after the length limit */
    char done_reason[16];       /* "stop", "length", "cancelled", "error" or "" */
} arvis_llm_stats;

/* The stats as a JSON object (unknown figures as null); the caller deletes it. */
struct cJSON *arvis_llm_stats_json(const arvis_llm_stats *s);

/* ---- The client: provider, history budget, retries, continuation, warm-up ---- */

typedef struct arvis_llm arvis_llm;

typedef struct arvis_llm_callbacks {
    arvis_text_cb token_cb;                           /* every piece as it arrives */
    arvis_text_cb chunk_cb;                           /* display chunks */
    arvis_sentence_cb sentence_cb;                    /* sentences for speech */
    void (*status_cb)(const char *message, void *ud); /* retrying, continuing, loading */
    void *ud;
    /* The caller's own stop flag (may be NULL): when it is set before the request starts, the
     * request is cancelled at once. arvis_llm_ask forgets earlier arvis_llm_cancel calls, so a
     * caller that may cancel just before asking sets this flag first, then calls
     * arvis_llm_cancel; it is never cleared here. */
    const atomic_bool *stop;
} arvis_llm_callbacks;

typedef struct arvis_llm_reply {
    char *text; /* the whole answer (all continuations); the caller frees */
    bool cut;   /* cancelled or broken before its end */
    arvis_llm_stats stats;
} arvis_llm_reply;

void arvis_llm_reply_free(arvis_llm_reply *r);

/* Names of the providers this build has, NULL-terminated ("ollama", "openai"). */
const char *const *arvis_llm_providers(void);

/* A client for llm.provider from cfg (which must outlive it). When use_history is true the
 * conversation is loaded from, and saved after every turn to, the data folder. */
int arvis_llm_create(const arvis_config *cfg, bool use_history, arvis_llm **out, arvis_error *err);
void arvis_llm_destroy(arvis_llm *llm);

/* Asks one question with the conversation so far, streaming the answer through cb on this
 * thread. Blocks until the answer ends, fails or is cancelled; the history records what was
 * received either way (a cut answer marked as such). Returns ARVIS_E_UNAVAILABLE when the
 * server cannot be reached (err says how to start it), ARVIS_E_CANCELLED, ARVIS_E_TIMEOUT,
 * ARVIS_E_NOTFOUND for an unknown model, ARVIS_E_PROTOCOL for a server that broke off or sent
 * nonsense. reply is filled in every case; free it with arvis_llm_reply_free. */
int arvis_llm_ask(arvis_llm *llm, const char *question, const arvis_llm_callbacks *cb,
                  arvis_llm_reply *reply, arvis_error *err);

/* Stops the request under way (or the back-off before a retry) within milliseconds. Any
 * thread; not from a signal handler. A cancel while nothing runs is forgotten. */
void arvis_llm_cancel(arvis_llm *llm);

/* Loads the model on the server so the first question is not cold. */
int arvis_llm_warmup(arvis_llm *llm, const arvis_llm_callbacks *cb, arvis_llm_stats *stats,
                     arvis_error *err);

/* The models the server has (free them with arvis_llm_names_free) */
int arvis_llm_models(arvis_llm *llm, char ***names, size_t *n, arvis_error *err);
void arvis_llm_names_free(char **names, size_t n);

/* Whether the server answers: its version (the caller frees it; "OpenAI-compatible" for servers
 * without a version call) and whether it has the model in use. */
int arvis_llm_check(arvis_llm *llm, char **version, bool *has_model, arvis_error *err);

/* Uses another model from now on (this client only). */
int arvis_llm_set_model(arvis_llm *llm, const char *model);
const char *arvis_llm_model(const arvis_llm *llm);
const char *arvis_llm_base_url(const arvis_llm *llm);

/* The conversation (NULL when the client keeps none). */
arvis_history *arvis_llm_history(arvis_llm *llm);

#ifdef __cplusplus
}
#endif

#endif
