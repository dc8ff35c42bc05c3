/* The AUDIT channel: one JSON line per notification (time, event, component, level, message)
 * appended to audit.jsonl in the state folder and fsync'd, so it survives a crash. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "arvis/clock.h"
#include "arvis/json.h"
#include "arvis/paths.h"
#include "notify_internal.h"

typedef struct audit_state {
    char *path;
    int fd; /* opened at the first record, and again after a failure */
} audit_state;

static int audit_open(notify_channel *ch, arvis_error *err)
{
    audit_state *s = calloc(1, sizeof *s);
    if (!s) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    s->fd = -1;
    int rc = ARVIS_OK;
    if (ch->params->audit_path) {
        s->path = strdup(ch->params->audit_path);
        rc = s->path ? ARVIS_OK : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    } else {
        rc = arvis_place_file(ARVIS_PLACE_STATE, "audit.jsonl", &s->path, err);
    }
    if (rc != ARVIS_OK) {
        free(s->path);
        free(s);
        return rc;
    }
    ch->state = s;
    return ARVIS_OK;
}

static char *audit_line(const arvis_notification *n)
{
    char when[32];
    arvis_clock_iso8601(n->last_time, when, sizeof when);
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddStringToObject(o, "time", when) &&
              cJSON_AddStringToObject(o, "event", "notification") &&
              cJSON_AddStringToObject(o, "component", n->component) &&
              cJSON_AddStringToObject(o, "level", arvis_notify_level_name(n->level)) &&
              cJSON_AddStringToObject(o, "message", n->message);
    char *line = ok ? arvis_json_print(o, 0) : NULL;
    cJSON_Delete(o);
    return line;
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

static int reopen(audit_state *s, arvis_error *err)
{
    char *dir = arvis_path_dirname(s->path);
    if (!dir) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    int rc = arvis_mkdirs(dir, NOTIFY_DIR_MODE, err);
    free(dir);
    if (rc != ARVIS_OK) {
        return rc;
    }
    s->fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    return s->fd >= 0 ? ARVIS_OK : arvis_error_errno(err, errno, "cannot open %s", s->path);
}

static int audit_deliver(notify_channel *ch, const arvis_notification *n, arvis_error *err)
{
    audit_state *s = ch->state;
    if (s->fd < 0) {
        int rc = reopen(s, err);
        if (rc != ARVIS_OK) {
            return rc;
        }
    }
    char *line = audit_line(n);
    if (!line) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    size_t len = strlen(line);
    line[len] = '\n'; /* one write, so that concurrent writers never interleave in a line */
    int e = write_all(s->fd, line, len + 1);
    free(line);
    if (e == 0 && fsync(s->fd) != 0 && errno != EINVAL) {
        e = errno;
    }
    if (e != 0) {
        close(s->fd); /* opened again next time, so the channel recovers with the disk */
        s->fd = -1;
        return arvis_error_errno(err, e, "cannot write to %s", s->path);
    }
    return ARVIS_OK;
}

static void audit_close(notify_channel *ch)
{
    audit_state *s = ch->state;
    if (s && s->fd >= 0) {
        close(s->fd);
    }
    free(s ? s->path : NULL);
    free(s);
    ch->state = NULL;
}

const notify_channel_ops notify_audit_ops = {"audit", audit_open, audit_deliver, audit_close};
