/* Metrics internals for the system figures: the NVML loader (gpu.c) used by system.c. */
#ifndef ARVIS_METRICS_SYSTEM_INTERNAL_H
#define ARVIS_METRICS_SYSTEM_INTERNAL_H

#include "metrics_internal.h"

struct metrics_gpu;

/* NVML from library (NULL: libnvidia-ml.so.1), initialised, with at least one GPU; NULL when
 * the library, a function of it or a GPU is missing. */
struct metrics_gpu *metrics_gpu_open(const char *library);

unsigned metrics_gpu_count(const struct metrics_gpu *g);

/* Records each GPU's utilisation and memory into reg (series labelled gpu="0"...). */
void metrics_gpu_sample(struct metrics_gpu *g, arvis_metrics *reg);

void metrics_gpu_close(struct metrics_gpu *g);

#endif
