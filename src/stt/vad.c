/* Voice activity detection: frame energy against an adaptive noise floor (the minimum of the
 * recent past), with hysteresis, a pre-roll before each start and a cut of overlong utterances. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/stt.h"

enum {
    FRAME_MS = 10,    /* energy is measured per frame of this length */
    SMOOTH = 3,       /* frames averaged into one level: a 30 ms window rides over pitch periods */
    SUB_FRAMES = 25,  /* the floor keeps one minimum per block of this many frames (250 ms)... */
    SUBS = 10,        /* ...over this many blocks: the floor follows a new noise within 2.5 s */
    PREROLL_MS = 250, /* START is put this far before the first loud frame: the first phoneme */
    GAP_MS = 100,     /* a pause this long in sound that was not yet sure to be speech drops it */
    /* A START also takes in the sound just before it, back over pauses shorter than this, that
     * the floor known now shows was speech: at the start of a stream the floor is not yet known,
     * so a recording that begins with speech would lose its first words. */
    LOOKBACK_GAP_MS = 200,
    LOOKBACK_FRAMES = 150, /* 1.5 s: with the pre-roll, within what callers keep (2 s) */
    MIN_RATE = 8000,
    MAX_RATE = 48000,
    MIN_TRAILING_MS = FRAME_MS,
    MAX_TRAILING_MS = 60000,
    MIN_UTTERANCE_MS = 500,
    MAX_UTTERANCE_MS = 3600000,
    MAX_MIN_SPEECH_MS = 60000,
    /* Events waiting for a caller that does not collect them: past this, feed refuses audio. */
    PENDING_MAX = 4096,
    PENDING_FIRST = 16,
};

/* A frame is loud when its level is this far above the noise floor (dB)... */
static const double START_MARGIN_DB = 10.0;
/* ...and an utterance goes on while frames stay this far above it (hysteresis). */
static const double STAY_MARGIN_DB = 7.0;
/* Below this level (dB of full scale) nothing is speech, however quiet the room. */
static const double ABSOLUTE_FLOOR_DB = -55.0;
/* Levels of digital silence are clamped here so their logarithm stays finite. */
static const double SILENCE_DB = -120.0;
static const double FULL_SCALE = 32768.0;

/* What the options come to, in frames and samples. */
struct vad_params {
    arvis_vad_options o;
    size_t frame;             /* samples per frame */
    unsigned trailing_frames; /* quiet frames that end an utterance */
    unsigned min_speech_frames;
    unsigned gap_frames;
    unsigned lookback_gap_frames;
    uint64_t preroll;     /* samples */
    uint64_t max_samples; /* longest utterance */
};

/* Everything a reset forgets. */
struct vad_state {
    double acc;   /* sum of squares of the frame being filled */
    size_t acc_n; /* samples in it */
    uint64_t pos; /* samples in complete frames */

    double power[SMOOTH]; /* mean squares of the last frames, a ring */
    unsigned n_power;     /* frames seen, up to SMOOTH */
    unsigned power_at;

    double sub_min[SUBS]; /* minimum level of each finished block, a ring */
    unsigned n_subs;
    unsigned sub_at;
    double cur_min; /* minimum level of the block being filled */
    unsigned cur_frames;

    double past[LOOKBACK_FRAMES]; /* levels of the last frames, a ring by frame number */
    uint64_t frames;              /* frames measured */

    bool candidate;      /* loud sound that may become speech */
    uint64_t cand_start; /* sample where it began */
    unsigned cand_loud;
    unsigned cand_quiet;

    bool in_speech;
    uint64_t utt_start; /* sample of the START reported */
    unsigned quiet_run;
    uint64_t boundary; /* last END or CUT: no START goes before it */
};

struct arvis_vad {
    struct vad_params p;
    struct vad_state s;
    arvis_vad_event *pending; /* found, not yet handed to the caller */
    size_t n_pending;
    size_t cap_pending;
};

arvis_vad_options arvis_vad_options_from_config(const arvis_config *cfg)
{
    return (arvis_vad_options){
        .rate = ARVIS_STT_RATE,
        .trailing_silence_ms = (int)arvis_config_int(cfg, "stt.vad.trailing_silence_ms"),
        .max_utterance_ms = (int)arvis_config_int(cfg, "stt.vad.max_utterance_ms"),
        .min_speech_ms = (int)arvis_config_int(cfg, "stt.vad.min_speech_ms"),
    };
}

static int check_range(const char *what, int v, int lo, int hi, arvis_error *err)
{
    if (v < lo || v > hi) {
        return arvis_error_set(err, ARVIS_E_INVAL, "VAD %s %d is outside %d to %d", what, v, lo,
                               hi);
    }
    return ARVIS_OK;
}

static int check_options(const arvis_vad_options *o, arvis_error *err)
{
    int rc = check_range("rate", o->rate, MIN_RATE, MAX_RATE, err);
    if (rc == ARVIS_OK) {
        rc = check_range("trailing_silence_ms", o->trailing_silence_ms, MIN_TRAILING_MS,
                         MAX_TRAILING_MS, err);
    }
    if (rc == ARVIS_OK) {
        rc = check_range("max_utterance_ms", o->max_utterance_ms, MIN_UTTERANCE_MS,
                         MAX_UTTERANCE_MS, err);
    }
    if (rc == ARVIS_OK) {
        rc = check_range("min_speech_ms", o->min_speech_ms, 0, MAX_MIN_SPEECH_MS, err);
    }
    return rc;
}

static unsigned frames_of(int ms)
{
    unsigned n = (unsigned)(ms + FRAME_MS - 1) / FRAME_MS;
    return n ? n : 1;
}

static uint64_t samples_of(int ms, int rate)
{
    return (uint64_t)ms * (uint64_t)rate / 1000;
}

int arvis_vad_create(const arvis_vad_options *o, arvis_vad **out, arvis_error *err)
{
    *out = NULL;
    if (!o) {
        return arvis_error_set(err, ARVIS_E_INVAL, "VAD options are missing");
    }
    arvis_vad_options opt = *o;
    if (opt.rate == 0) {
        opt.rate = ARVIS_STT_RATE;
    }
    int rc = check_options(&opt, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    arvis_vad *v = calloc(1, sizeof *v);
    if (!v) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting the VAD");
    }
    v->p.o = opt;
    v->p.frame = (size_t)samples_of(FRAME_MS, opt.rate);
    v->p.trailing_frames = frames_of(opt.trailing_silence_ms);
    v->p.min_speech_frames = frames_of(opt.min_speech_ms);
    v->p.gap_frames = frames_of(GAP_MS);
    v->p.lookback_gap_frames = frames_of(LOOKBACK_GAP_MS);
    v->p.preroll = samples_of(PREROLL_MS, opt.rate);
    v->p.max_samples = samples_of(opt.max_utterance_ms, opt.rate);
    arvis_vad_reset(v);
    *out = v;
    return ARVIS_OK;
}

void arvis_vad_destroy(arvis_vad *v)
{
    if (v) {
        free(v->pending);
        free(v);
    }
}

void arvis_vad_reset(arvis_vad *v)
{
    v->s = (struct vad_state){.cur_min = INFINITY};
    v->n_pending = 0;
}

bool arvis_vad_in_speech(const arvis_vad *v)
{
    return v->s.in_speech;
}

static int push(arvis_vad *v, arvis_vad_event_kind kind, uint64_t sample)
{
    if (v->n_pending == v->cap_pending) {
        size_t cap = v->cap_pending ? 2 * v->cap_pending : PENDING_FIRST;
        arvis_vad_event *p = realloc(v->pending, cap * sizeof *p);
        if (!p) {
            return ARVIS_E_NOMEM;
        }
        v->pending = p;
        v->cap_pending = cap;
    }
    v->pending[v->n_pending++] = (arvis_vad_event){.kind = kind, .sample = sample};
    return ARVIS_OK;
}

/* The level of the last SMOOTH frames in dB of full scale. */
static double level_db(arvis_vad *v, double power)
{
    v->s.power[v->s.power_at] = power;
    v->s.power_at = (v->s.power_at + 1) % SMOOTH;
    if (v->s.n_power < SMOOTH) {
        v->s.n_power++;
    }
    double sum = 0;
    for (unsigned i = 0; i < v->s.n_power; i++) {
        sum += v->s.power[i];
    }
    double mean = sum / v->s.n_power / (FULL_SCALE * FULL_SCALE);
    double db = mean > 0 ? 10.0 * log10(mean) : SILENCE_DB;
    return db > SILENCE_DB ? db : SILENCE_DB;
}

/* Minimum statistics: the floor is the lowest level of the last SUBS blocks and the current
 * one. Speech always has pauses between syllables and words, so its minimum is the noise under
 * it, while a steady noise becomes the floor itself within the window. */
static double noise_floor(arvis_vad *v, double level)
{
    if (level < v->s.cur_min) {
        v->s.cur_min = level;
    }
    double floor = v->s.cur_min;
    for (unsigned i = 0; i < v->s.n_subs; i++) {
        floor = v->s.sub_min[i] < floor ? v->s.sub_min[i] : floor;
    }
    if (++v->s.cur_frames == SUB_FRAMES) {
        v->s.sub_min[v->s.sub_at] = v->s.cur_min;
        v->s.sub_at = (v->s.sub_at + 1) % SUBS;
        if (v->s.n_subs < SUBS) {
            v->s.n_subs++;
        }
        v->s.cur_min = INFINITY;
        v->s.cur_frames = 0;
    }
    return floor;
}

/* The first frame of the sound that led to the candidate: back from it over frames above the
 * floor as it is known now, across pauses shorter than LOOKBACK_GAP_MS, as far as the levels
 * kept and the last utterance allow. */
static uint64_t sound_start(const arvis_vad *v, double floor)
{
    uint64_t first = v->s.cand_start / v->p.frame;
    uint64_t oldest = v->s.frames > LOOKBACK_FRAMES ? v->s.frames - LOOKBACK_FRAMES : 0;
    uint64_t after = (v->s.boundary + v->p.frame - 1) / v->p.frame;
    oldest = oldest > after ? oldest : after;
    unsigned quiet = 0;
    for (uint64_t f = first; f > oldest && quiet < v->p.lookback_gap_frames;) {
        double level = v->s.past[--f % LOOKBACK_FRAMES];
        bool sound = level >= ABSOLUTE_FLOOR_DB && level >= floor + STAY_MARGIN_DB;
        quiet = sound ? 0 : quiet + 1;
        first = sound ? f : first;
    }
    return first * v->p.frame;
}

static int start_utterance(arvis_vad *v, double floor)
{
    v->s.cand_start = sound_start(v, floor);
    uint64_t at = v->s.cand_start > v->p.preroll ? v->s.cand_start - v->p.preroll : 0;
    v->s.utt_start = at > v->s.boundary ? at : v->s.boundary;
    v->s.in_speech = true;
    v->s.candidate = false;
    v->s.quiet_run = 0;
    return push(v, ARVIS_VAD_START, v->s.utt_start);
}

static int end_utterance(arvis_vad *v, arvis_vad_event_kind kind, uint64_t at)
{
    v->s.in_speech = false;
    v->s.boundary = at;
    return push(v, kind, at);
}

static int outside_speech(arvis_vad *v, bool loud, uint64_t frame_start, double floor)
{
    if (loud) {
        if (!v->s.candidate) {
            v->s.candidate = true;
            v->s.cand_start = frame_start;
            v->s.cand_loud = 0;
        }
        v->s.cand_quiet = 0;
        return ++v->s.cand_loud >= v->p.min_speech_frames ? start_utterance(v, floor) : ARVIS_OK;
    }
    if (v->s.candidate && ++v->s.cand_quiet > v->p.gap_frames) {
        v->s.candidate = false;
    }
    return ARVIS_OK;
}

static int inside_speech(arvis_vad *v, bool stays, uint64_t frame_end)
{
    v->s.quiet_run = stays ? 0 : v->s.quiet_run + 1;
    if (v->s.quiet_run >= v->p.trailing_frames) {
        return end_utterance(v, ARVIS_VAD_END, frame_end);
    }
    if (frame_end - v->s.utt_start >= v->p.max_samples) {
        return end_utterance(v, ARVIS_VAD_CUT, v->s.utt_start + v->p.max_samples);
    }
    return ARVIS_OK;
}

static int frame_done(arvis_vad *v)
{
    double level = level_db(v, v->s.acc / (double)v->p.frame);
    double floor = noise_floor(v, level);
    v->s.past[v->s.frames++ % LOOKBACK_FRAMES] = level;
    uint64_t start = v->s.pos;
    v->s.pos += v->p.frame;
    v->s.acc = 0;
    v->s.acc_n = 0;
    bool audible = level >= ABSOLUTE_FLOOR_DB;
    if (v->s.in_speech) {
        return inside_speech(v, audible && level >= floor + STAY_MARGIN_DB, v->s.pos);
    }
    return outside_speech(v, audible && level >= floor + START_MARGIN_DB, start, floor);
}

static size_t deliver(arvis_vad *v, arvis_vad_event *ev, size_t max_ev)
{
    size_t k = v->n_pending < max_ev ? v->n_pending : max_ev;
    if (k) {
        memcpy(ev, v->pending, k * sizeof *ev);
        memmove(v->pending, v->pending + k, (v->n_pending - k) * sizeof *ev);
        v->n_pending -= k;
    }
    return k;
}

int arvis_vad_feed(arvis_vad *v, const int16_t *pcm, size_t n, arvis_vad_event *ev, size_t max_ev,
                   size_t *n_ev)
{
    if (n_ev) {
        *n_ev = 0;
    }
    if (!v || !n_ev || (!pcm && n) || (!ev && max_ev)) {
        return ARVIS_E_INVAL;
    }
    /* Refusing whole calls keeps the events a function of the samples accepted; a call without
     * samples still collects. */
    if (n && v->n_pending > PENDING_MAX) {
        return ARVIS_E_TOOBIG;
    }
    int rc = ARVIS_OK;
    for (size_t i = 0; i < n && rc == ARVIS_OK; i++) {
        v->s.acc += (double)pcm[i] * pcm[i];
        if (++v->s.acc_n == v->p.frame) {
            rc = frame_done(v);
        }
    }
    *n_ev = deliver(v, ev, max_ev);
    return rc;
}
