/* `arvis ask`: one question, the answer streamed to the terminal as it is written, with the
 * measurements on request; Ctrl-C stops it and the history keeps what was said. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_llm.h"

const char cmd_ask_usage[] =
    "Usage: arvis ask [--stats] [--json] [--no-history] QUESTION...\n"
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
    "                 {\"event\": \"token\" | \"sentence\" | \"status\" | \"error\", \"text\": ...},\n"
    "                 and last {\"event\": \"done\", \"answer\", \"cut\", \"model\", \"stats\"}\n"
    "  --no-history   neither send nor save the conversation\n"
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

static void json_sentence(const char *text, size_t len, bool early, void *ud)
{
    (void)ud;
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
                     int rc, const arvis_error *err)
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
    emit(o);
}

int cmd_ask(struct cli_ctx *ctx, int argc, char **argv)
{
    bool stats = false;
    bool json = false;
    bool history = true;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (strcmp(argv[i], "--stats") == 0) {
            stats = true;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--no-history") == 0) {
            history = false;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            return cli_usage_error("ask", "unknown option %s", argv[i]);
        }
    }
    if (i >= argc) {
        return cli_usage_error("ask", "what is the question? Give it after `arvis ask`");
    }
    char *question = question_of(argc - i, argv + i);
    if (!question) {
        cli_error("the question is longer than 1 MiB");
        return CLI_EXIT_USAGE;
    }
    arvis_config *cfg = NULL;
    arvis_llm *llm = NULL;
    int code = cli_llm_open(ctx, history, &cfg, &llm);
    if (code != CLI_EXIT_OK) {
        free(question);
        return code;
    }
    cli_interrupt_start(llm);
    arvis_llm_callbacks cb = {.status_cb = cli_print_status, .chunk_cb = cli_print_piece};
    if (json) {
        cb = (arvis_llm_callbacks){
            .token_cb = json_token, .sentence_cb = json_sentence, .status_cb = json_status};
    }
    arvis_llm_reply reply;
    arvis_error err;
    cli_interrupt_busy(true);
    int rc = arvis_llm_ask(llm, question, &cb, &reply, &err);
    cli_interrupt_busy(false);
    if (json) {
        json_end(llm, cfg, &reply, rc, &err);
    } else if (reply.text[0]) {
        fputc('\n', stdout);
        fflush(stdout);
    } else if (rc == ARVIS_OK) {
        fprintf(stderr, "arvis: the model gave an empty answer\n");
    }
    if (stats) {
        cli_print_stats(stderr, &reply.stats);
    }
    if (rc == ARVIS_E_CANCELLED) {
        cli_error("cancelled: the answer was stopped%s",
                  history ? "; what was received is kept in the history" : "");
        code = CLI_EXIT_FAILURE;
    } else {
        code = rc == ARVIS_OK ? CLI_EXIT_OK : cli_llm_failure(rc, &err);
    }
    cli_interrupt_stop();
    arvis_llm_reply_free(&reply);
    arvis_llm_destroy(llm);
    arvis_config_free(cfg);
    free(question);
    return code;
}
