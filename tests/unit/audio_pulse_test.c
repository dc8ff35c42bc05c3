/* PulseAudio, for real: each test starts its own server (null output, a private socket, no
 * autospawn anywhere), plays through it, and kills it mid-playback to see the queue fall back to
 * null with all the audio still played. A server that cannot be started is a failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "arvis/audio.h"
#include "arvis/clock.h"
#include "audio_test_util.h"
#include "test_util.h"

#include "pulse_test_server.h"

enum {
    RATE = 16000,
    CHUNKS = 10,
    CHUNK = RATE / 20, /* 50 ms */
    PATH_LEN = 1024,
};

static void test_available_when_a_server_answers(void **state)
{
    (void)state;
    assert_true(arvis_pulse_available(pts.address));
    assert_true(arvis_pulse_available(NULL)); /* $PULSE_SERVER */
}

static void test_not_available_where_nobody_listens(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    /* A socket that exists but was never listened on refuses connections. */
    const char *dead = tu_path(dir, "dead");
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", dead);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    char address[PATH_LEN];
    snprintf(address, sizeof address, "unix:%s", dead);
    assert_false(arvis_pulse_available(address));
    char missing[PATH_LEN];
    snprintf(missing, sizeof missing, "unix:%s/missing", dir);
    assert_false(arvis_pulse_available(missing));
    arvis_sink_options o = {.server = address, .rate = RATE};
    arvis_sink *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_sink_open("pulse", &o, &s, &err), ARVIS_E_UNAVAILABLE);
    char want[2 * PATH_LEN];
    snprintf(want, sizeof want,
             "no PulseAudio server answers at %s: start one (pulseaudio --start) or choose "
             "another sink (audio.sink: file, stdout or null)",
             address);
    assert_string_equal(err.msg, want);
    close(fd);
    tu_rmtree(dir);
}

static void test_sink_plays_a_clip(void **state)
{
    (void)state;
    arvis_sink_options o = {.server = pts.address, .rate = RATE, .app_name = "Arvis test"};
    arvis_sink *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_sink_open("pulse", &o, &s, &err), ARVIS_OK);
    assert_string_equal(arvis_sink_name(s), "pulse");
    int16_t *x = atu_sine(RATE / 5, RATE, 440.0, 0.3);
    assert_int_equal(arvis_sink_write(s, x, RATE / 5, &err), ARVIS_OK);
    assert_int_equal(arvis_sink_samples(s), RATE / 5);
    assert_int_equal(arvis_sink_drain(s, &err), ARVIS_OK);
    assert_int_equal(arvis_sink_write(s, x, RATE / 10, &err), ARVIS_OK);
    assert_int_equal(arvis_sink_flush(s, &err), ARVIS_OK);
    assert_int_equal(arvis_sink_close(s, &err), ARVIS_OK);
    free(x);
}

static void test_unknown_device_is_named(void **state)
{
    (void)state;
    arvis_sink_options o = {.server = pts.address, .rate = RATE, .device = "no-such-device"};
    arvis_sink *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_sink_open("pulse", &o, &s, &err), ARVIS_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "PulseAudio has no playback device called \"no-such-device\""));
}

/* Notes the event, and takes the server away once the first mark has been played. */
static void kill_at_first_mark(const arvis_playback_event *ev, void *ud)
{
    atu_event_cb(ev, ud);
    if (ev->kind == ARVIS_PLAYBACK_MARK && ev->tag == 1) {
        kill(pts.pid, SIGKILL);
    }
}

static void test_server_gone_mid_playback_hands_over_to_null(void **state)
{
    (void)state;
    struct atu_log l;
    atu_log_init(&l);
    static const char *const sinks[] = {"pulse", "null", NULL};
    arvis_playback_options o = {.sinks = sinks,
                                .sink = {.server = pts.address, .rate = RATE},
                                .cb = kill_at_first_mark,
                                .ud = &l};
    arvis_playback *pb = NULL;
    arvis_error err;
    assert_int_equal(arvis_playback_create(&o, &pb, &err), ARVIS_OK);
    assert_string_equal(arvis_playback_sink(pb), "pulse");
    int16_t *x = atu_sine(CHUNK * CHUNKS, RATE, 440.0, 0.3);
    for (size_t i = 0; i < CHUNKS; i++) {
        assert_int_equal(arvis_playback_push(pb, x + i * CHUNK, CHUNK, RATE, &err), ARVIS_OK);
        assert_int_equal(arvis_playback_mark(pb, i + 1), ARVIS_OK);
    }
    assert_int_equal(arvis_playback_finish(pb), ARVIS_OK);
    assert_int_equal(arvis_playback_wait(pb, &err), ARVIS_OK);
    assert_string_equal(arvis_playback_sink(pb), "null");
    assert_int_equal(arvis_playback_destroy(pb, &err), ARVIS_OK);
    char text[sizeof l.text];
    snprintf(text, sizeof text, "%s", atu_text(&l));
    char *b = strstr(text, " B");
    assert_non_null(b);
    assert_true(b > strstr(text, "M1"));
    memmove(b, b + 2, strlen(b + 2) + 1);
    assert_null(strstr(text, "B"));
    assert_string_equal(text, "S M1 M2 M3 M4 M5 M6 M7 M8 M9 M10 F");
    static const char start[] = "PulseAudio went away while playing (";
    static const char end[] = "); continuing on null";
    assert_memory_equal(l.message, start, strlen(start));
    size_t len = strlen(l.message);
    assert_true(len > strlen(start) + strlen(end));
    assert_string_equal(l.message + len - strlen(end), end);
    assert_string_equal(l.sink, "null");
    free(x);
    atu_log_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_available_when_a_server_answers, pts_start, pts_stop),
        cmocka_unit_test(test_not_available_where_nobody_listens),
        cmocka_unit_test_setup_teardown(test_sink_plays_a_clip, pts_start, pts_stop),
        cmocka_unit_test_setup_teardown(test_unknown_device_is_named, pts_start, pts_stop),
        cmocka_unit_test_setup_teardown(test_server_gone_mid_playback_hands_over_to_null, pts_start,
                                        pts_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
