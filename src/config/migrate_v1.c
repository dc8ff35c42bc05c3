/* Migration 0 -> 1: an Arvis v1.5 config (no config_version) into this layout. Renamed keys
 * move, engines Arvis lacks map to ours with a warning, and everything else is kept in legacy. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "config_internal.h"

enum {
    KEY_MAX = 256,
    LEVEL_MAX = 32, /* longer than any log level */
    UNLIMITED_HISTORY = 10000,
    MS_PER_S = 1000,
};

/* Keys that kept their meaning but changed their name. */
static const struct rename {
    const char *from;
    const char *to;
} renames[] = {
    {"llm.ollama_url", "llm.base_url"},
    {"llm.worker_timeout_ms", "llm.request_timeout_ms"},
    {"startup.preload_model", "llm.warmup"},
    {"prompts.system", "llm.system_prompt"},
    {"language.speech", "app.language"},
    {"user.name", "app.user_name"},
    {"history.save_to_file", "llm.history.save"},
    {"modules.voice_activation_enabled", "wake.enabled"},
    {"audit.enabled", "security.audit.enabled"},
    {"audit.max_log_size", "security.audit.max_log_size"},
    {"audit.max_log_age_days", "security.audit.max_log_age_days"},
    {"security.audit_enabled", "security.audit.enabled"},
    {"security.auth_enabled", "security.auth.enabled"},
    {"security.require_login", "security.auth.require_login"},
    {"security.session_timeout_minutes", "security.auth.session_timeout_minutes"},
    {"security.2fa_enabled", "security.auth.two_factor.enabled"},
    {"security.rbac_enabled", "security.rbac.enabled"},
    {"security.default_role", "security.rbac.default_role"},
    {"auth.password_min_length", "security.auth.password_policy.min_length"},
    {"auth.max_login_attempts", "security.auth.lockout.max_attempts"},
    {"auth.lockout_duration", "security.auth.lockout.duration_seconds"},
};

/* Keys whose value changes on the way; each handler returns true when it placed the value. */
typedef bool (*transform_fn)(struct config_mig *m, const char *path, const cJSON *v);

static bool t_model(struct config_mig *m, const char *path, const cJSON *v);
static bool t_log_level(struct config_mig *m, const char *path, const cJSON *v);
static bool t_engine(struct config_mig *m, const char *path, const cJSON *v);
static bool t_priority(struct config_mig *m, const char *path, const cJSON *v);
static bool t_fallback_on_error(struct config_mig *m, const char *path, const cJSON *v);
static bool t_stt_engine(struct config_mig *m, const char *path, const cJSON *v);
static bool t_wake_word(struct config_mig *m, const char *path, const cJSON *v);
static bool t_cooldown(struct config_mig *m, const char *path, const cJSON *v);
static bool t_history(struct config_mig *m, const char *path, const cJSON *v);
static bool t_voice(struct config_mig *m, const char *path, const cJSON *v);

static const struct transform {
    const char *from;
    transform_fn fn;
} transforms[] = {
    {"llm.default_model", t_model},
    {"logging.level", t_log_level},
    {"logging.console_level", t_log_level},
    {"tts_engine", t_engine},
    {"tts.engine", t_engine},
    {"tts.default_engine", t_engine},
    {"tts.engines_priority", t_priority},
    {"tts.fallback_on_error", t_fallback_on_error},
    {"stt.engine", t_stt_engine},
    {"stt.wake_word", t_wake_word},
    {"stt.kaldi_cooldown", t_cooldown},
    {"history.max_messages", t_history},
    {"tts.voice", t_voice},
};

/* ASCII lower case of s into out; false when s does not fit. */
static bool lower_ascii(const char *s, char *out, size_t size)
{
    size_t i = 0;
    for (; s[i] && i + 1 < size; i++) {
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[i] = '\0';
    return s[i] == '\0';
}

static void walk(struct config_mig *m, const cJSON *node, size_t depth);

static void note(struct config_mig *m, const char *path, const char *rule, const char *fmt,
                 const char *a, const char *b)
{
    report_add(m->report, ARVIS_CONFIG_NOTE, path, rule, NULL, NULL, fmt, a, b);
}

static bool t_model(struct config_mig *m, const char *path, const cJSON *v)
{
    if (cJSON_IsString(v) && v->valuestring[0] && strcmp(v->valuestring, "auto") != 0) {
        config_mig_place(m, "llm.model", cJSON_CreateString(v->valuestring));
        note(m, path, "renamed", "%s is now %s", path, "llm.model");
        return true;
    }
    config_mig_keep(m);
    report_add(m->report, ARVIS_CONFIG_WARNING, path, "mapped", NULL, NULL,
               "%s: Arvis does not pick a model by memory size (\"auto\"); llm.model keeps its "
               "default: set it to a model your server has",
               path);
    return true;
}

static bool t_log_level(struct config_mig *m, const char *path, const cJSON *v)
{
    if (!cJSON_IsString(v)) {
        return false; /* not a level: validation parks it with a clear message */
    }
    char lower[LEVEL_MAX];
    if (!lower_ascii(v->valuestring, lower, sizeof lower)) {
        config_mig_keep(m);
        report_add(m->report, ARVIS_CONFIG_WARNING, path, "kept-in-legacy", NULL, NULL,
                   "%s: not a level Arvis knows; the old value is kept as legacy.%s and the "
                   "default applies",
                   path, path);
        return true;
    }
    const char *level = strcmp(lower, "critical") == 0 ? "error" : lower;
    size_t warnings = m->report ? m->report->warnings : 0;
    config_mig_place(m, path, cJSON_CreateString(level));
    bool placed = !m->report || m->report->warnings == warnings;
    if (placed && strcmp(level, v->valuestring) != 0) {
        note(m, path, "mapped", "%s is now written in lower case: %s", path, level);
    }
    return true;
}

/* Maps an engine name of the original client to one Arvis has. */
static const char *map_engine(const char *old, const char *lang, bool *lossy)
{
    bool english = !lang || strncmp(lang, "en", 2) == 0;
    *lossy = true;
    if (strcmp(old, "flite") == 0 || strcmp(old, "espeak-ng") == 0 || strcmp(old, "null") == 0) {
        *lossy = false;
        return old;
    }
    if (strcmp(old, "espeak") == 0) {
        return "espeak-ng";
    }
    if (strcmp(old, "sapi") == 0 || strcmp(old, "sapi5") == 0) {
        return "espeak-ng"; /* the system voice; espeak-ng is Linux's */
    }
    if (strcmp(old, "silero") == 0 || strcmp(old, "bark") == 0) {
        return english ? "flite" : "espeak-ng"; /* flite speaks only English */
    }
    return NULL;
}

/* The old keys that choose the engine, strongest first. */
static const char *const engine_keys[] = {"tts.default_engine", "tts.engine", "tts_engine"};

/* The old key the migrated file takes its engine from: the strongest one that names an engine
 * Arvis can map. NULL when none does. *engine receives the engine. */
static const char *engine_source(const struct config_mig *m, const char **engine)
{
    for (size_t i = 0; i < sizeof engine_keys / sizeof engine_keys[0]; i++) {
        const cJSON *v = arvis_json_at(m->old, engine_keys[i]);
        bool lossy;
        *engine = cJSON_IsString(v) ? map_engine(v->valuestring, m->lang, &lossy) : NULL;
        if (*engine) {
            return engine_keys[i];
        }
    }
    *engine = "flite";
    return NULL;
}

static bool t_engine(struct config_mig *m, const char *path, const cJSON *v)
{
    const char *winner_engine;
    const char *winner = engine_source(m, &winner_engine);
    if (!winner || strcmp(winner, path) != 0) {
        config_mig_keep(m);
        if (winner) {
            note(m, path, "kept-in-legacy", "%s is overridden by %s; kept in legacy", path, winner);
        } else {
            report_add(m->report, ARVIS_CONFIG_WARNING, path, "mapped", "flite, espeak-ng or null",
                       NULL, "%s: unknown engine; tts.engine keeps its default (flite)", path);
        }
        return true;
    }
    bool lossy = false;
    const char *engine = map_engine(v->valuestring, m->lang, &lossy);
    config_mig_place(m, "tts.engine", cJSON_CreateString(engine));
    if (strcmp(engine, "espeak-ng") == 0 && m->lang && lossy) {
        config_mig_place(m, "tts.espeak-ng.voice", cJSON_CreateString(m->lang));
    }
    if (lossy) {
        config_mig_keep(m);
        report_add(m->report, ARVIS_CONFIG_WARNING, path, "mapped", engine, v->valuestring,
                   "%s: the %s engine is not available in Arvis; tts.engine is now %s%s%s", path,
                   v->valuestring, engine,
                   m->lang && strcmp(engine, "espeak-ng") == 0 ? " with voice " : "",
                   m->lang && strcmp(engine, "espeak-ng") == 0 ? m->lang : "");
    } else if (strcmp(path, "tts.engine") != 0) {
        note(m, path, "renamed", "%s is now %s", path, "tts.engine");
    }
    return true;
}

/* The engine the migrated file will start with, so the fallback list can leave it out. */
static const char *primary_engine(const struct config_mig *m)
{
    const char *engine;
    engine_source(m, &engine);
    return engine;
}

static bool t_priority(struct config_mig *m, const char *path, const cJSON *v)
{
    const char *primary = primary_engine(m);
    const cJSON *on_error = arvis_json_at(m->old, "tts.fallback_on_error");
    if (!cJSON_IsArray(v) || cJSON_IsFalse(on_error)) {
        config_mig_keep(m);
        return true;
    }
    cJSON *list = cJSON_CreateArray();
    for (const cJSON *e = v->child; list && e; e = e->next) {
        bool lossy;
        const char *engine = cJSON_IsString(e) ? map_engine(e->valuestring, m->lang, &lossy) : NULL;
        bool seen = engine && strcmp(engine, primary) == 0;
        for (const cJSON *x = list->child; engine && x; x = x->next) {
            seen = seen || strcmp(x->valuestring, engine) == 0;
        }
        if (engine && !seen) {
            cJSON_AddItemToArray(list, cJSON_CreateString(engine));
        }
    }
    config_mig_place(m, "tts.fallback", list);
    config_mig_keep(m);
    report_add(m->report, ARVIS_CONFIG_WARNING, path, "mapped", NULL, NULL,
               "%s: engines mapped to the ones Arvis has and written to tts.fallback", path);
    return true;
}

static bool t_fallback_on_error(struct config_mig *m, const char *path, const cJSON *v)
{
    if (cJSON_IsFalse(v)) {
        config_mig_place(m, "tts.fallback", cJSON_CreateArray());
        note(m, path, "mapped", "%s is false: tts.fallback is now %s", path, "[]");
    } else {
        config_mig_keep(m);
        note(m, path, "kept-in-legacy", "%s: fallback is on by default (tts.fallback)%s", path, "");
    }
    return true;
}

static bool t_stt_engine(struct config_mig *m, const char *path, const cJSON *v)
{
    if (cJSON_IsString(v) &&
        (strcmp(v->valuestring, "pocketsphinx") == 0 || strcmp(v->valuestring, "null") == 0)) {
        config_mig_place(m, path, cJSON_Duplicate(v, 1));
        return true;
    }
    config_mig_keep(m);
    report_add(m->report, ARVIS_CONFIG_WARNING, path, "mapped", "pocketsphinx",
               cJSON_IsString(v) ? v->valuestring : NULL,
               "%s: %s is not available in Arvis; speech is recognised by pocketsphinx with "
               "Debian's en-us model",
               path, cJSON_IsString(v) ? v->valuestring : "this engine");
    return true;
}

static bool t_wake_word(struct config_mig *m, const char *path, const cJSON *v)
{
    char phrase[64] = "";
    bool english =
        cJSON_IsString(v) && v->valuestring[0] &&
        strspn(v->valuestring, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ '") ==
            strlen(v->valuestring) &&
        lower_ascii(v->valuestring, phrase, sizeof phrase);
    config_mig_keep(m);
    if (english) {
        config_mig_place(m, "wake.phrase", cJSON_CreateString(phrase));
        note(m, path, "renamed", "%s is now %s", path, "wake.phrase");
    } else {
        report_add(m->report, ARVIS_CONFIG_WARNING, path, "mapped", NULL, NULL,
                   "%s: the wake word is not English, and the recogniser's model is; "
                   "wake.phrase keeps its default (\"hey arvis\")",
                   path);
    }
    return true;
}

static bool t_cooldown(struct config_mig *m, const char *path, const cJSON *v)
{
    if (!cJSON_IsNumber(v)) {
        return false;
    }
    size_t warnings = m->report ? m->report->warnings : 0;
    config_mig_place(m, "wake.cooldown_ms", cJSON_CreateNumber(round(v->valuedouble * MS_PER_S)));
    if (!m->report || m->report->warnings == warnings) {
        note(m, path, "renamed", "%s (seconds) is now %s (milliseconds)", path, "wake.cooldown_ms");
    }
    return true;
}

static bool t_history(struct config_mig *m, const char *path, const cJSON *v)
{
    if (!cJSON_IsNumber(v)) {
        return false;
    }
    double n = v->valuedouble <= 0 ? UNLIMITED_HISTORY : v->valuedouble;
    size_t warnings = m->report ? m->report->warnings : 0;
    config_mig_place(m, "llm.history.max_messages", cJSON_CreateNumber(n));
    if (v->valuedouble <= 0) {
        config_mig_keep(m);
        report_add(m->report, ARVIS_CONFIG_WARNING, path, "mapped", NULL, NULL,
                   "%s: unlimited history is not offered; llm.history.max_messages is %d", path,
                   UNLIMITED_HISTORY);
    } else if (!m->report || m->report->warnings == warnings) {
        note(m, path, "renamed", "%s is now %s", path, "llm.history.max_messages");
    }
    return true;
}

static bool t_voice(struct config_mig *m, const char *path, const cJSON *v)
{
    (void)v; /* kept as it is */
    config_mig_keep(m);
    report_add(m->report, ARVIS_CONFIG_WARNING, path, "mapped", NULL, NULL,
               "%s: voices now belong to each engine (tts.flite.voice, tts.espeak-ng.voice); "
               "the old voice is kept in legacy",
               path);
    return true;
}

/* True when some rename or transform starts below path, so the walk must go into it. */
static bool rules_under(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++) {
        if (strncmp(renames[i].from, path, n) == 0 && renames[i].from[n] == '.') {
            return true;
        }
    }
    for (size_t i = 0; i < sizeof transforms / sizeof transforms[0]; i++) {
        if (strncmp(transforms[i].from, path, n) == 0 && transforms[i].from[n] == '.') {
            return true;
        }
    }
    return false;
}

/* Applies the transform or rename for path, if there is one. A rule's rank is its place in the
 * tables: when two old keys map to one new key, the one listed first wins. */
static bool apply_rule(struct config_mig *m, const char *path, const cJSON *v)
{
    size_t n_transforms = sizeof transforms / sizeof transforms[0];
    for (size_t i = 0; i < n_transforms; i++) {
        if (strcmp(transforms[i].from, path) == 0) {
            m->rank = 1 + i;
            return transforms[i].fn(m, path, v);
        }
    }
    for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++) {
        if (strcmp(renames[i].from, path) == 0) {
            m->rank = 1 + n_transforms + i;
            size_t warnings = m->report ? m->report->warnings : 0;
            config_mig_place(m, renames[i].to, cJSON_Duplicate(v, 1));
            if (!m->report || m->report->warnings == warnings) {
                note(m, path, "renamed", "%s is now %s", path, renames[i].to);
            }
            return true;
        }
    }
    return false;
}

/* One old value: a rule maps it, a section is walked into, a key Arvis has stays, and anything
 * else is kept in legacy. */
static void walk_one(struct config_mig *m, const cJSON *c, const char *path)
{
    /* "" and "a.b" are no keys of ours, and a dotted path could not name them. */
    bool odd_key = !c->string[0] || strchr(c->string, '.');
    if (!odd_key && apply_rule(m, path, c)) {
        return;
    }
    const cJSON *raw = odd_key ? NULL : schema_node_raw(path);
    bool section = raw && schema_is_section(schema_resolve(raw));
    bool deeper = m->depth + 1 < CONFIG_MIG_DEPTH_MAX;
    if (deeper && cJSON_IsObject(c) &&
        (section || (!raw && !odd_key && c->child && rules_under(path)))) {
        m->level[m->depth + 1] = NULL;
        walk(m, c, m->depth + 1);
    } else if (section) {
        config_mig_keep(m);
        report_add(m->report, ARVIS_CONFIG_WARNING, path, "type", "an object", NULL,
                   "%s: expected an object (a section), found %s; the old value is kept as "
                   "legacy.%s",
                   path, arvis_json_type_name(c), path);
    } else if (raw) {
        config_mig_place(m, path,
                         cJSON_Duplicate(c, 1)); /* same key, same meaning; validated later */
    } else {
        config_mig_keep(m);
        note(m, path, "kept-in-legacy", "%s is not used by Arvis; kept as legacy.%s", path, path);
    }
}

static void walk(struct config_mig *m, const cJSON *node, size_t depth)
{
    for (const cJSON *c = node->child; c && m->rc == ARVIS_OK; c = c->next) {
        if (depth == 0 &&
            (strcmp(c->string, "config_version") == 0 || strcmp(c->string, "legacy") == 0)) {
            continue; /* the version is set after the steps; legacy is merged at the end */
        }
        m->segs[depth] = c->string;
        char path[KEY_MAX] = "";
        size_t used = 0;
        for (size_t i = 0; i <= depth && used < sizeof path; i++) {
            int w = snprintf(path + used, sizeof path - used, "%s%s", i ? "." : "", m->segs[i]);
            used += w > 0 ? (size_t)w : 0;
        }
        m->cur = c;
        m->path = path;
        m->depth = depth;
        m->rank = 0;
        m->kept = false;
        walk_one(m, c, path);
    }
}

int config_migrate_v0_to_v1(cJSON *layer, arvis_config_report *report, arvis_error *err)
{
    const cJSON *speech = arvis_json_at(layer, "language.speech");
    const char *segs[CONFIG_MIG_DEPTH_MAX];
    struct config_mig m = {
        .old = layer,
        .out = cJSON_CreateObject(),
        .report = report,
        .lang = cJSON_IsString(speech) && speech->valuestring[0] ? speech->valuestring : NULL,
        .rc = ARVIS_OK,
        .segs = segs,
    };
    if (!m.out) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    walk(&m, layer, 0);
    return config_mig_finish(&m, layer, err);
}
