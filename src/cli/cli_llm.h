/* Shared by the commands that talk to the model (ask, chat, llm, history): opening the client,
 * printing its measurements, and Ctrl-C taken by a thread rather than a handler. */
#ifndef ARVIS_CLI_LLM_H
#define ARVIS_CLI_LLM_H

#include <stdbool.h>
#include <stdio.h>

#include "arvis/arvis.h"
#include "cli.h"

/* Loads the configuration, applies logging and creates the client (with the saved history
 * when use_history is true). Returns an exit code; on CLI_EXIT_OK both are set. */
int cli_llm_open(struct cli_ctx *ctx, bool use_history, arvis_config **cfg, arvis_llm **llm);

/* Callbacks printing a piece of the answer on stdout and a status line on stderr. */
void cli_print_piece(const char *text, size_t len, void *ud);
void cli_print_piece_stderr(const char *text, size_t len, void *ud);
void cli_print_status(const char *text, void *ud);

/* The measurements in a few human lines. */
void cli_print_stats(FILE *out, const arvis_llm_stats *s);

/* Blocks SIGINT and SIGTERM in every thread and starts the thread that takes them: during a
 * request (cli_interrupt_busy(true)) a signal cancels it; otherwise it makes cli_interrupt_fd
 * readable. llm may be NULL (a command that only speaks). Returns 0 or an errno value. */
int cli_interrupt_start(arvis_llm *llm);
void cli_interrupt_busy(bool busy);
/* Speech to stop too on a signal during a request (NULL: none). */
void cli_interrupt_speech(arvis_speech *sp);
/* A signal stops the assistant's live loop and cancels its turns (NULL: none any more). */
void cli_interrupt_assistant(arvis_assistant *a);
bool cli_interrupted(void); /* a signal came since the last call */
int cli_interrupt_fd(void);
void cli_interrupt_stop(void);

int cmd_ask(struct cli_ctx *ctx, int argc, char **argv);
int cmd_chat(struct cli_ctx *ctx, int argc, char **argv);
int cmd_llm(struct cli_ctx *ctx, int argc, char **argv);
int cmd_history(struct cli_ctx *ctx, int argc, char **argv);
extern const char cmd_ask_usage[];
extern const char cmd_chat_usage[];
extern const char cmd_llm_usage[];
extern const char cmd_history_usage[];

#endif
