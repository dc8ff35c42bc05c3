/* The conversation, kept as JSON in the data folder: at most N messages, saved atomically after
 * every turn, and a damaged file moved aside rather than lost or fatal. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arvis/clock.h"
#include "arvis/file.h"
#include "arvis/json.h"
#include "arvis/paths.h"
#include "llm_internal.h"

enum { HISTORY_FILE_MAX = 64 * 1024 * 1024, HISTORY_FORMAT = 1, DATA_DIR_MODE = 0700 };

struct arvis_history {
    char *path;
    size_t max;
    arvis_llm_message *items;
    size_t count;
    size_t cap;
    size_t first; /* how many messages were ever dropped from the front */
};

static void message_free(arvis_llm_message *m)
{
    free(m->role);
    free(m->content);
}

void arvis_history_free(arvis_history *h)
{
    if (!h) {
        return;
    }
    for (size_t i = 0; i < h->count; i++) {
        message_free(&h->items[i]);
    }
    free(h->items);
    free(h->path);
    free(h);
}

size_t arvis_history_count(const arvis_history *h)
{
    return h->count;
}

const arvis_llm_message *arvis_history_at(const arvis_history *h, size_t i)
{
    return i < h->count ? &h->items[i] : NULL;
}

const char *arvis_history_path(const arvis_history *h)
{
    return h->path;
}

size_t arvis_history_first(const arvis_history *h)
{
    return h->first;
}

int arvis_history_create(size_t max_messages, arvis_history **out)
{
    arvis_history *h = calloc(1, sizeof *h);
    if (!h) {
        return ARVIS_E_NOMEM;
    }
    h->max = max_messages ? max_messages : 1;
    *out = h;
    return ARVIS_OK;
}

static int push(arvis_history *h, const char *role, const char *content, double time, bool cut)
{
    if (h->count == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        arvis_llm_message *items = realloc(h->items, cap * sizeof *items);
        if (!items) {
            return ARVIS_E_NOMEM;
        }
        h->items = items;
        h->cap = cap;
    }
    arvis_llm_message m = {strdup(role), strdup(content), time, cut};
    if (!m.role || !m.content) {
        message_free(&m);
        return ARVIS_E_NOMEM;
    }
    h->items[h->count++] = m;
    /* The oldest go first. */
    if (h->count > h->max) {
        size_t drop = h->count - h->max;
        for (size_t i = 0; i < drop; i++) {
            message_free(&h->items[i]);
        }
        memmove(h->items, h->items + drop, (h->count - drop) * sizeof *h->items);
        h->count -= drop;
        h->first += drop;
    }
    return ARVIS_OK;
}

int arvis_history_add(arvis_history *h, const char *role, const char *content, bool cut)
{
    if (strcmp(role, "user") != 0 && strcmp(role, "assistant") != 0) {
        return ARVIS_E_INVAL; /* the file could not be read back */
    }
    return push(h, role, content, arvis_clock_wall(), cut);
}

int arvis_history_amend_last(arvis_history *h, const char *content, bool cut)
{
    arvis_llm_message *m = h->count ? &h->items[h->count - 1] : NULL;
    if (!m || strcmp(m->role, "assistant") != 0) {
        return ARVIS_E_STATE;
    }
    char *copy = strdup(content);
    if (!copy) {
        return ARVIS_E_NOMEM;
    }
    free(m->content);
    m->content = copy;
    m->cut = cut;
    return ARVIS_OK;
}

/* Reads the messages of a parsed file; false when it is not a history. */
static bool read_messages(arvis_history *h, const cJSON *root)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "messages");
    if (!cJSON_IsArray(list)) {
        return false;
    }
    const cJSON *first = cJSON_GetObjectItemCaseSensitive(root, "first");
    if (cJSON_IsNumber(first) && first->valuedouble >= 0 && first->valuedouble < 1e15) {
        h->first = (size_t)first->valuedouble;
    }
    for (const cJSON *m = list->child; m; m = m->next) {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
        const cJSON *time = cJSON_GetObjectItemCaseSensitive(m, "time");
        const cJSON *cut = cJSON_GetObjectItemCaseSensitive(m, "cut");
        if (!cJSON_IsString(role) || !cJSON_IsString(content) ||
            (strcmp(role->valuestring, "user") != 0 &&
             strcmp(role->valuestring, "assistant") != 0)) {
            return false;
        }
        if (push(h, role->valuestring, content->valuestring,
                 cJSON_IsNumber(time) ? time->valuedouble : 0, cJSON_IsTrue(cut)) != ARVIS_OK) {
            return false;
        }
    }
    return true;
}

/* A damaged history is kept for the user under another name; a new one starts. */
static void move_aside(arvis_history *h, const char *why, arvis_error *err)
{
    size_t n = strlen(h->path) + sizeof ".corrupt.999";
    char *aside = malloc(n);
    if (aside) {
        /* An earlier damaged file is not overwritten. */
        snprintf(aside, n, "%s.corrupt", h->path);
        for (int i = 2; i < 1000 && access(aside, F_OK) == 0; i++) {
            snprintf(aside, n, "%s.corrupt.%d", h->path, i);
        }
        if (rename(h->path, aside) == 0) {
            arvis_error_set(err, ARVIS_OK,
                            "%s could not be read (%s); it was kept as %s and a "
                            "new conversation starts",
                            h->path, why, aside);
        } else {
            arvis_error_set(err, ARVIS_OK, "%s could not be read (%s); a new conversation starts",
                            h->path, why);
        }
    }
    free(aside);
    for (size_t i = 0; i < h->count; i++) {
        message_free(&h->items[i]);
    }
    h->count = 0;
    h->first = 0;
}

int arvis_history_load(const char *path, size_t max_messages, arvis_history **out, arvis_error *err)
{
    arvis_error_clear(err);
    arvis_history *h = calloc(1, sizeof *h);
    if (!h) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    h->max = max_messages ? max_messages : 1;
    int rc = path ? ((h->path = strdup(path)) ? ARVIS_OK : ARVIS_E_NOMEM)
                  : arvis_place_file(ARVIS_PLACE_DATA, "history.json", &h->path, err);
    if (rc != ARVIS_OK) {
        arvis_history_free(h);
        return rc == ARVIS_E_NOMEM ? arvis_error_set(err, rc, "out of memory") : rc;
    }
    char *text = NULL;
    size_t len = 0;
    arvis_error ferr;
    rc = arvis_file_read(h->path, HISTORY_FILE_MAX, &text, &len, &ferr);
    if (rc == ARVIS_E_NOTFOUND) {
        *out = h;
        return ARVIS_OK;
    }
    if (rc == ARVIS_E_TOOBIG || rc == ARVIS_E_INVAL) {
        move_aside(h, ferr.msg, err);
        *out = h;
        return ARVIS_OK;
    }
    if (rc != ARVIS_OK) {
        arvis_history_free(h);
        if (err) {
            *err = ferr;
        }
        return rc;
    }
    cJSON *root = NULL;
    arvis_error perr;
    if (arvis_json_parse(text, len, &root, &perr) != ARVIS_OK) {
        move_aside(h, perr.msg, err);
    } else if (!read_messages(h, root)) {
        move_aside(h, "it is not a list of messages", err);
    }
    cJSON_Delete(root);
    free(text);
    *out = h;
    return ARVIS_OK;
}

char *arvis_history_to_json(const arvis_history *h)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *list = root ? cJSON_AddArrayToObject(root, "messages") : NULL;
    bool ok = root && cJSON_AddNumberToObject(root, "format", HISTORY_FORMAT) && list &&
              cJSON_AddNumberToObject(root, "first", (double)h->first);
    for (size_t i = 0; ok && i < h->count; i++) {
        const arvis_llm_message *m = &h->items[i];
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(list, o) && cJSON_AddStringToObject(o, "role", m->role) &&
             cJSON_AddStringToObject(o, "content", m->content) &&
             cJSON_AddNumberToObject(o, "time", m->time) &&
             (!m->cut || cJSON_AddTrueToObject(o, "cut"));
    }
    char *text = ok ? arvis_json_print(root, 2) : NULL;
    cJSON_Delete(root);
    return text;
}

int arvis_history_save(const arvis_history *h, arvis_error *err)
{
    if (!h->path) {
        return ARVIS_OK; /* kept in memory only */
    }
    char *text = arvis_history_to_json(h);
    if (!text) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    char *dir = arvis_path_dirname(h->path);
    int rc = dir ? arvis_mkdirs(dir, DATA_DIR_MODE, err)
                 : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    if (rc == ARVIS_OK) {
        rc = arvis_file_write_atomic(h->path, text, strlen(text), err);
    }
    free(dir);
    free(text);
    return rc;
}

int arvis_history_clear(arvis_history *h, arvis_error *err)
{
    for (size_t i = 0; i < h->count; i++) {
        message_free(&h->items[i]);
    }
    h->count = 0;
    h->first = 0;
    return arvis_history_save(h, err);
}
