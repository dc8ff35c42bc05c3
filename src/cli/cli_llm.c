/* What the commands that talk to the model share: opening the client, printing a failure,
 * the streamed answer and status lines, and the measurements. */
#include <stdio.h>

#include "cli_llm.h"

int cli_llm_open(struct cli_ctx *ctx, bool use_history, arvis_config **cfg, arvis_llm **llm)
{
    int code = cli_load_config(ctx, cfg);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    arvis_error err;
    int rc = arvis_llm_create(*cfg, use_history, llm, &err);
    if (rc != ARVIS_OK) {
        arvis_config_free(*cfg);
        *cfg = NULL;
        return cli_failure(rc, &err);
    }
    return CLI_EXIT_OK;
}

static void figure(FILE *out, const char *name, double v, const char *unit)
{
    if (v >= 0) {
        fprintf(out, "  %-22s %.1f%s\n", name, v, unit);
    } else {
        fprintf(out, "  %-22s unknown\n", name);
    }
}

static void count(FILE *out, const char *name, long v)
{
    if (v >= 0) {
        fprintf(out, "  %-22s %ld\n", name, v);
    } else {
        fprintf(out, "  %-22s unknown\n", name);
    }
}

void cli_print_stats(FILE *out, const arvis_llm_stats *s)
{
    fprintf(out, "stats:\n");
    figure(out, "time to first token", s->ttft_ms, " ms");
    figure(out, "total", s->total_ms, " ms");
    fprintf(out, "  %-22s %zu pieces, %zu characters\n", "received", s->chunks, s->chars);
    figure(out, "tokens/s (ours)", s->tokens_per_s, "");
    figure(out, "tokens/s (server)", s->server_tokens_per_s, "");
    figure(out, "gap p50", s->gap_p50_ms, " ms");
    figure(out, "gap p95", s->gap_p95_ms, " ms");
    count(out, "prompt tokens", s->prompt_tokens);
    count(out, "cached prompt tokens", s->cached_tokens);
    figure(out, "server prompt time", s->prompt_ms, " ms");
    figure(out, "server load time", s->load_ms, " ms");
    fprintf(out, "  %-22s %d\n", "retries", s->retries);
    fprintf(out, "  %-22s %d\n", "continuations", s->continuations);
    fprintf(out, "  %-22s %s\n", "ended", s->done_reason[0] ? s->done_reason : "unknown");
}

void cli_print_piece(const char *text, size_t len, void *ud)
{
    (void)ud;
    fwrite(text, 1, len, stdout);
    fflush(stdout);
}

void cli_print_piece_stderr(const char *text, size_t len, void *ud)
{
    (void)ud;
    fwrite(text, 1, len, stderr);
}

void cli_print_status(const char *text, void *ud)
{
    (void)ud;
    fprintf(stderr, "arvis: %s\n", text);
}
