/* The names of the figures Arvis's components record (one table: type, help, unit, buckets),
 * and functions that record an LLM answer, a spoken answer, a recognition and a turn. */
#include <string.h>

#include "metrics_internal.h"

/* Real-time factors: work time over audio time, fast engines far below 1. */
static const double rtf_buckets[] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5};
/* Generation speeds, from a slow CPU to a served GPU. */
static const double rate_buckets[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};

#define BUCKETS(b) (b), sizeof(b) / sizeof((b)[0])

static const arvis_metric_info table[] = {
    {"arvis_llm_ttft_seconds", ARVIS_METRIC_HISTOGRAM, "LLM request sent to first text.", "s", NULL,
     NULL, 0},
    {"arvis_llm_tokens_per_second", ARVIS_METRIC_HISTOGRAM,
     "LLM generation speed measured by Arvis.", "tokens/s", NULL, BUCKETS(rate_buckets)},
    {"arvis_llm_server_tokens_per_second", ARVIS_METRIC_HISTOGRAM,
     "LLM generation speed as the server reports it.", "tokens/s", NULL, BUCKETS(rate_buckets)},
    {"arvis_llm_tokens_total", ARVIS_METRIC_COUNTER, "Tokens the LLM generated.", "tokens", NULL,
     NULL, 0},
    {"arvis_llm_errors_total", ARVIS_METRIC_COUNTER, "LLM requests that failed.", "", NULL, NULL,
     0},
    {"arvis_llm_cancellations_total", ARVIS_METRIC_COUNTER, "LLM answers cut by a cancel.", "",
     NULL, NULL, 0},
    {"arvis_tts_real_time_factor", ARVIS_METRIC_HISTOGRAM,
     "Speech synthesis time over the length of the audio made.", "", "engine",
     BUCKETS(rtf_buckets)},
    {"arvis_tts_first_audio_seconds", ARVIS_METRIC_HISTOGRAM,
     "First sentence queued to its first audio at the sink.", "s", "engine", NULL, 0},
    {"arvis_tts_chars_total", ARVIS_METRIC_COUNTER, "Characters synthesised.", "chars", "engine",
     NULL, 0},
    {"arvis_stt_real_time_factor", ARVIS_METRIC_HISTOGRAM,
     "Speech recognition time over the length of the audio.", "", NULL, BUCKETS(rtf_buckets)},
    {"arvis_stt_latency_seconds", ARVIS_METRIC_HISTOGRAM, "End of speech to the final transcript.",
     "s", NULL, NULL, 0},
    {"arvis_stt_words_total", ARVIS_METRIC_COUNTER, "Words recognised.", "words", NULL, NULL, 0},
    {"arvis_turn_first_audio_seconds", ARVIS_METRIC_HISTOGRAM,
     "End of the user's speech to the first audio of the answer.", "s", NULL, NULL, 0},
    {"arvis_turn_seconds", ARVIS_METRIC_HISTOGRAM, "Whole voice turn, end of speech to last audio.",
     "s", NULL, NULL, 0},
    {"arvis_process_cpu_seconds_total", ARVIS_METRIC_COUNTER,
     "CPU time of the Arvis process, user and system.", "s", NULL, NULL, 0},
    {"arvis_process_resident_memory_bytes", ARVIS_METRIC_GAUGE,
     "Resident memory of the Arvis process.", "bytes", NULL, NULL, 0},
    {"arvis_system_cpu_busy_ratio", ARVIS_METRIC_GAUGE,
     "Share of the machine's CPU time busy since the previous reading.", "ratio", NULL, NULL, 0},
    {"arvis_system_memory_used_bytes", ARVIS_METRIC_GAUGE,
     "Machine memory in use (total minus available).", "bytes", NULL, NULL, 0},
    {"arvis_system_memory_available_bytes", ARVIS_METRIC_GAUGE,
     "Machine memory available to start new programs.", "bytes", NULL, NULL, 0},
    {"arvis_system_load1", ARVIS_METRIC_GAUGE, "Load average over 1 minute.", "", NULL, NULL, 0},
    {"arvis_system_load5", ARVIS_METRIC_GAUGE, "Load average over 5 minutes.", "", NULL, NULL, 0},
    {"arvis_system_load15", ARVIS_METRIC_GAUGE, "Load average over 15 minutes.", "", NULL, NULL, 0},
    {"arvis_gpu_utilization_ratio", ARVIS_METRIC_GAUGE,
     "Share of time the GPU was busy over NVML's last sample period.", "ratio", "gpu", NULL, 0},
    {"arvis_gpu_memory_used_bytes", ARVIS_METRIC_GAUGE, "GPU memory in use.", "bytes", "gpu", NULL,
     0},
    {"arvis_gpu_memory_total_bytes", ARVIS_METRIC_GAUGE, "GPU memory in all.", "bytes", "gpu", NULL,
     0},
};

const arvis_metric_info *arvis_metrics_info(const char *name)
{
    for (size_t i = 0; name && i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(table[i].name, name) == 0) {
            return &table[i];
        }
    }
    return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

const char *arvis_metrics_unit(const char *name)
{
    static const struct {
        const char *suffix, *unit;
    } suffixes[] = {{"_seconds", "s"},         {"_seconds_total", "s"},
                    {"_bytes", "bytes"},       {"_ratio", "ratio"},
                    {"_per_second", "/s"},     {"_chars_total", "chars"},
                    {"_words_total", "words"}, {"_tokens_total", "tokens"}};
    const arvis_metric_info *info = arvis_metrics_info(name);
    if (info) {
        return info->unit;
    }
    for (size_t i = 0; name && i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (ends_with(name, suffixes[i].suffix)) {
            return suffixes[i].unit;
        }
    }
    return "";
}

int arvis_metrics_named(arvis_metrics *reg, const char *name, const char *label_value,
                        arvis_metric **out, arvis_error *err)
{
    const arvis_metric_info *info = arvis_metrics_info(name);
    if (!info) {
        *out = NULL;
        return arvis_error_set(err, ARVIS_E_NOTFOUND, "metric %s is not one of Arvis's figures",
                               name ? name : "(none)");
    }
    arvis_metric_label label = {.name = info->label, .value = label_value ? label_value : ""};
    arvis_metric_opts o = {.name = info->name,
                           .help = info->help,
                           .labels = info->label ? &label : NULL,
                           .n_labels = info->label ? 1 : 0,
                           .buckets = info->buckets,
                           .n_buckets = info->n_buckets};
    return arvis_metrics_get(reg, info->type, &o, out, err);
}

/* Records v into the table's metric name: observed for a histogram, added for a counter.
 * Unknown figures (below 0, or NaN) are left out. */
static int record(arvis_metrics *reg, const char *name, const char *label_value, double v,
                  arvis_error *err)
{
    if (!(v >= 0)) {
        return ARVIS_OK;
    }
    arvis_metric *m = NULL;
    int rc = arvis_metrics_named(reg, name, label_value, &m, err);
    if (rc == ARVIS_OK && m->type == ARVIS_METRIC_HISTOGRAM) {
        arvis_metric_observe(m, v);
    } else if (rc == ARVIS_OK) {
        arvis_metric_add(m, v);
    }
    return rc;
}

int arvis_metrics_record_llm(arvis_metrics *reg, const arvis_metrics_llm_turn *t, arvis_error *err)
{
    if (!reg || !t) {
        return ARVIS_OK;
    }
    int rc = record(reg, "arvis_llm_ttft_seconds", NULL, t->ttft_s, err);
    if (rc == ARVIS_OK) {
        rc = record(reg, "arvis_llm_tokens_per_second", NULL, t->tokens_per_s, err);
    }
    if (rc == ARVIS_OK) {
        rc = record(reg, "arvis_llm_server_tokens_per_second", NULL, t->server_tokens_per_s, err);
    }
    if (rc == ARVIS_OK) {
        rc = record(reg, "arvis_llm_tokens_total", NULL, t->tokens, err);
    }
    if (rc == ARVIS_OK) {
        rc = record(reg, "arvis_llm_errors_total", NULL, t->error ? 1 : 0, err);
    }
    if (rc == ARVIS_OK) {
        rc = record(reg, "arvis_llm_cancellations_total", NULL, t->cancelled ? 1 : 0, err);
    }
    return rc;
}

int arvis_metrics_record_speech(arvis_metrics *reg, const arvis_metrics_speech *s,
                                const char *engine, arvis_error *err)
{
    if (!reg || !s) {
        return ARVIS_OK;
    }
    const char *e = engine && *engine ? engine : "unknown";
    int rc = record(reg, "arvis_tts_real_time_factor", e, s->rtf, err);
    if (rc == ARVIS_OK) {
        rc = record(reg, "arvis_tts_first_audio_seconds", e, s->first_audio_s, err);
    }
    if (rc == ARVIS_OK) {
        rc = record(reg, "arvis_tts_chars_total", e, s->chars, err);
    }
    return rc;
}

int arvis_metrics_record_stt(arvis_metrics *reg, double audio_s, double elapsed_s, double latency_s,
                             double words, arvis_error *err)
{
    if (!reg) {
        return ARVIS_OK;
    }
    double rtf = audio_s > 0 && elapsed_s >= 0 ? elapsed_s / audio_s : -1;
    int rc = record(reg, "arvis_stt_real_time_factor", NULL, rtf, err);
    if (rc == ARVIS_OK) {
        rc = record(reg, "arvis_stt_latency_seconds", NULL, latency_s, err);
    }
    if (rc == ARVIS_OK) {
        rc = record(reg, "arvis_stt_words_total", NULL, words, err);
    }
    return rc;
}

int arvis_metrics_record_turn(arvis_metrics *reg, double eos_to_first_audio_s, double total_s,
                              arvis_error *err)
{
    if (!reg) {
        return ARVIS_OK;
    }
    int rc = record(reg, "arvis_turn_first_audio_seconds", NULL, eos_to_first_audio_s, err);
    if (rc == ARVIS_OK) {
        rc = record(reg, "arvis_turn_seconds", NULL, total_s, err);
    }
    return rc;
}
