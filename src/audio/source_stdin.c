/* The "stdin" source: raw signed 16-bit little-endian mono PCM from standard input (a pipe from
 * arecord, parec or another program), waited on with poll so a cancel is seen within ~20 ms. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio_internal.h"

enum {
    /* How often a read that waits for input looks at the cancel flag. */
    CANCEL_POLL_MS = 20,
    SAMPLE_BYTES = 2,
};

struct stdin_source {
    int fd;
    bool carry_held; /* the first byte of a sample whose second byte has not come yet */
    unsigned char carry;
};

static int stdin_open(const arvis_source_options *o, void **state, arvis_source_info *info,
                      arvis_error *err)
{
    int in_rate = o->in_rate ? o->in_rate : o->rate;
    if (in_rate < AUDIO_RATE_MIN || in_rate > AUDIO_RATE_MAX) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "cannot read standard input at %d Hz: rates go from %d to %d Hz",
                               in_rate, AUDIO_RATE_MIN, AUDIO_RATE_MAX);
    }
    if (isatty(STDIN_FILENO)) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "standard input is a terminal: pipe raw audio into it, as in "
                               "`arecord -t raw -f S16_LE -c 1 -r %d | ...`",
                               in_rate);
    }
    struct stdin_source *s = calloc(1, sizeof *s);
    if (!s) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    s->fd = STDIN_FILENO;
    *info =
        (arvis_source_info){.rate = in_rate, .channels = 1, .format = "raw s16le", .frames = -1};
    *state = s;
    return ARVIS_OK;
}

/* Waits until fd has something to read (or has ended), looking at cancel every
 * CANCEL_POLL_MS. */
static int wait_readable(int fd, const atomic_bool *cancel, arvis_error *err)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    for (;;) {
        if (atomic_load(cancel)) {
            return arvis_error_set(err, ARVIS_E_CANCELLED, "stopped");
        }
        int n = poll(&p, 1, CANCEL_POLL_MS);
        if (n > 0) {
            return ARVIS_OK; /* data, end or failure: the read says which */
        }
        if (n < 0 && errno != EINTR) {
            return arvis_error_errno(err, errno, "cannot wait for audio on standard input");
        }
    }
}

/* Byte pairs in little-endian order as native samples. */
static void from_le(int16_t *x, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    for (size_t i = 0; i < n; i++) {
        uint16_t v = (uint16_t)x[i];
        x[i] = (int16_t)(uint16_t)(v << 8 | v >> 8);
    }
#else
    (void)x;
    (void)n;
#endif
}

static int stdin_read(void *state, int16_t *buf, size_t max, size_t *n, const atomic_bool *cancel,
                      arvis_error *err)
{
    struct stdin_source *s = state;
    unsigned char *bytes = (unsigned char *)buf;
    *n = 0;
    for (;;) {
        int rc = wait_readable(s->fd, cancel, err);
        if (rc != ARVIS_OK) {
            return rc;
        }
        size_t have = s->carry_held ? 1 : 0;
        bytes[0] = s->carry;
        ssize_t got = read(s->fd, bytes + have, max * SAMPLE_BYTES - have);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (got < 0) {
            return arvis_error_errno(err, errno, "cannot read audio from standard input");
        }
        if (got == 0) {
            return ARVIS_OK; /* the end; half a sample left over is dropped */
        }
        size_t total = have + (size_t)got;
        s->carry_held = total % SAMPLE_BYTES != 0;
        s->carry = s->carry_held ? bytes[total - 1] : 0;
        *n = total / SAMPLE_BYTES;
        if (*n > 0) {
            from_le(buf, *n);
            return ARVIS_OK;
        }
    }
}

static void stdin_close(void *state)
{
    free(state); /* standard input is the process's, not the source's */
}

const struct audio_source_ops audio_source_stdin_ops = {
    .name = "stdin",
    .open = stdin_open,
    .read = stdin_read,
    .truncated = NULL,
    .close = stdin_close,
};
