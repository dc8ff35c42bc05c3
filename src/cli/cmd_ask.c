/* `arvis ask`: one question, the answer streamed to the terminal as it is written, with the
 * measurements on request; Ctrl-C stops it and the history keeps what was said. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_llm.h"
#include "cli_tts.h"
#include "cli_watch.h"

const char cmd_ask_usage[] =
    "Usage: arvis ask [--stats] [--json] [--no-history] [--speak] [--out FILE.wav] QUESTION...\n"
    "\n"
    "Asks the language model (llm.provider, llm.model at llm.base_url) one question and prints\n"
    "the answer as it streams. The conversation so far is sent along and the turn is saved to\n"
    "the history (see `arvis history`). QUESTION is the rest of the line; `-` reads it from\n"
    "standard input. Ctrl-C stops the answer; what was received is kept, marked as cut.\n"
    "\n"
    "Options:\n"
    "  --stats        print the measurements after the answer (on stderr): time to first\n"
    "                 token, tokens per second (ours and the server's), gaps, prompt cache\n"
    "  --json         print one JSON object per line for every event as it happens:\n"
    "                 {\"event\": \"token\" | \"sentence\" | \"status\" | \"error\", \"text\": "
    "...},\n"
    "                 and last {\"event\": \"done\", \"answer\", \"cut\", \"model\", \"stats\"}\n"
    "  --no-history   neither send nor save the conversation\n"
    "  --speak        speak the answer too, each sentence as soon as it is written (see\n"
    "                 `arvis say` for where the sound goes); Ctrl-C stops both, and the\n"
    "                 history keeps only what was spoken\n"
    "  --out FILE     with --speak: write the spoken answer to a WAV file (`-`: raw PCM on\n"
    "                 standard output, and the text on stderr)\n"
    "\n"
    "Exit codes: 0 answered, 1 cancelled or failed, 2 bad input or unknown model, 3 the model\n"
    "server cannot be reached or stopped answering.\n";

/* The question: the words of the command line, or standard input for "-". */
static char *question_of(int argc, char **argv)
{
    arvis_buf q;
    arvis_buf_init(&q, 1 << 20);
    if (argc == 1 && strcmp(argv[0], "-") == 0) {
        char block[4096];
        size_t n;
        while ((n = fread(block, 1, sizeof block, stdin)) > 0) {
            if (arvis_buf_add(&q, block, n) != ARVIS_OK) {
                arvis_buf_free(&q);
                return NULL;
            }
        }
    } else {
        for (int i = 0; i < argc; i++) {
            if ((i && arvis_buf_addc(&q, ' ') != ARVIS_OK) || arvis_buf_adds(&q, argv[i])) {
                arvis_buf_free(&q);
                return NULL;
            }
        }
    }
    char *text = arvis_buf_take(&q);
    return text ? text : calloc(1, 1);
}

/* --json: one JSON object per line for every event, so a program can follow the stream. */
static void emit(cJSON *o)
{
    char *text = o ? arvis_json_print(o, 0) : NULL;
    if (text) {
        puts(text);
        fflush(stdout);
    }
    free(text);
    cJSON_Delete(o);
}

static cJSON *event(const char *name, const char *text, size_t len)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "event", name);
    char *copy = text ? strndup(text, len) : NULL;
    if (copy) {
        cJSON_AddStringToObject(o, "text", copy);
    }
    free(copy);
    return o;
}

static void json_token(const char *text, size_t len, void *ud)
{
    (void)ud;
    emit(event("token", text, len));
}

/* Sentences go to the speech queue when the answer is spoken (ud is the queue). */
static void speak_sentence(const char *text, size_t len, bool early, void *ud)
{
    if (ud) {
        arvis_speech_add(ud, text, len, early);
    }
}

static void json_sentence(const char *text, size_t len, bool early, void *ud)
{
    speak_sentence(text, len, early, ud);
    cJSON *o = event("sentence", text, len);
    cJSON_AddBoolToObject(o, "early", early);
    emit(o);
}

static void json_status(const char *text, void *ud)
{
    (void)ud;
    emit(event("status", text, strlen(text)));
}

static void json_end(const arvis_llm *llm, const arvis_config *cfg, const arvis_llm_reply *r,
                     int rc, const arvis_error *err, arvis_speech *sp)
{
    if (rc != ARVIS_OK) {
        cJSON *e = event("error", err->msg, strlen(err->msg));
        cJSON_AddStringToObject(e, "code", arvis_strerror(rc));
        emit(e);
    }
    cJSON *o = event("done", NULL, 0);
    cJSON_AddStringToObject(o, "answer", r->text);
    cJSON_AddBoolToObject(o, "cut", r->cut);
    cJSON_AddStringToObject(o, "provider", arvis_config_string(cfg, "llm.provider"));
    cJSON_AddStringToObject(o, "model", arvis_llm_model(llm));
    cJSON_AddItemToObject(o, "stats", arvis_llm_stats_json(&r->stats));
    if (sp) {
        char *spoken = arvis_speech_spoken(sp);
        cJSON_AddStringToObject(o, "spoken", spoken ? spoken : "");
        free(spoken);
        arvis_speech_stats st;
        arvis_speech_get_stats(sp, &st);
        cJSON *s = cJSON_AddObjectToObject(o, "speech");
        cJSON_AddNumberToObject(s, "sentences", (double)st.sentences);
        cJSON_AddNumberToObject(s, "spoken", (double)st.spoken);
        cJSON_AddNumberToObject(s, "first_audio_ms", st.first_audio_ms);
        cJSON_AddNumberToObject(s, "audio_ms", st.audio_ms);
        cJSON_AddNumberToObject(s, "rtf", st.rtf);
    }
    emit(o);
}

struct ask_options {
    bool stats, json, history, speak;
    const char *out;
};

/* Options up to the question; returns the index of its first word, or -1 after a usage error
 * (*code set). */
static int parse_options(int argc, char **argv, struct ask_options *o, int *code)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (strcmp(argv[i], "--stats") == 0) {
            o->stats = true;
        } else if (strcmp(argv[i], "--json") == 0) {
            o->json = true;
        } else if (strcmp(argv[i], "--no-history") == 0) {
            o->history = false;
        } else if (strcmp(argv[i], "--speak") == 0) {
            o->speak = true;
        } else if (strcmp(argv[i], "--out") == 0) {
            if (i + 1 >= argc) {
                *code = cli_usage_error("ask", "--out needs a file name (or - for stdout)");
                return -1;
            }
            o->out = argv[++i];
            o->speak = true;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            *code = cli_usage_error("ask", "unknown option %s", argv[i]);
            return -1;
        }
    }
    if (i >= argc) {
        *code = cli_usage_error("ask", "what is the question? Give it after `arvis ask`");
        return -1;
    }
    if (o->json && o->out && strcmp(o->out, "-") == 0) {
        *code = cli_usage_error("ask", "--json and --out - would both write to standard output");
        return -1;
    }
    return i;
}

/* After the text: the rest of the spoken answer (all that was received, even of an answer that
 * broke off). A stop leaves in the history only what was said. Returns the speech status. */
static int finish_speaking(arvis_llm *llm, arvis_speech *sp, int rc)
{
    arvis_error err;
    arvis_error_clear(&err);
    int spoken_rc = ARVIS_E_CANCELLED;
    if (rc == ARVIS_E_CANCELLED) {
        arvis_speech_cancel(sp);
    } else {
        spoken_rc = arvis_speech_finish(sp, &err);
    }
    arvis_history *h = arvis_llm_history(llm);
    if (spoken_rc == ARVIS_E_CANCELLED && h) {
        char *spoken = arvis_speech_spoken(sp);
        if (spoken && arvis_history_amend_last(h, spoken, true) == ARVIS_OK &&
            arvis_history_save(h, &err) != ARVIS_OK) {
            cli_warning("%s", err.msg);
        }
        free(spoken);
    } else if (spoken_rc != ARVIS_OK) {
        cli_warning("%s", err.msg);
    }
    return spoken_rc;
}

/* The answer's figures into the stored metrics (arvis metrics), and a failure into the
 * notification history; the terminal has had its one line about it already. */
static void record(const arvis_config *cfg, const arvis_llm_reply *reply, int rc,
                   const arvis_error *why, const arvis_speech_stats *spoken)
{
    struct cli_watch w;
    cli_watch_open(cfg, false, false, &w);
    arvis_error err;
    bool failed = rc != ARVIS_OK && rc != ARVIS_E_CANCELLED;
    if (arvis_record_llm_answer(w.metrics, &reply->stats, failed, rc == ARVIS_E_CANCELLED, &err) !=
        ARVIS_OK) {
        cli_warning("%s", err.msg);
    }
    if (spoken->sentences) {
        arvis_metrics_speech sp = {
            .first_audio_s = spoken->first_audio_ms < 0 ? -1 : spoken->first_audio_ms / 1000,
            .rtf = spoken->rtf,
            .chars = (double)spoken->chars};
        arvis_metrics_record_speech(w.metrics, &sp, arvis_config_string(cfg, "tts.engine"), NULL);
    }
    if (failed && w.notify) {
        arvis_notify_send(w.notify, ARVIS_NOTIFY_ERROR, "llm", why->msg);
    }
    cli_watch_close(&w);
}

int cmd_ask(struct cli_ctx *ctx, int argc, char **argv)
{
    struct ask_options o = {.history = true};
    int code = CLI_EXIT_OK;
    int i = parse_options(argc, argv, &o, &code);
    if (i < 0) {
        return code;
    }
    char *question = question_of(argc - i, argv + i);
    if (!question) {
        cli_error("the question is longer than 1 MiB");
        return CLI_EXIT_USAGE;
    }
    arvis_config *cfg = NULL;
    arvis_llm *llm = NULL;
    code = cli_llm_open(ctx, o.history, &cfg, &llm);
    struct cli_voice voice = {0};
    /* Signals are blocked before the speech threads start, so that they inherit it. */
    cli_interrupt_start(llm);
    if (code == CLI_EXIT_OK && o.speak) {
        code = cli_voice_open(cfg, &(struct cli_voice_options){.out = o.out}, &voice);
    }
    if (code != CLI_EXIT_OK) {
        cli_interrupt_stop();
        arvis_llm_destroy(llm);
        arvis_config_free(cfg);
        free(question);
        return code;
    }
    cli_interrupt_speech(voice.speech);
    /* With speech on stdout, the text goes to stderr. */
    bool text_on_stderr = o.out && strcmp(o.out, "-") == 0;
    arvis_llm_callbacks cb = {.status_cb = cli_print_status,
                              .chunk_cb = text_on_stderr ? cli_print_piece_stderr : cli_print_piece,
                              .sentence_cb = speak_sentence,
                              .ud = voice.speech};
    if (o.json) {
        cb = (arvis_llm_callbacks){.token_cb = json_token,
                                   .sentence_cb = json_sentence,
                                   .status_cb = json_status,
                                   .ud = voice.speech};
    }
    arvis_llm_reply reply = {0};
    arvis_error err;
    arvis_error_clear(&err);
    cli_interrupt_busy(true);
    /* A Ctrl-C while starting came before there was anything to cancel: the question is not
     * asked at all. */
    int rc = ARVIS_E_CANCELLED;
    bool asked = !cli_interrupted();
    if (asked) {
        rc = arvis_llm_ask(llm, question, &cb, &reply, &err);
    } else if (!(reply.text = calloc(1, 1))) {
        rc = ARVIS_E_NOMEM;
    }
    int spoken_rc = voice.speech ? finish_speaking(llm, voice.speech, rc) : ARVIS_OK;
    arvis_speech_stats spoken = {0};
    if (voice.speech) {
        arvis_speech_get_stats(voice.speech, &spoken);
    }
    if (asked) {
        record(cfg, &reply, rc, &err, &spoken);
    }
    cli_interrupt_busy(false);
    FILE *text_out = text_on_stderr ? stderr : stdout;
    if (o.json) {
        json_end(llm, cfg, &reply, rc, &err, voice.speech);
    } else if (reply.text[0]) {
        fputc('\n', text_out);
        fflush(text_out);
    } else if (rc == ARVIS_OK) {
        fprintf(stderr, "arvis: the model gave an empty answer\n");
    }
    if (o.stats) {
        cli_print_stats(stderr, &reply.stats);
        if (voice.speech) {
            arvis_speech_stats st;
            arvis_speech_get_stats(voice.speech, &st);
            cli_print_speech_stats(stderr, &st, voice.tts);
        }
    }
    cli_interrupt_speech(NULL);
    if (rc == ARVIS_E_CANCELLED || spoken_rc == ARVIS_E_CANCELLED) {
        cli_error("cancelled: the answer was stopped%s",
                  !o.history     ? ""
                  : voice.speech ? "; the history keeps what was spoken"
                                 : "; what was received is kept in the history");
        code = CLI_EXIT_FAILURE;
    } else {
        code = rc == ARVIS_OK ? CLI_EXIT_OK : cli_failure(rc, &err);
    }
    if (voice.speech) {
        /* The file keeps what was spoken, even of an answer that broke off; with nothing
         * spoken, an earlier file at that path stays as it was. */
        arvis_speech_stats st;
        arvis_speech_get_stats(voice.speech, &st);
        int close_code = cli_voice_close(&voice, st.spoken > 0);
        code = code == CLI_EXIT_OK ? close_code : code;
    }
    cli_interrupt_stop();
    arvis_llm_reply_free(&reply);
    arvis_llm_destroy(llm);
    arvis_config_free(cfg);
    free(question);
    return code;
}
