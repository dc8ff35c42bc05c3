/* Shared by the commands that run whole turns (voice, run) and transcribe (listen): opening a
 * sound source, starting the assistant with its sinks, and printing its events. */
#ifndef ARVIS_CLI_ASSISTANT_H
#define ARVIS_CLI_ASSISTANT_H

#include <stdbool.h>
#include <stdio.h>

#include "arvis/arvis.h"
#include "cli.h"
#include "cli_watch.h"

struct cli_turn_options {
    const char *in;     /* --in FILE (or - for raw PCM on stdin), NULL for audio.source */
    int in_rate;        /* --rate for raw PCM on stdin */
    const char *out;    /* --out FILE.wav or -, NULL to play */
    const char *engine; /* --engine for speech output */
    const char *voice;  /* --voice */
    bool json, stats, quiet, history;
    bool monitor; /* health checks every health.interval, changes notified (run) */
};

/* What the event printer keeps between events. */
struct cli_turn_printer {
    const struct cli_turn_options *o;
    FILE *text;           /* where answers go: stdout, or stderr when speech goes to stdout */
    bool answering;       /* a line of answer is open */
    size_t turns, failed; /* turns ended, and of them failed */
    arvis_turn_stats last;
    struct cli_watch watch; /* notifications shown, figures stored */
};

/* Opens the source a command hears from: --in FILE or "-" (raw PCM on stdin), else audio.source
 * (PulseAudio capture). Prints what goes wrong and returns an exit code. */
int cli_open_source(const arvis_config *cfg, const struct cli_turn_options *o, arvis_source **src);

/* Starts the assistant that hears and speaks as the options say, printing its events and
 * notifications through p and storing its figures. Prints what goes wrong and returns an exit
 * code. */
int cli_assistant_open(const arvis_config *cfg, const struct cli_turn_options *o,
                       struct cli_turn_printer *p, arvis_assistant **a);

/* Stops the assistant, then what it reported to (NULL is allowed for a). */
void cli_assistant_close(struct cli_turn_printer *p, arvis_assistant *a);

/* The figures of one turn, in a few human lines. */
void cli_print_turn_stats(FILE *out, const arvis_turn_stats *st);

/* Parses the options these commands share; returns how many arguments it took (1 or 2), 0 when
 * argv[i] is not one of them, -1 after a usage error (*code set). */
int cli_turn_option(const char *command, int argc, char **argv, int i, struct cli_turn_options *o,
                    int *code);

int cmd_listen(struct cli_ctx *ctx, int argc, char **argv);
int cmd_voice(struct cli_ctx *ctx, int argc, char **argv);
int cmd_run(struct cli_ctx *ctx, int argc, char **argv);
extern const char cmd_listen_usage[];
extern const char cmd_voice_usage[];
extern const char cmd_run_usage[];

#endif
