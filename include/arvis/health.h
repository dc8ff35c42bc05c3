/* Health checks: one checker per component (stt, tts, llm, network, storage, audio) run at the
 * same time, each bounded by its own timeout, with results cached for health.cache_ttl seconds. */
#ifndef ARVIS_HEALTH_H
#define ARVIS_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include "arvis/config.h"
#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

/* Components checked, as many as health.required may name. */
#define ARVIS_HEALTH_COMPONENTS 6

/* Ordered from best to worst, except UNKNOWN: nothing is known, so it neither raises nor lowers
 * the overall status. */
typedef enum arvis_health_status {
    ARVIS_HEALTH_HEALTHY,
    ARVIS_HEALTH_DEGRADED,
    ARVIS_HEALTH_UNHEALTHY,
    ARVIS_HEALTH_UNKNOWN,
} arvis_health_status;

/* "HEALTHY", "DEGRADED", "UNHEALTHY" or "UNKNOWN". */
const char *arvis_health_status_name(arvis_health_status s);

/* The components in the order they are reported, NULL-terminated. */
const char *const *arvis_health_components(void);

typedef struct arvis_health_result {
    const char *component; /* static: "stt", "tts", "llm", "network", "storage", "audio" */
    arvis_health_status status;
    char message[ARVIS_ERROR_MSG_MAX]; /* one sentence; for a failure, what to do */
    double latency_ms;                 /* how long the check took (its timeout when it hung) */
    double checked_at_ms;              /* the time given to the check that produced it */
    bool required;                     /* health.required names it */
    bool cached;                       /* reused from an earlier check within health.cache_ttl */
    bool timed_out;                    /* no answer within its timeout */
    struct cJSON *details; /* an object of what the checker found; owned by the report */
} arvis_health_result;

typedef struct arvis_health_report {
    arvis_health_status overall;
    size_t count;
    arvis_health_result results[ARVIS_HEALTH_COMPONENTS];
} arvis_health_report;

/* Frees a report and its details. NULL is allowed. */
void arvis_health_report_free(arvis_health_report *r);

/* The report as a JSON object ({"status", "components": [...]}); the caller deletes it. NULL
 * when out of memory. */
struct cJSON *arvis_health_report_json(const arvis_health_report *r);

/* The overall status of results: the worst of the required ones; a component not required can
 * only make it DEGRADED. UNKNOWN counts for nothing; no known result at all is UNKNOWN. */
arvis_health_status arvis_health_overall(const arvis_health_result *results, size_t n);

typedef struct arvis_health arvis_health;

/* A health checker reading the health section (and each component's own) of cfg, which must
 * outlive it. Checks nothing yet. */
int arvis_health_create(const arvis_config *cfg, arvis_health **out, arvis_error *err);

/* Asks the checks still running to stop and waits for them to end. NULL is allowed. */
void arvis_health_destroy(arvis_health *h);

/* Checks every component at the same time and blocks until each has answered or passed its
 * timeout (health.timeout_ms.<component>): a hung check costs its own timeout, not the sum, and
 * is reported UNHEALTHY ("no answer within N ms"); it is told to stop and, when it cannot be,
 * left to end on its own with its result discarded. A result younger than health.cache_ttl is
 * reused. *out (free it with arvis_health_report_free) is set whenever ARVIS_OK is returned;
 * only running out of memory or threads fails. Calls from several threads take turns. */
int arvis_health_check(arvis_health *h, arvis_health_report **out, arvis_error *err);

/* As arvis_health_check, with now_ms (monotonic milliseconds) as the time that decides whether a
 * cached result is still fresh, so that the cache can be tested without waiting. */
int arvis_health_check_at(arvis_health *h, double now_ms, arvis_health_report **out,
                          arvis_error *err);

#ifdef __cplusplus
}
#endif

#endif
