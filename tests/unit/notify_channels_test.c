/* Notification channels: each gets what is at or above its level, a failing channel (the
 * audit log on a full disk, a frontend's callback) is reported once while the others still get
 * everything, TTS waits while an answer is spoken, and what the audit log and config hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arvis/clock.h"

#include "arvis/notify.h"
#include "test_util.h"

static const double T0 = 1800000000.0;

/* What the callbacks heard. */
struct heard {
    int ui, cues, problems;
    int ui_result;              /* what the UI callback returns */
    arvis_notify_level ui_last; /* level of the last UI notification */
    char spoken[8][64];
    int n_spoken;
    arvis_notify_channel problem_channel;
};

static int ui_cb(const arvis_notification *n, void *ud)
{
    struct heard *h = ud;
    h->ui++;
    h->ui_last = n->level;
    return h->ui_result;
}

static int speak_cb(const char *text, void *ud)
{
    struct heard *h = ud;
    if (h->n_spoken < 8) {
        snprintf(h->spoken[h->n_spoken++], sizeof h->spoken[0], "%s", text);
    }
    return 0;
}

static int cue_cb(arvis_notify_level level, void *ud)
{
    (void)level;
    ((struct heard *)ud)->cues++;
    return 0;
}

static void problem_cb(arvis_notify_channel ch, const char *message, void *ud)
{
    struct heard *h = ud;
    assert_true(message[0] != '\0');
    h->problems++;
    h->problem_channel = ch;
}

/* Params with every callback into h, no log, no desktop, memory only. */
static arvis_notify_params params(struct heard *h)
{
    memset(h, 0, sizeof *h);
    arvis_notify_params p = arvis_notify_default_params();
    p.channels[ARVIS_NOTIFY_LOG].enabled = false;
    p.channels[ARVIS_NOTIFY_DESKTOP].enabled = false;
    p.channels[ARVIS_NOTIFY_AUDIT].enabled = false;
    p.history_path = "";
    p.ui_cb = ui_cb;
    p.speak_cb = speak_cb;
    p.cue_cb = cue_cb;
    p.problem_cb = problem_cb;
    p.ud = h;
    return p;
}

static arvis_notify *create(const arvis_notify_params *p)
{
    arvis_notify *n = NULL;
    assert_int_equal(arvis_notify_create(p, &n, NULL), ARVIS_OK);
    return n;
}

static void send(arvis_notify *n, arvis_notify_level level, const char *msg, double t)
{
    assert_int_equal(arvis_notify_send_at(n, level, "test", msg, t, NULL), ARVIS_OK);
}

static void test_level_names_parse_in_any_case(void **state)
{
    (void)state;
    arvis_notify_level l;
    assert_int_equal(arvis_notify_level_parse("CRITICAL", &l), ARVIS_OK);
    assert_int_equal(l, ARVIS_NOTIFY_CRITICAL);
    assert_int_equal(arvis_notify_level_parse("Warning", &l), ARVIS_OK);
    assert_int_equal(l, ARVIS_NOTIFY_WARNING);
    assert_int_equal(arvis_notify_level_parse("warn", &l), ARVIS_E_INVAL);
    assert_int_equal(arvis_notify_level_parse(NULL, &l), ARVIS_E_INVAL);
    assert_true(
        ARVIS_NOTIFY_DEBUG < ARVIS_NOTIFY_INFO && ARVIS_NOTIFY_INFO < ARVIS_NOTIFY_WARNING &&
        ARVIS_NOTIFY_WARNING < ARVIS_NOTIFY_ERROR && ARVIS_NOTIFY_ERROR < ARVIS_NOTIFY_CRITICAL);
    assert_string_equal(arvis_notify_level_name(ARVIS_NOTIFY_ERROR), "error");
    assert_string_equal(arvis_notify_channel_name(ARVIS_NOTIFY_DESKTOP), "desktop");
}

static void test_each_channel_gets_what_is_at_or_above_its_level(void **state)
{
    (void)state;
    struct heard h;
    arvis_notify_params p = params(&h);
    p.merge_window_sec = 0;
    /* The defaults: UI from info, AUDIO from warning, TTS from error. */
    arvis_notify *n = create(&p);
    send(n, ARVIS_NOTIFY_DEBUG, "d", T0);
    send(n, ARVIS_NOTIFY_INFO, "i", T0);
    send(n, ARVIS_NOTIFY_WARNING, "w", T0);
    send(n, ARVIS_NOTIFY_ERROR, "e", T0);
    send(n, ARVIS_NOTIFY_CRITICAL, "c", T0);
    assert_int_equal(h.ui, 4);
    assert_int_equal(h.cues, 3);
    assert_int_equal(h.n_spoken, 2);
    assert_string_equal(h.spoken[0], "e");
    assert_string_equal(h.spoken[1], "c");
    arvis_notify_destroy(n);

    /* A disabled channel gets nothing; notifications turned off go nowhere. */
    p.channels[ARVIS_NOTIFY_UI].enabled = false;
    n = create(&p);
    send(n, ARVIS_NOTIFY_CRITICAL, "c", T0);
    assert_int_equal(h.ui, 4);
    assert_false(arvis_notify_channel_available(n, ARVIS_NOTIFY_UI));
    arvis_notify_destroy(n);
    p.enabled = false;
    n = create(&p);
    arvis_notify_outcome o;
    assert_int_equal(arvis_notify_send_at(n, ARVIS_NOTIFY_CRITICAL, NULL, "c", T0, &o), ARVIS_OK);
    assert_int_equal(o, ARVIS_NOTIFY_DISABLED);
    assert_int_equal(h.cues, 4);
    arvis_notify_destroy(n);
}

static void test_channel_levels_come_from_the_config(void **state)
{
    (void)state;
    const char *sets[] = {"notifications.channels.ui.min_level=critical",
                          "notifications.rate_limit_per_minute=7",
                          "notifications.channels.audio.enabled=false", NULL};
    arvis_config *cfg = tu_config(sets);
    struct heard h;
    arvis_notify_params p = params(&h);
    arvis_notify_params_from_config(cfg, &p);
    p.channels[ARVIS_NOTIFY_LOG].enabled = false; /* keeps the test's output clean */
    assert_int_equal(p.rate_limit_per_minute, 7);
    assert_int_equal(p.history_max, 1000);
    assert_int_equal(p.channels[ARVIS_NOTIFY_TTS].min_level, ARVIS_NOTIFY_ERROR);
    assert_string_equal(p.history_path, ""); /* left as it was */
    arvis_notify *n = create(&p);
    send(n, ARVIS_NOTIFY_ERROR, "e", T0);
    assert_int_equal(h.ui, 0);
    send(n, ARVIS_NOTIFY_CRITICAL, "c", T0);
    assert_int_equal(h.ui, 1);
    assert_int_equal(h.cues, 0);
    arvis_notify_destroy(n);
    arvis_config_free(cfg);
}

static void test_a_full_disk_is_reported_once_and_the_others_still_hear(void **state)
{
    (void)state;
    struct heard h;
    arvis_notify_params p = params(&h);
    p.channels[ARVIS_NOTIFY_AUDIT].enabled = true;
    p.channels[ARVIS_NOTIFY_AUDIT].min_level = ARVIS_NOTIFY_DEBUG;
    p.audit_path = "/dev/full"; /* every write fails with ENOSPC */
    arvis_notify *n = create(&p);
    char msg[32];
    for (int i = 0; i < 20; i++) {
        snprintf(msg, sizeof msg, "n%d", i);
        send(n, ARVIS_NOTIFY_ERROR, msg, T0 + i);
    }
    assert_int_equal(h.problems, 1);
    assert_int_equal(h.problem_channel, ARVIS_NOTIFY_AUDIT);
    assert_int_equal(h.ui, 20);
    assert_int_equal(h.n_spoken, 8); /* as many as the test keeps */
    assert_int_equal(arvis_notify_get_stats(n).failures[ARVIS_NOTIFY_AUDIT], 20);
    arvis_notify_destroy(n);
}

static void test_a_failing_callback_is_reported_again_only_after_it_worked(void **state)
{
    (void)state;
    struct heard h;
    arvis_notify_params p = params(&h);
    arvis_notify *n = create(&p);
    h.ui_result = -1;
    send(n, ARVIS_NOTIFY_WARNING, "a", T0);
    send(n, ARVIS_NOTIFY_WARNING, "b", T0);
    assert_int_equal(h.problems, 1);
    assert_int_equal(h.problem_channel, ARVIS_NOTIFY_UI);
    assert_int_equal(h.cues, 2);
    h.ui_result = 0;
    send(n, ARVIS_NOTIFY_WARNING, "c", T0);
    h.ui_result = -1;
    send(n, ARVIS_NOTIFY_WARNING, "d", T0);
    assert_int_equal(h.problems, 2);
    assert_int_equal(arvis_notify_get_stats(n).failures[ARVIS_NOTIFY_UI], 3);
    arvis_notify_destroy(n);
}

static void test_tts_waits_while_an_answer_is_spoken(void **state)
{
    (void)state;
    struct heard h;
    arvis_notify_params p = params(&h);
    arvis_notify *n = create(&p);
    arvis_notify_set_speaking(n, true);
    send(n, ARVIS_NOTIFY_ERROR, "first", T0);
    send(n, ARVIS_NOTIFY_CRITICAL, "second", T0);
    assert_int_equal(h.n_spoken, 0);
    assert_int_equal(h.ui, 2); /* the other channels do not wait */
    assert_int_equal(arvis_notify_get_stats(n).tts_queued, 2);
    arvis_notify_set_speaking(n, false);
    assert_int_equal(h.n_spoken, 2);
    assert_string_equal(h.spoken[0], "first");
    assert_string_equal(h.spoken[1], "second");
    assert_int_equal(arvis_notify_get_stats(n).tts_queued, 0);
    send(n, ARVIS_NOTIFY_ERROR, "third", T0);
    assert_int_equal(h.n_spoken, 3);

    /* Past the queue's size, the oldest go first. */
    arvis_notify_set_speaking(n, true);
    char msg[32];
    for (int i = 0; i < ARVIS_NOTIFY_TTS_QUEUE_MAX + 3; i++) {
        snprintf(msg, sizeof msg, "q%d", i);
        send(n, ARVIS_NOTIFY_ERROR, msg, T0);
    }
    assert_int_equal(arvis_notify_get_stats(n).tts_queued, ARVIS_NOTIFY_TTS_QUEUE_MAX);
    h.n_spoken = 0;
    arvis_notify_set_speaking(n, false);
    assert_string_equal(h.spoken[0], "q3");
    arvis_notify_destroy(n);
}

static void test_the_audit_log_gets_one_json_line_each(void **state)
{
    (void)state;
    const char *home = tu_fresh_home();
    struct heard h;
    arvis_notify_params p = params(&h);
    p.channels[ARVIS_NOTIFY_AUDIT].enabled = true; /* default path, from warning */
    arvis_notify *n = create(&p);
    send(n, ARVIS_NOTIFY_INFO, "not audited", T0);
    send(n, ARVIS_NOTIFY_WARNING, "audited \"one\"", T0);
    send(n, ARVIS_NOTIFY_CRITICAL, "audited two", T0 + 0.5);
    arvis_notify_destroy(n);
    char *text = tu_read(tu_path(home, "state/audit.jsonl"), NULL);
    assert_non_null(text);
    char *second = strchr(text, '\n');
    assert_non_null(second);
    *second++ = '\0';
    cJSON *a = tu_json(text);
    assert_string_equal(cJSON_GetObjectItem(a, "event")->valuestring, "notification");
    assert_string_equal(cJSON_GetObjectItem(a, "level")->valuestring, "warning");
    assert_string_equal(cJSON_GetObjectItem(a, "component")->valuestring, "test");
    assert_string_equal(cJSON_GetObjectItem(a, "message")->valuestring, "audited \"one\"");
    assert_string_equal(cJSON_GetObjectItem(a, "time")->valuestring, "2027-01-15T08:00:00.000Z");
    char *end = strchr(second, '\n');
    assert_non_null(end);
    assert_string_equal(end + 1, "");
    *end = '\0';
    cJSON *b = tu_json(second);
    assert_string_equal(cJSON_GetObjectItem(b, "level")->valuestring, "critical");
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(text);
    tu_rmtree(home);
}

static void test_desktop_needs_a_session_bus_and_gdbus(void **state)
{
    (void)state;
    struct heard h;
    arvis_notify_params p = params(&h);
    p.channels[ARVIS_NOTIFY_DESKTOP].enabled = true;
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
    arvis_notify *n = create(&p);
    assert_false(arvis_notify_channel_available(n, ARVIS_NOTIFY_DESKTOP));
    send(n, ARVIS_NOTIFY_CRITICAL, "nowhere to show it", T0);
    assert_int_equal(h.problems, 0);
    arvis_notify_destroy(n);

    const char *old_path = getenv("PATH");
    char *saved = old_path ? strdup(old_path) : NULL;
    setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", 1);
    setenv("PATH", tu_tempdir(), 1); /* an empty folder: no gdbus */
    n = create(&p);
    assert_false(arvis_notify_channel_available(n, ARVIS_NOTIFY_DESKTOP));
    arvis_notify_destroy(n);
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
    if (saved) {
        setenv("PATH", saved, 1);
    }
    free(saved);
}

/* A gdbus stand-in that writes its arguments, one a line, to gdbus.out beside it. */
static const char FAKE_GDBUS[] = "#!/bin/sh\n"
                                 "for a in \"$@\"; do printf '%s\\n' \"$a\"; done >\"$0.tmp\"\n"
                                 "mv \"$0.tmp\" \"$0.out\"\n";

enum { FAKE_WAIT_MS = 10000, FAKE_POLL_MS = 10 };

static void test_desktop_runs_gdbus_with_the_text_quoted(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char *bin = strdup(tu_path(dir, "gdbus"));
    char *out = strdup(tu_path(dir, "gdbus.out"));
    tu_write(bin, FAKE_GDBUS, -1);
    assert_int_equal(chmod(bin, 0755), 0);
    const char *old_path = getenv("PATH");
    char *saved = old_path ? strdup(old_path) : NULL;
    char search[512];
    snprintf(search, sizeof search, "%s:/usr/bin:/bin", dir); /* mv for the stand-in */
    setenv("PATH", search, 1);
    setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", 1);
    struct heard h;
    arvis_notify_params p = params(&h);
    p.channels[ARVIS_NOTIFY_DESKTOP].enabled = true;
    arvis_notify *n = create(&p);
    assert_true(arvis_notify_channel_available(n, ARVIS_NOTIFY_DESKTOP));
    send(n, ARVIS_NOTIFY_CRITICAL, "it's \\ full\n", T0);
    /* The child is not waited for: wait here until it has written, or give up. */
    for (int waited = 0; waited < FAKE_WAIT_MS && access(out, F_OK) != 0; waited += FAKE_POLL_MS) {
        arvis_clock_sleep_ms(FAKE_POLL_MS);
    }
    arvis_notify_destroy(n);
    char *args = tu_read(out, NULL);
    assert_non_null(args);
    assert_non_null(strstr(args, "call\n--session\n"));
    assert_non_null(strstr(args, "org.freedesktop.Notifications.Notify\n--\n'Arvis'\n0\n''\n"
                                 "'Arvis critical: test'\n'it\\'s \\\\ full\\u000a'\n[]\n"
                                 "{'urgency': <byte 2>}\n-1\n"));
    assert_int_equal(h.problems, 0);
    free(args);
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
    if (saved) {
        setenv("PATH", saved, 1);
    }
    free(saved);
    free(bin);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_names_parse_in_any_case),
        cmocka_unit_test(test_each_channel_gets_what_is_at_or_above_its_level),
        cmocka_unit_test(test_channel_levels_come_from_the_config),
        cmocka_unit_test(test_a_full_disk_is_reported_once_and_the_others_still_hear),
        cmocka_unit_test(test_a_failing_callback_is_reported_again_only_after_it_worked),
        cmocka_unit_test(test_tts_waits_while_an_answer_is_spoken),
        cmocka_unit_test(test_the_audit_log_gets_one_json_line_each),
        cmocka_unit_test(test_desktop_needs_a_session_bus_and_gdbus),
        cmocka_unit_test(test_desktop_runs_gdbus_with_the_text_quoted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
