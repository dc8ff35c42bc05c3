/* Helpers for the health tests: run every check once on a configuration, and find one
 * component's result in the report. Include after cmocka's prerequisites. */
#ifndef ARVIS_HEALTH_TEST_UTIL_H
#define ARVIS_HEALTH_TEST_UTIL_H

#include <string.h>

#include "arvis/health.h"

/* The result for component in r; fails the test when it is missing. */
static inline const arvis_health_result *ht_find(const arvis_health_report *r,
                                                 const char *component)
{
    for (size_t i = 0; i < r->count; i++) {
        if (strcmp(r->results[i].component, component) == 0) {
            return &r->results[i];
        }
    }
    fail_msg("no result for %s", component);
    return &r->results[0]; /* not reached: fail_msg ends the test */
}

/* Checks everything at now_ms with a new health object over cfg; the caller frees the report. */
static inline arvis_health_report *ht_check_once(const arvis_config *cfg)
{
    arvis_health *h = NULL;
    arvis_health_report *r = NULL;
    arvis_error err;
    assert_int_equal(arvis_health_create(cfg, &h, &err), ARVIS_OK);
    if (arvis_health_check(h, &r, &err) != ARVIS_OK) {
        fail_msg("health check failed: %s", err.msg);
    }
    arvis_health_destroy(h);
    return r;
}

/* Fails the test, printing the message, when haystack does not contain needle. */
#define ht_assert_has(haystack, needle)                                                            \
    do {                                                                                           \
        if (!strstr((haystack), (needle))) {                                                       \
            fail_msg("\"%s\" does not contain \"%s\"", (haystack), (needle));                      \
        }                                                                                          \
    } while (0)

#endif
