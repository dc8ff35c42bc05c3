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

/* As arvis_health_check, ignoring the cache: every component is checked now, and the cache
 * refreshed. For the monitor, whose interval decides when to look again. */
int arvis_health_recheck(arvis_health *h, arvis_health_report **out, arvis_error *err);

/* ---- The monitor: a thread that checks every interval and reports each change ---- */

struct arvis_audit;

/* The component name a change of the overall status carries. */
#define ARVIS_HEALTH_OVERALL "overall"

typedef struct arvis_health_change {
    const char *component; /* a component, or ARVIS_HEALTH_OVERALL */
    arvis_health_status old_status, new_status;
    const char *message; /* the new result's message (overall: the worst component's) */
    double time;         /* wall clock of the round that saw it */
} arvis_health_change;

/* Run on the monitor's thread; the change and its strings are valid during the call only. They
 * may call arvis_health_monitor_poke, never _stop. */
typedef void (*arvis_health_change_cb)(const arvis_health_change *c, void *ud);
/* After each round, with its report (owned by the monitor, valid during the call only), after
 * the round's changes were given to change_cb. */
typedef void (*arvis_health_round_cb)(const arvis_health_report *r, void *ud);

typedef struct arvis_health_monitor_options {
    unsigned interval_sec;            /* 0: health.interval */
    arvis_health_change_cb change_cb; /* may be NULL */
    arvis_health_round_cb round_cb;   /* may be NULL */
    void *ud;
    /* NULL: no audit trail. Otherwise it gets "health.check_failed" for every UNHEALTHY or
     * DEGRADED result and "health.status_changed" for every change; it must outlive the
     * monitor. */
    struct arvis_audit *audit;
} arvis_health_monitor_options;

typedef struct arvis_health_monitor arvis_health_monitor;

/* Starts a thread that checks h at once and then every interval (arvis_health_recheck), and
 * reports each change of a component's or the overall status; the first round reports every
 * known status as a change from UNKNOWN. h must outlive the monitor, and no other monitor may
 * use it. Fails with ARVIS_E_NOMEM when the thread cannot start. */
int arvis_health_monitor_start(arvis_health *h, const arvis_health_monitor_options *o,
                               arvis_health_monitor **out, arvis_error *err);

/* Asks for a round now, without waiting for the interval (one round for pokes that arrive
 * during a round). Returns at once. */
void arvis_health_monitor_poke(arvis_health_monitor *m);

/* Rounds finished so far (a round whose check could not run at all is not counted). */
unsigned long arvis_health_monitor_rounds(const arvis_health_monitor *m);

/* Stops the thread and joins it: at once between rounds; a round under way, and the first
 * round even when it has not begun, is ended first (at most the longest health.timeout_ms), so
 * the state at start is always reported. m may be NULL. Not from a callback. */
void arvis_health_monitor_stop(arvis_health_monitor *m);

#ifdef __cplusplus
}
#endif

#endif
