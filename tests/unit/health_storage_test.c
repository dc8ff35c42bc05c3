/* The storage checker: a writable data folder with room, a data folder that cannot exist
 * (under a regular file, since root may write anywhere), and a free-space threshold no disk here
 * can meet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/statvfs.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "health_test_util.h"
#include "test_util.h"

/* The largest threshold the schema allows, in MB (1 TiB). */
#define MAX_THRESHOLD_MB 1048576.0

static void test_writable_data_folder_is_healthy_and_left_clean(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config((const char *[]){"tts.engine=null", NULL});
    arvis_health_report *r = ht_check_once(cfg);
    const arvis_health_result *s = ht_find(r, "storage");
    assert_int_equal(s->status, ARVIS_HEALTH_HEALTHY);
    const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(s->details, "path"));
    assert_non_null(path);
    /* the data folder was created, and the probe file removed */
    assert_int_equal(tu_count_entries(path), 0);
    assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(s->details, "free_mb")) > 0);
    arvis_health_report_free(r);
    arvis_config_free(cfg);
}

static void test_data_folder_under_a_file_is_unhealthy(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config((const char *[]){"tts.engine=null", NULL});
    const char *dir = tu_tempdir();
    const char *file = tu_path(dir, "not-a-folder");
    tu_write(file, "x", -1);
    setenv("ARVIS_HOME", file, 1);
    arvis_health_report *r = ht_check_once(cfg);
    const arvis_health_result *s = ht_find(r, "storage");
    assert_int_equal(s->status, ARVIS_HEALTH_UNHEALTHY);
    ht_assert_has(s->message, "cannot be written");
    ht_assert_has(s->message, "not-a-folder");
    /* storage is required by default */
    assert_true(s->required);
    assert_int_equal(r->overall, ARVIS_HEALTH_UNHEALTHY);
    arvis_health_report_free(r);
    arvis_config_free(cfg);
    tu_rmtree(dir);
}

static void test_free_space_below_the_threshold_is_degraded(void **state)
{
    (void)state;
    arvis_config *cfg =
        tu_config((const char *[]){"tts.engine=null", "health.min_free_disk_mb=1048576", NULL});
    arvis_health_report *r = ht_check_once(cfg);
    const arvis_health_result *s = ht_find(r, "storage");
    struct statvfs vfs;
    const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(s->details, "path"));
    assert_int_equal(statvfs(path, &vfs), 0);
    if ((double)vfs.f_bavail * (double)vfs.f_frsize / (1024.0 * 1024.0) >= MAX_THRESHOLD_MB) {
        arvis_health_report_free(r);
        arvis_config_free(cfg);
        skip(); /* a disk with more than 1 TiB free meets every threshold */
    }
    assert_int_equal(s->status, ARVIS_HEALTH_DEGRADED);
    ht_assert_has(s->message, "health.min_free_disk_mb");
    arvis_health_report_free(r);
    arvis_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writable_data_folder_is_healthy_and_left_clean),
        cmocka_unit_test(test_data_folder_under_a_file_is_unhealthy),
        cmocka_unit_test(test_free_space_below_the_threshold_is_degraded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
