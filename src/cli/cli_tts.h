/* Shared by the commands that speak (say, ask --speak): where the sound goes, the speech engine
 * with its fallbacks shown as warnings, the speech queue, and its figures. */
#ifndef ARVIS_CLI_TTS_H
#define ARVIS_CLI_TTS_H

#include <stdbool.h>
#include <stdio.h>

#include "arvis/arvis.h"
#include "cli.h"

struct cli_voice_options {
    const char *engine; /* --engine, or NULL for tts.engine and its fallbacks */
    const char *voice;  /* --voice, or NULL */
    const char *out;    /* --out FILE.wav, "-" for raw PCM on stdout, or NULL to play */
};

struct cli_voice {
    arvis_tts *tts;
    arvis_speech *speech;
};

/* The sinks to try, in order (NULL-terminated, at most 3), for --out or audio.sink and
 * audio.volume; fills so's path and volume. Prints what goes wrong and returns an exit code
 * (CLI_EXIT_UNAVAILABLE when nothing can play and no --out was given). */
int cli_choose_sinks(const arvis_config *cfg, const char *out, const char **sinks,
                     arvis_sink_options *so);

/* Starts the engine and the speech queue into the sink the options and audio.* choose. Prints
 * what goes wrong and returns an exit code (CLI_EXIT_UNAVAILABLE when nothing can play and no
 * --out was given). */
int cli_voice_open(const arvis_config *cfg, const struct cli_voice_options *o, struct cli_voice *v);

/* Closes the speech queue and the engine; with keep false a file being written is dropped.
 * Returns an exit code (a file that could not be completed is a failure). */
int cli_voice_close(struct cli_voice *v, bool keep);

/* The figures of what was spoken, in a few human lines. */
void cli_print_speech_stats(FILE *out, const arvis_speech_stats *st, const arvis_tts *tts);

int cmd_say(struct cli_ctx *ctx, int argc, char **argv);
int cmd_tts(struct cli_ctx *ctx, int argc, char **argv);
extern const char cmd_say_usage[];
extern const char cmd_tts_usage[];

#endif
