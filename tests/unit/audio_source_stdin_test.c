/* The stdin source with a pipe on standard input: little-endian samples come through as
 * written, a half sample at the end is dropped, other rates are converted, a terminal is
 * refused, and a cancel from another thread ends a read that waits for data never coming. */
#define _XOPEN_SOURCE 700 /* posix_openpt */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include "arvis/audio.h"
#include "audio_source_test_util.h"
#include "audio_test_util.h"
#include "test_util.h"

enum {
    RATE = 16000,
    SAMPLES = 3000, /* fits a pipe's buffer, so the test writes it all before reading */
    LENGTH_TOLERANCE = 16,
};

/* Standard input read from a pipe; saved is the real one, write_fd the pipe's other end. */
struct piped_stdin {
    int saved;
    int write_fd;
};

static void stdin_from_pipe(struct piped_stdin *p)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    p->saved = dup(STDIN_FILENO);
    assert_true(p->saved >= 0);
    assert_true(dup2(fds[0], STDIN_FILENO) >= 0);
    close(fds[0]);
    p->write_fd = fds[1];
}

static void stdin_restore(struct piped_stdin *p)
{
    if (p->write_fd >= 0) {
        close(p->write_fd);
    }
    dup2(p->saved, STDIN_FILENO);
    close(p->saved);
}

/* Writes the samples as little-endian bytes, plus extra bytes after them. */
static void write_le(int fd, const int16_t *x, size_t n, const char *extra, size_t extra_n)
{
    unsigned char *b = malloc(n * 2 + extra_n);
    for (size_t i = 0; i < n; i++) {
        b[2 * i] = (unsigned char)((uint16_t)x[i] & 0xff);
        b[2 * i + 1] = (unsigned char)((uint16_t)x[i] >> 8);
    }
    memcpy(b + n * 2, extra, extra_n);
    assert_int_equal(write(fd, b, n * 2 + extra_n), (ssize_t)(n * 2 + extra_n));
    free(b);
}

static void test_samples_come_through_and_a_half_sample_is_dropped(void **state)
{
    (void)state;
    struct piped_stdin p;
    stdin_from_pipe(&p);
    int16_t *x = atu_sine(SAMPLES, RATE, 440.0, 0.5);
    x[0] = 0x1234;
    x[1] = -2;
    write_le(p.write_fd, x, SAMPLES, "\x7f", 1);
    close(p.write_fd);
    p.write_fd = -1;
    arvis_source_options o = {0};
    arvis_source *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_source_open("stdin", &o, &s, &err), ARVIS_OK);
    arvis_source_info info;
    arvis_source_get_info(s, &info);
    assert_int_equal(info.rate, RATE);
    assert_int_equal(info.channels, 1);
    assert_string_equal(info.format, "raw s16le");
    assert_int_equal(info.frames, -1);
    int16_t *y;
    size_t n;
    assert_int_equal(astu_read_all(s, &y, &n, &err), ARVIS_OK);
    assert_int_equal(n, SAMPLES);
    assert_memory_equal(y, x, n * sizeof *y);
    assert_false(arvis_source_truncated(s));
    arvis_source_close(s);
    free(x);
    free(y);
    stdin_restore(&p);
}

/* Read one byte at a time, a sample split across two reads still comes out whole. */
static void test_a_sample_split_between_reads_is_joined(void **state)
{
    (void)state;
    struct piped_stdin p;
    stdin_from_pipe(&p);
    arvis_source_options o = {0};
    arvis_source *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_source_open("stdin", &o, &s, &err), ARVIS_OK);
    int16_t got[4];
    size_t n = 0;
    assert_int_equal(write(p.write_fd, "\x34", 1), 1);
    assert_int_equal(write(p.write_fd, "\x12\x78", 2), 2);
    assert_int_equal(arvis_source_read(s, got, 4, &n, &err), ARVIS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(got[0], 0x1234);
    assert_int_equal(write(p.write_fd, "\x56", 1), 1);
    close(p.write_fd);
    p.write_fd = -1;
    assert_int_equal(arvis_source_read(s, got, 4, &n, &err), ARVIS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(got[0], 0x5678);
    assert_int_equal(arvis_source_read(s, got, 4, &n, &err), ARVIS_OK);
    assert_int_equal(n, 0);
    arvis_source_close(s);
    stdin_restore(&p);
}

static void test_other_input_rate_is_converted(void **state)
{
    (void)state;
    struct piped_stdin p;
    stdin_from_pipe(&p);
    int16_t *x = atu_sine(SAMPLES, 8000, 440.0, 0.5);
    write_le(p.write_fd, x, SAMPLES, "", 0);
    close(p.write_fd);
    p.write_fd = -1;
    arvis_source_options o = {.in_rate = 8000};
    arvis_source *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_source_open("stdin", &o, &s, &err), ARVIS_OK);
    assert_int_equal(arvis_source_rate(s), RATE);
    int16_t *y;
    size_t n;
    assert_int_equal(astu_read_all(s, &y, &n, &err), ARVIS_OK);
    assert_true(n + LENGTH_TOLERANCE >= 2 * SAMPLES && n <= 2 * SAMPLES + LENGTH_TOLERANCE);
    arvis_source_close(s);
    free(x);
    free(y);
    o.in_rate = 500;
    assert_int_equal(arvis_source_open("stdin", &o, &s, &err), ARVIS_E_INVAL);
    assert_string_equal(err.msg,
                        "cannot read standard input at 500 Hz: rates go from 8000 to 192000 Hz");
    stdin_restore(&p);
}

static void test_terminal_is_refused(void **state)
{
    (void)state;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    int tty = open(ptsname(master), O_RDWR | O_NOCTTY);
    assert_true(tty >= 0);
    int saved = dup(STDIN_FILENO);
    assert_true(dup2(tty, STDIN_FILENO) >= 0);
    arvis_source_options o = {0};
    arvis_source *s = NULL;
    arvis_error err;
    int rc = arvis_source_open("stdin", &o, &s, &err);
    dup2(saved, STDIN_FILENO);
    close(saved);
    close(tty);
    close(master);
    assert_int_equal(rc, ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "standard input is a terminal: pipe raw audio into it"));
    assert_null(s);
}

struct reader {
    arvis_source *s;
    atomic_bool started;
    int rc;
    size_t n;
};

static void *read_thread(void *ud)
{
    struct reader *r = ud;
    int16_t buf[64];
    arvis_error err;
    atomic_store(&r->started, true);
    r->rc = arvis_source_read(r->s, buf, 64, &r->n, &err);
    return NULL;
}

/* Nothing ever comes down the pipe (its writing end stays open): the read waits until another
 * thread cancels. Whether the cancel lands before or during the read, the answer is the same. */
static void test_cancel_from_another_thread_ends_a_waiting_read(void **state)
{
    (void)state;
    struct piped_stdin p;
    stdin_from_pipe(&p);
    arvis_source_options o = {.in_rate = 8000};
    struct reader r = {.rc = ARVIS_OK, .n = 1};
    arvis_error err;
    assert_int_equal(arvis_source_open("stdin", &o, &r.s, &err), ARVIS_OK);
    atomic_init(&r.started, false);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, read_thread, &r), 0);
    while (!atomic_load(&r.started)) {
        sched_yield();
    }
    arvis_source_cancel(r.s);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(r.rc, ARVIS_E_CANCELLED);
    assert_int_equal(r.n, 0);
    arvis_source_close(r.s);
    stdin_restore(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples_come_through_and_a_half_sample_is_dropped),
        cmocka_unit_test(test_a_sample_split_between_reads_is_joined),
        cmocka_unit_test(test_other_input_rate_is_converted),
        cmocka_unit_test(test_terminal_is_refused),
        cmocka_unit_test(test_cancel_from_another_thread_ends_a_waiting_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
