/* Shared between the files of the skills: the table of operations every skill defines, the
 * state they share, request words and their matching, spoken numbers and durations. */
#ifndef ARVIS_SKILLS_INTERNAL_H
#define ARVIS_SKILLS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/buf.h"
#include "arvis/skills.h"

enum {
    SK_REQUEST_MAX = 1024, /* a longer request is no skill's: it goes to the language model */
    SK_WORDS_MAX = 48,     /* words of a request a skill looks at; more and none answers */
    SK_ANSWER_MAX = 1024,  /* longest answer a skill builds */
    SK_NUMBER_TEXT = 64,   /* room for one number written out */
};

struct skill_timer {
    uint64_t due_ms;     /* monotonic */
    uint64_t duration_s; /* as asked for, to name the timer */
};

/* What the skills share; the router holds its lock while a skill runs. */
struct skill_ctx {
    arvis_skills_hooks hooks;
    const struct skill_ops *const *enabled; /* in table order, NULL-terminated */
    struct skill_timer *timers;             /* timers running, in the order they were set */
    size_t n_timers;
    size_t max_timers;       /* skills.timer.max_active */
    uint64_t max_duration_s; /* skills.timer.max_duration_s */
};

struct skill_ops {
    const char *name;
    const char *description; /* one line with an example request */
    const char *can;         /* what it does, to follow "I can": "tell you the time" */
    /* 1 with *answer set (the caller frees), 0 when the request is not this skill's, or a
     * negative status. normalised is what skills_normalise made of the request. */
    int (*handle)(struct skill_ctx *ctx, const char *normalised, uint64_t now_ms, char **answer);
};

extern const struct skill_ops skill_time_ops;
extern const struct skill_ops skill_date_ops;
extern const struct skill_ops skill_arithmetic_ops;
extern const struct skill_ops skill_timer_ops;
extern const struct skill_ops skill_system_status_ops;
extern const struct skill_ops skill_assistant_status_ops;
extern const struct skill_ops skill_help_ops;

/* ---- time.c, for date.c too ---- */

struct tm;

/* The local time now, from the now hook or the system clock; false when it cannot be told. */
bool skill_local_time(const struct skill_ctx *ctx, struct tm *out);

/* ---- timer.c, for the router ---- */

/* When the next timer is due, UINT64_MAX when none runs. */
uint64_t skill_timers_next(const struct skill_ctx *ctx);

/* Removes the timers due at now_ms and returns a sentence for each (the caller frees); NULL when
 * none was due, or when memory ran out, in which case the timers stay for the next call. */
char *skill_timers_fire(struct skill_ctx *ctx, uint64_t now_ms);

/* ---- normalise.c ---- */

/* Lower case, symbols as words ("12*7" -> "12 times 7", "15%" -> "15 percent", "what's" ->
 * "what is"), other punctuation dropped, one space between words. The caller frees; NULL when
 * the request is longer than SK_REQUEST_MAX or memory runs out. */
char *skills_normalise(const char *request);

/* ---- words.c ---- */

/* The words of a normalised request, [first, end) being the part still to match. */
struct sk_words {
    char text[SK_REQUEST_MAX + 1];
    const char *w[SK_WORDS_MAX];
    size_t n;
};

/* Splits text at spaces; false when it has more than SK_WORDS_MAX words or is too long. Leading
 * courtesies ("please", "can you", "hey") and a trailing "please" are dropped. */
bool sk_split(const char *text, struct sk_words *out);

/* Number of words of phrase (space-separated) matched at w[at...], or 0 when they differ. */
size_t sk_match(const struct sk_words *w, size_t at, const char *phrase);

/* True when the words from at to the end are exactly one of the NULL-terminated phrases. */
bool sk_rest_is(const struct sk_words *w, size_t at, const char *const *phrases);

/* True when the normalised request, courtesies dropped, is exactly one of the phrases. */
bool sk_asked(const char *normalised, const char *const *phrases);

/* Length of the longest of the NULL-terminated phrases matching at w[at...], 0 when none does. */
size_t sk_match_any(const struct sk_words *w, size_t at, const char *const *phrases);

/* Hands the text of a buffer to *answer as an answer (1), or a negative status when it could
 * not be built. Frees the buffer either way. */
int sk_answer(arvis_buf *b, char **answer);

/* A number as it reads aloud: "12", "12.5", "minus 3"; exact values up to ~1e15. */
void sk_format_number(double v, char *out, size_t size);

/* ---- numwords.c ---- */

/* Reads a number spelt in words or digits starting at w[at] ("twelve", "one hundred and five",
 * "three point five", "12", "a thousand"). With allow_sign "minus" and "negative" before it make
 * it negative; with allow_article a lone "a" or "an" is one. Returns the words used, 0 when there
 * is no number at w[at]. */
size_t numwords_parse(const struct sk_words *w, size_t at, bool allow_sign, bool allow_article,
                      double *value);

/* The normalised request with every number in words written in digits ("what is twelve times
 * seven" -> "what is 12 times 7"); signs and articles are left as words. The caller frees; NULL
 * when memory runs out or the text has too many words. */
char *numwords_to_digits(const char *normalised);

/* The words of the normalised request with its numbers in digits: 1, 0 when it has too many
 * words for any skill, ARVIS_E_NOMEM. */
int numwords_split(const char *normalised, struct sk_words *out);

/* ---- duration.c ---- */

/* "1 hour and 30 minutes" or "10 seconds" into out. */
void sk_format_duration(uint64_t seconds, char *out, size_t size);

/* "1 hour 30 minute" or "10 second", to name a timer. */
void sk_format_duration_adjective(uint64_t seconds, char *out, size_t size);

/* Reads a duration at w[at] ("5 minutes", "10 second", "an hour and a half", "1 hour and 30
 * minutes", "half an hour"). Returns the words used (0 when there is none) and the length in
 * seconds in *seconds. */
size_t sk_parse_duration(const struct sk_words *w, size_t at, double *seconds);

#endif
