/* `arvis chat`: a conversation on the terminal. The model is warmed up first (llm.warmup);
 * each answer streams as it is written; Ctrl-C stops an answer, and at the prompt ends the
 * chat. Commands: /reset, /stats, /model NAME, /history, /help, /quit. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_llm.h"
#include "cli_watch.h"

enum { LINE_MAX_BYTES = 64 * 1024 };

#define CHAT_COMMANDS                                                                              \
    "In the chat:\n"                                                                               \
    "  /reset        forget the conversation (clears the history)\n"                               \
    "  /stats        the measurements of the last answer\n"                                        \
    "  /model NAME   use another model from now on; /model alone lists the server's models\n"      \
    "  /history      how many messages the conversation holds\n"                                   \
    "  /help         this list       /quit   end the chat\n"

static const char chat_commands[] = CHAT_COMMANDS;

const char cmd_chat_usage[] =
    "Usage: arvis chat [--no-history] [--no-warmup]\n"
    "\n"
    "Talks with the language model on the terminal: type a question, the answer streams as it\n"
    "is written. The conversation is saved after every turn (see `arvis history`).\n"
    "Ctrl-C stops an answer; at the prompt, Ctrl-C or Ctrl-D ends the chat.\n"
    "\n" CHAT_COMMANDS "\n"
    "Options:\n"
    "  --no-history  keep the conversation in memory only\n"
    "  --no-warmup   do not load the model before the first question (llm.warmup)\n";

struct chat {
    arvis_config *cfg;
    arvis_llm *llm;
    struct cli_watch watch; /* failures notified, figures stored */
    arvis_llm_stats last;
    bool have_last;
    char line[LINE_MAX_BYTES];
    size_t line_len;
    char pending[LINE_MAX_BYTES];
    size_t pending_len;
    bool eof;
};

/* Takes one line out of what was read; false when none is complete. */
static bool take_line(struct chat *c)
{
    char *nl = memchr(c->pending, '\n', c->pending_len);
    if (!nl && !(c->eof && c->pending_len > 0) && c->pending_len < sizeof c->pending) {
        return false;
    }
    size_t len = nl ? (size_t)(nl - c->pending) : c->pending_len;
    size_t used = nl ? len + 1 : len;
    c->line_len = len < sizeof c->line - 1 ? len : sizeof c->line - 1;
    memcpy(c->line, c->pending, c->line_len);
    c->line[c->line_len] = '\0';
    memmove(c->pending, c->pending + used, c->pending_len - used);
    c->pending_len -= used;
    return true;
}

/* Reads the next line of input; false at the end of input or on Ctrl-C. */
static bool read_line(struct chat *c)
{
    for (;;) {
        if (take_line(c)) {
            return true;
        }
        if (c->eof) {
            return false;
        }
        struct pollfd p[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
                              {.fd = cli_interrupt_fd(), .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        if (p[1].revents) {
            return false;
        }
        ssize_t n =
            read(STDIN_FILENO, c->pending + c->pending_len, sizeof c->pending - c->pending_len);
        if (n <= 0) {
            c->eof = true;
        } else {
            c->pending_len += (size_t)n;
        }
    }
}

static void list_models(struct chat *c)
{
    char **names = NULL;
    size_t n = 0;
    arvis_error err;
    if (arvis_llm_models(c->llm, &names, &n, &err) != ARVIS_OK) {
        cli_error("%s", err.msg);
        return;
    }
    printf("using %s; the server has:\n", arvis_llm_model(c->llm));
    for (size_t i = 0; i < n; i++) {
        printf("  %s\n", names[i]);
    }
    arvis_llm_names_free(names, n);
}

/* A /command; false for /quit. */
static bool command(struct chat *c, const char *line)
{
    if (strcmp(line, "/quit") == 0 || strcmp(line, "/exit") == 0) {
        return false;
    }
    arvis_error err;
    if (strcmp(line, "/reset") == 0) {
        if (arvis_history_clear(arvis_llm_history(c->llm), &err) == ARVIS_OK) {
            printf("The conversation is forgotten.\n");
        } else {
            cli_error("%s", err.msg);
        }
    } else if (strcmp(line, "/stats") == 0) {
        if (c->have_last) {
            cli_print_stats(stdout, &c->last);
        } else {
            printf("No answer yet.\n");
        }
    } else if (strcmp(line, "/model") == 0) {
        list_models(c);
    } else if (strncmp(line, "/model ", 7) == 0 && line[7]) {
        arvis_llm_set_model(c->llm, line + 7);
        printf("Using %s from now on.\n", line + 7);
    } else if (strcmp(line, "/history") == 0) {
        const arvis_history *h = arvis_llm_history(c->llm);
        printf("%zu messages in the conversation.\n", arvis_history_count(h));
    } else {
        fputs(chat_commands, stdout);
    }
    return true;
}

static void turn(struct chat *c, const char *question)
{
    arvis_llm_callbacks cb = {.chunk_cb = cli_print_piece, .status_cb = cli_print_status};
    arvis_llm_reply reply;
    arvis_error err;
    cli_interrupt_busy(true);
    int rc = arvis_llm_ask(c->llm, question, &cb, &reply, &err);
    cli_interrupt_busy(false);
    cli_interrupted();
    if (reply.text[0]) {
        fputc('\n', stdout);
    }
    if (rc == ARVIS_E_CANCELLED) {
        printf("[stopped]\n");
    } else if (rc != ARVIS_OK) {
        cli_error("%s", err.msg);
        if (c->watch.notify) {
            arvis_notify_send(c->watch.notify, ARVIS_NOTIFY_ERROR, "llm", err.msg);
        }
    } else if (!reply.text[0]) {
        printf("[the model gave an empty answer]\n");
    }
    fflush(stdout);
    c->last = reply.stats;
    c->have_last = true;
    arvis_error merr;
    if (arvis_record_llm_answer(c->watch.metrics, &reply.stats,
                                rc != ARVIS_OK && rc != ARVIS_E_CANCELLED, rc == ARVIS_E_CANCELLED,
                                &merr) != ARVIS_OK) {
        cli_warning("%s", merr.msg);
    }
    arvis_llm_reply_free(&reply);
}

int cmd_chat(struct cli_ctx *ctx, int argc, char **argv)
{
    bool history = true;
    bool warmup = true;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-history") == 0) {
            history = false;
        } else if (strcmp(argv[i], "--no-warmup") == 0) {
            warmup = false;
        } else {
            return cli_usage_error("chat", "unknown argument %s", argv[i]);
        }
    }
    struct chat *c = calloc(1, sizeof *c);
    if (!c) {
        cli_error("out of memory");
        return CLI_EXIT_FAILURE;
    }
    int code = cli_llm_open(ctx, history, &c->cfg, &c->llm);
    /* Signals are blocked before the threads below start, so that only Ctrl-C's thread takes
     * them. */
    if (code == CLI_EXIT_OK && cli_interrupt_start(c->llm) != 0) {
        cli_error("cannot set up Ctrl-C handling");
        code = CLI_EXIT_FAILURE;
    }
    if (code == CLI_EXIT_OK) {
        cli_watch_open(c->cfg, false, false, &c->watch);
        if (arvis_config_bool(c->cfg, "health.enabled")) {
            cli_watch_monitor(c->cfg, &c->watch);
        }
    }
    if (code == CLI_EXIT_OK && warmup && arvis_config_bool(c->cfg, "llm.warmup")) {
        arvis_llm_callbacks cb = {.status_cb = cli_print_status};
        arvis_llm_stats s;
        arvis_error err;
        cli_interrupt_busy(true);
        int rc = arvis_llm_warmup(c->llm, &cb, &s, &err);
        cli_interrupt_busy(false);
        if (rc != ARVIS_OK) {
            code = cli_failure(rc, &err);
        }
    }
    bool tty = isatty(STDIN_FILENO);
    if (code == CLI_EXIT_OK && tty) {
        printf("Chatting with %s. /help lists the commands; Ctrl-D ends.\n",
               arvis_llm_model(c->llm));
    }
    while (code == CLI_EXIT_OK) {
        if (tty) {
            printf("> ");
            fflush(stdout);
        }
        if (!read_line(c)) {
            break;
        }
        char *q = c->line;
        while (*q == ' ' || *q == '\t') {
            q++;
        }
        size_t len = strlen(q);
        while (len > 0 && (q[len - 1] == ' ' || q[len - 1] == '\r' || q[len - 1] == '\t')) {
            q[--len] = '\0';
        }
        if (len == 0) {
            continue;
        }
        if (q[0] == '/') {
            if (!command(c, q)) {
                break;
            }
            continue;
        }
        turn(c, q);
    }
    if (tty) {
        fputc('\n', stdout);
    }
    cli_interrupt_stop();
    cli_watch_close(&c->watch);
    arvis_llm_destroy(c->llm);
    arvis_config_free(c->cfg);
    free(c);
    return code;
}
