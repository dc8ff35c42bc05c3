/* The flite speech engine (English), linked: its voices are compiled in, and audio streams out
 * chunk by chunk while the rest of the sentence is still being made. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <flite/flite.h>
#pragma GCC diagnostic pop

#include "tts_internal.h"

/* The voice functions flite's voice libraries define; flite's headers do not declare them. */
cst_voice *register_cmu_us_slt(const char *voxdir);
cst_voice *register_cmu_us_kal(const char *voxdir);
cst_voice *register_cmu_us_kal16(const char *voxdir);
cst_voice *register_cmu_us_awb(const char *voxdir);
cst_voice *register_cmu_us_rms(const char *voxdir);

enum {
    FLITE_CHUNK = 4096, /* samples per chunk when a voice does not stream by itself */
    /* Streamed chunks of at least this long: 100 ms takes flite about 1.5 ms to make, so the
     * first audio is hardly later, while flite's default of 256 samples wakes the playback
     * thread six times as often for nothing. */
    FLITE_STREAM_MS = 100,
};

struct flite_voice_entry {
    const char *name;
    const char *description;
    cst_voice *(*reg)(const char *voxdir);
    cst_voice *voice; /* registered on first use, kept for the life of the process */
};

static struct flite_voice_entry voices[] = {
    {"slt", "US English, female (clustergen, 16 kHz)", register_cmu_us_slt, NULL},
    {"kal", "US English, male (diphone, 8 kHz)", register_cmu_us_kal, NULL},
    {"kal16", "US English, male (diphone, 16 kHz)", register_cmu_us_kal16, NULL},
    {"awb", "Scottish English, male (clustergen, 16 kHz)", register_cmu_us_awb, NULL},
    {"rms", "US English, male (clustergen, 16 kHz)", register_cmu_us_rms, NULL},
};

enum { N_VOICES = sizeof voices / sizeof voices[0] };

/* flite keeps state in its voices and is not made for several threads at once: every use of it
 * in the process goes through this lock. */
static pthread_mutex_t flite_lock = PTHREAD_MUTEX_INITIALIZER;
static bool flite_started;

struct flite_tts {
    struct flite_voice_entry *entry;
    float stretch; /* duration_stretch: 1 / speaking rate */
    int rate;      /* sample rate of the voice */
};

static int flite_voices(arvis_tts_voice **v, size_t *n, arvis_error *err)
{
    *v = calloc(N_VOICES, sizeof **v);
    if (!*v) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory listing voices");
    }
    for (size_t i = 0; i < N_VOICES; i++) {
        snprintf((*v)[i].name, sizeof(*v)[i].name, "%s", voices[i].name);
        snprintf((*v)[i].language, sizeof(*v)[i].language, "%s", "en");
        snprintf((*v)[i].description, sizeof(*v)[i].description, "%s", voices[i].description);
    }
    *n = N_VOICES;
    return ARVIS_OK;
}

static struct flite_voice_entry *voice_entry(const char *name, arvis_error *err)
{
    arvis_tts_voice *list = NULL;
    size_t n = 0;
    if (flite_voices(&list, &n, err) != ARVIS_OK) {
        return NULL;
    }
    const arvis_tts_voice *found = tts_voice_find(list, n, name, "flite", err);
    struct flite_voice_entry *e = found ? &voices[found - list] : NULL;
    free(list);
    return e;
}

static int flite_create(const arvis_config *cfg, const char *voice, void **state, arvis_error *err)
{
    const char *name = voice ? voice : arvis_config_string(cfg, "tts.flite.voice");
    struct flite_voice_entry *entry = voice_entry(name ? name : "", err);
    if (!entry) {
        return ARVIS_E_NOTFOUND;
    }
    struct flite_tts *t = calloc(1, sizeof *t);
    if (!t) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting flite");
    }
    pthread_mutex_lock(&flite_lock);
    if (!flite_started) {
        flite_init();
        flite_started = true;
    }
    if (!entry->voice) {
        entry->voice = entry->reg(NULL);
    }
    cst_voice *v = entry->voice;
    pthread_mutex_unlock(&flite_lock);
    if (!v) {
        free(t);
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE, "flite could not load voice %s", name);
    }
    t->entry = entry;
    t->stretch = (float)(1.0 / arvis_config_number(cfg, "tts.flite.rate"));
    t->rate = flite_get_param_int(v->features, "sample_rate", 16000);
    *state = t;
    return ARVIS_OK;
}

struct flite_call {
    arvis_pcm_cb emit;
    void *ctx;
    bool streamed; /* the voice streamed audio through stream_cb */
    bool stopped;
};

static int stream_cb(const cst_wave *w, int start, int size, int last,
                     cst_audio_streaming_info *asi)
{
    (void)last;
    struct flite_call *c = asi->userdata;
    c->streamed = true;
    if (size > 0 && !c->emit(w->samples + start, (size_t)size, w->sample_rate, c->ctx)) {
        c->stopped = true;
        return CST_AUDIO_STREAM_STOP;
    }
    return CST_AUDIO_STREAM_CONT;
}

static int flite_synth(void *state, const char *text, arvis_pcm_cb emit, void *ctx,
                       arvis_error *err)
{
    struct flite_tts *t = state;
    struct flite_call c = {.emit = emit, .ctx = ctx};
    pthread_mutex_lock(&flite_lock);
    cst_voice *v = t->entry->voice;
    cst_audio_streaming_info *asi = new_audio_streaming_info();
    asi->asc = stream_cb;
    asi->userdata = &c;
    asi->min_buffsize = t->rate * FLITE_STREAM_MS / 1000;
    flite_feat_set(v->features, "streaming_info", audio_streaming_info_val(asi));
    flite_feat_set_float(v->features, "duration_stretch", t->stretch);
    cst_utterance *u = flite_synth_text(text, v);
    flite_feat_remove(v->features, "streaming_info");
    int rc = ARVIS_OK;
    if (!u) {
        rc = arvis_error_set(err, ARVIS_E_IO, "flite could not speak the text");
    } else if (!c.streamed && !c.stopped) {
        const cst_wave *w = utt_wave(u);
        if (w && w->num_samples > 0 &&
            !tts_emit_chunked(w->samples, (size_t)w->num_samples, w->sample_rate, FLITE_CHUNK, emit,
                              ctx)) {
            c.stopped = true;
        }
    }
    delete_utterance(u);
    pthread_mutex_unlock(&flite_lock);
    return c.stopped ? ARVIS_E_CANCELLED : rc;
}

static int flite_rate(const void *state)
{
    return ((const struct flite_tts *)state)->rate;
}

static const char *flite_voice(const void *state)
{
    return ((const struct flite_tts *)state)->entry->name;
}

static arvis_script flite_script(const void *state)
{
    (void)state;
    return ARVIS_SCRIPT_LATIN;
}

const struct tts_engine_ops tts_flite_ops = {
    .name = "flite",
    .description = "flite: small, fast English voices compiled in",
    .voices = flite_voices,
    .create = flite_create,
    .synth = flite_synth,
    .rate = flite_rate,
    .voice = flite_voice,
    .script = flite_script,
    .destroy = free,
};
