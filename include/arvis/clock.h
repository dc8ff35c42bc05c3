/* Time: durations come from the monotonic clock; wall-clock time only stamps records. */
#ifndef ARVIS_CLOCK_H
#define ARVIS_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Nanoseconds on the monotonic clock (arbitrary origin; never jumps). */
uint64_t arvis_clock_ns(void);

/* Milliseconds on the monotonic clock, as a double for sub-millisecond figures. */
double arvis_clock_ms(void);

/* Milliseconds between two arvis_clock_ns() readings (0 when end is before start). */
double arvis_clock_elapsed_ms(uint64_t start_ns, uint64_t end_ns);

/* Seconds since the Unix epoch on the wall clock, with sub-second precision. */
double arvis_clock_wall(void);

/* Formats the wall-clock time t (from arvis_clock_wall) as UTC ISO 8601 with milliseconds,
 * "2026-11-24T09:30:00.123Z", into out (at least 32 bytes). Returns out. */
char *arvis_clock_iso8601(double t, char *out, size_t size);

/* Sleeps for ms milliseconds on the monotonic clock (resumes after signals). */
void arvis_clock_sleep_ms(uint64_t ms);

#ifdef __cplusplus
}
#endif

#endif
