/* `arvis listen FILE`: the transcript of a recording, utterance by utterance as it is heard,
 * with word timings and the real-time factor on request. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli_assistant.h"

const char cmd_listen_usage[] =
    "Usage: arvis listen [--words] [--stats] [--json] [--engine NAME] [--rate HZ] FILE | -\n"
    "\n"
    "Transcribes a recording with the speech recogniser (stt.engine): WAV, FLAC or OGG at any\n"
    "rate, or raw 16-bit mono PCM on standard input with `-` (at --rate, 16000 by default).\n"
    "Each utterance is printed on its own line as soon as it has been heard; pauses longer\n"
    "than stt.vad.trailing_silence_ms separate utterances.\n"
    "\n"
    "Options:\n"
    "  --words        print each word's start and end (seconds) and confidence\n"
    "  --stats        print the audio length, recognition time and real-time factor (stderr)\n"
    "  --json         one JSON object per utterance, then one with the figures\n"
    "  --engine NAME  the recogniser (pocketsphinx, null) instead of stt.engine\n"
    "\n"
    "Exit codes: 0 transcribed, 1 failed, 2 bad input (a file that is not sound), 3 no\n"
    "recogniser model installed.\n";

struct listen {
    bool words, json, stats;
    const char *engine;
    struct cli_turn_options io;
};

static void print_words(const arvis_stt_result *r, double start_s)
{
    for (size_t i = 0; i < r->n_words; i++) {
        const arvis_stt_word *w = &r->words[i];
        printf("  %7.2f %7.2f  %-16s", start_s + w->start_s, start_s + w->end_s, w->word);
        if (w->confidence >= 0) {
            printf(" %.2f", w->confidence);
        }
        putchar('\n');
    }
}

static cJSON *utterance_json(const arvis_stt_result *r, double start_s, double end_s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "text", r->text);
    cJSON_AddNumberToObject(o, "start", start_s);
    cJSON_AddNumberToObject(o, "end", end_s);
    cJSON *ws = cJSON_AddArrayToObject(o, "words");
    for (size_t i = 0; i < r->n_words; i++) {
        cJSON *w = cJSON_CreateObject();
        cJSON_AddStringToObject(w, "word", r->words[i].word);
        cJSON_AddNumberToObject(w, "start", start_s + r->words[i].start_s);
        cJSON_AddNumberToObject(w, "end", start_s + r->words[i].end_s);
        if (r->words[i].confidence >= 0) {
            cJSON_AddNumberToObject(w, "confidence", r->words[i].confidence);
        }
        cJSON_AddItemToArray(ws, w);
    }
    return o;
}

static void print_json(cJSON *o)
{
    char *line = arvis_json_print(o, 0);
    if (line) {
        puts(line);
    }
    free(line);
    cJSON_Delete(o);
}

static void on_utterance(const arvis_stt_result *r, double start_s, double end_s, void *ud)
{
    const struct listen *l = ud;
    if (l->json) {
        print_json(utterance_json(r, start_s, end_s));
    } else {
        puts(r->text);
        if (l->words) {
            print_words(r, start_s);
        }
    }
    fflush(stdout);
}

static void print_stats(const struct listen *l, const arvis_transcript_stats *st,
                        const arvis_stt *stt)
{
    double rtf = st->audio_s > 0 ? st->elapsed_ms / (st->audio_s * 1000) : -1;
    if (l->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "engine", arvis_stt_name(stt));
        cJSON_AddNumberToObject(o, "audio_s", st->audio_s);
        cJSON_AddNumberToObject(o, "elapsed_ms", st->elapsed_ms);
        cJSON_AddNumberToObject(o, "stt_ms", st->stt_ms);
        cJSON_AddNumberToObject(o, "rtf", rtf);
        cJSON_AddNumberToObject(o, "utterances", (double)st->utterances);
        cJSON_AddNumberToObject(o, "words", (double)st->words);
        print_json(o);
    }
    if (l->stats) {
        fprintf(stderr,
                "listen: %s, %.2f s of audio in %.1f ms (recognising %.1f ms), real-time factor "
                "%.3f, %zu utterances, %zu words\n",
                arvis_stt_name(stt), st->audio_s, st->elapsed_ms, st->stt_ms, rtf, st->utterances,
                st->words);
    }
}

static int parse(int argc, char **argv, struct listen *l, int *code)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--words") == 0) {
            l->words = true;
        } else if (strcmp(argv[i], "--engine") == 0 && i + 1 < argc) {
            l->engine = argv[++i];
        } else {
            int took = cli_turn_option("listen", argc, argv, i, &l->io, code);
            if (took < 0) {
                return -1;
            }
            if (took == 0 || l->io.in || l->io.out || l->io.voice) {
                *code = cli_usage_error("listen", "unknown option %s", argv[i]);
                return -1;
            }
            i += took - 1;
        }
    }
    l->json = l->io.json;
    l->stats = l->io.stats;
    if (i + 1 != argc) {
        *code = cli_usage_error("listen", "give one recording to transcribe (or - for stdin)");
        return -1;
    }
    l->io.in = argv[i];
    return i;
}

int cmd_listen(struct cli_ctx *ctx, int argc, char **argv)
{
    struct listen l = {0};
    int code = CLI_EXIT_OK;
    if (parse(argc, argv, &l, &code) < 0) {
        return code;
    }
    arvis_config *cfg = NULL;
    code = cli_load_config(ctx, &cfg);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    cli_apply_logging(ctx, cfg, false);
    arvis_source *src = NULL;
    arvis_stt *stt = NULL;
    arvis_error err;
    code = cli_open_source(cfg, &l.io, &src);
    if (code == CLI_EXIT_OK) {
        int rc = arvis_stt_create(cfg, l.engine, &stt, &err);
        code = rc == ARVIS_OK ? CLI_EXIT_OK : cli_failure(rc, &err);
    }
    if (code == CLI_EXIT_OK) {
        arvis_vad_options vo = arvis_vad_options_from_config(cfg);
        arvis_transcript_stats st;
        int rc = arvis_transcribe(stt, src, &vo, on_utterance, &l, NULL, &st, &err);
        code = rc == ARVIS_OK ? CLI_EXIT_OK : cli_failure(rc, &err);
        if (rc == ARVIS_OK) {
            print_stats(&l, &st, stt);
            if (arvis_source_truncated(src)) {
                cli_warning("%s ends before the length its header gives: it was cut short",
                            l.io.in);
            }
            if (!st.utterances && !l.json) {
                fprintf(stderr, "arvis: no speech heard in %s\n", l.io.in);
            }
        }
    }
    arvis_stt_destroy(stt);
    arvis_source_close(src);
    arvis_config_free(cfg);
    return code;
}
