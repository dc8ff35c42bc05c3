/* The conversation history (load, save, limits, damaged files moved aside) and the window of it
 * sent with each question (both budgets, whole turns, a start that moves only in steps). */
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
#include "llm_internal.h"
#include "test_util.h"

enum { NO_LIMIT = 1000000 };

static const char tricky[] = "Привет, \"мир\"! 😀🇷🇺\nline two\ttab \\ backslash </end>";

static arvis_history *load_ok(const char *path, size_t max)
{
    arvis_history *h = NULL;
    arvis_error err;
    assert_int_equal(arvis_history_load(path, max, &h, &err), ARVIS_OK);
    assert_non_null(h);
    assert_string_equal(err.msg, "");
    return h;
}

static void add(arvis_history *h, const char *role, const char *content, bool cut)
{
    assert_int_equal(arvis_history_add(h, role, content, cut), ARVIS_OK);
}

static void save_ok(const arvis_history *h)
{
    arvis_error err;
    assert_int_equal(arvis_history_save(h, &err), ARVIS_OK);
}

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
    arvis_history *h = load_ok(path, 10);
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
    arvis_history *h = load_ok(NULL, 10);
    const char *path = arvis_history_path(h);
    assert_non_null(path);
    assert_memory_equal(path, home_copy, strlen(home_copy));
    size_t len = strlen(path);
    assert_true(len > strlen("/history.json"));
    assert_string_equal(path + len - strlen("/history.json"), "/history.json");
    assert_false(arvis_file_exists(path));
    add(h, "user", "hello", false);
    save_ok(h); /* creates the data folder */
    assert_true(arvis_file_exists(path));
    arvis_history_free(h);

    h = load_ok(NULL, 10);
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
    arvis_history *h = load_ok(path, 10);
    double before = arvis_clock_wall();
    add(h, "user", tricky, false);
    add(h, "assistant", "Ответ 👍 with \"quotes\"\n\nand a blank line", true);
    add(h, "user", "", true);
    add(h, "assistant", "done", false);
    double after = arvis_clock_wall();
    double times[4];
    for (size_t i = 0; i < 4; i++) {
        times[i] = arvis_history_at(h, i)->time;
        assert_true(times[i] >= before && times[i] <= after);
    }
    save_ok(h);
    arvis_history_free(h);

    h = load_ok(path, 10);
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
        add(h, i % 2 ? "assistant" : "user", names[i], false);
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
    arvis_history *h = load_ok(path, 4);
    char text[16];
    for (int i = 0; i < 11; i++) {
        snprintf(text, sizeof text, "m%d", i);
        add(h, i % 2 ? "assistant" : "user", text, false);
    }
    assert_int_equal(arvis_history_first(h), 7);
    save_ok(h);
    arvis_history_free(h);

    h = load_ok(path, 4);
    assert_int_equal(arvis_history_count(h), 4);
    assert_int_equal(arvis_history_first(h), 7);
    assert_message(h, 0, "assistant", "m7", false);
    assert_message(h, 3, "user", "m10", false);
    arvis_history_free(h);

    /* A smaller limit at load drops more, and counts them. */
    h = load_ok(path, 2);
    assert_int_equal(arvis_history_count(h), 2);
    assert_int_equal(arvis_history_first(h), 9);
    assert_message(h, 0, "assistant", "m9", false);
    arvis_history_free(h);
    tu_rmtree(dir);
}

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
    add(h, "user", "again", false);
    save_ok(h);
    arvis_history_free(h);
    h = load_ok(path, 10);
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

static void test_save_is_atomic_and_keeps_the_previous_version(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "history.json");
    arvis_history *h = load_ok(path, 10);
    add(h, "user", "one", false);
    save_ok(h);
    char *v1 = tu_read(path, NULL);
    assert_non_null(v1);
    assert_false(arvis_file_exists(tu_path(dir, "history.json.bak")));
    add(h, "assistant", "two", false);
    save_ok(h);
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
    arvis_history *h = load_ok(path, 10);
    add(h, "user", "deep", false);
    save_ok(h);
    arvis_history_free(h);
    h = load_ok(path, 10);
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
    arvis_history *h = load_ok(path, 10);
    add(h, "user", "cannot be kept", false);
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
    arvis_history *h = load_ok(path, 2);
    add(h, "user", "a", false);
    add(h, "assistant", "b", false);
    add(h, "user", "c", false);
    save_ok(h);
    arvis_error err;
    assert_int_equal(arvis_history_clear(h, &err), ARVIS_OK);
    assert_int_equal(arvis_history_count(h), 0);
    assert_int_equal(arvis_history_first(h), 0);
    arvis_history_free(h);

    h = load_ok(path, 2);
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
    add(h, "user", "secret", false);
    add(h, "assistant", "kept in memory", false);
    save_ok(h);
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
    add(h, "user", "dropped", false);
    add(h, "user", tricky, true);
    add(h, "assistant", "answer", false);
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

/* ---- the window sent with each question ---- */

/* The step the window start moves in (a quarter of the message budget, at least 2). */
static size_t window_step(size_t max_messages)
{
    return max_messages / 4 < 2 ? 2 : max_messages / 4;
}

static bool unanswered(const arvis_llm_message *m)
{
    return m->cut && strcmp(m->role, "user") == 0;
}

/* What a window from start sends: messages and characters, unanswered questions left out. */
static void window_size(const arvis_history *h, size_t start, size_t *msgs, size_t *chars)
{
    *msgs = 0;
    *chars = 0;
    for (size_t i = start; i < arvis_history_count(h); i++) {
        const arvis_llm_message *m = arvis_history_at(h, i);
        if (!unanswered(m)) {
            (*msgs)++;
            *chars += strlen(m->content);
        }
    }
}

/* Checks the window from start against the budgets; returns how many messages it sends. */
static size_t assert_window(const arvis_history *h, size_t start, size_t max_messages,
                            size_t max_chars)
{
    size_t count = arvis_history_count(h);
    assert_true(start <= count);
    if (start < count) {
        assert_string_equal(arvis_history_at(h, start)->role, "user");
    }
    size_t msgs;
    size_t chars;
    window_size(h, start, &msgs, &chars);
    assert_true(msgs <= max_messages);
    assert_true(chars <= max_chars);
    return msgs;
}

/* How many messages the budgets allow, newest first, stopping at the first that does not fit. */
static size_t budget_messages(const arvis_history *h, size_t max_messages, size_t max_chars)
{
    size_t msgs = 0;
    size_t chars = 0;
    for (size_t i = arvis_history_count(h); i-- > 0;) {
        const arvis_llm_message *m = arvis_history_at(h, i);
        if (unanswered(m)) {
            continue;
        }
        size_t len = strlen(m->content);
        if (msgs + 1 > max_messages || chars + len > max_chars) {
            break;
        }
        msgs++;
        chars += len;
    }
    return msgs;
}

static void add_turn(arvis_history *h, const char *question, const char *answer)
{
    add(h, "user", question, false);
    add(h, "assistant", answer, false);
}

static void test_window_everything_fits_from_the_start(void **state)
{
    (void)state;
    arvis_history *h = NULL;
    assert_int_equal(arvis_history_create(100, &h), ARVIS_OK);
    assert_int_equal(llm_window_start(h, 20, 16000), 0); /* empty */
    for (int i = 0; i < 5; i++) {
        add_turn(h, "question", "answer");
    }
    assert_int_equal(llm_window_start(h, 20, 16000), 0);
    assert_int_equal(llm_window_start(h, 10, 70), 0); /* exactly at both budgets */
    arvis_history_free(h);
}

static void test_window_respects_the_message_budget(void **state)
{
    (void)state;
    arvis_history *h = NULL;
    assert_int_equal(arvis_history_create(100, &h), ARVIS_OK);
    for (int i = 0; i < 10; i++) {
        add_turn(h, "q", "a");
    }
    for (size_t max = 1; max <= 24; max++) {
        size_t start = llm_window_start(h, max, NO_LIMIT);
        size_t msgs = assert_window(h, start, max, NO_LIMIT);
        size_t allowed = budget_messages(h, max, NO_LIMIT);
        /* Whole turns, and a start rounded to its step: never much less than allowed. */
        assert_true(msgs + window_step(max) >= allowed);
        if (max >= 20) {
            assert_int_equal(start, 0);
        }
    }
    arvis_history_free(h);
}

static void test_window_respects_the_character_budget(void **state)
{
    (void)state;
    arvis_history *h = NULL;
    assert_int_equal(arvis_history_create(100, &h), ARVIS_OK);
    for (int i = 0; i < 10; i++) {
        add_turn(h, "0123456789", "01234567890123456789"); /* 30 characters a turn */
    }
    for (size_t max_chars = 1; max_chars <= 320; max_chars += 7) {
        size_t start = llm_window_start(h, 20, max_chars);
        size_t msgs = assert_window(h, start, 20, max_chars);
        assert_true(msgs + window_step(20) >= budget_messages(h, 20, max_chars));
    }
    /* A long message stops the window: nothing older is sent around it. */
    add_turn(h, "a long question that does not fit the budget at all", "short");
    add_turn(h, "q", "a");
    size_t start = llm_window_start(h, 20, 20);
    assert_window(h, start, 20, 20);
    assert_true(start >= arvis_history_count(h) - 3);
    arvis_history_free(h);
}

/* A little generator, so the sweep below is the same on every run. */
static unsigned next_random(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

static void test_window_budgets_hold_over_varied_histories(void **state)
{
    (void)state;
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN";
    unsigned seed = 7;
    for (int round = 0; round < 60; round++) {
        arvis_history *h = NULL;
        assert_int_equal(arvis_history_create(40, &h), ARVIS_OK);
        int turns = (int)(next_random(&seed) % 30);
        for (int t = 0; t < turns; t++) {
            char q[48];
            char a[48];
            size_t ql = 1 + next_random(&seed) % 40;
            size_t al = 1 + next_random(&seed) % 40;
            memcpy(q, letters, ql);
            q[ql] = '\0';
            memcpy(a, letters, al);
            a[al] = '\0';
            unsigned kind = next_random(&seed) % 5;
            if (kind == 0) {
                add(h, "user", q, true); /* no answer came */
            } else {
                add(h, "user", q, false);
                add(h, "assistant", a, kind == 1);
            }
        }
        for (size_t max = 0; max <= 24; max += 3) {
            for (size_t chars = 0; chars <= 600; chars += 75) {
                size_t start = llm_window_start(h, max, chars);
                size_t msgs = assert_window(h, start, max, chars);
                assert_true(msgs + window_step(max) >= budget_messages(h, max, chars));
            }
        }
        arvis_history_free(h);
    }
}

static void test_window_starts_at_a_question(void **state)
{
    (void)state;
    arvis_history *h = NULL;
    assert_int_equal(arvis_history_create(100, &h), ARVIS_OK);
    for (int i = 0; i < 11; i++) {
        add_turn(h, "q", "a");
    }
    /* 22 messages, 20 allowed from index 2, rounded up to the step of 5: index 5 is an answer,
     * which must not open the window; the question after it does. */
    assert_int_equal(llm_window_start(h, 20, NO_LIMIT), 6);
    /* Three allowed: the budget ends on an answer (index 19), the window opens at 20. */
    assert_int_equal(llm_window_start(h, 3, NO_LIMIT), 20);
    arvis_history_free(h);
}

static void test_window_does_not_count_unanswered_questions(void **state)
{
    (void)state;
    arvis_history *h = NULL;
    assert_int_equal(arvis_history_create(100, &h), ARVIS_OK);
    add_turn(h, "q0", "a0");
    add_turn(h, "q1", "a1");
    add(h, "user", "unanswered", true);
    add_turn(h, "q2", "a2");
    /* Four messages: a2 q2 a1 q1, the unanswered one in between not among them. */
    assert_int_equal(llm_window_start(h, 4, NO_LIMIT), 2);
    arvis_history_free(h);

    /* Its characters do not count either. */
    assert_int_equal(arvis_history_create(100, &h), ARVIS_OK);
    add_turn(h, "q0", "a0");
    add_turn(h, "q1", "a1");
    char big[200];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    add(h, "user", big, true);
    add_turn(h, "q2", "a2");
    assert_int_equal(llm_window_start(h, 20, 100), 0);
    arvis_history_free(h);
}

static void test_window_zero_budget_sends_nothing(void **state)
{
    (void)state;
    for (size_t n = 0; n < 12; n++) {
        arvis_history *h = NULL;
        assert_int_equal(arvis_history_create(7, &h), ARVIS_OK); /* odd: first varies */
        for (size_t i = 0; i < n; i++) {
            add(h, i % 2 ? "assistant" : "user", "text", false);
        }
        size_t count = arvis_history_count(h);
        assert_int_equal(llm_window_start(h, 0, NO_LIMIT), count);
        assert_int_equal(llm_window_start(h, 20, 0), count);
        assert_int_equal(llm_window_start(h, 0, 0), count);
        arvis_history_free(h);
    }
}

/* Asks `turns` questions one after the other, checking each window, and returns how often its
 * start (as a sequence number) moved. Fails if it moves on two turns in a row or goes back. */
static int run_turns(arvis_history *h, int turns, size_t max_messages, size_t max_chars)
{
    int changes = 0;
    size_t prev_seq = 0;
    int prev_change = -2;
    for (int t = 0; t < turns; t++) {
        size_t start = llm_window_start(h, max_messages, max_chars);
        size_t msgs = assert_window(h, start, max_messages, max_chars);
        size_t allowed = budget_messages(h, max_messages, max_chars);
        assert_true(msgs + window_step(max_messages) >= allowed);
        size_t seq = arvis_history_first(h) + start;
        if (t > 0 && seq != prev_seq) {
            assert_true(seq > prev_seq);
            assert_true(seq - prev_seq >= window_step(max_messages) - 1);
            assert_true(t - prev_change >= 2);
            prev_change = t;
            changes++;
        }
        prev_seq = seq;
        add_turn(h, "What is the weather like today?", "Sunny, about twenty degrees.");
    }
    return changes;
}

static void test_window_start_moves_in_steps(void **state)
{
    (void)state;
    enum { TURNS = 200, CONTEXT = 20 };
    arvis_history *h = NULL;
    assert_int_equal(arvis_history_create(1000, &h), ARVIS_OK);
    int changes = run_turns(h, TURNS, CONTEXT, NO_LIMIT);
    /* Two messages a turn, a step of five: about once in two and a half turns. */
    assert_true(changes >= 1);
    assert_true(changes <= TURNS * 2 / (int)window_step(CONTEXT) + 1);
    assert_true(changes < TURNS / 2);
    arvis_history_free(h);
}

static void test_window_start_moves_in_steps_under_a_character_budget(void **state)
{
    (void)state;
    enum { TURNS = 200, CONTEXT = 40 };
    arvis_history *h = NULL;
    assert_int_equal(arvis_history_create(1000, &h), ARVIS_OK);
    /* 59 characters a turn: the character budget binds first, at about 10 turns. */
    int changes = run_turns(h, TURNS, CONTEXT, 600);
    assert_true(changes >= 1);
    assert_true(changes <= TURNS * 2 / (int)window_step(CONTEXT) + 1);
    arvis_history_free(h);
}

static void test_window_start_is_stable_while_the_history_is_trimmed(void **state)
{
    (void)state;
    enum { TURNS = 200, CONTEXT = 20 };
    static const size_t kept[] = {20, 21, 30, 50};
    for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++) {
        arvis_history *h = NULL;
        assert_int_equal(arvis_history_create(kept[k], &h), ARVIS_OK);
        int changes = run_turns(h, TURNS, CONTEXT, NO_LIMIT);
        assert_true(arvis_history_first(h) > 0); /* the history was trimmed */
        assert_true(changes >= 1);
        assert_true(changes <= TURNS * 2 / (int)window_step(CONTEXT) + 1);
        arvis_history_free(h);
    }
}

static void test_window_start_is_the_same_after_a_reload(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "history.json");
    arvis_history *h = load_ok(path, 30);
    for (int t = 0; t < 40; t++) {
        size_t before = llm_window_start(h, 20, NO_LIMIT);
        save_ok(h);
        arvis_history *again = load_ok(path, 30);
        assert_int_equal(arvis_history_first(again), arvis_history_first(h));
        assert_int_equal(llm_window_start(again, 20, NO_LIMIT), before);
        arvis_history_free(again);
        add_turn(h, "question", "answer");
    }
    assert_true(arvis_history_first(h) > 0);
    arvis_history_free(h);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_file_is_an_empty_history),
        cmocka_unit_test(test_default_path_is_in_the_data_folder),
        cmocka_unit_test(test_round_trip_keeps_every_field),
        cmocka_unit_test(test_oldest_messages_are_dropped_first),
        cmocka_unit_test(test_dropped_count_survives_save_and_load),
        cmocka_unit_test(test_file_that_is_not_json_is_moved_aside),
        cmocka_unit_test(test_json_that_is_not_a_history_is_moved_aside),
        cmocka_unit_test(test_message_with_a_bad_role_is_moved_aside),
        cmocka_unit_test(test_save_is_atomic_and_keeps_the_previous_version),
        cmocka_unit_test(test_save_creates_missing_folders),
        cmocka_unit_test(test_save_failure_says_where),
        cmocka_unit_test(test_clear_empties_and_saves),
        cmocka_unit_test(test_memory_only_history_saves_nothing),
        cmocka_unit_test(test_to_json_lists_the_messages),
        cmocka_unit_test(test_window_everything_fits_from_the_start),
        cmocka_unit_test(test_window_respects_the_message_budget),
        cmocka_unit_test(test_window_respects_the_character_budget),
        cmocka_unit_test(test_window_budgets_hold_over_varied_histories),
        cmocka_unit_test(test_window_starts_at_a_question),
        cmocka_unit_test(test_window_does_not_count_unanswered_questions),
        cmocka_unit_test(test_window_zero_budget_sends_nothing),
        cmocka_unit_test(test_window_start_moves_in_steps),
        cmocka_unit_test(test_window_start_moves_in_steps_under_a_character_budget),
        cmocka_unit_test(test_window_start_is_stable_while_the_history_is_trimmed),
        cmocka_unit_test(test_window_start_is_the_same_after_a_reload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
