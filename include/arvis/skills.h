/* Offline skills: time, date, arithmetic, timers, system status, assistant status and help,
 * tried in a fixed order before a request goes to the language model. */
#ifndef ARVIS_SKILLS_H
#define ARVIS_SKILLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arvis/config.h"
#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The skills this build has, in the order the router tries them, NULL-terminated. */
const char *const *arvis_skill_names(void);

/* One line saying what a skill answers, with an example request; NULL for an unknown name. */
const char *arvis_skill_describe(const char *name);

typedef struct arvis_skills arvis_skills;

/* What the skills need from outside; every member may be left zero. */
typedef struct arvis_skills_hooks {
    /* Wall-clock time for the time and date skills; NULL for time(NULL). */
    time_t (*now)(void *ud);
    /* A sentence or two on the engines in use and their health, for the assistant status skill;
     * the caller frees it. NULL: that skill says it has nothing to report. */
    char *(*assistant_status)(void *ud);
    void *ud;
} arvis_skills_hooks;

/* Makes the skill set from skills.* of cfg (skills.enabled, skills.timer.*); hooks may be NULL. */
int arvis_skills_create(const arvis_config *cfg, const arvis_skills_hooks *hooks,
                        arvis_skills **out, arvis_error *err);
void arvis_skills_destroy(arvis_skills *s);

/* A skill's answer. */
typedef struct arvis_skill_reply {
    const char *skill; /* static: the skill that answered */
    char *text;        /* the answer, one or two plain sentences fit to be spoken; caller frees */
} arvis_skill_reply;

/* Tries the enabled skills in order on a request (a transcript or typed text, any case and
 * punctuation). ARVIS_OK with reply filled when one answered (an answer can be a refusal in
 * words: "I can only keep 10 timers at once."), ARVIS_E_NOTFOUND when none did: the request
 * goes to the language model. `now_ms` is the monotonic time the request is handled at (timers
 * are set from it). Thread-safe. */
int arvis_skills_handle(arvis_skills *s, const char *request, uint64_t now_ms,
                        arvis_skill_reply *reply, arvis_error *err);

/* Timers: when the next one is due (monotonic ms), or UINT64_MAX when none runs. */
uint64_t arvis_skills_next_timer(arvis_skills *s);

/* Removes the timers due at now_ms and returns what to say for them ("Your 5 minute timer is
 * done."), one sentence per timer, or NULL when none was due; the caller frees. */
char *arvis_skills_fire_timers(arvis_skills *s, uint64_t now_ms);

/* Timers running now. */
size_t arvis_skills_active_timers(arvis_skills *s);

#ifdef __cplusplus
}
#endif

#endif
