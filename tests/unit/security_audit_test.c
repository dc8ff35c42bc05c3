/* The audit log: its record format read back, rotation by size, archives removed by age, whole
 * lines from many threads and processes at once, a failure returned once, and bad input. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "arvis/audit.h"
#include "test_util.h"

static const double T0 = 1800000000.0; /* 2027-01-15T08:00:00Z */

enum { DAY = 86400, WRITERS = 4, PER_WRITER = 300, SMALL_LOG = 4000 };

static arvis_audit *open_log(const char *path, size_t max_size)
{
    arvis_audit_params p = arvis_audit_default_params();
    p.path = path;
    p.max_log_size = max_size;
    arvis_audit *a = NULL;
    arvis_error err;
    assert_int_equal(arvis_audit_open(&p, &a, &err), ARVIS_OK);
    return a;
}

static void write_event(arvis_audit *a, const char *event, const char *component, int seq)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "seq", seq);
    cJSON_AddStringToObject(d, "pad", "some words to make the line a little longer than bare");
    arvis_audit_record r = {.event = event, .component = component, .status = "ok", .details = d};
    arvis_error err;
    int rc = arvis_audit_write(a, &r, &err);
    cJSON_Delete(d);
    if (rc != ARVIS_OK) {
        fail_msg("write failed: %s", err.msg);
    }
}

/* What the log files in dir hold: every line parsed (failing on a torn one), counted per
 * component and seq in seen[component index][seq] when seen is given. */
struct tally {
    int lines, files;
    int seen[WRITERS][PER_WRITER];
    size_t biggest; /* bytes of the largest file */
};

static void tally_file(const char *path, struct tally *t)
{
    size_t len = 0;
    char *text = tu_read(path, &len);
    assert_non_null(text);
    t->files++;
    t->biggest = len > t->biggest ? len : t->biggest;
    assert_true(len == 0 || text[len - 1] == '\n');
    for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = '\0';
        cJSON *o = cJSON_Parse(line);
        if (!o) {
            fail_msg("a torn line in %s: %s", path, line);
        }
        t->lines++;
        const char *comp = cJSON_GetStringValue(cJSON_GetObjectItem(o, "component"));
        cJSON *seq = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "details"), "seq");
        if (comp && comp[0] == 'w' && cJSON_IsNumber(seq)) {
            int w = atoi(comp + 1), s = seq->valueint;
            assert_true(w >= 0 && w < WRITERS && s >= 0 && s < PER_WRITER);
            t->seen[w][s]++;
        }
        cJSON_Delete(o);
    }
    free(text);
}

static void tally_dir(const char *dir, struct tally *t)
{
    memset(t, 0, sizeof *t);
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, "audit", 5) == 0) {
            tally_file(tu_path(dir, e->d_name), t);
        }
    }
    closedir(d);
}

static void assert_each_seen_once(const struct tally *t, int writers)
{
    for (int w = 0; w < writers; w++) {
        for (int s = 0; s < PER_WRITER; s++) {
            if (t->seen[w][s] != 1) {
                fail_msg("writer %d record %d seen %d times", w, s, t->seen[w][s]);
            }
        }
    }
}

/* Every record of the first writers, each once, whole, across the log and its archives. */
static void expect_every_record(const char *dir, int writers, int min_files)
{
    struct tally t;
    tally_dir(dir, &t);
    assert_int_equal(t.lines, writers * PER_WRITER);
    assert_each_seen_once(&t, writers);
    assert_true(t.files >= min_files);
}

static void wait_child(pid_t kid)
{
    int status = 0;
    assert_int_equal(waitpid(kid, &status, 0), kid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_a_record_is_one_json_line_with_the_five_fields(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    arvis_audit_params p = arvis_audit_default_params();
    arvis_audit *a = NULL;
    arvis_error err;
    assert_int_equal(arvis_audit_open(&p, &a, &err), ARVIS_OK);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "message", "no answer \"at all\"\nsecond line, é");
    cJSON *extra = cJSON_CreateObject();
    cJSON_AddStringToObject(extra, "level", "warning");
    cJSON_AddStringToObject(extra, "time", "not taken: the record's own comes first");
    arvis_audit_record r = {.time = T0 + 0.25,
                            .event = "health.check_failed",
                            .component = "llm",
                            .status = "UNHEALTHY",
                            .details = d,
                            .extra = extra};
    assert_int_equal(arvis_audit_write(a, &r, &err), ARVIS_OK);
    r = (arvis_audit_record){.event = "plain"};
    assert_int_equal(arvis_audit_write(a, &r, &err), ARVIS_OK);
    arvis_audit_close(a);
    cJSON_Delete(d);
    cJSON_Delete(extra);

    char *text = tu_read(tu_path(home, "state/audit.jsonl"), NULL);
    assert_non_null(text);
    char *second = strchr(text, '\n') + 1;
    second[-1] = '\0';
    cJSON *o = tu_json(text);
    assert_string_equal(cJSON_GetObjectItem(o, "time")->valuestring, "2027-01-15T08:00:00.250Z");
    assert_string_equal(cJSON_GetObjectItem(o, "event")->valuestring, "health.check_failed");
    assert_string_equal(cJSON_GetObjectItem(o, "component")->valuestring, "llm");
    assert_string_equal(cJSON_GetObjectItem(o, "status")->valuestring, "UNHEALTHY");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(o, "details"), "message")->valuestring,
        "no answer \"at all\"\nsecond line, é");
    assert_string_equal(cJSON_GetObjectItem(o, "level")->valuestring, "warning");
    assert_int_equal(cJSON_GetArraySize(o), 6);
    assert_string_equal(o->child->string, "time"); /* the fields' order is fixed */
    cJSON_Delete(o);
    assert_non_null(strchr(second, '\n'));
    *strchr(second, '\n') = '\0';
    o = tu_json(second);
    assert_string_equal(cJSON_GetObjectItem(o, "component")->valuestring, "arvis");
    assert_true(cJSON_IsObject(cJSON_GetObjectItem(o, "details")));
    /* time 0 is now: this year or later, in the ISO form */
    const char *now = cJSON_GetObjectItem(o, "time")->valuestring;
    assert_int_equal(strlen(now), 24);
    assert_true(strncmp(now, "2025", 4) >= 0);
    cJSON_Delete(o);
    free(text);
    /* only the owner may read it */
    struct stat st;
    assert_int_equal(stat(tu_path(home, "state/audit.jsonl"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    tu_rmtree(home);
}

static void test_the_log_rotates_before_it_would_pass_its_size(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tempdir());
    arvis_audit *a = open_log(tu_path(dir, "audit.jsonl"), SMALL_LOG);
    for (int i = 0; i < PER_WRITER; i++) {
        write_event(a, "rotation.test", "w0", i);
    }
    arvis_audit_stats s = arvis_audit_get_stats(a);
    arvis_audit_close(a);
    struct tally t;
    tally_dir(dir, &t);
    assert_int_equal(t.lines, PER_WRITER);
    assert_each_seen_once(&t, 1);
    assert_true(t.files > 2);
    assert_int_equal(s.rotations, (unsigned long)(t.files - 1));
    assert_int_equal(s.written, PER_WRITER);
    assert_true(t.biggest <= SMALL_LOG);
    /* archives are named after the time of the rotation, several in one second told apart */
    DIR *d = opendir(dir);
    int stamped = 0;
    for (struct dirent *e; (e = readdir(d));) {
        int y, mo, da, h, mi, se;
        if (sscanf(e->d_name, "audit-%4d%2d%2dT%2d%2d%2d", &y, &mo, &da, &h, &mi, &se) == 6) {
            stamped++;
            assert_non_null(strstr(e->d_name, ".jsonl"));
        }
    }
    closedir(d);
    assert_int_equal(stamped, t.files - 1);
    tu_rmtree(dir);
}

static void set_age(const char *path, double days)
{
    tu_write(path, "{}\n", -1);
    struct timespec times[2];
    clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= (time_t)(days * DAY);
    times[1] = times[0];
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

static void test_archives_older_than_their_age_are_removed_at_open_and_rotation(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tempdir());
    set_age(tu_path(dir, "audit-20200101T000000.jsonl"), 91);
    set_age(tu_path(dir, "audit-20200101T000000-3.jsonl"), 120);
    set_age(tu_path(dir, "audit-20200301T000000.jsonl"), 89);
    set_age(tu_path(dir, "audit-notes.jsonl"), 400); /* not an archive: kept */
    set_age(tu_path(dir, "audit-20200101T000000.txt"), 400);
    arvis_audit *a = open_log(tu_path(dir, "audit.jsonl"), 100);
    assert_int_equal(arvis_audit_get_stats(a).removed, 2);
    assert_int_equal(tu_count_entries(dir), 3);
    assert_false(access(tu_path(dir, "audit-20200101T000000.jsonl"), F_OK) == 0);
    assert_true(access(tu_path(dir, "audit-20200301T000000.jsonl"), F_OK) == 0);
    assert_true(access(tu_path(dir, "audit-notes.jsonl"), F_OK) == 0);

    /* one that grows old while the log is open goes at the next rotation */
    set_age(tu_path(dir, "audit-20200301T000000.jsonl"), 95);
    write_event(a, "age.test", "w0", 0);
    assert_int_equal(arvis_audit_get_stats(a).rotations, 0);
    write_event(a, "age.test", "w0", 1); /* past 100 bytes: rotates */
    arvis_audit_stats s = arvis_audit_get_stats(a);
    assert_int_equal(s.rotations, 1);
    assert_int_equal(s.removed, 3);
    assert_false(access(tu_path(dir, "audit-20200301T000000.jsonl"), F_OK) == 0);
    arvis_audit_close(a);
    tu_rmtree(dir);
}

struct writer {
    arvis_audit *a;
    int id;
};

static void *thread_writer(void *arg)
{
    struct writer *w = arg;
    char comp[8];
    snprintf(comp, sizeof comp, "w%d", w->id);
    for (int i = 0; i < PER_WRITER; i++) {
        write_event(w->a, "thread.test", comp, i);
    }
    return NULL;
}

static void test_threads_writing_at_once_leave_whole_lines(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tempdir());
    arvis_audit *a = open_log(tu_path(dir, "audit.jsonl"), SMALL_LOG * 4);
    pthread_t th[WRITERS];
    struct writer w[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (struct writer){a, i};
        assert_int_equal(pthread_create(&th[i], NULL, thread_writer, &w[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(th[i], NULL);
    }
    arvis_audit_close(a);
    expect_every_record(dir, WRITERS, 2);
    tu_rmtree(dir);
}

static void test_processes_writing_and_rotating_at_once_lose_no_line(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tempdir());
    const char *path = tu_path(dir, "audit.jsonl");
    pid_t kids[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            /* Each process has its own log object, as separate `arvis` commands would. */
            arvis_audit *a = open_log(path, SMALL_LOG * 4);
            struct writer w = {a, i};
            thread_writer(&w);
            arvis_audit_close(a);
            _exit(0);
        }
    }
    for (int i = 0; i < WRITERS; i++) {
        wait_child(kids[i]);
    }
    expect_every_record(dir, WRITERS, 2);
    tu_rmtree(dir);
}

static void test_an_unwritable_folder_is_returned_once_and_writing_resumes(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tempdir());
    char blocker[4200];
    snprintf(blocker, sizeof blocker, "%s/state", dir);
    tu_write(blocker, "a file where the folder should be", -1);
    arvis_audit *a = open_log(tu_path(blocker, "audit.jsonl"), SMALL_LOG);
    arvis_audit_record r = {.event = "e"};
    arvis_error err;
    int rc = arvis_audit_write(a, &r, &err);
    assert_int_not_equal(rc, ARVIS_OK);
    assert_int_equal(err.code, rc);
    assert_non_null(strstr(err.msg, blocker));
    assert_true(arvis_audit_failing(a));
    for (int i = 0; i < 5; i++) {
        assert_int_equal(arvis_audit_write(a, &r, &err), ARVIS_OK);
        assert_string_equal(err.msg, "");
    }
    assert_int_equal(arvis_audit_get_stats(a).lost, 6);
    /* the folder appears: the next record is written, with no word from the past failure */
    assert_int_equal(unlink(blocker), 0);
    assert_int_equal(mkdir(blocker, 0700), 0);
    assert_int_equal(arvis_audit_write(a, &r, &err), ARVIS_OK);
    assert_false(arvis_audit_failing(a));
    assert_int_equal(arvis_audit_get_stats(a).written, 1);
    arvis_audit_close(a);
    struct tally t;
    tally_dir(blocker, &t);
    assert_int_equal(t.lines, 1);
    tu_rmtree(dir);
}

static void test_a_full_disk_is_returned_once(void **state)
{
    (void)state;
    arvis_audit *a = open_log("/dev/full", SMALL_LOG); /* every write fails with ENOSPC */
    arvis_audit_record r = {.event = "e"};
    arvis_error err;
    assert_int_equal(arvis_audit_write(a, &r, &err), ARVIS_E_IO);
    assert_non_null(strstr(err.msg, "/dev/full"));
    assert_non_null(strstr(err.msg, "No space"));
    for (int i = 0; i < 100; i++) {
        assert_int_equal(arvis_audit_write(a, &r, &err), ARVIS_OK);
    }
    arvis_audit_stats s = arvis_audit_get_stats(a);
    assert_int_equal(s.lost, 101);
    assert_int_equal(s.written, 0);
    arvis_audit_close(a);
}

static void test_a_clean_close_keeps_every_event_of_a_process(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tempdir());
    const char *path = tu_path(dir, "audit.jsonl");
    pid_t kid = fork();
    assert_true(kid >= 0);
    if (kid == 0) {
        arvis_audit *a = open_log(path, ARVIS_AUDIT_LINE_MAX * 4);
        for (int i = 0; i < PER_WRITER; i++) {
            write_event(a, "close.test", "w0", i);
        }
        arvis_audit_close(a);
        _exit(0);
    }
    wait_child(kid);
    expect_every_record(dir, 1, 1);
    tu_rmtree(dir);
}

static void test_bad_input_is_refused_with_one_sentence(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_tempdir());
    arvis_audit_params p = arvis_audit_default_params();
    p.path = tu_path(dir, "audit.jsonl");
    p.max_log_size = 0;
    arvis_audit *a = NULL;
    arvis_error err;
    assert_int_equal(arvis_audit_open(&p, &a, &err), ARVIS_E_INVAL);
    assert_null(a);
    assert_non_null(strstr(err.msg, "max_log_size"));

    a = open_log(tu_path(dir, "audit.jsonl"), SMALL_LOG * 100);
    arvis_audit_record r = {.event = ""};
    assert_int_equal(arvis_audit_write(a, &r, &err), ARVIS_E_INVAL);
    assert_int_equal(arvis_audit_write(a, NULL, &err), ARVIS_E_INVAL);
    /* details too long for one line: the event is kept, its details say they were cut */
    char *big = malloc(ARVIS_AUDIT_LINE_MAX * 2);
    memset(big, 'x', ARVIS_AUDIT_LINE_MAX * 2 - 1);
    big[ARVIS_AUDIT_LINE_MAX * 2 - 1] = '\0';
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "big", big);
    r = (arvis_audit_record){.event = "big", .component = "bad\xff", .details = d};
    assert_int_equal(arvis_audit_write(a, &r, &err), ARVIS_OK);
    cJSON_Delete(d);
    free(big);
    arvis_audit_close(a);
    char *text = tu_read(tu_path(dir, "audit.jsonl"), NULL);
    assert_non_null(text);
    assert_true(strlen(text) < 512);
    cJSON *o = tu_json(text);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "details"), "cut")));
    assert_string_equal(cJSON_GetObjectItem(o, "component")->valuestring, "bad\xef\xbf\xbd");
    cJSON_Delete(o);
    free(text);
    tu_rmtree(dir);
}

static void test_a_disabled_log_writes_nothing_and_config_gives_the_schema_defaults(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config((const char *[]){"security.audit.enabled=false", NULL});
    const char *home = getenv("ARVIS_HOME");
    arvis_audit_params p = arvis_audit_default_params();
    arvis_audit_params_from_config(cfg, &p);
    assert_false(p.enabled);
    assert_int_equal(p.max_log_size, 10 * 1024 * 1024);
    assert_int_equal(p.max_log_age_days, 90);
    arvis_audit *a = NULL;
    arvis_error err;
    assert_int_equal(arvis_audit_open(&p, &a, &err), ARVIS_OK);
    assert_non_null(strstr(arvis_audit_path(a), "state/audit.jsonl"));
    arvis_audit_record r = {.event = "e"};
    assert_int_equal(arvis_audit_write(a, &r, &err), ARVIS_OK);
    arvis_audit_close(a);
    assert_int_not_equal(access(tu_path(home, "state/audit.jsonl"), F_OK), 0);
    arvis_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_record_is_one_json_line_with_the_five_fields),
        cmocka_unit_test(test_the_log_rotates_before_it_would_pass_its_size),
        cmocka_unit_test(test_archives_older_than_their_age_are_removed_at_open_and_rotation),
        cmocka_unit_test(test_threads_writing_at_once_leave_whole_lines),
        cmocka_unit_test(test_processes_writing_and_rotating_at_once_lose_no_line),
        cmocka_unit_test(test_an_unwritable_folder_is_returned_once_and_writing_resumes),
        cmocka_unit_test(test_a_full_disk_is_returned_once),
        cmocka_unit_test(test_a_clean_close_keeps_every_event_of_a_process),
        cmocka_unit_test(test_bad_input_is_refused_with_one_sentence),
        cmocka_unit_test(test_a_disabled_log_writes_nothing_and_config_gives_the_schema_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
