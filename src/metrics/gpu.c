/* NVIDIA GPUs through NVML, loaded at run time with dlopen so that Arvis needs no NVIDIA
 * package: utilisation and memory per device, or nothing at all when the driver is absent. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_system.h"

/* The few NVML types used, as the driver's ABI defines them. */
typedef int nvml_return;
typedef void *nvml_device;
struct nvml_utilization {
    unsigned gpu, memory; /* percent of the last sample period */
};
struct nvml_memory {
    unsigned long long total, free, used; /* bytes */
};
enum { NVML_SUCCESS = 0, GPU_LABEL_MAX = 16 };
static const double PERCENT = 100.0;

struct metrics_gpu {
    void *lib;
    nvml_return (*shutdown)(void);
    nvml_return (*handle)(unsigned, nvml_device *);
    nvml_return (*utilization)(nvml_device, struct nvml_utilization *);
    nvml_return (*memory)(nvml_device, struct nvml_memory *);
    unsigned count;
};

/* Looks up one function; false when the library lacks it. */
static bool sym(void *lib, const char *name, void *out)
{
    void *f = dlsym(lib, name);
    /* The C standard does not convert object pointers to function pointers; POSIX guarantees
     * dlsym's result can be, so the bytes are copied. */
    memcpy(out, &f, sizeof f);
    return f != NULL;
}

struct metrics_gpu *metrics_gpu_open(const char *library)
{
    void *lib = dlopen(library ? library : "libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        return NULL;
    }
    struct metrics_gpu *g = calloc(1, sizeof *g);
    nvml_return (*init)(void) = NULL;
    nvml_return (*count)(unsigned *) = NULL;
    bool ok = g && sym(lib, "nvmlInit_v2", &init) && sym(lib, "nvmlShutdown", &g->shutdown) &&
              sym(lib, "nvmlDeviceGetCount_v2", &count) &&
              sym(lib, "nvmlDeviceGetHandleByIndex_v2", &g->handle) &&
              sym(lib, "nvmlDeviceGetUtilizationRates", &g->utilization) &&
              sym(lib, "nvmlDeviceGetMemoryInfo", &g->memory) && init() == NVML_SUCCESS;
    if (ok && (count(&g->count) != NVML_SUCCESS || g->count == 0)) {
        g->shutdown();
        ok = false;
    }
    if (!ok) {
        free(g);
        dlclose(lib);
        return NULL;
    }
    g->lib = lib;
    return g;
}

unsigned metrics_gpu_count(const struct metrics_gpu *g)
{
    return g ? g->count : 0;
}

void metrics_gpu_sample(struct metrics_gpu *g, arvis_metrics *reg)
{
    for (unsigned i = 0; g && i < g->count; i++) {
        nvml_device dev;
        struct nvml_utilization u;
        struct nvml_memory mem;
        char label[GPU_LABEL_MAX];
        snprintf(label, sizeof label, "%u", i);
        arvis_metric *util = NULL, *used = NULL, *total = NULL;
        if (g->handle(i, &dev) != NVML_SUCCESS ||
            arvis_metrics_named(reg, "arvis_gpu_utilization_ratio", label, &util, NULL) ||
            arvis_metrics_named(reg, "arvis_gpu_memory_used_bytes", label, &used, NULL) ||
            arvis_metrics_named(reg, "arvis_gpu_memory_total_bytes", label, &total, NULL)) {
            continue;
        }
        if (g->utilization(dev, &u) == NVML_SUCCESS) {
            arvis_metric_set(util, u.gpu / PERCENT);
        }
        if (g->memory(dev, &mem) == NVML_SUCCESS) {
            arvis_metric_set(used, (double)mem.used);
            arvis_metric_set(total, (double)mem.total);
        }
    }
}

void metrics_gpu_close(struct metrics_gpu *g)
{
    if (g) {
        g->shutdown();
        dlclose(g->lib);
        free(g);
    }
}
