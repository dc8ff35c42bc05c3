/* The espeak-ng speech engine (over a hundred languages, Russian among them), linked rather than
 * run as a process: no process start per sentence, audio streams back block by block through a
 * callback that can stop it, and errors come back as codes instead of text on a pipe. */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <espeak-ng/speak_lib.h>

#include "tts_internal.h"

enum {
    ESPEAK_BUFFER_MS = 50, /* audio handed back in blocks this long: the granularity of a stop */
    VOICE_MAX = 64,
};

/* espeak-ng keeps one global state (voice, parameters, callback): every use of it in the process
 * goes through this lock, and the voice is set again only when it changed. */
static pthread_mutex_t espeak_lock = PTHREAD_MUTEX_INITIALIZER;
static int espeak_rate; /* sample rate after initialisation; 0 before, < 0 when it failed */
static char espeak_voice_set[VOICE_MAX];

struct espeak_tts {
    char voice[VOICE_MAX];
    int words_per_minute;
    int pitch;
    arvis_script script;
};

struct espeak_call {
    arvis_pcm_cb emit;
    void *ctx;
    bool stopped;
};

/* Languages by script, for telling a user that a voice cannot read a text. Languages in none of
 * these lists are taken to read anything. */
static const char *const cyrillic[] = {"ru", "uk", "be", "bg", "mk",      "kk", "ky",
                                       "ba", "tt", "cv", "mn", "sr-cyrl", NULL};
static const char *const greek[] = {"el", "grc", NULL};
static const char *const latin[] = {
    "af", "an", "az", "bs", "ca", "cs",  "cy", "da", "de",  "en",  "eo", "es", "et", "eu",
    "fi", "fr", "ga", "gd", "hr", "ht",  "hu", "ia", "id",  "is",  "it", "la", "lt", "lv",
    "mi", "ms", "mt", "nb", "nl", "pl",  "pt", "ro", "sk",  "sl",  "sq", "sr", "sv", "sw",
    "tn", "tr", "vi", "lb", "io", "jbo", "qu", "om", "pap", "haw", NULL};

static bool in_list(const char *const *list, const char *lang)
{
    for (size_t i = 0; list[i]; i++) {
        size_t n = strlen(list[i]);
        if (strncmp(lang, list[i], n) == 0 && (lang[n] == '\0' || lang[n] == '-')) {
            return true;
        }
    }
    return false;
}

static arvis_script script_of(const char *lang)
{
    if (in_list(cyrillic, lang)) {
        return ARVIS_SCRIPT_CYRILLIC;
    }
    if (in_list(greek, lang)) {
        return ARVIS_SCRIPT_GREEK;
    }
    return in_list(latin, lang) ? ARVIS_SCRIPT_LATIN : ARVIS_SCRIPT_OTHER;
}

static int synth_cb(short *wav, int n, espeak_EVENT *events)
{
    struct espeak_call *c = events ? events[0].user_data : NULL;
    if (!c || !wav || n <= 0) {
        return 0;
    }
    if (!c->emit(wav, (size_t)n, espeak_rate, c->ctx)) {
        c->stopped = true;
        return 1;
    }
    return 0;
}

/* Starts espeak-ng once per process; with espeak_lock held. */
static int start_locked(arvis_error *err)
{
    if (espeak_rate == 0) {
        espeak_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, ESPEAK_BUFFER_MS, NULL, 0);
        if (espeak_rate > 0) {
            espeak_SetSynthCallback(synth_cb);
        } else {
            espeak_rate = -1;
        }
    }
    if (espeak_rate < 0) {
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                               "espeak-ng could not start: is its data installed? (Debian "
                               "package espeak-ng-data)");
    }
    return ARVIS_OK;
}

static void lower_copy(char *dst, size_t size, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < size; i++) {
        dst[i] = (char)tolower((unsigned char)src[i]);
    }
    dst[i] = '\0';
}

static int espeak_voices(arvis_tts_voice **v, size_t *n, arvis_error *err)
{
    *v = NULL;
    *n = 0;
    pthread_mutex_lock(&espeak_lock);
    int rc = start_locked(err);
    const espeak_VOICE **list = rc == ARVIS_OK ? espeak_ListVoices(NULL) : NULL;
    size_t count = 0;
    while (list && list[count]) {
        count++;
    }
    if (rc == ARVIS_OK && !(*v = calloc(count ? count : 1, sizeof **v))) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory listing voices");
    }
    for (size_t i = 0; rc == ARVIS_OK && i < count; i++) {
        /* languages: a priority byte, then the name, for each language the voice speaks */
        const char *lang = list[i]->languages ? list[i]->languages + 1 : "";
        lower_copy((*v)[i].name, sizeof(*v)[i].name, lang);
        lower_copy((*v)[i].language, sizeof(*v)[i].language, lang);
        snprintf((*v)[i].description, sizeof(*v)[i].description, "%s", list[i]->name);
    }
    pthread_mutex_unlock(&espeak_lock);
    if (rc == ARVIS_OK) {
        *n = count;
    }
    return rc;
}

static int espeak_create(const arvis_config *cfg, const char *voice, void **state, arvis_error *err)
{
    const char *name = voice ? voice : arvis_config_string(cfg, "tts.espeak-ng.voice");
    char wanted[VOICE_MAX];
    lower_copy(wanted, sizeof wanted, name ? name : "");
    char base[VOICE_MAX];
    snprintf(base, sizeof base, "%.*s", (int)strcspn(wanted, "+"), wanted); /* "en-us+f3" */
    arvis_tts_voice *list = NULL;
    size_t n = 0;
    int rc = espeak_voices(&list, &n, err);
    if (rc == ARVIS_OK && !tts_voice_find(list, n, base, "espeak-ng", err)) {
        rc = ARVIS_E_NOTFOUND;
    }
    free(list);
    if (rc != ARVIS_OK) {
        return rc;
    }
    struct espeak_tts *t = calloc(1, sizeof *t);
    if (!t) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting espeak-ng");
    }
    snprintf(t->voice, sizeof t->voice, "%s", wanted);
    t->words_per_minute = (int)arvis_config_int(cfg, "tts.espeak-ng.rate");
    t->pitch = (int)arvis_config_int(cfg, "tts.espeak-ng.pitch");
    t->script = script_of(base);
    *state = t;
    return ARVIS_OK;
}

static int espeak_synth(void *state, const char *text, arvis_pcm_cb emit, void *ctx,
                        arvis_error *err)
{
    struct espeak_tts *t = state;
    struct espeak_call c = {.emit = emit, .ctx = ctx};
    pthread_mutex_lock(&espeak_lock);
    int rc = ARVIS_OK;
    if (strcmp(espeak_voice_set, t->voice) != 0) {
        if (espeak_SetVoiceByName(t->voice) != EE_OK) {
            rc = arvis_error_set(err, ARVIS_E_NOTFOUND, "espeak-ng could not load voice %s",
                                 t->voice);
        } else {
            snprintf(espeak_voice_set, sizeof espeak_voice_set, "%s", t->voice);
        }
    }
    if (rc == ARVIS_OK) {
        espeak_SetParameter(espeakRATE, t->words_per_minute, 0);
        espeak_SetParameter(espeakPITCH, t->pitch, 0);
        espeak_ERROR e =
            espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, &c);
        if (e != EE_OK && !c.stopped) {
            rc = arvis_error_set(err, ARVIS_E_IO, "espeak-ng could not speak the text (error %d)",
                                 (int)e);
        }
    }
    pthread_mutex_unlock(&espeak_lock);
    return c.stopped ? ARVIS_E_CANCELLED : rc;
}

static int espeak_rate_of(const void *state)
{
    (void)state;
    return espeak_rate;
}

static const char *espeak_voice(const void *state)
{
    return ((const struct espeak_tts *)state)->voice;
}

static arvis_script espeak_script(const void *state)
{
    return ((const struct espeak_tts *)state)->script;
}

const struct tts_engine_ops tts_espeak_ops = {
    .name = "espeak-ng",
    .description = "espeak-ng: over a hundred languages, Russian among them",
    .voices = espeak_voices,
    .create = espeak_create,
    .synth = espeak_synth,
    .rate = espeak_rate_of,
    .voice = espeak_voice,
    .script = espeak_script,
    .destroy = free,
};
