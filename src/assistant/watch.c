/* What the assistant reports about itself: notifications (model failures, fallbacks, storage
 * problems, health changes from the periodic monitor) and each turn's figures in the metrics
 * registry. The subsystems it reports to know nothing of the assistant. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "assistant_internal.h"

void assistant_notify(arvis_assistant *a, arvis_notify_level level, const char *component,
                      const char *fmt, ...)
{
    if (!a->o.notify) {
        return;
    }
    char message[ARVIS_NOTIFY_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    arvis_notify_send(a->o.notify, level, component, message);
}

static void on_health_change(const arvis_health_change *c, void *ud)
{
    arvis_assistant *a = ud;
    arvis_notify_health_change(a->o.notify, c);
}

int assistant_watch_start(arvis_assistant *a, arvis_error *err)
{
    if (!a->o.health_monitor) {
        return ARVIS_OK;
    }
    int rc = arvis_health_create(a->cfg, &a->health, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    arvis_health_monitor_options mo = {.change_cb = on_health_change, .ud = a, .audit = a->o.audit};
    return arvis_health_monitor_start(a->health, &mo, &a->monitor, err);
}

void assistant_watch_stop(arvis_assistant *a)
{
    arvis_metrics_system_destroy(a->system);
    a->system = NULL;
    arvis_health_monitor_stop(a->monitor);
    a->monitor = NULL;
    arvis_health_destroy(a->health);
    a->health = NULL;
}

/* ms, or -1 unknown, in seconds (unknown stays below 0). */
static double seconds(double ms)
{
    return ms < 0 ? -1 : ms / 1000;
}

int arvis_record_llm_answer(arvis_metrics *reg, const arvis_llm_stats *s, bool error,
                            bool cancelled, arvis_error *err)
{
    arvis_metrics_llm_turn lt = {
        .ttft_s = seconds(s->ttft_ms),
        .tokens_per_s = s->tokens_per_s,
        .server_tokens_per_s = s->server_tokens_per_s,
        .tokens = s->eval_tokens >= 0 ? (double)s->eval_tokens : (double)s->chunks,
        .error = error,
        .cancelled = cancelled,
    };
    return arvis_metrics_record_llm(reg, &lt, err);
}

void assistant_record_turn(arvis_assistant *a, const arvis_turn_stats *st)
{
    arvis_metrics *reg = a->o.metrics;
    if (!reg) {
        return;
    }
    arvis_error err;
    int rc = ARVIS_OK;
    if (strcmp(st->answered_by, "llm") == 0 || strcmp(st->answered_by, "error") == 0) {
        rc = arvis_record_llm_answer(reg, &st->llm, strcmp(st->answered_by, "error") == 0,
                                     st->cancelled, &err);
    }
    if (rc == ARVIS_OK && a->tts && st->speech.sentences) {
        arvis_metrics_speech sp = {.first_audio_s = seconds(st->speech.first_audio_ms),
                                   .rtf = st->speech.rtf,
                                   .chars = (double)st->speech.chars};
        rc = arvis_metrics_record_speech(
            reg, &sp, arvis_tts_engine_name(arvis_tts_engine_in_use(a->tts)), &err);
    }
    if (rc == ARVIS_OK && st->audio_s > 0) {
        rc = arvis_metrics_record_stt(reg, st->audio_s, st->stt_ms / 1000,
                                      seconds(st->transcript_ms), (double)st->words, &err);
    }
    if (rc == ARVIS_OK) {
        rc = arvis_metrics_record_turn(reg, seconds(st->first_audio_ms), seconds(st->total_ms),
                                       &err);
    }
    if (rc != ARVIS_OK) {
        assistant_notify(a, ARVIS_NOTIFY_WARNING, "metrics", "%s", err.msg);
    }
    /* The machine's and the process's figures after each turn too: what it cost shows. */
    assistant_sample_system(a);
}

void assistant_schedule_system(arvis_assistant *a)
{
    int64_t interval_s = arvis_config_int(a->cfg, "metrics.system_interval");
    a->system_due_ms = a->o.metrics && interval_s > 0 && !a->system_failed
                           ? arvis_clock_ns() / 1000000u + (uint64_t)interval_s * 1000u
                           : UINT64_MAX;
}

void assistant_sample_system(arvis_assistant *a)
{
    a->system_due_ms = UINT64_MAX;
    if (!a->o.metrics || arvis_config_int(a->cfg, "metrics.system_interval") <= 0 ||
        a->system_failed) {
        return;
    }
    arvis_error err;
    int rc = ARVIS_OK;
    if (!a->system) {
        rc = arvis_metrics_system_create(a->o.metrics, arvis_config_bool(a->cfg, "metrics.gpu"),
                                         NULL, &a->system, &err);
    }
    if (rc == ARVIS_OK) {
        rc = arvis_metrics_system_sample(a->system, &err);
    }
    if (rc != ARVIS_OK) {
        /* Said once: sampling stops rather than repeat it every interval and turn. */
        assistant_notify(a, ARVIS_NOTIFY_WARNING, "metrics", "%s", err.msg);
        a->system_failed = true;
        return;
    }
    assistant_schedule_system(a);
}

/* The cue: a tone of CUE_MS at a pitch rising with the level, faded in and out so it does not
 * click. */
enum { CUE_RATE = 16000, CUE_MS = 120, CUE_FADE_MS = 15 };
static const double CUE_TWO_PI = 6.283185307179586;

int arvis_assistant_cue(arvis_assistant *a, int level, arvis_error *err)
{
    if (!a->speech) {
        return arvis_error_set(err, ARVIS_E_STATE, "the assistant was started without sound");
    }
    /* Not during a turn: the answer tells the user, and its first audio must be its own. Not
     * from the playback thread (a sink failing): the push would wait for that very thread. */
    if (atomic_load(&a->turn) || assistant_on_playback_thread) {
        return ARVIS_OK;
    }
    static const double pitch[] = {440, 523, 659, 784, 988}; /* debug ... critical */
    int l = level < 0 ? 0 : level > 4 ? 4 : level;
    size_t n = (size_t)CUE_RATE * (size_t)(CUE_MS + 40 * l) / 1000;
    size_t fade = (size_t)CUE_RATE * CUE_FADE_MS / 1000;
    int16_t *tone = malloc(n * sizeof *tone);
    if (!tone) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory making a sound cue");
    }
    for (size_t i = 0; i < n; i++) {
        double gain = i < fade ? (double)i / fade : n - i < fade ? (double)(n - i) / fade : 1;
        tone[i] = (int16_t)(8000 * gain * sin(CUE_TWO_PI * pitch[l] * (double)i / CUE_RATE));
    }
    int rc = arvis_playback_push(arvis_speech_playback(a->speech), tone, n, CUE_RATE, err);
    free(tone);
    return rc;
}
