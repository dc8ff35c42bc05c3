/* The date skill: "what is the date", "what day is it today" answered with the local date,
 * "Today is Tuesday, November 24, 2026." */
#include <stdio.h>
#include <time.h>

#include "skills_internal.h"

enum { TM_YEAR_BASE = 1900 };

static const char *const shapes[] = {
    "what is the date",
    "what is the date today",
    "what is todays date",
    "what is the day",
    "what is the day today",
    "what is today",
    "what date is it",
    "what date is it today",
    "what day is it",
    "what day is it today",
    "what day is today",
    "which day is it",
    "which day is it today",
    "what day of the week is it",
    "what day of the week is it today",
    "tell me the date",
    "tell me todays date",
    "tell me what day it is",
    "todays date",
    "the date",
    "date",
    NULL,
};

/* English names whatever the locale: the answer is spoken by an English voice. */
static const char *const days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                   "Thursday", "Friday", "Saturday"};
static const char *const months[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};

static int date_handle(struct skill_ctx *ctx, const char *normalised, uint64_t now_ms,
                       char **answer)
{
    (void)now_ms;
    if (!sk_asked(normalised, shapes)) {
        return 0;
    }
    struct tm tm;
    if (!skill_local_time(ctx, &tm) || (size_t)tm.tm_wday >= sizeof days / sizeof days[0] ||
        (size_t)tm.tm_mon >= sizeof months / sizeof months[0]) {
        return ARVIS_E_INVAL;
    }
    arvis_buf b;
    arvis_buf_init(&b, SK_ANSWER_MAX);
    arvis_buf_addf(&b, "Today is %s, %s %d, %d.", days[tm.tm_wday], months[tm.tm_mon], tm.tm_mday,
                   tm.tm_year + TM_YEAR_BASE);
    return sk_answer(&b, answer);
}

const struct skill_ops skill_date_ops = {
    .name = "date",
    .description = "Tells today's date: \"what is the date\", \"what day is it today\".",
    .can = "tell you the date",
    .handle = date_handle,
};
