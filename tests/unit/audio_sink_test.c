/* Sinks: the registry and its refusals, WAV files written whole or not at all, raw PCM on
 * standard output into a pipe (and a pipe that closes), and volume. */
#define _XOPEN_SOURCE 700 /* lstat, symlink, posix_openpt */
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arvis/audio.h"
#include "arvis/file.h"
#include "audio_test_util.h"
#include "test_util.h"

enum { NOBODY = 65534 };

static arvis_sink *open_file(const char *path, int rate, double volume)
{
    arvis_sink_options o = {.path = path, .rate = rate, .volume = volume};
    arvis_sink *s = NULL;
    arvis_error err;
    int rc = arvis_sink_open("file", &o, &s, &err);
    if (rc != ARVIS_OK) {
        fail_msg("cannot open the file sink: %s", err.msg);
    }
    return s;
}

static void test_names_list_every_sink(void **state)
{
    (void)state;
    const char *const *names = arvis_sink_names();
    bool file = false, out = false, null = false;
    size_t n = 0;
    for (; names[n]; n++) {
        file = file || strcmp(names[n], "file") == 0;
        out = out || strcmp(names[n], "stdout") == 0;
        null = null || strcmp(names[n], "null") == 0;
    }
    assert_true(file && out && null);
    assert_in_range(n, 3, 4); /* and pulse, when built with it */
}

static void test_unknown_sink_names_the_known_ones(void **state)
{
    (void)state;
    arvis_sink_options o = {.rate = 16000};
    arvis_sink *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_sink_open("speaker", &o, &s, &err), ARVIS_E_NOTFOUND);
    assert_null(s);
    assert_non_null(strstr(err.msg, "no audio sink called \"speaker\": this build has "));
    assert_non_null(strstr(err.msg, "file, stdout, null"));
    o.rate = 4000;
    assert_int_equal(arvis_sink_open("null", &o, &s, &err), ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "4000 Hz"));
    o.rate = 16000;
    o.volume = 1.5;
    assert_int_equal(arvis_sink_open("null", &o, &s, &err), ARVIS_E_INVAL);
    assert_string_equal(err.msg, "volume 1.5 is outside 0 to 1");
}

static void test_null_sink_counts_what_it_discards(void **state)
{
    (void)state;
    arvis_sink_options o = {.rate = 8000};
    arvis_sink *s = NULL;
    assert_int_equal(arvis_sink_open("null", &o, &s, NULL), ARVIS_OK);
    int16_t x[100] = {0};
    assert_int_equal(arvis_sink_write(s, x, 100, NULL), ARVIS_OK);
    assert_int_equal(arvis_sink_write(s, x, 30, NULL), ARVIS_OK);
    assert_int_equal(arvis_sink_samples(s), 130);
    assert_string_equal(arvis_sink_name(s), "null");
    assert_int_equal(arvis_sink_rate(s), 8000);
    assert_int_equal(arvis_sink_drain(s, NULL), ARVIS_OK);
    assert_int_equal(arvis_sink_close(s, NULL), ARVIS_OK);
}

static void test_wav_is_written_whole_on_close(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "out.wav");
    size_t n = 11025;
    int16_t *x = atu_sine(n, 22050, 440.0, 0.7);
    arvis_sink *s = open_file(path, 22050, 0);
    assert_int_equal(arvis_sink_write(s, x, 5000, NULL), ARVIS_OK);
    assert_int_equal(arvis_sink_write(s, x + 5000, n - 5000, NULL), ARVIS_OK);
    assert_int_equal(arvis_sink_samples(s), n);
    assert_false(arvis_file_exists(path)); /* nothing at the path until it is complete */
    assert_int_equal(arvis_sink_close(s, NULL), ARVIS_OK);
    SF_INFO info;
    int16_t *y = atu_read_wav(path, &info);
    assert_non_null(y);
    assert_int_equal(info.samplerate, 22050);
    assert_int_equal(info.channels, 1);
    assert_int_equal(info.frames, n);
    assert_int_equal(info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    assert_memory_equal(x, y, n * sizeof *x);
    assert_int_equal(tu_count_entries(dir), 1); /* no temporary file, no .bak */
    free(x);
    free(y);
    tu_rmtree(dir);
}

static void test_existing_file_is_replaced_only_on_close(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "out.wav");
    tu_write(path, "old", -1);
    chmod(path, 0640);
    int16_t x[] = {1, 2, 3};
    arvis_sink *s = open_file(path, 16000, 0);
    assert_int_equal(arvis_sink_write(s, x, 3, NULL), ARVIS_OK);
    char *old = tu_read(path, NULL);
    assert_string_equal(old, "old");
    free(old);
    assert_int_equal(arvis_sink_close(s, NULL), ARVIS_OK);
    SF_INFO info;
    int16_t *y = atu_read_wav(path, &info);
    assert_non_null(y);
    assert_int_equal(info.frames, 3);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640); /* the file it replaced kept its mode */
    assert_int_equal(tu_count_entries(dir), 1);
    free(y);
    tu_rmtree(dir);
}

static void test_abort_leaves_nothing_behind(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    int16_t x[64] = {0};
    arvis_sink *s = open_file(tu_path(dir, "new.wav"), 16000, 0);
    assert_int_equal(arvis_sink_write(s, x, 64, NULL), ARVIS_OK);
    arvis_sink_abort(s);
    assert_int_equal(tu_count_entries(dir), 0);
    const char *path = tu_path(dir, "kept.wav");
    tu_write(path, "earlier", -1);
    s = open_file(path, 16000, 0);
    assert_int_equal(arvis_sink_write(s, x, 64, NULL), ARVIS_OK);
    arvis_sink_abort(s);
    char *text = tu_read(path, NULL);
    assert_string_equal(text, "earlier");
    free(text);
    assert_int_equal(tu_count_entries(dir), 1);
    arvis_sink_abort(NULL);
    tu_rmtree(dir);
}

static void test_missing_folder_fails_at_open(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/no/such/out.wav", dir);
    arvis_sink_options o = {.path = path, .rate = 16000};
    arvis_sink *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_sink_open("file", &o, &s, &err), ARVIS_E_IO);
    char want[4400];
    snprintf(want, sizeof want,
             "cannot write %s: No such file or directory: choose another --out path", path);
    assert_string_equal(err.msg, want);
    assert_null(s);
    tu_rmtree(dir);
}

/* In a child without root's rights (root may write anywhere): a folder it cannot write to. */
static void test_unwritable_folder_says_what_to_do(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    assert_int_equal(chmod(dir, 0755), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/out.wav", dir);
    char want[4400];
    snprintf(want, sizeof want, "cannot write %s: Permission denied: choose another --out path",
             path);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        bool root = geteuid() == 0;
        if (root && (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)) {
            _exit(3);
        }
        if (!root && chmod(dir, 0555) != 0) {
            _exit(4);
        }
        arvis_sink_options o = {.path = path, .rate = 16000};
        arvis_sink *s = NULL;
        arvis_error err;
        int rc = arvis_sink_open("file", &o, &s, &err);
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
    chmod(dir, 0700);
    tu_rmtree(dir);
}

static void test_folders_and_devices_are_not_replaced(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    arvis_sink_options o = {.path = dir, .rate = 16000};
    arvis_sink *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_sink_open("file", &o, &s, &err), ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "it is a folder, not a file: choose another --out path"));
    o.path = "/dev/null";
    assert_int_equal(arvis_sink_open("file", &o, &s, &err), ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "it is a device or pipe"));
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    o.path = NULL;
    assert_int_equal(arvis_sink_open("file", &o, &s, &err), ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "--out"));
    tu_rmtree(dir);
}

static void test_a_symbolic_link_is_followed_and_kept(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char target[4200], link_path[4200];
    snprintf(target, sizeof target, "%s/real.wav", dir);
    snprintf(link_path, sizeof link_path, "%s/link.wav", dir);
    tu_write(target, "old", -1);
    assert_int_equal(symlink("real.wav", link_path), 0);
    int16_t x[] = {4, 5, 6, 7};
    arvis_sink *s = open_file(link_path, 16000, 0);
    assert_int_equal(arvis_sink_write(s, x, 4, NULL), ARVIS_OK);
    assert_int_equal(arvis_sink_close(s, NULL), ARVIS_OK);
    struct stat st;
    assert_int_equal(lstat(link_path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    SF_INFO info;
    int16_t *y = atu_read_wav(target, &info);
    assert_non_null(y);
    assert_memory_equal(y, x, sizeof x);
    assert_int_equal(tu_count_entries(dir), 2);
    free(y);
    tu_rmtree(dir);
}

static void test_volume_scales_the_samples(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "v.wav");
    int16_t x[] = {1000, -1000, 30000, -30000, 8, 0};
    arvis_sink *s = open_file(path, 16000, 0.5);
    assert_int_equal(arvis_sink_write(s, x, 6, NULL), ARVIS_OK);
    assert_int_equal(arvis_sink_samples(s), 6);
    assert_int_equal(arvis_sink_close(s, NULL), ARVIS_OK);
    SF_INFO info;
    int16_t *y = atu_read_wav(path, &info);
    int16_t want[] = {500, -500, 15000, -15000, 4, 0};
    assert_non_null(y);
    assert_memory_equal(y, want, sizeof want);
    free(y);
    s = open_file(path, 16000, 0); /* 0: unset, full volume */
    assert_int_equal(arvis_sink_write(s, x, 6, NULL), ARVIS_OK);
    assert_int_equal(arvis_sink_close(s, NULL), ARVIS_OK);
    y = atu_read_wav(path, &info);
    assert_non_null(y);
    assert_memory_equal(y, x, sizeof x);
    free(y);
    tu_rmtree(dir);
}

static void test_stdout_sink_writes_s16le_into_a_pipe(void **state)
{
    (void)state;
    enum { N = 3000 };
    int16_t x[N];
    for (int i = 0; i < N; i++) {
        x[i] = (int16_t)(i * 17 - 20000);
    }
    struct atu_stdout r;
    assert_int_equal(atu_stdout_to_pipe(&r), 0);
    arvis_sink_options o = {.rate = 16000};
    arvis_sink *s = NULL;
    int open_rc = arvis_sink_open("stdout", &o, &s, NULL);
    int write_rc = open_rc == ARVIS_OK ? arvis_sink_write(s, x, N, NULL) : open_rc;
    uint64_t written = s ? arvis_sink_samples(s) : 0;
    int close_rc = arvis_sink_close(s, NULL);
    atu_stdout_restore(&r);
    unsigned char bytes[2 * N + 1];
    size_t got = atu_read_all(r.read_fd, bytes, sizeof bytes);
    close(r.read_fd);
    assert_int_equal(open_rc, ARVIS_OK);
    assert_int_equal(write_rc, ARVIS_OK);
    assert_int_equal(close_rc, ARVIS_OK);
    assert_int_equal(written, N);
    assert_int_equal(got, 2 * N);
    for (int i = 0; i < N; i++) {
        assert_int_equal((int16_t)(bytes[2 * i] | bytes[2 * i + 1] << 8), x[i]);
    }
}

/* Raw audio would garble a terminal: the sink says to pipe it into a player instead. */
static void test_stdout_sink_refuses_a_terminal(void **state)
{
    (void)state;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    int tty = open(ptsname(master), O_RDWR | O_NOCTTY);
    assert_true(tty >= 0);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    dup2(tty, STDOUT_FILENO);
    arvis_sink_options o = {.rate = 22050};
    arvis_sink *s = NULL;
    arvis_error err;
    int rc = arvis_sink_open("stdout", &o, &s, &err);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(tty);
    close(master);
    assert_int_equal(rc, ARVIS_E_INVAL);
    assert_null(s);
    assert_string_equal(err.msg, "standard output is a terminal: pipe it into a player, as in "
                                 "`... | aplay -t raw -f S16_LE -c 1 -r 22050`");
}

static void test_closed_pipe_is_an_error_not_a_death(void **state)
{
    (void)state;
    int16_t x[512] = {0};
    struct atu_stdout r;
    assert_int_equal(atu_stdout_to_pipe(&r), 0);
    close(r.read_fd); /* the player went away */
    arvis_sink_options o = {.rate = 16000};
    arvis_sink *s = NULL;
    arvis_error first, again, closed;
    int open_rc = arvis_sink_open("stdout", &o, &s, NULL);
    int rc1 = open_rc == ARVIS_OK ? arvis_sink_write(s, x, 512, &first) : open_rc;
    int rc2 = open_rc == ARVIS_OK ? arvis_sink_write(s, x, 512, &again) : open_rc;
    int close_rc = arvis_sink_close(s, &closed);
    atu_stdout_restore(&r);
    sigset_t pending;
    sigpending(&pending);
    assert_int_equal(open_rc, ARVIS_OK);
    assert_int_equal(rc1, ARVIS_E_IO);
    assert_string_equal(first.msg, "standard output was closed while playing (the program "
                                   "reading the audio ended)");
    assert_int_equal(rc2, ARVIS_E_IO); /* a failed sink stays failed */
    assert_string_equal(again.msg, first.msg);
    assert_int_equal(close_rc, ARVIS_E_IO);
    assert_string_equal(closed.msg, first.msg);
    assert_false(sigismember(&pending, SIGPIPE)); /* taken back, not left for later */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_list_every_sink),
        cmocka_unit_test(test_unknown_sink_names_the_known_ones),
        cmocka_unit_test(test_null_sink_counts_what_it_discards),
        cmocka_unit_test(test_wav_is_written_whole_on_close),
        cmocka_unit_test(test_existing_file_is_replaced_only_on_close),
        cmocka_unit_test(test_abort_leaves_nothing_behind),
        cmocka_unit_test(test_missing_folder_fails_at_open),
        cmocka_unit_test(test_unwritable_folder_says_what_to_do),
        cmocka_unit_test(test_folders_and_devices_are_not_replaced),
        cmocka_unit_test(test_a_symbolic_link_is_followed_and_kept),
        cmocka_unit_test(test_volume_scales_the_samples),
        cmocka_unit_test(test_stdout_sink_writes_s16le_into_a_pipe),
        cmocka_unit_test(test_stdout_sink_refuses_a_terminal),
        cmocka_unit_test(test_closed_pipe_is_an_error_not_a_death),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
