/* Files: bounded reads with clear refusals, and atomic writes that keep a .bak, follow symbolic
 * links, keep the owner, and never leave a half-written or temporary file behind. */
#define _XOPEN_SOURCE 700 /* symlink, lstat */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "arvis/file.h"
#include "test_util.h"

static void test_read_whole_file(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "a.txt");
    tu_write(path, "hello\n", -1);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(arvis_file_read(path, 100, &text, &len, NULL), ARVIS_OK);
    assert_int_equal(len, 6);
    assert_string_equal(text, "hello\n");
    free(text);
    tu_rmtree(dir);
}

static void test_read_refusals_say_why(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char *text = NULL;
    size_t len = 0;
    arvis_error err;
    assert_int_equal(arvis_file_read(tu_path(dir, "missing"), 100, &text, &len, &err),
                     ARVIS_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "No such file"));
    assert_int_equal(arvis_file_read(dir, 100, &text, &len, &err), ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "folder"));
    tu_write(tu_path(dir, "big"), "0123456789", -1);
    assert_int_equal(arvis_file_read(tu_path(dir, "big"), 9, &text, &len, &err), ARVIS_E_TOOBIG);
    assert_non_null(strstr(err.msg, "limit of 9 bytes"));
    assert_null(text);
    tu_rmtree(dir);
}

static void test_read_of_a_special_file_is_bounded_too(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    arvis_error err;
    /* /dev/zero reports size 0 but never ends: the read must stop at the limit. */
    assert_int_equal(arvis_file_read("/dev/zero", 1000, &text, &len, &err), ARVIS_E_TOOBIG);
    assert_null(text);
}

static void test_atomic_write_creates_a_private_file(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "config.json");
    assert_int_equal(arvis_file_write_atomic(path, "{}\n", 3, NULL), ARVIS_OK);
    char *back = tu_read(path, NULL);
    assert_string_equal(back, "{}\n");
    free(back);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_false(arvis_file_exists(tu_path(dir, "config.json.bak")));
    assert_int_equal(tu_count_entries(dir), 1);
    tu_rmtree(dir);
}

static void test_atomic_write_keeps_previous_version_and_mode(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "config.json");
    tu_write(path, "old", -1);
    chmod(path, 0640);
    assert_int_equal(arvis_file_write_atomic(path, "new", 3, NULL), ARVIS_OK);
    char *now = tu_read(path, NULL);
    char *bak = tu_read(tu_path(dir, "config.json.bak"), NULL);
    assert_string_equal(now, "new");
    assert_string_equal(bak, "old");
    free(now);
    free(bak);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    /* A second write replaces the .bak with the previous contents, and nothing else is left. */
    assert_int_equal(arvis_file_write_atomic(path, "newer", 5, NULL), ARVIS_OK);
    bak = tu_read(tu_path(dir, "config.json.bak"), NULL);
    assert_string_equal(bak, "new");
    free(bak);
    assert_int_equal(tu_count_entries(dir), 2);
    tu_rmtree(dir);
}

static void test_atomic_write_failures_change_nothing(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    arvis_error err;
    /* Into a folder that does not exist. */
    assert_int_equal(arvis_file_write_atomic(tu_path(dir, "no/such/file"), "x", 1, &err),
                     ARVIS_E_NOTFOUND);
    /* Onto a folder. */
    const char *sub = tu_path(dir, "sub");
    mkdir(sub, 0700);
    assert_int_equal(arvis_file_write_atomic(sub, "x", 1, &err), ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "folder"));
    /* Under a path whose parent is a file. */
    const char *file = tu_path(dir, "plain");
    tu_write(file, "keep", -1);
    assert_int_not_equal(arvis_file_write_atomic(tu_path(file, "child"), "x", 1, &err), ARVIS_OK);
    char *kept = tu_read(file, NULL);
    assert_string_equal(kept, "keep");
    free(kept);
    assert_int_equal(tu_count_entries(dir), 2); /* sub and plain; no temporary files */
    tu_rmtree(dir);
}

static void test_atomic_write_of_empty_and_binary_data(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "bin");
    const char data[] = {0, 1, 2, (char)0xFF};
    assert_int_equal(arvis_file_write_atomic(path, data, sizeof data, NULL), ARVIS_OK);
    size_t len = 0;
    char *back = tu_read(path, &len);
    assert_int_equal(len, sizeof data);
    assert_memory_equal(back, data, sizeof data);
    free(back);
    assert_int_equal(arvis_file_write_atomic(path, "", 0, NULL), ARVIS_OK);
    back = tu_read(path, &len);
    assert_int_equal(len, 0);
    free(back);
    tu_rmtree(dir);
}

static void assert_file_is(const char *path, const char *want)
{
    char *text = tu_read(path, NULL);
    if (!text) {
        fail_msg("cannot read %s", path);
    }
    assert_string_equal(text, want);
    free(text);
}

static void test_atomic_write_through_a_symlink_keeps_the_link(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *real = tu_path(dir, "real.json");
    const char *link = tu_path(dir, "cfg.json");
    tu_write(real, "old", -1);
    assert_int_equal(symlink("real.json", link), 0);
    assert_int_equal(arvis_file_write_atomic(link, "new", 3, NULL), ARVIS_OK);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_file_is(real, "new");
    assert_file_is(tu_path(dir, "real.json.bak"), "old");
    assert_false(arvis_file_exists(tu_path(dir, "cfg.json.bak")));
    assert_int_equal(tu_count_entries(dir), 3);
    /* A link that leads nowhere is refused, and left as it is. */
    const char *dangling = tu_path(dir, "dangling.json");
    assert_int_equal(symlink("missing/file.json", dangling), 0);
    arvis_error err;
    assert_int_not_equal(arvis_file_write_atomic(dangling, "x", 1, &err), ARVIS_OK);
    assert_non_null(strstr(err.msg, "symbolic link"));
    assert_int_equal(lstat(dangling, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    tu_rmtree(dir);
}

static void test_atomic_write_keeps_the_owner(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        skip(); /* only root may give a file to someone else */
    }
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "config.json");
    tu_write(path, "old", -1);
    assert_int_equal(chown(path, 12345, 23456), 0);
    assert_int_equal(arvis_file_write_atomic(path, "new", 3, NULL), ARVIS_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, 12345);
    assert_int_equal(st.st_gid, 23456);
    tu_rmtree(dir);
}

/* A final rename that fails must leave the .bak alone. In a sticky folder an unprivileged
 * writer may replace its own .bak but not another user's config file, so the write fails at
 * that last step; the test drops to "nobody" in a child process to get there. */
static void test_failed_final_rename_keeps_the_previous_bak(void **state)
{
    (void)state;
    enum { NOBODY = 65534 };
    if (geteuid() != 0) {
        skip();
    }
    const char *dir = tu_tempdir();
    char path[4200];
    char bak[4200];
    snprintf(path, sizeof path, "%s/c.json", dir);
    snprintf(bak, sizeof bak, "%s/c.json.bak", dir);
    assert_int_equal(chmod(dir, 01777), 0);
    tu_write(path, "v2", -1);
    tu_write(bak, "v1", -1);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(chown(bak, NOBODY, NOBODY), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int ok = setgid(NOBODY) == 0 && setuid(NOBODY) == 0;
        _exit(!ok ? 2 : arvis_file_write_atomic(path, "v3", 2, NULL) == ARVIS_OK ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    assert_file_is(path, "v2");
    assert_file_is(bak, "v1");
    assert_int_equal(tu_count_entries(dir), 2);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_whole_file),
        cmocka_unit_test(test_read_refusals_say_why),
        cmocka_unit_test(test_read_of_a_special_file_is_bounded_too),
        cmocka_unit_test(test_atomic_write_creates_a_private_file),
        cmocka_unit_test(test_atomic_write_keeps_previous_version_and_mode),
        cmocka_unit_test(test_atomic_write_failures_change_nothing),
        cmocka_unit_test(test_atomic_write_of_empty_and_binary_data),
        cmocka_unit_test(test_atomic_write_through_a_symlink_keeps_the_link),
        cmocka_unit_test(test_atomic_write_keeps_the_owner),
        cmocka_unit_test(test_failed_final_rename_keeps_the_previous_bak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
