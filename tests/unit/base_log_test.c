/* Logging: level filtering, the file format, rotation at the size limit with a fixed number of
 * backups, and stderr output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arvis/file.h"
#include "arvis/log.h"
#include "test_util.h"

static void test_level_names_parse_both_ways(void **state)
{
    (void)state;
    arvis_log_level l;
    assert_int_equal(arvis_log_level_parse("WARNING", &l), ARVIS_OK);
    assert_int_equal(l, ARVIS_LOG_WARNING);
    assert_int_equal(arvis_log_level_parse("debug", &l), ARVIS_OK);
    assert_int_equal(l, ARVIS_LOG_DEBUG);
    assert_int_equal(arvis_log_level_parse("verbose", &l), ARVIS_E_INVAL);
    assert_string_equal(arvis_log_level_name(ARVIS_LOG_ERROR), "error");
    assert_string_equal(arvis_log_level_name((arvis_log_level)42), "unknown");
}

static void test_file_gets_lines_at_or_above_its_level(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/arvis.log", dir);
    arvis_log_options o = {path, ARVIS_LOG_INFO, ARVIS_LOG_OFF, 1 << 20, 3};
    assert_int_equal(arvis_log_open(&o, NULL), ARVIS_OK);
    arvis_log(ARVIS_LOG_DEBUG, "test", "hidden %d", 1);
    arvis_log(ARVIS_LOG_INFO, "test", "shown %d", 2);
    arvis_log(ARVIS_LOG_ERROR, "config", "also shown");
    arvis_log_close();
    char *text = tu_read(path, NULL);
    assert_non_null(text);
    assert_null(strstr(text, "hidden"));
    assert_non_null(strstr(text, "info    test: shown 2\n"));
    assert_non_null(strstr(text, "error   config: also shown\n"));
    assert_true(text[4] == '-' && text[10] == 'T'); /* ISO 8601 time first */
    free(text);
    tu_rmtree(dir);
}

static void test_rotation_keeps_the_configured_number_of_backups(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/arvis.log", dir);
    arvis_log_options o = {path, ARVIS_LOG_DEBUG, ARVIS_LOG_OFF, 1000, 2};
    assert_int_equal(arvis_log_open(&o, NULL), ARVIS_OK);
    for (int i = 0; i < 200; i++) {
        arvis_log(ARVIS_LOG_INFO, "test", "line %03d with some padding to fill the file", i);
    }
    arvis_log_close();
    assert_true(arvis_file_exists(tu_path(dir, "arvis.log")));
    assert_true(arvis_file_exists(tu_path(dir, "arvis.log.1")));
    assert_true(arvis_file_exists(tu_path(dir, "arvis.log.2")));
    assert_false(arvis_file_exists(tu_path(dir, "arvis.log.3")));
    size_t len = 0;
    char *cur = tu_read(path, &len);
    assert_true(len <= 1000);
    assert_non_null(strstr(cur, "line 199"));
    free(cur);
    char *older = tu_read(tu_path(dir, "arvis.log.1"), &len);
    assert_true(len <= 1000);
    assert_null(strstr(older, "line 199"));
    free(older);
    tu_rmtree(dir);
}

static void test_a_full_file_is_rotated_when_opened(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/arvis.log", dir);
    char big[2000];
    memset(big, 'x', sizeof big);
    tu_write(path, big, sizeof big);
    arvis_log_options o = {path, ARVIS_LOG_DEBUG, ARVIS_LOG_OFF, 1000, 1};
    assert_int_equal(arvis_log_open(&o, NULL), ARVIS_OK);
    arvis_log(ARVIS_LOG_INFO, "test", "fresh");
    arvis_log_close();
    size_t len = 0;
    char *bak = tu_read(tu_path(dir, "arvis.log.1"), &len);
    assert_int_equal(len, sizeof big);
    free(bak);
    char *cur = tu_read(path, NULL);
    assert_non_null(strstr(cur, "fresh"));
    assert_true(cur[0] != 'x');
    free(cur);
    tu_rmtree(dir);
}

static void test_unwritable_log_file_is_reported_and_logging_goes_on(void **state)
{
    (void)state;
    arvis_log_options o = {"/nonexistent-folder/arvis.log", ARVIS_LOG_DEBUG, ARVIS_LOG_OFF, 1000,
                           1};
    arvis_error err;
    assert_int_not_equal(arvis_log_open(&o, &err), ARVIS_OK);
    assert_non_null(strstr(err.msg, "/nonexistent-folder/arvis.log"));
    arvis_log(ARVIS_LOG_ERROR, "test", "does not crash");
    arvis_log(ARVIS_LOG_OFF, "test", "never written");
    arvis_log_close();
}

static void test_stderr_gets_messages_at_its_level(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    fflush(stderr);
    int saved = dup(2);
    FILE *f = freopen(path, "w", stderr);
    assert_non_null(f);
    arvis_log_options o = {NULL, ARVIS_LOG_DEBUG, ARVIS_LOG_WARNING, 0, 0};
    arvis_log_open(&o, NULL);
    arvis_log(ARVIS_LOG_INFO, "test", "quiet");
    arvis_log(ARVIS_LOG_WARNING, "test", "loud %s", "enough");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char *text = tu_read(path, NULL);
    assert_string_equal(text, "arvis: warning: loud enough\n");
    free(text);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_names_parse_both_ways),
        cmocka_unit_test(test_file_gets_lines_at_or_above_its_level),
        cmocka_unit_test(test_rotation_keeps_the_configured_number_of_backups),
        cmocka_unit_test(test_a_full_file_is_rotated_when_opened),
        cmocka_unit_test(test_unwritable_log_file_is_reported_and_logging_goes_on),
        cmocka_unit_test(test_stderr_gets_messages_at_its_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
