/* `arvis say`: speaks a text, played when a sound server runs or written to a WAV file or
 * standard output; long input is read and spoken sentence by sentence in bounded memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_llm.h"
#include "cli_tts.h"

const char cmd_say_usage[] =
    "Usage: arvis say [--engine E] [--voice V] [--out FILE.wav | --out -] [--stats] TEXT...\n"
    "       arvis say [options] -\n"
    "\n"
    "Speaks TEXT (the rest of the line; `-` reads standard input, spoken sentence by sentence as\n"
    "it is read). Markdown marks, code blocks, web addresses and emoji are not read aloud.\n"
    "\n"
    "Options:\n"
    "  --engine E     flite, espeak-ng or null (default tts.engine, with tts.fallback after it;\n"
    "                 an engine given here has no fallback)\n"
    "  --voice V      a voice of the engine (`arvis tts voices E` lists them)\n"
    "  --out FILE     write a WAV file instead of playing; `-` writes raw signed 16-bit mono\n"
    "                 PCM at the engine's rate (or audio.output_sample_rate) to standard output\n"
    "  --stats        print time to first audio and real-time factor on stderr\n"
    "\n"
    "Without --out the speech plays through PulseAudio when a server runs (audio.sink).\n"
    "Ctrl-C stops it. Exit codes: 0 spoken, 1 failed or stopped, 2 bad input (an unknown engine\n"
    "or voice, text the voice cannot read), 3 nothing can play and no --out was given.\n";

enum { READ_BLOCK = 4096, ARG_TEXT_MAX = 1 << 20 };

struct say_run {
    struct cli_voice v;
    int rc; /* the first failure to queue a sentence */
};

static void on_sentence(const char *text, size_t len, bool early, void *ud)
{
    (void)early;
    struct say_run *r = ud;
    if (r->rc == ARVIS_OK) {
        r->rc = arvis_speech_say(r->v.speech, text, len);
    }
}

static bool has_text(const char *t, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!strchr(" \t\r\n", t[i])) {
            return true;
        }
    }
    return false;
}

/* Feeds the words of the command line, or standard input for "-", to the sentencer. */
static int feed(int argc, char **argv, arvis_sentencer *s, struct say_run *r, bool *said)
{
    if (argc == 1 && strcmp(argv[0], "-") == 0) {
        char block[READ_BLOCK];
        size_t n;
        while (r->rc == ARVIS_OK && !cli_interrupted() &&
               (n = fread(block, 1, sizeof block, stdin)) > 0) {
            *said = *said || has_text(block, n);
            int rc = arvis_sentencer_add(s, block, n, on_sentence, r);
            if (rc != ARVIS_OK) {
                return rc;
            }
        }
    } else {
        arvis_buf text;
        arvis_buf_init(&text, ARG_TEXT_MAX);
        for (int i = 0; i < argc; i++) {
            if ((i && arvis_buf_addc(&text, ' ') != ARVIS_OK) ||
                arvis_buf_adds(&text, argv[i]) != ARVIS_OK) {
                arvis_buf_free(&text);
                return ARVIS_E_TOOBIG;
            }
        }
        *said = has_text(arvis_buf_str(&text), text.len);
        int rc = arvis_sentencer_add(s, arvis_buf_str(&text), text.len, on_sentence, r);
        arvis_buf_free(&text);
        if (rc != ARVIS_OK) {
            return rc;
        }
    }
    arvis_sentencer_flush(s, on_sentence, r);
    return r->rc;
}

int cmd_say(struct cli_ctx *ctx, int argc, char **argv)
{
    struct cli_voice_options o = {0};
    bool stats = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char **value = strcmp(argv[i], "--engine") == 0  ? &o.engine
                             : strcmp(argv[i], "--voice") == 0 ? &o.voice
                             : strcmp(argv[i], "--out") == 0   ? &o.out
                                                               : NULL;
        if (value) {
            if (i + 1 >= argc) {
                return cli_usage_error("say", "%s needs a value", argv[i]);
            }
            *value = argv[++i];
        } else if (strcmp(argv[i], "--stats") == 0) {
            stats = true;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            return cli_usage_error("say", "unknown option %s", argv[i]);
        }
    }
    if (i >= argc) {
        return cli_usage_error("say", "what should be said? Give the text after `arvis say`");
    }
    arvis_config *cfg = NULL;
    int code = cli_load_config(ctx, &cfg);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    struct say_run r = {.rc = ARVIS_OK};
    code = cli_voice_open(cfg, &o, &r.v);
    if (code != CLI_EXIT_OK) {
        arvis_config_free(cfg);
        return code;
    }
    arvis_sentencer *s = NULL;
    cli_interrupt_start(NULL);
    cli_interrupt_speech(r.v.speech);
    cli_interrupt_busy(true);
    bool said = false;
    arvis_error err;
    arvis_error_clear(&err);
    int rc = arvis_sentencer_create(0, &s);
    if (rc == ARVIS_OK) {
        rc = feed(argc - i, argv + i, s, &r, &said);
    }
    if (rc == ARVIS_OK && !said) {
        rc = arvis_error_set(&err, ARVIS_E_INVAL, "nothing to say: the text is empty");
    } else if (rc == ARVIS_OK) {
        rc = arvis_speech_finish(r.v.speech, &err);
    } else if (rc == ARVIS_E_TOOBIG) {
        arvis_error_set(&err, rc,
                        "the text is longer than 1 MiB: give it on standard input "
                        "with `arvis say -`");
    }
    cli_interrupt_busy(false);
    if (stats) {
        arvis_speech_stats st;
        arvis_speech_get_stats(r.v.speech, &st);
        cli_print_speech_stats(stderr, &st, r.v.tts);
    }
    cli_interrupt_speech(NULL);
    cli_interrupt_stop();
    arvis_sentencer_destroy(s);
    code = cli_voice_close(&r.v, rc == ARVIS_OK);
    if (rc == ARVIS_E_CANCELLED) {
        cli_error("stopped: speaking was cancelled%s", o.out ? "; no file was written" : "");
        code = CLI_EXIT_FAILURE;
    } else if (rc != ARVIS_OK) {
        code = cli_failure(rc, &err);
        if (o.out && strcmp(o.out, "-") != 0) {
            fprintf(stderr, "No file was written.\n");
        }
    }
    arvis_config_free(cfg);
    return code;
}
