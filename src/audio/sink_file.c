/* The "file" sink: a 16-bit mono WAV file at the sink's rate, written by libsndfile into a
 * temporary file beside the target and moved into place on close, never half-written. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sndfile.h>

#include "arvis/paths.h"
#include "audio_internal.h"

enum {
    TEMP_TRIES = 100,     /* names tried before giving up on a temporary file */
    NEW_FILE_MODE = 0666, /* less the umask, as any program's new file */
};

struct file_sink {
    SNDFILE *snd;
    int fd;
    char *path; /* where the file goes */
    char *temp; /* where it is written until close */
};

/* A user chose this path, so the message says what to do about it. */
static int refuse(const char *path, int errnum, arvis_error *err)
{
    int code = errnum == EACCES || errnum == EPERM || errnum == EROFS ? ARVIS_E_PERM : ARVIS_E_IO;
    return arvis_error_set(err, code, "cannot write %s: %s: choose another --out path", path,
                           strerror(errnum));
}

/* The file that will be replaced: path, or the one a symbolic link there leads to (so the link
 * survives). Devices, pipes and folders are refused: a rename would replace them. */
static int find_target(const char *path, char **out, arvis_error *err)
{
    struct stat st;
    bool link = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
    *out = link ? realpath(path, NULL) : strdup(path);
    if (!*out) {
        return link ? refuse(path, errno, err)
                    : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    if (stat(*out, &st) == 0 && !S_ISREG(st.st_mode)) {
        free(*out);
        *out = NULL;
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "cannot write %s: it is %s, not a file: choose another --out path "
                               "(the stdout sink writes raw audio to a pipe)",
                               path, S_ISDIR(st.st_mode) ? "a folder" : "a device or pipe");
    }
    return ARVIS_OK;
}

/* Creates "<target>.tmp.<pid>.<n>" exclusively, so two writers never share one. */
static int create_temp(struct file_sink *f, const char *path, arvis_error *err)
{
    static atomic_uint counter;
    size_t cap = strlen(f->path) + 64;
    f->temp = malloc(cap);
    if (!f->temp) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    for (int i = 0; i < TEMP_TRIES; i++) {
        snprintf(f->temp, cap, "%s.tmp.%ld.%u", f->path, (long)getpid(),
                 atomic_fetch_add(&counter, 1));
        f->fd = open(f->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, NEW_FILE_MODE);
        if (f->fd >= 0) {
            struct stat st;
            if (stat(f->path, &st) == 0) {
                (void)fchmod(f->fd, st.st_mode & 07777); /* a replaced file keeps its mode */
            }
            return ARVIS_OK;
        }
        if (errno != EEXIST) {
            return refuse(path, errno, err);
        }
    }
    return refuse(path, EEXIST, err);
}

static void file_free(struct file_sink *f)
{
    if (f->snd) {
        sf_close(f->snd);
    }
    if (f->fd >= 0) {
        close(f->fd);
        unlink(f->temp);
    }
    free(f->path);
    free(f->temp);
    free(f);
}

static int file_open(const arvis_sink_options *o, void **state, arvis_error *err)
{
    if (!o->path || !o->path[0]) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "the file sink needs a path: give one with --out FILE.wav");
    }
    struct file_sink *f = calloc(1, sizeof *f);
    if (!f) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    f->fd = -1;
    int rc = find_target(o->path, &f->path, err);
    if (rc == ARVIS_OK) {
        rc = create_temp(f, o->path, err);
    }
    if (rc == ARVIS_OK) {
        SF_INFO info = {
            .samplerate = o->rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
        f->snd = sf_open_fd(f->fd, SFM_WRITE, &info, SF_FALSE);
        if (!f->snd) {
            rc =
                arvis_error_set(err, ARVIS_E_IO, "cannot write %s: %s", o->path, sf_strerror(NULL));
        }
    }
    if (rc != ARVIS_OK) {
        file_free(f);
        return rc;
    }
    *state = f;
    return ARVIS_OK;
}

static int file_write(void *state, const int16_t *pcm, size_t n, const atomic_bool *cancel,
                      arvis_error *err)
{
    (void)cancel; /* a disk write ends by itself */
    struct file_sink *f = state;
    if (sf_write_short(f->snd, pcm, (sf_count_t)n) != (sf_count_t)n) {
        return arvis_error_set(err, ARVIS_E_IO, "cannot write %s: %s", f->path,
                               sf_strerror(f->snd));
    }
    return ARVIS_OK;
}

static int file_nothing(void *state, arvis_error *err)
{
    (void)state;
    (void)err;
    return ARVIS_OK;
}

/* Makes the rename itself durable; some filesystems refuse fsync on folders, and the rename is
 * atomic there anyway. */
static void sync_folder(const char *path)
{
    char *dir = arvis_path_dirname(path);
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

static int file_close(void *state, arvis_error *err)
{
    struct file_sink *f = state;
    int rc = ARVIS_OK;
    int e = sf_close(f->snd); /* writes the header's final lengths */
    f->snd = NULL;
    if (e != 0) {
        rc = arvis_error_set(err, ARVIS_E_IO, "cannot write %s: %s", f->path, sf_error_number(e));
    } else if (fsync(f->fd) != 0 || rename(f->temp, f->path) != 0) {
        rc = arvis_error_errno(err, errno, "cannot write %s", f->path);
    }
    if (rc == ARVIS_OK) {
        close(f->fd);
        f->fd = -1; /* nothing left to remove */
        sync_folder(f->path);
    }
    file_free(f);
    return rc;
}

static void file_abort(void *state)
{
    file_free(state);
}

const struct audio_sink_ops audio_sink_file_ops = {
    .name = "file",
    .open = file_open,
    .write = file_write,
    .drain = file_nothing,
    .flush = file_nothing,
    .close = file_close,
    .abort = file_abort,
};
