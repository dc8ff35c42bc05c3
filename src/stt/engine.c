/* The recogniser registry and what every recogniser shares: creation by name from its config
 * section, the utterance cycle (start, feed in slices, partial, finish), cancel, health, status. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <pthread.h>

#include "arvis/buf.h"
#include "arvis/clock.h"
#include "stt_internal.h"

enum {
    /* Audio goes to the engine in slices this long, so a cancel is seen within one slice. */
    FEED_SLICE_MS = 100,
    NAMES_TEXT_MAX = 256, /* the list of engine names in a message */
    /* The health check's utterance: long enough for the engine to decode some frames. */
    HEALTH_MS = 500,
    HEALTH_TONE_HZ = 440,
    HEALTH_TONE_PERIOD = ARVIS_STT_RATE / HEALTH_TONE_HZ,
    HEALTH_TONE_AMPLITUDE = 2000, /* of 32767: a quiet hum, like a room */
    MS_PER_S = 1000,
    TEXT_MAX = 1 << 20, /* a transcript longer than this is not speech */
};

static const struct stt_engine_ops *const engines[] = {
#ifdef ARVIS_HAVE_POCKETSPHINX
    &stt_pocketsphinx_ops,
#endif
    &stt_null_ops,
};

enum { N_ENGINES = sizeof engines / sizeof engines[0] };

struct arvis_stt {
    const struct stt_engine_ops *ops;
    void *state;
    bool partial_results; /* stt.partial_results */
    atomic_bool cancel;   /* set by arvis_stt_cancel, cleared by start */
    /* Guards the engine state, so partial and status may come from another thread. */
    pthread_mutex_t lock;
    bool in_utterance;
    uint64_t samples; /* fed to this utterance */
    uint64_t busy_ns; /* spent in feed and finish for this utterance */
    double lead_s;    /* silence given before it (arvis_stt_lead_in), not in its times */
};

static const char *engine_names[N_ENGINES + 1];

static void list_names(void)
{
    for (size_t i = 0; i < N_ENGINES; i++) {
        engine_names[i] = engines[i]->name;
    }
}

const char *const *arvis_stt_engine_names(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, list_names);
    return engine_names;
}

const struct stt_engine_ops *stt_engine_find(const char *name, arvis_error *err)
{
    for (size_t i = 0; name && i < N_ENGINES; i++) {
        if (strcmp(engines[i]->name, name) == 0) {
            return engines[i];
        }
    }
    arvis_buf known;
    arvis_buf_init(&known, NAMES_TEXT_MAX);
    arvis_buf_join(&known, arvis_stt_engine_names(), ", ");
    arvis_error_set(err, ARVIS_E_NOTFOUND,
                    "no speech recogniser called \"%s\": this build has %s (set stt.engine)",
                    name ? name : "", arvis_buf_str(&known));
    arvis_buf_free(&known);
    return NULL;
}

const char *arvis_stt_engine_describe(const char *name)
{
    const struct stt_engine_ops *ops = stt_engine_find(name, NULL);
    return ops ? ops->description : NULL;
}

int arvis_stt_engine_check(const arvis_config *cfg, const char *engine, arvis_error *err)
{
    const char *name = engine ? engine : arvis_config_string(cfg, "stt.engine");
    const struct stt_engine_ops *ops = stt_engine_find(name, err);
    if (!ops) {
        return ARVIS_E_NOTFOUND;
    }
    return ops->check ? ops->check(cfg, err) : ARVIS_OK;
}

int arvis_stt_create(const arvis_config *cfg, const char *engine, arvis_stt **out, arvis_error *err)
{
    *out = NULL;
    const char *name = engine ? engine : arvis_config_string(cfg, "stt.engine");
    const struct stt_engine_ops *ops = stt_engine_find(name, err);
    if (!ops) {
        return ARVIS_E_NOTFOUND;
    }
    arvis_stt *s = calloc(1, sizeof *s);
    if (!s) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting %s", ops->name);
    }
    s->ops = ops;
    s->partial_results = arvis_config_bool(cfg, "stt.partial_results");
    atomic_init(&s->cancel, false);
    int rc = ops->create(cfg, &s->state, err);
    if (rc != ARVIS_OK) {
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->lock, NULL);
    *out = s;
    return ARVIS_OK;
}

void arvis_stt_destroy(arvis_stt *s)
{
    if (!s) {
        return;
    }
    s->ops->destroy(s->state);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

int arvis_stt_start(arvis_stt *s, arvis_error *err)
{
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->cancel, false);
    s->samples = 0;
    s->busy_ns = 0;
    s->lead_s = 0;
    int rc = s->ops->start(s->state, err);
    s->in_utterance = rc == ARVIS_OK;
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static int cancelled(arvis_error *err)
{
    return arvis_error_set(err, ARVIS_E_CANCELLED, "speech recognition was stopped");
}

static int no_utterance(const arvis_stt *s, arvis_error *err)
{
    return arvis_error_set(err, ARVIS_E_STATE,
                           "%s has no utterance going on: call arvis_stt_start first",
                           s->ops->name);
}

int arvis_stt_feed(arvis_stt *s, const int16_t *pcm, size_t n, arvis_error *err)
{
    const size_t slice = (size_t)ARVIS_STT_RATE * FEED_SLICE_MS / MS_PER_S;
    if (!pcm && n) {
        return arvis_error_set(err, ARVIS_E_INVAL, "no samples to recognise");
    }
    int rc = ARVIS_OK;
    size_t at = 0;
    do {
        if (atomic_load(&s->cancel)) {
            return cancelled(err);
        }
        size_t k = n - at < slice ? n - at : slice;
        pthread_mutex_lock(&s->lock);
        if (!s->in_utterance) {
            rc = no_utterance(s, err);
        } else if (k) {
            uint64_t t0 = arvis_clock_ns();
            rc = s->ops->feed(s->state, pcm + at, k, err);
            s->busy_ns += arvis_clock_ns() - t0;
            s->samples += k;
        }
        pthread_mutex_unlock(&s->lock);
        at += k;
    } while (rc == ARVIS_OK && at < n);
    return rc;
}

int arvis_stt_lead_in(arvis_stt *s, double seconds, arvis_error *err)
{
    static const int16_t quiet[ARVIS_STT_RATE / 10];
    size_t n = seconds > 0 ? (size_t)(seconds * ARVIS_STT_RATE) : 0;
    pthread_mutex_lock(&s->lock);
    int rc = s->in_utterance ? ARVIS_OK : no_utterance(s, err);
    for (size_t left = n; rc == ARVIS_OK && left > 0;) {
        size_t k = left < sizeof quiet / sizeof quiet[0] ? left : sizeof quiet / sizeof quiet[0];
        rc = s->ops->feed(s->state, quiet, k, err);
        left -= k;
    }
    if (rc == ARVIS_OK) {
        s->lead_s += (double)n / ARVIS_STT_RATE;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

char *arvis_stt_partial(arvis_stt *s)
{
    if (!s->partial_results) {
        return NULL;
    }
    pthread_mutex_lock(&s->lock);
    char *hyp = s->in_utterance ? s->ops->partial(s->state) : NULL;
    pthread_mutex_unlock(&s->lock);
    return hyp;
}

void arvis_stt_result_free(arvis_stt_result *r)
{
    if (!r) {
        return;
    }
    for (size_t i = 0; i < r->n_words; i++) {
        free(r->words[i].word);
    }
    free(r->words);
    free(r->text);
    free(r);
}

int stt_result_add_word(arvis_stt_result *r, const char *word, size_t len, double start_s,
                        double end_s, double confidence)
{
    char *copy = strndup(word, len);
    arvis_stt_word *grown = realloc(r->words, (r->n_words + 1) * sizeof *grown);
    if (!copy || !grown) {
        free(copy);
        if (grown) {
            r->words = grown;
        }
        return ARVIS_E_NOMEM;
    }
    r->words = grown;
    r->words[r->n_words++] = (arvis_stt_word){
        .word = copy, .start_s = start_s, .end_s = end_s, .confidence = confidence};
    return ARVIS_OK;
}

/* The words joined by single spaces. */
static int join_words(arvis_stt_result *r, arvis_error *err)
{
    arvis_buf b;
    arvis_buf_init(&b, TEXT_MAX);
    int rc = arvis_buf_adds(&b, "");
    for (size_t i = 0; rc == ARVIS_OK && i < r->n_words; i++) {
        rc = arvis_buf_addf(&b, "%s%s", i ? " " : "", r->words[i].word);
    }
    r->text = rc == ARVIS_OK ? arvis_buf_take(&b) : NULL;
    arvis_buf_free(&b);
    if (!r->text) {
        return arvis_error_set(err, rc == ARVIS_OK ? ARVIS_E_NOMEM : rc,
                               "the transcript of %zu words does not fit in memory", r->n_words);
    }
    return ARVIS_OK;
}

int arvis_stt_finish(arvis_stt *s, arvis_stt_result **out, arvis_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&s->lock);
    if (!s->in_utterance) {
        pthread_mutex_unlock(&s->lock);
        return no_utterance(s, err);
    }
    arvis_stt_result *r = calloc(1, sizeof *r);
    uint64_t t0 = arvis_clock_ns();
    int rc = r ? s->ops->finish(s->state, r, err)
               : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory ending an utterance");
    s->busy_ns += arvis_clock_ns() - t0;
    s->in_utterance = false;
    if (rc == ARVIS_OK && atomic_load(&s->cancel)) {
        rc = cancelled(err);
    }
    for (size_t i = 0; rc == ARVIS_OK && i < r->n_words; i++) {
        arvis_stt_word *w = &r->words[i];
        w->start_s = w->start_s > s->lead_s ? w->start_s - s->lead_s : 0;
        w->end_s = w->end_s > s->lead_s ? w->end_s - s->lead_s : 0;
    }
    if (rc == ARVIS_OK) {
        rc = join_words(r, err);
    }
    if (rc == ARVIS_OK) {
        r->audio_s = (double)s->samples / ARVIS_STT_RATE;
        r->elapsed_s = (double)s->busy_ns / 1e9;
        *out = r;
    } else {
        arvis_stt_result_free(r);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

void arvis_stt_cancel(arvis_stt *s)
{
    if (s) {
        atomic_store(&s->cancel, true);
    }
}

int arvis_stt_recognize(arvis_stt *s, const int16_t *pcm, size_t n, arvis_stt_result **out,
                        arvis_error *err)
{
    *out = NULL;
    int rc = arvis_stt_start(s, err);
    if (rc == ARVIS_OK) {
        rc = arvis_stt_feed(s, pcm, n, err);
    }
    if (rc == ARVIS_OK) {
        return arvis_stt_finish(s, out, err);
    }
    /* End the utterance so that the next start begins clean. */
    arvis_stt_result *dropped = NULL;
    arvis_stt_finish(s, &dropped, NULL);
    arvis_stt_result_free(dropped);
    return rc;
}

int arvis_stt_health(arvis_stt *s, arvis_error *err)
{
    const size_t n = (size_t)ARVIS_STT_RATE * HEALTH_MS / MS_PER_S;
    pthread_mutex_lock(&s->lock);
    bool busy = s->in_utterance;
    pthread_mutex_unlock(&s->lock);
    if (busy) {
        return arvis_error_set(err, ARVIS_E_STATE,
                               "%s is recognising an utterance: check it between utterances",
                               s->ops->name);
    }
    int16_t *tone = malloc(n * sizeof *tone);
    if (!tone) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory checking %s", s->ops->name);
    }
    for (size_t i = 0; i < n; i++) {
        /* A triangle wave: a hum with no need for sin() and pi. */
        int at = (int)(i % HEALTH_TONE_PERIOD) * 4 * HEALTH_TONE_AMPLITUDE / HEALTH_TONE_PERIOD;
        tone[i] = (int16_t)(at < 2 * HEALTH_TONE_AMPLITUDE ? at - HEALTH_TONE_AMPLITUDE
                                                           : 3 * HEALTH_TONE_AMPLITUDE - at);
    }
    arvis_stt_result *r = NULL;
    int rc = arvis_stt_recognize(s, tone, n, &r, err);
    free(tone);
    arvis_stt_result_free(r);
    return rc;
}

const char *arvis_stt_name(const arvis_stt *s)
{
    return s->ops->name;
}

cJSON *arvis_stt_status(const arvis_stt *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        return NULL;
    }
    cJSON_AddStringToObject(o, "engine", s->ops->name);
    cJSON_AddBoolToObject(o, "partial_results", s->partial_results);
    pthread_mutex_t *lock = (pthread_mutex_t *)&s->lock;
    pthread_mutex_lock(lock);
    s->ops->status(s->state, o);
    pthread_mutex_unlock(lock);
    return o;
}
