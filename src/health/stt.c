/* The STT checker: there is no speech recognition engine in this build yet, so nothing can be
 * known about it. */
#include "health_internal.h"

static void stt_check_run(void *state, struct health_outcome *out)
{
    (void)state;
    health_set(out, ARVIS_HEALTH_UNKNOWN,
               "speech input is not built yet: there is no speech recognition engine to check");
}

const struct health_checker_ops health_stt_ops = {
    .name = "stt",
    .create = health_stateless_create,
    .run = stt_check_run,
    .interrupt = NULL,
    .destroy = health_stateless_destroy,
};
