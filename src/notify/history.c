/* The notification history: a ring of the newest entries, with repeats found by hash, saved
 * atomically as JSON Lines (one entry a line, so damage costs only the lines it touches). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "arvis/buf.h"
#include "arvis/file.h"
#include "arvis/json.h"
#include "arvis/paths.h"
#include "notify_internal.h"

/* Largest history file read: history_max at its maximum, with the longest messages. */
enum { HISTORY_FILE_MAX = 256 * 1024 * 1024, HISTORY_LINE_MAX = 4 * ARVIS_NOTIFY_MESSAGE_MAX };

uint64_t notify_hash(arvis_notify_level level, const char *component, const char *message)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    h = (h ^ (uint64_t)level) * 1099511628211ull;
    for (const char *p = component; *p; p++) {
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    }
    h = (h ^ 0xffu) * 1099511628211ull; /* a byte no UTF-8 text holds, between the two */
    for (const char *p = message; *p; p++) {
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    }
    return h;
}

int notify_history_init(notify_history *h, size_t cap, const char *path)
{
    memset(h, 0, sizeof *h);
    h->cap = cap ? cap : 1;
    h->items = calloc(h->cap, sizeof *h->items);
    if (path && *path) {
        h->path = strdup(path);
    }
    return h->items && (!path || !*path || h->path) ? ARVIS_OK : ARVIS_E_NOMEM;
}

static void entry_free(notify_entry *e)
{
    free(e->component);
    free(e->message);
    memset(e, 0, sizeof *e);
}

void notify_history_clear(notify_history *h)
{
    for (size_t i = 0; i < h->count; i++) {
        entry_free(notify_history_at(h, i));
    }
    h->head = 0;
    h->count = 0;
    h->dirty = true;
    h->cleared = true;
}

void notify_history_free(notify_history *h)
{
    if (h->items) {
        notify_history_clear(h);
    }
    free(h->items);
    free(h->path);
    memset(h, 0, sizeof *h);
}

notify_entry *notify_history_at(const notify_history *h, size_t i)
{
    return &h->items[(h->head + i) % h->cap];
}

notify_entry *notify_history_find(const notify_history *h, arvis_notify_level level,
                                  const char *component, const char *message, uint64_t hash,
                                  double now, double window)
{
    for (size_t i = h->count; i-- > 0;) {
        notify_entry *e = notify_history_at(h, i);
        /* fabs: a clock that jumped back still merges a repeat of a moment ago. */
        if (e->hash == hash && e->level == level && fabs(now - e->last_time) <= window &&
            strcmp(e->component, component) == 0 && strcmp(e->message, message) == 0) {
            return e;
        }
    }
    return NULL;
}

int notify_history_push(notify_history *h, arvis_notify_level level, const char *component,
                        const char *message, double time, double last_time, unsigned long count)
{
    char *c = strdup(component);
    char *m = strdup(message);
    if (!c || !m) {
        free(c);
        free(m);
        return ARVIS_E_NOMEM;
    }
    notify_entry *e;
    if (h->count == h->cap) {
        e = notify_history_at(h, 0);
        entry_free(e);
        h->head = (h->head + 1) % h->cap;
    } else {
        e = notify_history_at(h, h->count);
        h->count++;
    }
    *e = (notify_entry){.level = level,
                        .component = c,
                        .message = m,
                        .time = time,
                        .last_time = last_time,
                        .count = count,
                        .hash = notify_hash(level, c, m)};
    h->dirty = true;
    return ARVIS_OK;
}

/* One line of the file as an entry; false when it is not one. */
static bool read_line(notify_history *h, const char *line, size_t len, int *rc)
{
    cJSON *o = NULL;
    if (len > HISTORY_LINE_MAX || arvis_json_parse(line, len, &o, NULL) != ARVIS_OK) {
        return false;
    }
    const cJSON *time = cJSON_GetObjectItemCaseSensitive(o, "time");
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(o, "last");
    const cJSON *level = cJSON_GetObjectItemCaseSensitive(o, "level");
    const cJSON *comp = cJSON_GetObjectItemCaseSensitive(o, "component");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "message");
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(o, "count");
    arvis_notify_level lv;
    bool ok = cJSON_IsNumber(time) && isfinite(time->valuedouble) && cJSON_IsNumber(count) &&
              count->valuedouble >= 1 && count->valuedouble < 1e15 && cJSON_IsString(level) &&
              arvis_notify_level_parse(level->valuestring, &lv) == ARVIS_OK &&
              cJSON_IsString(comp) && *comp->valuestring &&
              strlen(comp->valuestring) <= ARVIS_NOTIFY_COMPONENT_MAX && cJSON_IsString(msg) &&
              *msg->valuestring && strlen(msg->valuestring) <= ARVIS_NOTIFY_MESSAGE_MAX;
    if (ok) {
        double t = time->valuedouble;
        double l = cJSON_IsNumber(last) && isfinite(last->valuedouble) ? last->valuedouble : t;
        *rc = notify_history_push(h, lv, comp->valuestring, msg->valuestring, t, l,
                                  (unsigned long)count->valuedouble);
    }
    cJSON_Delete(o);
    return ok;
}

int notify_history_load(notify_history *h, size_t *skipped, arvis_error *err)
{
    *skipped = 0;
    if (!h->path) {
        return ARVIS_OK;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = arvis_file_read(h->path, HISTORY_FILE_MAX, &text, &len, err);
    if (rc == ARVIS_E_NOTFOUND) {
        arvis_error_clear(err);
        return ARVIS_OK;
    }
    if (rc != ARVIS_OK) {
        return rc;
    }
    for (size_t at = 0; at < len && rc == ARVIS_OK;) {
        const char *line = text + at;
        const char *nl = memchr(line, '\n', len - at);
        size_t n = nl ? (size_t)(nl - line) : len - at;
        at += n + 1;
        if (n > 0 && !read_line(h, line, n, &rc)) {
            (*skipped)++;
        }
    }
    free(text);
    h->dirty = false;
    for (size_t i = 0; i < h->count; i++) {
        notify_entry *e = notify_history_at(h, i);
        e->saved_count = e->count;
    }
    return rc == ARVIS_OK ? ARVIS_OK : arvis_error_set(err, rc, "out of memory");
}

static int append_entry(arvis_buf *b, const notify_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddNumberToObject(o, "time", e->time) &&
              cJSON_AddNumberToObject(o, "last", e->last_time) &&
              cJSON_AddStringToObject(o, "level", arvis_notify_level_name(e->level)) &&
              cJSON_AddStringToObject(o, "component", e->component) &&
              cJSON_AddStringToObject(o, "message", e->message) &&
              cJSON_AddNumberToObject(o, "count", (double)e->count);
    char *line = ok ? arvis_json_print(o, 0) : NULL;
    cJSON_Delete(o);
    int rc = line ? arvis_buf_adds(b, line) : ARVIS_E_NOMEM;
    if (rc == ARVIS_OK) {
        rc = arvis_buf_addc(b, '\n');
    }
    free(line);
    return rc;
}

/* Writes every entry to the file (its folder exists). */
static int write_file(const notify_history *h, arvis_error *err)
{
    arvis_buf b;
    arvis_buf_init(&b, HISTORY_FILE_MAX);
    int rc = ARVIS_OK;
    for (size_t i = 0; i < h->count && rc == ARVIS_OK; i++) {
        rc = append_entry(&b, notify_history_at(h, i));
    }
    if (rc != ARVIS_OK) {
        rc = arvis_error_set(err, rc, "cannot save the notification history %s: %s", h->path,
                             arvis_strerror(rc));
    } else {
        rc = arvis_file_write_atomic(h->path, arvis_buf_str(&b), b.len, err);
    }
    arvis_buf_free(&b);
    return rc;
}

/* Adds to disk what e gained since it was loaded or saved. */
static int merge_entry(notify_history *disk, const notify_entry *e, double window)
{
    unsigned long delta = e->count - e->saved_count;
    notify_entry *d = NULL;
    for (size_t i = 0; i < disk->count && !d; i++) {
        notify_entry *x = notify_history_at(disk, i);
        if (x->hash == e->hash && x->time == e->time && x->level == e->level &&
            strcmp(x->component, e->component) == 0 && strcmp(x->message, e->message) == 0) {
            d = x; /* the same entry */
        }
    }
    if (!d && delta == 0) {
        return ARVIS_OK; /* another process cleared it or it aged out: nothing of ours to add */
    }
    if (!d && window > 0) {
        d = notify_history_find(disk, e->level, e->component, e->message, e->hash, e->time, window);
    }
    if (!d) {
        return notify_history_push(disk, e->level, e->component, e->message, e->time, e->last_time,
                                   delta);
    }
    d->count += delta;
    d->last_time = e->last_time > d->last_time ? e->last_time : d->last_time;
    return ARVIS_OK;
}

static int by_time(const void *a, const void *b)
{
    const notify_entry *x = a, *y = b;
    if (x->time != y->time) {
        return x->time < y->time ? -1 : 1;
    }
    return (x->last_time > y->last_time) - (x->last_time < y->last_time);
}

/* Makes the merged entries h's history, oldest first, the newest h->cap of them. */
static void adopt(notify_history *h, notify_history *merged)
{
    notify_entry *all = calloc(merged->count ? merged->count : 1, sizeof *all);
    if (!all) {
        return; /* keep our own history; the file has the merge */
    }
    size_t n = merged->count;
    for (size_t i = 0; i < n; i++) {
        all[i] = *notify_history_at(merged, i);
    }
    qsort(all, n, sizeof *all, by_time);
    memset(merged->items, 0, merged->cap * sizeof *merged->items);
    merged->count = 0;
    notify_history_clear(h);
    h->cleared = false; /* a merge, not an emptying: a failed write is merged again */
    size_t skip = n > h->cap ? n - h->cap : 0;
    for (size_t i = 0; i < n; i++) {
        if (i < skip) {
            entry_free(&all[i]);
            continue;
        }
        h->items[h->count++] = all[i];
    }
    free(all);
}

/* Reads the file again and merges h's news into it; the result becomes h. */
static int merge_with_file(notify_history *h, arvis_error *err)
{
    notify_history disk;
    size_t skipped = 0;
    /* Room for every entry of ours besides the file's, so no push drops one before sorting. */
    int rc = notify_history_init(&disk, h->cap + h->count, h->path);
    if (rc == ARVIS_OK) {
        rc = notify_history_load(&disk, &skipped, err);
    } else {
        rc = arvis_error_set(err, rc, "out of memory");
    }
    for (size_t i = 0; i < h->count && rc == ARVIS_OK; i++) {
        rc = merge_entry(&disk, notify_history_at(h, i), h->merge_window);
        if (rc != ARVIS_OK) {
            arvis_error_set(err, rc, "out of memory");
        }
    }
    if (rc == ARVIS_OK) {
        adopt(h, &disk);
    }
    notify_history_free(&disk);
    return rc;
}

/* Takes the lock beside path (PATH.lock, created): returns its descriptor (close it to let go)
 * or a negative status with err. */
static int history_lock(const char *path, arvis_error *err)
{
    char lock[4096];
    snprintf(lock, sizeof lock, "%s.lock", path);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return arvis_error_errno(err, errno, "cannot open the lock %s", lock);
    }
    int r;
    while ((r = flock(fd, LOCK_EX)) != 0 && errno == EINTR) {
    }
    if (r != 0) {
        int e = errno;
        close(fd);
        return arvis_error_errno(err, e, "cannot lock %s", lock);
    }
    return fd;
}

int notify_history_save(notify_history *h, arvis_error *err)
{
    if (!h->path || !h->dirty) {
        return ARVIS_OK;
    }
    char *dir = arvis_path_dirname(h->path);
    if (!dir) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    int rc = arvis_mkdirs(dir, NOTIFY_DIR_MODE, err);
    free(dir);
    int fd = rc == ARVIS_OK ? history_lock(h->path, err) : rc;
    if (fd < 0) {
        return fd;
    }
    rc = h->cleared ? ARVIS_OK : merge_with_file(h, err);
    if (rc == ARVIS_OK) {
        rc = write_file(h, err);
    }
    if (rc == ARVIS_OK) {
        h->dirty = false;
        h->cleared = false;
        for (size_t i = 0; i < h->count; i++) {
            notify_entry *e = notify_history_at(h, i);
            e->saved_count = e->count;
        }
    }
    close(fd); /* releases the lock */
    return rc;
}
