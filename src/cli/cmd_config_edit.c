/* `arvis config set | unset | migrate`: the subcommands that change the config file. They print
 * what changed, or why nothing was written. */
#define _XOPEN_SOURCE 700 /* realpath, lstat */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char *target_file(const struct cli_ctx *ctx, char **owned)
{
    *owned = NULL;
    if (ctx->config_file) {
        return ctx->config_file;
    }
    if (arvis_config_default_path(owned, NULL) != ARVIS_OK) {
        return "the config file";
    }
    return *owned;
}

/* The file a write to path changed: the one a symbolic link leads to, whose .bak is beside it.
 * The caller frees. */
static char *written_file(const char *path)
{
    struct stat st;
    char *real = lstat(path, &st) == 0 && S_ISLNK(st.st_mode) ? realpath(path, NULL) : NULL;
    return real ? real : strdup(path);
}

static void print_edit_notes(const arvis_config_edit *e, const char *path,
                             const arvis_config_report *report)
{
    cli_report_warnings(report);
    if (e->migrated_from >= 0 && e->wrote) {
        char *real = written_file(path);
        fprintf(stderr,
                "arvis: note: %s was migrated from config_version %d to %d on the way (the old "
                "file is kept as %s.bak)\n",
                path, e->migrated_from, ARVIS_CONFIG_VERSION, real ? real : path);
        free(real);
    }
    if (e->override_env) {
        cli_warning("%s is set in this environment and overrides the file's value",
                    e->override_env);
    }
}

static int edit_command(struct cli_ctx *ctx, const char *key, const char *value)
{
    arvis_config_edit e;
    arvis_config_report report;
    arvis_config_report_init(&report);
    arvis_error err;
    arvis_error_clear(&err);
    int rc = value ? arvis_config_set(ctx->config_file, key, value, &e, &report, &err)
                   : arvis_config_unset(ctx->config_file, key, &e, &report, &err);
    char *owned;
    const char *path = target_file(ctx, &owned);
    int code;
    if (rc != ARVIS_OK) {
        code = cli_report_failure(rc, &err, &report);
    } else {
        print_edit_notes(&e, path, &report);
        if (value) {
            printf("%s = %s%s%s%s\n", key, e.new_text ? e.new_text : value,
                   e.old_text ? " (was " : "", e.old_text ? e.old_text : "", e.old_text ? ")" : "");
        } else if (e.old_text) {
            printf("%s removed from %s; its default applies\n", key, path);
        } else {
            printf("%s is not set in %s; nothing to do\n", key, path);
        }
        code = CLI_EXIT_OK;
    }
    free(owned);
    arvis_config_edit_free(&e);
    arvis_config_report_free(&report);
    return code;
}

int cmd_config_set(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc != 3) {
        return cli_usage_error("config set",
                               "config set takes KEY and VALUE, such as llm.temperature 0.5");
    }
    return edit_command(ctx, argv[1], argv[2]);
}

int cmd_config_unset(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc != 2) {
        return cli_usage_error("config unset", "config unset takes one KEY");
    }
    return edit_command(ctx, argv[1], NULL);
}

static void print_changes(const arvis_config_report *report)
{
    for (size_t i = 0; i < report->count; i++) {
        const arvis_config_issue *it = &report->items[i];
        const char *kind = it->severity == ARVIS_CONFIG_WARNING ? "warning" : "changed";
        printf("  %-8s %s\n", kind, it->message);
    }
    size_t total = report->errors + report->warnings + report->notes;
    if (total > report->count) {
        printf("  ... and %zu more\n", total - report->count);
    }
}

int cmd_config_migrate(struct cli_ctx *ctx, int argc, char **argv)
{
    bool dry_run = false;
    const char *file = ctx->config_file;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0) {
            dry_run = true;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("config migrate", "unknown option %s", argv[i]);
        } else if (file && file != ctx->config_file) {
            return cli_usage_error("config migrate", "config migrate takes at most one FILE");
        } else {
            file = argv[i];
        }
    }
    int from = -1;
    char *text = NULL;
    arvis_config_report report;
    arvis_config_report_init(&report);
    arvis_error err;
    arvis_error_clear(&err);
    int rc = arvis_config_migrate(file, dry_run, &from, &text, &report, &err);
    char *owned;
    const char *path = file ? file : target_file(ctx, &owned);
    if (file) {
        owned = NULL;
    }
    int code = CLI_EXIT_OK;
    if (rc != ARVIS_OK) {
        code = cli_report_failure(rc, &err, &report);
    } else if (from < 0) {
        printf("There is no config file at %s; nothing to migrate.\n", path);
    } else if (from == ARVIS_CONFIG_VERSION) {
        printf("%s is already at config_version %d; nothing to migrate.\n", path, from);
    } else {
        printf("%s %s from config_version %d to %d:\n", dry_run ? "Would migrate" : "Migrated",
               path, from, ARVIS_CONFIG_VERSION);
        print_changes(&report);
        if (dry_run) {
            printf("\nThe migrated file would read:\n%s\nDry run: nothing was written.\n",
                   text ? text : "");
        } else {
            char *real = written_file(path);
            printf("Wrote %s; the old file is kept as %s.bak.\n", path, real ? real : path);
            free(real);
        }
    }
    free(text);
    free(owned);
    arvis_config_report_free(&report);
    return code;
}
