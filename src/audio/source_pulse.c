/* The "pulse" source: capture from a PulseAudio server (the simple API), mono at the rate asked
 * for, read ~20 ms at a time so a cancel is seen quickly; a machine without a server is told how
 * to use a recording instead. */
#include <stdlib.h>

#include <pulse/error.h>
#include <pulse/simple.h>

#include "audio_internal.h"

enum {
    /* Audio per read: how long a cancel may wait, and how often the server sends. */
    FRAGMENT_MS = 20,
    MS_PER_SECOND = 1000,
};

static const char APP_NAME[] = "Arvis";

struct pulse_source {
    pa_simple *pa;
    size_t fragment; /* samples per read */
};

static int no_server(const char *server, arvis_error *err)
{
    return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                           "no microphone: no PulseAudio server answers%s%s: start one "
                           "(pulseaudio --start), or read a recording instead with `arvis listen "
                           "FILE`",
                           server ? " at " : "", server ? server : "");
}

static int pulse_open(const arvis_source_options *o, void **state, arvis_source_info *info,
                      arvis_error *err)
{
    if (!arvis_pulse_available(o->server)) {
        return no_server(o->server, err);
    }
    pa_sample_spec ss = {.format = PA_SAMPLE_S16NE, .rate = (uint32_t)o->rate, .channels = 1};
    size_t fragment = (size_t)o->rate * FRAGMENT_MS / MS_PER_SECOND;
    pa_buffer_attr attr = {
        .maxlength = (uint32_t)-1,
        .tlength = (uint32_t)-1,
        .prebuf = (uint32_t)-1,
        .minreq = (uint32_t)-1,
        .fragsize = (uint32_t)(fragment * sizeof(int16_t)),
    };
    int e = 0;
    pa_simple *pa = pa_simple_new(o->server, APP_NAME, PA_STREAM_RECORD, o->device, "speech", &ss,
                                  NULL, &attr, &e);
    if (!pa && e == PA_ERR_NOENTITY) {
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                               "PulseAudio has no capture device called \"%s\": see `pactl list "
                               "short sources`, or read a recording with `arvis listen FILE`",
                               o->device ? o->device : "(default)");
    }
    if (!pa) {
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                               "cannot record through PulseAudio: %s: check the microphone, or "
                               "read a recording with `arvis listen FILE`",
                               pa_strerror(e));
    }
    struct pulse_source *s = malloc(sizeof *s);
    if (!s) {
        pa_simple_free(pa);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    s->pa = pa;
    s->fragment = fragment;
    *info =
        (arvis_source_info){.rate = o->rate, .channels = 1, .format = "PulseAudio", .frames = -1};
    *state = s;
    return ARVIS_OK;
}

/* pa_simple_read waits for all it is asked for, so it is asked for one fragment at most: the
 * server sends one every FRAGMENT_MS, and the cancel flag is looked at between them. */
static int pulse_read(void *state, int16_t *buf, size_t max, size_t *n, const atomic_bool *cancel,
                      arvis_error *err)
{
    struct pulse_source *s = state;
    *n = 0;
    if (atomic_load(cancel)) {
        return arvis_error_set(err, ARVIS_E_CANCELLED, "stopped");
    }
    size_t k = max < s->fragment ? max : s->fragment;
    int e = 0;
    if (pa_simple_read(s->pa, buf, k * sizeof *buf, &e) < 0) {
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                               "PulseAudio went away while recording (%s)", pa_strerror(e));
    }
    *n = k;
    return ARVIS_OK;
}

static void pulse_close(void *state)
{
    struct pulse_source *s = state;
    pa_simple_free(s->pa);
    free(s);
}

const struct audio_source_ops audio_source_pulse_ops = {
    .name = "pulse",
    .open = pulse_open,
    .read = pulse_read,
    .truncated = NULL,
    .close = pulse_close,
};
