/* System figures: the values read from /proc are plausible, CPU ticks never go back, the busy
 * share stays between 0 and 1, and disk space of a path that is not there is a clear error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/sysinfo.h"

static void test_figures_are_plausible(void **state)
{
    (void)state;
    arvis_sysinfo si;
    arvis_error err = {0};
    assert_int_equal(arvis_sysinfo_read(&si, &err), ARVIS_OK);
    assert_true(si.uptime_s > 0);
    assert_true(si.load1 >= 0 && si.load5 >= 0 && si.load15 >= 0);
    assert_true(si.cpus >= 1);
    assert_true(si.mem_total > 0);
    assert_true(si.mem_available <= si.mem_total);
    assert_true(si.cpu_busy_ticks <= si.cpu_total_ticks);
    assert_true(si.cpu_total_ticks > 0);
    assert_true(si.proc_rss > 0);
    /* resident memory of this process cannot exceed the machine's */
    assert_true(si.proc_rss < si.mem_total);
    assert_true(si.proc_cpu_s >= 0);
}

static void test_cpu_ticks_never_go_back(void **state)
{
    (void)state;
    arvis_sysinfo a, b;
    assert_int_equal(arvis_sysinfo_read(&a, NULL), ARVIS_OK);
    assert_int_equal(arvis_sysinfo_read(&b, NULL), ARVIS_OK);
    assert_true(b.cpu_total_ticks >= a.cpu_total_ticks);
    assert_true(b.cpu_busy_ticks >= a.cpu_busy_ticks);
    assert_true(b.proc_cpu_s >= a.proc_cpu_s);
    assert_true(b.uptime_s >= a.uptime_s);
    double busy = arvis_sysinfo_cpu_busy(&a, &b);
    assert_true(busy >= 0 && busy <= 1);
}

static void test_cpu_busy_share_is_computed_and_bounded(void **state)
{
    (void)state;
    arvis_sysinfo a = {0}, b = {0};
    a.cpu_busy_ticks = 100;
    a.cpu_total_ticks = 1000;
    b.cpu_busy_ticks = 150;
    b.cpu_total_ticks = 1200;
    assert_true(arvis_sysinfo_cpu_busy(&a, &b) > 0.2499 && arvis_sysinfo_cpu_busy(&a, &b) < 0.2501);
    /* no time passed */
    assert_true(arvis_sysinfo_cpu_busy(&a, &a) == 0);
    /* readings in the wrong order */
    assert_true(arvis_sysinfo_cpu_busy(&b, &a) == 0);
}

static void test_disk_space_of_root(void **state)
{
    (void)state;
    uint64_t total = 0, avail = 0;
    assert_int_equal(arvis_disk_space("/", &total, &avail, NULL), ARVIS_OK);
    assert_true(total > 0);
    assert_true(avail <= total);
}

static void test_disk_space_of_missing_path_says_which(void **state)
{
    (void)state;
    uint64_t total = 1, avail = 1;
    arvis_error err = {0};
    int rc = arvis_disk_space("/no/such/arvis/folder", &total, &avail, &err);
    assert_int_equal(rc, ARVIS_E_NOTFOUND);
    assert_int_equal(err.code, ARVIS_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "/no/such/arvis/folder"));
    assert_int_equal(total, 0);
    assert_int_equal(avail, 0);
    assert_int_equal(arvis_disk_space("", &total, &avail, &err), ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "no path"));
    assert_int_equal(arvis_disk_space(NULL, &total, &avail, &err), ARVIS_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures_are_plausible),
        cmocka_unit_test(test_cpu_ticks_never_go_back),
        cmocka_unit_test(test_cpu_busy_share_is_computed_and_bounded),
        cmocka_unit_test(test_disk_space_of_root),
        cmocka_unit_test(test_disk_space_of_missing_path_says_which),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
