/* `arvis llm models | warmup | check` and `arvis history list | show | clear | export`. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_llm.h"

enum { PREVIEW_CHARS = 70 };

const char cmd_llm_usage[] =
    "Usage: arvis llm models | warmup | check\n"
    "\n"
    "  models   list the models the server at llm.base_url has (the one in use is marked *)\n"
    "  warmup   load llm.model on the server now (kept for llm.keep_alive), so the first\n"
    "           question is not slow; prints how long it took\n"
    "  check    say whether the server answers, its version, and whether it has llm.model\n"
    "\n"
    "Exit codes: 0 fine, 2 the model is not on the server, 3 the server cannot be reached.\n";

const char cmd_history_usage[] =
    "Usage: arvis history list | show [N] | clear | export [--text] [FILE]\n"
    "\n"
    "The conversation with the model, kept in history.json in the data folder (the last\n"
    "llm.history.max_messages messages; saved after every turn).\n"
    "\n"
    "  list     one line per message: number, time, who, the start of the text\n"
    "  show     the whole conversation, or message N in full\n"
    "  clear    forget the conversation (the previous file stays as history.json.bak)\n"
    "  export   the conversation as JSON (or plain text with --text) on stdout, or\n"
    "           written to FILE\n";

static int llm_models(arvis_llm *llm)
{
    char **names = NULL;
    size_t n = 0;
    arvis_error err;
    int rc = arvis_llm_models(llm, &names, &n, &err);
    if (rc != ARVIS_OK) {
        return cli_failure(rc, &err);
    }
    for (size_t i = 0; i < n; i++) {
        printf("%s %s\n", strcmp(names[i], arvis_llm_model(llm)) == 0 ? "*" : " ", names[i]);
    }
    if (n == 0) {
        fprintf(stderr, "arvis: the server has no models\n");
    }
    arvis_llm_names_free(names, n);
    return CLI_EXIT_OK;
}

static int llm_check(arvis_llm *llm)
{
    char *version = NULL;
    bool has_model = false;
    arvis_error err;
    int rc = arvis_llm_check(llm, &version, &has_model, &err);
    if (rc != ARVIS_OK) {
        return cli_failure(rc, &err);
    }
    printf("server: %s (%s)\n", arvis_llm_base_url(llm), version);
    free(version);
    if (!has_model) {
        cli_error("the server has no model \"%s\": run `arvis llm models` for the ones it has, "
                  "or set llm.model",
                  arvis_llm_model(llm));
        return CLI_EXIT_USAGE;
    }
    printf("model: %s is there\n", arvis_llm_model(llm));
    return CLI_EXIT_OK;
}

static int llm_warmup(arvis_llm *llm)
{
    arvis_llm_callbacks cb = {.status_cb = cli_print_status};
    arvis_llm_stats s;
    arvis_error err;
    cli_interrupt_start(llm);
    cli_interrupt_busy(true);
    int rc = arvis_llm_warmup(llm, &cb, &s, &err);
    cli_interrupt_stop();
    if (rc != ARVIS_OK) {
        return cli_failure(rc, &err);
    }
    printf("%s loaded in %.0f ms", arvis_llm_model(llm), s.total_ms);
    if (s.load_ms >= 0) {
        printf(" (the server spent %.0f ms loading it)", s.load_ms);
    }
    printf("\n");
    return CLI_EXIT_OK;
}

int cmd_llm(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc != 2) {
        return argc < 2 ? cli_usage_error("llm", "say what to do: models, warmup or check")
                        : cli_usage_error("llm", "too many arguments");
    }
    int (*run)(arvis_llm *) = strcmp(argv[1], "models") == 0   ? llm_models
                              : strcmp(argv[1], "warmup") == 0 ? llm_warmup
                              : strcmp(argv[1], "check") == 0  ? llm_check
                                                               : NULL;
    if (!run) {
        return cli_usage_error("llm", "unknown subcommand \"%s\"", argv[1]);
    }
    arvis_config *cfg = NULL;
    arvis_llm *llm = NULL;
    int code = cli_llm_open(ctx, false, &cfg, &llm);
    if (code == CLI_EXIT_OK) {
        code = run(llm);
    }
    arvis_llm_destroy(llm);
    arvis_config_free(cfg);
    return code;
}

static void message_head(const arvis_llm_message *m, size_t number, FILE *out)
{
    char when[32];
    arvis_clock_iso8601(m->time, when, sizeof when);
    fprintf(out, "%zu  %s  %s%s", number, when, m->role, m->cut ? " (cut)" : "");
}

static int history_list(arvis_history *h, int argc, char **argv)
{
    (void)argv;
    if (argc != 0) {
        return cli_usage_error("history", "list takes no arguments");
    }
    for (size_t i = 0; i < arvis_history_count(h); i++) {
        const arvis_llm_message *m = arvis_history_at(h, i);
        message_head(m, i + 1, stdout);
        /* The first PREVIEW_CHARS characters of the first line. */
        size_t len = strcspn(m->content, "\n");
        size_t cut = 0;
        for (int chars = 0; cut < len && chars < PREVIEW_CHARS; chars++) {
            uint32_t cp;
            size_t step = arvis_utf8_decode(m->content + cut, len - cut, &cp);
            cut += step ? step : 1;
        }
        printf(": %.*s%s\n", (int)cut, m->content, m->content[cut] ? "..." : "");
    }
    if (arvis_history_count(h) == 0) {
        printf("The conversation is empty.\n");
    }
    return CLI_EXIT_OK;
}

static void print_text(const arvis_history *h, FILE *out)
{
    for (size_t i = 0; i < arvis_history_count(h); i++) {
        const arvis_llm_message *m = arvis_history_at(h, i);
        message_head(m, i + 1, out);
        fprintf(out, "\n%s\n\n", m->content);
    }
}

static int history_show(arvis_history *h, int argc, char **argv)
{
    if (argc > 1) {
        return cli_usage_error("history", "show takes at most one message number");
    }
    if (argc == 0) {
        print_text(h, stdout);
        return CLI_EXIT_OK;
    }
    char *end = NULL;
    unsigned long n = strtoul(argv[0], &end, 10);
    if (!end || *end || n == 0 || n > arvis_history_count(h)) {
        cli_error("there is no message \"%s\": the conversation has messages 1 to %zu", argv[0],
                  arvis_history_count(h));
        return CLI_EXIT_USAGE;
    }
    const arvis_llm_message *m = arvis_history_at(h, n - 1);
    message_head(m, n, stdout);
    printf("\n%s\n", m->content);
    return CLI_EXIT_OK;
}

static int history_clear(arvis_history *h, int argc, char **argv)
{
    (void)argv;
    if (argc != 0) {
        return cli_usage_error("history", "clear takes no arguments");
    }
    size_t n = arvis_history_count(h);
    arvis_error err;
    int rc = arvis_history_clear(h, &err);
    if (rc != ARVIS_OK) {
        return cli_failure(rc, &err);
    }
    printf("Forgot %zu messages (the previous file is kept as %s.bak).\n", n,
           arvis_history_path(h));
    return CLI_EXIT_OK;
}

static int history_export(arvis_history *h, int argc, char **argv)
{
    bool text = argc > 0 && strcmp(argv[0], "--text") == 0;
    if (text) {
        argc--;
        argv++;
    }
    if (argc > 1) {
        return cli_usage_error("history", "export takes [--text] and at most one FILE");
    }
    char *data = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&data, &len);
    char *json = text || !mem ? NULL : arvis_history_to_json(h);
    if (mem && text) {
        print_text(h, mem);
    } else if (mem && json) {
        fprintf(mem, "%s\n", json);
    }
    bool ok = mem && fclose(mem) == 0 && (text || json);
    free(json);
    if (!ok) {
        free(data);
        cli_error("out of memory");
        return CLI_EXIT_FAILURE;
    }
    int code = CLI_EXIT_OK;
    if (argc == 0 || strcmp(argv[0], "-") == 0) {
        fwrite(data, 1, len, stdout);
    } else {
        arvis_error err;
        int rc = arvis_file_write_atomic(argv[0], data, len, &err);
        code = rc == ARVIS_OK ? CLI_EXIT_OK : cli_failure(rc, &err);
        if (rc == ARVIS_OK) {
            printf("Wrote %zu messages to %s.\n", arvis_history_count(h), argv[0]);
        }
    }
    free(data);
    return code;
}

int cmd_history(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) {
        return cli_usage_error("history", "say what to do: list, show, clear or export");
    }
    int (*run)(arvis_history *, int, char **) = strcmp(argv[1], "list") == 0     ? history_list
                                                : strcmp(argv[1], "show") == 0   ? history_show
                                                : strcmp(argv[1], "clear") == 0  ? history_clear
                                                : strcmp(argv[1], "export") == 0 ? history_export
                                                                                 : NULL;
    if (!run) {
        return cli_usage_error("history", "unknown subcommand \"%s\"", argv[1]);
    }
    arvis_config *cfg = NULL;
    int code = cli_load_config(ctx, &cfg);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    arvis_history *h = NULL;
    arvis_error err;
    int rc = arvis_history_load(NULL, (size_t)arvis_config_int(cfg, "llm.history.max_messages"), &h,
                                &err);
    if (rc != ARVIS_OK) {
        code = cli_failure(rc, &err);
    } else {
        if (err.msg[0]) {
            cli_warning("%s", err.msg);
        }
        code = run(h, argc - 2, argv + 2);
    }
    arvis_history_free(h);
    arvis_config_free(cfg);
    return code;
}
