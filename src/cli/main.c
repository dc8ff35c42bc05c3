/* The arvis command line: global options, then one command from the table below, each in its
 * own cmd_<name>.c. All behaviour lives in libarvis; this is only the frontend. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "arvis/log.h"
#include "arvis/version.h"
#include "cli.h"
#include "cli_assistant.h"
#include "cli_health.h"
#include "cli_llm.h"
#include "cli_metrics.h"
#include "cli_notify.h"
#include "cli_tts.h"

static const struct cli_command commands[] = {
    {"ask", "ask the language model one question; the answer streams", cmd_ask_usage, cmd_ask},
    {"chat", "talk with the language model on the terminal", cmd_chat_usage, cmd_chat},
    {"config", "show, check, change and migrate the configuration", cmd_config_usage, cmd_config},
    {"health", "check speech, model server, storage and sound at once", cmd_health_usage,
     cmd_health},
    {"history", "list, show, clear or export the conversation", cmd_history_usage, cmd_history},
    {"listen", "transcribe a recording: text, word timings, real-time factor", cmd_listen_usage,
     cmd_listen},
    {"llm", "the model server: its models, warm-up, a check", cmd_llm_usage, cmd_llm},
    {"metrics", "performance figures: stored samples and the system now", cmd_metrics_usage,
     cmd_metrics},
    {"notify", "the notification history: list, clear, or send one", cmd_notify_usage, cmd_notify},
    {"run", "the live loop: wake phrase, request, spoken answer, again", cmd_run_usage, cmd_run},
    {"say", "speak a text aloud, or into a WAV file", cmd_say_usage, cmd_say},
    {"tts", "the speech engines: list them, their voices, a check", cmd_tts_usage, cmd_tts},
    {"voice", "one spoken turn from a recording: transcript, answer, spoken reply", cmd_voice_usage,
     cmd_voice},
};

static void print_help(FILE *out)
{
    fprintf(out, "Usage: arvis [OPTIONS] COMMAND [ARGS...]\n"
                 "\n"
                 "Arvis, a local voice assistant: it hears, thinks and speaks on this computer.\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(out, "\n"
                 "Options:\n"
                 "  -c, --config FILE     read FILE instead of config.json in the config folder\n"
                 "  -s, --set KEY=VALUE   set one key for this run only (repeatable)\n"
                 "  -v, --verbose         print debug messages on the terminal\n"
                 "  -q, --quiet           print only errors on the terminal\n"
                 "  -h, --help            show this help\n"
                 "  -V, --version         show the version\n"
                 "\n"
                 "Run `arvis COMMAND --help` for a command's own options.\n"
                 "Exit codes: 0 success, 1 failure, 2 bad usage or input, 3 a needed service or\n"
                 "device is unavailable.\n");
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"set", required_argument, NULL, 's'},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct cli_ctx ctx = {.stderr_level = -1};
    arvis_log_options log = {.file_level = ARVIS_LOG_OFF, .stderr_level = ARVIS_LOG_WARNING};
    opterr = 0;
    int c;
    /* "+": options after the command name belong to the command. */
    while ((c = getopt_long(argc, argv, "+c:s:vqhV", options, NULL)) != -1) {
        switch (c) {
        case 'c':
            ctx.config_file = optarg;
            break;
        case 's':
            if (ctx.n_sets == CLI_SETS_MAX) {
                cli_error("at most %d --set options are allowed", CLI_SETS_MAX);
                return CLI_EXIT_USAGE;
            }
            ctx.sets[ctx.n_sets++] = optarg;
            break;
        case 'v':
            log.stderr_level = ARVIS_LOG_DEBUG;
            ctx.stderr_level = ARVIS_LOG_DEBUG;
            break;
        case 'q':
            log.stderr_level = ARVIS_LOG_ERROR;
            ctx.stderr_level = ARVIS_LOG_ERROR;
            break;
        case 'h':
            print_help(stdout);
            return CLI_EXIT_OK;
        case 'V':
            printf("arvis %s\n", arvis_version());
            return CLI_EXIT_OK;
        default:
            if (optopt && strchr("cs", optopt)) {
                cli_error("option -%c needs a value", optopt);
            } else {
                cli_error("unknown option %s", argv[optind - 1]);
            }
            fprintf(stderr, "Run `arvis --help` for the options.\n");
            return CLI_EXIT_USAGE;
        }
    }
    arvis_log_open(&log, NULL);
    if (optind >= argc) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[optind];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            /* `arvis CMD --help`; a subcommand's own help is the command's business. */
            if (argc - optind >= 2 &&
                (strcmp(argv[optind + 1], "--help") == 0 || strcmp(argv[optind + 1], "-h") == 0)) {
                fputs(commands[i].usage, stdout);
                return CLI_EXIT_OK;
            }
            int code = commands[i].run(&ctx, argc - optind, argv + optind);
            arvis_log_close();
            return code;
        }
    }
    cli_error("unknown command \"%s\"", name);
    fprintf(stderr, "Run `arvis --help` for the commands.\n");
    return CLI_EXIT_USAGE;
}
