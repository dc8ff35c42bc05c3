/* `arvis say`: speaks a text, played when a sound server runs or written to a WAV file or
 * standard output; long input is read and spoken sentence by sentence in bounded memory. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

enum {
    READ_BLOCK = 4096,
    ARG_TEXT_MAX = 1 << 20,
    INTERRUPT_POLL_MS = 20, /* how often a wait for input looks for Ctrl-C */
};

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

/* The words of the command line as one text, checked. Returns NULL after printing why, with
 * *code set. */
static char *text_of(int argc, char **argv, int *code)
{
    arvis_buf text;
    arvis_buf_init(&text, ARG_TEXT_MAX);
    for (int i = 0; i < argc; i++) {
        if ((i && arvis_buf_addc(&text, ' ') != ARVIS_OK) ||
            arvis_buf_adds(&text, argv[i]) != ARVIS_OK) {
            arvis_buf_free(&text);
            cli_error("the text is longer than 1 MiB: give it on standard input with "
                      "`arvis say -`");
            *code = CLI_EXIT_USAGE;
            return NULL;
        }
    }
    size_t bad = 0;
    if (!arvis_utf8_valid(arvis_buf_str(&text), text.len, &bad)) {
        cli_error("the text is not valid UTF-8 (byte %zu): give it in UTF-8", bad + 1);
    } else if (!has_text(arvis_buf_str(&text), text.len)) {
        cli_error("nothing to say: the text is empty");
    } else {
        char *t = arvis_buf_take(&text);
        if (t) {
            return t;
        }
        cli_error("out of memory");
    }
    arvis_buf_free(&text);
    *code = CLI_EXIT_USAGE;
    return NULL;
}

/* Reads what standard input has, up to size bytes, looking for Ctrl-C while it waits (signals
 * are taken by a thread, so they do not interrupt a read). Returns 0 at the end of the input,
 * or after Ctrl-C (the speech queue itself was stopped by the signal). */
static size_t read_block(char *block, size_t size)
{
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    for (;;) {
        if (cli_interrupted()) {
            return 0;
        }
        int ready = poll(&p, 1, INTERRUPT_POLL_MS);
        if (ready > 0) {
            ssize_t n = read(STDIN_FILENO, block, size);
            if (n >= 0 || (errno != EINTR && errno != EAGAIN)) {
                return n > 0 ? (size_t)n : 0;
            }
        } else if (ready < 0 && errno != EINTR) {
            return 0;
        }
    }
}

/* Feeds standard input to the sentencer block by block; *said tells whether it held any text. */
static int feed_stdin(arvis_sentencer *s, struct say_run *r, bool *said)
{
    char block[READ_BLOCK];
    size_t n;
    bool warned = false;
    while (r->rc == ARVIS_OK && (n = read_block(block, sizeof block)) > 0) {
        *said = *said || has_text(block, n);
        /* A character split between two blocks is whole again in the sentencer; only a bad
         * byte well inside the block is worth a warning. */
        size_t bad = 0;
        if (!warned && !arvis_utf8_valid(block, n, &bad) && bad + 4 < n) {
            cli_warning("the input is not valid UTF-8 (near byte %zu of a block); bad bytes are "
                        "skipped",
                        bad);
            warned = true;
        }
        int rc = arvis_sentencer_add(s, block, n, on_sentence, r);
        if (rc != ARVIS_OK) {
            return rc;
        }
    }
    return r->rc;
}

/* Speaks text (NULL: standard input) and waits until it has been played. */
static int speak_all(const char *text, struct say_run *r, arvis_error *err)
{
    arvis_sentencer *s = NULL;
    int rc = arvis_sentencer_create(0, &s);
    bool said = text != NULL;
    if (rc == ARVIS_OK) {
        rc = text ? arvis_sentencer_add(s, text, strlen(text), on_sentence, r)
                  : feed_stdin(s, r, &said);
    }
    if (rc == ARVIS_OK) {
        arvis_sentencer_flush(s, on_sentence, r);
        rc = r->rc;
    }
    arvis_sentencer_destroy(s);
    if (rc == ARVIS_OK && !said) {
        return arvis_error_set(err, ARVIS_E_INVAL, "nothing to say: the input is empty");
    }
    return rc == ARVIS_OK ? arvis_speech_finish(r->v.speech, err) : rc;
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
    int code = CLI_EXIT_OK;
    bool from_stdin = argc - i == 1 && strcmp(argv[i], "-") == 0;
    char *text = from_stdin ? NULL : text_of(argc - i, argv + i, &code);
    arvis_config *cfg = NULL;
    if (code == CLI_EXIT_OK) {
        code = cli_load_config(ctx, &cfg);
    }
    /* Signals are blocked before the speech threads start, so that they inherit it. */
    struct say_run r = {.rc = ARVIS_OK};
    cli_interrupt_start(NULL);
    if (code == CLI_EXIT_OK) {
        code = cli_voice_open(cfg, &o, &r.v);
    }
    if (code != CLI_EXIT_OK) {
        cli_interrupt_stop();
        arvis_config_free(cfg);
        free(text);
        return code;
    }
    cli_interrupt_speech(r.v.speech);
    cli_interrupt_busy(true);
    arvis_error err;
    arvis_error_clear(&err);
    /* A Ctrl-C while starting came before there was anything to cancel. */
    int rc = cli_interrupted() ? ARVIS_E_CANCELLED : speak_all(text, &r, &err);
    cli_interrupt_busy(false);
    if (stats) {
        arvis_speech_stats st;
        arvis_speech_get_stats(r.v.speech, &st);
        cli_print_speech_stats(stderr, &st, r.v.tts);
    }
    cli_interrupt_speech(NULL);
    cli_interrupt_stop();
    code = cli_voice_close(&r.v, rc == ARVIS_OK);
    bool to_file = o.out && strcmp(o.out, "-") != 0;
    if (rc == ARVIS_E_CANCELLED) {
        cli_error("stopped: speaking was cancelled%s", to_file ? "; no file was written" : "");
        code = CLI_EXIT_FAILURE;
    } else if (rc != ARVIS_OK) {
        code = cli_failure(rc, &err);
        if (to_file) {
            fprintf(stderr, "No file was written.\n");
        }
    }
    arvis_config_free(cfg);
    free(text);
    return code;
}
