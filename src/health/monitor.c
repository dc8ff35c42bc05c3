/* The health monitor: a thread that rechecks every interval (or when poked), reports each change
 * of a component's or the overall status, and writes failed checks and changes to the audit log. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "arvis/audit.h"
#include "arvis/clock.h"
#include "arvis/log.h"
#include "health_internal.h"

struct arvis_health_monitor {
    arvis_health *h;
    arvis_health_monitor_options o;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* monotonic: a poke or a stop */
    bool stop, poked;
    unsigned long rounds;
    /* Only the monitor's thread reads and writes these. */
    arvis_health_status last[ARVIS_HEALTH_COMPONENTS];
    arvis_health_status last_overall;
    bool check_failing; /* a failed round was logged; not again until one works */
};

static const char *overall_message(const arvis_health_report *r)
{
    if (r->overall == ARVIS_HEALTH_HEALTHY) {
        return "every component health.required names is healthy";
    }
    const char *any = "";
    for (size_t i = 0; i < r->count; i++) {
        const arvis_health_result *x = &r->results[i];
        if (x->status == r->overall && x->required) {
            return x->message; /* the required one that decided it */
        }
        if (x->status != ARVIS_HEALTH_HEALTHY && x->status != ARVIS_HEALTH_UNKNOWN && !*any) {
            any = x->message;
        }
    }
    return any;
}

static void audit(arvis_health_monitor *m, const char *event, const char *component,
                  arvis_health_status status, cJSON *details, double now)
{
    if (!m->o.audit || !details) {
        cJSON_Delete(details);
        return;
    }
    arvis_audit_record r = {.time = now,
                            .event = event,
                            .component = component,
                            .status = arvis_health_status_name(status),
                            .details = details};
    arvis_error err;
    /* The log returns a failure once, when it starts: said once here too. */
    if (arvis_audit_write(m->o.audit, &r, &err) != ARVIS_OK) {
        arvis_log(ARVIS_LOG_WARNING, "health",
                  "%s; health checks go on without an audit trail until it can be written",
                  err.msg);
    }
    cJSON_Delete(details);
}

static void audit_failure(arvis_health_monitor *m, const arvis_health_result *x, double now)
{
    cJSON *d = cJSON_CreateObject();
    if (d && (!cJSON_AddStringToObject(d, "message", x->message) ||
              !cJSON_AddNumberToObject(d, "latency_ms", x->latency_ms) ||
              !cJSON_AddBoolToObject(d, "timed_out", x->timed_out) ||
              !cJSON_AddBoolToObject(d, "required", x->required) ||
              (x->details && !cJSON_AddItemToObject(d, "found", cJSON_Duplicate(x->details, 1))))) {
        cJSON_Delete(d);
        d = NULL;
    }
    audit(m, "health.check_failed", x->component, x->status, d, now);
}

static void change(arvis_health_monitor *m, const char *component, arvis_health_status from,
                   arvis_health_status to, const char *message, double now)
{
    cJSON *d = cJSON_CreateObject();
    if (d && (!cJSON_AddStringToObject(d, "from", arvis_health_status_name(from)) ||
              !cJSON_AddStringToObject(d, "to", arvis_health_status_name(to)) ||
              !cJSON_AddStringToObject(d, "message", message))) {
        cJSON_Delete(d);
        d = NULL;
    }
    audit(m, "health.status_changed", component, to, d, now);
    if (m->o.change_cb) {
        arvis_health_change c = {component, from, to, message, now};
        m->o.change_cb(&c, m->o.ud);
    }
}

static void compare(arvis_health_monitor *m, const arvis_health_report *r)
{
    double now = arvis_clock_wall();
    for (size_t i = 0; i < r->count && i < ARVIS_HEALTH_COMPONENTS; i++) {
        const arvis_health_result *x = &r->results[i];
        if (x->status == ARVIS_HEALTH_UNHEALTHY || x->status == ARVIS_HEALTH_DEGRADED) {
            audit_failure(m, x, now);
        }
        if (x->status != m->last[i]) {
            change(m, x->component, m->last[i], x->status, x->message, now);
            m->last[i] = x->status;
        }
    }
    if (r->overall != m->last_overall) {
        change(m, ARVIS_HEALTH_OVERALL, m->last_overall, r->overall, overall_message(r), now);
        m->last_overall = r->overall;
    }
}

static void round_once(arvis_health_monitor *m)
{
    arvis_health_report *r = NULL;
    arvis_error err;
    if (arvis_health_recheck(m->h, &r, &err) != ARVIS_OK) {
        if (!m->check_failing) {
            arvis_log(ARVIS_LOG_WARNING, "health", "%s; the monitor tries again next round",
                      err.msg);
        }
        m->check_failing = true;
        return;
    }
    m->check_failing = false;
    compare(m, r);
    pthread_mutex_lock(&m->lock);
    m->rounds++; /* counted before round_cb, so a caller it wakes sees the round */
    pthread_mutex_unlock(&m->lock);
    if (m->o.round_cb) {
        m->o.round_cb(r, m->o.ud);
    }
    arvis_health_report_free(r);
}

static struct timespec deadline_after(unsigned sec)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)sec;
    return ts;
}

static void *monitor_thread(void *arg)
{
    arvis_health_monitor *m = arg;
    pthread_mutex_lock(&m->lock);
    /* The first round runs even when stop comes before it: what is wrong at start is always
     * reported (a command may end at once). */
    do {
        m->poked = false;
        pthread_mutex_unlock(&m->lock);
        round_once(m);
        pthread_mutex_lock(&m->lock);
        struct timespec next = deadline_after(m->o.interval_sec);
        while (!m->stop && !m->poked) {
            if (pthread_cond_timedwait(&m->cond, &m->lock, &next) == ETIMEDOUT) {
                break;
            }
        }
    } while (!m->stop);
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

int arvis_health_monitor_start(arvis_health *h, const arvis_health_monitor_options *o,
                               arvis_health_monitor **out, arvis_error *err)
{
    *out = NULL;
    arvis_health_monitor *m = calloc(1, sizeof *m);
    if (!m) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    m->h = h;
    m->o = *o;
    if (m->o.interval_sec == 0) {
        m->o.interval_sec = (unsigned)arvis_config_int(health_config(h), "health.interval");
    }
    for (size_t i = 0; i < ARVIS_HEALTH_COMPONENTS; i++) {
        m->last[i] = ARVIS_HEALTH_UNKNOWN;
    }
    m->last_overall = ARVIS_HEALTH_UNKNOWN;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&m->lock, NULL);
    if (pthread_create(&m->thread, NULL, monitor_thread, m) != 0) {
        pthread_cond_destroy(&m->cond);
        pthread_mutex_destroy(&m->lock);
        free(m);
        return arvis_error_set(err, ARVIS_E_NOMEM, "cannot start the health monitor's thread");
    }
    *out = m;
    return ARVIS_OK;
}

void arvis_health_monitor_poke(arvis_health_monitor *m)
{
    pthread_mutex_lock(&m->lock);
    m->poked = true;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
}

unsigned long arvis_health_monitor_rounds(const arvis_health_monitor *m)
{
    arvis_health_monitor *w = (arvis_health_monitor *)m; /* the lock changes, nothing else */
    pthread_mutex_lock(&w->lock);
    unsigned long n = m->rounds;
    pthread_mutex_unlock(&w->lock);
    return n;
}

void arvis_health_monitor_stop(arvis_health_monitor *m)
{
    if (!m) {
        return;
    }
    pthread_mutex_lock(&m->lock);
    m->stop = true;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->thread, NULL);
    pthread_cond_destroy(&m->cond);
    pthread_mutex_destroy(&m->lock);
    free(m);
}
