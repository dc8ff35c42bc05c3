/* The measurements of one request: the client's own clock and counts next to the figures the
 * server reports, and the same as JSON for `arvis ask --json` and the metrics. */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "llm_internal.h"

void llm_stats_init(arvis_llm_stats *s)
{
    *s = (arvis_llm_stats){
        .ttft_ms = -1,
        .tokens_per_s = -1,
        .gap_p50_ms = -1,
        .gap_p95_ms = -1,
        .prompt_tokens = -1,
        .cached_tokens = -1,
        .eval_tokens = -1,
        .prompt_ms = -1,
        .eval_ms = -1,
        .load_ms = -1,
        .server_total_ms = -1,
        .server_tokens_per_s = -1,
    };
}

/* Adds a figure that may be unknown (-1) to a sum that may be unknown. */
static double add_known(double sum, double v)
{
    return v < 0 ? sum : (sum < 0 ? v : sum + v);
}

void llm_stats_take_outcome(arvis_llm_stats *s, const struct llm_outcome *out)
{
    /* The prompt figures of the first request tell how much of the prefix was cached; the
     * generation figures add up over continuations. */
    if (s->prompt_tokens < 0) {
        s->prompt_tokens = out->prompt_tokens;
        s->cached_tokens = out->cached_tokens;
        s->prompt_ms = out->prompt_ms;
        s->load_ms = out->load_ms;
    }
    s->eval_tokens = (long)add_known((double)s->eval_tokens, (double)out->eval_tokens);
    s->eval_ms = add_known(s->eval_ms, out->eval_ms);
    s->server_total_ms = add_known(s->server_total_ms, out->total_ms);
    if (s->eval_tokens > 0 && s->eval_ms > 0) {
        s->server_tokens_per_s = (double)s->eval_tokens * 1000.0 / s->eval_ms;
    }
    if (out->done_reason[0]) {
        snprintf(s->done_reason, sizeof s->done_reason, "%s", out->done_reason);
    }
}

static void add_figure(cJSON *o, const char *name, double v)
{
    if (v >= 0) {
        cJSON_AddNumberToObject(o, name, v);
    } else {
        cJSON_AddNullToObject(o, name);
    }
}

struct cJSON *arvis_llm_stats_json(const arvis_llm_stats *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        return NULL;
    }
    add_figure(o, "ttft_ms", s->ttft_ms);
    add_figure(o, "total_ms", s->total_ms);
    add_figure(o, "chunks", (double)s->chunks);
    add_figure(o, "chars", (double)s->chars);
    add_figure(o, "tokens_per_s", s->tokens_per_s);
    add_figure(o, "gap_p50_ms", s->gap_p50_ms);
    add_figure(o, "gap_p95_ms", s->gap_p95_ms);
    add_figure(o, "prompt_tokens", (double)s->prompt_tokens);
    add_figure(o, "cached_tokens", (double)s->cached_tokens);
    add_figure(o, "eval_tokens", (double)s->eval_tokens);
    add_figure(o, "server_prompt_ms", s->prompt_ms);
    add_figure(o, "server_eval_ms", s->eval_ms);
    add_figure(o, "server_load_ms", s->load_ms);
    add_figure(o, "server_total_ms", s->server_total_ms);
    add_figure(o, "server_tokens_per_s", s->server_tokens_per_s);
    cJSON_AddNumberToObject(o, "retries", s->retries);
    cJSON_AddNumberToObject(o, "continuations", s->continuations);
    cJSON_AddStringToObject(o, "done_reason", s->done_reason);
    return o;
}
