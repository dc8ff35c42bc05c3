/* The sink registry and what every sink shares: opening by name, volume, counting samples, and
 * the first failure, which a sink keeps answering with from then on. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/buf.h"
#include "audio_internal.h"

enum {
    VOLUME_BLOCK = 2048, /* samples scaled at once, on the stack */
    NAMES_TEXT_MAX = 128,
};

static const struct audio_sink_ops *const sinks[] = {
#ifdef ARVIS_HAVE_PULSE
    &audio_sink_pulse_ops,
#endif
    &audio_sink_file_ops,
    &audio_sink_stdout_ops,
    &audio_sink_null_ops,
};

enum { N_SINKS = sizeof sinks / sizeof sinks[0] };

struct arvis_sink {
    const struct audio_sink_ops *ops;
    void *state;
    int rate;
    double volume;
    uint64_t samples;
    const atomic_bool *cancel;
    int failed; /* the first failure's status, ARVIS_OK until then */
    char failure[ARVIS_ERROR_MSG_MAX];
};

static const char *names[N_SINKS + 1];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void fill_names(void)
{
    for (size_t i = 0; i < N_SINKS; i++) {
        names[i] = sinks[i]->name;
    }
}

const char *const *arvis_sink_names(void)
{
    pthread_once(&names_once, fill_names);
    return names;
}

const struct audio_sink_ops *audio_sink_find(const char *name, arvis_error *err)
{
    for (size_t i = 0; name && i < N_SINKS; i++) {
        if (strcmp(sinks[i]->name, name) == 0) {
            return sinks[i];
        }
    }
    arvis_buf known;
    arvis_buf_init(&known, NAMES_TEXT_MAX);
    arvis_buf_join(&known, arvis_sink_names(), ", ");
    arvis_error_set(err, ARVIS_E_NOTFOUND, "no audio sink called \"%s\": this build has %s",
                    name ? name : "", arvis_buf_str(&known));
    arvis_buf_free(&known);
    return NULL;
}

int arvis_sink_open(const char *name, const arvis_sink_options *opts, arvis_sink **out,
                    arvis_error *err)
{
    *out = NULL;
    const struct audio_sink_ops *ops = audio_sink_find(name, err);
    if (!ops) {
        return ARVIS_E_NOTFOUND;
    }
    if (opts->rate < AUDIO_RATE_MIN || opts->rate > AUDIO_RATE_MAX) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "cannot open the %s sink at %d Hz: rates go from %d to %d Hz", name,
                               opts->rate, AUDIO_RATE_MIN, AUDIO_RATE_MAX);
    }
    if (!(opts->volume >= 0.0 && opts->volume <= 1.0)) {
        return arvis_error_set(err, ARVIS_E_INVAL, "volume %g is outside 0 to 1", opts->volume);
    }
    arvis_sink *s = calloc(1, sizeof *s);
    if (!s) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    s->ops = ops;
    s->rate = opts->rate;
    s->volume = opts->volume > 0.0 ? opts->volume : 1.0;
    int rc = ops->open(opts, &s->state, err);
    if (rc != ARVIS_OK) {
        free(s);
        return rc;
    }
    *out = s;
    return ARVIS_OK;
}

#ifndef ARVIS_HAVE_PULSE
bool arvis_pulse_available(const char *server)
{
    (void)server;
    return false; /* this build has no PulseAudio */
}
#endif

void audio_sink_set_cancel(arvis_sink *s, const atomic_bool *cancel)
{
    s->cancel = cancel;
}

/* Passes a sink's status on to the caller, remembering the first real failure (a stop is
 * not one). */
static int report(arvis_sink *s, int rc, const arvis_error *e, arvis_error *err)
{
    if (rc == ARVIS_OK) {
        return rc;
    }
    const char *msg = e->msg[0] ? e->msg : arvis_strerror(rc);
    if (rc != ARVIS_E_CANCELLED && s->failed == ARVIS_OK) {
        s->failed = rc;
        snprintf(s->failure, sizeof s->failure, "%s", msg);
    }
    return arvis_error_set(err, rc, "%s", msg);
}

static int write_scaled(arvis_sink *s, const int16_t *pcm, size_t n, arvis_error *e)
{
    int16_t block[VOLUME_BLOCK];
    for (size_t done = 0; done < n;) {
        size_t k = n - done < VOLUME_BLOCK ? n - done : VOLUME_BLOCK;
        for (size_t i = 0; i < k; i++) {
            block[i] = (int16_t)lrint(pcm[done + i] * s->volume);
        }
        int rc = s->ops->write(s->state, block, k, s->cancel, e);
        if (rc != ARVIS_OK) {
            return rc;
        }
        s->samples += k;
        done += k;
    }
    return ARVIS_OK;
}

int arvis_sink_write(arvis_sink *s, const int16_t *pcm, size_t n, arvis_error *err)
{
    if (s->failed != ARVIS_OK) {
        return arvis_error_set(err, s->failed, "%s", s->failure);
    }
    if (n == 0) {
        return ARVIS_OK;
    }
    arvis_error e;
    arvis_error_clear(&e);
    int rc;
    if (s->volume == 1.0) {
        rc = s->ops->write(s->state, pcm, n, s->cancel, &e);
        s->samples += rc == ARVIS_OK ? n : 0;
    } else {
        rc = write_scaled(s, pcm, n, &e);
    }
    return report(s, rc, &e, err);
}

int arvis_sink_drain(arvis_sink *s, arvis_error *err)
{
    if (s->failed != ARVIS_OK) {
        return arvis_error_set(err, s->failed, "%s", s->failure);
    }
    arvis_error e;
    arvis_error_clear(&e);
    return report(s, s->ops->drain(s->state, &e), &e, err);
}

int arvis_sink_flush(arvis_sink *s, arvis_error *err)
{
    if (s->failed != ARVIS_OK) {
        return arvis_error_set(err, s->failed, "%s", s->failure);
    }
    arvis_error e;
    arvis_error_clear(&e);
    return report(s, s->ops->flush(s->state, &e), &e, err);
}

int arvis_sink_close(arvis_sink *s, arvis_error *err)
{
    if (!s) {
        return ARVIS_OK;
    }
    int rc;
    if (s->failed != ARVIS_OK) {
        /* What it holds is broken (a file cut short): keep none of it. */
        s->ops->abort(s->state);
        rc = arvis_error_set(err, s->failed, "%s", s->failure);
    } else {
        rc = s->ops->close(s->state, err);
    }
    free(s);
    return rc;
}

void arvis_sink_abort(arvis_sink *s)
{
    if (!s) {
        return;
    }
    s->ops->abort(s->state);
    free(s);
}

const char *arvis_sink_name(const arvis_sink *s)
{
    return s->ops->name;
}

int arvis_sink_rate(const arvis_sink *s)
{
    return s->rate;
}

uint64_t arvis_sink_samples(const arvis_sink *s)
{
    return s->samples;
}
