/* Helpers every arvis command uses: exit codes, one-line messages on stderr, printing config
 * problems, and loading the configuration with the global options. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { STATE_DIR_MODE = 0700 };

int cli_exit_code(int status)
{
    switch (status) {
    case ARVIS_OK:
        return CLI_EXIT_OK;
    case ARVIS_E_INVAL:
    case ARVIS_E_PARSE:
    case ARVIS_E_SCHEMA:
    case ARVIS_E_UTF8:
    case ARVIS_E_TOOBIG:
    case ARVIS_E_VERSION:
    case ARVIS_E_NOTFOUND:
        return CLI_EXIT_USAGE;
    case ARVIS_E_UNAVAILABLE:
    case ARVIS_E_TIMEOUT:
        return CLI_EXIT_UNAVAILABLE;
    default:
        return CLI_EXIT_FAILURE;
    }
}

int cli_failure(int status, const arvis_error *err)
{
    cli_error("%s", err->msg[0] ? err->msg : arvis_strerror(status));
    return cli_exit_code(status);
}

static void vmessage(const char *kind, const char *fmt, va_list ap)
{
    fprintf(stderr, "arvis: %s: ", kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("error", fmt, ap);
    va_end(ap);
}

void cli_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("warning", fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("error", fmt, ap);
    va_end(ap);
    fprintf(stderr, "Run `arvis %s --help` for its usage.\n", command);
    return CLI_EXIT_USAGE;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            return false;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return true;
        }
    }
    return false;
}

void cli_report_warnings(const arvis_config_report *report)
{
    for (size_t i = 0; i < report->count; i++) {
        if (report->items[i].severity == ARVIS_CONFIG_WARNING) {
            cli_warning("%s", report->items[i].message);
        }
    }
}

int cli_report_failure(int status, const arvis_error *err, const arvis_config_report *report)
{
    cli_report_warnings(report);
    if (report->errors == 0) {
        cli_error("%s", err->msg);
        return cli_exit_code(status);
    }
    cli_error("%s:", err->msg);
    for (size_t i = 0; i < report->count; i++) {
        if (report->items[i].severity == ARVIS_CONFIG_ERROR) {
            fprintf(stderr, "  %s\n", report->items[i].message);
        }
    }
    size_t shown = 0;
    for (size_t i = 0; i < report->count; i++) {
        shown += report->items[i].severity == ARVIS_CONFIG_ERROR;
    }
    if (report->errors > shown) {
        fprintf(stderr, "  ... and %zu more\n", report->errors - shown);
    }
    fprintf(stderr, "See `arvis config reference` for what each key allows.\n");
    return cli_exit_code(status);
}

int cli_load_config(const struct cli_ctx *ctx, arvis_config **cfg)
{
    arvis_config_options opts = {
        .file = ctx->config_file,
        .require_file = ctx->config_file != NULL,
        .sets = ctx->sets,
        .n_sets = ctx->n_sets,
    };
    arvis_config_report report;
    arvis_config_report_init(&report);
    arvis_error err;
    arvis_error_clear(&err);
    int rc = arvis_config_load(&opts, cfg, &report, &err);
    int code = CLI_EXIT_OK;
    if (rc == ARVIS_OK) {
        cli_report_warnings(&report);
        cli_apply_logging(ctx, *cfg, false);
    } else {
        code = cli_report_failure(rc, &err, &report);
    }
    arvis_config_report_free(&report);
    return code;
}

void cli_apply_logging(const struct cli_ctx *ctx, const arvis_config *cfg, bool with_file)
{
    arvis_log_options o = {
        .file_level = ARVIS_LOG_OFF,
        .stderr_level = ARVIS_LOG_WARNING,
        .max_bytes = (size_t)arvis_config_int(cfg, "logging.max_bytes"),
        .backups = (unsigned)arvis_config_int(cfg, "logging.backup_count"),
    };
    arvis_log_level_parse(arvis_config_string(cfg, "logging.console_level"), &o.stderr_level);
    if (ctx->stderr_level >= 0) {
        o.stderr_level = (arvis_log_level)ctx->stderr_level;
    }
    char *file = NULL;
    if (with_file && arvis_config_bool(cfg, "logging.file_logging")) {
        arvis_log_level_parse(arvis_config_string(cfg, "logging.level"), &o.file_level);
        char *dir = NULL;
        if (arvis_place_dir(ARVIS_PLACE_STATE, &dir, NULL) == ARVIS_OK &&
            arvis_mkdirs(dir, STATE_DIR_MODE, NULL) == ARVIS_OK) {
            file = arvis_path_join(dir, "arvis.log");
        }
        free(dir);
    }
    o.file = file;
    arvis_error err;
    if (arvis_log_open(&o, &err) != ARVIS_OK) {
        cli_warning("%s; logging to the terminal only", err.msg);
        o.file = NULL;
        arvis_log_open(&o, NULL);
    }
    free(file);
}
