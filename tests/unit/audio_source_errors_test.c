/* Files that are not sound, or not whole: each is refused with its code and one sentence naming
 * it, or (cut short, or with a header that lies about the length) read as far as it goes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arvis/audio.h"
#include "audio_source_test_util.h"
#include "test_util.h"

enum {
    RATE = 16000,
    NOBODY = 65534,
    WAV_HEADER = 44,      /* what libsndfile writes before the samples of a plain WAV */
    OFFSET_CHANNELS = 22, /* in that header */
    OFFSET_RATE = 24,
    OFFSET_DATA_SIZE = 40,
    NOISE_BYTES = 5000,
    NOISE_SEED = 12345,
};

/* A second of a 440 Hz tone, 16-bit mono WAV. */
static const char *tone(const char *dir, const char *name)
{
    const char *path = tu_path(dir, name);
    assert_int_equal(astu_write_tone(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, RATE, RATE), 0);
    return path;
}

static void patch(const char *path, long offset, const void *bytes, size_t n)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, bytes, n, offset), (ssize_t)n);
    close(fd);
}

static void patch32(const char *path, long offset, uint32_t v)
{
    unsigned char b[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24};
    patch(path, offset, b, sizeof b);
}

/* Opening path fails with code, and the message names the file and contains words. */
static void refused(const char *path, int code, const char *words)
{
    arvis_source_options o = {.path = path};
    arvis_source *s = NULL;
    arvis_error err;
    int rc = arvis_source_open("file", &o, &s, &err);
    if (rc != code || !strstr(err.msg, path) || !strstr(err.msg, words)) {
        fail_msg("%s: got %d \"%s\", want %d with \"%s\"", path, rc, err.msg, code, words);
    }
    assert_null(s);
}

static void test_missing_folder_empty_and_pipe_are_refused(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    refused(tu_path(dir, "missing.wav"), ARVIS_E_NOTFOUND,
            "No such file or directory: check the path");
    refused(dir, ARVIS_E_INVAL, "is a folder, not a sound file: give a WAV, FLAC or OGG");
    const char *empty = tu_path(dir, "empty.wav");
    tu_write(empty, "", 0);
    refused(empty, ARVIS_E_PARSE, "is empty, not a sound file");
    const char *fifo = tu_path(dir, "fifo.wav");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    refused(fifo, ARVIS_E_INVAL, "is a device or pipe, not a sound file");
    arvis_source_options o = {0};
    arvis_source *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_source_open("file", &o, &s, &err), ARVIS_E_INVAL);
    assert_string_equal(err.msg,
                        "the file source needs a path: give one, as in `arvis listen FILE.wav`");
    tu_rmtree(dir);
}

static void test_text_and_noise_are_not_sound(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *text = tu_path(dir, "notes.wav");
    tu_write(text, "Remember to buy milk.\nCall Anna at five.\n", -1);
    refused(text, ARVIS_E_PARSE, "is not a sound file (it looks like text): give a WAV");
    const char *html = tu_path(dir, "page.wav");
    tu_write(html, "<!DOCTYPE html><html><body>Not found — désolé</body></html>", -1);
    refused(html, ARVIS_E_PARSE, "(it looks like text)");
    static char noise[NOISE_BYTES];
    srand(NOISE_SEED);
    for (size_t i = 0; i < sizeof noise; i++) {
        noise[i] = (char)(rand() & 0xff);
    }
    const char *random = tu_path(dir, "noise.wav");
    tu_write(random, noise, sizeof noise);
    refused(random, ARVIS_E_PARSE, "is not a sound file Arvis can read: ");
    tu_rmtree(dir);
}

static void test_header_with_no_channels_or_absurd_rate_is_refused(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *none = tone(dir, "none.wav");
    uint16_t zero = 0;
    patch(none, OFFSET_CHANNELS, &zero, sizeof zero);
    refused(none, ARVIS_E_PARSE, "is not a sound file Arvis can read: Channel count is zero");
    const char *fast = tone(dir, "fast.wav");
    patch32(fast, OFFSET_RATE, 1000000000u);
    refused(fast, ARVIS_E_PARSE, "says its rate is 1000000000 Hz, outside the 8000 to 192000 Hz");
    const char *slow = tone(dir, "slow.wav");
    patch32(slow, OFFSET_RATE, 4000u);
    refused(slow, ARVIS_E_PARSE, "says its rate is 4000 Hz");
    tu_rmtree(dir);
}

/* In a child without root's rights (root reads anything): a file only its owner may read. */
static void test_unreadable_file_says_so(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    assert_int_equal(chmod(dir, 0755), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s", tone(dir, "private.wav"));
    assert_int_equal(chmod(path, 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        bool root = geteuid() == 0;
        if (root && (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)) {
            _exit(3);
        }
        if (!root && chmod(path, 0) != 0) {
            _exit(4);
        }
        arvis_source_options o = {.path = path};
        arvis_source *s = NULL;
        arvis_error err;
        int rc = arvis_source_open("file", &o, &s, &err);
        char want[4400];
        snprintf(want, sizeof want,
                 "cannot read %s: Permission denied: make it readable (chmod +r) or give another "
                 "file",
                 path);
        if (rc != ARVIS_E_PERM || strcmp(err.msg, want) != 0) {
            fprintf(stderr, "got %d: %s\n", rc, err.msg);
            _exit(1);
        }
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    tu_rmtree(dir);
}

/* Cuts the file at path to len bytes. */
static void cut(const char *path, off_t len)
{
    assert_int_equal(truncate(path, len), 0);
}

static void test_cut_wav_gives_what_is_there_and_says_so(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tone(dir, "cut.wav");
    cut(path, WAV_HEADER + RATE); /* half the samples */
    int16_t *x;
    size_t n;
    arvis_source_info info;
    bool truncated = false;
    arvis_error err;
    assert_int_equal(astu_read_file(path, &x, &n, &info, &truncated, &err), ARVIS_OK);
    assert_int_equal(n, RATE / 2);
    assert_int_equal(info.frames, RATE);
    assert_true(truncated);
    free(x);
    const char *whole = tone(dir, "whole.wav");
    assert_int_equal(astu_read_file(whole, &x, &n, &info, &truncated, &err), ARVIS_OK);
    assert_int_equal(n, RATE);
    assert_false(truncated);
    free(x);
    tu_rmtree(dir);
}

static void test_cut_flac_gives_what_is_there_and_says_so(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "cut.flac");
    assert_int_equal(astu_write_tone(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1, RATE, RATE), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    cut(path, st.st_size / 2);
    int16_t *x;
    size_t n;
    bool truncated = false;
    arvis_error err;
    assert_int_equal(astu_read_file(path, &x, &n, NULL, &truncated, &err), ARVIS_OK);
    assert_true(n > 0 && n < RATE);
    assert_true(truncated);
    free(x);
    tu_rmtree(dir);
}

/* A streaming writer's 0xFFFFFFFF, or any length past the end: read to the real end. */
static void test_lying_lengths_read_to_the_real_end(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *unknown = tone(dir, "unknown.wav");
    patch32(unknown, OFFSET_DATA_SIZE, 0xFFFFFFFFu);
    patch32(unknown, 4, 0xFFFFFFFFu);
    int16_t *x;
    size_t n;
    bool truncated = true;
    arvis_error err;
    assert_int_equal(astu_read_file(unknown, &x, &n, NULL, &truncated, &err), ARVIS_OK);
    assert_int_equal(n, RATE);
    assert_false(truncated); /* it never said how long it was */
    free(x);
    const char *longer = tone(dir, "longer.wav");
    patch32(longer, OFFSET_DATA_SIZE, 10u * RATE);
    assert_int_equal(astu_read_file(longer, &x, &n, NULL, &truncated, &err), ARVIS_OK);
    assert_int_equal(n, RATE);
    assert_true(truncated); /* it promised five seconds */
    free(x);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_folder_empty_and_pipe_are_refused),
        cmocka_unit_test(test_text_and_noise_are_not_sound),
        cmocka_unit_test(test_header_with_no_channels_or_absurd_rate_is_refused),
        cmocka_unit_test(test_unreadable_file_says_so),
        cmocka_unit_test(test_cut_wav_gives_what_is_there_and_says_so),
        cmocka_unit_test(test_cut_flac_gives_what_is_there_and_says_so),
        cmocka_unit_test(test_lying_lengths_read_to_the_real_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
