/* Bounded file reads and crash-safe writes (temporary file + fsync + rename + .bak).
 * A failed write removes its temporary file and leaves the old file untouched. */
#include "arvis/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arvis/buf.h"
#include "arvis/paths.h"

enum { READ_CHUNK = 65536, NEW_FILE_MODE = 0600 };

bool arvis_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int arvis_file_read(const char *path, size_t max, char **out, size_t *len, arvis_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return arvis_error_errno(err, errno, "cannot read %s", path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return arvis_error_errno(err, e, "cannot read %s", path);
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return arvis_error_set(err, ARVIS_E_INVAL, "cannot read %s: it is a folder, not a file",
                               path);
    }
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
        close(fd);
        return arvis_error_set(err, ARVIS_E_TOOBIG,
                               "cannot read %s: it is %lld bytes, above the limit of %zu bytes",
                               path, (long long)st.st_size, max);
    }
    arvis_buf b;
    arvis_buf_init(&b, max);
    char chunk[READ_CHUNK];
    int rc = ARVIS_OK;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rc = arvis_error_errno(err, errno, "cannot read %s", path);
            break;
        }
        if (n == 0) {
            break;
        }
        rc = arvis_buf_add(&b, chunk, (size_t)n);
        if (rc == ARVIS_E_TOOBIG) {
            arvis_error_set(err, rc, "cannot read %s: it holds more than the limit of %zu bytes",
                            path, max);
            break;
        }
        if (rc != ARVIS_OK) {
            arvis_error_set(err, rc, "cannot read %s: out of memory", path);
            break;
        }
    }
    close(fd);
    if (rc != ARVIS_OK) {
        arvis_buf_free(&b);
        return rc;
    }
    *len = b.len;
    *out = arvis_buf_take(&b);
    return *out ? ARVIS_OK : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Creates a temporary file next to `path`, writes data into it and makes it durable. */
static int write_temp(const char *path, const void *data, size_t len, mode_t mode, char **tmp_out,
                      arvis_error *err)
{
    size_t plen = strlen(path);
    static const char suffix[] = ".tmp.XXXXXX";
    char *tmp = malloc(plen + sizeof suffix);
    if (!tmp) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, suffix, sizeof suffix);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return arvis_error_errno(err, e, "cannot write %s", path);
    }
    int e = 0;
    if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        e = errno;
    }
    if (close(fd) != 0 && e == 0) {
        e = errno;
    }
    if (e != 0) {
        unlink(tmp);
        free(tmp);
        return arvis_error_errno(err, e, "cannot write %s", path);
    }
    *tmp_out = tmp;
    return ARVIS_OK;
}

/* Keeps the current contents of path as path.bak, itself replaced atomically. A hard link costs
 * nothing; filesystems without links get a copy. */
static int keep_backup(const char *path, size_t max_copy, arvis_error *err)
{
    char *bak = NULL;
    char *bak_new = NULL;
    int rc = ARVIS_OK;
    size_t plen = strlen(path);
    bak = malloc(plen + sizeof ".bak");
    bak_new = malloc(plen + sizeof ".bak.new");
    if (!bak || !bak_new) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
        goto done;
    }
    snprintf(bak, plen + sizeof ".bak", "%s.bak", path);
    snprintf(bak_new, plen + sizeof ".bak.new", "%s.bak.new", path);
    unlink(bak_new);
    if (link(path, bak_new) == 0) {
        if (rename(bak_new, bak) != 0) {
            rc = arvis_error_errno(err, errno, "cannot keep the previous version as %s", bak);
            unlink(bak_new);
        }
        goto done;
    }
    /* No hard links here: copy the old contents through the same atomic path. */
    char *old = NULL;
    size_t old_len = 0;
    rc = arvis_file_read(path, max_copy, &old, &old_len, err);
    if (rc == ARVIS_OK) {
        char *tmp = NULL;
        rc = write_temp(bak, old, old_len, NEW_FILE_MODE, &tmp, err);
        if (rc == ARVIS_OK && rename(tmp, bak) != 0) {
            rc = arvis_error_errno(err, errno, "cannot keep the previous version as %s", bak);
            unlink(tmp);
        }
        free(tmp);
        free(old);
    }
done:
    free(bak);
    free(bak_new);
    return rc;
}

static void sync_dir(const char *path)
{
    char *dir = arvis_path_dirname(path);
    if (!dir) {
        return;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        /* Some filesystems refuse fsync on folders; the rename is still atomic there. */
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int arvis_file_write_atomic(const char *path, const void *data, size_t len, arvis_error *err)
{
    struct stat st;
    bool existed = stat(path, &st) == 0;
    if (existed && S_ISDIR(st.st_mode)) {
        return arvis_error_set(err, ARVIS_E_INVAL, "cannot write %s: it is a folder, not a file",
                               path);
    }
    mode_t mode = existed ? (st.st_mode & 07777) : NEW_FILE_MODE;
    char *tmp = NULL;
    int rc = write_temp(path, data, len, mode, &tmp, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    if (existed && S_ISREG(st.st_mode)) {
        rc = keep_backup(path, (size_t)st.st_size, err);
        if (rc != ARVIS_OK) {
            unlink(tmp);
            free(tmp);
            return rc;
        }
    }
    if (rename(tmp, path) != 0) {
        rc = arvis_error_errno(err, errno, "cannot write %s", path);
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    sync_dir(path);
    return ARVIS_OK;
}
