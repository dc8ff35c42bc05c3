/* What the machine and this process are doing: uptime, load, memory, CPU time and disk space,
 * read from /proc and statvfs. Shared by the system status skill and the metrics collector. */
#ifndef ARVIS_SYSINFO_H
#define ARVIS_SYSINFO_H

#include <stdint.h>

#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct arvis_sysinfo {
    double uptime_s;             /* since the machine started */
    double load1, load5, load15; /* load averages */
    int cpus;                    /* online processors */
    uint64_t mem_total;          /* bytes */
    uint64_t mem_available;      /* bytes (MemAvailable) */
    uint64_t cpu_busy_ticks;     /* all processors, since boot: everything but idle and iowait */
    uint64_t cpu_total_ticks;    /* all processors, since boot */
    uint64_t proc_rss;           /* this process's resident memory, bytes */
    double proc_cpu_s;           /* this process's user + system CPU time, seconds */
} arvis_sysinfo;

/* Reads everything above. ARVIS_E_IO (err says which file) when /proc cannot be read. */
int arvis_sysinfo_read(arvis_sysinfo *out, arvis_error *err);

/* Share of CPU time busy between two readings, 0 to 1 (0 when no time passed). */
double arvis_sysinfo_cpu_busy(const arvis_sysinfo *before, const arvis_sysinfo *after);

/* Space of the file system holding path, in bytes. */
int arvis_disk_space(const char *path, uint64_t *total, uint64_t *available, arvis_error *err);

#ifdef __cplusplus
}
#endif

#endif
