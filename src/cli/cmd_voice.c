/* `arvis voice --in FILE` and `arvis run`: whole spoken turns. voice takes one request from a
 * recording; run keeps listening (for the wake phrase) on the microphone or a recording. */
#include <string.h>

#include "cli_assistant.h"
#include "cli_llm.h"

const char cmd_voice_usage[] =
    "Usage: arvis voice --in FILE [--out REPLY.wav] [--stats] [--json] [--no-history]\n"
    "                   [--engine NAME] [--voice NAME]\n"
    "\n"
    "One whole spoken turn from a recording: the first utterance in FILE (WAV, FLAC, OGG; `-`\n"
    "for raw 16-bit mono PCM on stdin at --rate) is transcribed, answered by an offline skill\n"
    "or the language model, and the answer is spoken as it is written: played, or written to\n"
    "REPLY.wav (`-`: raw PCM on stdout). Prints the transcript and the answer.\n"
    "\n"
    "Options:\n"
    "  --stats        the timings of the turn from the end of speech (stderr)\n"
    "  --json         one JSON object per event (state, transcript, token, sentence, ...)\n"
    "  --no-history   neither send nor save the conversation\n"
    "  --engine, --voice   the speech engine and voice (see `arvis tts voices`)\n"
    "\n"
    "Exit codes: 0 answered, 1 no speech heard, cancelled or failed, 2 bad input, 3 the\n"
    "language model was needed and could not answer (Arvis says why), or no sound output.\n";

const char cmd_run_usage[] =
    "Usage: arvis run [--in FILE | -] [--no-wake] [--out FILE.wav] [--stats] [--json]\n"
    "                 [--no-history] [--engine NAME] [--voice NAME]\n"
    "\n"
    "The live loop: listens on the microphone (audio.source: PulseAudio capture) for the wake\n"
    "phrase (wake.phrase, \"hey arvis\"), then for a request up to a pause, answers it aloud,\n"
    "and listens again, until Ctrl-C. While Arvis speaks the microphone is muted, or only a\n"
    "loud wake phrase interrupts (wake.during_playback). Timers are said when they are due.\n"
    "With --in it hears a recording instead, and each turn is finished before reading on.\n"
    "\n"
    "Options:\n"
    "  --no-wake      every utterance is a request; no wake phrase needed\n"
    "  --out FILE     write what Arvis says to a WAV file instead of playing it\n"
    "  --stats, --json, --no-history, --engine, --voice   as for `arvis voice`\n"
    "\n"
    "Exit codes: 0 stopped or the recording ended, 1 failed, 2 bad input, 3 no microphone or\n"
    "no sound output (use --in FILE and --out FILE.wav).\n";

struct turn_command {
    const char *name;
    bool run;
    bool wake;
    struct cli_turn_options o;
};

static int parse(int argc, char **argv, struct turn_command *c, int *code)
{
    for (int i = 1; i < argc; i++) {
        if (c->run && strcmp(argv[i], "--no-wake") == 0) {
            c->wake = false;
            continue;
        }
        int took = cli_turn_option(c->name, argc, argv, i, &c->o, code);
        if (took < 0) {
            return -1;
        }
        if (took == 0) {
            *code = cli_usage_error(c->name, "unknown argument %s", argv[i]);
            return -1;
        }
        i += took - 1;
    }
    if (!c->run && !c->o.in) {
        *code = cli_usage_error(c->name, "give the recording with --in FILE");
        return -1;
    }
    if (c->o.json && c->o.out && strcmp(c->o.out, "-") == 0) {
        *code = cli_usage_error(c->name, "--json and --out - would both write to standard output");
        return -1;
    }
    return 0;
}

/* The exit code of a command whose turns ran: the last turn decides. */
static int outcome(const struct turn_command *c, const struct cli_turn_printer *p, int rc,
                   const arvis_error *err)
{
    if (rc == ARVIS_E_CANCELLED) {
        return c->run ? CLI_EXIT_OK : CLI_EXIT_FAILURE; /* Ctrl-C is how run ends */
    }
    if (rc != ARVIS_OK) {
        return cli_failure(rc, err);
    }
    if (!p->turns && !c->run) {
        cli_error("no speech heard in %s", c->o.in);
        return CLI_EXIT_FAILURE;
    }
    if (c->run) {
        return CLI_EXIT_OK; /* the live loop ended: each turn has said how it went */
    }
    if (p->turns && p->last.cancelled) {
        return CLI_EXIT_FAILURE;
    }
    if (p->turns && strcmp(p->last.answered_by, "error") == 0) {
        return CLI_EXIT_UNAVAILABLE;
    }
    return CLI_EXIT_OK;
}

static int run_turns(struct cli_ctx *ctx, struct turn_command *c)
{
    arvis_config *cfg = NULL;
    int code = cli_load_config(ctx, &cfg);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    cli_apply_logging(ctx, cfg, c->run);
    c->wake = c->wake && arvis_config_bool(cfg, "wake.enabled");
    /* Signals are blocked before the assistant's threads start, so that they inherit it. */
    cli_interrupt_start(NULL);
    arvis_source *src = NULL;
    arvis_assistant *a = NULL;
    struct cli_turn_printer p = {0};
    c->o.monitor = c->run && arvis_config_bool(cfg, "health.enabled");
    code = cli_open_source(cfg, &c->o, &src);
    if (code == CLI_EXIT_OK) {
        code = cli_assistant_open(cfg, &c->o, &p, &a);
    }
    if (code == CLI_EXIT_OK) {
        cli_interrupt_assistant(a);
        const char *greeting = arvis_config_string(cfg, "assistant.greeting");
        if (c->run && *greeting) {
            arvis_assistant_announce(a, greeting, NULL);
        }
        if (c->run && !c->o.json) {
            fprintf(stderr, "arvis: listening%s%s%s (Ctrl-C to stop)\n", c->wake ? " for \"" : "",
                    c->wake ? arvis_config_string(cfg, "wake.phrase") : "", c->wake ? "\"" : "");
        }
        arvis_live_options lo = {.wake = c->wake, .live = !c->o.in, .max_requests = !c->run};
        arvis_error err;
        int rc = arvis_assistant_live(a, src, &lo, &err);
        code = outcome(c, &p, rc, &err);
        size_t timers = arvis_assistant_active_timers(a);
        if (timers) {
            cli_warning("%zu timer%s still running end%s with this command: timers ring only "
                        "while `arvis run` listens",
                        timers, timers == 1 ? "" : "s", timers == 1 ? "s" : "");
        }
        cli_interrupt_assistant(NULL);
    }
    cli_interrupt_stop();
    cli_assistant_close(&p, a);
    arvis_source_close(src);
    arvis_config_free(cfg);
    return code;
}

int cmd_voice(struct cli_ctx *ctx, int argc, char **argv)
{
    struct turn_command c = {.name = "voice", .o = {.history = true}};
    int code = CLI_EXIT_OK;
    return parse(argc, argv, &c, &code) < 0 ? code : run_turns(ctx, &c);
}

int cmd_run(struct cli_ctx *ctx, int argc, char **argv)
{
    struct turn_command c = {.name = "run", .run = true, .wake = true, .o = {.history = true}};
    int code = CLI_EXIT_OK;
    return parse(argc, argv, &c, &code) < 0 ? code : run_turns(ctx, &c);
}
