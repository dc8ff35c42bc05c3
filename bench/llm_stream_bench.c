/* Benchmark: Arvis' time to first token and total time for a streamed answer from the scripted
 * server (fixed time to first token and rate), next to `curl -N` sending the same request to the
 * same server in the same run; and the raw parse throughput of Ollama's NDJSON and OpenAI's SSE,
 * next to `jq` reading the same NDJSON. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arvis/arvis.h"
#include "fake_llm.h"
#include "llm_internal.h"
#include "bench_util.h"

enum {
    RUNS = 7,
    PIECES = 100,
    TTFT_MS = 50,
    TOKEN_MS = 5,
    PARSE_BYTES = 64 * 1024 * 1024,
    PARSE_READ = 16 * 1024, /* what one read from the network gives at most */
};

static char *script(void)
{
    cJSON *tokens = cJSON_CreateArray();
    for (int i = 0; i < PIECES; i++) {
        char t[32];
        snprintf(t, sizeof t, i % 12 == 11 ? " word%d." : " word%d", i);
        cJSON_AddItemToArray(tokens, cJSON_CreateString(t));
    }
    cJSON *reply = cJSON_CreateObject();
    cJSON_AddItemToObject(reply, "tokens", tokens);
    cJSON_AddNumberToObject(reply, "ttft_ms", TTFT_MS);
    cJSON_AddNumberToObject(reply, "token_ms", TOKEN_MS);
    cJSON *s = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(s, "replies"), reply);
    char *text = cJSON_PrintUnformatted(s);
    cJSON_Delete(s);
    return text;
}

/* Seconds since midnight in a --trace-time line ("HH:MM:SS.uuuuuu ..."), or -1. */
static double trace_time(const char *line)
{
    int h;
    int m;
    double sec;
    return sscanf(line, "%d:%d:%lf", &h, &m, &sec) == 3 ? h * 3600.0 + m * 60.0 + sec : -1;
}

/* One `curl -N` run: from the request sent to the first and the last piece of the body, on
 * curl's own clock (its trace), so curl's process start-up is not counted against it. */
static int curl_run(const char *url, const char *body_file, const char *trace, double *ttft,
                    double *total)
{
    char cmd[2048];
    int n = snprintf(cmd, sizeof cmd,
                     "curl -N -s -o /dev/null --trace-time --trace-ascii %s -H 'Content-Type: "
                     "application/json' --data-binary @%s %s/api/chat",
                     trace, body_file, url);
    if (n >= (int)sizeof cmd || system(cmd) != 0) {
        return -1;
    }
    FILE *f = fopen(trace, "r");
    if (!f) {
        return -1;
    }
    char line[4096];
    double sent = -1;
    double first = -1;
    double last = -1;
    while (fgets(line, sizeof line, f)) {
        double t = trace_time(line);
        if (t < 0) {
            continue;
        }
        if (sent < 0 && strstr(line, "=> Send header")) {
            sent = t;
        } else if (strstr(line, "<= Recv data")) {
            first = first < 0 ? t : first;
            last = t;
        }
    }
    fclose(f);
    if (sent < 0 || first < 0) {
        return -1;
    }
    *ttft = (first - sent) * 1000;
    *total = (last - sent) * 1000;
    return 0;
}

static void stream_bench(const char *dir)
{
    char *s = script();
    fake_llm *server = fake_llm_start(0, s);
    free(s);
    if (!server) {
        printf("cannot start the scripted server\n");
        return;
    }
    char set[160];
    snprintf(set, sizeof set, "llm.base_url=%s", fake_llm_url(server));
    const char *sets[] = {set, "llm.provider=ollama"};
    arvis_config_options opts = {.ignore_env = true, .sets = sets, .n_sets = 2};
    arvis_config *cfg = NULL;
    arvis_llm *llm = NULL;
    arvis_error err;
    if (arvis_config_load(&opts, &cfg, NULL, &err) != ARVIS_OK ||
        arvis_llm_create(cfg, false, &llm, &err) != ARVIS_OK) {
        printf("cannot set up the client: %s\n", err.msg);
        fake_llm_stop(server);
        arvis_config_free(cfg);
        return;
    }
    double ours_ttft[RUNS];
    double ours_total[RUNS];
    double curl_ttft[RUNS];
    double curl_total[RUNS];
    char body_file[300];
    char trace[300];
    int ok = snprintf(body_file, sizeof body_file, "%s/body.json", dir) < (int)sizeof body_file &&
             snprintf(trace, sizeof trace, "%s/trace.txt", dir) < (int)sizeof trace;
    for (int i = 0; ok && i < RUNS; i++) {
        arvis_history_clear(arvis_llm_history(llm), NULL);
        arvis_llm_reply r;
        ok = arvis_llm_ask(llm, "Tell me about words.", NULL, &r, &err) == ARVIS_OK &&
             r.stats.chunks == PIECES;
        ours_ttft[i] = r.stats.ttft_ms;
        ours_total[i] = r.stats.total_ms;
        arvis_llm_reply_free(&r);
        if (ok && i == 0) {
            /* curl sends exactly the request Arvis sent. */
            char *body = fake_llm_request_body(server, 0);
            FILE *f = fopen(body_file, "w");
            ok = body && f && fputs(body, f) >= 0;
            if (f) {
                fclose(f);
            }
            free(body);
        }
        ok = ok &&
             curl_run(fake_llm_url(server), body_file, trace, &curl_ttft[i], &curl_total[i]) == 0;
    }
    if (!ok) {
        printf("a run failed: %s (is curl installed?)\n", err.msg);
    } else {
        double ot = median(ours_ttft, RUNS);
        double ct = median(curl_ttft, RUNS);
        double oa = median(ours_total, RUNS);
        double ca = median(curl_total, RUNS);
        printf("streamed answer: %d pieces, server TTFT %d ms, %d ms per piece; median of %d "
               "runs\n",
               PIECES, TTFT_MS, TOKEN_MS, RUNS);
        printf("  time to first token  arvis %8.2f ms   curl -N %8.2f ms   overhead %+.2f ms "
               "(target < 1 ms)\n",
               ot, ct, ot - ct);
        printf("  total                arvis %8.2f ms   curl -N %8.2f ms   ratio %.4f "
               "(target <= 1.02)\n",
               oa, ca, oa / ca);
    }
    unlink(body_file);
    unlink(trace);
    arvis_llm_destroy(llm);
    arvis_config_free(cfg);
    fake_llm_stop(server);
}

static int count_text(const char *text, size_t len, void *ud)
{
    (void)text;
    *(size_t *)ud += len;
    return ARVIS_OK;
}

/* A recorded body of about PARSE_BYTES: Ollama lines, or OpenAI events. */
static char *recording(bool openai, size_t *len)
{
    arvis_buf b;
    arvis_buf_init(&b, PARSE_BYTES + 4096);
    for (int i = 0; b.len < PARSE_BYTES - 1024; i++) {
        if (openai) {
            arvis_buf_addf(&b,
                           "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
                           "\"created\":1795512600,\"model\":\"gemma2:2b\",\"choices\":[{\"index\":"
                           "0,\"delta\":{\"content\":\" word%d\"},\"finish_reason\":null}]}\n\n",
                           i);
        } else {
            arvis_buf_addf(
                &b,
                "{\"model\":\"gemma2:2b\",\"created_at\":\"2026-11-24T10:00:00.000000Z\","
                "\"message\":{\"role\":\"assistant\",\"content\":\" word%d\"},"
                "\"done\":false}\n",
                i);
        }
    }
    if (openai) {
        arvis_buf_adds(&b, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":"
                           "\"stop\"}]}\n\ndata: [DONE]\n\n");
    } else {
        arvis_buf_adds(&b, "{\"model\":\"gemma2:2b\",\"message\":{\"role\":\"assistant\","
                           "\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\"}\n");
    }
    *len = b.len;
    return arvis_buf_take(&b);
}

/* Best of three: MB/s of a provider's parser over a recording fed in network-sized reads. */
static double parse_rate(const struct arvis_llm_ops *ops, const arvis_config *cfg, const char *data,
                         size_t len)
{
    struct llm_ctx ctx = {
        .cfg = cfg, .base_url = "recording", .model = "gemma2:2b", .max_line = 1 << 20};
    double best = 0;
    for (int round = 0; round < 3; round++) {
        size_t text = 0;
        struct llm_sink sink = {.text = count_text, .ud = &text};
        struct llm_outcome out;
        arvis_error err;
        uint64_t t0 = arvis_clock_ns();
        int rc = ops->replay(&ctx, data, len, PARSE_READ, &sink, &out, &err);
        double ms = arvis_clock_elapsed_ms(t0, arvis_clock_ns());
        if (rc != ARVIS_OK) {
            printf("  %s parse failed: %s\n", ops->name, err.msg);
            return -1;
        }
        double rate = (double)len / (1024.0 * 1024.0) / (ms / 1000.0);
        best = rate > best ? rate : best;
    }
    return best;
}

/* jq reading the same NDJSON, pulling out each piece of text; MB/s. */
static double jq_rate(const char *dir, const char *data, size_t len)
{
    char path[300];
    if (snprintf(path, sizeof path, "%s/stream.ndjson", dir) >= (int)sizeof path) {
        return -1;
    }
    FILE *f = fopen(path, "w");
    if (!f || fwrite(data, 1, len, f) != len) {
        if (f) {
            fclose(f);
        }
        return -1;
    }
    fclose(f);
    char cmd[400];
    if (snprintf(cmd, sizeof cmd, "jq -j .message.content < %s > /dev/null 2>&1", path) >=
        (int)sizeof cmd) {
        return -1;
    }
    uint64_t t0 = arvis_clock_ns();
    int rc = system(cmd);
    double ms = arvis_clock_elapsed_ms(t0, arvis_clock_ns());
    unlink(path);
    return rc == 0 ? (double)len / (1024.0 * 1024.0) / (ms / 1000.0) : -1;
}

static void parse_bench(const char *dir)
{
    arvis_config_options opts = {.ignore_env = true};
    arvis_config *cfg = NULL;
    if (arvis_config_load(&opts, &cfg, NULL, NULL) != ARVIS_OK) {
        printf("cannot load the default configuration\n");
        return;
    }
    size_t nd_len = 0;
    size_t sse_len = 0;
    char *nd = recording(false, &nd_len);
    char *sse = recording(true, &sse_len);
    if (nd && sse) {
        double nd_rate = parse_rate(&llm_ollama_ops, cfg, nd, nd_len);
        double sse_rate = parse_rate(&llm_openai_ops, cfg, sse, sse_len);
        double jq = jq_rate(dir, nd, nd_len);
        printf("parsing a recorded stream (%.0f MB, %d KiB reads), best of 3\n",
               (double)nd_len / (1024.0 * 1024.0), PARSE_READ / 1024);
        printf("  Ollama NDJSON        arvis %8.1f MB/s   jq %8.1f MB/s   (target > 200 MB/s)\n",
               nd_rate, jq);
        printf("  OpenAI SSE           arvis %8.1f MB/s                    (target > 200 MB/s)\n",
               sse_rate);
    }
    free(nd);
    free(sse);
    arvis_config_free(cfg);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char home[256];
    if (snprintf(home, sizeof home, "%s/arvis-bench-XXXXXX", dir) >= (int)sizeof home) {
        return 1;
    }
    if (!mkdtemp(home)) {
        perror("mkdtemp");
        return 1;
    }
    setenv("ARVIS_HOME", home, 1);
    arvis_log_options log = {.file_level = ARVIS_LOG_OFF, .stderr_level = ARVIS_LOG_ERROR};
    arvis_log_open(&log, NULL);
    stream_bench(home);
    parse_bench(home);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", home);
    return system(cmd) == 0 ? 0 : 1;
}
