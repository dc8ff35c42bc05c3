/* Speech for the commands that speak: the sink chosen from --out and audio.*, the engine with its
 * fallbacks reported as warnings, the speech queue, and its figures for --stats. */
#include <stdio.h>
#include <string.h>

#include "cli_tts.h"

static void on_tts_event(const arvis_tts_event *ev, void *ud)
{
    (void)ud;
    if (ev->kind != ARVIS_TTS_SWITCHED) {
        cli_warning("%s", ev->why);
    }
}

static void on_playback_event(const arvis_playback_event *ev, void *ud)
{
    (void)ud;
    if (ev->kind == ARVIS_PLAYBACK_FALLBACK || ev->kind == ARVIS_PLAYBACK_ERROR) {
        cli_warning("%s", ev->message);
    }
}

int cli_choose_sinks(const arvis_config *cfg, const char *out, const char **sinks,
                     arvis_sink_options *so)
{
    static const char *const pulse_then_null[] = {"pulse", "null", NULL};
    const char *sink = arvis_config_string(cfg, "audio.sink");
    if (out) {
        sinks[0] = strcmp(out, "-") == 0 ? "stdout" : "file";
        so->path = out;
        return CLI_EXIT_OK; /* a file keeps the speech as made: the volume is for playing */
    }
    double volume = arvis_config_number(cfg, "audio.volume");
    if (volume <= 0) {
        sinks[0] = "null"; /* muted */
        return CLI_EXIT_OK;
    }
    so->volume = volume;
    if (strcmp(sink, "auto") == 0 || strcmp(sink, "pulse") == 0) {
        if (!arvis_pulse_available(NULL)) {
            cli_error("no sound output: no PulseAudio server answers; start one, or write the "
                      "speech to a file with --out FILE.wav (--out - for raw PCM on stdout)");
            return CLI_EXIT_UNAVAILABLE;
        }
        /* Null takes over only from a server that goes away while playing, with a warning: a
         * wrong audio.output_device fails when the playback queue opens the sink. */
        memcpy(sinks, pulse_then_null, sizeof pulse_then_null);
        return CLI_EXIT_OK;
    }
    if (strcmp(sink, "file") == 0) {
        cli_error("audio.sink is \"file\": give the file with --out FILE.wav");
        return CLI_EXIT_USAGE;
    }
    sinks[0] = sink; /* stdout or null */
    return CLI_EXIT_OK;
}

int cli_voice_open(const arvis_config *cfg, const struct cli_voice_options *o, struct cli_voice *v)
{
    memset(v, 0, sizeof *v);
    static const char *sinks[4];
    memset(sinks, 0, sizeof sinks);
    arvis_playback_options po = {
        .sinks = sinks,
        .sink = {.rate = (int)arvis_config_int(cfg, "audio.output_sample_rate"),
                 .device = arvis_config_string(cfg, "audio.output_device")},
        .cb = on_playback_event,
    };
    /* The engine first: an unknown engine or voice is bad input, whatever the sound. */
    arvis_error err;
    int rc = arvis_tts_create(cfg, o->engine, o->voice, on_tts_event, NULL, &v->tts, &err);
    if (rc != ARVIS_OK) {
        return cli_failure(rc, &err);
    }
    /* The sink opens once, at the engine's rate unless audio.output_sample_rate asks another
     * (an engine switched to later is converted to it). */
    if (!po.sink.rate) {
        po.sink.rate = arvis_tts_engine_rate(arvis_tts_engine_in_use(v->tts));
    }
    int code = cli_choose_sinks(cfg, o->out, sinks, &po.sink);
    if (code == CLI_EXIT_OK) {
        rc = arvis_speech_create(v->tts, &po, cfg, &v->speech, &err);
        code = rc == ARVIS_OK ? CLI_EXIT_OK : cli_failure(rc, &err);
    }
    if (code != CLI_EXIT_OK) {
        arvis_tts_destroy(v->tts);
        v->tts = NULL;
    }
    return code;
}

int cli_voice_close(struct cli_voice *v, bool keep)
{
    arvis_error err;
    int rc = arvis_speech_destroy(v->speech, keep, &err);
    arvis_tts_destroy(v->tts);
    memset(v, 0, sizeof *v);
    return rc == ARVIS_OK ? CLI_EXIT_OK : cli_failure(rc, &err);
}

void cli_print_speech_stats(FILE *out, const arvis_speech_stats *st, const arvis_tts *tts)
{
    arvis_tts_engine *e = arvis_tts_engine_in_use((arvis_tts *)tts);
    fprintf(out, "speech: %s, voice %s, %d Hz\n", arvis_tts_engine_name(e),
            arvis_tts_engine_voice(e), arvis_tts_engine_rate(e));
    fprintf(out, "  sentences:          %zu queued, %zu spoken, %zu characters\n", st->sentences,
            st->spoken, st->chars);
    if (st->first_audio_ms >= 0) {
        fprintf(out, "  time to first audio: %.1f ms\n", st->first_audio_ms);
    }
    fprintf(out, "  audio:              %.0f ms made in %.0f ms", st->audio_ms, st->synth_ms);
    if (st->rtf >= 0) {
        fprintf(out, " (real-time factor %.3f)", st->rtf);
    }
    fputc('\n', out);
}
