/* A damaged history file is moved aside intact, never over an earlier one, and a new
 * conversation starts from nothing (no messages, none counted as dropped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/file.h"
#include "arvis/llm.h"
#include "test_util.h"

/* Writes text as the history file, loads it and checks it was moved aside intact. */
static void assert_moved_aside(const char *text, size_t len)
{
    const char *dir = tu_tempdir();
    char *path = strdup(tu_path(dir, "history.json"));
    char *aside = strdup(tu_path(dir, "history.json.corrupt"));
    assert_non_null(path);
    assert_non_null(aside);
    tu_write(path, text, (long)len);

    arvis_history *h = NULL;
    arvis_error err;
    assert_int_equal(arvis_history_load(path, 10, &h, &err), ARVIS_OK);
    assert_non_null(h);
    assert_int_equal(err.code, ARVIS_OK);
    assert_non_null(strstr(err.msg, aside)); /* the warning says where the file went */
    assert_int_equal(arvis_history_count(h), 0);
    assert_int_equal(arvis_history_first(h), 0);
    assert_false(arvis_file_exists(path));
    size_t got_len = 0;
    char *kept = tu_read(aside, &got_len);
    assert_non_null(kept);
    assert_int_equal(got_len, len);
    assert_memory_equal(kept, text, len);
    free(kept);

    /* The new conversation saves beside it and leaves it alone. */
    tu_history_add(h, "user", "again", false);
    tu_history_save(h);
    arvis_history_free(h);
    h = tu_history_load(path, 10);
    assert_int_equal(arvis_history_count(h), 1);
    arvis_history_free(h);
    kept = tu_read(aside, &got_len);
    assert_non_null(kept);
    assert_int_equal(got_len, len);
    free(kept);

    free(path);
    free(aside);
    tu_rmtree(dir);
}

static void test_file_that_is_not_json_is_moved_aside(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"messages\": [ {\"role\": \"user\", \"content\": \"cut off",
        "not json at all",
        "",
        "{\"messages\": []} trailing",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_moved_aside(bad[i], strlen(bad[i]));
    }
    static const char bad_utf8[] =
        "{\"messages\": [{\"role\": \"user\", \"content\": \"\xC3\x28\"}]}";
    assert_moved_aside(bad_utf8, sizeof bad_utf8 - 1);
    static const char nul[] = "{\"messages\": []}\0junk";
    assert_moved_aside(nul, sizeof nul - 1);
}

static void test_json_that_is_not_a_history_is_moved_aside(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "[1, 2, 3]",
        "\"messages\"",
        "{}",
        "{\"msgs\": []}",
        "{\"messages\": {\"role\": \"user\"}}",
        "{\"messages\": [{\"role\": \"user\"}]}",
        "{\"messages\": [{\"content\": \"no role\"}]}",
        "{\"messages\": [{\"role\": \"user\", \"content\": 42}]}",
        "{\"messages\": [42]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_moved_aside(bad[i], strlen(bad[i]));
    }
}

static void test_message_with_a_bad_role_is_moved_aside(void **state)
{
    (void)state;
    /* A good message first: nothing of a damaged file is half-loaded. */
    static const char *const bad[] = {
        "{\"messages\": [{\"role\": \"user\", \"content\": \"ok\"},"
        " {\"role\": \"system\", \"content\": \"x\"}]}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"ok\"},"
        " {\"role\": \"User\", \"content\": \"x\"}]}",
        "{\"messages\": [{\"role\": 1, \"content\": \"x\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_moved_aside(bad[i], strlen(bad[i]));
    }
}

static void test_damaged_file_starts_counting_again(void **state)
{
    (void)state;
    /* A new conversation has dropped nothing, whatever the damaged file said or held. */
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "history.json");
    tu_write(path,
             "{\"first\": 7, \"messages\": [{\"role\": \"user\", \"content\": \"ok\"},"
             " {\"role\": \"system\", \"content\": \"x\"}]}",
             -1);
    arvis_history *h = NULL;
    arvis_error err;
    assert_int_equal(arvis_history_load(path, 10, &h, &err), ARVIS_OK);
    assert_non_null(strstr(err.msg, ".corrupt"));
    assert_int_equal(arvis_history_count(h), 0);
    assert_int_equal(arvis_history_first(h), 0);
    arvis_history_free(h);

    /* Messages dropped on the way to the bad one do not count either. */
    tu_write(path,
             "{\"messages\": [{\"role\": \"user\", \"content\": \"1\"},"
             " {\"role\": \"assistant\", \"content\": \"2\"},"
             " {\"role\": \"user\", \"content\": \"3\"}, {\"role\": \"bad\", \"content\": \"x\"}]}",
             -1);
    assert_int_equal(arvis_history_load(path, 1, &h, &err), ARVIS_OK);
    assert_non_null(strstr(err.msg, ".corrupt"));
    assert_int_equal(arvis_history_count(h), 0);
    assert_int_equal(arvis_history_first(h), 0);
    arvis_history_free(h);
    tu_rmtree(dir);
}

static void test_second_damaged_file_does_not_replace_the_first(void **state)
{
    (void)state;
    static const char *const bad[] = {"first damaged", "{\"second\": 2}", "[3]"};
    static const char *const aside[] = {"history.json.corrupt", "history.json.corrupt.2",
                                        "history.json.corrupt.3"};
    const char *dir = tu_tempdir();
    char *path = strdup(tu_path(dir, "history.json"));
    assert_non_null(path);
    for (size_t i = 0; i < 3; i++) {
        tu_write(path, bad[i], -1);
        arvis_history *h = NULL;
        arvis_error err;
        assert_int_equal(arvis_history_load(path, 10, &h, &err), ARVIS_OK);
        /* The warning names this file's own new name, followed by a space: not a longer one. */
        char named[600];
        snprintf(named, sizeof named, "%s ", tu_path(dir, aside[i]));
        assert_non_null(strstr(err.msg, named));
        assert_int_equal(arvis_history_count(h), 0);
        arvis_history_free(h);
        assert_false(arvis_file_exists(path));
        /* Every earlier damaged file still holds its own bytes. */
        for (size_t j = 0; j <= i; j++) {
            char *kept = tu_read(tu_path(dir, aside[j]), NULL);
            assert_non_null(kept);
            assert_string_equal(kept, bad[j]);
            free(kept);
        }
        assert_int_equal(tu_count_entries(dir), (int)i + 1);
    }
    free(path);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_that_is_not_json_is_moved_aside),
        cmocka_unit_test(test_json_that_is_not_a_history_is_moved_aside),
        cmocka_unit_test(test_message_with_a_bad_role_is_moved_aside),
        cmocka_unit_test(test_damaged_file_starts_counting_again),
        cmocka_unit_test(test_second_damaged_file_does_not_replace_the_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
