/* The "stdout" sink: raw signed 16-bit little-endian PCM on standard output, for a pipe into a
 * player (aplay -t raw -f S16_LE -c 1 -r RATE). A reader that goes away is an error, not a death.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include "audio_internal.h"

enum {
    /* How often a write that waits for a slow reader looks at the stop flag. */
    CANCEL_POLL_MS = 20,
    /* Bytes written at once: up to PIPE_BUF a write to a pipe that poll called writable never
     * blocks, so the stop flag is seen between pieces. */
    WRITE_PIECE = 4096,
    SWAP_BLOCK = 2048, /* samples byte-swapped at once on big-endian machines */
};

struct stdout_sink {
    int fd;
};

static int stdout_open(const arvis_sink_options *o, void **state, arvis_error *err)
{
    if (isatty(STDOUT_FILENO)) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "standard output is a terminal: pipe it into a player, as in "
                               "`... | aplay -t raw -f S16_LE -c 1 -r %d`",
                               o->rate);
    }
    struct stdout_sink *s = malloc(sizeof *s);
    if (!s) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    s->fd = STDOUT_FILENO;
    *state = s;
    return ARVIS_OK;
}

/* Waits until fd takes more, looking at cancel every CANCEL_POLL_MS. */
static int wait_writable(int fd, const atomic_bool *cancel)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    for (;;) {
        if (cancel && atomic_load(cancel)) {
            return ARVIS_E_CANCELLED;
        }
        int n = poll(&p, 1, CANCEL_POLL_MS);
        if (n > 0 || (n < 0 && errno != EINTR)) {
            return ARVIS_OK; /* ready, closed or failed: the write says which */
        }
    }
}

/* Writes everything, or returns -errno (-ECANCELED when cancel was set meanwhile).
 * SIGPIPE is blocked around it in this thread only: a write to a pipe whose reader has gone
 * raises SIGPIPE in the writing thread, and its default action would end the whole process.
 * Ignoring it process-wide would change the behaviour of the program Arvis runs in, so the
 * signal the write raised is taken back with sigtimedwait instead, unless one was already
 * pending before (then it belongs to someone else and stays). This is what git and OpenSSL do. */
static int write_bytes(int fd, const char *data, size_t len, const atomic_bool *cancel)
{
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE);
    int result = 0;
    while (len > 0 && result == 0) {
        if (wait_writable(fd, cancel) != ARVIS_OK) {
            result = -ECANCELED;
            break;
        }
        ssize_t n = write(fd, data, len < WRITE_PIECE ? len : WRITE_PIECE);
        if (n < 0 && errno != EINTR && errno != EAGAIN) {
            result = -errno;
        } else if (n > 0) {
            data += n;
            len -= (size_t)n;
        }
    }
    if (result == -EPIPE && !was_pending) {
        static const struct timespec now = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &now) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return result;
}

static int report(int result, arvis_error *err)
{
    if (result == 0) {
        return ARVIS_OK;
    }
    if (result == -ECANCELED) {
        return arvis_error_set(err, ARVIS_E_CANCELLED, "stopped");
    }
    if (result == -EPIPE) {
        return arvis_error_set(err, ARVIS_E_IO,
                               "standard output was closed while playing (the program reading "
                               "the audio ended)");
    }
    return arvis_error_errno(err, -result, "cannot write audio to standard output");
}

static int stdout_write(void *state, const int16_t *pcm, size_t n, const atomic_bool *cancel,
                        arvis_error *err)
{
    struct stdout_sink *s = state;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    uint16_t block[SWAP_BLOCK];
    for (size_t done = 0; done < n;) {
        size_t k = n - done < SWAP_BLOCK ? n - done : SWAP_BLOCK;
        for (size_t i = 0; i < k; i++) {
            uint16_t v = (uint16_t)pcm[done + i];
            block[i] = (uint16_t)(v << 8 | v >> 8);
        }
        int result = write_bytes(s->fd, (const char *)block, k * sizeof *block, cancel);
        if (result != 0) {
            return report(result, err);
        }
        done += k;
    }
    return ARVIS_OK;
#else
    return report(write_bytes(s->fd, (const char *)pcm, n * sizeof *pcm, cancel), err);
#endif
}

static int stdout_nothing(void *state, arvis_error *err)
{
    (void)state;
    (void)err;
    return ARVIS_OK;
}

/* Standard output stays open: it is the process's, not the sink's. */
static int stdout_close(void *state, arvis_error *err)
{
    (void)err;
    free(state);
    return ARVIS_OK;
}

static void stdout_abort(void *state)
{
    free(state);
}

const struct audio_sink_ops audio_sink_stdout_ops = {
    .name = "stdout",
    .open = stdout_open,
    .write = stdout_write,
    .drain = stdout_nothing,
    .flush = stdout_nothing,
    .close = stdout_close,
    .abort = stdout_abort,
};
