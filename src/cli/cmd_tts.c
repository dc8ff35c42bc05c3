/* `arvis tts`: the speech engines this build has, their voices, and a silent check of the
 * configured engine and its fallbacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli_tts.h"

const char cmd_tts_usage[] =
    "Usage: arvis tts engines\n"
    "       arvis tts voices [ENGINE]\n"
    "       arvis tts check\n"
    "\n"
    "  engines          the speech engines this build has; * marks tts.engine\n"
    "  voices [ENGINE]  the voices of ENGINE (default tts.engine): name, language, description\n"
    "  check            starts tts.engine and each of tts.fallback and speaks a test phrase into\n"
    "                   memory (silently); exit 0 when tts.engine works, 1 when only a fallback\n"
    "                   does, 3 when none does\n";

static int engines(const arvis_config *cfg)
{
    const char *configured = arvis_config_string(cfg, "tts.engine");
    for (const char *const *n = arvis_tts_engine_names(); *n; n++) {
        printf("%c %-10s %s\n", strcmp(*n, configured) == 0 ? '*' : ' ', *n,
               arvis_tts_engine_describe(*n));
    }
    return CLI_EXIT_OK;
}

static int voices(const arvis_config *cfg, const char *engine)
{
    arvis_tts_voice *v = NULL;
    size_t n = 0;
    arvis_error err;
    const char *name = engine ? engine : arvis_config_string(cfg, "tts.engine");
    int rc = arvis_tts_engine_voices(name, &v, &n, &err);
    if (rc != ARVIS_OK) {
        return cli_failure(rc, &err);
    }
    for (size_t i = 0; i < n; i++) {
        printf("%-16s %-10s %s\n", v[i].name, v[i].language, v[i].description);
    }
    free(v);
    return CLI_EXIT_OK;
}

/* One engine: started and its health checked, printed on one line. */
static bool check_one(const arvis_config *cfg, const char *name)
{
    arvis_tts_engine *e = NULL;
    arvis_error err;
    double t0 = arvis_clock_ms();
    int rc = arvis_tts_engine_create(name, cfg, NULL, &e, &err);
    if (rc == ARVIS_OK) {
        rc = arvis_tts_engine_health(e, &err);
    }
    if (rc == ARVIS_OK) {
        printf("%-10s ok: voice %s, %d Hz, checked in %.0f ms\n", name, arvis_tts_engine_voice(e),
               arvis_tts_engine_rate(e), arvis_clock_ms() - t0);
    } else {
        printf("%-10s FAILED: %s\n", name, err.msg);
    }
    arvis_tts_engine_destroy(e);
    return rc == ARVIS_OK;
}

static int check(const arvis_config *cfg)
{
    const char *first = arvis_config_string(cfg, "tts.engine");
    bool first_ok = check_one(cfg, first);
    bool any_ok = first_ok;
    const cJSON *item;
    cJSON_ArrayForEach(item, arvis_config_get(cfg, "tts.fallback"))
    {
        if (cJSON_IsString(item) && strcmp(item->valuestring, first) != 0) {
            any_ok = check_one(cfg, item->valuestring) || any_ok;
        }
    }
    if (first_ok) {
        printf("speech: %s is ready\n", first);
        return CLI_EXIT_OK;
    }
    if (any_ok) {
        printf("speech: degraded: %s does not work, a fallback will speak instead\n", first);
        return CLI_EXIT_FAILURE;
    }
    printf("speech: no engine works; see the messages above\n");
    return CLI_EXIT_UNAVAILABLE;
}

int cmd_tts(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) {
        return cli_usage_error("tts", "say what to do: engines, voices or check");
    }
    const char *sub = argv[1];
    bool known =
        strcmp(sub, "engines") == 0 || strcmp(sub, "voices") == 0 || strcmp(sub, "check") == 0;
    if (!known) {
        return cli_usage_error("tts", "unknown subcommand %s (engines, voices or check)", sub);
    }
    if (argc > (strcmp(sub, "voices") == 0 ? 3 : 2)) {
        return cli_usage_error("tts", "too many arguments for `arvis tts %s`", sub);
    }
    arvis_config *cfg = NULL;
    int code = cli_load_config(ctx, &cfg);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    if (strcmp(sub, "engines") == 0) {
        code = engines(cfg);
    } else if (strcmp(sub, "voices") == 0) {
        code = voices(cfg, argc == 3 ? argv[2] : NULL);
    } else {
        code = check(cfg);
    }
    arvis_config_free(cfg);
    return code;
}
