/* The health facade: every checker on a thread of its own, each waited for until its own
 * deadline, the hung ones told to stop and left to end alone, and results cached for a TTL. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "arvis/clock.h"
#include "health_internal.h"

/* The table of checkers, in report order. */
static const struct health_checker_ops *const checkers[ARVIS_HEALTH_COMPONENTS] = {
    &health_stt_ops,     &health_tts_ops,     &health_llm_ops,
    &health_network_ops, &health_storage_ops, &health_audio_ops,
};

/* How long a check past its deadline is given to end after being told to stop, and how often it
 * is told again meanwhile (a stop can arrive just before the work starts and be forgotten). */
#define STOP_GRACE_MS 100.0
#define STOP_REPEAT_MS 10.0

/* One check under way. It belongs to the arvis_health, which joins its thread: a check that hung
 * stays here after its report, and its result is dropped when it ends. */
struct job {
    const struct health_checker_ops *ops;
    void *state;
    pthread_t thread;
    bool done; /* under the lock */
    double start_ms;
    double latency_ms;
    struct health_outcome out;
};

struct arvis_health {
    const arvis_config *cfg;
    pthread_mutex_t check_lock; /* one check at a time */
    pthread_mutex_t lock;       /* the jobs' done flags */
    pthread_cond_t cond;        /* a job ended */
    struct job *jobs[ARVIS_HEALTH_COMPONENTS];
    arvis_health_result cache[ARVIS_HEALTH_COMPONENTS];
    bool cached[ARVIS_HEALTH_COMPONENTS];
};

struct thread_arg {
    arvis_health *h;
    struct job *j;
};

static void *job_thread(void *arg)
{
    struct thread_arg ta = *(struct thread_arg *)arg;
    free(arg);
    double t0 = arvis_clock_ms();
    ta.j->ops->run(ta.j->state, &ta.j->out);
    ta.j->latency_ms = arvis_clock_ms() - t0;
    pthread_mutex_lock(&ta.h->lock);
    ta.j->done = true;
    pthread_cond_broadcast(&ta.h->cond);
    pthread_mutex_unlock(&ta.h->lock);
    return NULL;
}

static void job_free(struct job *j)
{
    if (j) {
        j->ops->destroy(j->state);
        cJSON_Delete(j->out.details);
        free(j);
    }
}

int arvis_health_create(const arvis_config *cfg, arvis_health **out, arvis_error *err)
{
    *out = NULL;
    arvis_health *h = calloc(1, sizeof *h);
    if (!h) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    h->cfg = cfg;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&h->lock, NULL);
    pthread_mutex_init(&h->check_lock, NULL);
    *out = h;
    return ARVIS_OK;
}

void arvis_health_destroy(arvis_health *h)
{
    if (!h) {
        return;
    }
    for (size_t i = 0; i < ARVIS_HEALTH_COMPONENTS; i++) {
        struct job *j = h->jobs[i];
        if (j) {
            if (j->ops->interrupt) {
                j->ops->interrupt(j->state);
            }
            pthread_join(j->thread, NULL);
            job_free(j);
        }
        cJSON_Delete(h->cache[i].details);
    }
    pthread_cond_destroy(&h->cond);
    pthread_mutex_destroy(&h->lock);
    pthread_mutex_destroy(&h->check_lock);
    free(h);
}

const arvis_config *health_config(const arvis_health *h)
{
    return h->cfg;
}

static long timeout_of(const arvis_health *h, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "health.timeout_ms.%s", name);
    return (long)arvis_config_int(h->cfg, key);
}

static bool is_required(const arvis_health *h, const char *name)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, arvis_config_get(h->cfg, "health.required"))
    {
        if (cJSON_IsString(item) && strcmp(item->valuestring, name) == 0) {
            return true;
        }
    }
    return false;
}

static void result_set(arvis_health_result *r, arvis_health_status status, const char *msg)
{
    r->status = status;
    snprintf(r->message, sizeof r->message, "%s", msg);
}

/* Starts the check of component i, or says in r why it cannot run. */
static int start(arvis_health *h, size_t i, arvis_health_result *r)
{
    const struct health_checker_ops *ops = checkers[i];
    struct job *prev = h->jobs[i];
    if (prev) {
        pthread_mutex_lock(&h->lock);
        bool ended = prev->done;
        pthread_mutex_unlock(&h->lock);
        if (!ended) {
            r->timed_out = true;
            r->latency_ms = (double)timeout_of(h, ops->name);
            snprintf(r->message, sizeof r->message,
                     "the previous check has still not answered, well past its %ld ms",
                     timeout_of(h, ops->name));
            r->status = ARVIS_HEALTH_UNHEALTHY;
            return ARVIS_OK;
        }
        pthread_join(prev->thread, NULL);
        job_free(prev);
        h->jobs[i] = NULL;
    }
    struct job *j = calloc(1, sizeof *j);
    struct thread_arg *ta = malloc(sizeof *ta);
    if (!j || !ta || !(j->out.details = cJSON_CreateObject())) {
        free(ta);
        if (j) {
            cJSON_Delete(j->out.details);
        }
        free(j);
        return ARVIS_E_NOMEM;
    }
    j->ops = ops;
    arvis_error err;
    arvis_error_clear(&err);
    if (ops->create(h->cfg, timeout_of(h, ops->name), &j->state, &err) != ARVIS_OK) {
        result_set(r, ARVIS_HEALTH_UNHEALTHY, err.msg);
        cJSON_Delete(j->out.details);
        free(j);
        free(ta);
        return ARVIS_OK;
    }
    *ta = (struct thread_arg){h, j};
    j->start_ms = arvis_clock_ms();
    if (pthread_create(&j->thread, NULL, job_thread, ta) != 0) {
        free(ta);
        job_free(j);
        return ARVIS_E_NOMEM;
    }
    h->jobs[i] = j;
    return ARVIS_OK;
}

static void wait_until(arvis_health *h, double deadline_ms)
{
    double ms = deadline_ms - arvis_clock_ms();
    if (ms <= 0) {
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long ns = (long long)ts.tv_nsec + (long long)(ms * 1e6);
    ts.tv_sec += (time_t)(ns / 1000000000LL);
    ts.tv_nsec = (long)(ns % 1000000000LL);
    pthread_cond_timedwait(&h->cond, &h->lock, &ts);
}

/* Takes what an ended job found into r, and frees it. */
static void collect(arvis_health *h, size_t i, arvis_health_result *r)
{
    struct job *j = h->jobs[i];
    pthread_join(j->thread, NULL);
    r->status = j->out.status;
    snprintf(r->message, sizeof r->message, "%s", j->out.message);
    r->latency_ms = j->latency_ms;
    r->details = j->out.details;
    j->out.details = NULL;
    long slow = (long)arvis_config_int(h->cfg, "health.degraded_latency_ms");
    if (r->status == ARVIS_HEALTH_HEALTHY && r->latency_ms > (double)slow) {
        r->status = ARVIS_HEALTH_DEGRADED;
        snprintf(r->message, sizeof r->message, "%.140s, but slowly: %.0f ms (more than %ld ms)",
                 j->out.message, r->latency_ms, slow);
    }
    job_free(j);
    h->jobs[i] = NULL;
}

/* Waits for the jobs started (pending[i]) until each ends or passes its deadline; a job past its
 * deadline is told to stop, reported as hung and, if it does not end within the grace, left. */
static void wait_all(arvis_health *h, bool *pending, arvis_health_result *res)
{
    double deadline[ARVIS_HEALTH_COMPONENTS] = {0};
    for (size_t i = 0; i < ARVIS_HEALTH_COMPONENTS; i++) {
        if (pending[i]) {
            deadline[i] = h->jobs[i]->start_ms + (double)timeout_of(h, checkers[i]->name);
        }
    }
    pthread_mutex_lock(&h->lock);
    for (;;) {
        double now = arvis_clock_ms();
        double next = -1;
        for (size_t i = 0; i < ARVIS_HEALTH_COMPONENTS; i++) {
            if (!pending[i]) {
                continue;
            }
            struct job *j = h->jobs[i];
            if (j->done && !res[i].timed_out) {
                pthread_mutex_unlock(&h->lock);
                collect(h, i, &res[i]);
                pthread_mutex_lock(&h->lock);
                pending[i] = false;
                continue;
            }
            if (j->done) { /* ended within the grace: its result is dropped */
                pending[i] = false;
                continue;
            }
            if (now >= deadline[i] && !res[i].timed_out) {
                long t = timeout_of(h, checkers[i]->name);
                res[i].timed_out = true;
                res[i].latency_ms = now - j->start_ms;
                res[i].status = ARVIS_HEALTH_UNHEALTHY;
                snprintf(res[i].message, sizeof res[i].message, "no answer within %ld ms", t);
            }
            if (res[i].timed_out) {
                if (now >= deadline[i] + STOP_GRACE_MS) {
                    pending[i] = false; /* left to end alone; reaped at the next check */
                    continue;
                }
                if (j->ops->interrupt) {
                    j->ops->interrupt(j->state);
                }
                double t = now + STOP_REPEAT_MS;
                next = next < 0 || t < next ? t : next;
                continue;
            }
            next = next < 0 || deadline[i] < next ? deadline[i] : next;
        }
        if (next < 0) {
            break;
        }
        wait_until(h, next);
    }
    pthread_mutex_unlock(&h->lock);
    /* A hung job that ended within the grace can be joined now. */
    for (size_t i = 0; i < ARVIS_HEALTH_COMPONENTS; i++) {
        struct job *j = h->jobs[i];
        if (j && res[i].timed_out) {
            pthread_mutex_lock(&h->lock);
            bool ended = j->done;
            pthread_mutex_unlock(&h->lock);
            if (ended) {
                pthread_join(j->thread, NULL);
                job_free(j);
                h->jobs[i] = NULL;
            }
        }
    }
}

static int fill_report(arvis_health *h, double now_ms, bool use_cache, arvis_health_result *res,
                       arvis_health_report *r)
{
    double ttl_ms = (double)arvis_config_int(h->cfg, "health.cache_ttl") * 1000.0;
    r->count = ARVIS_HEALTH_COMPONENTS;
    for (size_t i = 0; i < ARVIS_HEALTH_COMPONENTS; i++) {
        arvis_health_result *x = &r->results[i];
        bool fresh = use_cache && h->cached[i] && now_ms >= h->cache[i].checked_at_ms &&
                     now_ms - h->cache[i].checked_at_ms < ttl_ms;
        if (fresh) {
            *x = h->cache[i];
            x->cached = true;
            x->details = cJSON_Duplicate(h->cache[i].details, true);
        } else {
            *x = res[i];
            x->checked_at_ms = now_ms;
            if (!x->details) {
                x->details = cJSON_CreateObject();
            }
            cJSON_Delete(h->cache[i].details);
            h->cache[i] = *x;
            h->cache[i].details = cJSON_Duplicate(x->details, true);
            h->cached[i] = ttl_ms > 0;
        }
        x->component = checkers[i]->name;
        x->required = is_required(h, x->component);
        if (!x->details) {
            return ARVIS_E_NOMEM;
        }
    }
    r->overall = arvis_health_overall(r->results, r->count);
    return ARVIS_OK;
}

static int check(arvis_health *h, double now_ms, bool use_cache, arvis_health_report **out,
                 arvis_error *err)
{
    *out = NULL;
    arvis_health_report *r = calloc(1, sizeof *r);
    if (!r) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    pthread_mutex_lock(&h->check_lock);
    double ttl_ms = (double)arvis_config_int(h->cfg, "health.cache_ttl") * 1000.0;
    arvis_health_result res[ARVIS_HEALTH_COMPONENTS];
    bool pending[ARVIS_HEALTH_COMPONENTS] = {false};
    memset(res, 0, sizeof res);
    int rc = ARVIS_OK;
    for (size_t i = 0; rc == ARVIS_OK && i < ARVIS_HEALTH_COMPONENTS; i++) {
        bool fresh = use_cache && h->cached[i] && now_ms >= h->cache[i].checked_at_ms &&
                     now_ms - h->cache[i].checked_at_ms < ttl_ms;
        if (!fresh) {
            rc = start(h, i, &res[i]);
            pending[i] = rc == ARVIS_OK && h->jobs[i] && !res[i].timed_out;
        }
    }
    wait_all(h, pending, res);
    if (rc == ARVIS_OK) {
        rc = fill_report(h, now_ms, use_cache, res, r);
    }
    pthread_mutex_unlock(&h->check_lock);
    if (rc != ARVIS_OK) {
        arvis_health_report_free(r);
        return arvis_error_set(err, rc, "cannot run the health checks: out of memory or threads");
    }
    *out = r;
    return ARVIS_OK;
}

int arvis_health_check_at(arvis_health *h, double now_ms, arvis_health_report **out,
                          arvis_error *err)
{
    return check(h, now_ms, true, out, err);
}

int arvis_health_check(arvis_health *h, arvis_health_report **out, arvis_error *err)
{
    return check(h, arvis_clock_ms(), true, out, err);
}

int arvis_health_recheck(arvis_health *h, arvis_health_report **out, arvis_error *err)
{
    return check(h, arvis_clock_ms(), false, out, err);
}
