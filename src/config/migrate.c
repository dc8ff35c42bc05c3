/* Config versions: the table of stepwise migrations (vN -> vN+1), what every step uses to carry
 * values over without overwriting any, and parking values that did not fit in the legacy section,
 * so a migrated file always validates and loses nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/json.h"
#include "config_internal.h"

enum {
    KEY_MAX = 256,
    SEGS_MAX = CONFIG_MIG_DEPTH_MAX,
    WHY_MAX = 512,
    PLACED_FIRST_CAP = 32,
};

struct migration {
    int from;
    const char *what;
    int (*step)(cJSON *layer, arvis_config_report *report, arvis_error *err);
};

/* Adding a layout change: bump ARVIS_CONFIG_VERSION and the schema's config_version bounds,
 * then add one line here and one function. */
static const struct migration migrations[] = {
    {0, "the Arvis v1.5 layout", config_migrate_v0_to_v1},
};

int config_layer_version(const cJSON *layer, const char *path, int *version, arvis_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(layer, "config_version");
    if (!v) {
        *version = 0;
        return ARVIS_OK;
    }
    if (!cJSON_IsNumber(v) || floor(v->valuedouble) != v->valuedouble || v->valuedouble < 0) {
        char found[64];
        arvis_json_describe(v, found, sizeof found);
        return arvis_error_set(err, ARVIS_E_SCHEMA,
                               "%s: config_version: expected a whole number from 0 (the Arvis v1.5 "
                               "layout) to %d, found %s",
                               path, ARVIS_CONFIG_VERSION, found);
    }
    if (v->valuedouble > ARVIS_CONFIG_VERSION) {
        return arvis_error_set(err, ARVIS_E_VERSION,
                               "%s: config_version %.0f is newer than this Arvis understands (up "
                               "to %d): update Arvis, or use an older file such as the .bak "
                               "beside it",
                               path, v->valuedouble, ARVIS_CONFIG_VERSION);
    }
    *version = (int)v->valuedouble;
    return ARVIS_OK;
}

int config_stamp_version(cJSON *layer, int version)
{
    cJSON_DeleteItemFromObjectCaseSensitive(layer, "config_version");
    cJSON *item = cJSON_CreateNumber(version);
    char *name = strdup("config_version");
    if (!item || !name) {
        cJSON_Delete(item);
        free(name);
        return ARVIS_E_NOMEM;
    }
    item->string = name;
    if (!layer->child) {
        layer->child = item;
        item->prev = item;
        return ARVIS_OK;
    }
    return cJSON_InsertItemInArray(layer, 0, item) ? ARVIS_OK : ARVIS_E_NOMEM;
}

int config_migrate_layer(cJSON *layer, int from, arvis_config_report *report, arvis_error *err)
{
    for (int v = from; v < ARVIS_CONFIG_VERSION; v++) {
        const struct migration *m = NULL;
        for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
            if (migrations[i].from == v) {
                m = &migrations[i];
            }
        }
        if (!m) {
            return arvis_error_set(err, ARVIS_E_VERSION, "no migration from config_version %d", v);
        }
        int rc = m->step(layer, report, err);
        if (rc == ARVIS_OK) {
            rc = config_stamp_version(layer, v + 1);
        }
        if (rc != ARVIS_OK) {
            return rc == ARVIS_E_NOMEM ? arvis_error_set(err, rc, "out of memory") : rc;
        }
    }
    return config_migrate_park_invalid(layer, report, err);
}

/* Records where merge_keep had to put a value because its place was taken. */
struct kept_at {
    char first[KEY_MAX]; /* the first place merge_keep had to rename, below legacy */
    size_t renamed;
};

static void note_renamed(const char *path, void *ud)
{
    struct kept_at *k = ud;
    if (k->renamed++ == 0) {
        snprintf(k->first, sizeof k->first, "%s", path);
    }
}

/* Appends ".seg" for segs[from..n) to out. */
static void add_segs(char *out, size_t size, const char *const *segs, size_t from, size_t n)
{
    size_t used = strlen(out);
    for (size_t i = from; i < n && used < size; i++) {
        int w = snprintf(out + used, size - used, ".%s", segs[i]);
        used += w > 0 ? (size_t)w : 0;
    }
}

int config_legacy_store(cJSON *layer, const char *const *segs, size_t n, cJSON *value, char *where,
                        size_t size)
{
    cJSON *legacy = cJSON_GetObjectItemCaseSensitive(layer, "legacy");
    if (!legacy && !(legacy = cJSON_AddObjectToObject(layer, "legacy"))) {
        cJSON_Delete(value);
        return ARVIS_E_NOMEM;
    }
    if (!cJSON_IsObject(legacy) || n == 0) {
        cJSON_Delete(value);
        return ARVIS_E_INVAL;
    }
    /* The level where something is in the way: a value that is not an object on the path, or
     * one at the very place (n when nothing is). */
    size_t in_way = 0;
    for (const cJSON *o = legacy; in_way < n; in_way++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, segs[in_way]);
        if (!x) {
            in_way = n;
            break;
        }
        if (in_way == n - 1 || !cJSON_IsObject(x)) {
            break;
        }
        o = x;
    }
    /* {segs[0]: {segs[1]: ... value}}, merged without replacing anything legacy holds. */
    cJSON *wrap = value;
    for (size_t i = n; wrap && i-- > 0;) {
        cJSON *obj = cJSON_CreateObject();
        if (!obj || !cJSON_AddItemToObject(obj, segs[i], wrap)) {
            cJSON_Delete(obj);
            cJSON_Delete(wrap);
            return ARVIS_E_NOMEM;
        }
        wrap = obj;
    }
    struct kept_at k = {"", 0};
    int rc = arvis_json_merge_keep(legacy, wrap, note_renamed, &k);
    cJSON_Delete(wrap);
    if (size > 0) {
        /* One rename, where the path met something in the way; an object merged into one
         * already there may have had keys renamed inside, but it is at its place. */
        bool moved = k.renamed == 1 && in_way < n;
        snprintf(where, size, "legacy%s%s", moved ? "." : "", moved ? k.first : "");
        add_segs(where, size, segs, moved ? in_way + 1 : 0, n);
    }
    return rc;
}

/* A value placed in the new tree: where it went, which old key it came from, and how strong
 * its claim is (0 for a key that kept its name, else 1 + its rule's place in the tables). */
struct config_placed {
    char to[KEY_MAX];
    char from[KEY_MAX];
    size_t rank;
};

static void set_rc(struct config_mig *m, int rc)
{
    if (rc != ARVIS_OK && m->rc == ARVIS_OK) {
        m->rc = rc;
    }
}

/* The legacy object for segs[0..d), made when missing; NULL when a value that is not an object
 * holds its place (config_legacy_store then finds a free name). */
static cJSON *legacy_level(struct config_mig *m, size_t d)
{
    if (m->level[d] || m->rc != ARVIS_OK) {
        return m->level[d];
    }
    cJSON *parent = d == 0 ? m->out : legacy_level(m, d - 1);
    const char *name = d == 0 ? "legacy" : m->segs[d - 1];
    cJSON *obj = parent ? cJSON_GetObjectItemCaseSensitive(parent, name) : NULL;
    if (parent && !obj && !(obj = cJSON_AddObjectToObject(parent, name))) {
        set_rc(m, ARVIS_E_NOMEM);
    }
    m->level[d] = cJSON_IsObject(obj) ? obj : NULL;
    return m->level[d];
}

void config_mig_keep(struct config_mig *m)
{
    if (m->kept) {
        return;
    }
    m->kept = true;
    cJSON *copy = cJSON_Duplicate(m->cur, 1);
    cJSON *obj = copy ? legacy_level(m, m->depth) : NULL;
    if (obj) {
        if (!cJSON_AddItemToObject(obj, m->segs[m->depth], copy)) {
            cJSON_Delete(copy);
            set_rc(m, ARVIS_E_NOMEM);
        }
        return;
    }
    char where[KEY_MAX];
    set_rc(m, copy ? config_legacy_store(m->out, m->segs, m->depth + 1, copy, where, sizeof where)
                   : ARVIS_E_NOMEM);
}

static struct config_placed *find_placed(struct config_mig *m, const char *to)
{
    for (size_t i = 0; i < m->n_placed; i++) {
        if (strcmp(m->placed[i].to, to) == 0) {
            return &m->placed[i];
        }
    }
    return NULL;
}

static void record_placed(struct config_mig *m, const char *to)
{
    struct config_placed *p = find_placed(m, to);
    if (!p && m->n_placed == m->cap_placed) {
        size_t cap = m->cap_placed ? m->cap_placed * 2 : PLACED_FIRST_CAP;
        struct config_placed *more = realloc(m->placed, cap * sizeof *more);
        if (!more) {
            set_rc(m, ARVIS_E_NOMEM);
            return;
        }
        m->placed = more;
        m->cap_placed = cap;
    }
    if (!p) {
        p = &m->placed[m->n_placed++];
    }
    snprintf(p->to, sizeof p->to, "%s", to);
    snprintf(p->from, sizeof p->from, "%s", m->path);
    p->rank = m->rank;
}

/* The old value of an earlier placement lost its place to a stronger key: it goes to legacy,
 * unless its transform kept it there already. */
static void evict(struct config_mig *m, const struct config_placed *p)
{
    const cJSON *orig = arvis_json_at(m->old, p->from);
    char legacy_path[KEY_MAX + 8];
    snprintf(legacy_path, sizeof legacy_path, "legacy.%s", p->from);
    char where[KEY_MAX + 16];
    snprintf(where, sizeof where, "%s", legacy_path);
    const cJSON *there = arvis_json_at(m->out, legacy_path);
    if (orig && !(there && arvis_json_equal(there, orig))) {
        char buf[KEY_MAX];
        const char *segs[CONFIG_MIG_DEPTH_MAX];
        size_t n = 0;
        cJSON *copy = cJSON_Duplicate(orig, 1);
        if (!copy || !config_issue_segs(p->from, buf, sizeof buf, segs, CONFIG_MIG_DEPTH_MAX, &n)) {
            cJSON_Delete(copy);
            set_rc(m, ARVIS_E_NOMEM);
            return;
        }
        set_rc(m, config_legacy_store(m->out, segs, n, copy, where, sizeof where));
    }
    report_add(m->report, ARVIS_CONFIG_WARNING, p->from, "kept-in-legacy", NULL, NULL,
               "%s: %s now comes from %s; this value is kept as %s", p->from, p->to, m->path,
               where);
}

void config_mig_place(struct config_mig *m, const char *to, cJSON *value)
{
    if (!value) {
        set_rc(m, ARVIS_E_NOMEM);
        return;
    }
    char why[WHY_MAX] = "";
    bool as_is = strcmp(to, m->path) == 0 && arvis_json_equal(value, m->cur);
    bool taken = arvis_json_at(m->out, to) != NULL;
    struct config_placed *p = taken ? find_placed(m, to) : NULL;
    int rc = ARVIS_OK;
    if (taken && (!p || p->rank <= m->rank)) {
        snprintf(why, sizeof why, "%s already comes from %s", to, p ? p->from : "another key");
    } else if (as_is || config_value_fits(to, value, why, sizeof why)) {
        if (p) {
            evict(m, p);
        }
        rc = arvis_json_put(m->out, to, value);
        value = NULL;
        if (rc == ARVIS_OK) {
            record_placed(m, to);
            return;
        }
        snprintf(why, sizeof why, "a value that is not an object is in the way");
    }
    cJSON_Delete(value);
    if (rc != ARVIS_OK && rc != ARVIS_E_INVAL) {
        set_rc(m, rc);
        return;
    }
    config_mig_keep(m);
    report_add(m->report, ARVIS_CONFIG_WARNING, m->path, "kept-in-legacy", NULL, NULL,
               "%s: cannot become %s (%s); the old value is kept as legacy.%s", m->path, to, why,
               m->path);
}

static void legacy_renamed(const char *path, void *ud)
{
    struct config_mig *m = ud;
    report_add(m->report, ARVIS_CONFIG_WARNING, NULL, "kept-in-legacy", NULL, NULL,
               "legacy: the old legacy section and the migration both have a value there; the "
               "old section's is kept as legacy.%s",
               path);
}

/* The old file's own legacy section joins the new one without replacing what the migration
 * stored there; one that is not an object is kept as legacy.legacy. */
static void merge_old_legacy(struct config_mig *m)
{
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(m->old, "legacy");
    if (!old || m->rc != ARVIS_OK) {
        return;
    }
    if (!cJSON_IsObject(old)) {
        static const char *const segs[] = {"legacy"};
        char where[KEY_MAX];
        cJSON *copy = cJSON_Duplicate(old, 1);
        set_rc(m, copy ? config_legacy_store(m->out, segs, 1, copy, where, sizeof where)
                       : ARVIS_E_NOMEM);
        report_add(m->report, ARVIS_CONFIG_WARNING, "legacy", "type", "an object", NULL,
                   "legacy: expected an object, found %s; it is kept as %s",
                   arvis_json_type_name(old), where);
        return;
    }
    cJSON *legacy = legacy_level(m, 0);
    set_rc(m, legacy ? arvis_json_merge_keep(legacy, old, legacy_renamed, m) : ARVIS_E_NOMEM);
}

int config_mig_finish(struct config_mig *m, cJSON *layer, arvis_error *err)
{
    merge_old_legacy(m);
    /* The legacy section goes last: it is what a reader needs least. */
    cJSON *legacy = cJSON_DetachItemFromObjectCaseSensitive(m->out, "legacy");
    if (legacy && !cJSON_AddItemToObject(m->out, "legacy", legacy)) {
        cJSON_Delete(legacy);
        set_rc(m, ARVIS_E_NOMEM);
    }
    free(m->placed);
    m->placed = NULL;
    if (m->rc != ARVIS_OK) {
        cJSON_Delete(m->out);
        return arvis_error_set(err, m->rc, "cannot migrate: %s", arvis_strerror(m->rc));
    }
    /* Swap the new tree into the caller's object. */
    cJSON *old_child = layer->child;
    layer->child = m->out->child;
    m->out->child = old_child;
    cJSON_Delete(m->out);
    return ARVIS_OK;
}

/* Removes the value at segs from layer and returns it; objects left empty go too. */
static cJSON *take_segs(cJSON *layer, const char *const *segs, size_t n)
{
    cJSON *chain[SEGS_MAX];
    cJSON *obj = layer;
    for (size_t i = 0; i + 1 < n; i++) {
        chain[i] = obj;
        obj = cJSON_GetObjectItemCaseSensitive(obj, segs[i]);
        if (!cJSON_IsObject(obj)) {
            return NULL;
        }
    }
    cJSON *taken = cJSON_DetachItemFromObjectCaseSensitive(obj, segs[n - 1]);
    for (size_t j = n - 1; taken && j-- > 0 && !obj->child;) {
        cJSON_DeleteItemFromObjectCaseSensitive(chain[j], segs[j]);
        obj = chain[j];
    }
    return taken;
}

/* Moves the value an issue is about into legacy (an error inside an array moves the array). */
static int park(cJSON *layer, const arvis_config_issue *it, arvis_config_report *report)
{
    char buf[KEY_MAX];
    const char *segs[SEGS_MAX];
    size_t n = 0;
    if (!it->path || !config_issue_segs(it->path, buf, sizeof buf, segs, SEGS_MAX, &n) || n == 0) {
        return ARVIS_E_NOTFOUND;
    }
    cJSON *value = take_segs(layer, segs, n);
    if (!value) {
        return ARVIS_E_NOTFOUND;
    }
    char key[KEY_MAX];
    snprintf(key, sizeof key, "%.*s", (int)strcspn(it->path, "["), it->path);
    char found[96];
    arvis_json_describe(value, found, sizeof found);
    char where[KEY_MAX + 16];
    int rc = config_legacy_store(layer, segs, n, value, where, sizeof where);
    if (rc == ARVIS_OK) {
        rc = report_add(
            report, ARVIS_CONFIG_WARNING, key[0] ? key : it->path, "kept-in-legacy", it->expected,
            found, "%s; the old value is kept as %s and the default applies", it->message, where);
    }
    return rc;
}

/* Rounds until the layer validates: each sees the first ARVIS_CONFIG_REPORT_MAX problems and
 * parks their values, so any number of bad values is parked. Every round moves at least one
 * value into legacy, where nothing is invalid, so the rounds end. */
int config_migrate_park_invalid(cJSON *layer, arvis_config_report *report, arvis_error *err)
{
    for (;;) {
        arvis_config_report found;
        arvis_config_report_init(&found);
        int rc = config_check_file_layer(layer, &found, NULL, "");
        size_t parked = 0;
        for (size_t i = 0; rc != ARVIS_OK && i < found.count; i++) {
            int prc = park(layer, &found.items[i], report);
            if (prc == ARVIS_E_NOMEM) {
                arvis_config_report_free(&found);
                return arvis_error_set(err, prc, "out of memory");
            }
            parked += prc == ARVIS_OK;
        }
        arvis_config_report_free(&found);
        if (rc == ARVIS_OK) {
            return ARVIS_OK;
        }
        if (parked == 0) {
            return arvis_error_set(err, ARVIS_E_SCHEMA,
                                   "the migrated configuration still does not validate; fix the "
                                   "file by hand (`arvis config validate` lists the problems)");
        }
    }
}
