/* The wake phrase spotter of a build without pocketsphinx: creating one says what is missing,
 * so a caller can fall back to push-to-talk. */
#include <stddef.h>

#include "arvis/stt.h"

int arvis_wake_create(const arvis_config *cfg, arvis_wake **out, arvis_error *err)
{
    (void)cfg;
    *out = NULL;
    return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                           "this build of Arvis has no wake phrase spotter: rebuild it with "
                           "libpocketsphinx-dev installed");
}

void arvis_wake_destroy(arvis_wake *w)
{
    (void)w;
}

int arvis_wake_feed(arvis_wake *w, const int16_t *pcm, size_t n, bool *heard, arvis_error *err)
{
    (void)w;
    (void)pcm;
    (void)n;
    if (heard) {
        *heard = false;
    }
    return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                           "this build of Arvis has no wake phrase spotter");
}

int arvis_wake_set_speaking(arvis_wake *w, bool speaking, arvis_error *err)
{
    (void)w;
    (void)speaking;
    return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                           "this build of Arvis has no wake phrase spotter");
}

void arvis_wake_reset(arvis_wake *w)
{
    (void)w;
}
