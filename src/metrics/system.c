/* System figures on demand: this process's CPU time and memory, the machine's CPU busy share,
 * memory and load (through arvis_sysinfo_read), and GPUs when NVML is present. */
#include <stdlib.h>
#include <string.h>

#include "arvis/sysinfo.h"
#include "metrics_system.h"

struct arvis_metrics_system {
    arvis_metrics *reg;
    struct metrics_gpu *gpu;
    arvis_sysinfo last; /* the previous reading (zero before the first: "since boot") */
    double cpu_counted; /* process CPU seconds already added to the counter */
    arvis_metric *proc_cpu, *proc_rss, *busy, *mem_used, *mem_avail, *load[3];
};

static const char *const scalar_names[] = {
    "arvis_process_cpu_seconds_total",
    "arvis_process_resident_memory_bytes",
    "arvis_system_cpu_busy_ratio",
    "arvis_system_memory_used_bytes",
    "arvis_system_memory_available_bytes",
    "arvis_system_load1",
    "arvis_system_load5",
    "arvis_system_load15",
};

int arvis_metrics_system_create(arvis_metrics *reg, bool gpu, const char *nvml_library,
                                arvis_metrics_system **out, arvis_error *err)
{
    *out = NULL;
    arvis_metrics_system *s = calloc(1, sizeof *s);
    if (!s) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    s->reg = reg;
    arvis_metric **slots[] = {&s->proc_cpu,  &s->proc_rss, &s->busy,    &s->mem_used,
                              &s->mem_avail, &s->load[0],  &s->load[1], &s->load[2]};
    int rc = ARVIS_OK;
    for (size_t i = 0; i < sizeof slots / sizeof slots[0] && rc == ARVIS_OK; i++) {
        rc = arvis_metrics_named(reg, scalar_names[i], NULL, slots[i], err);
    }
    if (rc != ARVIS_OK) {
        free(s);
        return rc;
    }
    s->gpu = gpu ? metrics_gpu_open(nvml_library) : NULL;
    *out = s;
    return ARVIS_OK;
}

int arvis_metrics_system_sample(arvis_metrics_system *s, arvis_error *err)
{
    arvis_sysinfo now;
    int rc = arvis_sysinfo_read(&now, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    /* The counter holds this process's CPU time; reloaded totals of earlier runs stay in it. */
    if (now.proc_cpu_s > s->cpu_counted) {
        arvis_metric_add(s->proc_cpu, now.proc_cpu_s - s->cpu_counted);
        s->cpu_counted = now.proc_cpu_s;
    }
    arvis_metric_set(s->proc_rss, (double)now.proc_rss);
    arvis_metric_set(s->busy, arvis_sysinfo_cpu_busy(&s->last, &now));
    uint64_t used = now.mem_total > now.mem_available ? now.mem_total - now.mem_available : 0;
    arvis_metric_set(s->mem_used, (double)used);
    arvis_metric_set(s->mem_avail, (double)now.mem_available);
    arvis_metric_set(s->load[0], now.load1);
    arvis_metric_set(s->load[1], now.load5);
    arvis_metric_set(s->load[2], now.load15);
    metrics_gpu_sample(s->gpu, s->reg);
    s->last = now;
    return ARVIS_OK;
}

unsigned arvis_metrics_system_gpus(const arvis_metrics_system *s)
{
    return s ? metrics_gpu_count(s->gpu) : 0;
}

void arvis_metrics_system_destroy(arvis_metrics_system *s)
{
    if (s) {
        metrics_gpu_close(s->gpu);
        free(s);
    }
}
