/* Rate limiting: the times of the latest deliveries, at most the limit of one minute, in a
 * ring; a delivery is allowed when fewer than the limit fall within the last minute. */
#include <stdlib.h>

#include "notify_internal.h"

int notify_rate_init(notify_rate *r, size_t per_minute)
{
    r->cap = per_minute ? per_minute : 1;
    r->head = 0;
    r->count = 0;
    r->stamps = calloc(r->cap, sizeof *r->stamps);
    return r->stamps ? ARVIS_OK : ARVIS_E_NOMEM;
}

void notify_rate_free(notify_rate *r)
{
    free(r->stamps);
    r->stamps = NULL;
    r->count = 0;
}

bool notify_rate_allows(const notify_rate *r, double now)
{
    if (r->count < r->cap) {
        return true;
    }
    double oldest = r->stamps[r->head];
    /* A stamp far in the future means the wall clock jumped back: it no longer counts, so a
     * jump never silences notifications for longer than a minute. */
    return oldest <= now - NOTIFY_RATE_WINDOW_SEC || oldest > now + NOTIFY_RATE_WINDOW_SEC;
}

void notify_rate_record(notify_rate *r, double now)
{
    size_t at = (r->head + r->count) % r->cap;
    if (r->count == r->cap) {
        at = r->head;
        r->head = (r->head + 1) % r->cap;
    } else {
        r->count++;
    }
    r->stamps[at] = now;
}
