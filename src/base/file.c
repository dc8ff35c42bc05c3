/* Bounded file reads and crash-safe writes (temporary file + fsync + rename + .bak).
 * A failed write removes its temporary files and leaves the old file and its .bak untouched. */
#define _XOPEN_SOURCE 700 /* realpath */
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

/* Creates a temporary file next to `path`, writes data into it and makes it durable. When old is
 * not NULL the file gets its owner (where allowed: only root may give a file away) and mode. */
static int write_temp(const char *path, const void *data, size_t len, const struct stat *old,
                      char **tmp_out, arvis_error *err)
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
    if (old && fchown(fd, old->st_uid, old->st_gid) != 0) {
        /* Not root, and the file belongs to someone else: it becomes the writer's, as any
         * editor would leave it. */
    }
    int e = 0;
    mode_t mode = old ? (old->st_mode & 07777) : NEW_FILE_MODE;
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

/* "path" + suffix, or NULL when out of memory. */
static char *with_suffix(const char *path, const char *suffix)
{
    size_t plen = strlen(path);
    size_t slen = strlen(suffix);
    char *out = malloc(plen + slen + 1);
    if (out) {
        memcpy(out, path, plen);
        memcpy(out + plen, suffix, slen + 1);
    }
    return out;
}

/* Puts the current contents of path under a temporary name beside path.bak (*staged), ready to
 * become path.bak once the new file is in place. A hard link costs nothing; filesystems without
 * links get a copy. */
static int stage_backup(const char *path, size_t max_copy, char **staged, arvis_error *err)
{
    char *bak_new = with_suffix(path, ".bak.new");
    char *bak = with_suffix(path, ".bak");
    int rc = ARVIS_OK;
    if (!bak_new || !bak) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
        goto done;
    }
    unlink(bak_new);
    if (link(path, bak_new) == 0) {
        *staged = bak_new;
        bak_new = NULL;
        goto done;
    }
    char *old = NULL;
    size_t old_len = 0;
    rc = arvis_file_read(path, max_copy, &old, &old_len, err);
    if (rc == ARVIS_OK) {
        rc = write_temp(bak, old, old_len, NULL, staged, err);
        free(old);
    }
done:
    free(bak_new);
    free(bak);
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

/* The file a write to path replaces: path itself, or the file a symbolic link at path points to,
 * so that the link (a dotfile manager's, say) survives. The caller frees. */
static int write_target(const char *path, char **out, arvis_error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode)) {
        *out = strdup(path);
        return *out ? ARVIS_OK : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    *out = realpath(path, NULL);
    if (!*out) {
        return arvis_error_errno(err, errno,
                                 "cannot write %s: it is a symbolic link that does not lead to a "
                                 "file",
                                 path);
    }
    return ARVIS_OK;
}

/* The new contents go in first; only then does the old file's staged copy become path.bak, so
 * a failed write leaves both files as they were. */
static int replace_file(const char *path, const void *data, size_t len, arvis_error *err)
{
    struct stat st;
    bool existed = stat(path, &st) == 0;
    if (existed && S_ISDIR(st.st_mode)) {
        return arvis_error_set(err, ARVIS_E_INVAL, "cannot write %s: it is a folder, not a file",
                               path);
    }
    char *tmp = NULL;
    char *staged = NULL;
    char *bak = NULL;
    int rc = write_temp(path, data, len, existed ? &st : NULL, &tmp, err);
    if (rc == ARVIS_OK && existed && S_ISREG(st.st_mode)) {
        rc = stage_backup(path, (size_t)st.st_size, &staged, err);
    }
    if (rc == ARVIS_OK && rename(tmp, path) != 0) {
        rc = arvis_error_errno(err, errno, "cannot write %s", path);
    }
    if (rc != ARVIS_OK) {
        if (tmp) {
            unlink(tmp);
        }
        if (staged) {
            unlink(staged);
        }
        goto done;
    }
    sync_dir(path);
    if (staged && (!(bak = with_suffix(path, ".bak")) || rename(staged, bak) != 0)) {
        int e = bak ? errno : ENOMEM;
        unlink(staged);
        rc = arvis_error_errno(err, e,
                               "%s was written, but the previous version could not be kept as "
                               "%s.bak",
                               path, path);
    }
done:
    free(tmp);
    free(staged);
    free(bak);
    return rc;
}

int arvis_file_write_atomic(const char *path, const void *data, size_t len, arvis_error *err)
{
    char *target = NULL;
    int rc = write_target(path, &target, err);
    if (rc == ARVIS_OK) {
        rc = replace_file(target, data, len, err);
    }
    free(target);
    return rc;
}
