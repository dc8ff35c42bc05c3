/* The LLM client against the scripted server on loopback, for both providers: the streamed
 * answer, its measurements and history, every fault a server can produce, retries,
 * continuation, cancellation, the stable prefix and the reused connection. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "arvis/buf.h"
#include "arvis/config.h"
#include "arvis/llm.h"
#include "arvis/utf8.h"
#include "fake_llm.h"
#include "test_util.h"

/* One test's world: a server, a configuration pointing at it, a client. */
struct world {
    fake_llm *server;
    arvis_config *cfg;
    arvis_llm *llm;
    arvis_buf tokens;
    arvis_buf chunks;
    arvis_buf sentences; /* each followed by '|' */
    int n_chunks;
    int n_sentences;
    int n_status;
    char last_status[600];
    atomic_int n_tokens; /* read by the cancelling thread */
};

static void on_token(const char *text, size_t len, void *ud)
{
    struct world *w = ud;
    arvis_buf_add(&w->tokens, text, len);
    atomic_fetch_add(&w->n_tokens, 1);
}

static void on_chunk(const char *text, size_t len, void *ud)
{
    struct world *w = ud;
    arvis_buf_add(&w->chunks, text, len);
    w->n_chunks++;
}

static void on_sentence(const char *text, size_t len, bool early, void *ud)
{
    (void)early;
    struct world *w = ud;
    arvis_buf_add(&w->sentences, text, len);
    arvis_buf_addc(&w->sentences, '|');
    w->n_sentences++;
}

static void on_status(const char *text, void *ud)
{
    struct world *w = ud;
    w->n_status++;
    snprintf(w->last_status, sizeof w->last_status, "%s", text);
}

static arvis_llm_callbacks callbacks(struct world *w)
{
    return (arvis_llm_callbacks){.token_cb = on_token,
                                 .chunk_cb = on_chunk,
                                 .sentence_cb = on_sentence,
                                 .status_cb = on_status,
                                 .ud = w};
}

/* Starts a server with script and a client for provider; extra are more --set overrides. */
static void open_world(struct world *w, const char *provider, const char *script,
                       const char *const *extra)
{
    memset(w, 0, sizeof *w);
    tu_fresh_home();
    w->server = fake_llm_start(0, script);
    assert_non_null(w->server);
    static char sets_buf[4][256];
    snprintf(sets_buf[0], sizeof sets_buf[0], "llm.provider=%s", provider);
    snprintf(sets_buf[1], sizeof sets_buf[1], "llm.base_url=%s", fake_llm_url(w->server));
    snprintf(sets_buf[2], sizeof sets_buf[2], "llm.retry_backoff_ms=0");
    snprintf(sets_buf[3], sizeof sets_buf[3], "llm.model=gemma2:2b");
    const char *sets[16] = {sets_buf[0], sets_buf[1], sets_buf[2], sets_buf[3]};
    size_t n = 4;
    for (size_t i = 0; extra && extra[i] && n < 16; i++) {
        sets[n++] = extra[i];
    }
    arvis_config_options opts = {.ignore_env = true, .sets = sets, .n_sets = n};
    arvis_error err;
    assert_int_equal(arvis_config_load(&opts, &w->cfg, NULL, &err), ARVIS_OK);
    assert_int_equal(arvis_llm_create(w->cfg, true, &w->llm, &err), ARVIS_OK);
    arvis_buf_init(&w->tokens, 1 << 20);
    arvis_buf_init(&w->chunks, 1 << 20);
    arvis_buf_init(&w->sentences, 1 << 20);
}

static void close_world(struct world *w)
{
    arvis_llm_destroy(w->llm);
    arvis_config_free(w->cfg);
    fake_llm_stop(w->server);
    arvis_buf_free(&w->tokens);
    arvis_buf_free(&w->chunks);
    arvis_buf_free(&w->sentences);
}

static int ask(struct world *w, const char *question, arvis_llm_reply *reply, arvis_error *err)
{
    arvis_llm_callbacks cb = callbacks(w);
    return arvis_llm_ask(w->llm, question, &cb, reply, err);
}

/* The messages array of the i-th request the server received. */
static cJSON *request_messages(struct world *w, size_t i, cJSON **root)
{
    char *body = fake_llm_request_body(w->server, i);
    assert_non_null(body);
    *root = cJSON_Parse(body);
    free(body);
    assert_non_null(*root);
    return cJSON_GetObjectItemCaseSensitive(*root, "messages");
}

static const char *provider_of(void **state)
{
    return *state ? *state : "ollama";
}

static const char answer[] = "Hello there. Dr. Smith is in. Привет, мир! 🙂 Done.";

static void test_streams_an_answer_with_sentences_and_figures(void **state)
{
    const char *provider = provider_of(state);
    struct world w;
    open_world(&w, provider,
               "{\"replies\":[{\"tokens\":[\"Hello\",\" there.\",\" Dr.\",\" Smith is in.\","
               "\" Привет,\",\" мир!\",\" 🙂\",\" Done.\"],\"prompt_tokens\":31,"
               "\"cached_tokens\":12,\"timings\":true}]}",
               NULL);
    arvis_llm_reply r;
    arvis_error err;
    assert_int_equal(ask(&w, "Say hello.", &r, &err), ARVIS_OK);
    assert_string_equal(r.text, answer);
    assert_false(r.cut);
    assert_string_equal(arvis_buf_str(&w.tokens), answer);
    assert_string_equal(arvis_buf_str(&w.chunks), answer);
    assert_string_equal(arvis_buf_str(&w.sentences),
                        "Hello there.|Dr. Smith is in.|Привет, мир!|🙂 Done.|");
    const arvis_llm_stats *s = &r.stats;
    assert_int_equal(s->chunks, 8);
    assert_int_equal(s->chars, arvis_utf8_length(answer, strlen(answer)));
    assert_true(s->ttft_ms >= 0 && s->ttft_ms <= s->total_ms);
    assert_true(s->gap_p50_ms >= 0 && s->gap_p50_ms <= s->gap_p95_ms);
    assert_int_equal(s->prompt_tokens, 31);
    assert_int_equal(s->eval_tokens, 8);
    assert_true(s->server_tokens_per_s > 0);
    assert_int_equal(s->cached_tokens, strcmp(provider, "openai") == 0 ? 12 : -1);
    assert_string_equal(s->done_reason, "stop");
    assert_int_equal(s->retries, 0);
    /* The history holds the turn, saved. */
    arvis_history *h = arvis_llm_history(w.llm);
    assert_int_equal(arvis_history_count(h), 2);
    assert_string_equal(arvis_history_at(h, 0)->content, "Say hello.");
    assert_string_equal(arvis_history_at(h, 1)->content, answer);
    char *saved = tu_read(arvis_history_path(h), NULL);
    assert_non_null(saved);
    assert_non_null(strstr(saved, "Dr. Smith"));
    free(saved);
    arvis_llm_reply_free(&r);
    close_world(&w);
}

static void test_the_request_carries_the_settings(void **state)
{
    const char *provider = provider_of(state);
    bool openai = strcmp(provider, "openai") == 0;
    struct world w;
    const char *extra[] = {"llm.temperature=0.25", "llm.num_ctx=8192", "llm.seed=7",
                           "llm.system_prompt=Be brief.", NULL};
    open_world(&w, provider, "{\"replies\":[{\"text\":\"Fine.\"}]}", extra);
    arvis_llm_reply r;
    assert_int_equal(ask(&w, "How are you?", &r, NULL), ARVIS_OK);
    cJSON *root;
    cJSON *msgs = request_messages(&w, 0, &root);
    assert_int_equal(cJSON_GetArraySize(msgs), 2);
    cJSON *first = cJSON_GetArrayItem(msgs, 0);
    assert_string_equal(cJSON_GetObjectItem(first, "role")->valuestring, "system");
    assert_string_equal(cJSON_GetObjectItem(first, "content")->valuestring, "Be brief.");
    assert_string_equal(cJSON_GetObjectItem(root, "model")->valuestring, "gemma2:2b");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(root, "stream")));
    const cJSON *where = openai ? root : cJSON_GetObjectItem(root, "options");
    assert_float_equal(cJSON_GetObjectItem(where, "temperature")->valuedouble, 0.25, 1e-9);
    assert_int_equal(cJSON_GetObjectItem(where, "seed")->valueint, 7);
    if (openai) {
        assert_true(cJSON_IsTrue(
            cJSON_GetObjectItem(cJSON_GetObjectItem(root, "stream_options"), "include_usage")));
        assert_int_equal(cJSON_GetObjectItem(root, "max_tokens")->valueint, 1024);
    } else {
        assert_int_equal(cJSON_GetObjectItem(where, "num_ctx")->valueint, 8192);
        assert_int_equal(cJSON_GetObjectItem(where, "num_predict")->valueint, 1024);
        assert_string_equal(cJSON_GetObjectItem(root, "keep_alive")->valuestring, "30m");
    }
    cJSON_Delete(root);
    arvis_llm_reply_free(&r);
    close_world(&w);
}

static void test_any_chunking_gives_the_same_text(void **state)
{
    const char *provider = provider_of(state);
    /* One byte per write: boundaries fall inside JSON, UTF-8 sequences, CRLF and "data:". */
    const char *scripts[] = {
        "{\"replies\":[{\"text\":\"Привет, мир! 🙂 Ünïcödé "
        "ok.\",\"chunk_bytes\":1}]}",
        "{\"replies\":[{\"text\":\"Привет, мир! 🙂 Ünïcödé ok.\",\"chunk_bytes\":3,"
        "\"crlf\":true,\"comments\":true}]}",
        "{\"replies\":[{\"text\":\"Привет, мир! 🙂 Ünïcödé ok.\",\"chunk_bytes\":7,"
        "\"crlf\":true}]}",
    };
    for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
        struct world w;
        open_world(&w, provider, scripts[i], NULL);
        arvis_llm_reply r;
        arvis_error err;
        assert_int_equal(ask(&w, "Greet me.", &r, &err), ARVIS_OK);
        assert_string_equal(r.text, "Привет, мир! 🙂 Ünïcödé ok.");
        arvis_llm_reply_free(&r);
        close_world(&w);
    }
}

static void test_a_refused_connection_says_how_to_start_the_server(void **state)
{
    const char *provider = provider_of(state);
    struct world w;
    open_world(&w, provider, "{\"replies\":[{\"text\":\"x\"}]}", NULL);
    /* Point the client at a port where nothing listens. */
    char set[128];
    snprintf(set, sizeof set, "llm.base_url=http://127.0.0.1:%d", fake_llm_closed_port());
    char pset[64];
    snprintf(pset, sizeof pset, "llm.provider=%s", provider);
    const char *sets[] = {set, "llm.retries=2", "llm.retry_backoff_ms=1", pset};
    arvis_config *cfg;
    arvis_config_options opts = {.ignore_env = true, .sets = sets, .n_sets = 4};
    assert_int_equal(arvis_config_load(&opts, &cfg, NULL, NULL), ARVIS_OK);
    arvis_llm *llm;
    assert_int_equal(arvis_llm_create(cfg, true, &llm, NULL), ARVIS_OK);
    arvis_llm_callbacks cb = callbacks(&w);
    arvis_llm_reply r;
    arvis_error err;
    assert_int_equal(arvis_llm_ask(llm, "Anyone there?", &cb, &r, &err), ARVIS_E_UNAVAILABLE);
    assert_non_null(strstr(err.msg, "cannot reach"));
    assert_non_null(strstr(err.msg, "connection refused"));
    assert_non_null(strstr(err.msg, "llm.base_url"));
    assert_non_null(
        strstr(err.msg, strcmp(provider, "ollama") == 0 ? "ollama serve" : "llama-server"));
    assert_int_equal(r.stats.retries, 2);
    assert_int_equal(w.n_status, 2);
    assert_non_null(strstr(w.last_status, "trying again in 2 ms (2 of 2)"));
    assert_true(r.cut);
    assert_string_equal(r.text, "");
    assert_string_equal(r.stats.done_reason, "error");
    /* The question is kept, marked as unanswered. */
    arvis_history *h = arvis_llm_history(llm);
    assert_int_equal(arvis_history_count(h), 1);
    assert_true(arvis_history_at(h, 0)->cut);
    arvis_llm_reply_free(&r);
    arvis_llm_destroy(llm);
    arvis_config_free(cfg);
    close_world(&w);
}

static void test_a_hangup_before_any_answer_is_retried(void **state)
{
    struct world w;
    open_world(&w, provider_of(state),
               "{\"replies\":[{\"fault\":\"hangup\"},{\"text\":\"Back again.\"}]}", NULL);
    arvis_llm_reply r;
    arvis_error err;
    assert_int_equal(ask(&w, "Hello?", &r, &err), ARVIS_OK);
    assert_string_equal(r.text, "Back again.");
    assert_int_equal(r.stats.retries, 1);
    assert_int_equal(fake_llm_requests(w.server), 2);
    arvis_llm_reply_free(&r);
    close_world(&w);
}

/* A fault after some text: the error, no retry, and the part received kept in the history. */
static void expect_broken(void **state, const char *reply, int want, const char *message,
                          const char *const *extra)
{
    struct world w;
    char script[512];
    snprintf(script, sizeof script, "{\"replies\":[%s,{\"text\":\"never asked\"}]}", reply);
    open_world(&w, provider_of(state), script, extra);
    arvis_llm_reply r;
    arvis_error err;
    assert_int_equal(ask(&w, "Tell me.", &r, &err), want);
    if (!strstr(err.msg, message)) {
        fail_msg("\"%s\" does not say \"%s\"", err.msg, message);
    }
    assert_true(r.cut);
    assert_string_equal(r.text, "one two");
    assert_int_equal(r.stats.retries, 0);
    assert_int_equal(fake_llm_requests(w.server), 1);
    arvis_history *h = arvis_llm_history(w.llm);
    assert_int_equal(arvis_history_count(h), 2);
    assert_false(arvis_history_at(h, 0)->cut);
    assert_true(arvis_history_at(h, 1)->cut);
    assert_string_equal(arvis_history_at(h, 1)->content, "one two");
    arvis_llm_reply_free(&r);
    close_world(&w);
}

static void test_a_stall_mid_answer_ends_at_the_read_gap(void **state)
{
    const char *extra[] = {"llm.stream_chunk_timeout_ms=1000", NULL};
    expect_broken(state, "{\"text\":\"one two three\",\"fault\":\"stall\",\"fault_after\":2}",
                  ARVIS_E_TIMEOUT, "stopped answering", extra);
}

static void test_a_drop_mid_answer_is_not_retried(void **state)
{
    expect_broken(state, "{\"text\":\"one two three\",\"fault\":\"drop\",\"fault_after\":2}",
                  ARVIS_E_PROTOCOL, "broke", NULL);
}

static void test_nonsense_in_the_stream_is_named(void **state)
{
    expect_broken(state, "{\"text\":\"one two three\",\"fault\":\"malformed\",\"fault_after\":2}",
                  ARVIS_E_PROTOCOL, "not JSON: \"this is not json\"", NULL);
}

static void test_an_error_object_in_the_stream_is_reported(void **state)
{
    expect_broken(state,
                  "{\"text\":\"one two three\",\"fault\":\"error_object\",\"fault_after\":2}",
                  ARVIS_E_PROTOCOL, "reported an error: the model crashed", NULL);
}

static void test_an_endless_line_is_an_error_not_a_crash(void **state)
{
    const char *extra[] = {"llm.max_line_bytes=1024", NULL};
    expect_broken(state,
                  "{\"text\":\"one two three\",\"fault\":\"endless_line\",\"fault_after\":2}",
                  ARVIS_E_TOOBIG, "longer than 1024 bytes", extra);
}

static void test_invalid_utf8_is_replaced(void **state)
{
    struct world w;
    open_world(&w, provider_of(state),
               "{\"replies\":[{\"text\":\"one two three\",\"fault\":\"invalid_utf8\","
               "\"fault_after\":1}]}",
               NULL);
    arvis_llm_reply r;
    arvis_error err;
    assert_int_equal(ask(&w, "Hi", &r, &err), ARVIS_OK);
    assert_true(arvis_utf8_valid(r.text, strlen(r.text), NULL));
    assert_non_null(strstr(r.text, "\xEF\xBF\xBD"));
    assert_true(arvis_utf8_valid(w.sentences.data, w.sentences.len, NULL));
    arvis_llm_reply_free(&r);
    close_world(&w);
}

static void expect_refusal(void **state, const char *script, int want, const char *message)
{
    struct world w;
    open_world(&w, provider_of(state), script, NULL);
    arvis_llm_reply r;
    arvis_error err;
    assert_int_equal(ask(&w, "Hi", &r, &err), want);
    if (!strstr(err.msg, message)) {
        fail_msg("\"%s\" does not say \"%s\"", err.msg, message);
    }
    assert_string_equal(r.text, "");
    assert_int_equal(fake_llm_requests(w.server), 1);
    arvis_llm_reply_free(&r);
    close_world(&w);
}

static void test_an_http_error_shows_the_servers_reason(void **state)
{
    expect_refusal(state,
                   "{\"replies\":[{\"fault\":\"http_error\",\"status\":500,"
                   "\"body\":\"{\\\"error\\\":\\\"CUDA out of memory\\\"}\"}]}",
                   ARVIS_E_PROTOCOL, "answered 500: CUDA out of memory");
}

static void test_a_redirect_is_refused(void **state)
{
    expect_refusal(state, "{\"replies\":[{\"fault\":\"redirect\"}]}", ARVIS_E_PROTOCOL,
                   "redirect to http://127.0.0.1:1/elsewhere");
}

static void test_an_unknown_model_lists_the_models_there_are(void **state)
{
    expect_refusal(state,
                   "{\"models\":[\"llama3.2:1b\",\"qwen2.5:0.5b\"],\"replies\":[{\"text\":\"x\"}]}",
                   ARVIS_E_NOTFOUND, "no model \"gemma2:2b\"");
    expect_refusal(state,
                   "{\"models\":[\"llama3.2:1b\",\"qwen2.5:0.5b\"],\"replies\":[{\"text\":\"x\"}]}",
                   ARVIS_E_NOTFOUND, "it has: llama3.2:1b, qwen2.5:0.5b");
}

static void test_an_api_key_comes_from_the_named_variable(void **state)
{
    (void)state;
    const char *extra[] = {"llm.api_key_env=ARVIS_TEST_KEY_VAR", NULL};
    unsetenv("ARVIS_TEST_KEY_VAR");
    struct world w;
    open_world(&w, "openai", "{\"api_key\":\"sk-test\",\"replies\":[{\"text\":\"Hi.\"}]}", extra);
    arvis_llm_reply r;
    arvis_error err;
    assert_int_equal(ask(&w, "Hi", &r, &err), ARVIS_E_PERM);
    assert_non_null(strstr(err.msg, "Invalid API key"));
    assert_non_null(strstr(err.msg, "llm.api_key_env"));
    arvis_llm_reply_free(&r);
    setenv("ARVIS_TEST_KEY_VAR", "sk-test", 1);
    assert_int_equal(ask(&w, "Hi", &r, &err), ARVIS_OK);
    assert_string_equal(r.text, "Hi.");
    unsetenv("ARVIS_TEST_KEY_VAR");
    arvis_llm_reply_free(&r);
    close_world(&w);
}

static void test_an_empty_answer_keeps_the_question_unanswered(void **state)
{
    struct world w;
    open_world(&w, provider_of(state), "{\"replies\":[{\"tokens\":[\" \",\"\\n\"]}]}", NULL);
    arvis_llm_reply r;
    assert_int_equal(ask(&w, "Say nothing.", &r, NULL), ARVIS_OK);
    assert_false(r.cut);
    arvis_history *h = arvis_llm_history(w.llm);
    assert_int_equal(arvis_history_count(h), 1);
    assert_true(arvis_history_at(h, 0)->cut);
    arvis_llm_reply_free(&r);
    close_world(&w);
}

static void test_bad_questions_are_refused_before_sending(void **state)
{
    struct world w;
    open_world(&w, provider_of(state), "{\"replies\":[{\"text\":\"x\"}]}", NULL);
    arvis_llm_reply r;
    arvis_error err;
    assert_int_equal(ask(&w, "  \n\t", &r, &err), ARVIS_E_INVAL);
    assert_non_null(strstr(err.msg, "empty"));
    arvis_llm_reply_free(&r);
    assert_int_equal(ask(&w, "bad \xC3\x28 text", &r, &err), ARVIS_E_UTF8);
    arvis_llm_reply_free(&r);
    assert_int_equal(fake_llm_requests(w.server), 0);
    assert_int_equal(arvis_history_count(arvis_llm_history(w.llm)), 0);
    close_world(&w);
}

struct canceller {
    struct world *w;
    size_t after_requests;
};

static void *cancel_when_asked(void *arg)
{
    struct canceller *c = arg;
    /* Once the server holds the request (it stalls forever after two pieces), cancel. */
    while (fake_llm_requests(c->w->server) < c->after_requests ||
           atomic_load(&c->w->n_tokens) == 0) {
        sched_yield();
    }
    arvis_llm_cancel(c->w->llm);
    return NULL;
}

static void test_cancel_from_another_thread_keeps_what_was_said(void **state)
{
    struct world w;
    open_world(&w, provider_of(state),
               "{\"replies\":[{\"text\":\"one two three\",\"fault\":\"stall\","
               "\"fault_after\":2}]}",
               NULL);
    struct canceller c = {&w, 1};
    pthread_t t;
    pthread_create(&t, NULL, cancel_when_asked, &c);
    arvis_llm_reply r;
    arvis_error err;
    assert_int_equal(ask(&w, "Count.", &r, &err), ARVIS_E_CANCELLED);
    pthread_join(t, NULL);
    assert_true(r.cut);
    assert_string_equal(r.stats.done_reason, "cancelled");
    assert_non_null(strstr("one two", r.text));
    assert_true(strlen(r.text) > 0);
    arvis_history *h = arvis_llm_history(w.llm);
    assert_int_equal(arvis_history_count(h), 2);
    assert_true(arvis_history_at(h, 1)->cut);
    /* A cancel between requests is forgotten: the next question is answered. */
    fake_llm_set_script(w.server, "{\"replies\":[{\"text\":\"Ready.\"}]}");
    arvis_llm_cancel(w.llm);
    arvis_llm_reply_free(&r);
    assert_int_equal(ask(&w, "Again.", &r, &err), ARVIS_OK);
    assert_string_equal(r.text, "Ready.");
    arvis_llm_reply_free(&r);
    close_world(&w);
}

static void test_a_length_stop_is_continued_up_to_the_limit(void **state)
{
    struct world w;
    open_world(&w, provider_of(state),
               "{\"replies\":[{\"text\":\"The first part\",\"done_reason\":\"length\"},"
               "{\"text\":\" and the rest.\"}]}",
               NULL);
    arvis_llm_reply r;
    arvis_error err;
    assert_int_equal(ask(&w, "Tell a long story.", &r, &err), ARVIS_OK);
    assert_string_equal(r.text, "The first part and the rest.");
    assert_int_equal(r.stats.continuations, 1);
    assert_string_equal(r.stats.done_reason, "stop");
    assert_non_null(strstr(w.last_status, "continuing (1 of 2)"));
    assert_string_equal(arvis_buf_str(&w.sentences), "The first part and the rest.|");
    /* The second request carries the answer so far and asks to go on. */
    cJSON *root;
    cJSON *msgs = request_messages(&w, 1, &root);
    int n = cJSON_GetArraySize(msgs);
    assert_int_equal(n, 4);
    cJSON *partial = cJSON_GetArrayItem(msgs, 2);
    assert_string_equal(cJSON_GetObjectItem(partial, "role")->valuestring, "assistant");
    assert_string_equal(cJSON_GetObjectItem(partial, "content")->valuestring, "The first part");
    cJSON_Delete(root);
    /* One answer in the history, not two. */
    arvis_history *h = arvis_llm_history(w.llm);
    assert_int_equal(arvis_history_count(h), 2);
    assert_string_equal(arvis_history_at(h, 1)->content, "The first part and the rest.");
    arvis_llm_reply_free(&r);
    /* Never more than llm.auto_continue_max_attempts times. */
    fake_llm_set_script(w.server, "{\"replies\":[{\"text\":\"More\",\"done_reason\":\"length\"}]}");
    size_t before = fake_llm_requests(w.server);
    assert_int_equal(ask(&w, "Go on forever.", &r, &err), ARVIS_OK);
    assert_int_equal(fake_llm_requests(w.server) - before, 3);
    assert_int_equal(r.stats.continuations, 2);
    assert_string_equal(r.stats.done_reason, "length");
    assert_string_equal(r.text, "MoreMoreMore");
    arvis_llm_reply_free(&r);
    close_world(&w);
}

/* True when the messages of request a are, all but its last, the start of request b's. */
static bool extends(struct world *w, size_t a, size_t b)
{
    cJSON *ra;
    cJSON *rb;
    cJSON *ma = request_messages(w, a, &ra);
    cJSON *mb = request_messages(w, b, &rb);
    int na = cJSON_GetArraySize(ma);
    bool same = cJSON_GetArraySize(mb) >= na;
    for (int i = 0; same && i < na - 1; i++) {
        same = cJSON_Compare(cJSON_GetArrayItem(ma, i), cJSON_GetArrayItem(mb, i), true);
    }
    cJSON_Delete(ra);
    cJSON_Delete(rb);
    return same;
}

static void test_the_prefix_stays_stable_and_within_budget(void **state)
{
    struct world w;
    const char *extra[] = {"llm.history.context_messages=20", NULL};
    open_world(&w, provider_of(state), "{\"replies\":[{\"text\":\"An answer.\"}]}", extra);
    enum { TURNS = 30 };
    for (int i = 0; i < TURNS; i++) {
        char q[32];
        snprintf(q, sizeof q, "Question %d?", i);
        arvis_llm_reply r;
        assert_int_equal(ask(&w, q, &r, NULL), ARVIS_OK);
        arvis_llm_reply_free(&r);
    }
    int stable = 0;
    for (size_t i = 0; i + 1 < TURNS; i++) {
        stable += extends(&w, i, i + 1);
        cJSON *root;
        /* system + at most 20 earlier messages + the question */
        assert_true(cJSON_GetArraySize(request_messages(&w, i + 1, &root)) <= 22);
        cJSON_Delete(root);
    }
    /* The window start moves in steps of 5 messages (a quarter of the budget), so most
     * requests extend the one before instead of shifting it. */
    printf("# %d of %d requests extended the one before\n", stable, TURNS - 1);
    assert_true(stable >= (TURNS - 1) * 6 / 10);
    arvis_llm_reply r;
    assert_int_equal(ask(&w, "Last?", &r, NULL), ARVIS_OK);
    arvis_llm_reply_free(&r);
    close_world(&w);
}

static void test_turns_share_one_connection(void **state)
{
    struct world w;
    open_world(&w, provider_of(state), "{\"replies\":[{\"text\":\"Yes.\"}]}", NULL);
    for (int i = 0; i < 4; i++) {
        arvis_llm_reply r;
        assert_int_equal(ask(&w, "Again?", &r, NULL), ARVIS_OK);
        arvis_llm_reply_free(&r);
    }
    assert_int_equal(fake_llm_connections(w.server), 1);
    close_world(&w);
}

static void test_warmup_loads_the_model(void **state)
{
    const char *provider = provider_of(state);
    struct world w;
    open_world(&w, provider, "{\"replies\":[{\"text\":\"x\"}]}", NULL);
    arvis_llm_callbacks cb = callbacks(&w);
    arvis_llm_stats s;
    arvis_error err;
    assert_int_equal(arvis_llm_warmup(w.llm, &cb, &s, &err), ARVIS_OK);
    assert_true(s.total_ms >= 0);
    assert_non_null(strstr(w.last_status, "gemma2:2b is ready"));
    assert_int_equal(w.n_status, 2);
    cJSON *root;
    cJSON *msgs = request_messages(&w, 0, &root);
    if (strcmp(provider, "ollama") == 0) {
        assert_int_equal(cJSON_GetArraySize(msgs), 0);
        assert_string_equal(cJSON_GetObjectItem(root, "keep_alive")->valuestring, "30m");
    } else {
        assert_int_equal(cJSON_GetArraySize(msgs), 1);
        assert_int_equal(cJSON_GetObjectItem(root, "max_tokens")->valueint, 1);
    }
    cJSON_Delete(root);
    assert_int_equal(arvis_history_count(arvis_llm_history(w.llm)), 0);
    close_world(&w);
    /* An unknown model fails the warm-up with the list. */
    open_world(&w, provider, "{\"models\":[\"phi3:mini\"],\"replies\":[{\"text\":\"x\"}]}", NULL);
    assert_int_equal(arvis_llm_warmup(w.llm, NULL, &s, &err), ARVIS_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "phi3:mini"));
    close_world(&w);
}

static void test_models_and_check(void **state)
{
    const char *provider = provider_of(state);
    struct world w;
    open_world(&w, provider, "{\"models\":[\"gemma2:2b\",\"phi3:mini\"],\"version\":\"0.5.7\"}",
               NULL);
    char **names;
    size_t n;
    arvis_error err;
    assert_int_equal(arvis_llm_models(w.llm, &names, &n, &err), ARVIS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "gemma2:2b");
    assert_string_equal(names[1], "phi3:mini");
    arvis_llm_names_free(names, n);
    char *version;
    bool has_model = false;
    assert_int_equal(arvis_llm_check(w.llm, &version, &has_model, &err), ARVIS_OK);
    assert_string_equal(version, strcmp(provider, "ollama") == 0 ? "0.5.7" : "OpenAI-compatible");
    assert_true(has_model);
    free(version);
    assert_int_equal(arvis_llm_set_model(w.llm, "phi3:mini"), ARVIS_OK);
    assert_string_equal(arvis_llm_model(w.llm), "phi3:mini");
    assert_int_equal(arvis_llm_set_model(w.llm, "mistral"), ARVIS_OK);
    assert_int_equal(arvis_llm_check(w.llm, &version, &has_model, &err), ARVIS_OK);
    assert_false(has_model);
    free(version);
    close_world(&w);
}

static void test_the_providers_are_listed(void **state)
{
    (void)state;
    tu_fresh_home();
    const char *sets[] = {"llm.provider=ollama"};
    arvis_config_options opts = {.ignore_env = true, .sets = sets, .n_sets = 1};
    arvis_config *cfg;
    assert_int_equal(arvis_config_load(&opts, &cfg, NULL, NULL), ARVIS_OK);
    const char *const *names = arvis_llm_providers();
    assert_string_equal(names[0], "ollama");
    assert_string_equal(names[1], "openai");
    assert_null(names[2]);
    arvis_config_free(cfg);
}

static char ollama[] = "ollama";
static char openai[] = "openai";

#define BOTH(fn) cmocka_unit_test_prestate(fn, ollama), cmocka_unit_test_prestate(fn, openai)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_streams_an_answer_with_sentences_and_figures),
        BOTH(test_the_request_carries_the_settings),
        BOTH(test_any_chunking_gives_the_same_text),
        BOTH(test_a_refused_connection_says_how_to_start_the_server),
        BOTH(test_a_hangup_before_any_answer_is_retried),
        BOTH(test_a_stall_mid_answer_ends_at_the_read_gap),
        BOTH(test_a_drop_mid_answer_is_not_retried),
        BOTH(test_nonsense_in_the_stream_is_named),
        BOTH(test_an_error_object_in_the_stream_is_reported),
        BOTH(test_an_endless_line_is_an_error_not_a_crash),
        BOTH(test_invalid_utf8_is_replaced),
        BOTH(test_an_http_error_shows_the_servers_reason),
        BOTH(test_a_redirect_is_refused),
        BOTH(test_an_unknown_model_lists_the_models_there_are),
        cmocka_unit_test(test_an_api_key_comes_from_the_named_variable),
        BOTH(test_an_empty_answer_keeps_the_question_unanswered),
        BOTH(test_bad_questions_are_refused_before_sending),
        BOTH(test_cancel_from_another_thread_keeps_what_was_said),
        BOTH(test_a_length_stop_is_continued_up_to_the_limit),
        BOTH(test_the_prefix_stays_stable_and_within_budget),
        BOTH(test_turns_share_one_connection),
        BOTH(test_warmup_loads_the_model),
        BOTH(test_models_and_check),
        cmocka_unit_test(test_the_providers_are_listed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
