/* Machine and process figures read from /proc (uptime, load, memory, CPU ticks, this process's
 * memory and CPU time) and the space of a file system from statvfs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "arvis/file.h"
#include "arvis/sysinfo.h"

enum {
    /* Every /proc file read here is a few KiB; /proc/stat grows with processors and interrupts. */
    PROC_FILE_MAX = 1024 * 1024,
    KIB = 1024,
    /* Fields of /proc/self/stat after the command name: state is the first, utime the 12th. */
    STAT_UTIME_FIELD = 12,
    /* user nice system idle iowait irq softirq steal: guest time is already counted in user. */
    CPU_FIELDS = 8,
    CPU_IDLE = 3,
    CPU_IOWAIT = 4,
};

static int read_proc(const char *path, char **text, arvis_error *err)
{
    size_t len = 0;
    arvis_error why;
    if (arvis_file_read(path, PROC_FILE_MAX, text, &len, &why) != ARVIS_OK) {
        return arvis_error_set(err, ARVIS_E_IO, "%s; is /proc mounted?", why.msg);
    }
    return ARVIS_OK;
}

static int bad_format(const char *path, arvis_error *err)
{
    return arvis_error_set(err, ARVIS_E_IO, "cannot understand %s: it is not in the Linux format",
                           path);
}

static int read_uptime_load(arvis_sysinfo *out, arvis_error *err)
{
    char *text = NULL;
    int rc = read_proc("/proc/uptime", &text, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    int got = sscanf(text, "%lf", &out->uptime_s);
    free(text);
    if (got != 1) {
        return bad_format("/proc/uptime", err);
    }
    rc = read_proc("/proc/loadavg", &text, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    got = sscanf(text, "%lf %lf %lf", &out->load1, &out->load5, &out->load15);
    free(text);
    return got == 3 ? ARVIS_OK : bad_format("/proc/loadavg", err);
}

/* The value in kB of a "Name:   123 kB" line of /proc/meminfo, in bytes; false when absent. */
static int meminfo_field(const char *text, const char *name, uint64_t *bytes)
{
    size_t n = strlen(name);
    for (const char *line = text; line && *line; line = strchr(line, '\n')) {
        line += *line == '\n';
        unsigned long long kb = 0;
        if (strncmp(line, name, n) == 0 && line[n] == ':' && sscanf(line + n + 1, "%llu", &kb)) {
            *bytes = (uint64_t)kb * KIB;
            return 1;
        }
    }
    return 0;
}

static int read_memory(arvis_sysinfo *out, arvis_error *err)
{
    char *text = NULL;
    int rc = read_proc("/proc/meminfo", &text, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    int ok = meminfo_field(text, "MemTotal", &out->mem_total) &&
             meminfo_field(text, "MemAvailable", &out->mem_available);
    free(text);
    return ok ? ARVIS_OK : bad_format("/proc/meminfo", err);
}

static int read_cpu_ticks(arvis_sysinfo *out, arvis_error *err)
{
    char *text = NULL;
    int rc = read_proc("/proc/stat", &text, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    unsigned long long f[CPU_FIELDS] = {0};
    int got = sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &f[0], &f[1], &f[2],
                     &f[3], &f[4], &f[5], &f[6], &f[7]);
    free(text);
    /* kernels before 2.6.11 have no steal column; four fields are the least there is */
    if (got < CPU_IOWAIT) {
        return bad_format("/proc/stat", err);
    }
    uint64_t total = 0;
    for (int i = 0; i < got; i++) {
        total += f[i];
    }
    out->cpu_total_ticks = total;
    out->cpu_busy_ticks = total - f[CPU_IDLE] - f[CPU_IOWAIT];
    return ARVIS_OK;
}

static int read_process(arvis_sysinfo *out, arvis_error *err)
{
    char *text = NULL;
    int rc = read_proc("/proc/self/stat", &text, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    /* the command name may hold spaces and parentheses: the fields start after the last ')' */
    const char *p = strrchr(text, ')');
    unsigned long long utime = 0, stime = 0;
    int fields = 0;
    for (p = p ? p + 1 : NULL; p && *p && fields < STAT_UTIME_FIELD; p++) {
        fields += *p == ' ';
    }
    int got = p ? sscanf(p, "%llu %llu", &utime, &stime) : 0;
    free(text);
    if (got != 2) {
        return bad_format("/proc/self/stat", err);
    }
    long ticks = sysconf(_SC_CLK_TCK);
    out->proc_cpu_s = ticks > 0 ? (double)(utime + stime) / (double)ticks : 0;

    rc = read_proc("/proc/self/statm", &text, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    unsigned long long size = 0, resident = 0;
    got = sscanf(text, "%llu %llu", &size, &resident);
    free(text);
    if (got != 2) {
        return bad_format("/proc/self/statm", err);
    }
    long page = sysconf(_SC_PAGESIZE);
    out->proc_rss = (uint64_t)resident * (uint64_t)(page > 0 ? page : 0);
    return ARVIS_OK;
}

int arvis_sysinfo_read(arvis_sysinfo *out, arvis_error *err)
{
    memset(out, 0, sizeof *out);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    out->cpus = cpus > 0 ? (int)cpus : 1;
    int rc = read_uptime_load(out, err);
    if (rc == ARVIS_OK) {
        rc = read_memory(out, err);
    }
    if (rc == ARVIS_OK) {
        rc = read_cpu_ticks(out, err);
    }
    if (rc == ARVIS_OK) {
        rc = read_process(out, err);
    }
    return rc;
}

double arvis_sysinfo_cpu_busy(const arvis_sysinfo *before, const arvis_sysinfo *after)
{
    if (after->cpu_total_ticks <= before->cpu_total_ticks ||
        after->cpu_busy_ticks < before->cpu_busy_ticks) {
        return 0;
    }
    double busy = (double)(after->cpu_busy_ticks - before->cpu_busy_ticks);
    double share = busy / (double)(after->cpu_total_ticks - before->cpu_total_ticks);
    return share > 1 ? 1 : share;
}

int arvis_disk_space(const char *path, uint64_t *total, uint64_t *available, arvis_error *err)
{
    *total = 0;
    *available = 0;
    if (!path || !*path) {
        return arvis_error_set(err, ARVIS_E_INVAL, "no path given to measure disk space of");
    }
    struct statvfs vfs;
    if (statvfs(path, &vfs) != 0) {
        return arvis_error_errno(err, errno, "cannot measure the disk space of %s", path);
    }
    *total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
    *available = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    return ARVIS_OK;
}
