/* The notification history: its cap, saving and loading it again, a repeat merging into what
 * an earlier manager (process) saved, and a damaged file whose good entries are kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/stat.h>

#include "arvis/log.h"
#include "arvis/notify.h"
#include "test_util.h"

static const double T0 = 1800000000.0;

/* A manager on the history file at path with no channel at all. err receives the warning. */
static arvis_notify *open_at(const char *path, size_t history_max, arvis_error *err)
{
    arvis_notify_params p = arvis_notify_default_params();
    for (int i = 0; i < ARVIS_NOTIFY_CHANNELS; i++) {
        p.channels[i].enabled = false;
    }
    p.history_max = history_max;
    p.history_path = path;
    arvis_notify *n = NULL;
    assert_int_equal(arvis_notify_create(&p, &n, err), ARVIS_OK);
    return n;
}

static void send(arvis_notify *n, arvis_notify_level level, const char *msg, double t,
                 arvis_notify_outcome expect)
{
    arvis_notify_outcome o;
    assert_int_equal(arvis_notify_send_at(n, level, "disk", msg, t, &o), ARVIS_OK);
    assert_int_equal(o, expect);
}

static arvis_notification *list_of(arvis_notify *n, size_t *count)
{
    arvis_notification *list = NULL;
    assert_int_equal(arvis_notify_list(n, &list, count), ARVIS_OK);
    return list;
}

static void test_the_history_keeps_the_newest_up_to_its_cap(void **state)
{
    (void)state;
    arvis_error err;
    arvis_notify *n = open_at("", 10, &err);
    char msg[32];
    for (int i = 0; i < 25; i++) {
        snprintf(msg, sizeof msg, "n%d", i);
        send(n, ARVIS_NOTIFY_CRITICAL, msg, T0 + i, ARVIS_NOTIFY_SENT);
    }
    size_t count;
    arvis_notification *list = list_of(n, &count);
    assert_int_equal(count, 10);
    assert_string_equal(list[0].message, "n15");
    assert_string_equal(list[9].message, "n24");
    arvis_notify_list_free(list, count);
    arvis_notify_destroy(n);
}

static void test_saved_history_loads_again_with_counts(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    const char *path = tu_path(home, "data/notifications.jsonl");
    arvis_error err;
    arvis_notify *n = open_at(path, 100, &err);
    send(n, ARVIS_NOTIFY_WARNING, "almost full", T0, ARVIS_NOTIFY_SENT);
    send(n, ARVIS_NOTIFY_WARNING, "almost full", T0 + 5, ARVIS_NOTIFY_MERGED);
    send(n, ARVIS_NOTIFY_ERROR, "full \"quoted\"\nnew line, é", T0 + 6, ARVIS_NOTIFY_SENT);
    assert_int_equal(arvis_notify_save(n, &err), ARVIS_OK);
    arvis_notify_destroy(n);

    n = open_at(path, 100, &err);
    assert_string_equal(err.msg, "");
    size_t count;
    arvis_notification *list = list_of(n, &count);
    assert_int_equal(count, 2);
    assert_int_equal(list[0].level, ARVIS_NOTIFY_WARNING);
    assert_string_equal(list[0].component, "disk");
    assert_int_equal(list[0].count, 2);
    assert_float_equal(list[0].time, T0, 1e-6);
    assert_float_equal(list[0].last_time, T0 + 5, 1e-6);
    assert_string_equal(list[1].message, "full \"quoted\"\nnew line, é");
    arvis_notify_list_free(list, count);
    /* A smaller cap keeps the newest of what was saved. */
    arvis_notify_destroy(n);
    n = open_at(path, 1, &err);
    list = list_of(n, &count);
    assert_int_equal(count, 1);
    assert_int_equal(list[0].level, ARVIS_NOTIFY_ERROR);
    arvis_notify_list_free(list, count);
    arvis_notify_destroy(n);
    tu_rmtree(home);
}

static void test_a_repeat_merges_into_what_an_earlier_process_saved(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    const char *path = tu_path(home, "data/notifications.jsonl");
    arvis_error err;
    arvis_notify *first = open_at(path, 100, &err);
    send(first, ARVIS_NOTIFY_INFO, "model loaded", T0, ARVIS_NOTIFY_SENT);
    arvis_notify_destroy(first); /* saves */

    arvis_notify *second = open_at(path, 100, &err);
    send(second, ARVIS_NOTIFY_INFO, "model loaded", T0 + 30, ARVIS_NOTIFY_MERGED);
    arvis_notify_destroy(second);

    arvis_notify *third = open_at(path, 100, &err);
    size_t count;
    arvis_notification *list = list_of(third, &count);
    assert_int_equal(count, 1);
    assert_int_equal(list[0].count, 2);
    arvis_notify_list_free(list, count);
    /* Later than the window (60 s from the last repeat) it is new. */
    send(third, ARVIS_NOTIFY_INFO, "model loaded", T0 + 91, ARVIS_NOTIFY_SENT);
    assert_int_equal(arvis_notify_clear(third, &err), ARVIS_OK);
    arvis_notify_destroy(third);
    arvis_notify *fourth = open_at(path, 100, &err);
    list = list_of(fourth, &count);
    assert_int_equal(count, 0);
    arvis_notify_list_free(list, count);
    arvis_notify_destroy(fourth);
    tu_rmtree(home);
}

static void test_a_damaged_file_keeps_its_good_entries_with_one_warning(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    const char *path = tu_path(home, "notifications.jsonl");
    tu_write(path,
             "{\"time\":1800000000,\"last\":1800000001,\"level\":\"info\",\"component\":\"a\","
             "\"message\":\"first\",\"count\":2}\n"
             "not json at all\n"
             "{\"time\":1800000002,\"level\":\"shouting\",\"component\":\"a\",\"message\":\"x\","
             "\"count\":1}\n"
             "{\"time\":\"yesterday\",\"level\":\"info\",\"component\":\"a\",\"message\":\"x\","
             "\"count\":1}\n"
             "\n"
             "{\"time\":1800000003,\"level\":\"error\",\"component\":\"b\",\"message\":\"second\","
             "\"count\":1}\n"
             "{\"time\":1800000004,\"level\":\"error\",\"component\":\"b\",\"mess",
             -1);
    arvis_error err;
    arvis_notify *n = open_at(path, 100, &err);
    assert_int_equal(err.code, ARVIS_OK);
    assert_non_null(strstr(err.msg, "4 damaged entries skipped"));
    assert_non_null(strstr(err.msg, "2 good entries kept"));
    size_t count;
    arvis_notification *list = list_of(n, &count);
    assert_int_equal(count, 2);
    assert_string_equal(list[0].message, "first");
    assert_int_equal(list[0].count, 2);
    assert_string_equal(list[1].message, "second");
    assert_float_equal(list[1].last_time, 1800000003, 0);
    arvis_notify_list_free(list, count);
    arvis_notify_destroy(n); /* saves without the damage */

    n = open_at(path, 100, &err);
    assert_string_equal(err.msg, "");
    list = list_of(n, &count);
    assert_int_equal(count, 2);
    arvis_notify_list_free(list, count);
    arvis_notify_destroy(n);
    tu_rmtree(home);
}

static void test_an_unreadable_history_leaves_the_file_and_works_in_memory(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    const char *path = tu_path(home, "notifications.jsonl");
    assert_int_equal(mkdir(path, 0700), 0); /* a folder where the file should be */
    arvis_error err;
    arvis_notify *n = open_at(path, 100, &err);
    assert_int_equal(err.code, ARVIS_OK);
    assert_non_null(strstr(err.msg, "kept in memory only"));
    send(n, ARVIS_NOTIFY_INFO, "still works", T0, ARVIS_NOTIFY_SENT);
    assert_int_equal(arvis_notify_save(n, &err), ARVIS_OK);
    arvis_notify_destroy(n);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    tu_rmtree(home);
}

static void test_a_failed_save_is_told_once_and_the_log_gets_notifications(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    char *log = strdup(tu_path(home, "arvis.log"));
    char *sub = strdup(tu_path(home, "sub"));
    char *path = strdup(tu_path(sub, "notifications.jsonl"));
    arvis_log_options o = {log, ARVIS_LOG_DEBUG, ARVIS_LOG_OFF, 1 << 20, 1};
    assert_int_equal(arvis_log_open(&o, NULL), ARVIS_OK);
    arvis_notify_params p = arvis_notify_default_params();
    for (int i = 0; i < ARVIS_NOTIFY_CHANNELS; i++) {
        p.channels[i].enabled = i == ARVIS_NOTIFY_LOG;
    }
    p.history_path = path;
    arvis_notify *n = NULL;
    arvis_error err;
    assert_int_equal(arvis_notify_create(&p, &n, &err), ARVIS_OK);
    send(n, ARVIS_NOTIFY_CRITICAL, "disk on fire", T0, ARVIS_NOTIFY_SENT);
    tu_write(sub, "a file where the folder should be", -1);
    assert_int_not_equal(arvis_notify_save(n, &err), ARVIS_OK);
    arvis_notify_destroy(n);
    arvis_log_close();
    char *text = tu_read(log, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "disk: critical: disk on fire"));
    assert_null(strstr(text, " notify: ")); /* the caller was told; not again */
    free(text);
    free(log);
    free(sub);
    free(path);
    tu_rmtree(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_history_keeps_the_newest_up_to_its_cap),
        cmocka_unit_test(test_saved_history_loads_again_with_counts),
        cmocka_unit_test(test_a_repeat_merges_into_what_an_earlier_process_saved),
        cmocka_unit_test(test_a_damaged_file_keeps_its_good_entries_with_one_warning),
        cmocka_unit_test(test_an_unreadable_history_leaves_the_file_and_works_in_memory),
        cmocka_unit_test(test_a_failed_save_is_told_once_and_the_log_gets_notifications),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
