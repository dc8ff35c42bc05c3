/* The notification history: a ring of the newest entries, with repeats found by hash, saved
 * atomically as JSON Lines (one entry a line, so damage costs only the lines it touches). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

int notify_history_save(notify_history *h, arvis_error *err)
{
    if (!h->path || !h->dirty) {
        return ARVIS_OK;
    }
    arvis_buf b;
    arvis_buf_init(&b, HISTORY_FILE_MAX);
    int rc = ARVIS_OK;
    for (size_t i = 0; i < h->count && rc == ARVIS_OK; i++) {
        rc = append_entry(&b, notify_history_at(h, i));
    }
    char *dir = rc == ARVIS_OK ? arvis_path_dirname(h->path) : NULL;
    if (rc != ARVIS_OK || !dir) {
        rc = arvis_error_set(err, rc == ARVIS_E_TOOBIG ? rc : ARVIS_E_NOMEM,
                             "cannot save the notification history %s: %s", h->path,
                             arvis_strerror(rc == ARVIS_OK ? ARVIS_E_NOMEM : rc));
    } else if ((rc = arvis_mkdirs(dir, NOTIFY_DIR_MODE, err)) == ARVIS_OK &&
               (rc = arvis_file_write_atomic(h->path, arvis_buf_str(&b), b.len, err)) == ARVIS_OK) {
        h->dirty = false;
    }
    free(dir);
    arvis_buf_free(&b);
    return rc;
}
