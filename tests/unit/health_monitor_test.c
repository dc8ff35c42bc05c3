/* The health monitor against the scripted model server, stopped and started again: the llm goes
 * HEALTHY -> UNHEALTHY -> HEALTHY, each change is an event and an audit record, and stop ends it.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "arvis/audit.h"
#include "fake_llm.h"
#include "health_test_util.h"
#include "test_util.h"

#define SCRIPT "{\"models\": [\"gemma2:2b\"], \"version\": \"0.5.7\"}"

/* Rounds come only when poked: the interval is far longer than any test. The wait for a round
 * is a safety net against a hang, not a measure of speed. */
enum { LONG_INTERVAL = 86400, ROUND_WAIT_SEC = 60, CHANGES_MAX = 64 };

struct seen_change {
    char component[32];
    arvis_health_status from, to;
    char message[ARVIS_ERROR_MSG_MAX];
};

struct recorder {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned long rounds;
    size_t n;
    struct seen_change changes[CHANGES_MAX];
};

static void on_change(const arvis_health_change *c, void *ud)
{
    struct recorder *r = ud;
    pthread_mutex_lock(&r->lock);
    if (r->n < CHANGES_MAX) {
        struct seen_change *s = &r->changes[r->n++];
        snprintf(s->component, sizeof s->component, "%s", c->component);
        snprintf(s->message, sizeof s->message, "%s", c->message);
        s->from = c->old_status;
        s->to = c->new_status;
    }
    pthread_mutex_unlock(&r->lock);
}

static void on_round(const arvis_health_report *rep, void *ud)
{
    (void)rep;
    struct recorder *r = ud;
    pthread_mutex_lock(&r->lock);
    r->rounds++;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

static void wait_rounds(struct recorder *r, unsigned long n)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ROUND_WAIT_SEC;
    pthread_mutex_lock(&r->lock);
    while (r->rounds < n) {
        if (pthread_cond_timedwait(&r->cond, &r->lock, &until) == ETIMEDOUT) {
            pthread_mutex_unlock(&r->lock);
            fail_msg("round %lu never came", n);
        }
    }
    pthread_mutex_unlock(&r->lock);
}

/* The change of component recorded after the first `after` changes, or NULL. */
/* What change_of finds when there is no such change: it never matches a real one. */
static const struct seen_change no_change;

static const struct seen_change *change_of(struct recorder *r, size_t after, const char *component)
{
    for (size_t i = after; i < r->n; i++) {
        if (strcmp(r->changes[i].component, component) == 0) {
            return &r->changes[i];
        }
    }
    return &no_change;
}

static void expect_change(struct recorder *r, size_t after, const char *component,
                          arvis_health_status from, arvis_health_status to)
{
    const struct seen_change *c = change_of(r, after, component);
    if (c == &no_change) {
        fail_msg("no change of %s after change %zu", component, after);
    }
    assert_string_equal(arvis_health_status_name(c->from), arvis_health_status_name(from));
    assert_string_equal(arvis_health_status_name(c->to), arvis_health_status_name(to));
}

static arvis_config *config_for(const char *url)
{
    static char base[128];
    snprintf(base, sizeof base, "llm.base_url=%s", url);
    return tu_config((const char *[]){base, "llm.model=gemma2:2b", "tts.engine=null",
                                      "stt.engine=null", "health.cache_ttl=0",
                                      "health.required=[\"llm\", \"storage\"]", NULL});
}

struct rig {
    struct recorder rec;
    arvis_config *cfg;
    arvis_health *h;
    arvis_audit *audit;
    arvis_health_monitor *m;
};

static void rig_start(struct rig *g, const char *url, const char *audit_path)
{
    memset(g, 0, sizeof *g);
    pthread_mutex_init(&g->rec.lock, NULL);
    pthread_cond_init(&g->rec.cond, NULL);
    g->cfg = config_for(url);
    arvis_error err;
    assert_int_equal(arvis_health_create(g->cfg, &g->h, &err), ARVIS_OK);
    arvis_audit_params ap = arvis_audit_default_params();
    ap.path = audit_path;
    assert_int_equal(arvis_audit_open(&ap, &g->audit, &err), ARVIS_OK);
    arvis_health_monitor_options o = {.interval_sec = LONG_INTERVAL,
                                      .change_cb = on_change,
                                      .round_cb = on_round,
                                      .ud = &g->rec,
                                      .audit = g->audit};
    assert_int_equal(arvis_health_monitor_start(g->h, &o, &g->m, &err), ARVIS_OK);
}

static void rig_stop(struct rig *g)
{
    arvis_health_monitor_stop(g->m);
    arvis_audit_close(g->audit);
    arvis_health_destroy(g->h);
    arvis_config_free(g->cfg);
    pthread_cond_destroy(&g->rec.cond);
    pthread_mutex_destroy(&g->rec.lock);
}

/* The audit records of event for component, in order, as "FROM>TO" or the status. */
static void audit_trail(const char *path, const char *event, const char *component, char *out,
                        size_t size)
{
    char *text = tu_read(path, NULL);
    assert_non_null(text);
    out[0] = '\0';
    for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = '\0';
        cJSON *o = tu_json(line);
        const char *ev = cJSON_GetStringValue(cJSON_GetObjectItem(o, "event"));
        const char *comp = cJSON_GetStringValue(cJSON_GetObjectItem(o, "component"));
        const cJSON *d = cJSON_GetObjectItem(o, "details");
        if (ev && comp && strcmp(ev, event) == 0 && strcmp(comp, component) == 0) {
            const char *from = cJSON_GetStringValue(cJSON_GetObjectItem(d, "from"));
            const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(o, "status"));
            size_t used = strlen(out);
            snprintf(out + used, size - used, "%s%s%s ", from ? from : "", from ? ">" : "",
                     status ? status : "?");
        }
        cJSON_Delete(o);
    }
    free(text);
}

static void test_llm_down_and_up_again_gives_events_and_audit_records(void **state)
{
    (void)state;
    fake_llm *server = fake_llm_start(0, SCRIPT);
    assert_non_null(server);
    int port = fake_llm_port(server);
    char url[64];
    snprintf(url, sizeof url, "%s", fake_llm_url(server));
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tempdir());
    const char *audit_path = tu_path(dir, "audit.jsonl");
    char audit_copy[4200];
    snprintf(audit_copy, sizeof audit_copy, "%s", audit_path);
    struct rig g;
    rig_start(&g, url, audit_copy);

    wait_rounds(&g.rec, 1); /* the first round reports every known status as a change */
    expect_change(&g.rec, 0, "llm", ARVIS_HEALTH_UNKNOWN, ARVIS_HEALTH_HEALTHY);
    expect_change(&g.rec, 0, "storage", ARVIS_HEALTH_UNKNOWN, ARVIS_HEALTH_HEALTHY);
    assert_true(change_of(&g.rec, 0, ARVIS_HEALTH_OVERALL) != &no_change);
    size_t first = g.rec.n;

    fake_llm_stop(server);
    arvis_health_monitor_poke(g.m);
    wait_rounds(&g.rec, 2);
    expect_change(&g.rec, first, "llm", ARVIS_HEALTH_HEALTHY, ARVIS_HEALTH_UNHEALTHY);
    ht_assert_has(change_of(&g.rec, first, "llm")->message, "ollama serve");
    assert_int_equal(change_of(&g.rec, first, ARVIS_HEALTH_OVERALL)->to, ARVIS_HEALTH_UNHEALTHY);
    ht_assert_has(change_of(&g.rec, first, ARVIS_HEALTH_OVERALL)->message, "ollama serve");
    assert_true(change_of(&g.rec, first, "storage") == &no_change); /* unchanged: not again */
    size_t second = g.rec.n;

    server = fake_llm_start(port, SCRIPT);
    assert_non_null(server);
    arvis_health_monitor_poke(g.m);
    wait_rounds(&g.rec, 3);
    expect_change(&g.rec, second, "llm", ARVIS_HEALTH_UNHEALTHY, ARVIS_HEALTH_HEALTHY);
    assert_int_not_equal(change_of(&g.rec, second, ARVIS_HEALTH_OVERALL)->to,
                         ARVIS_HEALTH_UNHEALTHY);

    /* Stop between rounds, with a day to wait: it wakes and ends at once (a hang would end
     * the test at its time limit). */
    rig_stop(&g);
    fake_llm_stop(server);

    char trail[512];
    audit_trail(audit_copy, "health.status_changed", "llm", trail, sizeof trail);
    assert_string_equal(trail, "UNKNOWN>HEALTHY HEALTHY>UNHEALTHY UNHEALTHY>HEALTHY ");
    audit_trail(audit_copy, "health.check_failed", "llm", trail, sizeof trail);
    assert_string_equal(trail, "UNHEALTHY ");
    audit_trail(audit_copy, "health.check_failed", "storage", trail, sizeof trail);
    assert_string_equal(trail, "");
    tu_rmtree(dir);
}

static void test_rounds_without_a_change_report_nothing_new(void **state)
{
    (void)state;
    fake_llm *server = fake_llm_start(0, SCRIPT);
    assert_non_null(server);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tempdir());
    struct rig g;
    rig_start(&g, fake_llm_url(server), tu_path(dir, "audit.jsonl"));
    wait_rounds(&g.rec, 1);
    size_t first = g.rec.n;
    assert_true(first >= 3);
    for (unsigned long k = 2; k <= 4; k++) {
        arvis_health_monitor_poke(g.m);
        wait_rounds(&g.rec, k);
    }
    assert_int_equal(g.rec.n, first);
    assert_true(arvis_health_monitor_rounds(g.m) >= 4);
    rig_stop(&g);
    fake_llm_stop(server);
    tu_rmtree(dir);
}

/* A command that ends at once (chat on an empty input) still hears the state at start: the
 * first round runs to its end even when stop comes before it began. */
static void test_stop_at_once_still_reports_the_first_round(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tempdir());
    for (int run = 0; run < 20; run++) {
        struct rig g;
        rig_start(&g, "http://127.0.0.1:9", tu_path(dir, "audit.jsonl"));
        arvis_health_monitor_stop(g.m);
        assert_int_equal(g.rec.rounds, 1);
        expect_change(&g.rec, 0, "llm", ARVIS_HEALTH_UNKNOWN, ARVIS_HEALTH_UNHEALTHY);
        g.m = NULL;
        rig_stop(&g);
    }
    tu_rmtree(dir);
}

static void test_an_audit_log_that_cannot_be_written_does_not_stop_the_events(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", fake_llm_closed_port());
    struct rig g;
    rig_start(&g, url, "/dev/full");
    wait_rounds(&g.rec, 1);
    expect_change(&g.rec, 0, "llm", ARVIS_HEALTH_UNKNOWN, ARVIS_HEALTH_UNHEALTHY);
    arvis_health_monitor_poke(g.m);
    wait_rounds(&g.rec, 2);
    assert_true(arvis_audit_failing(g.audit));
    assert_true(arvis_audit_get_stats(g.audit).lost >= 4);
    rig_stop(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_llm_down_and_up_again_gives_events_and_audit_records),
        cmocka_unit_test(test_rounds_without_a_change_report_nothing_new),
        cmocka_unit_test(test_stop_at_once_still_reports_the_first_round),
        cmocka_unit_test(test_an_audit_log_that_cannot_be_written_does_not_stop_the_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
