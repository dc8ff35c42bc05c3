/* Shared by the benchmarks: the median of a set of timings. */
#ifndef ARVIS_BENCH_UTIL_H
#define ARVIS_BENCH_UTIL_H

#include <stdlib.h>

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

#endif
