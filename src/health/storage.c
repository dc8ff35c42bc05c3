/* The storage checker: the data folder can be written (a temporary file created, written and
 * removed) and has more free space than health.min_free_disk_mb. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "arvis/paths.h"
#include "health_internal.h"

/* Folders Arvis creates are private to the user. */
#define STORAGE_DIR_MODE 0700

struct storage_check {
    char *dir;
    long min_free_mb;
    char error[ARVIS_ERROR_MSG_MAX]; /* the data folder could not be named */
};

static int storage_check_create(const arvis_config *cfg, long timeout_ms, void **state,
                                arvis_error *err)
{
    (void)timeout_ms;
    struct storage_check *c = calloc(1, sizeof *c);
    if (!c) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    c->min_free_mb = (long)arvis_config_int(cfg, "health.min_free_disk_mb");
    arvis_error why;
    if (arvis_place_dir(ARVIS_PLACE_DATA, &c->dir, &why) != ARVIS_OK) {
        snprintf(c->error, sizeof c->error, "%s", why.msg);
    }
    *state = c;
    return ARVIS_OK;
}

/* Creates, writes and removes a temporary file in dir. */
static int try_write(const char *dir, arvis_error *err)
{
    char *path = arvis_path_join(dir, ".health-XXXXXX");
    if (!path) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    int rc = ARVIS_OK;
    int fd = mkstemp(path);
    if (fd < 0) {
        rc = arvis_error_errno(err, errno, "cannot create a file in %s", dir);
    } else {
        static const char probe[] = "arvis health\n";
        if (write(fd, probe, sizeof probe - 1) != (ssize_t)(sizeof probe - 1)) {
            rc = arvis_error_errno(err, errno, "cannot write to a file in %s", dir);
        }
        close(fd);
        unlink(path);
    }
    free(path);
    return rc;
}

static void storage_check_run(void *state, struct health_outcome *out)
{
    struct storage_check *c = state;
    if (!c->dir) {
        health_set(out, ARVIS_HEALTH_UNHEALTHY, "%s", c->error);
        return;
    }
    cJSON_AddStringToObject(out->details, "path", c->dir);
    cJSON_AddNumberToObject(out->details, "min_free_mb", (double)c->min_free_mb);
    arvis_error err;
    if (arvis_mkdirs(c->dir, STORAGE_DIR_MODE, &err) != ARVIS_OK ||
        try_write(c->dir, &err) != ARVIS_OK) {
        health_set(out, ARVIS_HEALTH_UNHEALTHY,
                   "the data folder cannot be written: %s; set ARVIS_HOME or XDG_DATA_HOME to a "
                   "writable folder",
                   err.msg);
        return;
    }
    struct statvfs vfs;
    if (statvfs(c->dir, &vfs) != 0) {
        health_set(out, ARVIS_HEALTH_DEGRADED, "cannot tell the free space of %s: %s", c->dir,
                   strerror(errno));
        return;
    }
    double free_mb = (double)vfs.f_bavail * (double)vfs.f_frsize / (1024.0 * 1024.0);
    cJSON_AddNumberToObject(out->details, "free_mb", (double)(long long)free_mb);
    if (free_mb < (double)c->min_free_mb) {
        health_set(out, ARVIS_HEALTH_DEGRADED,
                   "only %.0f MB free in %s, less than health.min_free_disk_mb (%ld MB)", free_mb,
                   c->dir, c->min_free_mb);
        return;
    }
    health_set(out, ARVIS_HEALTH_HEALTHY, "%s is writable, %.0f MB free", c->dir, free_mb);
}

static void storage_check_destroy(void *state)
{
    struct storage_check *c = state;
    if (c) {
        free(c->dir);
        free(c);
    }
}

const struct health_checker_ops health_storage_ops = {
    .name = "storage",
    .create = storage_check_create,
    .run = storage_check_run,
    .interrupt = NULL,
    .destroy = storage_check_destroy,
};
