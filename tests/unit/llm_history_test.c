/* The conversation history: load, save, limits, the roles it holds, the backup kept on save
 * and the JSON export. Damaged files are in llm_history_damaged_test.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "arvis/clock.h"
#include "arvis/file.h"
#include "arvis/llm.h"
#include "test_util.h"

static const char tricky[] = "Привет, \"мир\"! 😀🇷🇺\nline two\ttab \\ backslash </end>";

static void assert_message(const arvis_history *h, size_t i, const char *role, const char *content,
                           bool cut)
{
    const arvis_llm_message *m = arvis_history_at(h, i);
    assert_non_null(m);
    assert_string_equal(m->role, role);
    assert_string_equal(m->content, content);
    assert_int_equal(m->cut, cut);
}

static void test_missing_file_is_an_empty_history(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "history.json");
    arvis_history *h = tu_history_load(path, 10);
    assert_int_equal(arvis_history_count(h), 0);
    assert_int_equal(arvis_history_first(h), 0);
    assert_null(arvis_history_at(h, 0));
    assert_string_equal(arvis_history_path(h), path);
    assert_int_equal(tu_count_entries(dir), 0); /* loading writes nothing */
    arvis_history_free(h);
    tu_rmtree(dir);
}

static void test_default_path_is_in_the_data_folder(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    char *home_copy = strdup(home);
    assert_non_null(home_copy);
    arvis_history *h = tu_history_load(NULL, 10);
    const char *path = arvis_history_path(h);
    assert_non_null(path);
    assert_memory_equal(path, home_copy, strlen(home_copy));
    size_t len = strlen(path);
    assert_true(len > strlen("/history.json"));
    assert_string_equal(path + len - strlen("/history.json"), "/history.json");
    assert_false(arvis_file_exists(path));
    tu_history_add(h, "user", "hello", false);
    tu_history_save(h); /* creates the data folder */
    assert_true(arvis_file_exists(path));
    arvis_history_free(h);

    h = tu_history_load(NULL, 10);
    assert_int_equal(arvis_history_count(h), 1);
    assert_message(h, 0, "user", "hello", false);
    arvis_history_free(h);
    tu_rmtree(home_copy);
    free(home_copy);
}

static void test_round_trip_keeps_every_field(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "history.json");
    arvis_history *h = tu_history_load(path, 10);
    double before = arvis_clock_wall();
    tu_history_add(h, "user", tricky, false);
    tu_history_add(h, "assistant", "Ответ 👍 with \"quotes\"\n\nand a blank line", true);
    tu_history_add(h, "user", "", true);
    tu_history_add(h, "assistant", "done", false);
    double after = arvis_clock_wall();
    double times[4];
    for (size_t i = 0; i < 4; i++) {
        times[i] = arvis_history_at(h, i)->time;
        assert_true(times[i] >= before && times[i] <= after);
    }
    tu_history_save(h);
    arvis_history_free(h);

    h = tu_history_load(path, 10);
    assert_int_equal(arvis_history_count(h), 4);
    assert_message(h, 0, "user", tricky, false);
    assert_message(h, 1, "assistant", "Ответ 👍 with \"quotes\"\n\nand a blank line", true);
    assert_message(h, 2, "user", "", true);
    assert_message(h, 3, "assistant", "done", false);
    for (size_t i = 0; i < 4; i++) {
        assert_true(arvis_history_at(h, i)->time == times[i]); /* exactly, to the last bit */
    }
    assert_int_equal(arvis_history_first(h), 0);
    arvis_history_free(h);
    tu_rmtree(dir);
}

static void test_oldest_messages_are_dropped_first(void **state)
{
    (void)state;
    arvis_history *h = NULL;
    assert_int_equal(arvis_history_create(3, &h), ARVIS_OK);
    const char *names[] = {"m0", "m1", "m2", "m3", "m4"};
    for (size_t i = 0; i < 5; i++) {
        tu_history_add(h, i % 2 ? "assistant" : "user", names[i], false);
        assert_int_equal(arvis_history_count(h), i < 3 ? i + 1 : 3);
        assert_int_equal(arvis_history_first(h), i < 3 ? 0 : i - 2);
    }
    assert_message(h, 0, "user", "m2", false);
    assert_message(h, 1, "assistant", "m3", false);
    assert_message(h, 2, "user", "m4", false);
    assert_null(arvis_history_at(h, 3));
    arvis_history_free(h);
}

static void test_dropped_count_survives_save_and_load(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "history.json");
    arvis_history *h = tu_history_load(path, 4);
    char text[16];
    for (int i = 0; i < 11; i++) {
        snprintf(text, sizeof text, "m%d", i);
        tu_history_add(h, i % 2 ? "assistant" : "user", text, false);
    }
    assert_int_equal(arvis_history_first(h), 7);
    tu_history_save(h);
    arvis_history_free(h);

    h = tu_history_load(path, 4);
    assert_int_equal(arvis_history_count(h), 4);
    assert_int_equal(arvis_history_first(h), 7);
    assert_message(h, 0, "assistant", "m7", false);
    assert_message(h, 3, "user", "m10", false);
    arvis_history_free(h);

    /* A smaller limit at load drops more, and counts them. */
    h = tu_history_load(path, 2);
    assert_int_equal(arvis_history_count(h), 2);
    assert_int_equal(arvis_history_first(h), 9);
    assert_message(h, 0, "assistant", "m9", false);
    arvis_history_free(h);
    tu_rmtree(dir);
}

static void test_add_refuses_a_role_the_file_cannot_hold(void **state)
{
    (void)state;
    /* What add accepts the file must read back; a "system" message would make it damaged. */
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "history.json");
    arvis_history *h = tu_history_load(path, 2);
    tu_history_add(h, "user", "question", false);
    tu_history_add(h, "assistant", "answer", false);
    static const char *const bad[] = {"system", "User", "tool", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(arvis_history_add(h, bad[i], "x", false), ARVIS_E_INVAL);
        /* Nothing added, so nothing dropped to make room. */
        assert_int_equal(arvis_history_count(h), 2);
        assert_int_equal(arvis_history_first(h), 0);
        assert_message(h, 0, "user", "question", false);
    }
    tu_history_save(h);
    arvis_history_free(h);
    h = tu_history_load(path, 2); /* read back whole, nothing moved aside */
    assert_int_equal(arvis_history_count(h), 2);
    assert_message(h, 0, "user", "question", false);
    assert_message(h, 1, "assistant", "answer", false);
    arvis_history_free(h);
    tu_rmtree(dir);
}

static void test_save_is_atomic_and_keeps_the_previous_version(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "history.json");
    arvis_history *h = tu_history_load(path, 10);
    tu_history_add(h, "user", "one", false);
    tu_history_save(h);
    char *v1 = tu_read(path, NULL);
    assert_non_null(v1);
    assert_false(arvis_file_exists(tu_path(dir, "history.json.bak")));
    tu_history_add(h, "assistant", "two", false);
    tu_history_save(h);
    char *v2 = tu_read(path, NULL);
    assert_non_null(v2);
    char *bak = tu_read(tu_path(dir, "history.json.bak"), NULL);
    assert_non_null(bak);
    assert_string_equal(bak, v1);
    assert_string_not_equal(v2, v1);
    assert_non_null(strstr(v2, "\"two\""));
    assert_int_equal(tu_count_entries(dir), 2); /* no temporary file left behind */
    free(v1);
    free(v2);
    free(bak);
    arvis_history_free(h);
    tu_rmtree(dir);
}

static void test_save_creates_missing_folders(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char *path = strdup(tu_path(dir, "a/b/history.json"));
    assert_non_null(path);
    arvis_history *h = tu_history_load(path, 10);
    tu_history_add(h, "user", "deep", false);
    tu_history_save(h);
    arvis_history_free(h);
    h = tu_history_load(path, 10);
    assert_message(h, 0, "user", "deep", false);
    arvis_history_free(h);
    free(path);
    tu_rmtree(dir);
}

static void test_save_failure_says_where(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char *path = strdup(tu_path(dir, "sub/history.json"));
    assert_non_null(path);
    arvis_history *h = tu_history_load(path, 10);
    tu_history_add(h, "user", "cannot be kept", false);
    /* The folder the history needs is taken by a file. */
    tu_write(tu_path(dir, "sub"), "a file, not a folder", -1);
    arvis_error err;
    int rc = arvis_history_save(h, &err);
    assert_int_not_equal(rc, ARVIS_OK);
    assert_int_equal(err.code, rc);
    assert_non_null(strstr(err.msg, tu_path(dir, "sub")));
    assert_int_equal(arvis_history_count(h), 1); /* still in memory */
    arvis_history_free(h);
    free(path);
    tu_rmtree(dir);
}

static void test_clear_empties_and_saves(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "history.json");
    arvis_history *h = tu_history_load(path, 2);
    tu_history_add(h, "user", "a", false);
    tu_history_add(h, "assistant", "b", false);
    tu_history_add(h, "user", "c", false);
    tu_history_save(h);
    arvis_error err;
    assert_int_equal(arvis_history_clear(h, &err), ARVIS_OK);
    assert_int_equal(arvis_history_count(h), 0);
    assert_int_equal(arvis_history_first(h), 0);
    arvis_history_free(h);

    h = tu_history_load(path, 2);
    assert_int_equal(arvis_history_count(h), 0);
    assert_int_equal(arvis_history_first(h), 0);
    arvis_history_free(h);
    /* The cleared conversation replaced the file; the old one is the backup. */
    char *bak = tu_read(tu_path(dir, "history.json.bak"), NULL);
    assert_non_null(bak);
    assert_non_null(strstr(bak, "\"c\""));
    free(bak);
    tu_rmtree(dir);
}

static void test_memory_only_history_saves_nothing(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    char *home_copy = strdup(home);
    assert_non_null(home_copy);
    arvis_history *h = NULL;
    assert_int_equal(arvis_history_create(4, &h), ARVIS_OK);
    assert_null(arvis_history_path(h));
    tu_history_add(h, "user", "secret", false);
    tu_history_add(h, "assistant", "kept in memory", false);
    tu_history_save(h);
    assert_int_equal(arvis_history_count(h), 2);
    arvis_error err;
    assert_int_equal(arvis_history_clear(h, &err), ARVIS_OK);
    assert_int_equal(arvis_history_count(h), 0);
    assert_int_equal(tu_count_entries(home_copy), 0);
    arvis_history_free(h);
    tu_rmtree(home_copy);
    free(home_copy);
}

static void test_to_json_lists_the_messages(void **state)
{
    (void)state;
    arvis_history *h = NULL;
    assert_int_equal(arvis_history_create(2, &h), ARVIS_OK);
    tu_history_add(h, "user", "dropped", false);
    tu_history_add(h, "user", tricky, true);
    tu_history_add(h, "assistant", "answer", false);
    char *text = arvis_history_to_json(h);
    assert_non_null(text);
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "messages");
    assert_true(cJSON_IsArray(list));
    assert_int_equal(cJSON_GetArraySize(list), 2);
    const cJSON *first = cJSON_GetObjectItemCaseSensitive(root, "first");
    assert_true(cJSON_IsNumber(first));
    assert_int_equal((int)first->valuedouble, 1);

    const cJSON *m0 = cJSON_GetArrayItem(list, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(m0, "role")->valuestring, "user");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(m0, "content")->valuestring, tricky);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m0, "cut")));
    const cJSON *time = cJSON_GetObjectItemCaseSensitive(m0, "time");
    assert_true(cJSON_IsNumber(time));
    assert_true(time->valuedouble == arvis_history_at(h, 0)->time);
    const cJSON *m1 = cJSON_GetArrayItem(list, 1);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(m1, "role")->valuestring, "assistant");
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m1, "cut")));
    cJSON_Delete(root);
    free(text);

    /* An empty history is still a list. */
    assert_int_equal(arvis_history_clear(h, NULL), ARVIS_OK);
    text = arvis_history_to_json(h);
    root = cJSON_Parse(text);
    assert_non_null(root);
    list = cJSON_GetObjectItemCaseSensitive(root, "messages");
    assert_true(cJSON_IsArray(list));
    assert_int_equal(cJSON_GetArraySize(list), 0);
    cJSON_Delete(root);
    free(text);
    arvis_history_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_file_is_an_empty_history),
        cmocka_unit_test(test_default_path_is_in_the_data_folder),
        cmocka_unit_test(test_round_trip_keeps_every_field),
        cmocka_unit_test(test_oldest_messages_are_dropped_first),
        cmocka_unit_test(test_dropped_count_survives_save_and_load),
        cmocka_unit_test(test_add_refuses_a_role_the_file_cannot_hold),
        cmocka_unit_test(test_save_is_atomic_and_keeps_the_previous_version),
        cmocka_unit_test(test_save_creates_missing_folders),
        cmocka_unit_test(test_save_failure_says_where),
        cmocka_unit_test(test_clear_empties_and_saves),
        cmocka_unit_test(test_memory_only_history_saves_nothing),
        cmocka_unit_test(test_to_json_lists_the_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
