/* The time skill: "what time is it", "what's the time", "tell me the time" answered with the
 * local time, "It is 3:05 PM." */
#include <stdio.h>
#include <time.h>

#include "skills_internal.h"

enum { NOON = 12 };

static const char *const shapes[] = {
    "what time is it",
    "what time is it now",
    "what time is it right now",
    "what time it is",
    "tell me what time it is",
    "what is the time",
    "what is the time now",
    "what is the time right now",
    "what is the current time",
    "what is the time of day",
    "tell me the time",
    "tell me the current time",
    "have you got the time",
    "current time",
    "the current time",
    "the time",
    "time",
    NULL,
};

bool skill_local_time(const struct skill_ctx *ctx, struct tm *out)
{
    time_t now = ctx->hooks.now ? ctx->hooks.now(ctx->hooks.ud) : time(NULL);
    return localtime_r(&now, out) != NULL;
}

static int time_handle(struct skill_ctx *ctx, const char *normalised, uint64_t now_ms,
                       char **answer)
{
    (void)now_ms;
    if (!sk_asked(normalised, shapes)) {
        return 0;
    }
    struct tm tm;
    if (!skill_local_time(ctx, &tm)) {
        return ARVIS_E_INVAL;
    }
    int hour = tm.tm_hour % NOON ? tm.tm_hour % NOON : NOON;
    arvis_buf b;
    arvis_buf_init(&b, SK_ANSWER_MAX);
    arvis_buf_addf(&b, "It is %d:%02d %s.", hour, tm.tm_min, tm.tm_hour < NOON ? "AM" : "PM");
    return sk_answer(&b, answer);
}

const struct skill_ops skill_time_ops = {
    .name = "time",
    .description = "Tells the local time: \"what time is it\".",
    .can = "tell you the time",
    .handle = time_handle,
};
