/* Streamed replies: bytes into lines whatever the chunking (every split point, byte by byte, CR
 * and CRLF across feeds, UTF-8 across feeds, limits), and lines into server-sent events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "llm_internal.h"

enum { MAX_ITEMS = 64, BIG_LIMIT = 4096, STOP_STATUS = 42 };

/* What a callback received: each line or event as a separate, length-exact copy. */
struct got {
    char *items[MAX_ITEMS];
    size_t lens[MAX_ITEMS];
    int n;
    int stop_at; /* return STOP_STATUS on this item (0-based); -1: never */
};

static void got_init(struct got *g)
{
    memset(g, 0, sizeof *g);
    g->stop_at = -1;
}

static void got_free(struct got *g)
{
    for (int i = 0; i < g->n; i++) {
        free(g->items[i]);
    }
    g->n = 0;
}

static int collect_cb(const char *text, size_t len, void *ud)
{
    struct got *g = ud;
    assert_true(g->n < MAX_ITEMS);
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    copy[len] = '\0';
    g->items[g->n] = copy;
    g->lens[g->n] = len;
    g->n++;
    return g->n - 1 == g->stop_at ? STOP_STATUS : ARVIS_OK;
}

/* Asserts that g holds exactly the strings in want (NULL-terminated). */
static void assert_items(const struct got *g, const char *const *want)
{
    int n = 0;
    while (want[n]) {
        n++;
    }
    for (int i = 0; i < g->n && i < n; i++) {
        assert_int_equal(g->lens[i], strlen(want[i]));
        assert_string_equal(g->items[i], want[i]);
    }
    assert_int_equal(g->n, n);
}

/* Feeds the pieces (NULL-terminated) to a fresh splitter, then finishes it. */
static void lines_of(const char *const *pieces, struct got *g)
{
    struct llm_lines l;
    llm_lines_init(&l, BIG_LIMIT);
    for (int i = 0; pieces[i]; i++) {
        assert_int_equal(llm_lines_feed(&l, pieces[i], strlen(pieces[i]), collect_cb, g), ARVIS_OK);
    }
    assert_int_equal(llm_lines_finish(&l, collect_cb, g), ARVIS_OK);
    llm_lines_free(&l);
}

/* Feeds text split at `at`, then finishes. */
static void lines_split(const char *text, size_t len, size_t at, struct got *g)
{
    struct llm_lines l;
    llm_lines_init(&l, BIG_LIMIT);
    assert_int_equal(llm_lines_feed(&l, text, at, collect_cb, g), ARVIS_OK);
    assert_int_equal(llm_lines_feed(&l, text + at, len - at, collect_cb, g), ARVIS_OK);
    assert_int_equal(llm_lines_finish(&l, collect_cb, g), ARVIS_OK);
    llm_lines_free(&l);
}

static const char ndjson[] = "{\"message\":{\"content\":\"Hel\"},\"done\":false}\n"
                             "{\"message\":{\"content\":\"lo, мир 🌍\"},\"done\":false}\r\n"
                             "\n"
                             "{\"message\":{\"content\":\"!\"},\"done\":false}\r"
                             "{\"done\":true,\"eval_count\":3}";

static const char *const ndjson_lines[] = {
    "{\"message\":{\"content\":\"Hel\"},\"done\":false}",
    "{\"message\":{\"content\":\"lo, мир 🌍\"},\"done\":false}",
    "",
    "{\"message\":{\"content\":\"!\"},\"done\":false}",
    "{\"done\":true,\"eval_count\":3}",
    NULL,
};

static void test_lines_same_at_every_split_point(void **state)
{
    (void)state;
    size_t n = strlen(ndjson);
    for (size_t i = 0; i <= n; i++) {
        struct got g;
        got_init(&g);
        lines_split(ndjson, n, i, &g);
        assert_items(&g, ndjson_lines);
        got_free(&g);
    }
}

static void test_lines_same_one_byte_at_a_time(void **state)
{
    (void)state;
    size_t n = strlen(ndjson);
    struct got g;
    got_init(&g);
    struct llm_lines l;
    llm_lines_init(&l, BIG_LIMIT);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(llm_lines_feed(&l, ndjson + i, 1, collect_cb, &g), ARVIS_OK);
    }
    assert_int_equal(llm_lines_finish(&l, collect_cb, &g), ARVIS_OK);
    llm_lines_free(&l);
    assert_items(&g, ndjson_lines);
    got_free(&g);
}

static void test_lines_end_with_lf_crlf_or_lone_cr(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    lines_of((const char *const[]){"a\nb\r\nc\rd\n", NULL}, &g);
    assert_items(&g, (const char *const[]){"a", "b", "c", "d", NULL});
    got_free(&g);

    /* Blank lines are lines too, whichever end they use: two CRs are two lines, CRLF one. */
    got_init(&g);
    lines_of((const char *const[]){"\n\r\n\r\rx\n", NULL}, &g);
    assert_items(&g, (const char *const[]){"", "", "", "", "x", NULL});
    got_free(&g);
}

static void test_crlf_split_between_feeds_is_one_line_end(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    lines_of((const char *const[]){"first\r", "\nsecond\r", "\n", "third", NULL}, &g);
    assert_items(&g, (const char *const[]){"first", "second", "third", NULL});
    got_free(&g);

    /* A CR at the end of a feed followed by anything else is a line end of its own. */
    got_init(&g);
    lines_of((const char *const[]){"one\r", "two\r", "\r", "\nthree\n", NULL}, &g);
    assert_items(&g, (const char *const[]){"one", "two", "", "three", NULL});
    got_free(&g);
}

static void test_empty_feed_between_cr_and_lf_changes_nothing(void **state)
{
    (void)state;
    /* A transfer may hand over zero bytes; the CR before it still owns the LF after it. */
    struct got g;
    got_init(&g);
    lines_of((const char *const[]){"first\r", "", "\nsecond\n", NULL}, &g);
    assert_items(&g, (const char *const[]){"first", "second", NULL});
    got_free(&g);
}

static void test_lines_keep_a_utf8_character_split_across_feeds(void **state)
{
    (void)state;
    /* "Ж" is D0 96, "🌍" is F0 9F 8C 8D: both cut between their bytes. */
    struct got g;
    got_init(&g);
    lines_of((const char *const[]){"a\xD0", "\x96z\n\xF0\x9F", "\x8C", "\x8D!\n", NULL}, &g);
    assert_items(&g, (const char *const[]){"aЖz", "🌍!", NULL});
    got_free(&g);
}

static void test_last_line_without_an_end_comes_from_finish(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    struct llm_lines l;
    llm_lines_init(&l, BIG_LIMIT);
    assert_int_equal(llm_lines_feed(&l, "one\ntw", 6, collect_cb, &g), ARVIS_OK);
    assert_int_equal(llm_lines_feed(&l, "o", 1, collect_cb, &g), ARVIS_OK);
    assert_items(&g, (const char *const[]){"one", NULL});
    assert_int_equal(llm_lines_finish(&l, collect_cb, &g), ARVIS_OK);
    assert_items(&g, (const char *const[]){"one", "two", NULL});
    /* Finishing again passes on nothing more. */
    assert_int_equal(llm_lines_finish(&l, collect_cb, &g), ARVIS_OK);
    assert_int_equal(g.n, 2);
    llm_lines_free(&l);
    got_free(&g);
}

static void test_line_at_the_limit_is_accepted(void **state)
{
    (void)state;
    enum { LIMIT = 16 };
    char line[LIMIT + 2];
    memset(line, 'x', LIMIT);
    line[LIMIT] = '\n';
    struct got g;
    got_init(&g);
    struct llm_lines l;
    llm_lines_init(&l, LIMIT);
    /* In two pieces, so the first part has to wait in the splitter's buffer. */
    assert_int_equal(llm_lines_feed(&l, line, LIMIT - 3, collect_cb, &g), ARVIS_OK);
    assert_int_equal(llm_lines_feed(&l, line + LIMIT - 3, 4, collect_cb, &g), ARVIS_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.lens[0], LIMIT);
    /* And whole in one feed, read straight from the data. */
    assert_int_equal(llm_lines_feed(&l, line, LIMIT + 1, collect_cb, &g), ARVIS_OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.lens[1], LIMIT);
    llm_lines_free(&l);
    got_free(&g);
}

static void test_line_over_the_limit_in_one_feed_is_too_big(void **state)
{
    (void)state;
    /* The limit holds whatever the chunking: a whole long line in one feed is refused too. */
    enum { LIMIT = 16 };
    char text[LIMIT + 8];
    memset(text, 'x', LIMIT + 1);
    memcpy(text + LIMIT + 1, "\nok\n", 4);
    struct got g;
    got_init(&g);
    struct llm_lines l;
    llm_lines_init(&l, LIMIT);
    assert_int_equal(llm_lines_feed(&l, text, LIMIT + 5, collect_cb, &g), ARVIS_E_TOOBIG);
    assert_int_equal(g.n, 0);
    llm_lines_free(&l);
    got_free(&g);
}

static void test_endless_line_is_too_big_and_bounded(void **state)
{
    (void)state;
    enum { LIMIT = 1024, PIECE = 100, FEEDS = 1000 };
    char piece[PIECE];
    memset(piece, 'y', sizeof piece);
    struct got g;
    got_init(&g);
    struct llm_lines l;
    llm_lines_init(&l, LIMIT);
    int rc = ARVIS_OK;
    size_t fed = 0;
    for (int i = 0; i < FEEDS && rc == ARVIS_OK; i++) {
        rc = llm_lines_feed(&l, piece, sizeof piece, collect_cb, &g);
        fed += sizeof piece;
        /* Whatever the splitter holds stays within the limit. */
        assert_true(l.partial.len <= LIMIT);
        assert_true(l.partial.cap <= LIMIT + 1);
    }
    assert_int_equal(rc, ARVIS_E_TOOBIG);
    assert_true(fed > LIMIT && fed <= LIMIT + PIECE);
    assert_int_equal(g.n, 0);
    /* A caller that keeps feeding after the refusal gets no line and no growth. */
    for (int i = 0; i < FEEDS; i++) {
        assert_int_not_equal(llm_lines_feed(&l, piece, sizeof piece, collect_cb, &g), ARVIS_OK);
        assert_true(l.partial.cap <= LIMIT + 1);
    }
    assert_int_equal(g.n, 0);
    llm_lines_free(&l);
}

static void test_callback_status_stops_feeding(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    g.stop_at = 1;
    struct llm_lines l;
    llm_lines_init(&l, BIG_LIMIT);
    const char text[] = "a\nb\nc\nd\n";
    assert_int_equal(llm_lines_feed(&l, text, strlen(text), collect_cb, &g), STOP_STATUS);
    assert_items(&g, (const char *const[]){"a", "b", NULL});
    llm_lines_free(&l);
    got_free(&g);

    /* The same from finish, for the last line without an end. */
    got_init(&g);
    g.stop_at = 0;
    llm_lines_init(&l, BIG_LIMIT);
    assert_int_equal(llm_lines_feed(&l, "tail", 4, collect_cb, &g), ARVIS_OK);
    assert_int_equal(llm_lines_finish(&l, collect_cb, &g), STOP_STATUS);
    assert_items(&g, (const char *const[]){"tail", NULL});
    llm_lines_free(&l);
    got_free(&g);
}

/* ---- server-sent events ---- */

/* Passes each line (NULL-terminated list) to a fresh SSE reader, then finishes it. */
static int events_of(const char *const *lines, size_t limit, struct got *g)
{
    struct llm_sse s;
    llm_sse_init(&s, limit);
    int rc = ARVIS_OK;
    for (int i = 0; lines[i] && rc == ARVIS_OK; i++) {
        rc = llm_sse_line(&s, lines[i], strlen(lines[i]), collect_cb, g);
    }
    if (rc == ARVIS_OK) {
        rc = llm_sse_finish(&s, collect_cb, g);
    }
    llm_sse_free(&s);
    return rc;
}

static void test_sse_data_and_blank_line_dispatch(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    struct llm_sse s;
    llm_sse_init(&s, BIG_LIMIT);
    assert_int_equal(llm_sse_line(&s, "data: x", 7, collect_cb, &g), ARVIS_OK);
    assert_int_equal(g.n, 0); /* not before the blank line */
    assert_int_equal(llm_sse_line(&s, "", 0, collect_cb, &g), ARVIS_OK);
    assert_items(&g, (const char *const[]){"x", NULL});
    assert_int_equal(llm_sse_finish(&s, collect_cb, &g), ARVIS_OK);
    assert_int_equal(g.n, 1); /* already dispatched */
    llm_sse_free(&s);
    got_free(&g);
}

static void test_sse_data_without_a_space(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    /* Only one leading space is removed; a second one is data. */
    assert_int_equal(
        events_of((const char *const[]){"data:x", "", "data:  y", "", NULL}, BIG_LIMIT, &g),
        ARVIS_OK);
    assert_items(&g, (const char *const[]){"x", " y", NULL});
    got_free(&g);
}

static void test_sse_data_lines_are_joined_with_lf(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    assert_int_equal(
        events_of((const char *const[]){"data: one", "data:two", "data: three", "", NULL},
                  BIG_LIMIT, &g),
        ARVIS_OK);
    assert_items(&g, (const char *const[]){"one\ntwo\nthree", NULL});
    got_free(&g);
}

static void test_sse_skips_comments_and_other_fields(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    assert_int_equal(
        events_of((const char *const[]){": keep-alive", "event: message", "id: 7", "retry: 1000",
                                        "data: a", ":", "id:8", "dataset: no", "data: b", "", NULL},
                  BIG_LIMIT, &g),
        ARVIS_OK);
    assert_items(&g, (const char *const[]){"a\nb", NULL});
    got_free(&g);
}

static void test_sse_blank_line_without_data_dispatches_nothing(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    assert_int_equal(
        events_of((const char *const[]){"", "", ": ping", "", "event: x", "", "id: 1", "", NULL},
                  BIG_LIMIT, &g),
        ARVIS_OK);
    assert_int_equal(g.n, 0);
    got_free(&g);
}

static void test_sse_empty_data_is_an_event(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    assert_int_equal(events_of((const char *const[]){"data:", "", "data", "", NULL}, BIG_LIMIT, &g),
                     ARVIS_OK);
    assert_items(&g, (const char *const[]){"", "", NULL});
    got_free(&g);
}

static void test_sse_done_marker_is_passed_on(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    assert_int_equal(
        events_of((const char *const[]){"data: {\"a\":1}", "", "data: [DONE]", "", NULL}, BIG_LIMIT,
                  &g),
        ARVIS_OK);
    assert_items(&g, (const char *const[]){"{\"a\":1}", "[DONE]", NULL});
    got_free(&g);
}

static void test_sse_event_without_blank_line_comes_from_finish(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    struct llm_sse s;
    llm_sse_init(&s, BIG_LIMIT);
    assert_int_equal(llm_sse_line(&s, "data: last", 10, collect_cb, &g), ARVIS_OK);
    assert_int_equal(llm_sse_line(&s, "data: words", 11, collect_cb, &g), ARVIS_OK);
    assert_int_equal(g.n, 0);
    assert_int_equal(llm_sse_finish(&s, collect_cb, &g), ARVIS_OK);
    assert_items(&g, (const char *const[]){"last\nwords", NULL});
    assert_int_equal(llm_sse_finish(&s, collect_cb, &g), ARVIS_OK);
    assert_int_equal(g.n, 1);
    llm_sse_free(&s);
    got_free(&g);
}

static void test_sse_event_over_the_limit_is_too_big(void **state)
{
    (void)state;
    enum { LIMIT = 32 };
    char line[64];
    snprintf(line, sizeof line, "data: %040d", 0); /* 40 bytes of data */
    struct got g;
    got_init(&g);
    assert_int_equal(events_of((const char *const[]){line, "", NULL}, LIMIT, &g), ARVIS_E_TOOBIG);
    assert_int_equal(g.n, 0);

    /* Many small data lines add up to the same refusal. */
    const char *const many[] = {"data: 0123456789", "data: 0123456789", "data: 0123456789", "",
                                NULL};
    assert_int_equal(events_of(many, LIMIT, &g), ARVIS_E_TOOBIG);
    assert_int_equal(g.n, 0);

    /* Below the limit the same reader is fine. */
    assert_int_equal(events_of((const char *const[]){"data: 0123456789", "", NULL}, LIMIT, &g),
                     ARVIS_OK);
    assert_items(&g, (const char *const[]){"0123456789", NULL});
    got_free(&g);
}

static void test_sse_callback_status_is_returned(void **state)
{
    (void)state;
    struct got g;
    got_init(&g);
    g.stop_at = 0;
    struct llm_sse s;
    llm_sse_init(&s, BIG_LIMIT);
    assert_int_equal(llm_sse_line(&s, "data: a", 7, collect_cb, &g), ARVIS_OK);
    assert_int_equal(llm_sse_line(&s, "", 0, collect_cb, &g), STOP_STATUS);
    llm_sse_free(&s);
    assert_items(&g, (const char *const[]){"a", NULL});
    got_free(&g);
}

/* The whole pipeline: bytes -> lines -> events, as the OpenAI provider reads its stream. */
struct pipeline {
    struct llm_lines lines;
    struct llm_sse sse;
    struct got *events;
};

static int pipeline_line_cb(const char *line, size_t len, void *ud)
{
    struct pipeline *p = ud;
    return llm_sse_line(&p->sse, line, len, collect_cb, p->events);
}

static void pipeline_run(const char *text, size_t len, const size_t *cuts, size_t ncuts,
                         struct got *events)
{
    struct pipeline p = {.events = events};
    llm_lines_init(&p.lines, BIG_LIMIT);
    llm_sse_init(&p.sse, BIG_LIMIT);
    size_t at = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        assert_int_equal(llm_lines_feed(&p.lines, text + at, end - at, pipeline_line_cb, &p),
                         ARVIS_OK);
        at = end;
    }
    assert_int_equal(llm_lines_finish(&p.lines, pipeline_line_cb, &p), ARVIS_OK);
    assert_int_equal(llm_sse_finish(&p.sse, collect_cb, events), ARVIS_OK);
    llm_lines_free(&p.lines);
    llm_sse_free(&p.sse);
}

static const char openai_stream[] =
    ": OPENROUTER PROCESSING\r\n"
    "\r\n"
    "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\r\n"
    "\r\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"Привет\"}}]}\r\n"
    "\r\n"
    ": keep-alive\r\n"
    "event: message\r\n"
    "id: 3\r\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\", 世界 👋\"}}]}\r\n"
    "\r\n"
    "retry: 3000\r\n"
    "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],\r\n"
    "data: \"usage\":{\"prompt_tokens\":9}}\r\n"
    "\r\n"
    "data: [DONE]\r\n"
    "\r\n";

static const char *const openai_events[] = {
    "{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"Привет\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\", 世界 👋\"}}]}",
    "{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],\n\"usage\":{\"prompt_tokens\":9}}",
    "[DONE]",
    NULL,
};

static void test_sse_pipeline_same_at_every_split_point(void **state)
{
    (void)state;
    size_t n = strlen(openai_stream);
    for (size_t i = 0; i <= n; i++) {
        struct got g;
        got_init(&g);
        pipeline_run(openai_stream, n, &i, 1, &g);
        assert_items(&g, openai_events);
        got_free(&g);
    }
}

static void test_sse_pipeline_same_at_every_pair_of_split_points(void **state)
{
    (void)state;
    /* Two cuts close together: a middle feed of zero to three bytes, such as a lone CR between
     * its line and its LF; and the same with empty feeds on both sides of the middle one, as a
     * transfer may hand over zero bytes at any point. */
    size_t n = strlen(openai_stream);
    for (size_t i = 0; i <= n; i++) {
        for (size_t j = i; j <= n && j <= i + 3; j++) {
            const size_t plain[2] = {i, j};
            const size_t padded[4] = {i, i, j, j};
            struct got g;
            got_init(&g);
            pipeline_run(openai_stream, n, plain, 2, &g);
            assert_items(&g, openai_events);
            got_free(&g);
            got_init(&g);
            pipeline_run(openai_stream, n, padded, 4, &g);
            assert_items(&g, openai_events);
            got_free(&g);
        }
    }
}

static void test_sse_pipeline_one_byte_at_a_time(void **state)
{
    (void)state;
    size_t n = strlen(openai_stream);
    size_t *cuts = malloc(n * sizeof *cuts);
    assert_non_null(cuts);
    for (size_t i = 0; i < n; i++) {
        cuts[i] = i + 1;
    }
    struct got g;
    got_init(&g);
    pipeline_run(openai_stream, n, cuts, n, &g);
    free(cuts);
    assert_items(&g, openai_events);
    got_free(&g);
}

static void test_sse_pipeline_stream_cut_before_its_blank_line(void **state)
{
    (void)state;
    /* A server that closes right after its last data line, without CRLF or blank line. */
    static const char text[] = "data: a\r\n\r\ndata: b";
    struct got g;
    got_init(&g);
    pipeline_run(text, strlen(text), NULL, 0, &g);
    assert_items(&g, (const char *const[]){"a", "b", NULL});
    got_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_same_at_every_split_point),
        cmocka_unit_test(test_lines_same_one_byte_at_a_time),
        cmocka_unit_test(test_lines_end_with_lf_crlf_or_lone_cr),
        cmocka_unit_test(test_crlf_split_between_feeds_is_one_line_end),
        cmocka_unit_test(test_empty_feed_between_cr_and_lf_changes_nothing),
        cmocka_unit_test(test_lines_keep_a_utf8_character_split_across_feeds),
        cmocka_unit_test(test_last_line_without_an_end_comes_from_finish),
        cmocka_unit_test(test_line_at_the_limit_is_accepted),
        cmocka_unit_test(test_line_over_the_limit_in_one_feed_is_too_big),
        cmocka_unit_test(test_endless_line_is_too_big_and_bounded),
        cmocka_unit_test(test_callback_status_stops_feeding),
        cmocka_unit_test(test_sse_data_and_blank_line_dispatch),
        cmocka_unit_test(test_sse_data_without_a_space),
        cmocka_unit_test(test_sse_data_lines_are_joined_with_lf),
        cmocka_unit_test(test_sse_skips_comments_and_other_fields),
        cmocka_unit_test(test_sse_blank_line_without_data_dispatches_nothing),
        cmocka_unit_test(test_sse_empty_data_is_an_event),
        cmocka_unit_test(test_sse_done_marker_is_passed_on),
        cmocka_unit_test(test_sse_event_without_blank_line_comes_from_finish),
        cmocka_unit_test(test_sse_event_over_the_limit_is_too_big),
        cmocka_unit_test(test_sse_callback_status_is_returned),
        cmocka_unit_test(test_sse_pipeline_same_at_every_split_point),
        cmocka_unit_test(test_sse_pipeline_same_at_every_pair_of_split_points),
        cmocka_unit_test(test_sse_pipeline_one_byte_at_a_time),
        cmocka_unit_test(test_sse_pipeline_stream_cut_before_its_blank_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
