/* Benchmark: each speech engine's real-time factor and time to first audio; `arvis say` next to
 * the raw flite and espeak-ng command-line tools on the same text; and the time to first audio of
 * a streamed answer from the scripted LLM server, next to speaking after the whole answer (the
 * way whisper.cpp's talk-llama does). */
#include <cjson/cJSON.h>
#include <limits.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arvis/arvis.h"
#include "fake_llm.h"
#include "bench_util.h"


enum {
    RUNS = 9,
    ANSWER_RUNS = 3,
    SENTENCES = 10,
    WORDS_PER_SENTENCE = 10,
    LLM_TTFT_MS = 200,
    LLM_TOKEN_MS = 50, /* 20 tokens a second */
};

static const char TEXT[] =
    "The weather today is mild, with a light breeze from the west. Later this afternoon a few "
    "clouds may gather over the hills, but no rain is expected before the evening. Tomorrow "
    "looks brighter still, so it is a good day for a walk.";

/* ---- Each engine in the library ---- */

struct first_audio {
    uint64_t start_ns, first_ns;
    size_t samples;
    int rate;
};

static bool on_audio(const int16_t *pcm, size_t n, int rate, void *ud)
{
    (void)pcm;
    struct first_audio *f = ud;
    if (!f->first_ns) {
        f->first_ns = arvis_clock_ns();
    }
    f->samples += n;
    f->rate = rate;
    return true;
}

static void engine_figures(const arvis_config *cfg, const char *name)
{
    arvis_tts_engine *e = NULL;
    arvis_error err;
    if (arvis_tts_engine_create(name, cfg, NULL, &e, &err) != ARVIS_OK) {
        printf("  %-10s cannot start: %s\n", name, err.msg);
        return;
    }
    double rtf[RUNS], first[RUNS];
    struct first_audio f = {0};
    arvis_tts_engine_synth(e, TEXT, on_audio, &f, &err); /* warm: voice data paged in */
    for (int r = 0; r < RUNS; r++) {
        f = (struct first_audio){.start_ns = arvis_clock_ns()};
        arvis_tts_engine_synth(e, TEXT, on_audio, &f, &err);
        double total = arvis_clock_elapsed_ms(f.start_ns, arvis_clock_ns());
        first[r] = arvis_clock_elapsed_ms(f.start_ns, f.first_ns);
        rtf[r] = total / (1000.0 * (double)f.samples / f.rate);
    }
    printf("  %-10s voice %-6s real-time factor %.4f, time to first audio %6.2f ms, "
           "%.2f s of audio\n",
           name, arvis_tts_engine_voice(e), median(rtf, RUNS), median(first, RUNS),
           (double)f.samples / f.rate);
    arvis_tts_engine_destroy(e);
}

/* How long synthesis goes on after a stop given in the middle of a long sentence (the engine
 * cannot be reached while it works out a piece): the worst of RUNS stops at different moments. */
static void stop_figures(const arvis_config *cfg)
{
    arvis_tts *tts = NULL;
    arvis_speech *sp = NULL;
    static const char *const sinks[] = {"null", NULL};
    arvis_playback_options po = {.sinks = sinks};
    arvis_error err;
    if (arvis_tts_create(cfg, "flite", NULL, NULL, NULL, &tts, &err) != ARVIS_OK ||
        arvis_speech_create(tts, &po, cfg, &sp, &err) != ARVIS_OK) {
        printf("  cannot start: %s\n", err.msg);
        return;
    }
    char text[2048] = "";
    while (strlen(text) < sizeof text - 64) {
        strcat(text, "the quick brown fox jumps over the lazy dog and ");
    }
    strcat(text, "stops.");
    arvis_tts_engine *e = arvis_tts_engine_in_use(tts);
    double worst = 0;
    for (int r = 0; r < RUNS; r++) {
        arvis_speech_reset(sp);
        arvis_speech_say(sp, text, strlen(text));
        while (arvis_tts_engine_state(e) != ARVIS_TTS_SPEAKING) {
            arvis_clock_sleep_ms(1);
        }
        arvis_clock_sleep_ms((uint64_t)(10 + 15 * r)); /* a different moment each time */
        uint64_t t0 = arvis_clock_ns();
        arvis_speech_cancel(sp);
        while (arvis_tts_engine_state(e) == ARVIS_TTS_SPEAKING) {
            arvis_clock_sleep_ms(1);
        }
        double ms = arvis_clock_elapsed_ms(t0, arvis_clock_ns());
        worst = ms > worst ? ms : worst;
    }
    printf("  a stop in a %zu-character sentence (flite slt): synthesis ended at most %.1f ms "
           "later (worst of %d; target <= 50)\n",
           strlen(text), worst, RUNS);
    arvis_speech_destroy(sp, false, NULL);
    arvis_tts_destroy(tts);
}

/* ---- Whole commands: arvis say next to the raw tools ---- */

/* Runs a and b in turn RUNS times (after one warm run each) and prints the medians. */
static void compare_commands(const char *label, const char *const a[], const char *ref_label,
                             const char *const b[])
{
    double ta[RUNS], tb[RUNS];
    if (bench_run_ms(a, NULL, NULL, NULL) < 0 || bench_run_ms(b, NULL, NULL, NULL) < 0) {
        printf("  %s: a command failed (%s or %s)\n", label, a[0], b[0]);
        return;
    }
    for (int r = 0; r < RUNS; r++) {
        ta[r] = bench_run_ms(a, NULL, NULL, NULL);
        tb[r] = bench_run_ms(b, NULL, NULL, NULL);
    }
    double ma = median(ta, RUNS), mb = median(tb, RUNS);
    printf("  %-32s %7.2f ms   %-28s %7.2f ms   ratio %.3f\n", label, ma, ref_label, mb, ma / mb);
}

static void command_figures(const char *arvis, const char *dir)
{
    char out_a[PATH_MAX], out_b[PATH_MAX];
    snprintf(out_a, sizeof out_a, "%s/arvis.wav", dir);
    snprintf(out_b, sizeof out_b, "%s/ref.wav", dir);
    const char *say_flite[] = {arvis, "say", "--engine", "flite", "--out", out_a, TEXT, NULL};
    const char *raw_flite[] = {"flite", "-voice", "slt", "-t", TEXT, "-o", out_b, NULL};
    compare_commands("arvis say --engine flite --out", say_flite, "flite -voice slt -o", raw_flite);
    const char *say_espeak[] = {arvis, "say", "--engine", "espeak-ng", "--out", out_a, TEXT, NULL};
    const char *raw_espeak[] = {"espeak-ng", "-v", "en-us", "-w", out_b, TEXT, NULL};
    compare_commands("arvis say --engine espeak-ng --out", say_espeak, "espeak-ng -w", raw_espeak);
}

/* ---- A streamed answer: spoken as it is written, or after the whole of it ---- */

struct answer_run {
    uint64_t start_ns;
    _Atomic uint64_t first_sentence_ns;
    _Atomic uint64_t first_audio_ns;
    arvis_speech *sp;
};

static void on_sentence(const char *text, size_t len, bool early, void *ud)
{
    struct answer_run *a = ud;
    uint64_t expected = 0;
    atomic_compare_exchange_strong(&a->first_sentence_ns, &expected, arvis_clock_ns());
    if (a->sp) {
        arvis_speech_add(a->sp, text, len, early);
    }
}

static void on_playback(const arvis_playback_event *ev, void *ud)
{
    struct answer_run *a = ud;
    uint64_t expected = 0;
    if (ev->kind == ARVIS_PLAYBACK_STARTED) {
        atomic_compare_exchange_strong(&a->first_audio_ns, &expected, arvis_clock_ns());
    }
}

static char *answer_script(void)
{
    static char words[SENTENCES * WORDS_PER_SENTENCE][64];
    const char *tokens[SENTENCES * WORDS_PER_SENTENCE];
    for (int s = 0; s < SENTENCES; s++) {
        for (int w = 0; w < WORDS_PER_SENTENCE; w++) {
            char *t = words[s * WORDS_PER_SENTENCE + w];
            snprintf(t, sizeof words[0], "%s%s%s", s + w ? " " : "", w ? "word" : "Sentence",
                     w + 1 == WORDS_PER_SENTENCE ? "." : "");
            tokens[s * WORDS_PER_SENTENCE + w] = t;
        }
    }
    return bench_reply_script(tokens, SENTENCES * WORDS_PER_SENTENCE, LLM_TTFT_MS, LLM_TOKEN_MS);
}

/* The speech queue (into the null sink) and the model client for one answer; exits on failure. */
static arvis_llm *start_answer(const arvis_config *cfg, arvis_tts *tts, struct answer_run *a)
{
    static const char *const sinks[] = {"null", NULL};
    arvis_playback_options po = {.sinks = sinks, .cb = on_playback, .ud = a};
    arvis_error err;
    arvis_llm *llm = NULL;
    if (arvis_speech_create(tts, &po, cfg, &a->sp, &err) != ARVIS_OK ||
        arvis_llm_create(cfg, false, &llm, &err) != ARVIS_OK) {
        fprintf(stderr, "cannot start: %s\n", err.msg);
        exit(1);
    }
    return llm;
}

/* One answer; streamed: speech starts with the first sentence, else after the whole reply.
 * Returns the time to first audio from the request, and the first sentence's time. */
static double one_answer(const arvis_config *cfg, arvis_tts *tts, bool streamed,
                         double *first_sentence_ms)
{
    struct answer_run a = {0};
    arvis_error err;
    arvis_llm *llm = start_answer(cfg, tts, &a);
    arvis_speech *sp = a.sp;
    if (!streamed) {
        a.sp = NULL;
    }
    arvis_llm_callbacks cb = {.sentence_cb = on_sentence, .ud = &a};
    arvis_llm_reply reply;
    a.start_ns = arvis_clock_ns();
    if (arvis_llm_ask(llm, "Tell me ten things.", &cb, &reply, &err) != ARVIS_OK) {
        fprintf(stderr, "the scripted server failed: %s\n", err.msg);
        exit(1);
    }
    if (!streamed) {
        arvis_speech_say(sp, reply.text, strlen(reply.text));
    }
    arvis_speech_finish(sp, &err);
    *first_sentence_ms = arvis_clock_elapsed_ms(a.start_ns, a.first_sentence_ns);
    double first_audio = arvis_clock_elapsed_ms(a.start_ns, a.first_audio_ns);
    arvis_llm_reply_free(&reply);
    arvis_llm_destroy(llm);
    arvis_speech_destroy(sp, true, NULL);
    return first_audio;
}

struct canceller {
    struct answer_run *a;
    arvis_llm *llm;
    uint64_t t0, t1;
};

/* Waits for the first audio, then stops generation and speech together. */
static void *cancel_at_first_audio(void *arg)
{
    struct canceller *c = arg;
    while (!atomic_load(&c->a->first_audio_ns)) {
        arvis_clock_sleep_ms(1);
    }
    c->t0 = arvis_clock_ns();
    arvis_llm_cancel(c->llm);
    arvis_speech_cancel(c->a->sp);
    c->t1 = arvis_clock_ns();
    return NULL;
}

/* How long after a stop, given while the answer is being written and spoken, everything has
 * stopped: the request ended, synthesis and playback idle. */
static double one_cancel(const arvis_config *cfg, arvis_tts *tts, double *ready_ms)
{
    struct answer_run a = {0};
    arvis_error err;
    arvis_llm *llm = start_answer(cfg, tts, &a);
    struct canceller c = {.a = &a, .llm = llm};
    pthread_t th;
    pthread_create(&th, NULL, cancel_at_first_audio, &c);
    arvis_llm_callbacks cb = {.sentence_cb = on_sentence, .ud = &a};
    arvis_llm_reply reply;
    int rc = arvis_llm_ask(llm, "Tell me ten things.", &cb, &reply, &err);
    uint64_t asked = arvis_clock_ns();
    int spoken = arvis_speech_finish(a.sp, &err);
    uint64_t finished = arvis_clock_ns();
    pthread_join(th, NULL);
    uint64_t last = c.t1 > asked ? c.t1 : asked;
    last = finished > last ? finished : last;
    /* Ready again: the next answer's first sentence waits only for synthesis to notice. */
    arvis_speech_reset(a.sp);
    atomic_store(&a.first_audio_ns, 0);
    arvis_speech_say(a.sp, "Yes.", 4);
    while (!atomic_load(&a.first_audio_ns)) {
        arvis_clock_sleep_ms(1);
    }
    *ready_ms = arvis_clock_elapsed_ms(c.t0, atomic_load(&a.first_audio_ns));
    arvis_speech_finish(a.sp, &err);
    if (rc != ARVIS_E_CANCELLED || spoken != ARVIS_E_CANCELLED) {
        fprintf(stderr, "the stop did not stop both (%s, %s)\n", arvis_strerror(rc),
                arvis_strerror(spoken));
    }
    arvis_llm_reply_free(&reply);
    arvis_llm_destroy(llm);
    arvis_speech_destroy(a.sp, true, NULL);
    return arvis_clock_elapsed_ms(c.t0, last);
}

static void answer_figures(const char *dir)
{
    char *script = answer_script();
    fake_llm *server = fake_llm_start(0, script);
    free(script);
    if (!server) {
        return;
    }
    char url[128];
    snprintf(url, sizeof url, "llm.base_url=%s", fake_llm_url(server));
    const char *sets[] = {url, "llm.retry_backoff_ms=0"};
    setenv("ARVIS_HOME", dir, 1);
    arvis_config_options opts = {.ignore_env = true, .sets = sets, .n_sets = 2};
    arvis_config *cfg = NULL;
    arvis_tts *tts = NULL;
    arvis_error err;
    if (arvis_config_load(&opts, &cfg, NULL, &err) != ARVIS_OK ||
        arvis_tts_create(cfg, "flite", NULL, NULL, NULL, &tts, &err) != ARVIS_OK) {
        fprintf(stderr, "cannot start: %s\n", err.msg);
        exit(1);
    }
    double streamed[ANSWER_RUNS], whole[ANSWER_RUNS], gap[ANSWER_RUNS], sentence[ANSWER_RUNS];
    for (int r = 0; r < ANSWER_RUNS; r++) {
        streamed[r] = one_answer(cfg, tts, true, &sentence[r]);
        gap[r] = streamed[r] - sentence[r];
        double unused;
        whole[r] = one_answer(cfg, tts, false, &unused);
    }
    double ms = median(streamed, ANSWER_RUNS), mw = median(whole, ANSWER_RUNS);
    printf("  scripted server: %d sentences of %d tokens, time to first token %d ms, %d tokens/s; "
           "flite slt; median of %d\n",
           SENTENCES, WORDS_PER_SENTENCE, LLM_TTFT_MS, 1000 / LLM_TOKEN_MS, ANSWER_RUNS);
    printf("  first sentence complete:            %8.1f ms\n", median(sentence, ANSWER_RUNS));
    printf("  first audio, spoken as written:      %8.1f ms (%.1f ms after the first sentence; "
           "target <= 30)\n",
           ms, median(gap, ANSWER_RUNS));
    printf("  first audio, after the whole answer: %8.1f ms (the talk-llama way)\n", mw);
    printf("  speaking as written starts %.1fx earlier (target >= 5x)\n", mw / ms);
    double stop[ANSWER_RUNS], ready[ANSWER_RUNS];
    for (int r = 0; r < ANSWER_RUNS; r++) {
        stop[r] = one_cancel(cfg, tts, &ready[r]);
    }
    printf("  a stop at the first audio (synthesis still busy): generation and playback stopped "
           "in %.2f ms;\n  speaking the next answer's first words %.1f ms after the stop "
           "(target <= 50)\n",
           median(stop, ANSWER_RUNS), median(ready, ANSWER_RUNS));
    arvis_tts_destroy(tts);
    arvis_config_free(cfg);
    fake_llm_stop(server);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        return 1;
    }
    exe[n] = '\0';
    char arvis[PATH_MAX + 16];
    snprintf(arvis, sizeof arvis, "%.*s/../src/arvis", (int)(strrchr(exe, '/') - exe), exe);
    char dir[] = "/tmp/arvis-tts-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        return 1;
    }
    setenv("ARVIS_HOME", dir, 1);
    arvis_config_options opts = {.ignore_env = true};
    arvis_config *cfg = NULL;
    if (arvis_config_load(&opts, &cfg, NULL, NULL) != ARVIS_OK) {
        return 1;
    }
    printf("speech engines in the library (median of %d, the same %zu-character text):\n", RUNS,
           strlen(TEXT));
    for (const char *const *e = arvis_tts_engine_names(); *e; e++) {
        engine_figures(cfg, *e);
    }
    stop_figures(cfg);
    arvis_config_free(cfg);
    printf("whole commands, text to a WAV file (median of %d; target: arvis say within 1.1x of "
           "flite):\n",
           RUNS);
    command_figures(arvis, dir);
    printf("a streamed answer:\n");
    answer_figures(dir);
    char rm[PATH_MAX + 16];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    return system(rm) == 0 ? 0 : 1;
}
