/* What voice, run and listen share: the sound source, the assistant with its sinks, and the
 * events printed as they happen (lines for people, or one JSON object per line with --json). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli_assistant.h"
#include "cli_tts.h"

int cli_turn_option(const char *command, int argc, char **argv, int i, struct cli_turn_options *o,
                    int *code)
{
    const char *arg = argv[i];
    bool has_value = i + 1 < argc;
    if (strcmp(arg, "--json") == 0) {
        o->json = true;
        return 1;
    }
    if (strcmp(arg, "--stats") == 0) {
        o->stats = true;
        return 1;
    }
    if (strcmp(arg, "--no-history") == 0) {
        o->history = false;
        return 1;
    }
    const char **value = strcmp(arg, "--in") == 0       ? &o->in
                         : strcmp(arg, "--out") == 0    ? &o->out
                         : strcmp(arg, "--engine") == 0 ? &o->engine
                         : strcmp(arg, "--voice") == 0  ? &o->voice
                                                        : NULL;
    if (!value && strcmp(arg, "--rate") != 0) {
        return 0;
    }
    if (!has_value) {
        *code = cli_usage_error(command, "%s needs a value", arg);
        return -1;
    }
    if (value) {
        *value = argv[i + 1];
        return 2;
    }
    char *end = NULL;
    long rate = strtol(argv[i + 1], &end, 10);
    if (*end || rate < 8000 || rate > 192000) {
        *code = cli_usage_error(command, "--rate takes a sample rate from 8000 to 192000 Hz");
        return -1;
    }
    o->in_rate = (int)rate;
    return 2;
}

int cli_open_source(const arvis_config *cfg, const struct cli_turn_options *o, arvis_source **src)
{
    arvis_source_options so = {.rate = ARVIS_STT_RATE, .in_rate = o->in_rate};
    const char *name = "pulse";
    if (o->in) {
        name = strcmp(o->in, "-") == 0 ? "stdin" : "file";
        so.path = o->in;
    } else {
        const char *conf = arvis_config_string(cfg, "audio.source");
        name = strcmp(conf, "auto") == 0 ? "pulse" : conf;
        so.device = arvis_config_string(cfg, "audio.input_device");
        if (strcmp(name, "file") == 0) {
            cli_error("audio.source is \"file\": give the recording with --in FILE");
            return CLI_EXIT_USAGE;
        }
    }
    arvis_error err;
    int rc = arvis_source_open(name, &so, src, &err);
    if (rc == ARVIS_E_UNAVAILABLE && !o->in) {
        cli_error("%s; to hear a recording instead, give it with --in FILE", err.msg);
        return CLI_EXIT_UNAVAILABLE;
    }
    return rc == ARVIS_OK ? CLI_EXIT_OK : cli_failure(rc, &err);
}

static void emit_json(const arvis_event *ev)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "event", arvis_event_kind_name(ev->kind));
    cJSON_AddNumberToObject(o, "turn", (double)ev->turn);
    if (ev->kind == ARVIS_EVENT_STATE) {
        cJSON_AddStringToObject(o, "state", arvis_state_name(ev->state));
    }
    if (ev->text) {
        char *copy = strndup(ev->text, ev->len);
        cJSON_AddStringToObject(o, "text", copy ? copy : "");
        free(copy);
    }
    if (ev->kind == ARVIS_EVENT_ERROR) {
        cJSON_AddStringToObject(o, "code", arvis_strerror(ev->code));
    }
    if (ev->kind == ARVIS_EVENT_TURN_END) {
        const arvis_turn_stats *st = ev->stats;
        cJSON_AddStringToObject(o, "request", ev->request);
        cJSON_AddStringToObject(o, "answer", ev->answer);
        cJSON_AddStringToObject(o, "answered_by", st->answered_by);
        if (st->skill) {
            cJSON_AddStringToObject(o, "skill", st->skill);
        }
        cJSON_AddBoolToObject(o, "cancelled", st->cancelled);
        cJSON *t = cJSON_AddObjectToObject(o, "timings_ms");
        cJSON_AddNumberToObject(t, "stt", st->stt_ms);
        cJSON_AddNumberToObject(t, "transcript", st->transcript_ms);
        cJSON_AddNumberToObject(t, "first_token", st->first_token_ms);
        cJSON_AddNumberToObject(t, "first_sentence", st->first_sentence_ms);
        cJSON_AddNumberToObject(t, "first_audio", st->first_audio_ms);
        cJSON_AddNumberToObject(t, "total", st->total_ms);
        cJSON_AddNumberToObject(t, "llm_first_sentence", st->llm_first_sentence_ms);
        cJSON_AddNumberToObject(o, "audio_s", st->audio_s);
    }
    char *line = arvis_json_print(o, 0);
    if (line) {
        puts(line);
        fflush(stdout);
    }
    free(line);
    cJSON_Delete(o);
}

static void print_event(const arvis_event *ev, struct cli_turn_printer *p)
{
    switch (ev->kind) {
    case ARVIS_EVENT_WAKE:
        fprintf(stderr, "arvis: (wake phrase heard)\n");
        break;
    case ARVIS_EVENT_TRANSCRIPT:
        fprintf(p->text, "you: %.*s\n", (int)ev->len, ev->text);
        break;
    case ARVIS_EVENT_TOKEN:
        if (!p->answering) {
            fputs("arvis: ", p->text);
            p->answering = true;
        }
        fprintf(p->text, "%.*s", (int)ev->len, ev->text);
        break;
    case ARVIS_EVENT_ERROR:
        cli_error("%.*s", (int)ev->len, ev->text);
        break;
    case ARVIS_EVENT_NOTICE:
        fprintf(stderr, "arvis: %.*s\n", (int)ev->len, ev->text);
        break;
    case ARVIS_EVENT_TURN_END:
        if (p->answering) {
            fputc('\n', p->text);
            p->answering = false;
        }
        fflush(p->text);
        if (p->o->stats) {
            cli_print_turn_stats(stderr, ev->stats);
        }
        break;
    default:
        break;
    }
    fflush(p->text);
}

static void on_event(const arvis_event *ev, void *ud)
{
    struct cli_turn_printer *p = ud;
    if (ev->kind == ARVIS_EVENT_TURN_END) {
        p->turns++;
        p->failed += strcmp(ev->stats->answered_by, "error") == 0;
        p->last = *ev->stats;
    }
    if (p->o->json) {
        emit_json(ev);
    } else {
        print_event(ev, p);
    }
}

static void on_playback(const arvis_playback_event *ev, void *ud)
{
    (void)ud;
    if (ev->kind == ARVIS_PLAYBACK_FALLBACK || ev->kind == ARVIS_PLAYBACK_ERROR) {
        cli_warning("%s", ev->message);
    }
}

int cli_assistant_open(const arvis_config *cfg, const struct cli_turn_options *o,
                       struct cli_turn_printer *p, arvis_assistant **a)
{
    static const char *sinks[4];
    memset(sinks, 0, sizeof sinks);
    memset(p, 0, sizeof *p);
    p->o = o;
    p->text = o->out && strcmp(o->out, "-") == 0 ? stderr : stdout;
    arvis_assistant_options ao = {
        .cfg = cfg,
        .hear = true,
        .speak = true,
        .use_history = o->history,
        .tts_engine = o->engine,
        .tts_voice = o->voice,
        .playback = {.sinks = sinks,
                     .sink = {.rate = (int)arvis_config_int(cfg, "audio.output_sample_rate"),
                              .device = arvis_config_string(cfg, "audio.output_device")},
                     .cb = on_playback},
        .cb = on_event,
        .ud = p,
        .health_monitor = o->monitor,
    };
    int code = cli_choose_sinks(cfg, o->out, sinks, &ao.playback.sink);
    if (code != CLI_EXIT_OK) {
        return code;
    }
    cli_watch_open(cfg, o->json, true, &p->watch);
    ao.notify = p->watch.notify;
    ao.metrics = p->watch.metrics;
    if (o->monitor) {
        p->watch.audit = cli_audit_open(cfg, "health checks go on");
        ao.audit = p->watch.audit;
    }
    arvis_error err;
    int rc = arvis_assistant_create(&ao, a, &err);
    if (rc != ARVIS_OK) {
        cli_watch_close(&p->watch);
        return cli_failure(rc, &err);
    }
    atomic_store(&p->watch.assistant, *a);
    return CLI_EXIT_OK;
}

void cli_assistant_close(struct cli_turn_printer *p, arvis_assistant *a)
{
    arvis_assistant_destroy(a);
    atomic_store(&p->watch.assistant, NULL);
    cli_watch_close(&p->watch);
}

static void timing(FILE *out, const char *name, double ms)
{
    if (ms >= 0) {
        fprintf(out, "  %-30s %8.1f ms\n", name, ms);
    }
}

void cli_print_turn_stats(FILE *out, const arvis_turn_stats *st)
{
    fprintf(out, "turn: answered by %s%s%s%s\n", st->skill ? "the skill " : "",
            st->skill ? st->skill : st->answered_by, st->cancelled ? " (cancelled)" : "",
            st->audio_s > 0 ? ", from the end of speech:" : ", from the request:");
    if (st->audio_s > 0) {
        fprintf(out, "  %-30s %8.2f s (real-time factor %.3f)\n", "speech heard", st->audio_s,
                st->stt_rtf);
    }
    timing(out, "transcript", st->transcript_ms);
    timing(out, "first token", st->first_token_ms);
    timing(out, "first sentence", st->first_sentence_ms);
    timing(out, "first audio", st->first_audio_ms);
    timing(out, "all spoken", st->total_ms);
    timing(out, "model's own first sentence", st->llm_first_sentence_ms);
}
