/* The audit log writer: each record one whole line in one write() on an O_APPEND descriptor,
 * rotation by size under a lock on the file that every writing process shares (flock). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "arvis/clock.h"
#include "arvis/json.h"
#include "arvis/paths.h"
#include "security_internal.h"

/* The schema's security.audit defaults. */
enum { AUDIT_DEFAULT_SIZE = 10 * 1024 * 1024, AUDIT_DEFAULT_AGE_DAYS = 90 };

struct arvis_audit {
    pthread_mutex_t lock;
    arvis_audit_params params;
    char *path;
    int fd;       /* -1 until the first record, and after a failure */
    bool failing; /* the latest write failed; its failure was returned */
    arvis_audit_stats stats;
};

arvis_audit_params arvis_audit_default_params(void)
{
    return (arvis_audit_params){.enabled = true,
                                .max_log_size = AUDIT_DEFAULT_SIZE,
                                .max_log_age_days = AUDIT_DEFAULT_AGE_DAYS};
}

void arvis_audit_params_from_config(const arvis_config *cfg, arvis_audit_params *p)
{
    p->enabled = arvis_config_bool(cfg, "security.audit.enabled");
    p->max_log_size = (size_t)arvis_config_int(cfg, "security.audit.max_log_size");
    p->max_log_age_days = (unsigned)arvis_config_int(cfg, "security.audit.max_log_age_days");
}

int arvis_audit_open(const arvis_audit_params *p, arvis_audit **out, arvis_error *err)
{
    *out = NULL;
    arvis_error_clear(err);
    if (p->max_log_size < 1 || p->max_log_age_days < 1) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "the audit log needs a max_log_size and max_log_age_days above 0");
    }
    arvis_audit *a = calloc(1, sizeof *a);
    if (!a) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    a->params = *p;
    a->fd = -1;
    int rc = ARVIS_OK;
    if (p->path) {
        a->path = strdup(p->path);
        rc = a->path ? ARVIS_OK : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    } else {
        rc = arvis_place_file(ARVIS_PLACE_STATE, ARVIS_AUDIT_FILE, &a->path, err);
    }
    if (rc != ARVIS_OK) {
        free(a->path);
        free(a);
        return rc;
    }
    a->params.path = a->path;
    pthread_mutex_init(&a->lock, NULL);
    if (p->enabled) {
        a->stats.removed = audit_remove_old(a->path, p->max_log_age_days, arvis_clock_wall());
    }
    *out = a;
    return ARVIS_OK;
}

void arvis_audit_close(arvis_audit *a)
{
    if (!a) {
        return;
    }
    if (a->fd >= 0) {
        fsync(a->fd);
        close(a->fd);
    }
    pthread_mutex_destroy(&a->lock);
    free(a->path);
    free(a);
}

/* True when the descriptor is no longer the file at the path: another process rotated it, or
 * someone removed it. */
static bool moved_away(const arvis_audit *a)
{
    struct stat mine, there;
    if (fstat(a->fd, &mine) != 0 || stat(a->path, &there) != 0) {
        return true;
    }
    return mine.st_ino != there.st_ino || mine.st_dev != there.st_dev;
}

static void close_fd(arvis_audit *a)
{
    if (a->fd >= 0) {
        close(a->fd);
        a->fd = -1;
    }
}

static int ensure_open(arvis_audit *a, arvis_error *err)
{
    if (a->fd >= 0 && !moved_away(a)) {
        return ARVIS_OK;
    }
    close_fd(a);
    char *dir = arvis_path_dirname(a->path);
    if (!dir) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    int rc = arvis_mkdirs(dir, SECURITY_DIR_MODE, err);
    free(dir);
    if (rc != ARVIS_OK) {
        return rc;
    }
    a->fd = open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, SECURITY_FILE_MODE);
    return a->fd >= 0 ? ARVIS_OK
                      : arvis_error_errno(err, errno, "cannot open the audit log %s", a->path);
}

static int lock_fd(int fd, int op)
{
    int r;
    while ((r = flock(fd, op)) != 0 && errno == EINTR) {
    }
    return r;
}

/* Rotates when len more bytes would take the log past its size. Every process holds the lock of
 * the same file while it looks and renames, so one rotation happens and the others reopen. */
static int rotate_if_full(arvis_audit *a, size_t len, arvis_error *err)
{
    struct stat st;
    if (fstat(a->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
        (size_t)st.st_size + len <= a->params.max_log_size) {
        return ARVIS_OK;
    }
    if (lock_fd(a->fd, LOCK_EX) != 0) {
        return arvis_error_errno(err, errno, "cannot lock the audit log %s", a->path);
    }
    int rc = ARVIS_OK;
    if (!moved_away(a)) {
        fsync(a->fd); /* the archive is complete on the disk before it leaves */
        rc = audit_archive(a->path, arvis_clock_wall(), err);
        if (rc == ARVIS_OK) {
            a->stats.rotations++;
            a->stats.removed +=
                audit_remove_old(a->path, a->params.max_log_age_days, arvis_clock_wall());
        }
    }
    lock_fd(a->fd, LOCK_UN);
    return rc == ARVIS_OK ? ensure_open(a, err) : rc;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return w < 0 ? errno : EIO;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

static bool add_copy(cJSON *o, const char *key, const cJSON *v)
{
    cJSON *c = v ? cJSON_Duplicate(v, true) : cJSON_CreateObject();
    if (!c) {
        return false;
    }
    cJSON_AddItemToObject(o, key, c);
    return true;
}

/* The record as one line, newline included; NULL when out of memory. Details too long for a
 * line are replaced by a note saying so, so the event itself is never lost. */
static char *record_line(const arvis_audit_record *r, size_t *len)
{
    char when[32];
    arvis_clock_iso8601(r->time > 0 ? r->time : arvis_clock_wall(), when, sizeof when);
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddStringToObject(o, "time", when) &&
              cJSON_AddStringToObject(o, "event", r->event) &&
              cJSON_AddStringToObject(o, "component", r->component ? r->component : "arvis") &&
              cJSON_AddStringToObject(o, "status", r->status ? r->status : "") &&
              add_copy(o, "details", r->details);
    const cJSON *item;
    cJSON_ArrayForEach(item, r->extra)
    {
        if (ok && item->string && !cJSON_GetObjectItemCaseSensitive(o, item->string)) {
            ok = add_copy(o, item->string, item);
        }
    }
    bool too_big = false;
    char *line = ok ? arvis_json_print_max(o, 0, ARVIS_AUDIT_LINE_MAX - 1, &too_big) : NULL;
    if (too_big) {
        cJSON *note = cJSON_CreateObject();
        ok = note && cJSON_AddTrueToObject(note, "cut") &&
             cJSON_ReplaceItemInObject(o, "details", note);
        line = ok ? arvis_json_print_max(o, 0, ARVIS_AUDIT_LINE_MAX - 1, NULL) : NULL;
    }
    cJSON_Delete(o);
    if (!line) {
        return NULL;
    }
    *len = strlen(line);
    char *grown = realloc(line, *len + 2);
    if (!grown) {
        free(line);
        return NULL;
    }
    grown[(*len)++] = '\n';
    grown[*len] = '\0';
    return grown;
}

static int write_locked(arvis_audit *a, const char *line, size_t len, arvis_error *err)
{
    int rc = ensure_open(a, err);
    if (rc == ARVIS_OK) {
        rc = rotate_if_full(a, len, err);
    }
    if (rc != ARVIS_OK) {
        return rc;
    }
    int e = write_all(a->fd, line, len);
    if (e != 0) {
        close_fd(a); /* opened again at the next record, so writing resumes with the disk */
        return arvis_error_errno(err, e, "cannot write to the audit log %s", a->path);
    }
    return ARVIS_OK;
}

int arvis_audit_write(arvis_audit *a, const arvis_audit_record *r, arvis_error *err)
{
    arvis_error_clear(err);
    if (!r || !r->event || !*r->event) {
        return arvis_error_set(err, ARVIS_E_INVAL, "an audit record needs an event name");
    }
    if (!a->params.enabled) {
        return ARVIS_OK;
    }
    size_t len = 0;
    char *line = record_line(r, &len);
    if (!line) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory writing an audit record");
    }
    pthread_mutex_lock(&a->lock);
    int rc = write_locked(a, line, len, err);
    if (rc == ARVIS_OK) {
        a->stats.written++;
        a->failing = false;
    } else {
        a->stats.lost++;
        bool told = a->failing;
        a->failing = true;
        if (told) { /* returned once already: the caller goes on without hearing it again */
            arvis_error_clear(err);
            rc = ARVIS_OK;
        }
    }
    pthread_mutex_unlock(&a->lock);
    free(line);
    return rc;
}

bool arvis_audit_failing(const arvis_audit *a)
{
    arvis_audit *m = (arvis_audit *)a; /* the lock changes; what it guards does not */
    pthread_mutex_lock(&m->lock);
    bool failing = a->failing;
    pthread_mutex_unlock(&m->lock);
    return failing;
}

int arvis_audit_sync(arvis_audit *a, arvis_error *err)
{
    pthread_mutex_lock(&a->lock);
    int rc = ARVIS_OK;
    if (a->fd >= 0 && fsync(a->fd) != 0 && errno != EINVAL) {
        rc = arvis_error_errno(err, errno, "cannot flush the audit log %s", a->path);
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

const char *arvis_audit_path(const arvis_audit *a)
{
    return a->path;
}

arvis_audit_stats arvis_audit_get_stats(const arvis_audit *a)
{
    arvis_audit *m = (arvis_audit *)a;
    pthread_mutex_lock(&m->lock);
    arvis_audit_stats s = a->stats;
    pthread_mutex_unlock(&m->lock);
    return s;
}
