/* Private to the scripted LLM server: a reply is planned as byte segments with delays and an
 * ending (normal, stall, drop, endless), then played by libmicrohttpd's content reader. */
#ifndef ARVIS_FAKE_LLM_INTERNAL_H
#define ARVIS_FAKE_LLM_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct seg {
    char *bytes;
    size_t len;
    int delay_ms; /* waited before the segment */
};

enum plan_end { END_NORMAL, END_STALL, END_DROP, END_ENDLESS };

struct plan {
    struct seg *segs;
    size_t n;
    size_t cap;
    enum plan_end end;
    int end_after_ms; /* waited before the ending */
    size_t chunk_bytes;
    /* playing */
    size_t at;
    size_t offset;
    bool waited;
    const atomic_bool *stop;
};

/* Builds the streamed body for a chat request. openai selects SSE; model and include_usage come
 * from the request; reply is the script's entry. Returns NULL when out of memory. */
struct plan *plan_chat(const cJSON *reply, bool openai, const char *model, bool include_usage,
                       const atomic_bool *stop);

/* The one-line answer Ollama gives to an empty chat (loading the model). */
struct plan *plan_ollama_load(const char *model, const atomic_bool *stop);

void plan_free(void *plan);

/* libmicrohttpd content reader over a plan. */
long plan_read(void *plan, unsigned long long pos, char *buf, size_t max);

/* Sleeps up to ms, returning early (false) once *stop is set. */
bool fake_sleep(int ms, const atomic_bool *stop);

#endif
