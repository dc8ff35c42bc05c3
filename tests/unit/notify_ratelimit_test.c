/* Rate limiting and merging of notifications, with the times given by the test: the limit per
 * minute, repeats merged with a count, CRITICAL never dropped, a clock that jumps back, and a
 * flood of 100,000 that stays within the history's bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <malloc.h>

#include "arvis/notify.h"

enum { FLOOD = 100000 };

static const double T0 = 1800000000.0; /* a wall-clock time, in seconds */

/* Counts what reaches the UI channel. */
static int ui_count_cb(const arvis_notification *n, void *ud)
{
    (void)n;
    (*(int *)ud)++;
    return 0;
}

/* A manager in memory with only the UI channel, counting into *delivered. */
static arvis_notify *manager(unsigned per_minute, unsigned merge_sec, size_t history_max,
                             int *delivered)
{
    arvis_notify_params p = arvis_notify_default_params();
    for (int i = 0; i < ARVIS_NOTIFY_CHANNELS; i++) {
        p.channels[i].enabled = i == ARVIS_NOTIFY_UI;
    }
    p.channels[ARVIS_NOTIFY_UI].min_level = ARVIS_NOTIFY_DEBUG;
    p.rate_limit_per_minute = per_minute;
    p.merge_window_sec = merge_sec;
    p.history_max = history_max;
    p.history_path = "";
    p.ui_cb = ui_count_cb;
    p.ud = delivered;
    arvis_notify *n = NULL;
    arvis_error err;
    assert_int_equal(arvis_notify_create(&p, &n, &err), ARVIS_OK);
    assert_string_equal(err.msg, "");
    return n;
}

static arvis_notify_outcome send(arvis_notify *n, arvis_notify_level level, const char *msg,
                                 double t)
{
    arvis_notify_outcome o = ARVIS_NOTIFY_DISABLED;
    assert_int_equal(arvis_notify_send_at(n, level, "test", msg, t, &o), ARVIS_OK);
    return o;
}

static void test_at_most_the_limit_a_minute_then_room_again(void **state)
{
    (void)state;
    int delivered = 0;
    arvis_notify *n = manager(3, 0, 100, &delivered);
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "a", T0), ARVIS_NOTIFY_SENT);
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "b", T0 + 10), ARVIS_NOTIFY_SENT);
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "c", T0 + 20), ARVIS_NOTIFY_SENT);
    assert_int_equal(send(n, ARVIS_NOTIFY_ERROR, "d", T0 + 30), ARVIS_NOTIFY_DROPPED);
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "e", T0 + 59.9), ARVIS_NOTIFY_DROPPED);
    /* A minute after the first, one place is free again; not two. */
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "f", T0 + 60), ARVIS_NOTIFY_SENT);
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "g", T0 + 65), ARVIS_NOTIFY_DROPPED);
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "h", T0 + 70), ARVIS_NOTIFY_SENT);
    assert_int_equal(delivered, 5);
    arvis_notify_stats s = arvis_notify_get_stats(n);
    assert_int_equal(s.sent, 5);
    assert_int_equal(s.dropped, 3);
    arvis_notify_destroy(n);
}

static void test_repeats_within_the_window_merge_with_a_count(void **state)
{
    (void)state;
    int delivered = 0;
    arvis_notify *n = manager(60, 30, 100, &delivered);
    assert_int_equal(send(n, ARVIS_NOTIFY_WARNING, "disk almost full", T0), ARVIS_NOTIFY_SENT);
    assert_int_equal(send(n, ARVIS_NOTIFY_WARNING, "disk almost full", T0 + 20),
                     ARVIS_NOTIFY_MERGED);
    /* The window runs from the latest repeat. */
    assert_int_equal(send(n, ARVIS_NOTIFY_WARNING, "disk almost full", T0 + 45),
                     ARVIS_NOTIFY_MERGED);
    /* Another level or component is another notification. */
    assert_int_equal(send(n, ARVIS_NOTIFY_ERROR, "disk almost full", T0 + 46), ARVIS_NOTIFY_SENT);
    arvis_notify_outcome o;
    assert_int_equal(
        arvis_notify_send_at(n, ARVIS_NOTIFY_WARNING, "other", "disk almost full", T0 + 47, &o),
        ARVIS_OK);
    assert_int_equal(o, ARVIS_NOTIFY_SENT);
    /* Past the window it is new again. */
    assert_int_equal(send(n, ARVIS_NOTIFY_WARNING, "disk almost full", T0 + 76), ARVIS_NOTIFY_SENT);
    assert_int_equal(delivered, 4);

    arvis_notification *list;
    size_t count;
    assert_int_equal(arvis_notify_list(n, &list, &count), ARVIS_OK);
    assert_int_equal(count, 4);
    assert_int_equal(list[0].count, 3);
    assert_float_equal(list[0].time, T0, 0);
    assert_float_equal(list[0].last_time, T0 + 45, 0);
    assert_int_equal(list[1].count, 1);
    assert_string_equal(list[2].component, "other");
    assert_int_equal(list[3].count, 1);
    arvis_notify_list_free(list, count);
    assert_int_equal(arvis_notify_get_stats(n).merged, 2);
    arvis_notify_destroy(n);
}

static void test_merged_repeats_do_not_use_up_the_limit(void **state)
{
    (void)state;
    int delivered = 0;
    arvis_notify *n = manager(2, 60, 100, &delivered);
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "same", T0), ARVIS_NOTIFY_SENT);
    for (int i = 1; i <= 10; i++) {
        assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "same", T0 + i), ARVIS_NOTIFY_MERGED);
    }
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "new", T0 + 11), ARVIS_NOTIFY_SENT);
    assert_int_equal(delivered, 2);
    arvis_notify_destroy(n);
}

static void test_critical_is_never_dropped_and_always_delivered(void **state)
{
    (void)state;
    int delivered = 0;
    arvis_notify *n = manager(1, 60, 100, &delivered);
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "fills the minute", T0), ARVIS_NOTIFY_SENT);
    assert_int_equal(send(n, ARVIS_NOTIFY_ERROR, "an error", T0 + 1), ARVIS_NOTIFY_DROPPED);
    assert_int_equal(send(n, ARVIS_NOTIFY_CRITICAL, "out of disk", T0 + 2), ARVIS_NOTIFY_SENT);
    assert_int_equal(send(n, ARVIS_NOTIFY_CRITICAL, "out of memory", T0 + 3), ARVIS_NOTIFY_SENT);
    /* A repeat is counted in the history, and still reaches the channels. */
    assert_int_equal(send(n, ARVIS_NOTIFY_CRITICAL, "out of disk", T0 + 4), ARVIS_NOTIFY_MERGED);
    assert_int_equal(delivered, 4);
    arvis_notification *list;
    size_t count;
    assert_int_equal(arvis_notify_list(n, &list, &count), ARVIS_OK);
    assert_int_equal(count, 3);
    assert_int_equal(list[1].count, 2);
    arvis_notify_list_free(list, count);
    arvis_notify_destroy(n);
}

static void test_a_clock_jumping_back_neither_silences_nor_floods(void **state)
{
    (void)state;
    int delivered = 0;
    arvis_notify *n = manager(2, 60, 100, &delivered);
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "a", T0), ARVIS_NOTIFY_SENT);
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "b", T0 + 1), ARVIS_NOTIFY_SENT);
    /* Ten seconds back: the minute still holds both. */
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "c", T0 - 10), ARVIS_NOTIFY_DROPPED);
    /* A repeat of a moment ago merges even though the clock went back. */
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "b", T0 - 5), ARVIS_NOTIFY_MERGED);
    /* An hour back: the stamps are in the future and no longer count. */
    assert_int_equal(send(n, ARVIS_NOTIFY_INFO, "d", T0 - 3600), ARVIS_NOTIFY_SENT);
    assert_int_equal(delivered, 3);
    arvis_notify_destroy(n);
}

static void test_a_flood_of_100000_stays_bounded(void **state)
{
    (void)state;
    int delivered = 0;
    arvis_notify *n = manager(60, 60, 1000, &delivered);
    char msg[64];
    /* Warm up: the history holds its most. */
    for (int i = 0; i < 1000; i++) {
        snprintf(msg, sizeof msg, "critical %d", i);
        send(n, ARVIS_NOTIFY_CRITICAL, msg, T0);
    }
    size_t before = mallinfo2().uordblks;
    for (int i = 0; i < FLOOD; i++) {
        snprintf(msg, sizeof msg, "event %d", i % 3 == 0 ? 7 : i); /* a third repeat */
        send(n, i % 1000 == 0 ? ARVIS_NOTIFY_CRITICAL : ARVIS_NOTIFY_ERROR, msg,
             T0 + 1 + i / (double)FLOOD);
    }
    size_t after = mallinfo2().uordblks;
    /* Entries replace each other: at most a few kilobytes of difference in string sizes. */
    assert_true(after < before + 64 * 1024);
    arvis_notify_stats s = arvis_notify_get_stats(n);
    assert_int_equal(s.sent + s.merged + s.dropped, 1000 + FLOOD);
    assert_true(s.dropped > FLOOD / 2);
    arvis_notification *list;
    size_t count;
    assert_int_equal(arvis_notify_list(n, &list, &count), ARVIS_OK);
    assert_int_equal(count, 1000);
    arvis_notify_list_free(list, count);
    /* 1000 criticals before, 100 in the flood, 60 a minute of the rest at most. */
    assert_true(delivered <= 1000 + 100 + 60);
    assert_true(delivered >= 1000 + 100);
    arvis_notify_destroy(n);
}

static void test_bad_input_is_refused(void **state)
{
    (void)state;
    int delivered = 0;
    arvis_notify *n = manager(60, 60, 10, &delivered);
    assert_int_equal(arvis_notify_send_at(n, ARVIS_NOTIFY_INFO, NULL, "", T0, NULL), ARVIS_E_INVAL);
    assert_int_equal(arvis_notify_send_at(n, ARVIS_NOTIFY_INFO, NULL, NULL, T0, NULL),
                     ARVIS_E_INVAL);
    assert_int_equal(arvis_notify_send_at(n, (arvis_notify_level)9, NULL, "x", T0, NULL),
                     ARVIS_E_INVAL);
    assert_int_equal(arvis_notify_send_at(n, ARVIS_NOTIFY_INFO, NULL, "\xff\xfe", T0, NULL),
                     ARVIS_E_UTF8);
    assert_int_equal(delivered, 0);
    /* A long message is cut at a character, within the limit. */
    char big[3 * ARVIS_NOTIFY_MESSAGE_MAX];
    for (size_t i = 0; i + 2 < sizeof big; i += 2) {
        memcpy(big + i, "\xc3\xa9", 2); /* é */
    }
    big[sizeof big - 1] = '\0';
    big[sizeof big - 2] = '\0';
    assert_int_equal(arvis_notify_send_at(n, ARVIS_NOTIFY_INFO, NULL, big, T0, NULL), ARVIS_OK);
    arvis_notification *list;
    size_t count;
    assert_int_equal(arvis_notify_list(n, &list, &count), ARVIS_OK);
    assert_int_equal(count, 1);
    assert_int_equal(strlen(list[0].message), ARVIS_NOTIFY_MESSAGE_MAX);
    assert_string_equal(list[0].component, "arvis");
    arvis_notify_list_free(list, count);
    arvis_notify_destroy(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_at_most_the_limit_a_minute_then_room_again),
        cmocka_unit_test(test_repeats_within_the_window_merge_with_a_count),
        cmocka_unit_test(test_merged_repeats_do_not_use_up_the_limit),
        cmocka_unit_test(test_critical_is_never_dropped_and_always_delivered),
        cmocka_unit_test(test_a_clock_jumping_back_neither_silences_nor_floods),
        cmocka_unit_test(test_a_flood_of_100000_stays_bounded),
        cmocka_unit_test(test_bad_input_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
