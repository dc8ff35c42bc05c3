/* The notification history shared by processes: several `arvis notify send` at once (forked
 * children saving after every send) lose and duplicate nothing, and merge their repeats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "arvis/notify.h"
#include "test_util.h"

static const double T0 = 1800000000.0;

enum { PROCESSES = 6, PER_PROCESS = 25, HISTORY = 1000 };

static arvis_notify *open_at(const char *path)
{
    arvis_notify_params p = arvis_notify_default_params();
    for (int i = 0; i < ARVIS_NOTIFY_CHANNELS; i++) {
        p.channels[i].enabled = false;
    }
    p.history_max = HISTORY;
    p.history_path = path;
    p.rate_limit_per_minute = ARVIS_NOTIFY_RATE_MAX; /* this test is about the file, not limits */
    arvis_notify *n = NULL;
    arvis_error err;
    if (arvis_notify_create(&p, &n, &err) != ARVIS_OK) {
        fail_msg("cannot create: %s", err.msg);
    }
    return n;
}

/* Runs child(id, path) in PROCESSES children at once and waits for them all to succeed. */
static void run_children(const char *path, int (*child)(int id, const char *path))
{
    pid_t kids[PROCESSES];
    for (int i = 0; i < PROCESSES; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            _exit(child(i, path));
        }
    }
    for (int i = 0; i < PROCESSES; i++) {
        int status = 0;
        assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

/* Each child sends its own messages, saving after each one, as many short processes would. */
static int send_distinct(int id, const char *path)
{
    arvis_notify *n = open_at(path);
    int failed = 0;
    for (int i = 0; i < PER_PROCESS; i++) {
        char msg[64];
        snprintf(msg, sizeof msg, "p%d-n%d", id, i);
        arvis_error err;
        failed |= arvis_notify_send_at(n, ARVIS_NOTIFY_WARNING, "lock", msg, T0 + i, NULL) != 0;
        failed |= arvis_notify_save(n, &err) != ARVIS_OK;
    }
    arvis_notify_destroy(n);
    return failed;
}

/* Each child sends the same message again and again within the merge window. */
static int send_repeats(int id, const char *path)
{
    arvis_notify *n = open_at(path);
    int failed = 0;
    for (int i = 0; i < PER_PROCESS; i++) {
        arvis_error err;
        double t = T0 + id * 0.01 + i * 0.1;
        failed |=
            arvis_notify_send_at(n, ARVIS_NOTIFY_ERROR, "lock", "the disk is full", t, NULL) != 0;
        failed |= arvis_notify_save(n, &err) != ARVIS_OK;
    }
    arvis_notify_destroy(n);
    return failed;
}

static void test_processes_saving_at_once_lose_and_duplicate_nothing(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    const char *path = tu_path(home, "data/notifications.jsonl");
    char file[4096];
    snprintf(file, sizeof file, "%s", path);
    run_children(file, send_distinct);

    /* Every line of the file is a whole entry. */
    char *text = tu_read(file, NULL);
    assert_non_null(text);
    int lines = 0;
    for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1, lines++) {
        *nl = '\0';
        cJSON *o = tu_json(line);
        cJSON_Delete(o);
    }
    free(text);
    assert_int_equal(lines, PROCESSES * PER_PROCESS);

    int seen[PROCESSES][PER_PROCESS] = {{0}};
    arvis_notify *n = open_at(file);
    arvis_notification *list = NULL;
    size_t count = 0;
    assert_int_equal(arvis_notify_list(n, &list, &count), ARVIS_OK);
    assert_int_equal(count, PROCESSES * PER_PROCESS);
    for (size_t i = 0; i < count; i++) {
        int p = -1, k = -1;
        assert_int_equal(sscanf(list[i].message, "p%d-n%d", &p, &k), 2);
        assert_true(p >= 0 && p < PROCESSES && k >= 0 && k < PER_PROCESS);
        seen[p][k]++;
        assert_int_equal(list[i].count, 1);
        assert_true(i == 0 || list[i].time >= list[i - 1].time); /* oldest first */
    }
    for (int p = 0; p < PROCESSES; p++) {
        for (int k = 0; k < PER_PROCESS; k++) {
            assert_int_equal(seen[p][k], 1);
        }
    }
    arvis_notify_list_free(list, count);
    arvis_notify_destroy(n);
    tu_rmtree(home);
}

static void test_repeats_from_processes_at_once_merge_into_one_count(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    char file[4096];
    snprintf(file, sizeof file, "%s", tu_path(home, "data/notifications.jsonl"));
    run_children(file, send_repeats);
    arvis_notify *n = open_at(file);
    arvis_notification *list = NULL;
    size_t count = 0;
    assert_int_equal(arvis_notify_list(n, &list, &count), ARVIS_OK);
    assert_int_equal(count, 1);
    assert_int_equal(list[0].count, PROCESSES * PER_PROCESS);
    assert_string_equal(list[0].message, "the disk is full");
    arvis_notify_list_free(list, count);
    arvis_notify_destroy(n);
    tu_rmtree(home);
}

static void test_a_clear_empties_the_file_even_with_others_in_it(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    char file[4096];
    snprintf(file, sizeof file, "%s", tu_path(home, "data/notifications.jsonl"));
    arvis_notify *a = open_at(file);
    arvis_notify *b = open_at(file);
    assert_int_equal(arvis_notify_send_at(b, ARVIS_NOTIFY_INFO, "b", "from b", T0, NULL), 0);
    arvis_error err;
    assert_int_equal(arvis_notify_save(b, &err), ARVIS_OK);
    assert_int_equal(arvis_notify_clear(a, &err), ARVIS_OK);
    /* a later save of a merges only what a added since: nothing comes back */
    assert_int_equal(arvis_notify_send_at(a, ARVIS_NOTIFY_INFO, "a", "from a", T0 + 1, NULL), 0);
    assert_int_equal(arvis_notify_save(a, &err), ARVIS_OK);
    arvis_notify_destroy(a);
    arvis_notify_destroy(b); /* nothing new in b: it does not bring its entry back either */
    arvis_notify *n = open_at(file);
    arvis_notification *list = NULL;
    size_t count = 0;
    assert_int_equal(arvis_notify_list(n, &list, &count), ARVIS_OK);
    assert_int_equal(count, 1);
    assert_string_equal(list[0].message, "from a");
    arvis_notify_list_free(list, count);
    arvis_notify_destroy(n);
    tu_rmtree(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_processes_saving_at_once_lose_and_duplicate_nothing),
        cmocka_unit_test(test_repeats_from_processes_at_once_merge_into_one_count),
        cmocka_unit_test(test_a_clear_empties_the_file_even_with_others_in_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
