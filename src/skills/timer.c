/* The timer skill: set ("set a timer for five minutes", "set a 10 second timer"), cancel and ask
 * what is left; the caller fires due timers with the monotonic time, so no thread runs here. */
#include <stdlib.h>
#include <string.h>

#include "skills_internal.h"

enum { MS_PER_S = 1000, DURATION_TEXT = 96 };

static const char *const verbs[] = {"set", "start", "create", "make", "put on", "set up", NULL};
static const char *const articles[] = {"a", "an", "the", "me a", "one", "a new", NULL};
static const char *const timer_words[] = {"timer", "countdown", NULL};
static const char *const fors[] = {"for", "of", "to", "on", NULL};
static const char *const cancels[] = {"cancel", "stop", "delete", "remove", "clear", "end", NULL};
static const char *const whose[] = {"the",        "my",        "all",   "all the", "all my",
                                    "all of the", "all of my", "every", NULL};
static const char *const left_shapes[] = {
    "how much time is left",
    "how much time is left on the timer",
    "how much time is left on my timer",
    "how much time is left on the timers",
    "how much time is left on my timers",
    "how much time is remaining",
    "how much time remains",
    "how long is left",
    "how long is left on the timer",
    "how long is left on my timer",
    "how long left on the timer",
    "how much longer on the timer",
    "what is left on the timer",
    "what is left on my timer",
    "time left",
    "time left on the timer",
    "timer status",
    "how are my timers",
    "how is my timer doing",
    "how is the timer doing",
    NULL,
};

static void say_duration(arvis_buf *b, const char *fmt, uint64_t seconds, bool adjective)
{
    char d[DURATION_TEXT];
    if (adjective) {
        sk_format_duration_adjective(seconds, d, sizeof d);
    } else {
        sk_format_duration(seconds, d, sizeof d);
    }
    arvis_buf_addf(b, fmt, d);
}

/* "set a timer for 5 minutes", "timer for an hour", "set a 10 second timer": true with the
 * length in *seconds (-1 when none was said: "set a timer"). */
static bool set_request(const struct sk_words *w, double *seconds)
{
    size_t at = sk_match_any(w, 0, verbs);
    at += sk_match_any(w, at, articles);
    size_t n = sk_match_any(w, at, timer_words);
    *seconds = -1;
    if (n && at + n == w->n) {
        return true;
    }
    if (n) {
        at += n;
        at += sk_match_any(w, at, fors);
        n = sk_parse_duration(w, at, seconds);
        return n && at + n == w->n;
    }
    n = sk_parse_duration(w, at, seconds);
    return n && sk_rest_is(w, at + n, timer_words);
}

static int set_timer(struct skill_ctx *ctx, double seconds, uint64_t now_ms, char **answer)
{
    arvis_buf b;
    arvis_buf_init(&b, SK_ANSWER_MAX);
    /* compared as doubles first: a length of 1e30 seconds has no uint64_t */
    bool too_long = seconds >= (double)ctx->max_duration_s + 0.5;
    uint64_t whole = seconds < 0 || too_long ? 0 : (uint64_t)(seconds + 0.5);
    if (seconds < 0) {
        arvis_buf_adds(&b, "How long should the timer run? Say, for example, set a timer for 5 "
                           "minutes.");
    } else if (too_long) {
        say_duration(&b, "I can only set timers up to %s.", ctx->max_duration_s, false);
    } else if (whole == 0) {
        arvis_buf_adds(&b, "A timer needs at least one second.");
    } else if (ctx->n_timers >= ctx->max_timers) {
        arvis_buf_addf(&b, "I can only keep %zu timer%s at once.", ctx->max_timers,
                       ctx->max_timers == 1 ? "" : "s");
    } else {
        ctx->timers[ctx->n_timers++] =
            (struct skill_timer){.due_ms = now_ms + whole * MS_PER_S, .duration_s = whole};
        say_duration(&b, "Timer set for %s.", whole, false);
    }
    return sk_answer(&b, answer);
}

/* "cancel the timer", "stop all timers", "cancel the 5 minute timer". */
static int cancel_request(struct skill_ctx *ctx, const struct sk_words *w, char **answer)
{
    size_t at = sk_match_any(w, 0, cancels);
    if (!at) {
        return 0;
    }
    at += sk_match_any(w, at, whose);
    double seconds = 0;
    size_t n = sk_parse_duration(w, at, &seconds);
    bool one = n != 0;
    /* no timer is longer than the limit, so a longer length matches none */
    uint64_t only =
        !one || seconds >= (double)ctx->max_duration_s + 1 ? UINT64_MAX : (uint64_t)(seconds + 0.5);
    if (!sk_rest_is(w, at + n, (const char *const[]){"timer", "timers", NULL})) {
        return 0;
    }
    size_t kept = 0, gone = 0;
    uint64_t last = 0;
    for (size_t i = 0; i < ctx->n_timers; i++) {
        if (one && ctx->timers[i].duration_s != only) {
            ctx->timers[kept++] = ctx->timers[i];
        } else {
            last = ctx->timers[i].duration_s;
            gone++;
        }
    }
    ctx->n_timers = kept;
    arvis_buf b;
    arvis_buf_init(&b, SK_ANSWER_MAX);
    if (gone == 0) {
        arvis_buf_adds(&b,
                       one ? "There is no timer of that length." : "There is no timer to cancel.");
    } else if (gone == 1) {
        say_duration(&b, "I cancelled your %s timer.", last, true);
    } else {
        arvis_buf_addf(&b, "I cancelled %zu timers.", gone);
    }
    return sk_answer(&b, answer);
}

static uint64_t seconds_left(const struct skill_timer *t, uint64_t now_ms)
{
    /* rounded up: a timer with 200 ms to go still has a second left */
    return t->due_ms > now_ms ? (t->due_ms - now_ms + MS_PER_S - 1) / MS_PER_S : 0;
}

static int left_request(struct skill_ctx *ctx, uint64_t now_ms, char **answer)
{
    arvis_buf b;
    arvis_buf_init(&b, SK_ANSWER_MAX);
    if (ctx->n_timers == 0) {
        arvis_buf_adds(&b, "There is no timer running.");
    }
    for (size_t i = 0; i < ctx->n_timers; i++) {
        const struct skill_timer *t = &ctx->timers[i];
        char name[DURATION_TEXT], left[DURATION_TEXT];
        sk_format_duration_adjective(t->duration_s, name, sizeof name);
        sk_format_duration(seconds_left(t, now_ms), left, sizeof left);
        arvis_buf_addf(&b, "%sYour %s timer has %s left.", i ? " " : "", name, left);
    }
    return sk_answer(&b, answer);
}

static int timer_handle(struct skill_ctx *ctx, const char *normalised, uint64_t now_ms,
                        char **answer)
{
    struct sk_words w;
    int rc = numwords_split(normalised, &w);
    if (rc <= 0) {
        return rc;
    }
    double seconds = 0;
    if (set_request(&w, &seconds)) {
        return set_timer(ctx, seconds, now_ms, answer);
    }
    if (sk_rest_is(&w, 0, left_shapes)) {
        return left_request(ctx, now_ms, answer);
    }
    return cancel_request(ctx, &w, answer);
}

uint64_t skill_timers_next(const struct skill_ctx *ctx)
{
    uint64_t next = UINT64_MAX;
    for (size_t i = 0; i < ctx->n_timers; i++) {
        next = ctx->timers[i].due_ms < next ? ctx->timers[i].due_ms : next;
    }
    return next;
}

char *skill_timers_fire(struct skill_ctx *ctx, uint64_t now_ms)
{
    arvis_buf b;
    arvis_buf_init(&b, SK_ANSWER_MAX * ctx->max_timers);
    for (size_t i = 0; i < ctx->n_timers; i++) {
        if (ctx->timers[i].due_ms <= now_ms) {
            say_duration(&b, b.len ? " Your %s timer is done." : "Your %s timer is done.",
                         ctx->timers[i].duration_s, true);
        }
    }
    if (b.len == 0) {
        return NULL;
    }
    char *said = arvis_buf_take(&b);
    if (!said) {
        return NULL; /* out of memory: the timers stay due for the next call */
    }
    size_t kept = 0;
    for (size_t i = 0; i < ctx->n_timers; i++) {
        if (ctx->timers[i].due_ms > now_ms) {
            ctx->timers[kept++] = ctx->timers[i];
        }
    }
    ctx->n_timers = kept;
    return said;
}

const struct skill_ops skill_timer_ops = {
    .name = "timer",
    .description = "Sets, cancels and reports timers: \"set a timer for five minutes\", \"how much "
                   "time is left\", \"cancel the timer\".",
    .can = "set timers",
    .handle = timer_handle,
};
