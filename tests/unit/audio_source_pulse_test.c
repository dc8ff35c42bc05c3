/* PulseAudio capture, for real: a private server with a null sink; a tone played into the sink
 * is captured from its monitor, a read waiting on silence ends on cancel, and without a server
 * the message says how to use a recording instead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "arvis/audio.h"
#include "audio_test_util.h"
#include "test_util.h"

#include "pulse_test_server.h"

enum {
    RATE = 16000,
    TONE_HZ = 440,
    PIECE = RATE / 10,          /* 100 ms played at a time */
    READ = RATE / 50,           /* 20 ms asked for at a time */
    ANALYSED = RATE / 2,        /* captured samples looked at once the tone arrives */
    SEARCH_SAMPLES = 60 * RATE, /* audio read before giving up on the tone arriving */
    LOUD = 1000,                /* a captured sample this far from 0 is the tone */
    SILENT_READS = 10,
};

static const char MONITOR[] = PTS_SINK ".monitor";

struct player {
    atomic_bool stop;
    int rc;
    char msg[ARVIS_ERROR_MSG_MAX];
};

/* Plays the tone into the null sink until told to stop. */
static void *play_thread(void *ud)
{
    struct player *p = ud;
    arvis_sink_options o = {.server = pts.address, .device = PTS_SINK, .rate = RATE};
    arvis_sink *s = NULL;
    arvis_error err;
    p->rc = arvis_sink_open("pulse", &o, &s, &err);
    int16_t *x = atu_sine(PIECE, RATE, TONE_HZ, 0.5);
    while (p->rc == ARVIS_OK && !atomic_load(&p->stop)) {
        p->rc = arvis_sink_write(s, x, PIECE, &err);
    }
    if (p->rc != ARVIS_OK) {
        snprintf(p->msg, sizeof p->msg, "%s", err.msg);
    }
    arvis_sink_abort(s);
    free(x);
    return NULL;
}

/* Reads until a loud sample comes, then ANALYSED samples from there on into x. */
static size_t capture_tone(arvis_source *s, int16_t *x)
{
    int16_t buf[READ];
    size_t kept = 0;
    arvis_error err;
    for (size_t searched = 0; kept < ANALYSED && searched < SEARCH_SAMPLES;) {
        size_t n = 0;
        assert_int_equal(arvis_source_read(s, buf, READ, &n, &err), ARVIS_OK);
        assert_true(n > 0);
        for (size_t i = 0; i < n && kept < ANALYSED; i++) {
            if (kept > 0 || abs(buf[i]) >= LOUD) {
                x[kept++] = buf[i];
            }
        }
        searched += n;
    }
    return kept;
}

static void test_tone_played_into_the_sink_is_captured(void **state)
{
    (void)state;
    arvis_source_options o = {.server = pts.address, .device = MONITOR};
    arvis_source *s = NULL;
    arvis_error err;
    int rc = arvis_source_open("pulse", &o, &s, &err);
    if (rc != ARVIS_OK) {
        fail_msg("cannot capture: %s", err.msg);
    }
    assert_string_equal(arvis_source_name(s), "pulse");
    assert_int_equal(arvis_source_rate(s), RATE);
    arvis_source_info info;
    arvis_source_get_info(s, &info);
    assert_string_equal(info.format, "PulseAudio");
    assert_int_equal(info.channels, 1);
    assert_int_equal(info.frames, -1);
    struct player p = {.rc = ARVIS_OK};
    atomic_init(&p.stop, false);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, play_thread, &p), 0);
    static int16_t x[ANALYSED];
    size_t kept = capture_tone(s, x);
    atomic_store(&p.stop, true);
    assert_int_equal(pthread_join(t, NULL), 0);
    if (p.rc != ARVIS_OK) {
        fail_msg("cannot play the tone: %s", p.msg);
    }
    assert_int_equal(kept, ANALYSED);
    /* The tone, not noise: its frequency holds far more power than another one. */
    assert_true(atu_power(x, kept, RATE, TONE_HZ) > 100.0 * atu_power(x, kept, RATE, 1000.0));
    arvis_source_close(s);
}

struct reader {
    arvis_source *s;
    atomic_size_t reads;
    int rc;
};

/* Reads (silence) until a read fails. */
static void *read_thread(void *ud)
{
    struct reader *r = ud;
    int16_t buf[READ];
    arvis_error err;
    size_t n = 0;
    while ((r->rc = arvis_source_read(r->s, buf, READ, &n, &err)) == ARVIS_OK && n > 0) {
        atomic_fetch_add(&r->reads, 1);
    }
    return NULL;
}

/* Nothing plays: the monitor delivers silence, a read at a time, until another thread cancels;
 * then the read returns CANCELLED, whenever the cancel came. */
static void test_silence_comes_and_cancel_ends_reading(void **state)
{
    (void)state;
    arvis_source_options o = {.server = pts.address, .device = MONITOR};
    struct reader r = {.rc = ARVIS_OK};
    atomic_init(&r.reads, 0);
    arvis_error err;
    assert_int_equal(arvis_source_open("pulse", &o, &r.s, &err), ARVIS_OK);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, read_thread, &r), 0);
    while (atomic_load(&r.reads) < SILENT_READS) {
        sched_yield();
    }
    arvis_source_cancel(r.s);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(r.rc, ARVIS_E_CANCELLED);
    arvis_source_close(r.s);
}

static void test_unknown_capture_device_is_named(void **state)
{
    (void)state;
    arvis_source_options o = {.server = pts.address, .device = "no-such-microphone"};
    arvis_source *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_source_open("pulse", &o, &s, &err), ARVIS_E_UNAVAILABLE);
    assert_non_null(
        strstr(err.msg, "PulseAudio has no capture device called \"no-such-microphone\""));
    assert_null(s);
}

static void test_no_server_says_to_use_a_recording(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char address[PTS_PATH_LEN + 16];
    snprintf(address, sizeof address, "unix:%s/missing", dir);
    arvis_source_options o = {.server = address};
    arvis_source *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_source_open("pulse", &o, &s, &err), ARVIS_E_UNAVAILABLE);
    char want[2 * PTS_PATH_LEN];
    snprintf(want, sizeof want,
             "no microphone: no PulseAudio server answers at %s: start one (pulseaudio --start), "
             "or read a recording instead with `arvis listen FILE`",
             address);
    assert_string_equal(err.msg, want);
    assert_null(s);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tone_played_into_the_sink_is_captured, pts_start,
                                        pts_stop),
        cmocka_unit_test_setup_teardown(test_silence_comes_and_cancel_ends_reading, pts_start,
                                        pts_stop),
        cmocka_unit_test_setup_teardown(test_unknown_capture_device_is_named, pts_start, pts_stop),
        cmocka_unit_test(test_no_server_says_to_use_a_recording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
