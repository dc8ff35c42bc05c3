/* When a sink fails while playing: the next sink in the list takes over with the rest of the
 * audio (FALLBACK), or, with none left, ERROR and a wait that returns the failure. The failing
 * sink is a real one: standard output into a pipe whose reader goes away. */
#define _GNU_SOURCE /* F_GETPIPE_SZ */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>

#include "arvis/audio.h"
#include "arvis/clock.h"
#include "audio_test_util.h"
#include "test_util.h"

enum { RATE = 16000, CHUNKS = 10, READ_BYTES = 8000, PIECE = RATE / 50 };

static const char CLOSED[] =
    "standard output was closed while playing (the program reading the audio ended)";

/* Reads READ_BYTES of what the playback writes, then goes away as a player that quits. */
struct reader {
    int fd;
    size_t got;
    int16_t first[READ_BYTES / 2];
};

static void *read_then_close(void *arg)
{
    struct reader *r = arg;
    r->got = atu_read_all(r->fd, r->first, READ_BYTES);
    close(r->fd);
    return NULL;
}

static int16_t ramp(size_t i)
{
    return (int16_t)(i % 30011);
}

static void test_failed_sink_hands_the_rest_to_the_next(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "rest.wav");
    struct atu_log l;
    atu_log_init(&l);
    struct atu_stdout out;
    assert_int_equal(atu_stdout_to_pipe(&out), 0);
    /* More audio than the pipe holds, so the writer is still writing when the reader quits. */
    size_t pipe_bytes = (size_t)fcntl(out.read_fd, F_GETPIPE_SZ);
    size_t total = (pipe_bytes + READ_BYTES) / 2 * 3;
    size_t chunk = total / CHUNKS + 1;
    total = chunk * CHUNKS;
    int16_t *x = malloc(total * sizeof *x);
    for (size_t i = 0; i < total; i++) {
        x[i] = ramp(i);
    }
    static const char *const sinks[] = {"stdout", "file", "null", NULL};
    arvis_playback_options o = {
        .sinks = sinks, .sink = {.path = path, .rate = RATE}, .cb = atu_event_cb, .ud = &l};
    arvis_playback *pb = NULL;
    int create_rc = arvis_playback_create(&o, &pb, NULL);
    struct reader r = {.fd = out.read_fd};
    pthread_t t;
    pthread_create(&t, NULL, read_then_close, &r);
    int rc = create_rc;
    for (size_t i = 0; rc == ARVIS_OK && i < CHUNKS; i++) {
        rc = arvis_playback_push(pb, x + i * chunk, chunk, RATE, NULL);
        rc = rc == ARVIS_OK ? arvis_playback_mark(pb, i + 1) : rc;
    }
    rc = rc == ARVIS_OK ? arvis_playback_finish(pb) : rc;
    int wait_rc = rc == ARVIS_OK ? arvis_playback_wait(pb, NULL) : rc;
    atu_stdout_restore(&out);
    pthread_join(t, NULL);
    assert_int_equal(create_rc, ARVIS_OK);
    assert_int_equal(wait_rc, ARVIS_OK);
    assert_string_equal(arvis_playback_sink(pb), "file");
    assert_int_equal(arvis_playback_destroy(pb, NULL), ARVIS_OK);

    /* One fallback, somewhere after the start; every mark, in order, and the end. */
    char text[sizeof l.text];
    snprintf(text, sizeof text, "%s", atu_text(&l));
    char *b = strstr(text, " B");
    assert_non_null(b);
    memmove(b, b + 2, strlen(b + 2) + 1);
    assert_null(strstr(text, "B"));
    assert_string_equal(text, "S M1 M2 M3 M4 M5 M6 M7 M8 M9 M10 F");
    char want[256];
    snprintf(want, sizeof want, "%s; continuing on file", CLOSED);
    assert_string_equal(l.message, want);

    /* The reader had the start; the file has the rest from where the pipe broke, and what the
     * pipe held unread is all that was lost. */
    assert_int_equal(r.got, READ_BYTES);
    for (size_t i = 0; i < READ_BYTES / 2; i++) {
        assert_int_equal(r.first[i], ramp(i));
    }
    size_t n = 0;
    SF_INFO info;
    int16_t *y = atu_read_wav(path, &info);
    assert_non_null(y);
    n = (size_t)info.frames;
    size_t lost = total - n - READ_BYTES / 2;
    assert_in_range(n, 1, total - READ_BYTES / 2);
    assert_in_range(lost, 0, pipe_bytes / 2 + PIECE);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(y[i], ramp(total - n + i));
    }
    free(y);
    free(x);
    atu_log_free(&l);
    tu_rmtree(dir);
}

static void test_no_sink_left_is_an_error_for_wait(void **state)
{
    (void)state;
    struct atu_log l;
    atu_log_init(&l);
    struct atu_stdout out;
    assert_int_equal(atu_stdout_to_pipe(&out), 0);
    close(out.read_fd);
    static const char *const sinks[] = {"stdout", NULL};
    arvis_playback_options o = {
        .sinks = sinks, .sink = {.rate = RATE}, .cb = atu_event_cb, .ud = &l};
    arvis_playback *pb = NULL;
    int16_t x[1000] = {0};
    arvis_error wait_err, push_err, end_err;
    int create_rc = arvis_playback_create(&o, &pb, NULL);
    int push_rc = create_rc == ARVIS_OK ? arvis_playback_push(pb, x, 1000, RATE, NULL) : -1;
    int mark_rc = create_rc == ARVIS_OK ? arvis_playback_mark(pb, 1) : -1;
    int finish_rc = create_rc == ARVIS_OK ? arvis_playback_finish(pb) : -1;
    int wait_rc = create_rc == ARVIS_OK ? arvis_playback_wait(pb, &wait_err) : -1;
    int again_rc = create_rc == ARVIS_OK ? arvis_playback_push(pb, x, 1000, RATE, &push_err) : -1;
    int end_rc = arvis_playback_destroy(pb, &end_err);
    atu_stdout_restore(&out);
    assert_int_equal(create_rc, ARVIS_OK);
    assert_int_equal(push_rc, ARVIS_OK);
    assert_int_equal(mark_rc, ARVIS_OK);
    assert_int_equal(finish_rc, ARVIS_OK);
    char want[256];
    snprintf(want, sizeof want, "%s; there is no other sink to play on", CLOSED);
    assert_int_equal(wait_rc, ARVIS_E_IO);
    assert_string_equal(wait_err.msg, want);
    assert_string_equal(atu_text(&l), "E"); /* never started, and the mark was never reached */
    assert_string_equal(l.message, want);
    assert_string_equal(l.sink, "(none)");
    assert_int_equal(again_rc, ARVIS_E_IO);
    assert_string_equal(push_err.msg, want);
    assert_int_equal(end_rc, ARVIS_E_IO);
    assert_string_equal(end_err.msg, want);
    atu_log_free(&l);
}

/* A reader that never reads: the playback waits on a full pipe, and a stop still ends it. */
static void test_stop_ends_a_write_to_a_full_pipe(void **state)
{
    (void)state;
    struct atu_log l;
    atu_log_init(&l);
    struct atu_stdout out;
    assert_int_equal(atu_stdout_to_pipe(&out), 0);
    size_t n = (size_t)fcntl(out.read_fd, F_GETPIPE_SZ) * 2; /* four times what the pipe holds */
    int16_t *x = atu_constant(n, 1);
    static const char *const sinks[] = {"stdout", NULL};
    arvis_playback_options o = {
        .sinks = sinks, .sink = {.rate = RATE}, .cb = atu_event_cb, .ud = &l};
    arvis_playback *pb = NULL;
    int create_rc = arvis_playback_create(&o, &pb, NULL);
    int push_rc = create_rc == ARVIS_OK ? arvis_playback_push(pb, x, n, RATE, NULL) : -1;
    if (push_rc == ARVIS_OK) {
        /* Stop once the pipe is full: the writer then waits for a reader that never comes. */
        struct pollfd full = {.fd = STDOUT_FILENO, .events = POLLOUT};
        while (poll(&full, 1, 0) == 1) {
            arvis_clock_sleep_ms(1);
        }
        arvis_playback_stop(pb);
    }
    atu_stdout_restore(&out);
    close(out.read_fd);
    assert_int_equal(create_rc, ARVIS_OK);
    assert_int_equal(push_rc, ARVIS_OK);
    assert_string_equal(atu_text(&l), "S X");
    assert_int_equal(arvis_playback_destroy(pb, NULL), ARVIS_OK);
    free(x);
    atu_log_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_sink_hands_the_rest_to_the_next),
        cmocka_unit_test(test_no_sink_left_is_an_error_for_wait),
        cmocka_unit_test(test_stop_ends_a_write_to_a_full_pipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
