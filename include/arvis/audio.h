/* Sound out: sinks (PulseAudio, WAV file, raw PCM on stdout, null) behind one interface, sample
 * rate conversion, and the playback queue that feeds a sink from its own thread. */
#ifndef ARVIS_AUDIO_H
#define ARVIS_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* All audio inside Arvis is signed 16-bit mono PCM in native byte order at a stated rate. */

/* ---- Sample rate conversion (libsamplerate) ---- */

typedef struct arvis_resampler arvis_resampler;

/* A streaming converter from one rate to another (8000 to 192000 Hz each). */
int arvis_resampler_create(int from_rate, int to_rate, arvis_resampler **out, arvis_error *err);
void arvis_resampler_destroy(arvis_resampler *r);

/* Converts n samples, keeping state between calls so chunk edges are seamless; `last` flushes
 * what the filter still holds, after which the converter starts afresh. *out (the caller frees)
 * receives *out_n samples, possibly none. */
int arvis_resample(arvis_resampler *r, const int16_t *in, size_t n, bool last, int16_t **out,
                   size_t *out_n, arvis_error *err);

/* ---- Sinks: where audio goes ---- */

typedef struct arvis_sink arvis_sink;

typedef struct arvis_sink_options {
    const char *path;     /* "file": the WAV file to write (written atomically on close) */
    const char *device;   /* "pulse": playback device, NULL for the server's default */
    const char *server;   /* "pulse": server address, NULL for the usual one ($PULSE_SERVER) */
    const char *app_name; /* "pulse": how the stream is named, NULL for "Arvis" */
    int rate;             /* the rate the sink is opened at (8000 to 192000) */
    double volume;        /* 0 to 1, applied to the samples; 0 is taken as 1 when unset */
} arvis_sink_options;

/* Names of the sinks this build has, NULL-terminated: "pulse", "file", "stdout", "null". */
const char *const *arvis_sink_names(void);

/* Opens the sink `name`. ARVIS_E_NOTFOUND for an unknown name (err lists the known ones),
 * ARVIS_E_UNAVAILABLE when no PulseAudio server answers, ARVIS_E_IO/PERM for an unwritable
 * path, ARVIS_E_INVAL for a path that is a folder or device, or for "stdout" when standard
 * output is a terminal; err always says what to do. */
int arvis_sink_open(const char *name, const arvis_sink_options *opts, arvis_sink **out,
                    arvis_error *err);

/* Writes n samples at the sink's rate; blocks while a playing device's buffer is full. */
int arvis_sink_write(arvis_sink *s, const int16_t *pcm, size_t n, arvis_error *err);

/* Blocks until what was written has been played (nothing to do for files). */
int arvis_sink_drain(arvis_sink *s, arvis_error *err);

/* Drops what is buffered but not yet played (stop). */
int arvis_sink_flush(arvis_sink *s, arvis_error *err);

/* Finishes and closes the sink: a file sink completes its file and moves it into place.
 * Returns the first error seen by the sink, if any. NULL is allowed. */
int arvis_sink_close(arvis_sink *s, arvis_error *err);

/* Closes without keeping anything: a file sink removes its temporary file. NULL is allowed. */
void arvis_sink_abort(arvis_sink *s);

const char *arvis_sink_name(const arvis_sink *s);
int arvis_sink_rate(const arvis_sink *s);

/* Samples written so far. */
uint64_t arvis_sink_samples(const arvis_sink *s);

/* Whether a PulseAudio server answers (at server, or the usual one for NULL), quickly and
 * silently. */
bool arvis_pulse_available(const char *server);

/* ---- The playback queue: chunks played in order on a thread of their own ---- */

typedef enum arvis_playback_event_kind {
    ARVIS_PLAYBACK_STARTED,  /* the first samples after an idle queue reached the sink (idle:
                                at the start, and after FINISHED or STOPPED) */
    ARVIS_PLAYBACK_MARK,     /* the queue reached a mark (arvis_playback_mark): what came
                                before it has been handed to the sink (but for the few
                                milliseconds a rate conversion holds until the next chunk) */
    ARVIS_PLAYBACK_FINISHED, /* everything before arvis_playback_finish has been played */
    ARVIS_PLAYBACK_STOPPED,  /* arvis_playback_stop dropped what was queued or playing (a stop
                                with nothing to stop sends none) */
    ARVIS_PLAYBACK_FALLBACK, /* the sink failed; the next one in the list took over (message) */
    ARVIS_PLAYBACK_ERROR,    /* the sink failed and no other could be opened (message) */
} arvis_playback_event_kind;

typedef struct arvis_playback_event {
    arvis_playback_event_kind kind;
    uint64_t tag;        /* MARK: the tag given to arvis_playback_mark */
    const char *sink;    /* the sink in use after the event */
    const char *message; /* FALLBACK and ERROR: what happened; otherwise NULL */
} arvis_playback_event;

/* Called on the playback thread; must not call back into the queue except
 * arvis_playback_paused. */
typedef void (*arvis_playback_cb)(const arvis_playback_event *ev, void *ud);

typedef struct arvis_playback_options {
    const char *const *sinks; /* sink names, NULL-terminated: the first must open; the next ones
                                 take over, in order, when it fails while playing */
    arvis_sink_options sink;  /* for every sink; rate 0 means the rate of the first chunk */
    size_t max_queued;        /* samples that may wait; push blocks beyond it (0: 10 s worth) */
    arvis_playback_cb cb;
    void *ud;
} arvis_playback_options;

typedef struct arvis_playback arvis_playback;

/* Opens the first sink of o->sinks, failing when it does not open (the sink is opened at once
 * when o->sink.rate is set, else at the first chunk; then it is tried at once, opened and closed
 * again, so that a sink that cannot open is reported here) and starts the playback thread. */
int arvis_playback_create(const arvis_playback_options *o, arvis_playback **out, arvis_error *err);

/* Stops (as arvis_playback_stop), joins the thread and closes the sink, keeping what a file
 * sink was given. Returns the sink's close status. NULL is allowed. */
int arvis_playback_destroy(arvis_playback *pb, arvis_error *err);

/* Like arvis_playback_destroy, but a file sink's file is dropped rather than completed, and an
 * earlier file at its path is left as it was (a command that failed). NULL is allowed. */
void arvis_playback_abort(arvis_playback *pb);

/* Queues a copy of n samples at `rate` (resampled to the sink's rate when it differs). Blocks
 * while the queue is full (a chunk larger than the whole queue goes in once it is empty);
 * returns ARVIS_E_CANCELLED when a stop came meanwhile. */
int arvis_playback_push(arvis_playback *pb, const int16_t *pcm, size_t n, int rate,
                        arvis_error *err);

/* Queues a mark: the MARK event with tag fires when the audio queued before it is played. */
int arvis_playback_mark(arvis_playback *pb, uint64_t tag);

/* Ends the current utterance: FINISHED fires once its audio has been played and drained. */
int arvis_playback_finish(arvis_playback *pb);

/* Blocks until the queue is empty and the sink drained (after a finish or a stop; while paused
 * with audio queued, until resumed). Returns the error of a sink that failed with nothing to
 * fall back on, else ARVIS_OK. */
int arvis_playback_wait(arvis_playback *pb, arvis_error *err);

/* Drops everything queued and what the sink holds; returns once the playback thread has stopped
 * writing (within one buffer, ~20 ms). The queue then takes new audio again. Any thread. */
void arvis_playback_stop(arvis_playback *pb);

void arvis_playback_pause(arvis_playback *pb);
void arvis_playback_resume(arvis_playback *pb);
bool arvis_playback_paused(const arvis_playback *pb);

/* The sink in use now (NULL before it is opened). */
const char *arvis_playback_sink(const arvis_playback *pb);

/* ---- Sources: where audio comes from ---- */

typedef struct arvis_source arvis_source;

typedef struct arvis_source_options {
    const char *path;   /* "file": the sound file (WAV, FLAC, OGG...; any rate, depth, channels) */
    const char *device; /* "pulse": capture device, NULL for the server's default */
    const char *server; /* "pulse": server address, NULL for the usual one */
    int in_rate;        /* "stdin": rate of the raw s16le mono PCM read (0: the output rate) */
    int rate;           /* the rate every read delivers, mono; 0 for 16000 */
} arvis_source_options;

/* What was opened, as it is in the file or device (not as delivered). */
typedef struct arvis_source_info {
    int rate;           /* samples per second of the input */
    int channels;       /* mixed down to one */
    const char *format; /* "WAV 16-bit", "FLAC 24-bit", "raw s16le", "PulseAudio"...: static */
    int64_t frames;     /* frames the header announces, -1 when not known (live, stdin) */
} arvis_source_info;

/* Names of the sources this build has, NULL-terminated: "file", "stdin", "pulse". */
const char *const *arvis_source_names(void);

/* Opens the source `name`. "file": ARVIS_E_NOTFOUND or ARVIS_E_PERM when it cannot be opened,
 * ARVIS_E_PARSE when it is not a sound file we can read (err says what it looks like: a text
 * file, an empty file...); "pulse": ARVIS_E_UNAVAILABLE when no server answers or there is no
 * capture device. err always says what to do. */
int arvis_source_open(const char *name, const arvis_source_options *o, arvis_source **out,
                      arvis_error *err);

/* Reads up to max samples, mono at arvis_source_rate, into buf; *n receives how many. ARVIS_OK
 * with *n == 0 is the end of the input. A live source blocks until audio comes (at most ~20 ms
 * at a time between checks of the cancel flag); ARVIS_E_CANCELLED after arvis_source_cancel.
 * Memory stays bounded whatever the length of the input. */
int arvis_source_read(arvis_source *s, int16_t *buf, size_t max, size_t *n, arvis_error *err);

/* Makes a blocked or later read return ARVIS_E_CANCELLED. Any thread. */
void arvis_source_cancel(arvis_source *s);

/* Closes the source. NULL is allowed. */
void arvis_source_close(arvis_source *s);

int arvis_source_rate(const arvis_source *s);
const char *arvis_source_name(const arvis_source *s);
void arvis_source_get_info(const arvis_source *s, arvis_source_info *info);

/* True when the input ended before the length its header announced (a truncated file): what
 * was there has been delivered. */
bool arvis_source_truncated(const arvis_source *s);

#ifdef __cplusplus
}
#endif

#endif
