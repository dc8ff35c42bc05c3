/* The scripted server's replies: an answer cut into pieces and written as Ollama NDJSON lines or
 * OpenAI server-sent events, with delays and the faults a script asks for. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arvis/json.h"
#include "arvis/utf8.h"
#include "fake_llm_internal.h"

enum { TOKEN_CHARS = 4, SLEEP_SLICE_MS = 2, NS_PER_MS = 1000000, ENDLESS_PIECE = 4096 };

bool fake_sleep(int ms, const atomic_bool *stop)
{
    for (int slept = 0; slept < ms; slept += SLEEP_SLICE_MS) {
        if (stop && atomic_load(stop)) {
            return false;
        }
        int step = ms - slept < SLEEP_SLICE_MS ? ms - slept : SLEEP_SLICE_MS;
        struct timespec ts = {0, (long)step * NS_PER_MS};
        nanosleep(&ts, NULL);
    }
    return !(stop && atomic_load(stop));
}

static bool add_seg(struct plan *p, const char *bytes, size_t len, int delay_ms)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        struct seg *segs = realloc(p->segs, cap * sizeof *segs);
        if (!segs) {
            return false;
        }
        p->segs = segs;
        p->cap = cap;
    }
    char *copy = malloc(len ? len : 1);
    if (!copy) {
        return false;
    }
    memcpy(copy, bytes, len);
    p->segs[p->n++] = (struct seg){copy, len, delay_ms};
    return true;
}

void plan_free(void *plan)
{
    struct plan *p = plan;
    if (!p) {
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        free(p->segs[i].bytes);
    }
    free(p->segs);
    free(p);
}

static int num(const cJSON *reply, const char *key, int fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(reply, key);
    return cJSON_IsNumber(v) ? (int)v->valuedouble : fallback;
}

static const char *str(const cJSON *reply, const char *key, const char *fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(reply, key);
    return cJSON_IsString(v) ? v->valuestring : fallback;
}

/* The reply's pieces: "tokens" as given, or the text cut before each space and every few
 * characters, as a tokenizer would. */
static cJSON *pieces_of(const cJSON *reply)
{
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(reply, "tokens");
    if (cJSON_IsArray(given)) {
        return cJSON_Duplicate(given, 1);
    }
    const char *text = str(reply, "text", "");
    cJSON *list = cJSON_CreateArray();
    size_t len = strlen(text);
    size_t start = 0;
    size_t chars = 0;
    for (size_t i = 0; list && i <= len;) {
        uint32_t cp = 0;
        size_t n = i < len ? arvis_utf8_decode(text + i, len - i, &cp) : 0;
        n = n ? n : 1;
        bool cut = i == len || (i > start && (text[i] == ' ' || chars == TOKEN_CHARS));
        if (cut && i > start) {
            char *piece = strndup(text + start, i - start);
            cJSON_AddItemToArray(list, cJSON_CreateString(piece));
            free(piece);
            start = i;
            chars = 0;
        }
        if (i == len) {
            break;
        }
        chars++;
        i += n;
    }
    return list;
}

static char *line_of(cJSON *obj, const char *prefix, const char *eol)
{
    char *json = arvis_json_print(obj, 0);
    cJSON_Delete(obj);
    if (!json) {
        return NULL;
    }
    size_t n = strlen(prefix) + strlen(json) + 2 * strlen(eol) + 1;
    char *line = malloc(n);
    if (line) {
        snprintf(line, n, "%s%s%s%s", prefix, json, eol, prefix[0] ? eol : "");
    }
    free(json);
    return line;
}

static cJSON *ollama_piece(const char *model, const char *content, bool done)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", model);
    cJSON_AddStringToObject(o, "created_at", "2026-11-24T10:00:00.000000Z");
    cJSON *msg = cJSON_AddObjectToObject(o, "message");
    cJSON_AddStringToObject(msg, "role", "assistant");
    cJSON_AddStringToObject(msg, "content", content);
    cJSON_AddBoolToObject(o, "done", done);
    return o;
}

static cJSON *openai_piece(const char *model, const char *content, const char *finish)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", "chatcmpl-fake");
    cJSON_AddStringToObject(o, "object", "chat.completion.chunk");
    cJSON_AddNumberToObject(o, "created", 1795512600);
    cJSON_AddStringToObject(o, "model", model);
    cJSON *choice = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "choices"), choice);
    cJSON_AddNumberToObject(choice, "index", 0);
    cJSON *delta = cJSON_AddObjectToObject(choice, "delta");
    if (content) {
        cJSON_AddStringToObject(delta, "content", content);
    }
    if (finish) {
        cJSON_AddStringToObject(choice, "finish_reason", finish);
    } else {
        cJSON_AddNullToObject(choice, "finish_reason");
    }
    return o;
}

/* The last object: Ollama's figures, or OpenAI's finish (usage and llama.cpp timings after). */
static bool add_final(struct plan *p, const cJSON *reply, bool openai, const char *model,
                      bool include_usage, int pieces, const char *eol)
{
    const char *reason = str(reply, "done_reason", "stop");
    int ttft = num(reply, "ttft_ms", 0);
    int per = num(reply, "token_ms", 0);
    int prompt = num(reply, "prompt_tokens", 12);
    int cached = num(reply, "cached_tokens", -1);
    char *line;
    if (!openai) {
        cJSON *o = ollama_piece(model, "", true);
        cJSON_AddStringToObject(o, "done_reason", reason);
        cJSON_AddNumberToObject(o, "total_duration", (double)(ttft + per * pieces + 1) * 1e6);
        cJSON_AddNumberToObject(o, "load_duration", 1e6);
        cJSON_AddNumberToObject(o, "prompt_eval_count", prompt);
        cJSON_AddNumberToObject(o, "prompt_eval_duration", (double)(ttft + 1) * 1e6);
        cJSON_AddNumberToObject(o, "eval_count", pieces);
        cJSON_AddNumberToObject(o, "eval_duration", (double)(per * pieces + 1) * 1e6);
        line = line_of(o, "", "\n");
        bool ok = line && add_seg(p, line, strlen(line), 0);
        free(line);
        return ok;
    }
    cJSON *fin = openai_piece(model, NULL, reason);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "timings"))) {
        cJSON *t = cJSON_AddObjectToObject(fin, "timings");
        cJSON_AddNumberToObject(t, "prompt_n", prompt);
        cJSON_AddNumberToObject(t, "prompt_ms", ttft + 1);
        cJSON_AddNumberToObject(t, "predicted_n", pieces);
        cJSON_AddNumberToObject(t, "predicted_ms", per * pieces + 1);
        cJSON_AddNumberToObject(t, "cache_n", cached < 0 ? 0 : cached);
    }
    line = line_of(fin, "data: ", eol);
    bool ok = line && add_seg(p, line, strlen(line), 0);
    free(line);
    if (ok && include_usage) {
        cJSON *u = cJSON_CreateObject();
        cJSON_AddArrayToObject(u, "choices");
        cJSON *usage = cJSON_AddObjectToObject(u, "usage");
        cJSON_AddNumberToObject(usage, "prompt_tokens", prompt);
        cJSON_AddNumberToObject(usage, "completion_tokens", pieces);
        cJSON_AddNumberToObject(usage, "total_tokens", prompt + pieces);
        if (cached >= 0) {
            cJSON_AddNumberToObject(cJSON_AddObjectToObject(usage, "prompt_tokens_details"),
                                    "cached_tokens", cached);
        }
        line = line_of(u, "data: ", eol);
        ok = line && add_seg(p, line, strlen(line), 0);
        free(line);
    }
    char done[32];
    snprintf(done, sizeof done, "data: [DONE]%s%s", eol, eol);
    return ok && add_seg(p, done, strlen(done), 0);
}

/* A fault that replaces the rest of the stream; true when the stream is planned in full. */
static bool add_fault(struct plan *p, const char *fault, bool openai, const char *eol, int delay)
{
    const char *line = NULL;
    char buf[128];
    if (strcmp(fault, "malformed") == 0) {
        snprintf(buf, sizeof buf, "%sthis is not json%s%s", openai ? "data: " : "", eol,
                 openai ? eol : "");
        line = buf;
    } else if (strcmp(fault, "error_object") == 0) {
        snprintf(buf, sizeof buf, "%s%s%s%s", openai ? "data: " : "",
                 openai ? "{\"error\":{\"message\":\"the model crashed\"}}"
                        : "{\"error\":\"the model crashed\"}",
                 eol, openai ? eol : "");
        line = buf;
    } else if (strcmp(fault, "stall") == 0) {
        p->end = END_STALL;
    } else if (strcmp(fault, "drop") == 0) {
        p->end = END_DROP;
    } else if (strcmp(fault, "endless_line") == 0) {
        p->end = END_ENDLESS;
    } else {
        return false;
    }
    p->end_after_ms = delay;
    return !line || add_seg(p, line, strlen(line), delay);
}

struct plan *plan_chat(const cJSON *reply, bool openai, const char *model, bool include_usage,
                       const atomic_bool *stop)
{
    struct plan *p = calloc(1, sizeof *p);
    cJSON *pieces = pieces_of(reply);
    if (!p || !pieces) {
        free(p);
        cJSON_Delete(pieces);
        return NULL;
    }
    p->stop = stop;
    p->chunk_bytes = (size_t)num(reply, "chunk_bytes", 0);
    const char *fault = str(reply, "fault", "none");
    int fault_after = num(reply, "fault_after", 0);
    const char *eol = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "crlf")) ? "\r\n" : "\n";
    bool comments = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "comments"));
    int delay = num(reply, "ttft_ms", 0);
    bool ok = true;
    if (openai) {
        char *first = line_of(openai_piece(model, "", NULL), "data: ", eol);
        ok = first && add_seg(p, first, strlen(first), 0);
        free(first);
    }
    int i = 0;
    bool cut_short = false;
    for (const cJSON *t = pieces->child; ok && t; t = t->next, i++) {
        if (i == fault_after && strcmp(fault, "none") != 0 && strcmp(fault, "invalid_utf8") != 0) {
            ok = add_fault(p, fault, openai, eol, delay);
            cut_short = true;
            break;
        }
        if (comments && openai) {
            char c[32];
            snprintf(c, sizeof c, ": keep-alive%s", eol);
            ok = add_seg(p, c, strlen(c), 0);
        }
        cJSON *obj = openai ? openai_piece(model, t->valuestring, NULL)
                            : ollama_piece(model, t->valuestring, false);
        char *line = line_of(obj, openai ? "data: " : "", eol);
        if (line && i == fault_after && strcmp(fault, "invalid_utf8") == 0) {
            char *q = strstr(line, t->valuestring);
            if (q) {
                *q = (char)0xFF; /* a byte that is never valid UTF-8, inside the string */
            }
        }
        ok = ok && line && add_seg(p, line, strlen(line), delay);
        free(line);
        delay = num(reply, "token_ms", 0);
    }
    if (ok && !cut_short && strcmp(fault, "none") != 0 && strcmp(fault, "invalid_utf8") != 0 &&
        i <= fault_after) {
        ok = add_fault(p, fault, openai, eol, delay);
        cut_short = true;
    }
    if (ok && !cut_short) {
        ok = add_final(p, reply, openai, model, include_usage, i, eol);
    }
    cJSON_Delete(pieces);
    if (!ok) {
        plan_free(p);
        return NULL;
    }
    return p;
}

struct plan *plan_ollama_load(const char *model, const atomic_bool *stop)
{
    struct plan *p = calloc(1, sizeof *p);
    if (!p) {
        return NULL;
    }
    p->stop = stop;
    cJSON *o = ollama_piece(model, "", true);
    cJSON_AddStringToObject(o, "done_reason", "load");
    char *line = line_of(o, "", "\n");
    bool ok = line && add_seg(p, line, strlen(line), 0);
    free(line);
    if (!ok) {
        plan_free(p);
        return NULL;
    }
    return p;
}

long plan_read(void *plan, unsigned long long pos, char *buf, size_t max)
{
    (void)pos;
    struct plan *p = plan;
    if (p->at < p->n) {
        struct seg *s = &p->segs[p->at];
        if (!p->waited) {
            if (!fake_sleep(s->delay_ms, p->stop)) {
                return MHD_CONTENT_READER_END_WITH_ERROR;
            }
            p->waited = true;
        }
        size_t n = s->len - p->offset;
        n = n < max ? n : max;
        n = (p->chunk_bytes && n > p->chunk_bytes) ? p->chunk_bytes : n;
        memcpy(buf, s->bytes + p->offset, n);
        p->offset += n;
        if (p->offset == s->len) {
            p->at++;
            p->offset = 0;
            p->waited = false;
        }
        return (long)n;
    }
    switch (p->end) {
    case END_STALL:
        while (fake_sleep(SLEEP_SLICE_MS * 10, p->stop)) {
        }
        return MHD_CONTENT_READER_END_WITH_ERROR;
    case END_DROP:
        fake_sleep(p->end_after_ms, p->stop);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    case END_ENDLESS: {
        if (!fake_sleep(0, p->stop)) {
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        size_t n = max < ENDLESS_PIECE ? max : ENDLESS_PIECE;
        memset(buf, 'x', n);
        return (long)n;
    }
    default:
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
}
