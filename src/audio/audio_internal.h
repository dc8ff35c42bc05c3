/* Shared between the files of the audio subsystem: the tables of operations every sink and every
 * source defines, the registry that lists them, and the cancel flag the playback queue hands on. */
#ifndef ARVIS_AUDIO_INTERNAL_H
#define ARVIS_AUDIO_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/audio.h"
#include "arvis/error.h"

enum {
    AUDIO_RATE_MIN = 8000,
    AUDIO_RATE_MAX = 192000,
};

/* One sink: one file defines one of these and nothing else public. sink.c does what they share
 * (volume, counting, remembering the first error), so an engine only moves samples. */
struct audio_sink_ops {
    const char *name;
    /* Opens it at o->rate (already checked); *state belongs to the sink until close or abort. */
    int (*open)(const arvis_sink_options *o, void **state, arvis_error *err);
    /* Writes all n samples (n > 0) or fails. cancel (may be NULL) is the playback queue's stop
     * flag: a sink that can block for long (a pipe nobody reads) returns ARVIS_E_CANCELLED
     * soon after it is set. A failure message says what happened in words a user understands
     * ("PulseAudio went away while playing (Connection terminated)"). */
    int (*write)(void *state, const int16_t *pcm, size_t n, const atomic_bool *cancel,
                 arvis_error *err);
    /* Blocks until what was written has been played. */
    int (*drain)(void *state, arvis_error *err);
    /* Drops what is buffered but not yet played. */
    int (*flush)(void *state, arvis_error *err);
    /* Finishes and frees the state, keeping what it was given. */
    int (*close)(void *state, arvis_error *err);
    /* Frees the state without keeping anything. */
    void (*abort)(void *state);
};

extern const struct audio_sink_ops audio_sink_file_ops;
extern const struct audio_sink_ops audio_sink_stdout_ops;
extern const struct audio_sink_ops audio_sink_null_ops;
#ifdef ARVIS_HAVE_PULSE
extern const struct audio_sink_ops audio_sink_pulse_ops;
#endif

/* The sink called name, or NULL (err then lists the sinks this build has). */
const struct audio_sink_ops *audio_sink_find(const char *name, arvis_error *err);

/* Gives the sink the playback queue's stop flag (NULL for none); see write above. */
void audio_sink_set_cancel(arvis_sink *s, const atomic_bool *cancel);

/* One source: one file defines one of these and nothing else public. source.c does what they
 * share (mixing down to mono, rate conversion, cancel, bounded buffers), so an engine only
 * reads frames as they are in its input. */
struct audio_source_ops {
    const char *name;
    /* Opens it and describes the input in *info; *state belongs to the source until close. */
    int (*open)(const arvis_source_options *o, void **state, arvis_source_info *info,
                arvis_error *err);
    /* Reads up to max frames (interleaved, info->channels samples each) at info->rate into
     * buf; *n == 0 is the end. A live source returns within ~20 ms with what it has, and
     * ARVIS_E_CANCELLED soon after cancel is set. */
    int (*read)(void *state, int16_t *buf, size_t max, size_t *n, const atomic_bool *cancel,
                arvis_error *err);
    /* Whether the input ended before the length its header announced; NULL for never. */
    bool (*truncated)(const void *state);
    void (*close)(void *state);
};

extern const struct audio_source_ops audio_source_file_ops;
extern const struct audio_source_ops audio_source_stdin_ops;
#ifdef ARVIS_HAVE_PULSE
extern const struct audio_source_ops audio_source_pulse_ops;
#endif

/* The most bytes of samples the source has held at once, whatever the length of its input
 * (what the tests of bounded memory look at). */
size_t audio_source_peak_bytes(const arvis_source *s);

#endif
