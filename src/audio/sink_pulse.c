/* The "pulse" sink: playback through a PulseAudio server (the simple API) with a short buffer, so
 * a stop is heard within ~50 ms; and the quick, silent check whether a server answers at all. */
#include <stdio.h>
#include <stdlib.h>

#include <pulse/context.h>
#include <pulse/error.h>
#include <pulse/mainloop.h>
#include <pulse/rtclock.h>
#include <pulse/simple.h>
#include <pulse/timeval.h>

#include "audio_internal.h"

enum {
    /* Audio the server holds ahead of the speaker: what a stop still lets out. */
    TARGET_LATENCY_MS = 50,
    /* How long the check waits for a server's handshake. A local server answers in a few
     * milliseconds; a busy machine or a network server takes some hundreds. */
    PROBE_TIMEOUT_MS = 1000,
    SERVER_NAME_MAX = 512,
};

static const char DEFAULT_APP_NAME[] = "Arvis";

struct probe {
    bool done;
    bool ok;
};

static void probe_state_cb(pa_context *c, void *ud)
{
    struct probe *p = ud;
    pa_context_state_t st = pa_context_get_state(c);
    if (st == PA_CONTEXT_READY) {
        p->ok = p->done = true;
    } else if (st == PA_CONTEXT_FAILED || st == PA_CONTEXT_TERMINATED) {
        p->done = true;
    }
}

static void probe_timeout_cb(pa_mainloop_api *api, pa_time_event *e, const struct timeval *tv,
                             void *ud)
{
    (void)api;
    (void)e;
    (void)tv;
    ((struct probe *)ud)->done = true;
}

/* Connects to server (NULL: the usual places) and copies the address that answered into found.
 * Never starts a server: autospawn would make a check into a side effect, and the simple API
 * below is then given the address found, so it cannot spawn one either. */
static bool probe(const char *server, char *found, size_t size)
{
    pa_mainloop *ml = pa_mainloop_new();
    if (!ml) {
        return false;
    }
    pa_mainloop_api *api = pa_mainloop_get_api(ml);
    pa_context *c = pa_context_new(api, "Arvis check");
    struct probe p = {false, false};
    if (c) {
        pa_context_set_state_callback(c, probe_state_cb, &p);
        if (pa_context_connect(c, server, PA_CONTEXT_NOAUTOSPAWN, NULL) >= 0) {
            pa_usec_t deadline = pa_rtclock_now() + (pa_usec_t)PROBE_TIMEOUT_MS * PA_USEC_PER_MSEC;
            pa_time_event *t = pa_context_rttime_new(c, deadline, probe_timeout_cb, &p);
            while (t && !p.done && pa_mainloop_iterate(ml, 1, NULL) >= 0) {
            }
            if (t) {
                api->time_free(t);
            }
        }
        const char *reached = p.ok ? pa_context_get_server(c) : NULL;
        if (found) {
            snprintf(found, size, "%s", reached ? reached : "");
        }
        pa_context_disconnect(c);
        pa_context_unref(c);
    }
    pa_mainloop_free(ml);
    return p.ok;
}

bool arvis_pulse_available(const char *server)
{
    return probe(server, NULL, 0);
}

static int pulse_open(const arvis_sink_options *o, void **state, arvis_error *err)
{
    char server[SERVER_NAME_MAX];
    if (!probe(o->server, server, sizeof server)) {
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                               "no PulseAudio server answers%s%s: start one (pulseaudio --start) "
                               "or choose another sink (audio.sink: file, stdout or null)",
                               o->server ? " at " : "", o->server ? o->server : "");
    }
    pa_sample_spec ss = {.format = PA_SAMPLE_S16NE, .rate = (uint32_t)o->rate, .channels = 1};
    pa_buffer_attr attr = {
        .maxlength = (uint32_t)-1,
        .tlength = (uint32_t)pa_usec_to_bytes((pa_usec_t)TARGET_LATENCY_MS * PA_USEC_PER_MSEC, &ss),
        .prebuf = (uint32_t)-1,
        .minreq = (uint32_t)-1,
        .fragsize = (uint32_t)-1,
    };
    const char *address = server[0] ? server : o->server;
    int e = 0;
    pa_simple *s = pa_simple_new(address, o->app_name ? o->app_name : DEFAULT_APP_NAME,
                                 PA_STREAM_PLAYBACK, o->device, "speech", &ss, NULL, &attr, &e);
    if (!s && e == PA_ERR_NOENTITY && o->device) {
        return arvis_error_set(err, ARVIS_E_NOTFOUND,
                               "PulseAudio has no playback device called \"%s\": see `pactl list "
                               "short sinks`, or set audio.output_device to null for the default",
                               o->device);
    }
    if (!s) {
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE, "cannot play through PulseAudio at %s: %s",
                               address ? address : "its usual address", pa_strerror(e));
    }
    *state = s;
    return ARVIS_OK;
}

static int lost(int e, arvis_error *err)
{
    return arvis_error_set(err, ARVIS_E_UNAVAILABLE, "PulseAudio went away while playing (%s)",
                           pa_strerror(e));
}

static int pulse_write(void *state, const int16_t *pcm, size_t n, const atomic_bool *cancel,
                       arvis_error *err)
{
    (void)cancel; /* blocks for at most the server's short buffer */
    int e = 0;
    if (pa_simple_write(state, pcm, n * sizeof *pcm, &e) < 0) {
        return lost(e, err);
    }
    return ARVIS_OK;
}

static int pulse_drain(void *state, arvis_error *err)
{
    int e = 0;
    return pa_simple_drain(state, &e) < 0 ? lost(e, err) : ARVIS_OK;
}

static int pulse_flush(void *state, arvis_error *err)
{
    int e = 0;
    return pa_simple_flush(state, &e) < 0 ? lost(e, err) : ARVIS_OK;
}

static int pulse_close(void *state, arvis_error *err)
{
    int rc = pulse_drain(state, err);
    pa_simple_free(state);
    return rc;
}

static void pulse_abort(void *state)
{
    pa_simple_free(state);
}

const struct audio_sink_ops audio_sink_pulse_ops = {
    .name = "pulse",
    .open = pulse_open,
    .write = pulse_write,
    .drain = pulse_drain,
    .flush = pulse_flush,
    .close = pulse_close,
    .abort = pulse_abort,
};
