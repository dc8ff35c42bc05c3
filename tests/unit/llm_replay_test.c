/* The providers reading a recorded answer body (Ollama NDJSON, OpenAI-compatible SSE) with no
 * server: the same text and figures at every piece size, and every way such a body can be bad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/buf.h"
#include "arvis/config.h"
#include "arvis/utf8.h"
#include "llm_internal.h"
#include "test_util.h"

enum { MAX_LINE = 1 << 20, SMALL_LINE = 64 };

static const char base_url[] = "http://replay.invalid:11434";

/* A test's configuration, the context a provider reads it through (no HTTP), the body. */
struct world {
    char *home;
    arvis_config *cfg;
    struct llm_ctx ctx;
    arvis_buf body;
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->home = strdup(tu_fresh_home());
    assert_non_null(w->home);
    arvis_config_options opts = {.ignore_env = true};
    arvis_error err;
    assert_int_equal(arvis_config_load(&opts, &w->cfg, NULL, &err), ARVIS_OK);
    w->ctx = (struct llm_ctx){
        .cfg = w->cfg, .base_url = base_url, .model = "gemma2:2b", .max_line = MAX_LINE};
    arvis_buf_init(&w->body, MAX_LINE);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    arvis_config_free(w->cfg);
    arvis_buf_free(&w->body);
    tu_rmtree(w->home);
    free(w->home);
    free(w);
    return 0;
}

/* What the sink received; each piece is checked against the sink's promise on arrival. */
struct text {
    arvis_buf all;
    int pieces;
    int stop_after; /* answer ARVIS_E_CANCELLED to this piece (1-based); 0: never */
};

static int text_cb(const char *piece, size_t len, void *ud)
{
    struct text *t = ud;
    assert_true(len > 0);
    assert_true(arvis_utf8_valid(piece, len, NULL));
    assert_int_equal(arvis_buf_add(&t->all, piece, len), ARVIS_OK);
    t->pieces++;
    return t->pieces == t->stop_after ? ARVIS_E_CANCELLED : ARVIS_OK;
}

/* What one replay must give: status, text, a part of the error message, the figures. */
struct expect {
    int rc;
    const char *text;
    const char *msg; /* NULL: the message is empty */
    struct llm_outcome out;
    int stop_after; /* the sink refuses this piece (1-based); 0: none */
};

static void init_expect(struct expect *e, int rc, const char *text, const char *msg,
                        const char *reason)
{
    e->rc = rc;
    e->text = text;
    e->msg = msg;
    e->stop_after = 0;
    llm_outcome_init(&e->out);
    snprintf(e->out.done_reason, sizeof e->out.done_reason, "%s", reason);
}

static void assert_same_double(double got, double want, const char *what)
{
    if (got != want) {
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
    }
}

static void assert_outcome(const struct llm_outcome *got, const struct llm_outcome *want)
{
    assert_string_equal(got->done_reason, want->done_reason);
    assert_int_equal(got->prompt_tokens, want->prompt_tokens);
    assert_int_equal(got->cached_tokens, want->cached_tokens);
    assert_int_equal(got->eval_tokens, want->eval_tokens);
    assert_same_double(got->prompt_ms, want->prompt_ms, "prompt_ms");
    assert_same_double(got->eval_ms, want->eval_ms, "eval_ms");
    assert_same_double(got->load_ms, want->load_ms, "load_ms");
    assert_same_double(got->total_ms, want->total_ms, "total_ms");
}

/* Replays body in pieces of `piece` bytes and checks the result against e. */
static void assert_replay(struct world *w, const struct arvis_llm_ops *ops, const char *body,
                          size_t len, size_t piece, const struct expect *e)
{
    struct text t = {.stop_after = e->stop_after};
    arvis_buf_init(&t.all, MAX_LINE);
    struct llm_sink sink = {text_cb, &t};
    struct llm_outcome out;
    arvis_error err;
    arvis_error_clear(&err);
    int rc = ops->replay(&w->ctx, body, len, piece, &sink, &out, &err);
    if (rc != e->rc) {
        fail_msg("piece %zu: status %d (%s), want %d", piece, rc, err.msg, e->rc);
    }
    assert_int_equal(t.all.len, strlen(e->text));
    assert_string_equal(arvis_buf_str(&t.all), e->text);
    if (e->msg) {
        assert_int_equal(err.code, rc);
        assert_non_null(strstr(err.msg, e->msg));
        assert_non_null(strstr(err.msg, base_url)); /* it says which server */
    } else {
        assert_string_equal(err.msg, "");
    }
    assert_outcome(&out, &e->out);
    arvis_buf_free(&t.all);
}

/* The same result for the world's body at every piece size, from one byte to the whole body
 * and beyond, so every line end, JSON token and UTF-8 character is cut everywhere it can be. */
static void assert_every_piece(struct world *w, const struct arvis_llm_ops *ops,
                               const struct expect *e)
{
    for (size_t piece = 1; piece <= w->body.len + 1; piece++) {
        assert_replay(w, ops, w->body.data, w->body.len, piece, e);
    }
}

/* ---- recorded bodies, put together from the lines real servers send ---- */

static void put(arvis_buf *b, const char *raw)
{
    assert_int_equal(arvis_buf_adds(b, raw), ARVIS_OK);
}

/* One Ollama line of the answer; content is JSON string text (escapes allowed). */
static void ollama_part(arvis_buf *b, const char *content)
{
    int rc = arvis_buf_addf(b,
                            "{\"model\":\"gemma2:2b\",\"created_at\":\"2024-07-01T10:00:00.1Z\","
                            "\"message\":{\"role\":\"assistant\",\"content\":\"%s\"},"
                            "\"done\":false}\n",
                            content);
    assert_int_equal(rc, ARVIS_OK);
}

/* One OpenAI chunk; delta and finish are JSON. */
static void openai_chunk(arvis_buf *b, const char *delta, const char *finish)
{
    int rc = arvis_buf_addf(b,
                            "data: {\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\","
                            "\"created\":1720000000,\"model\":\"gpt-4o-mini\",\"choices\":"
                            "[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\r\n\r\n",
                            delta, finish);
    assert_int_equal(rc, ARVIS_OK);
}

static const char ollama_text[] = "Привет, мир! 🌍🇷🇺 \"кавычки\"\n😀 ок.";

/* ollama_text as Ollama streams it: an empty first part, escapes, a surrogate pair. */
static void ollama_answer(arvis_buf *b)
{
    static const char *const parts[] = {
        "", "Привет", ", мир! ", "🌍🇷🇺", " \\\"кавычки\\\"\\n", "\\ud83d\\ude00 ок.",
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        ollama_part(b, parts[i]);
    }
}

static const char ollama_done[] =
    "{\"model\":\"gemma2:2b\",\"created_at\":\"2024-07-01T10:00:01.5Z\","
    "\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":\"stop\","
    "\"done\":true,\"total_duration\":5191566416,\"load_duration\":2154458,"
    "\"prompt_eval_count\":26,\"prompt_eval_duration\":383809000,"
    "\"eval_count\":298,\"eval_duration\":4799921000}\n";

static const char openai_text[] = "Привет, мир 🌍 — 😀 готово.";

/* openai_text as OpenAI or OpenRouter streams it: CRLF, comments, other fields, escapes. */
static void openai_answer(arvis_buf *b)
{
    put(b, ": OPENROUTER PROCESSING\r\n\r\n");
    openai_chunk(b, "{\"role\":\"assistant\",\"content\":\"\"}", "null");
    openai_chunk(b, "{\"content\":\"Привет\"}", "null");
    put(b, ": keep-alive\r\n\r\n");
    openai_chunk(b, "{\"content\":\", мир 🌍\"}", "null");
    put(b, "event: message\r\nid: 4\r\n");
    openai_chunk(b, "{\"content\":\" \\u2014 \\ud83d\\ude00 готово.\"}", "null");
}

static void openai_finish(arvis_buf *b)
{
    openai_chunk(b, "{}", "\"stop\"");
}

/* The usage chunk include_usage asks for: no choices, cached tokens in the details. */
static const char openai_usage[] =
    "data: {\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
    "\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":42,\"total_tokens\":1242,"
    "\"prompt_tokens_details\":{\"cached_tokens\":1024}}}\r\n\r\n";

static const char openai_done[] = "data: [DONE]\r\n\r\n";

/* openai_text with the figures of openai_usage. */
static void usage_expect(struct expect *e, int rc, const char *msg, const char *reason)
{
    init_expect(e, rc, openai_text, msg, reason);
    e->out.prompt_tokens = 1200;
    e->out.eval_tokens = 42;
    e->out.cached_tokens = 1024;
}

/* ---- Ollama: newline-delimited JSON, figures on the done line ---- */

static void test_ollama_same_answer_at_every_piece_size(void **state)
{
    struct world *w = *state;
    ollama_answer(&w->body);
    put(&w->body, ollama_done);
    struct expect e;
    init_expect(&e, ARVIS_OK, ollama_text, NULL, "stop");
    e.out.prompt_tokens = 26;
    e.out.eval_tokens = 298;
    e.out.prompt_ms = 383.809;
    e.out.eval_ms = 4799.921;
    e.out.load_ms = 2.154458;
    e.out.total_ms = 5191.566416;
    assert_every_piece(w, &llm_ollama_ops, &e);
}

static void test_ollama_without_a_done_line_is_incomplete(void **state)
{
    struct world *w = *state;
    /* The text was passed on as it came; the figures of a done line never came. */
    ollama_answer(&w->body);
    struct expect e;
    init_expect(&e, ARVIS_E_PROTOCOL, ollama_text, "without saying it was complete", "");
    assert_every_piece(w, &llm_ollama_ops, &e);

    arvis_buf_reset(&w->body);
    ollama_answer(&w->body);
    put(&w->body, "{\"model\":\"gemma2:2b\",\"done\":false}\n");
    assert_every_piece(w, &llm_ollama_ops, &e);
}

static void test_ollama_invalid_utf8_becomes_replacement_characters(void **state)
{
    struct world *w = *state;
    /* C3 without its continuation and a lone FF: each one bad byte, one U+FFFD. */
    ollama_part(&w->body, "ok \xC3(, \xFF end");
    ollama_part(&w->body, " дальше");
    put(&w->body, "{\"done\":true,\"done_reason\":\"stop\"}\n");
    struct expect e;
    init_expect(&e, ARVIS_OK, "ok \xEF\xBF\xBD(, \xEF\xBF\xBD end дальше", NULL, "stop");
    assert_every_piece(w, &llm_ollama_ops, &e);
}

static void test_ollama_error_line_stops_with_its_message(void **state)
{
    struct world *w = *state;
    put(&w->body, "{\"error\":\"model \\\"llama9\\\" not found, try pulling it first\"}\n");
    struct expect e;
    init_expect(&e, ARVIS_E_PROTOCOL, "",
                "it reported an error: model \"llama9\" not found, try pulling it first", "");
    assert_every_piece(w, &llm_ollama_ops, &e);

    /* Mid-answer: what came before it was passed on, nothing after it is. */
    arvis_buf_reset(&w->body);
    ollama_part(&w->body, "Привет");
    put(&w->body, "{\"error\":\"out of memory\"}\n");
    ollama_part(&w->body, "never");
    put(&w->body, ollama_done);
    init_expect(&e, ARVIS_E_PROTOCOL, "Привет", "it reported an error: out of memory", "");
    assert_every_piece(w, &llm_ollama_ops, &e);
}

static void test_ollama_line_that_is_not_json_stops(void **state)
{
    struct world *w = *state;
    ollama_part(&w->body, "a");
    put(&w->body, "<html>502 Bad Gateway</html>\n");
    put(&w->body, ollama_done);
    struct expect e;
    init_expect(&e, ARVIS_E_PROTOCOL, "a", "not JSON: \"<html>502 Bad Gateway</html>\"", "");
    assert_every_piece(w, &llm_ollama_ops, &e);
}

static void test_ollama_line_over_the_limit_is_refused_at_any_piece_size(void **state)
{
    struct world *w = *state;
    w->ctx.max_line = SMALL_LINE;
    /* A short line, then one over the limit: refused also when it arrives whole in one piece. */
    put(&w->body, "{\"message\":{\"content\":\"a\"}}\n"
                  "{\"message\":{\"content\":\"0123456789012345678901234567890123456789\"}}\n"
                  "{\"done\":true}\n");
    struct expect e;
    init_expect(&e, ARVIS_E_TOOBIG, "a", "longer than 64 bytes (llm.max_line_bytes)", "");
    assert_every_piece(w, &llm_ollama_ops, &e);
}

/* ---- OpenAI-compatible: server-sent events up to [DONE] ---- */

static void test_openai_same_answer_at_every_piece_size(void **state)
{
    struct world *w = *state;
    openai_answer(&w->body);
    openai_finish(&w->body);
    put(&w->body, openai_usage);
    put(&w->body, openai_done);
    struct expect e;
    usage_expect(&e, ARVIS_OK, NULL, "stop");
    assert_every_piece(w, &llm_openai_ops, &e);
}

static void test_openai_llamacpp_timings_at_every_piece_size(void **state)
{
    struct world *w = *state;
    /* As llama.cpp's llama-server sends it: LF, content null at first, and its own timings on
     * the finish chunk, which split the prompt into computed and cached tokens. */
    put(&w->body,
        "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"role\":"
        "\"assistant\",\"content\":null}}],\"created\":1720000000,\"id\":\"chatcmpl-x\","
        "\"model\":\"qwen2.5\",\"object\":\"chat.completion.chunk\"}\n\n"
        "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,"
        "\"delta\":{\"content\":\"Здравствуй\"}}],\"object\":\"chat.completion.chunk\"}\n\n"
        "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,"
        "\"delta\":{\"content\":\", 👋🏽!\"}}],\"object\":\"chat.completion.chunk\"}\n\n"
        "data: {\"choices\":[{\"finish_reason\":\"length\",\"index\":0,\"delta\":{}}],"
        "\"object\":\"chat.completion.chunk\",\"usage\":{\"completion_tokens\":12,"
        "\"prompt_tokens\":31,\"total_tokens\":43},"
        "\"timings\":{\"prompt_n\":15,\"prompt_ms\":40.5,\"prompt_per_token_ms\":2.7,"
        "\"prompt_per_second\":370.37,\"predicted_n\":12,\"predicted_ms\":250.25,"
        "\"predicted_per_token_ms\":20.854,\"predicted_per_second\":47.952,\"cache_n\":16}}\n\n"
        "data: [DONE]\n\n");
    struct expect e;
    init_expect(&e, ARVIS_OK, "Здравствуй, 👋🏽!", NULL, "length");
    e.out.prompt_tokens = 15;
    e.out.eval_tokens = 12;
    e.out.cached_tokens = 16;
    e.out.prompt_ms = 40.5;
    e.out.eval_ms = 250.25;
    assert_every_piece(w, &llm_openai_ops, &e);
}

static void test_openai_without_done_or_finish_reason_is_incomplete(void **state)
{
    struct world *w = *state;
    openai_answer(&w->body);
    struct expect e;
    init_expect(&e, ARVIS_E_PROTOCOL, openai_text, "without saying it was complete", "");
    assert_every_piece(w, &llm_openai_ops, &e);

    /* Usage alone does not say the answer was whole. */
    put(&w->body, openai_usage);
    usage_expect(&e, ARVIS_E_PROTOCOL, "without saying it was complete", "");
    assert_every_piece(w, &llm_openai_ops, &e);
}

static void test_openai_finish_reason_without_done_is_accepted(void **state)
{
    struct world *w = *state;
    /* The finish chunk last, cut off before its CRLF and blank line. */
    openai_answer(&w->body);
    openai_finish(&w->body);
    arvis_buf_truncate(&w->body, w->body.len - strlen("\r\n\r\n"));
    struct expect e;
    init_expect(&e, ARVIS_OK, openai_text, NULL, "stop");
    assert_every_piece(w, &llm_openai_ops, &e);

    /* The finish chunk whole and the usage chunk after it: its figures are kept too. */
    put(&w->body, "\r\n\r\n");
    put(&w->body, openai_usage);
    usage_expect(&e, ARVIS_OK, NULL, "stop");
    assert_every_piece(w, &llm_openai_ops, &e);
}

static void test_openai_ignores_what_follows_done(void **state)
{
    struct world *w = *state;
    openai_chunk(&w->body, "{\"content\":\"да\"}", "null");
    put(&w->body, openai_done);
    put(&w->body, "data: not json\r\n\r\n");
    openai_chunk(&w->body, "{\"content\":\"нет\"}", "null");
    struct expect e;
    init_expect(&e, ARVIS_OK, "да", NULL, "");
    assert_every_piece(w, &llm_openai_ops, &e);
}

static void test_openai_invalid_utf8_becomes_replacement_characters(void **state)
{
    struct world *w = *state;
    /* A lone continuation byte, and C0 AF (never valid): three bad bytes, three U+FFFD. */
    openai_chunk(&w->body, "{\"content\":\"x\x80y\xC0\xAFz\"}", "null");
    openai_finish(&w->body);
    put(&w->body, openai_done);
    struct expect e;
    init_expect(&e, ARVIS_OK, "x\xEF\xBF\xBDy\xEF\xBF\xBD\xEF\xBF\xBDz", NULL, "stop");
    assert_every_piece(w, &llm_openai_ops, &e);
}

static void test_openai_error_event_stops_with_its_message(void **state)
{
    struct world *w = *state;
    openai_chunk(&w->body, "{\"content\":\"Hi\"}", "null");
    put(&w->body, "data: {\"error\":{\"message\":\"the request exceeds the available context "
                  "size\",\"type\":\"exceed_context_size_error\",\"code\":400}}\r\n\r\n");
    put(&w->body, openai_done);
    struct expect e;
    init_expect(&e, ARVIS_E_PROTOCOL, "Hi",
                "it reported an error: the request exceeds the available context size", "");
    assert_every_piece(w, &llm_openai_ops, &e);

    /* Some servers send the error as a plain string. */
    arvis_buf_reset(&w->body);
    put(&w->body, "data: {\"error\":\"overloaded\"}\n\n");
    init_expect(&e, ARVIS_E_PROTOCOL, "", "it reported an error: overloaded", "");
    assert_every_piece(w, &llm_openai_ops, &e);
}

static void test_openai_event_over_the_limit_is_refused(void **state)
{
    struct world *w = *state;
    w->ctx.max_line = SMALL_LINE;
    /* Each line fits; the event they make together does not. */
    put(&w->body, "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
                  "data: {\"choices\":[{\"delta\":\n"
                  "data: {\"content\":\"0123456789012345678901234567\"}}]}\n\n"
                  "data: [DONE]\n\n");
    struct expect e;
    init_expect(&e, ARVIS_E_TOOBIG, "a", "event longer than 64 bytes (llm.max_line_bytes)", "");
    assert_every_piece(w, &llm_openai_ops, &e);
}

static void test_sink_status_stops_the_replay(void **state)
{
    struct world *w = *state;
    /* The sink refuses the second piece: nothing after it is read, and the status comes back. */
    ollama_answer(&w->body);
    put(&w->body, ollama_done);
    struct expect e;
    init_expect(&e, ARVIS_E_CANCELLED, "Привет, мир! ", NULL, "");
    e.stop_after = 2;
    assert_every_piece(w, &llm_ollama_ops, &e);

    arvis_buf_reset(&w->body);
    openai_answer(&w->body);
    openai_finish(&w->body);
    put(&w->body, openai_done);
    init_expect(&e, ARVIS_E_CANCELLED, "Привет, мир 🌍", NULL, "");
    e.stop_after = 2;
    assert_every_piece(w, &llm_openai_ops, &e);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_ollama_same_answer_at_every_piece_size),
        TEST(test_ollama_without_a_done_line_is_incomplete),
        TEST(test_ollama_invalid_utf8_becomes_replacement_characters),
        TEST(test_ollama_error_line_stops_with_its_message),
        TEST(test_ollama_line_that_is_not_json_stops),
        TEST(test_ollama_line_over_the_limit_is_refused_at_any_piece_size),
        TEST(test_openai_same_answer_at_every_piece_size),
        TEST(test_openai_llamacpp_timings_at_every_piece_size),
        TEST(test_openai_without_done_or_finish_reason_is_incomplete),
        TEST(test_openai_finish_reason_without_done_is_accepted),
        TEST(test_openai_ignores_what_follows_done),
        TEST(test_openai_invalid_utf8_becomes_replacement_characters),
        TEST(test_openai_error_event_stops_with_its_message),
        TEST(test_openai_event_over_the_limit_is_refused),
        TEST(test_sink_status_stops_the_replay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
