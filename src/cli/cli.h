/* Shared by the arvis command line's files: the run context (global options), the command
 * table entry, exit codes, and printing problems the way every command does. */
#ifndef ARVIS_CLI_H
#define ARVIS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "arvis/arvis.h"

/* Exit codes (ARCHITECTURE.md): success, runtime failure, bad usage or input, a needed service
 * or device unavailable. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_UNAVAILABLE = 3,
};

enum { CLI_SETS_MAX = 64 };

/* What the global options asked for. */
struct cli_ctx {
    const char *config_file;        /* --config FILE, or NULL */
    int stderr_level;               /* from -v or -q, or -1 to follow logging.console_level */
    const char *sets[CLI_SETS_MAX]; /* --set KEY=VALUE */
    size_t n_sets;
};

struct cli_command {
    const char *name;
    const char *summary; /* one line for `arvis --help` */
    const char *usage;   /* the whole text of `arvis NAME --help` */
    int (*run)(struct cli_ctx *ctx, int argc, char **argv);
};

/* Maps a status code to the exit code the command line uses for it. */
int cli_exit_code(int status);

/* Prints "arvis: error: MESSAGE" on stderr. */
void cli_error(const char *fmt, ...) ARVIS_PRINTF(1, 2);

/* Prints "arvis: warning: MESSAGE" on stderr. */
void cli_warning(const char *fmt, ...) ARVIS_PRINTF(1, 2);

/* Prints a failed status as the one sentence the library gave in err and returns its exit
 * code. */
int cli_failure(int status, const arvis_error *err);

/* Prints a command's usage error and a pointer to its help; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...) ARVIS_PRINTF(2, 3);

/* True when argv (after the command name) asks for help. */
bool cli_wants_help(int argc, char **argv);

/* Prints a failed status: the report's errors under err's sentence, or err alone. Prints the
 * report's warnings too. Returns the exit code for status. */
int cli_report_failure(int status, const arvis_error *err, const arvis_config_report *report);

/* Prints the warnings of a report (after success). */
void cli_report_warnings(const arvis_config_report *report);

/* Loads the effective configuration with the global options; prints problems. Returns an exit
 * code: CLI_EXIT_OK with *cfg set, or the failure's exit code. */
int cli_load_config(const struct cli_ctx *ctx, arvis_config **cfg);

/* Applies the logging.* keys: the terminal level (unless -v or -q chose one) and, when with_file
 * is true, the rotating log file in the state folder. A log file that cannot be opened is a
 * warning, not a failure. */
void cli_apply_logging(const struct cli_ctx *ctx, const arvis_config *cfg, bool with_file);

int cmd_config(struct cli_ctx *ctx, int argc, char **argv);
extern const char cmd_config_usage[];

/* Subcommands of `arvis config` that change the file (cmd_config_edit.c). */
int cmd_config_set(struct cli_ctx *ctx, int argc, char **argv);
int cmd_config_unset(struct cli_ctx *ctx, int argc, char **argv);
int cmd_config_migrate(struct cli_ctx *ctx, int argc, char **argv);

#endif
