/* The assistant's system figures: taken every metrics.system_interval while it waits for
 * requests, not only after turns; never with the interval at 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <time.h>

#include "arvis/arvis.h"
#include "arvis/metrics.h"
#include "test_util.h"

/* The value of the series named name, or -1 when it is not there. */
static double value_of(arvis_metrics *reg, const char *name)
{
    arvis_metrics_snapshot *s = NULL;
    assert_int_equal(arvis_metrics_snapshot_take(reg, &s), ARVIS_OK);
    const arvis_metric_series *f = arvis_metrics_snapshot_find(s, name, NULL, 0);
    double v = f ? f->value : -1;
    arvis_metrics_snapshot_free(s);
    return v;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Polls until name is above floor; false after a minute, a guard that only turns a hang into a
 * failure (the interval is a second). */
static bool rises_above(arvis_metrics *reg, const char *name, double floor)
{
    for (int i = 0; i < 6000; i++) {
        if (value_of(reg, name) > floor) {
            return true;
        }
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    }
    return false;
}

static arvis_assistant *start(arvis_config *cfg, arvis_metrics *reg)
{
    arvis_assistant_options o = {.cfg = cfg, .metrics = reg};
    arvis_assistant *a = NULL;
    arvis_error err;
    if (arvis_assistant_create(&o, &a, &err) != ARVIS_OK) {
        fail_msg("cannot start the assistant: %s", err.msg);
    }
    return a;
}

static void test_system_figures_are_taken_while_idle(void **state)
{
    (void)state;
    tu_fresh_home();
    const char *const sets[] = {"metrics.system_interval=1", "metrics.gpu=false", NULL};
    arvis_config *cfg = tu_config(sets);
    arvis_metrics *reg = arvis_metrics_create();
    arvis_assistant *a = start(cfg, reg);
    /* One interval after start, with no turn at all. */
    assert_true(rises_above(reg, "arvis_process_resident_memory_bytes", 0));
    double before = value_of(reg, "arvis_process_cpu_seconds_total");
    /* Some CPU time for the next sample to see: only a periodic sample can record it. */
    double until = cpu_seconds() + 0.05;
    volatile unsigned spin = 0;
    while (cpu_seconds() < until) {
        spin++;
    }
    assert_true(rises_above(reg, "arvis_process_cpu_seconds_total", before));
    arvis_assistant_destroy(a);
    arvis_metrics_destroy(reg);
    arvis_config_free(cfg);
}

static void test_an_interval_of_zero_takes_none(void **state)
{
    (void)state;
    tu_fresh_home();
    const char *const sets[] = {"metrics.system_interval=0", NULL};
    arvis_config *cfg = tu_config(sets);
    arvis_metrics *reg = arvis_metrics_create();
    arvis_assistant *a = start(cfg, reg);
    uint64_t turn = 0;
    arvis_error err;
    assert_int_equal(arvis_assistant_submit_text(a, "what is 2 plus 2", &turn, &err), ARVIS_OK);
    arvis_assistant_wait_idle(a);
    arvis_assistant_destroy(a); /* the turn and whatever the worker did are over */
    assert_true(value_of(reg, "arvis_process_resident_memory_bytes") < 0);
    arvis_metrics_destroy(reg);
    arvis_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_system_figures_are_taken_while_idle),
        cmocka_unit_test(test_an_interval_of_zero_takes_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
