/* One turn of the conversation: the question with a window of earlier turns whose prefix stays
 * stable, the streamed answer passed on as pieces, display chunks and sentences, retries on
 * connection failures only, continuation after the length limit, the measurements, and the
 * history saved with whatever was received. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/clock.h"
#include "arvis/log.h"
#include "arvis/utf8.h"
#include "llm_internal.h"

enum {
    ANSWER_MAX = 64 * 1024 * 1024,
    BACKOFF_SLICE_MS = 5,
    BACKOFF_MAX_MS = 30000,
};

static const char continue_prompt[] =
    "Continue exactly where you stopped, without repeating anything.";

struct turn {
    arvis_llm *llm;
    const arvis_llm_callbacks *cb;
    arvis_chunker *chunker;     /* NULL when stream optimisation is off */
    arvis_sentencer *sentencer; /* NULL without a sentence callback */
    arvis_buf text;             /* the whole answer so far */
    uint64_t t0;
    uint64_t first_ns;
    uint64_t last_ns;
    double *gaps;
    size_t n_gaps;
    size_t cap_gaps;
    size_t chunks;
};

static bool unanswered(const arvis_llm_message *m)
{
    return m->cut && strcmp(m->role, "user") == 0;
}

size_t llm_window_start(const arvis_history *h, size_t max_messages, size_t max_chars)
{
    size_t count = arvis_history_count(h);
    size_t msgs = 0;
    size_t chars = 0;
    size_t earliest = count;
    for (size_t i = count; i-- > 0;) {
        const arvis_llm_message *m = arvis_history_at(h, i);
        if (unanswered(m)) {
            continue;
        }
        size_t len = strlen(m->content);
        if (msgs + 1 > max_messages || chars + len > max_chars) {
            break;
        }
        msgs++;
        chars += len;
        earliest = i;
    }
    /* The start moves in steps of a quarter of the budget, counted on the history's own
     * sequence numbers, so it stays put for several turns (and across processes). */
    size_t step = max_messages / 4 < 2 ? 2 : max_messages / 4;
    size_t first = arvis_history_first(h);
    size_t seq = first + earliest;
    size_t start = (seq + step - 1) / step * step - first;
    while (start < count && strcmp(arvis_history_at(h, start)->role, "user") != 0) {
        start++;
    }
    return start < count ? start : count;
}

static void on_chunk(const char *text, size_t len, void *ud)
{
    struct turn *t = ud;
    t->cb->chunk_cb(text, len, t->cb->ud);
}

static int on_text(const char *text, size_t len, void *ud)
{
    struct turn *t = ud;
    if (atomic_load(&t->llm->cancel)) {
        return ARVIS_E_CANCELLED;
    }
    uint64_t now = arvis_clock_ns();
    if (t->chunks == 0) {
        t->first_ns = now;
    } else {
        if (t->n_gaps == t->cap_gaps) {
            size_t cap = t->cap_gaps ? t->cap_gaps * 2 : 256;
            double *g = realloc(t->gaps, cap * sizeof *g);
            if (!g) {
                return ARVIS_E_NOMEM;
            }
            t->gaps = g;
            t->cap_gaps = cap;
        }
        t->gaps[t->n_gaps++] = arvis_clock_elapsed_ms(t->last_ns, now);
    }
    t->last_ns = now;
    t->chunks++;
    int rc = arvis_buf_add(&t->text, text, len);
    if (rc != ARVIS_OK) {
        return rc;
    }
    const arvis_llm_callbacks *cb = t->cb;
    if (cb->token_cb) {
        cb->token_cb(text, len, cb->ud);
    }
    if (cb->chunk_cb && t->chunker) {
        rc = arvis_chunker_add(t->chunker, text, len, on_chunk, t);
    } else if (cb->chunk_cb) {
        cb->chunk_cb(text, len, cb->ud);
    }
    if (rc == ARVIS_OK && t->sentencer) {
        rc = arvis_sentencer_add(t->sentencer, text, len, cb->sentence_cb, cb->ud);
    }
    return rc;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const double *sorted, size_t n, double p)
{
    size_t i = (size_t)ceil(p * (double)n) - 1;
    return sorted[i < n ? i : n - 1];
}

static void finish_stats(struct turn *t, arvis_llm_stats *s)
{
    s->total_ms = arvis_clock_elapsed_ms(t->t0, arvis_clock_ns());
    s->chunks = t->chunks;
    s->chars = arvis_utf8_length(t->text.data ? t->text.data : "", t->text.len);
    if (t->chunks > 0) {
        s->ttft_ms = arvis_clock_elapsed_ms(t->t0, t->first_ns);
    }
    double span = t->chunks > 1 ? arvis_clock_elapsed_ms(t->first_ns, t->last_ns) : 0;
    if (span > 0) {
        s->tokens_per_s = (double)(t->chunks - 1) * 1000.0 / span;
    }
    if (t->n_gaps > 0) {
        qsort(t->gaps, t->n_gaps, sizeof *t->gaps, compare_double);
        s->gap_p50_ms = percentile(t->gaps, t->n_gaps, 0.5);
        s->gap_p95_ms = percentile(t->gaps, t->n_gaps, 0.95);
    }
}

/* Waits before a retry; false when cancelled meanwhile. */
static bool back_off(arvis_llm *llm, long ms)
{
    for (long waited = 0; waited < ms; waited += BACKOFF_SLICE_MS) {
        if (atomic_load(&llm->cancel)) {
            return false;
        }
        arvis_clock_sleep_ms(BACKOFF_SLICE_MS);
    }
    return !atomic_load(&llm->cancel);
}

/* One request, retried while the server cannot be reached and nothing was received. */
static int request(struct turn *t, const struct llm_request *req, arvis_llm_stats *stats,
                   arvis_error *err)
{
    arvis_llm *llm = t->llm;
    struct llm_ctx ctx;
    llm_client_ctx(llm, &ctx);
    struct llm_sink sink = {.text = on_text, .ud = t};
    long retries = (long)arvis_config_int(llm->cfg, "llm.retries");
    long backoff = (long)arvis_config_int(llm->cfg, "llm.retry_backoff_ms");
    for (long attempt = 0;; attempt++) {
        struct llm_outcome out;
        int rc = llm->ops->chat(&ctx, req, &sink, &out, err);
        llm_stats_take_outcome(stats, &out);
        /* Only a request that never reached the server (refused, or closed before any
         * answer) is tried again: a half-streamed answer is never asked twice. */
        bool unreached = rc == ARVIS_E_UNAVAILABLE || (rc == ARVIS_E_PROTOCOL && !out.received);
        if (!unreached || out.received || attempt >= retries) {
            return rc == ARVIS_E_NOTFOUND ? llm_unknown_model(llm, err->msg, err) : rc;
        }
        long wait = backoff << (attempt < 16 ? attempt : 16);
        wait = wait > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait;
        llm_say(t->cb, "no answer from %s at %s; trying again in %ld ms (%ld of %ld)",
                llm->ops->server, llm->base_url, wait, attempt + 1, retries);
        stats->retries++;
        if (!back_off(llm, wait)) {
            return arvis_error_set(err, ARVIS_E_CANCELLED, "cancelled");
        }
    }
}

/* The messages of one request: system prompt, the window, the question, and for a
 * continuation the answer so far with a request to go on. */
static struct llm_message_ref *build_messages(arvis_llm *llm, const char *question,
                                              const char *so_far, size_t *n)
{
    const arvis_history *h = llm->history;
    size_t count = arvis_history_count(h);
    size_t start =
        llm_window_start(h, (size_t)arvis_config_int(llm->cfg, "llm.history.context_messages"),
                         (size_t)arvis_config_int(llm->cfg, "llm.history.context_chars"));
    struct llm_message_ref *m = calloc(count - start + 4, sizeof *m);
    if (!m) {
        return NULL;
    }
    size_t k = 0;
    m[k++] = (struct llm_message_ref){"system", arvis_config_string(llm->cfg, "llm.system_prompt")};
    for (size_t i = start; i < count; i++) {
        const arvis_llm_message *msg = arvis_history_at(h, i);
        if (!unanswered(msg)) {
            m[k++] = (struct llm_message_ref){msg->role, msg->content};
        }
    }
    m[k++] = (struct llm_message_ref){"user", question};
    if (so_far) {
        m[k++] = (struct llm_message_ref){"assistant", so_far};
        m[k++] = (struct llm_message_ref){"user", continue_prompt};
    }
    *n = k;
    return m;
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') {
            return false;
        }
    }
    return true;
}

/* Keeps the question and what was received; a question without an answer is kept too, marked
 * so later windows skip it. */
static void record(arvis_llm *llm, const char *question, const struct turn *t, int rc)
{
    bool answered = !blank(t->text.data, t->text.len);
    arvis_history *h = llm->history;
    bool ok = arvis_history_add(h, "user", question, !answered) == ARVIS_OK &&
              (!answered || arvis_history_add(h, "assistant", arvis_buf_str(&t->text),
                                              rc != ARVIS_OK) == ARVIS_OK);
    arvis_error serr;
    if (!ok) {
        arvis_log(ARVIS_LOG_WARNING, "llm", "out of memory: this turn is not in the history");
    } else if (arvis_history_save(h, &serr) != ARVIS_OK) {
        arvis_log(ARVIS_LOG_WARNING, "llm", "the conversation could not be saved: %s", serr.msg);
    }
}

static int turn_init(struct turn *t, arvis_llm *llm, const arvis_llm_callbacks *cb)
{
    const arvis_config *cfg = llm->cfg;
    *t = (struct turn){.llm = llm, .cb = cb, .t0 = arvis_clock_ns()};
    arvis_buf_init(&t->text, ANSWER_MAX);
    int rc = ARVIS_OK;
    if (cb->chunk_cb && arvis_config_bool(cfg, "llm.stream_optimization_enabled")) {
        rc = arvis_chunker_create((size_t)arvis_config_int(cfg, "llm.buffer_threshold"),
                                  (size_t)arvis_config_int(cfg, "llm.buffer_force_flush"),
                                  arvis_config_bool(cfg, "llm.word_boundary_buffering"),
                                  &t->chunker);
    }
    if (rc == ARVIS_OK && cb->sentence_cb) {
        rc = arvis_sentencer_create((size_t)arvis_config_int(cfg, "llm.early_clause_chars"),
                                    &t->sentencer);
    }
    return rc;
}

static void turn_free(struct turn *t)
{
    arvis_chunker_destroy(t->chunker);
    arvis_sentencer_destroy(t->sentencer);
    arvis_buf_free(&t->text);
    free(t->gaps);
}

/* Asks, and continues while the answer stops on the length limit (at most N times). */
static int converse(struct turn *t, const char *question, arvis_llm_stats *stats, arvis_error *err)
{
    arvis_llm *llm = t->llm;
    bool cont = arvis_config_bool(llm->cfg, "llm.auto_continue");
    long max_cont = (long)arvis_config_int(llm->cfg, "llm.auto_continue_max_attempts");
    for (;;) {
        const char *so_far = stats->continuations > 0 ? arvis_buf_str(&t->text) : NULL;
        size_t n = 0;
        struct llm_message_ref *msgs = build_messages(llm, question, so_far, &n);
        if (!msgs) {
            return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
        }
        struct llm_request req = {.messages = msgs, .n = n};
        stats->done_reason[0] = '\0';
        int rc = request(t, &req, stats, err);
        free(msgs);
        if (rc != ARVIS_OK || !cont || strcmp(stats->done_reason, "length") != 0 ||
            stats->continuations >= max_cont) {
            return rc;
        }
        stats->continuations++;
        llm_say(t->cb, "the answer reached llm.max_tokens; continuing (%d of %ld)",
                stats->continuations, max_cont);
    }
}

int arvis_llm_ask(arvis_llm *llm, const char *question, const arvis_llm_callbacks *cb,
                  arvis_llm_reply *reply, arvis_error *err)
{
    static const arvis_llm_callbacks none = {0};
    cb = cb ? cb : &none;
    memset(reply, 0, sizeof *reply);
    llm_stats_init(&reply->stats);
    atomic_store(&llm->cancel, false);
    if (cb->stop && atomic_load(cb->stop)) {
        atomic_store(&llm->cancel, true);
    }
    arvis_error e;
    arvis_error_clear(&e);
    struct turn t;
    int rc = turn_init(&t, llm, cb);
    if (rc != ARVIS_OK) {
        arvis_error_set(&e, rc, "out of memory");
    } else if (!arvis_utf8_valid(question, strlen(question), NULL)) {
        rc = arvis_error_set(&e, ARVIS_E_UTF8, "the question is not valid UTF-8 text");
    } else if (blank(question, strlen(question))) {
        rc = arvis_error_set(&e, ARVIS_E_INVAL, "the question is empty: say or type something");
    } else {
        rc = converse(&t, question, &reply->stats, &e);
        if (rc == ARVIS_E_CANCELLED || atomic_load(&llm->cancel)) {
            rc = arvis_error_set(&e, ARVIS_E_CANCELLED, "cancelled");
        }
        if (t.chunker) {
            arvis_chunker_flush(t.chunker, on_chunk, &t);
        }
        if (t.sentencer && rc == ARVIS_OK) {
            arvis_sentencer_flush(t.sentencer, cb->sentence_cb, cb->ud);
        }
        record(llm, question, &t, rc);
    }
    finish_stats(&t, &reply->stats);
    if (rc != ARVIS_OK) {
        snprintf(reply->stats.done_reason, sizeof reply->stats.done_reason, "%s",
                 rc == ARVIS_E_CANCELLED ? "cancelled" : "error");
    }
    reply->cut = rc != ARVIS_OK;
    reply->text = arvis_buf_take(&t.text);
    turn_free(&t);
    if (!reply->text) {
        reply->text = calloc(1, 1);
    }
    if (err) {
        *err = e;
    }
    return rc;
}

void arvis_llm_reply_free(arvis_llm_reply *r)
{
    free(r->text);
    r->text = NULL;
}
