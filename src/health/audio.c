/* The audio checker: a sound sink is there. PulseAudio answering is HEALTHY; without it speech
 * can still be written to files, which is DEGRADED. */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "arvis/audio.h"
#include "health_internal.h"

static void audio_check_run(void *state, struct health_outcome *out)
{
    (void)state;
    bool pulse = arvis_pulse_available(NULL);
    cJSON_AddBoolToObject(out->details, "pulse", pulse);
    if (pulse) {
        health_set(out, ARVIS_HEALTH_HEALTHY, "PulseAudio answers");
    } else {
        health_set(out, ARVIS_HEALTH_DEGRADED,
                   "no PulseAudio server answers; speech can still go to files (start one with "
                   "`pulseaudio --start`)");
    }
}

const struct health_checker_ops health_audio_ops = {
    .name = "audio",
    .create = health_stateless_create,
    .run = audio_check_run,
    .interrupt = NULL,
    .destroy = health_stateless_destroy,
};
