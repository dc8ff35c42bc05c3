/* Shared by the benchmarks: the median of a set of timings, and the arvis binary of the build. */
#ifndef ARVIS_BENCH_UTIL_H
#define ARVIS_BENCH_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline int bench_compare_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n figures (sorts v). */
static inline double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_compare_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The arvis binary of the build the benchmark belongs to (../src/arvis beside it) into out;
 * false when the benchmark's own path cannot be read. */
static inline bool bench_arvis_path(char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        return false;
    }
    exe[n] = '\0';
    snprintf(out, size, "%.*s/../src/arvis", (int)(strrchr(exe, '/') - exe), exe);
    return true;
}

#endif
