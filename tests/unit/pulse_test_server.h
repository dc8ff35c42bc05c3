/* A real PulseAudio server for a test: null output named PTS_SINK, a private socket, no
 * autospawn, started in setup and killed in teardown. A server that cannot start is a failure,
 * with its own output in the message. Include after cmocka and test_util.h. */
#ifndef ARVIS_PULSE_TEST_SERVER_H
#define ARVIS_PULSE_TEST_SERVER_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arvis/audio.h"
#include "arvis/clock.h"

#define PTS_SINK "arvis_test"

enum {
    PTS_START_TIMEOUT_MS = 30000, /* a loaded machine may take a while; a failure says so */
    PTS_START_POLL_MS = 20,
    PTS_PATH_LEN = 1024,
};

struct pts_server {
    pid_t pid;
    char dir[PTS_PATH_LEN];
    char address[2 * PTS_PATH_LEN]; /* unix:<dir>/native */
    char log[2 * PTS_PATH_LEN];
};

static struct pts_server pts;

static void pts_fail(const char *why)
{
    char *log = tu_read(pts.log, NULL);
    fail_msg("cannot start a PulseAudio server for the test (%s); its output:\n%s", why,
             log ? log : "(none)");
}

static void pts_exec(const char *home, const char *run, const char *socket_path)
{
    setenv("HOME", home, 1);
    setenv("XDG_RUNTIME_DIR", run, 1);
    setenv("XDG_CONFIG_HOME", home, 1);
    unsetenv("PULSE_SERVER");
    int fd = open(pts.log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    char module[PTS_PATH_LEN + 64];
    snprintf(module, sizeof module, "module-native-protocol-unix socket=%s auth-anonymous=1",
             socket_path);
    execlp("pulseaudio", "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1",
           "--disable-shm=yes", "--use-pid-file=no", "--realtime=no", "--high-priority=no",
           "--log-target=stderr", "-L", "module-null-sink sink_name=" PTS_SINK, "-L", module,
           (char *)NULL);
    fprintf(stderr, "cannot run pulseaudio\n");
    _exit(127);
}

static int pts_start(void **state)
{
    (void)state;
    snprintf(pts.dir, sizeof pts.dir, "%s", tu_tempdir());
    char home[PTS_PATH_LEN + 8], run[PTS_PATH_LEN + 8], socket_path[PTS_PATH_LEN + 8];
    snprintf(home, sizeof home, "%s/home", pts.dir);
    snprintf(run, sizeof run, "%s/run", pts.dir);
    snprintf(socket_path, sizeof socket_path, "%s/native", pts.dir);
    snprintf(pts.log, sizeof pts.log, "%s/server.log", pts.dir);
    snprintf(pts.address, sizeof pts.address, "unix:%s", socket_path);
    assert_int_equal(mkdir(home, 0700), 0);
    assert_int_equal(mkdir(run, 0700), 0);
    pts.pid = fork();
    assert_true(pts.pid >= 0);
    if (pts.pid == 0) {
        pts_exec(home, run, socket_path);
    }
    /* The client side: a private home for libpulse's cookie, and the server to use. */
    setenv("HOME", home, 1);
    setenv("PULSE_SERVER", pts.address, 1);
    double deadline = arvis_clock_ms() + PTS_START_TIMEOUT_MS;
    while (!arvis_pulse_available(pts.address)) {
        int status = 0;
        if (waitpid(pts.pid, &status, WNOHANG) == pts.pid) {
            pts.pid = 0;
            pts_fail("it exited");
        }
        if (arvis_clock_ms() > deadline) {
            pts_fail("it did not answer within 30 s");
        }
        arvis_clock_sleep_ms(PTS_START_POLL_MS);
    }
    return 0;
}

static int pts_stop(void **state)
{
    (void)state;
    if (pts.pid > 0) {
        kill(pts.pid, SIGKILL);
        waitpid(pts.pid, NULL, 0);
        pts.pid = 0;
    }
    unsetenv("PULSE_SERVER");
    tu_rmtree(pts.dir);
    return 0;
}

#endif
