/* The one clock: CLOCK_MONOTONIC for durations, CLOCK_REALTIME only for timestamps in files. */
#include "arvis/clock.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

enum { NS_PER_SEC = 1000000000, NS_PER_MS = 1000000, MS_PER_SEC = 1000 };

uint64_t arvis_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

double arvis_clock_ms(void)
{
    return (double)arvis_clock_ns() / NS_PER_MS;
}

double arvis_clock_elapsed_ms(uint64_t start_ns, uint64_t end_ns)
{
    return end_ns > start_ns ? (double)(end_ns - start_ns) / NS_PER_MS : 0.0;
}

double arvis_clock_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / NS_PER_SEC;
}

char *arvis_clock_iso8601(double t, char *out, size_t size)
{
    time_t secs = (time_t)t;
    int ms = (int)((t - (double)secs) * MS_PER_SEC);
    if (ms < 0) {
        ms = 0;
    } else if (ms >= MS_PER_SEC) {
        ms = MS_PER_SEC - 1;
    }
    struct tm tm;
    if (!gmtime_r(&secs, &tm)) {
        snprintf(out, size, "1970-01-01T00:00:00.000Z");
        return out;
    }
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    return out;
}

void arvis_clock_sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / MS_PER_SEC),
                          .tv_nsec = (long)(ms % MS_PER_SEC) * NS_PER_MS};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
