/* The speech factory: the configured engine when it passes its health check, else the fallbacks
 * in order, and switching engines at run time without losing the one that works. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tts_internal.h"

struct arvis_tts {
    const arvis_config *cfg;
    arvis_tts_event_cb cb;
    void *ud;
    pthread_mutex_t lock;        /* held while speaking and while switching */
    pthread_mutex_t engine_lock; /* held to change engine, and to cancel it from another thread */
    arvis_tts_engine *engine;
    char wanted[32]; /* the engine asked for */
};

static void emit(arvis_tts *t, arvis_tts_event_kind kind, const char *from, const char *to,
                 const char *why)
{
    if (t->cb) {
        arvis_tts_event ev = {.kind = kind, .from = from, .to = to, .why = why};
        t->cb(&ev, t->ud);
    }
}

/* Starts name and, when check is true, checks its health; *out is set only when that worked. */
static int start_engine(const arvis_config *cfg, const char *name, const char *voice, bool check,
                        arvis_tts_engine **out, arvis_error *err)
{
    arvis_tts_engine *e = NULL;
    int rc = arvis_tts_engine_create(name, cfg, voice, &e, err);
    if (rc == ARVIS_OK && check) {
        rc = arvis_tts_engine_health(e, err);
    }
    if (rc != ARVIS_OK) {
        arvis_tts_engine_destroy(e);
        return rc;
    }
    *out = e;
    return ARVIS_OK;
}

/* The engines to try: the one asked for, then tts.fallback without repeats. */
static size_t candidates(const arvis_config *cfg, const char *first, const char **names, size_t max)
{
    size_t n = 0;
    names[n++] = first;
    const cJSON *list = arvis_config_get(cfg, "tts.fallback");
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        bool seen = false;
        for (size_t i = 0; i < n && cJSON_IsString(item); i++) {
            seen = seen || strcmp(names[i], item->valuestring) == 0;
        }
        if (cJSON_IsString(item) && !seen && n < max) {
            names[n++] = item->valuestring;
        }
    }
    return n;
}

int arvis_tts_create(const arvis_config *cfg, const char *engine, const char *voice,
                     arvis_tts_event_cb cb, void *ud, arvis_tts **out, arvis_error *err)
{
    arvis_error local;
    err = err ? err : &local;
    *out = NULL;
    arvis_tts *t = calloc(1, sizeof *t);
    if (!t) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting speech");
    }
    t->cfg = cfg;
    t->cb = cb;
    t->ud = ud;
    pthread_mutex_init(&t->lock, NULL);
    pthread_mutex_init(&t->engine_lock, NULL);
    const char *first = engine ? engine : arvis_config_string(cfg, "tts.engine");
    snprintf(t->wanted, sizeof t->wanted, "%s", first ? first : "");
    enum { MAX_CANDIDATES = 16 };
    const char *names[MAX_CANDIDATES];
    /* An engine or voice named on the command line is what the user wants: no quiet
     * substitute. */
    size_t n = engine || voice ? 1 : candidates(cfg, t->wanted, names, MAX_CANDIDATES);
    names[0] = t->wanted;
    int rc = ARVIS_E_NOTFOUND;
    for (size_t i = 0; i < n; i++) {
        /* A voice given for the first engine means nothing to the others. */
        /* The check chooses between engines; with no other to choose, the first sentence
         * tells as much as a test phrase would, without the delay. */
        rc = start_engine(cfg, names[i], i == 0 ? voice : NULL, n > 1, &t->engine, err);
        if (rc == ARVIS_OK) {
            break;
        }
        if (i + 1 < n) {
            char why[ARVIS_ERROR_MSG_MAX + 64];
            snprintf(why, sizeof why, "%s failed: %s; trying %s", names[i], err->msg, names[i + 1]);
            emit(t, ARVIS_TTS_FALLBACK, names[i], names[i + 1], why);
        }
    }
    if (rc != ARVIS_OK) {
        arvis_tts_destroy(t);
        return rc;
    }
    *out = t;
    return ARVIS_OK;
}

void arvis_tts_destroy(arvis_tts *t)
{
    if (!t) {
        return;
    }
    arvis_tts_engine_destroy(t->engine);
    pthread_mutex_destroy(&t->engine_lock);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

int arvis_tts_switch(arvis_tts *t, const char *name, const char *voice, arvis_error *err)
{
    arvis_error local;
    err = err ? err : &local;
    arvis_tts_engine *fresh = NULL;
    int rc = start_engine(t->cfg, name, voice, true, &fresh, err);
    pthread_mutex_lock(&t->lock);
    const char *from = arvis_tts_engine_name(t->engine);
    char why[ARVIS_ERROR_MSG_MAX + 64];
    if (rc != ARVIS_OK) {
        snprintf(why, sizeof why, "%s failed: %s; keeping %s", name, err->msg, from);
        emit(t, ARVIS_TTS_SWITCH_FAILED, from, from, why);
        pthread_mutex_unlock(&t->lock);
        return rc;
    }
    snprintf(why, sizeof why, "switched from %s to %s (voice %s) on request", from, name,
             arvis_tts_engine_voice(fresh));
    emit(t, ARVIS_TTS_SWITCHED, from, name, why);
    pthread_mutex_lock(&t->engine_lock);
    arvis_tts_engine *old = t->engine;
    t->engine = fresh;
    pthread_mutex_unlock(&t->engine_lock);
    arvis_tts_engine_destroy(old);
    snprintf(t->wanted, sizeof t->wanted, "%s", name);
    pthread_mutex_unlock(&t->lock);
    return ARVIS_OK;
}

arvis_tts_engine *arvis_tts_engine_in_use(arvis_tts *t)
{
    return t->engine;
}

bool arvis_tts_fell_back(const arvis_tts *t)
{
    return strcmp(arvis_tts_engine_name(t->engine), t->wanted) != 0;
}

int arvis_tts_synth(arvis_tts *t, const char *text, arvis_pcm_cb cb, void *ud, arvis_error *err)
{
    pthread_mutex_lock(&t->lock);
    int rc = arvis_tts_engine_synth(t->engine, text, cb, ud, err);
    pthread_mutex_unlock(&t->lock);
    return rc;
}

void arvis_tts_cancel(arvis_tts *t)
{
    pthread_mutex_lock(&t->engine_lock);
    arvis_tts_engine_cancel(t->engine);
    pthread_mutex_unlock(&t->engine_lock);
}
