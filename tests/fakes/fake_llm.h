/* A scripted LLM server for tests and benchmarks: a real HTTP server (libmicrohttpd) on
 * 127.0.0.1 that speaks Ollama's /api/chat (NDJSON) and the OpenAI /v1/chat/completions (SSE)
 * protocols, replying what a JSON script says, at the pace it says, with the faults it asks for.
 *
 * Script (JSON):
 *   {"models": ["gemma2:2b"], "version": "0.5.7", "api_key": "",
 *    "replies": [ {reply}, ... ]}          one reply per chat request; the last one repeats
 * A reply:
 *   "text"          the answer; "tokens" (array of strings) gives the pieces instead
 *   "ttft_ms"       delay before the first piece      "token_ms"  delay between pieces
 *   "header_ms"     delay before the response headers "chunk_bytes" cut each write to this size
 *   "done_reason"   "stop" (default) or "length"      "crlf", "comments" (SSE) true/false
 *   "prompt_tokens", "cached_tokens"                  the figures the server reports
 *   "fault"         none | stall | drop | http_error | malformed | endless_line | invalid_utf8 |
 *                   error_object | redirect | hangup
 *   "fault_after"   pieces sent before the fault      "status", "body" for http_error
 * Control endpoints: POST /__script (replace the script), GET /__requests (what was asked),
 * GET /__connections (how many TCP connections were opened). */
#ifndef ARVIS_FAKE_LLM_H
#define ARVIS_FAKE_LLM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct fake_llm fake_llm;

/* Starts a server on 127.0.0.1 (port 0: any free port) with a JSON script. NULL on failure,
 * with the reason on stderr. */
fake_llm *fake_llm_start(int port, const char *script_json);

/* Stops it: streams in progress end at once, threads are joined. */
void fake_llm_stop(fake_llm *f);

int fake_llm_port(const fake_llm *f);

/* "http://127.0.0.1:PORT" in static storage of the server. */
const char *fake_llm_url(const fake_llm *f);

/* Replaces the script (and restarts the reply list). Returns false for bad JSON. */
bool fake_llm_set_script(fake_llm *f, const char *script_json);

/* Chat requests received so far, and the body of the i-th (the caller frees), or NULL. */
size_t fake_llm_requests(fake_llm *f);
char *fake_llm_request_body(fake_llm *f, size_t i);
char *fake_llm_request_path(fake_llm *f, size_t i);

/* TCP connections accepted so far. */
size_t fake_llm_connections(fake_llm *f);

/* A port on 127.0.0.1 where nothing listens (bound and closed), for "connection refused". */
int fake_llm_closed_port(void);

/* A socket listening on 127.0.0.1 that never accepts or answers (the kernel completes the
 * connections): a server that hangs. Returns the socket (close it to stop) with its port in
 * *port, or -1. */
int fake_llm_silent_listener(int *port);

#endif
