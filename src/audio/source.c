/* The source registry and what every source shares: opening by name, mixing down to mono,
 * conversion to the rate asked for, cancel, and buffers whose size never depends on the input. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/buf.h"
#include "audio_internal.h"

enum {
    DEFAULT_RATE = 16000, /* what speech recognisers take */
    /* Samples read from an engine at once (all channels): 32 KB, so a file of any length or
     * channel count costs the same. */
    CHUNK_SAMPLES = 16384,
    NAMES_TEXT_MAX = 128,
};

static const struct audio_source_ops *const sources[] = {
    &audio_source_file_ops,
    &audio_source_stdin_ops,
#ifdef ARVIS_HAVE_PULSE
    &audio_source_pulse_ops,
#endif
};

enum { N_SOURCES = sizeof sources / sizeof sources[0] };

struct arvis_source {
    const struct audio_source_ops *ops;
    void *state;
    arvis_source_info info;
    int rate;
    atomic_bool cancel;
    bool ended;
    arvis_resampler *rs; /* NULL when the input is at the output rate */
    int16_t *frames;     /* CHUNK_SAMPLES, as the engine reads them */
    int16_t *pending;    /* converted samples not yet handed out (the resampler's) */
    size_t pending_n, pending_off;
    size_t peak_bytes;
};

static const char *names[N_SOURCES + 1];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void fill_names(void)
{
    for (size_t i = 0; i < N_SOURCES; i++) {
        names[i] = sources[i]->name;
    }
}

const char *const *arvis_source_names(void)
{
    pthread_once(&names_once, fill_names);
    return names;
}

static const struct audio_source_ops *find(const char *name, arvis_error *err)
{
    for (size_t i = 0; name && i < N_SOURCES; i++) {
        if (strcmp(sources[i]->name, name) == 0) {
            return sources[i];
        }
    }
    arvis_buf known;
    arvis_buf_init(&known, NAMES_TEXT_MAX);
    arvis_buf_join(&known, arvis_source_names(), ", ");
    arvis_error_set(err, ARVIS_E_NOTFOUND, "no audio source called \"%s\": this build has %s",
                    name ? name : "", arvis_buf_str(&known));
    arvis_buf_free(&known);
    return NULL;
}

/* The buffers and the converter, once the engine has said what it delivers. */
static int prepare(arvis_source *s, arvis_error *err)
{
    if (s->info.channels < 1 || s->info.channels > CHUNK_SAMPLES) {
        return arvis_error_set(err, ARVIS_E_PARSE,
                               "the %s source has %d channels: give mono or stereo audio",
                               s->ops->name, s->info.channels);
    }
    s->frames = malloc(CHUNK_SAMPLES * sizeof *s->frames);
    if (!s->frames) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    s->peak_bytes = CHUNK_SAMPLES * sizeof *s->frames;
    if (s->info.rate == s->rate) {
        return ARVIS_OK;
    }
    return arvis_resampler_create(s->info.rate, s->rate, &s->rs, err);
}

int arvis_source_open(const char *name, const arvis_source_options *o, arvis_source **out,
                      arvis_error *err)
{
    *out = NULL;
    const struct audio_source_ops *ops = find(name, err);
    if (!ops) {
        return ARVIS_E_NOTFOUND;
    }
    int rate = o->rate ? o->rate : DEFAULT_RATE;
    if (rate < AUDIO_RATE_MIN || rate > AUDIO_RATE_MAX) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "cannot read audio at %d Hz: rates go from %d to %d Hz", rate,
                               AUDIO_RATE_MIN, AUDIO_RATE_MAX);
    }
    arvis_source *s = calloc(1, sizeof *s);
    if (!s) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    s->ops = ops;
    s->rate = rate;
    atomic_init(&s->cancel, false);
    arvis_source_options with_rate = *o;
    with_rate.rate = rate;
    int rc = ops->open(&with_rate, &s->state, &s->info, err);
    if (rc != ARVIS_OK) {
        free(s);
        return rc;
    }
    rc = prepare(s, err);
    if (rc != ARVIS_OK) {
        arvis_source_close(s);
        return rc;
    }
    *out = s;
    return ARVIS_OK;
}

/* Averages each frame's channels into one sample, in place (a frame's mono sample lands at or
 * before where the frame began). The sum of a frame fits in 32 bits, so nothing overflows. */
static void mix_down(int16_t *x, size_t frames, int channels)
{
    if (channels == 1) {
        return;
    }
    for (size_t f = 0; f < frames; f++) {
        int32_t sum = 0;
        for (int c = 0; c < channels; c++) {
            sum += x[f * (size_t)channels + (size_t)c];
        }
        x[f] = (int16_t)(sum / channels);
    }
}

/* Reads up to max frames from the engine and mixes them into s->frames as mono. */
static int read_mono(arvis_source *s, size_t max, size_t *n, arvis_error *err)
{
    size_t room = CHUNK_SAMPLES / (size_t)s->info.channels;
    int rc = s->ops->read(s->state, s->frames, max < room ? max : room, n, &s->cancel, err);
    if (rc == ARVIS_OK) {
        mix_down(s->frames, *n, s->info.channels);
    }
    return rc;
}

static void drop_pending(arvis_source *s)
{
    free(s->pending);
    s->pending = NULL;
    s->pending_n = s->pending_off = 0;
}

/* Runs the next chunk of input through the converter into pending (possibly nothing yet, as
 * the filter holds a few samples back); at the end of the input, what it still holds. */
static int refill(arvis_source *s, arvis_error *err)
{
    size_t got = 0;
    int rc = read_mono(s, CHUNK_SAMPLES, &got, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    s->ended = got == 0;
    drop_pending(s);
    rc = arvis_resample(s->rs, s->frames, got, s->ended, &s->pending, &s->pending_n, err);
    size_t held = CHUNK_SAMPLES * sizeof *s->frames + s->pending_n * sizeof *s->pending;
    if (held > s->peak_bytes) {
        s->peak_bytes = held;
    }
    return rc;
}

static int cancelled(arvis_error *err)
{
    return arvis_error_set(err, ARVIS_E_CANCELLED, "stopped");
}

/* With conversion: hands out what the converter made, refilling it until there is some. */
static int read_converted(arvis_source *s, int16_t *buf, size_t max, size_t *n, arvis_error *err)
{
    while (s->pending_off == s->pending_n) {
        if (s->ended) {
            return ARVIS_OK;
        }
        if (atomic_load(&s->cancel)) {
            return cancelled(err);
        }
        int rc = refill(s, err);
        if (rc != ARVIS_OK) {
            return rc;
        }
    }
    size_t k = s->pending_n - s->pending_off;
    *n = k < max ? k : max;
    memcpy(buf, s->pending + s->pending_off, *n * sizeof *buf);
    s->pending_off += *n;
    return ARVIS_OK;
}

int arvis_source_read(arvis_source *s, int16_t *buf, size_t max, size_t *n, arvis_error *err)
{
    *n = 0;
    if (atomic_load(&s->cancel)) {
        return cancelled(err);
    }
    if (max == 0) {
        return ARVIS_OK;
    }
    if (s->rs) {
        return read_converted(s, buf, max, n, err);
    }
    if (s->ended) {
        return ARVIS_OK;
    }
    if (s->info.channels == 1) {
        size_t k = max < CHUNK_SAMPLES ? max : CHUNK_SAMPLES;
        int rc = s->ops->read(s->state, buf, k, n, &s->cancel, err);
        s->ended = rc == ARVIS_OK && *n == 0;
        return rc;
    }
    int rc = read_mono(s, max, n, err);
    if (rc == ARVIS_OK) {
        memcpy(buf, s->frames, *n * sizeof *buf);
        s->ended = *n == 0;
    }
    return rc;
}

void arvis_source_cancel(arvis_source *s)
{
    atomic_store(&s->cancel, true);
}

void arvis_source_close(arvis_source *s)
{
    if (!s) {
        return;
    }
    s->ops->close(s->state);
    arvis_resampler_destroy(s->rs);
    free(s->frames);
    free(s->pending);
    free(s);
}

int arvis_source_rate(const arvis_source *s)
{
    return s->rate;
}

const char *arvis_source_name(const arvis_source *s)
{
    return s->ops->name;
}

void arvis_source_get_info(const arvis_source *s, arvis_source_info *info)
{
    *info = s->info;
}

bool arvis_source_truncated(const arvis_source *s)
{
    return s->ops->truncated && s->ops->truncated(s->state);
}

size_t audio_source_peak_bytes(const arvis_source *s)
{
    return s->peak_bytes;
}
