/* The speech engine registry and what every engine shares: creation by name from its config
 * section, the state machine, cancel, the silent health check and the status. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <pthread.h>

#include "arvis/buf.h"
#include "arvis/utf8.h"
#include "tts_internal.h"

enum {
    /* Longest piece of text handed to an engine at once. flite's clustergen voices work out a
     * whole piece before the first audio of it, and a stop cannot reach them meanwhile: at 150
     * bytes synthesis ends at most ~41 ms after a stop (slt, rms, awb here; 770 ms at 2 KiB).
     * A longer sentence is cut at a clause mark or a space. */
    TTS_PIECE_BYTES = 150,
    VOICES_SHOWN = 12, /* voices named in an "unknown voice" message */
    VOICES_TEXT_MAX = 512,
    /* The health check's audio, at most: enough for the phrase at any rate. */
    HEALTH_MAX_SECONDS = 10,
    /* A voice that makes less than this of the phrase is broken. */
    HEALTH_MIN_MS = 200,
    NAMES_TEXT_MAX = 256, /* the list of engine names in a message */
};

/* The root mean square below which the health phrase counts as silence (of 32767). */
static const double HEALTH_MIN_RMS = 50.0;

static const struct tts_engine_ops *const engines[] = {
#ifdef ARVIS_HAVE_FLITE
    &tts_flite_ops,
#endif
#ifdef ARVIS_HAVE_ESPEAK
    &tts_espeak_ops,
#endif
    &tts_null_ops,
};

enum { N_ENGINES = sizeof engines / sizeof engines[0] };

struct arvis_tts_engine {
    const struct tts_engine_ops *ops;
    void *state;
    _Atomic int status;   /* arvis_tts_state */
    atomic_bool cancel;   /* stop the synthesis under way */
    pthread_mutex_t lock; /* guards last_error */
    char last_error[ARVIS_ERROR_MSG_MAX];
};

static const char *engine_names[N_ENGINES + 1];

static void list_names(void)
{
    for (size_t i = 0; i < N_ENGINES; i++) {
        engine_names[i] = engines[i]->name;
    }
}

const char *const *arvis_tts_engine_names(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, list_names);
    return engine_names;
}

const struct tts_engine_ops *tts_engine_find(const char *name, arvis_error *err)
{
    for (size_t i = 0; name && i < N_ENGINES; i++) {
        if (strcmp(engines[i]->name, name) == 0) {
            return engines[i];
        }
    }
    arvis_buf known;
    arvis_buf_init(&known, NAMES_TEXT_MAX);
    arvis_buf_join(&known, arvis_tts_engine_names(), ", ");
    arvis_error_set(err, ARVIS_E_NOTFOUND, "no speech engine called \"%s\": this build has %s",
                    name ? name : "", arvis_buf_str(&known));
    arvis_buf_free(&known);
    return NULL;
}

const char *arvis_tts_engine_describe(const char *name)
{
    const struct tts_engine_ops *ops = tts_engine_find(name, NULL);
    return ops ? ops->description : NULL;
}

const char *arvis_tts_state_name(arvis_tts_state s)
{
    static const char *const names[] = {"idle", "initializing", "ready", "speaking", "error"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

int arvis_tts_engine_voices(const char *name, arvis_tts_voice **voices, size_t *n, arvis_error *err)
{
    *voices = NULL;
    *n = 0;
    const struct tts_engine_ops *ops = tts_engine_find(name, err);
    return ops ? ops->voices(voices, n, err) : ARVIS_E_NOTFOUND;
}

const arvis_tts_voice *tts_voice_find(const arvis_tts_voice *v, size_t n, const char *voice,
                                      const char *engine, arvis_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].name, voice) == 0) {
            return &v[i];
        }
    }
    char known[VOICES_TEXT_MAX] = "";
    for (size_t i = 0; i < n && i < VOICES_SHOWN; i++) {
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", v[i].name);
    }
    arvis_error_set(err, ARVIS_E_NOTFOUND,
                    "%s has no voice \"%s\"; it has %s%s (`arvis tts voices %s` lists them)",
                    engine, voice, known, n > VOICES_SHOWN ? ", ..." : "", engine);
    return NULL;
}

int arvis_tts_engine_validate(const char *name, const arvis_config *cfg, arvis_error *err)
{
    arvis_tts_engine *e = NULL;
    int rc = arvis_tts_engine_create(name, cfg, NULL, &e, err);
    arvis_tts_engine_destroy(e);
    return rc;
}

int arvis_tts_engine_create(const char *name, const arvis_config *cfg, const char *voice,
                            arvis_tts_engine **out, arvis_error *err)
{
    *out = NULL;
    const struct tts_engine_ops *ops = tts_engine_find(name, err);
    if (!ops) {
        return ARVIS_E_NOTFOUND;
    }
    arvis_tts_engine *e = calloc(1, sizeof *e);
    if (!e) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting %s", name);
    }
    e->ops = ops;
    atomic_init(&e->status, ARVIS_TTS_INITIALIZING);
    atomic_init(&e->cancel, false);
    pthread_mutex_init(&e->lock, NULL);
    int rc = ops->create(cfg, voice, &e->state, err);
    if (rc != ARVIS_OK) {
        pthread_mutex_destroy(&e->lock);
        free(e);
        return rc;
    }
    atomic_store(&e->status, ARVIS_TTS_READY);
    *out = e;
    return ARVIS_OK;
}

void arvis_tts_engine_destroy(arvis_tts_engine *e)
{
    if (!e) {
        return;
    }
    e->ops->destroy(e->state);
    pthread_mutex_destroy(&e->lock);
    free(e);
}

struct synth_ctx {
    arvis_tts_engine *e;
    arvis_pcm_cb cb;
    void *ud;
    bool stopped; /* cb or a cancel asked to stop */
};

static bool synth_emit(const int16_t *pcm, size_t n, int rate, void *ud)
{
    struct synth_ctx *c = ud;
    if (atomic_load(&c->e->cancel) || (n && !c->cb(pcm, n, rate, c->ud))) {
        c->stopped = true;
        return false;
    }
    return true;
}

/* The last cut in t[from, to) after one of chars, or 0. */
static size_t last_cut(const char *t, size_t from, size_t to, const char *chars)
{
    for (size_t i = to; i > from; i--) {
        if (strchr(chars, t[i - 1])) {
            return i;
        }
    }
    return 0;
}

/* The end of the next piece of at most TTS_PIECE_BYTES: after the last clause mark in its
 * second half, else the last space, else at a character boundary. */
static size_t piece_end(const char *t, size_t len)
{
    if (len <= TTS_PIECE_BYTES) {
        return len;
    }
    size_t cut = last_cut(t, TTS_PIECE_BYTES / 2, TTS_PIECE_BYTES, ".,;:!?");
    if (!cut) {
        cut = last_cut(t, TTS_PIECE_BYTES / 2, TTS_PIECE_BYTES, " \t\n");
    }
    return cut ? cut : arvis_utf8_truncate(t, len, TTS_PIECE_BYTES);
}

static int script_check(const arvis_tts_engine *e, const char *text, arvis_error *err)
{
    arvis_script voice = e->ops->script(e->state);
    arvis_script text_script = arvis_tts_text_script(text, strlen(text));
    if (voice == ARVIS_SCRIPT_OTHER || text_script == ARVIS_SCRIPT_NONE || text_script == voice) {
        return ARVIS_OK;
    }
    return arvis_error_set(
        err, ARVIS_E_INVAL,
        "%s voice %s reads %s script, but this text is in %s script: choose a voice for its "
        "language (espeak-ng has many: `arvis tts voices espeak-ng`)",
        e->ops->name, e->ops->voice(e->state), arvis_script_name(voice),
        arvis_script_name(text_script));
}

static void set_error(arvis_tts_engine *e, const arvis_error *err)
{
    pthread_mutex_lock(&e->lock);
    snprintf(e->last_error, sizeof e->last_error, "%s", err->msg);
    pthread_mutex_unlock(&e->lock);
}

int arvis_tts_engine_synth(arvis_tts_engine *e, const char *text, arvis_pcm_cb cb, void *ud,
                           arvis_error *err)
{
    arvis_error local;
    err = err ? err : &local;
    arvis_error_clear(err);
    size_t len = text ? strlen(text) : 0;
    if (!text || !cb) {
        return arvis_error_set(err, ARVIS_E_INVAL, "nothing to speak");
    }
    size_t bad = 0;
    if (!arvis_utf8_valid(text, len, &bad)) {
        return arvis_error_set(err, ARVIS_E_UTF8,
                               "the text to speak is not valid UTF-8 (at byte %zu)", bad);
    }
    if (atomic_load(&e->status) == ARVIS_TTS_SPEAKING) {
        return arvis_error_set(err, ARVIS_E_STATE, "%s is already speaking", e->ops->name);
    }
    int rc = script_check(e, text, err);
    if (rc != ARVIS_OK) {
        set_error(e, err);
        return rc;
    }
    atomic_store(&e->cancel, false);
    atomic_store(&e->status, ARVIS_TTS_SPEAKING);
    struct synth_ctx c = {.e = e, .cb = cb, .ud = ud};
    char *piece = malloc(TTS_PIECE_BYTES + 1);
    if (!piece) {
        atomic_store(&e->status, ARVIS_TTS_READY);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory speaking");
    }
    size_t at = 0;
    while (rc == ARVIS_OK && at < len && !atomic_load(&e->cancel)) {
        size_t n = piece_end(text + at, len - at);
        memcpy(piece, text + at, n);
        piece[n] = '\0';
        at += n;
        if (arvis_tts_text_script(piece, n) == ARVIS_SCRIPT_NONE && !strpbrk(piece, "0123456789")) {
            continue; /* nothing an engine would say */
        }
        rc = e->ops->synth(e->state, piece, synth_emit, &c, err);
    }
    free(piece);
    if (c.stopped || atomic_load(&e->cancel)) {
        rc = arvis_error_set(err, ARVIS_E_CANCELLED, "speaking was stopped");
    } else if (rc != ARVIS_OK) {
        set_error(e, err);
    }
    bool broken = rc != ARVIS_OK && rc != ARVIS_E_CANCELLED && rc != ARVIS_E_INVAL;
    atomic_store(&e->status, broken ? ARVIS_TTS_ERROR : ARVIS_TTS_READY);
    return rc;
}

void arvis_tts_engine_cancel(arvis_tts_engine *e)
{
    if (e && atomic_load(&e->status) == ARVIS_TTS_SPEAKING) {
        atomic_store(&e->cancel, true);
    }
}

struct health_ctx {
    size_t samples;
    size_t max;
    double sum_squares;
    int rate;
};

static bool health_cb(const int16_t *pcm, size_t n, int rate, void *ud)
{
    struct health_ctx *h = ud;
    h->rate = rate;
    for (size_t i = 0; i < n; i++) {
        h->sum_squares += (double)pcm[i] * pcm[i];
    }
    h->samples += n;
    return h->samples < h->max;
}

static const char *health_phrase(arvis_script s)
{
    switch (s) {
    case ARVIS_SCRIPT_CYRILLIC:
        return "Арвис готов.";
    case ARVIS_SCRIPT_GREEK:
        return "Έτοιμο.";
    case ARVIS_SCRIPT_OTHER:
        return "1 2 3";
    default:
        return "Ready."; /* short: the check costs a fraction of a real sentence */
    }
}

int arvis_tts_engine_health(arvis_tts_engine *e, arvis_error *err)
{
    int rate = e->ops->rate(e->state);
    struct health_ctx h = {.max = (size_t)rate * HEALTH_MAX_SECONDS};
    int rc = arvis_tts_engine_synth(e, health_phrase(e->ops->script(e->state)), health_cb, &h, err);
    if (rc != ARVIS_OK && !(rc == ARVIS_E_CANCELLED && h.samples >= h.max)) {
        return rc;
    }
    double ms = h.rate > 0 ? 1000.0 * (double)h.samples / h.rate : 0;
    double rms = h.samples ? sqrt(h.sum_squares / (double)h.samples) : 0;
    /* Silence on purpose is as long as its text says: any length will do. */
    if (h.samples == 0 || (!e->ops->silent && ms < HEALTH_MIN_MS)) {
        rc = arvis_error_set(err, ARVIS_E_IO, "%s made %.0f ms of audio for a test phrase",
                             e->ops->name, ms);
    } else if (!e->ops->silent && rms < HEALTH_MIN_RMS) {
        rc = arvis_error_set(err, ARVIS_E_IO, "%s made only silence for a test phrase",
                             e->ops->name);
    } else if (e->ops->silent && rms > 0) {
        rc = arvis_error_set(err, ARVIS_E_IO, "%s made sound where it should be silent",
                             e->ops->name);
    }
    if (rc != ARVIS_OK) {
        set_error(e, err);
        atomic_store(&e->status, ARVIS_TTS_ERROR);
    }
    return rc;
}

arvis_tts_state arvis_tts_engine_state(const arvis_tts_engine *e)
{
    return (arvis_tts_state)atomic_load(&e->status);
}

const char *arvis_tts_engine_name(const arvis_tts_engine *e)
{
    return e->ops->name;
}

const char *arvis_tts_engine_voice(const arvis_tts_engine *e)
{
    return e->ops->voice(e->state);
}

int arvis_tts_engine_rate(const arvis_tts_engine *e)
{
    return e->ops->rate(e->state);
}

cJSON *arvis_tts_engine_status(const arvis_tts_engine *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "engine", e->ops->name);
    cJSON_AddStringToObject(o, "voice", e->ops->voice(e->state));
    cJSON_AddNumberToObject(o, "sample_rate", e->ops->rate(e->state));
    cJSON_AddStringToObject(o, "state", arvis_tts_state_name(arvis_tts_engine_state(e)));
    pthread_mutex_t *lock = (pthread_mutex_t *)&e->lock;
    pthread_mutex_lock(lock);
    if (e->last_error[0]) {
        cJSON_AddStringToObject(o, "last_error", e->last_error);
    } else {
        cJSON_AddNullToObject(o, "last_error");
    }
    pthread_mutex_unlock(lock);
    return o;
}

bool tts_emit_chunked(const int16_t *pcm, size_t n, int rate, size_t chunk, arvis_pcm_cb emit,
                      void *ctx)
{
    for (size_t at = 0; at < n; at += chunk) {
        size_t k = n - at < chunk ? n - at : chunk;
        if (!emit(pcm + at, k, rate, ctx)) {
            return false;
        }
    }
    return true;
}
