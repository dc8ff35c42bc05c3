/* The window of the conversation sent with each question: both budgets, whole turns from a
 * question, unanswered questions left out, and a start that moves only in steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/llm.h"
#include "llm_internal.h"
#include "test_util.h"

enum { NO_LIMIT = 1000000 };

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
    tu_history_add(h, "user", question, false);
    tu_history_add(h, "assistant", answer, false);
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
                tu_history_add(h, "user", q, true); /* no answer came */
            } else {
                tu_history_add(h, "user", q, false);
                tu_history_add(h, "assistant", a, kind == 1);
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
    tu_history_add(h, "user", "unanswered", true);
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
    tu_history_add(h, "user", big, true);
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
            tu_history_add(h, i % 2 ? "assistant" : "user", "text", false);
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
    arvis_history *h = tu_history_load(path, 30);
    for (int t = 0; t < 40; t++) {
        size_t before = llm_window_start(h, 20, NO_LIMIT);
        tu_history_save(h);
        arvis_history *again = tu_history_load(path, 30);
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
