/* Places: ARVIS_HOME, the XDG variables and the HOME fallback; path helpers; mkdirs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "arvis/paths.h"
#include "test_util.h"

static char *place(arvis_place p)
{
    char *dir = NULL;
    arvis_error err;
    assert_int_equal(arvis_place_dir(p, &dir, &err), ARVIS_OK);
    return dir;
}

static void clear_env(void)
{
    unsetenv("ARVIS_HOME");
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("XDG_DATA_HOME");
    unsetenv("XDG_STATE_HOME");
}

static void test_arvis_home_holds_all_three_places(void **state)
{
    (void)state;
    clear_env();
    setenv("ARVIS_HOME", "/srv/arvis", 1);
    setenv("XDG_CONFIG_HOME", "/ignored", 1);
    char *c = place(ARVIS_PLACE_CONFIG);
    char *d = place(ARVIS_PLACE_DATA);
    char *s = place(ARVIS_PLACE_STATE);
    assert_string_equal(c, "/srv/arvis/config");
    assert_string_equal(d, "/srv/arvis/data");
    assert_string_equal(s, "/srv/arvis/state");
    free(c);
    free(d);
    free(s);
}

static void test_relative_arvis_home_is_taken_from_the_current_folder(void **state)
{
    (void)state;
    clear_env();
    setenv("ARVIS_HOME", "here", 1);
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    char *c = place(ARVIS_PLACE_CONFIG);
    char want[4200];
    snprintf(want, sizeof want, "%s/here/config", cwd);
    assert_string_equal(c, want);
    free(c);
}

static void test_xdg_variables_and_home_fallback(void **state)
{
    (void)state;
    clear_env();
    setenv("HOME", "/home/u", 1);
    setenv("XDG_DATA_HOME", "/data", 1);
    setenv("XDG_STATE_HOME", "relative/is/ignored", 1);
    char *c = place(ARVIS_PLACE_CONFIG);
    char *d = place(ARVIS_PLACE_DATA);
    char *s = place(ARVIS_PLACE_STATE);
    assert_string_equal(c, "/home/u/.config/arvis");
    assert_string_equal(d, "/data/arvis");
    assert_string_equal(s, "/home/u/.local/state/arvis");
    free(c);
    free(d);
    free(s);
    char *file = NULL;
    assert_int_equal(arvis_place_file(ARVIS_PLACE_CONFIG, "config.json", &file, NULL), ARVIS_OK);
    assert_string_equal(file, "/home/u/.config/arvis/config.json");
    free(file);
}

static void test_no_home_at_all_is_a_clear_error(void **state)
{
    (void)state;
    clear_env();
    char *saved = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    unsetenv("HOME");
    char *dir = NULL;
    arvis_error err;
    assert_int_equal(arvis_place_dir(ARVIS_PLACE_DATA, &dir, &err), ARVIS_E_NOTFOUND);
    assert_null(dir);
    assert_non_null(strstr(err.msg, "ARVIS_HOME"));
    if (saved) {
        setenv("HOME", saved, 1);
        free(saved);
    }
    assert_string_equal(arvis_place_name(ARVIS_PLACE_STATE), "state");
}

static void test_join_and_dirname(void **state)
{
    (void)state;
    char *a = arvis_path_join("/a/b", "c.json");
    char *b = arvis_path_join("/a/b/", "c.json");
    assert_string_equal(a, "/a/b/c.json");
    assert_string_equal(b, "/a/b/c.json");
    free(a);
    free(b);
    char *d1 = arvis_path_dirname("/a/b/c.json");
    char *d2 = arvis_path_dirname("c.json");
    char *d3 = arvis_path_dirname("/c.json");
    assert_string_equal(d1, "/a/b");
    assert_string_equal(d2, ".");
    assert_string_equal(d3, "/");
    free(d1);
    free(d2);
    free(d3);
}

static void test_mkdirs_creates_parents_and_accepts_existing(void **state)
{
    (void)state;
    const char *tmp = tu_tempdir();
    char deep[4096];
    snprintf(deep, sizeof deep, "%s/x/y/z", tmp);
    assert_int_equal(arvis_mkdirs(deep, 0700, NULL), ARVIS_OK);
    struct stat st;
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(arvis_mkdirs(deep, 0700, NULL), ARVIS_OK);
    tu_rmtree(tmp);
}

static void test_mkdirs_refuses_when_a_file_is_in_the_way(void **state)
{
    (void)state;
    const char *tmp = tu_tempdir();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tmp);
    tu_write(tu_path(dir, "file"), "x", -1);
    char target[4200];
    snprintf(target, sizeof target, "%s/file/sub", dir);
    arvis_error err;
    assert_int_not_equal(arvis_mkdirs(target, 0700, &err), ARVIS_OK);
    assert_non_null(strstr(err.msg, "file"));
    assert_int_equal(arvis_mkdirs("", 0700, &err), ARVIS_E_INVAL);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arvis_home_holds_all_three_places),
        cmocka_unit_test(test_relative_arvis_home_is_taken_from_the_current_folder),
        cmocka_unit_test(test_xdg_variables_and_home_fallback),
        cmocka_unit_test(test_no_home_at_all_is_a_clear_error),
        cmocka_unit_test(test_join_and_dirname),
        cmocka_unit_test(test_mkdirs_creates_parents_and_accepts_existing),
        cmocka_unit_test(test_mkdirs_refuses_when_a_file_is_in_the_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
