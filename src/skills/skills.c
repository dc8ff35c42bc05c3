/* The skill table and the router: a skill set made from skills.* of the config, requests
 * normalised once and offered to the enabled skills in the table's order, under one lock. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <pthread.h>

#include "skills_internal.h"

/* The order the router tries them. Shapes do not overlap, but the cheap exact-phrase skills go
 * first and help last, so a skill that reads numbers never sees "help". */
static const struct skill_ops *const table[] = {
    &skill_time_ops,       &skill_date_ops,          &skill_timer_ops,
    &skill_arithmetic_ops, &skill_system_status_ops, &skill_assistant_status_ops,
    &skill_help_ops,
};

enum {
    N_SKILLS = sizeof table / sizeof table[0],
    QUOTED_MAX = 80,      /* bytes of a request or name quoted in a message */
    NAMES_TEXT_MAX = 256, /* the list of skill names in a message */
};

struct arvis_skills {
    pthread_mutex_t lock; /* guards ctx: the timers above all */
    struct skill_ctx ctx;
    const struct skill_ops *enabled[N_SKILLS + 1];
};

static const char *names[N_SKILLS + 1];

static void list_names(void)
{
    for (size_t i = 0; i < N_SKILLS; i++) {
        names[i] = table[i]->name;
    }
}

const char *const *arvis_skill_names(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, list_names);
    return names;
}

static const struct skill_ops *find(const char *name)
{
    for (size_t i = 0; name && i < N_SKILLS; i++) {
        if (strcmp(table[i]->name, name) == 0) {
            return table[i];
        }
    }
    return NULL;
}

const char *arvis_skill_describe(const char *name)
{
    const struct skill_ops *ops = find(name);
    return ops ? ops->description : NULL;
}

/* Marks the skills skills.enabled names, refusing a name this build does not have. */
static int read_enabled(const arvis_config *cfg, bool on[N_SKILLS], arvis_error *err)
{
    const cJSON *list = arvis_config_get(cfg, "skills.enabled");
    if (!cJSON_IsArray(list)) {
        return arvis_error_set(err, ARVIS_E_INVAL, "skills.enabled must be a list of skill names");
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        const char *name = cJSON_GetStringValue(item);
        const struct skill_ops *ops = find(name);
        if (!ops) {
            arvis_buf known;
            arvis_buf_init(&known, NAMES_TEXT_MAX);
            arvis_buf_join(&known, arvis_skill_names(), ", ");
            arvis_error_set(
                err, ARVIS_E_INVAL,
                "skills.enabled names \"%.*s\", which this build does not have; it has %s",
                QUOTED_MAX, name ? name : "", arvis_buf_str(&known));
            arvis_buf_free(&known);
            return ARVIS_E_INVAL;
        }
        for (size_t i = 0; i < N_SKILLS; i++) {
            on[i] = on[i] || table[i] == ops;
        }
    }
    return ARVIS_OK;
}

int arvis_skills_create(const arvis_config *cfg, const arvis_skills_hooks *hooks,
                        arvis_skills **out, arvis_error *err)
{
    *out = NULL;
    if (!cfg) {
        return arvis_error_set(err, ARVIS_E_INVAL, "the skills need a configuration");
    }
    bool on[N_SKILLS] = {false};
    int rc = read_enabled(cfg, on, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    arvis_skills *s = calloc(1, sizeof *s);
    int64_t max_timers = arvis_config_int(cfg, "skills.timer.max_active");
    if (s && max_timers > 0) {
        s->ctx.timers = calloc((size_t)max_timers, sizeof *s->ctx.timers);
    }
    if (!s || !s->ctx.timers || pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s ? s->ctx.timers : NULL);
        free(s);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting the skills");
    }
    s->ctx.max_timers = (size_t)max_timers;
    int64_t max_s = arvis_config_int(cfg, "skills.timer.max_duration_s");
    s->ctx.max_duration_s = max_s > 0 ? (uint64_t)max_s : 0;
    if (hooks) {
        s->ctx.hooks = *hooks;
    }
    for (size_t i = 0, k = 0; i < N_SKILLS; i++) {
        if (on[i]) {
            s->enabled[k++] = table[i];
        }
    }
    s->ctx.enabled = s->enabled;
    *out = s;
    return ARVIS_OK;
}

void arvis_skills_destroy(arvis_skills *s)
{
    if (!s) {
        return;
    }
    pthread_mutex_destroy(&s->lock);
    free(s->ctx.timers);
    free(s);
}

/* Offers the normalised request to each enabled skill in turn; the lock is held. */
static int route(arvis_skills *s, const char *norm, uint64_t now_ms, arvis_skill_reply *reply,
                 arvis_error *err)
{
    for (size_t i = 0; s->enabled[i]; i++) {
        char *answer = NULL;
        int rc = s->enabled[i]->handle(&s->ctx, norm, now_ms, &answer);
        if (rc < 0) {
            return arvis_error_set(err, rc, "the %s skill could not answer: %s",
                                   s->enabled[i]->name, arvis_strerror(rc));
        }
        if (rc > 0) {
            reply->skill = s->enabled[i]->name;
            reply->text = answer;
            return ARVIS_OK;
        }
    }
    return ARVIS_E_NOTFOUND;
}

int arvis_skills_handle(arvis_skills *s, const char *request, uint64_t now_ms,
                        arvis_skill_reply *reply, arvis_error *err)
{
    if (!s || !request || !reply) {
        return arvis_error_set(err, ARVIS_E_INVAL, "the skills need a request and a reply");
    }
    reply->skill = NULL;
    reply->text = NULL;
    int rc = ARVIS_E_NOTFOUND;
    char *norm = NULL;
    if (strlen(request) <= SK_REQUEST_MAX) {
        norm = skills_normalise(request);
        if (!norm) {
            return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory reading a request");
        }
        pthread_mutex_lock(&s->lock);
        rc = *norm ? route(s, norm, now_ms, reply, err) : ARVIS_E_NOTFOUND;
        pthread_mutex_unlock(&s->lock);
        free(norm);
    }
    if (rc == ARVIS_E_NOTFOUND) {
        arvis_error_set(err, rc, "no skill answers \"%.*s%s\"; it is for the language model",
                        QUOTED_MAX, request, strlen(request) > QUOTED_MAX ? "..." : "");
    }
    return rc;
}

uint64_t arvis_skills_next_timer(arvis_skills *s)
{
    if (!s) {
        return UINT64_MAX;
    }
    pthread_mutex_lock(&s->lock);
    uint64_t next = skill_timers_next(&s->ctx);
    pthread_mutex_unlock(&s->lock);
    return next;
}

char *arvis_skills_fire_timers(arvis_skills *s, uint64_t now_ms)
{
    if (!s) {
        return NULL;
    }
    pthread_mutex_lock(&s->lock);
    char *said = skill_timers_fire(&s->ctx, now_ms);
    pthread_mutex_unlock(&s->lock);
    return said;
}

size_t arvis_skills_active_timers(arvis_skills *s)
{
    if (!s) {
        return 0;
    }
    pthread_mutex_lock(&s->lock);
    size_t n = s->ctx.n_timers;
    pthread_mutex_unlock(&s->lock);
    return n;
}
