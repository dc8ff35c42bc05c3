/* Benchmark: one whole voice turn from a recording (VAD, pocketsphinx, the scripted LLM server,
 * flite into the null sink): each stage from the end of speech, against the LLM's own time. */
#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arvis/arvis.h"
#include "bench_util.h"
#include "fake_llm.h"

enum {
    RUNS = 5,
    LLM_TTFT_MS = 200,
    LLM_TOKEN_MS = 50, /* 20 tokens a second */
    SILENCE_BEFORE_MS = 300,
    SILENCE_AFTER_MS = 1000,
    TARGET_ADDED_MS = 150,
    ROOM_NOISE = 8, /* peak of the noise in the silences, in sample units */
};

/* Not answered by an offline skill, so the language model is asked. */
static const char QUESTION[] = "Tell me about the moon.";

/* The answer, piece by piece; its first sentence is complete with the FIRST_SENTENCE_TOKENS-th. */
static const char *const ANSWER[] = {
    "The",  " moon",  " is", " Earth's",  " only", " natural",   " satellite.", " It",
    " is",  " about", " a",  " quarter",  " of",   " Earth's",   " width,",     " and",
    " its", " light", " is", " sunlight", " it",   " reflects.",
};
enum { FIRST_SENTENCE_TOKENS = 7 };

/* ---- The recording ---- */

struct pcm {
    int16_t *s;
    size_t n, cap;
    int rate;
};

static bool add_samples(struct pcm *p, const int16_t *s, size_t n)
{
    if (p->n + n > p->cap) {
        size_t cap = (p->n + n) * 2;
        int16_t *grown = realloc(p->s, cap * sizeof *grown);
        if (!grown) {
            return false;
        }
        p->s = grown;
        p->cap = cap;
    }
    if (s) {
        memcpy(p->s + p->n, s, n * sizeof *s);
    } else {
        /* A room is never digitally silent: faint noise, as a microphone gives. */
        for (size_t i = 0; i < n; i++) {
            p->s[p->n + i] = (int16_t)(rand() % (2 * ROOM_NOISE + 1) - ROOM_NOISE);
        }
    }
    p->n += n;
    return true;
}

static bool on_speech(const int16_t *s, size_t n, int rate, void *ud)
{
    struct pcm *p = ud;
    p->rate = rate;
    return add_samples(p, s, n);
}

static size_t silence(int ms)
{
    return (size_t)ARVIS_STT_RATE * (size_t)ms / 1000;
}

/* Says QUESTION with flite into a 16 kHz WAV file at path, with silence around it. */
static int make_recording(const arvis_config *cfg, const char *path, arvis_error *err)
{
    arvis_tts_engine *e = NULL;
    struct pcm p = {0};
    arvis_sink *sink = NULL;
    arvis_sink_options so = {.path = path, .rate = ARVIS_STT_RATE};
    int rc = arvis_tts_engine_create("flite", cfg, NULL, &e, err);
    if (rc == ARVIS_OK && !add_samples(&p, NULL, silence(SILENCE_BEFORE_MS))) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory making the recording");
    }
    if (rc == ARVIS_OK) {
        rc = arvis_tts_engine_synth(e, QUESTION, on_speech, &p, err);
    }
    if (rc == ARVIS_OK && p.rate != ARVIS_STT_RATE) {
        rc = arvis_error_set(err, ARVIS_E_INVAL, "flite spoke at %d Hz, not %d", p.rate,
                             ARVIS_STT_RATE);
    }
    if (rc == ARVIS_OK && !add_samples(&p, NULL, silence(SILENCE_AFTER_MS))) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory making the recording");
    }
    if (rc == ARVIS_OK) {
        rc = arvis_sink_open("file", &so, &sink, err);
    }
    if (rc == ARVIS_OK) {
        rc = arvis_sink_write(sink, p.s, p.n, err);
    }
    if (sink) {
        int closed = arvis_sink_close(sink, err);
        rc = rc == ARVIS_OK ? closed : rc;
    }
    free(p.s);
    arvis_tts_engine_destroy(e);
    return rc;
}

/* ---- The turns ---- */

struct turn_result {
    arvis_turn_stats st;
    char request[256];
    bool ended;
};

static void on_event(const arvis_event *ev, void *ud)
{
    struct turn_result *r = ud;
    if (ev->kind == ARVIS_EVENT_TURN_END) {
        r->st = *ev->stats;
        snprintf(r->request, sizeof r->request, "%s", ev->request);
        r->ended = true;
    } else if (ev->kind == ARVIS_EVENT_ERROR) {
        fprintf(stderr, "turn error: %.*s\n", (int)ev->len, ev->text);
    }
}

/* One turn from the recording, through the live loop (so the VAD finds the end of speech). */
static int one_turn(arvis_assistant *a, const char *path, struct turn_result *r, arvis_error *err)
{
    arvis_source_options so = {.path = path};
    arvis_source *src = NULL;
    int rc = arvis_source_open("file", &so, &src, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    *r = (struct turn_result){.ended = false};
    arvis_live_options lo = {.wake = false, .live = false, .max_requests = 1};
    rc = arvis_assistant_live(a, src, &lo, err);
    arvis_source_close(src);
    if (rc == ARVIS_OK && (!r->ended || strcmp(r->st.answered_by, "llm") != 0)) {
        rc = arvis_error_set(err, ARVIS_E_STATE,
                             "the turn was not answered by the language "
                             "model (heard \"%s\")",
                             r->request);
    }
    return rc;
}

struct figures {
    double transcript[RUNS], token[RUNS], sentence[RUNS], audio[RUNS], llm_sentence[RUNS],
        added[RUNS], rest[RUNS];
};

static void print_figures(struct figures *f, const struct turn_result *last)
{
    double tr = median(f->transcript, RUNS), tok = median(f->token, RUNS);
    double sen = median(f->sentence, RUNS), aud = median(f->audio, RUNS);
    double llm = median(f->llm_sentence, RUNS), added = median(f->added, RUNS);
    printf("  heard \"%s\" (%.2f s of audio), answered by the language model\n", last->request,
           last->st.audio_s);
    printf("  from the end of speech (the VAD's, after its trailing silence), median of %d:\n",
           RUNS);
    printf("    -> transcript       %8.1f ms   stage %7.1f ms  %5.1f%% of the time to first "
           "audio\n",
           tr, tr, 100 * tr / aud);
    printf("    -> first token      %8.1f ms   stage %7.1f ms  %5.1f%%\n", tok, tok - tr,
           100 * (tok - tr) / aud);
    printf("    -> first sentence   %8.1f ms   stage %7.1f ms  %5.1f%%\n", sen, sen - tok,
           100 * (sen - tok) / aud);
    printf("    -> first audio      %8.1f ms   stage %7.1f ms  %5.1f%%\n", aud, aud - sen,
           100 * (aud - sen) / aud);
    printf("  the LLM's own time to first sentence (from its request): %.1f ms (the script's "
           "pace alone: %d ms)\n",
           llm, LLM_TTFT_MS + (FIRST_SENTENCE_TOKENS - 1) * LLM_TOKEN_MS);
    printf("  Arvis adds %.1f ms beyond it (first audio - the LLM's first sentence; target <= "
           "%d)\n",
           added, TARGET_ADDED_MS);
    printf("    of which recognising the request after the end of speech %.1f ms, everything else "
           "(routing, the request, the first sentence to audio) %.1f ms\n",
           tr, median(f->rest, RUNS));
}

static int run_turns(const arvis_config *cfg, const char *path, arvis_error *err)
{
    static const char *const sinks[] = {"null", NULL};
    struct turn_result r;
    arvis_assistant_options o = {.cfg = cfg,
                                 .hear = true,
                                 .speak = true,
                                 .tts_engine = "flite",
                                 .playback = {.sinks = sinks},
                                 .cb = on_event,
                                 .ud = &r};
    arvis_assistant *a = NULL;
    int rc = arvis_assistant_create(&o, &a, err);
    if (rc == ARVIS_OK) {
        rc = one_turn(a, path, &r, err); /* warm: model and voice paged in */
    }
    struct figures f;
    for (int i = 0; i < RUNS && rc == ARVIS_OK; i++) {
        rc = one_turn(a, path, &r, err);
        f.transcript[i] = r.st.transcript_ms;
        f.token[i] = r.st.first_token_ms;
        f.sentence[i] = r.st.first_sentence_ms;
        f.audio[i] = r.st.first_audio_ms;
        f.llm_sentence[i] = r.st.llm_first_sentence_ms;
        f.added[i] = r.st.first_audio_ms - r.st.llm_first_sentence_ms;
        f.rest[i] = f.added[i] - r.st.transcript_ms;
    }
    if (rc == ARVIS_OK) {
        print_figures(&f, &r);
    }
    arvis_assistant_destroy(a);
    return rc;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char dir[] = "/tmp/arvis-voice-turn-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        return 1;
    }
    setenv("ARVIS_HOME", dir, 1);
    char *script =
        bench_reply_script(ANSWER, sizeof ANSWER / sizeof *ANSWER, LLM_TTFT_MS, LLM_TOKEN_MS);
    fake_llm *server = fake_llm_start(0, script);
    free(script);
    if (!server) {
        return 1;
    }
    char url[128], path[PATH_MAX];
    snprintf(url, sizeof url, "llm.base_url=%s", fake_llm_url(server));
    snprintf(path, sizeof path, "%s/request.wav", dir);
    const char *sets[] = {url, "llm.retry_backoff_ms=0"};
    arvis_config_options opts = {.ignore_env = true, .sets = sets, .n_sets = 2};
    arvis_config *cfg = NULL;
    arvis_error err;
    printf("a whole voice turn: \"%s\" said by flite (16 kHz, %.1f s of silence before, %.1f s "
           "after);\nthe scripted server at %d ms to the first token and %d tokens/s; flite into "
           "the null sink:\n",
           QUESTION, SILENCE_BEFORE_MS / 1000.0, SILENCE_AFTER_MS / 1000.0, LLM_TTFT_MS,
           1000 / LLM_TOKEN_MS);
    int rc = arvis_config_load(&opts, &cfg, NULL, &err);
    if (rc == ARVIS_OK) {
        rc = make_recording(cfg, path, &err);
    }
    if (rc == ARVIS_OK) {
        rc = run_turns(cfg, path, &err);
    }
    if (rc != ARVIS_OK) {
        printf("  cannot run the turn: %s\n", err.msg);
    }
    arvis_config_free(cfg);
    fake_llm_stop(server);
    char rm[PATH_MAX + 16];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    return system(rm) == 0 && rc == ARVIS_OK ? 0 : 1;
}
