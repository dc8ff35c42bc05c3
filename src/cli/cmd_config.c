/* `arvis config`: where the file is, what the effective configuration is, reading one key,
 * validating, and printing the schema and its reference. Changes are in cmd_config_edit.c. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "cli.h"

const char cmd_config_usage[] =
    "Usage: arvis config SUBCOMMAND [ARGS...]\n"
    "\n"
    "Show, check, change and migrate the configuration.\n"
    "\n"
    "  path                      print the config file's path\n"
    "  show [--json]             print every key's effective value and where it came from\n"
    "                            (secrets hidden)\n"
    "  get KEY                   print one key's effective value\n"
    "  set KEY VALUE             write KEY=VALUE to the config file, if it is valid\n"
    "  unset KEY                 remove KEY from the config file (its default applies)\n"
    "  validate [FILE]           check the configuration, or FILE alone\n"
    "  migrate [--dry-run] [FILE]  bring the config file (or FILE) to the current layout,\n"
    "                            keeping the old one as .bak\n"
    "  schema                    print the JSON Schema that defines every key\n"
    "  reference                 print the configuration reference (Markdown)\n"
    "\n"
    "Values are read by the key's type: 0.5, true, [\"espeak-ng\", \"null\"], or plain text.\n"
    "Exit codes: 0 success, 1 failure, 2 bad usage or an invalid configuration.\n";

static int config_path(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        return cli_usage_error("config path", "config path takes no arguments");
    }
    if (ctx->config_file) {
        printf("%s\n", ctx->config_file);
        return CLI_EXIT_OK;
    }
    char *path = NULL;
    arvis_error err;
    int rc = arvis_config_default_path(&path, &err);
    if (rc != ARVIS_OK) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    printf("%s\n", path);
    free(path);
    return CLI_EXIT_OK;
}

static int show_leaf(const arvis_config_leaf *leaf, void *ud)
{
    (void)ud;
    if (!leaf->value) {
        return 0;
    }
    char *text = arvis_json_print(leaf->value, 0);
    if (!text) {
        return 1;
    }
    switch (leaf->origin) {
    case ARVIS_CONFIG_FROM_FILE:
        printf("%s = %s  # config file\n", leaf->key, text);
        break;
    case ARVIS_CONFIG_FROM_ENV:
        printf("%s = %s  # %s\n", leaf->key, text, leaf->env);
        break;
    case ARVIS_CONFIG_FROM_SET:
        printf("%s = %s  # --set\n", leaf->key, text);
        break;
    default:
        printf("%s = %s\n", leaf->key, text);
        break;
    }
    free(text);
    return 0;
}

static int config_show(struct cli_ctx *ctx, int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            return cli_usage_error("config show", "unexpected argument \"%s\"", argv[i]);
        }
    }
    arvis_config *cfg = NULL;
    int code = cli_load_config(ctx, &cfg);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    if (json) {
        char *text = arvis_config_to_text(cfg, 2);
        if (text) {
            printf("%s\n", text);
        }
        code = text ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
        free(text);
    } else {
        printf("# %s%s\n", arvis_config_path(cfg),
               arvis_config_file_exists(cfg) ? "" : " (no file: defaults apply)");
        code = arvis_config_each(cfg, show_leaf, NULL) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    }
    arvis_config_free(cfg);
    return code;
}

static int config_get(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc != 2) {
        return cli_usage_error("config get", "config get takes one KEY, such as llm.model");
    }
    arvis_error err;
    int rc = arvis_config_check_key(argv[1], &err);
    if (rc != ARVIS_OK) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    arvis_config *cfg = NULL;
    int code = cli_load_config(ctx, &cfg);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    const cJSON *v = arvis_config_get(cfg, argv[1]);
    if (!v) {
        cli_error("%s has no value", argv[1]);
        code = CLI_EXIT_USAGE;
    } else if (cJSON_IsString(v)) {
        printf("%s\n", v->valuestring);
    } else {
        char *text = arvis_json_print(v, 0);
        code = text ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
        if (text) {
            printf("%s\n", text);
        }
        free(text);
    }
    arvis_config_free(cfg);
    return code;
}

static int config_validate(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc > 2) {
        return cli_usage_error("config validate", "config validate takes at most one FILE");
    }
    arvis_config *cfg = NULL;
    int code;
    if (argc == 2) {
        /* FILE alone: no environment, no --set, so the result is about the file. */
        arvis_config_options opts = {.file = argv[1], .require_file = true, .ignore_env = true};
        arvis_config_report report;
        arvis_config_report_init(&report);
        arvis_error err;
        arvis_error_clear(&err);
        int rc = arvis_config_load(&opts, &cfg, &report, &err);
        if (rc == ARVIS_OK) {
            cli_report_warnings(&report);
            code = CLI_EXIT_OK;
        } else {
            code = cli_report_failure(rc, &err, &report);
        }
        arvis_config_report_free(&report);
    } else {
        code = cli_load_config(ctx, &cfg);
    }
    if (code == CLI_EXIT_OK) {
        printf("%s: valid%s\n", arvis_config_path(cfg),
               arvis_config_file_exists(cfg) ? "" : " (no file: the defaults apply)");
    }
    arvis_config_free(cfg);
    return code;
}

static int config_schema(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argv;
    if (argc > 1) {
        return cli_usage_error("config schema", "config schema takes no arguments");
    }
    size_t len;
    const char *text = arvis_config_schema_text(&len);
    fwrite(text, 1, len, stdout);
    return CLI_EXIT_OK;
}

static int config_reference(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argv;
    if (argc > 1) {
        return cli_usage_error("config reference", "config reference takes no arguments");
    }
    char *text = arvis_config_reference();
    if (!text) {
        cli_error("out of memory");
        return CLI_EXIT_FAILURE;
    }
    fputs(text, stdout);
    free(text);
    return CLI_EXIT_OK;
}

static const struct cli_command subcommands[] = {
    {"path", NULL, "Usage: arvis config path\n\nPrints the config file's path.\n", config_path},
    {"show", NULL,
     "Usage: arvis config show [--json]\n\nPrints every key's effective value and, when it is "
     "not the default,\nwhere it came from. Secrets are hidden. --json prints one JSON object.\n",
     config_show},
    {"get", NULL, "Usage: arvis config get KEY\n\nPrints KEY's effective value.\n", config_get},
    {"set", NULL,
     "Usage: arvis config set KEY VALUE\n\nWrites KEY=VALUE to the config file when the result "
     "is valid; otherwise\nsays why and leaves the file as it was. The old file is kept as .bak.\n",
     cmd_config_set},
    {"unset", NULL,
     "Usage: arvis config unset KEY\n\nRemoves KEY from the config file, so its default "
     "applies.\n",
     cmd_config_unset},
    {"validate", NULL,
     "Usage: arvis config validate [FILE]\n\nChecks the effective configuration (file, "
     "environment, --set), or FILE alone,\nand lists every problem found.\n",
     config_validate},
    {"migrate", NULL,
     "Usage: arvis config migrate [--dry-run] [FILE]\n\nBrings the config file (or FILE) to the "
     "current config_version, keeping the\nold file as .bak. --dry-run prints the changes and "
     "the result, writing nothing.\n",
     cmd_config_migrate},
    {"schema", NULL, "Usage: arvis config schema\n\nPrints the JSON Schema of the configuration.\n",
     config_schema},
    {"reference", NULL,
     "Usage: arvis config reference\n\nPrints the configuration reference in Markdown.\n",
     config_reference},
};

int cmd_config(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) {
        fputs(cmd_config_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        if (strcmp(argv[1], subcommands[i].name) == 0) {
            if (cli_wants_help(argc - 1, argv + 1)) {
                fputs(subcommands[i].usage, stdout);
                return CLI_EXIT_OK;
            }
            return subcommands[i].run(ctx, argc - 1, argv + 1);
        }
    }
    return cli_usage_error("config", "unknown subcommand \"%s\"", argv[1]);
}
