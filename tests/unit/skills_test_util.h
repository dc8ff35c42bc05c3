/* Helpers for the skills tests: a skill set from config overrides, and asking it something
 * with the answer and the skill that gave it checked. */
#ifndef ARVIS_SKILLS_TEST_UTIL_H
#define ARVIS_SKILLS_TEST_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/skills.h"
#include "test_util.h"

/* A skill set from the NULL-terminated "key=value" overrides (may be NULL); fails the test when
 * it cannot be made. Free it with st_free. */
static inline arvis_skills *st_skills(const char *const *sets, const arvis_skills_hooks *hooks)
{
    arvis_config *cfg = tu_config(sets);
    arvis_skills *s = NULL;
    arvis_error err = {0};
    int rc = arvis_skills_create(cfg, hooks, &s, &err);
    if (rc != ARVIS_OK) {
        print_error("skills: %s\n", err.msg);
    }
    assert_int_equal(rc, ARVIS_OK);
    arvis_config_free(cfg);
    return s;
}

/* Asks request at now_ms and checks that skill (NULL: none) answered with expect (NULL: any
 * answer). Returns the answer, which the caller frees (NULL when none answered). */
static inline char *st_ask(arvis_skills *s, const char *request, uint64_t now_ms, const char *skill,
                           const char *expect)
{
    arvis_skill_reply reply = {"not set", (char *)"not set"};
    arvis_error err = {0};
    int rc = arvis_skills_handle(s, request, now_ms, &reply, &err);
    print_message("# \"%s\" -> %s: %s\n", request, reply.skill ? reply.skill : "none",
                  rc == ARVIS_OK ? reply.text : err.msg);
    if (!skill) {
        assert_int_equal(rc, ARVIS_E_NOTFOUND);
        assert_null(reply.skill);
        assert_null(reply.text);
        assert_non_null(strstr(err.msg, "language model"));
        return NULL;
    }
    assert_int_equal(rc, ARVIS_OK);
    assert_non_null(reply.skill);
    assert_string_equal(reply.skill, skill);
    assert_non_null(reply.text);
    if (expect) {
        assert_string_equal(reply.text, expect);
    }
    return reply.text;
}

/* st_ask without keeping the answer. */
static inline void st_check(arvis_skills *s, const char *request, uint64_t now_ms,
                            const char *skill, const char *expect)
{
    free(st_ask(s, request, now_ms, skill, expect));
}

#endif
