/* Lengths of time in words: read from a request ("1 hour and 30 minutes", "half an hour",
 * "a 10 second") and written for an answer ("1 hour and 30 minutes", "a 5 minute timer"). */
#include <stdio.h>
#include <string.h>

#include "skills_internal.h"

enum {
    MINUTE_S = 60,
    HOUR_S = 3600,
    DAY_S = 86400,
    UNITS = 4,      /* days, hours, minutes, seconds */
    UNIT_NAMES = 4, /* ways of writing one unit */
};

static const struct {
    const char *const names[UNIT_NAMES]; /* NULL after the last when fewer */
    unsigned seconds;
} units[UNITS] = {
    {{"day", "days", NULL}, DAY_S},
    {{"hour", "hours", "hr", "hrs"}, HOUR_S},
    {{"minute", "minutes", "min", "mins"}, MINUTE_S},
    {{"second", "seconds", "sec", "secs"}, 1},
};

static const char *const unit_names[UNITS] = {"day", "hour", "minute", "second"};

/* Seconds of the unit word at w[at], 0 when it is none. */
static unsigned unit_at(const struct sk_words *w, size_t at)
{
    for (size_t u = 0; at < w->n && u < UNITS; u++) {
        for (size_t k = 0; k < UNIT_NAMES && units[u].names[k]; k++) {
            if (strcmp(w->w[at], units[u].names[k]) == 0) {
                return units[u].seconds;
            }
        }
    }
    return 0;
}

/* One part: "5 minutes", "a minute", "one and a half hours", "an hour and a half",
 * "half an hour". */
static size_t part(const struct sk_words *w, size_t at, double *seconds)
{
    size_t half = sk_match(w, at, "half an");
    half = half ? half : sk_match(w, at, "half a");
    if (half && unit_at(w, at + half)) {
        *seconds = unit_at(w, at + half) / 2.0;
        return half + 1;
    }
    double count = 0;
    size_t n = numwords_parse(w, at, false, true, &count);
    if (!n || count < 0) {
        return 0;
    }
    size_t and_half = sk_match(w, at + n, "and a half");
    if (and_half && unit_at(w, at + n + and_half)) {
        *seconds = (count + 0.5) * unit_at(w, at + n + and_half);
        return n + and_half + 1;
    }
    unsigned unit = unit_at(w, at + n);
    if (!unit) {
        return 0;
    }
    n++;
    and_half = sk_match(w, at + n, "and a half");
    *seconds = (count + (and_half ? 0.5 : 0)) * unit;
    return n + and_half;
}

size_t sk_parse_duration(const struct sk_words *w, size_t at, double *seconds)
{
    double total = 0, s = 0;
    size_t used = part(w, at, &s);
    if (!used) {
        return 0;
    }
    total = s;
    for (;;) {
        size_t joint = sk_match(w, at + used, "and");
        size_t n = part(w, at + used + joint, &s);
        if (!n) {
            break;
        }
        total += s;
        used += joint + n;
    }
    *seconds = total;
    return used;
}

/* "1 hour, 2 minutes and 5 seconds" (plural) or "1 hour 2 minute 5 second" (adjective). */
static void format(uint64_t seconds, bool adjective, char *out, size_t size)
{
    uint64_t amount[UNITS];
    uint64_t left = seconds;
    size_t parts = 0;
    for (size_t u = 0; u < UNITS; u++) {
        amount[u] = left / units[u].seconds;
        left %= units[u].seconds;
        parts += amount[u] != 0;
    }
    out[0] = '\0';
    size_t done = 0, len = 0;
    for (size_t u = 0; u < UNITS && len < size; u++) {
        if (!amount[u]) {
            continue;
        }
        const char *sep = done == 0 ? "" : adjective ? " " : done + 1 == parts ? " and " : ", ";
        const char *plural = !adjective && amount[u] != 1 ? "s" : "";
        int k = snprintf(out + len, size - len, "%s%llu %s%s", sep, (unsigned long long)amount[u],
                         unit_names[u], plural);
        len += k > 0 ? (size_t)k : 0;
        done++;
    }
    if (parts == 0) {
        snprintf(out, size, adjective ? "0 second" : "0 seconds");
    }
}

void sk_format_duration(uint64_t seconds, char *out, size_t size)
{
    format(seconds, false, out, size);
}

void sk_format_duration_adjective(uint64_t seconds, char *out, size_t size)
{
    format(seconds, true, out, size);
}
