/* The stored files: listing them, opening the newest for appending or rolling to new ones,
 * writing batches (a failed write reported once), and the caps by count and total size. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arvis/log.h"
#include "arvis/paths.h"
#include "store_internal.h"

/* The sequence and format of a stored file's name; false for any other name. */
static bool parse_name(const char *name, uint64_t *seq, int *format)
{
    size_t plen = strlen(STORE_FILE_PREFIX);
    if (strncmp(name, STORE_FILE_PREFIX, plen) != 0 || name[plen] < '0' || name[plen] > '9') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(name + plen, &end, 10);
    for (int f = 0; errno == 0 && f < STORE_FORMATS; f++) {
        if (strcmp(end, store_suffix[f]) == 0) {
            *seq = v;
            *format = f;
            return true;
        }
    }
    return false;
}

static int by_seq(const void *a, const void *b)
{
    const struct store_file *x = a, *y = b;
    if (x->seq != y->seq) {
        return x->seq < y->seq ? -1 : 1;
    }
    return x->format - y->format;
}

int store_list(const char *dir, struct store_file **out, size_t *n, arvis_error *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        return errno == ENOENT
                   ? ARVIS_OK
                   : arvis_error_errno(err, errno, "cannot read the metrics folder %s", dir);
    }
    size_t cap = 0;
    int rc = ARVIS_OK;
    struct dirent *e;
    while (rc == ARVIS_OK && *n < STORE_MAX_LISTED && (e = readdir(d)) != NULL) {
        struct store_file file = {0};
        struct stat sb;
        char *path = NULL;
        if (!parse_name(e->d_name, &file.seq, &file.format)) {
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            struct store_file *grown = realloc(*out, cap * sizeof **out);
            if (!grown) {
                rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory listing %s", dir);
                break;
            }
            *out = grown;
        }
        path = arvis_path_join(dir, e->d_name);
        file.size = path && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
        free(path);
        (*out)[(*n)++] = file;
    }
    closedir(d);
    if (*n) {
        qsort(*out, *n, sizeof **out, by_seq);
    }
    return rc;
}

static char *file_path(const arvis_metrics_store *st, uint64_t seq, int f)
{
    char name[64];
    snprintf(name, sizeof name, STORE_FILE_PREFIX "%" PRIu64 "%s", seq, store_suffix[f]);
    return arvis_path_join(st->dir, name);
}

void store_close_files(arvis_metrics_store *st)
{
    for (int f = 0; f < STORE_FORMATS; f++) {
        if (st->fd[f] >= 0) {
            close(st->fd[f]);
        }
        st->fd[f] = -1;
    }
}

/* Opens format f of the current sequence for appending; a file that does not end its last
 * line gets a newline first, so a torn line costs only itself. */
static int open_one(arvis_metrics_store *st, int f, arvis_error *err)
{
    char *path = file_path(st, st->seq, f);
    if (!path) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        int rc = arvis_error_errno(err, errno, "cannot open the metrics file %s", path);
        free(path);
        return rc;
    }
    free(path);
    struct stat sb;
    char last = '\n';
    st->size[f] = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
    if (st->size[f] > 0 && pread(fd, &last, 1, (off_t)st->size[f] - 1) != 1) {
        last = '\n';
    }
    st->need_newline[f] = last != '\n';
    st->fd[f] = fd;
    if (f == 1 && st->size[f] == 0) {
        return arvis_buf_adds(&st->batch[f], STORE_CSV_HEADER);
    }
    return ARVIS_OK;
}

int store_open_files(arvis_metrics_store *st, bool roll, arvis_error *err)
{
    store_close_files(st);
    if (roll) {
        st->seq++;
        st->stats.rolls++;
        /* A new file holds every counter and gauge again, so removing older files never
         * loses a total. */
        for (size_t i = 0; i < st->n_seen; i++) {
            st->seen[i].stored = false;
        }
    }
    int rc = ARVIS_OK;
    for (int f = 0; f < STORE_FORMATS && rc == ARVIS_OK; f++) {
        if (st->p.formats & (1u << f)) {
            rc = open_one(st, f, err);
        }
    }
    return rc;
}

void store_enforce_caps(arvis_metrics_store *st)
{
    struct store_file *files = NULL;
    size_t n = 0;
    if (store_list(st->dir, &files, &n, NULL) != ARVIS_OK) {
        return;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += files[i].size;
    }
    for (size_t i = 0; i < n && files[i].seq < st->seq; i++) {
        if (n - i <= st->p.max_files && total <= st->p.max_total_bytes) {
            break;
        }
        char *path = file_path(st, files[i].seq, files[i].format);
        if (path && unlink(path) == 0) {
            st->stats.removed++;
        }
        free(path);
        total -= files[i].size;
    }
    free(files);
}

/* Writes all of data to fd; errno is kept from the failing call. */
static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return false;
        }
        data += w;
        len -= (size_t)w;
    }
    return true;
}

/* A write failed: the first failure of a run of them is reported (returned and logged), the
 * rest only counted, so that a full disk is not reported every flush. */
static int write_failed(arvis_metrics_store *st, int errnum, arvis_error *err)
{
    st->stats.dropped += st->batch_lines;
    if (st->failing) {
        return ARVIS_OK;
    }
    st->failing = true;
    st->stats.failures++;
    int rc = arvis_error_errno(&st->failure, errnum,
                               "cannot write metrics to %s; recording goes on in memory", st->dir);
    arvis_log(ARVIS_LOG_WARNING, "metrics", "%s", st->failure.msg);
    if (err) {
        *err = st->failure;
    }
    return rc;
}

int store_write_batches(arvis_metrics_store *st, arvis_error *err)
{
    int rc = ARVIS_OK;
    bool ok = true;
    int errnum = 0;
    for (int f = 0; f < STORE_FORMATS; f++) {
        arvis_buf *b = &st->batch[f];
        if (b->len == 0 || st->fd[f] < 0) {
            continue;
        }
        if (ok && st->need_newline[f]) {
            ok = write_all(st->fd[f], "\n", 1);
            st->need_newline[f] = !ok;
        }
        if (ok && !write_all(st->fd[f], b->data, b->len)) {
            ok = false;
        }
        errnum = ok ? errnum : errno;
        st->size[f] += ok ? b->len : 0;
        arvis_buf_reset(b);
    }
    if (!ok) {
        rc = write_failed(st, errnum, err);
    } else if (st->batch_lines > 0) {
        if (st->failing) {
            arvis_log(ARVIS_LOG_INFO, "metrics", "metrics are written to %s again", st->dir);
        }
        st->failing = false;
        st->stats.lines += st->batch_lines;
    }
    st->batch_lines = 0;
    return rc;
}

int store_emit(arvis_metrics_store *st, int f, const char *line, size_t len, arvis_error *err)
{
    int rc = ARVIS_OK;
    bool full = st->size[f] + st->batch[f].len + len > st->p.max_file_bytes &&
                st->size[f] + st->batch[f].len > 0;
    if (full || st->batch[f].len + len > STORE_BATCH_MAX) {
        rc = store_write_batches(st, err);
        if (full && store_open_files(st, true, rc == ARVIS_OK ? err : NULL) == ARVIS_OK) {
            store_enforce_caps(st);
        }
    }
    if (arvis_buf_add(&st->batch[f], line, len) != ARVIS_OK) {
        st->stats.dropped++;
    }
    return rc;
}
