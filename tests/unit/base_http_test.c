/* The HTTP helper against a real server on loopback: streaming, error bodies, redirects refused,
 * a refused connection, a stall ended by the read-gap timeout, cancellation from another thread,
 * and one connection reused across requests. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/buf.h"
#include "arvis/http.h"
#include "fake_llm.h"

static int collect(const char *data, size_t len, void *ud)
{
    return arvis_buf_add(ud, data, len);
}

static int refuse_after_first(const char *data, size_t len, void *ud)
{
    (void)data;
    (void)len;
    int *calls = ud;
    return ++*calls > 1 ? ARVIS_E_TOOBIG : ARVIS_OK;
}

struct call {
    arvis_http_request req;
    arvis_http_result res;
    arvis_error err;
    arvis_buf body;
    char url[256];
    char payload[256];
};

static int perform(arvis_http *h, struct call *c, fake_llm *f, const char *path,
                   const char *body, const atomic_bool *cancel)
{
    snprintf(c->url, sizeof c->url, "%s%s", fake_llm_url(f), path);
    arvis_buf_init(&c->body, 1 << 20);
    c->req = (arvis_http_request){
        .method = body ? "POST" : "GET",
        .url = c->url,
        .body = body,
        .body_len = body ? strlen(body) : 0,
        .connect_timeout_ms = 2000,
        .read_gap_ms = 5000,
        .data_cb = collect,
        .ud = &c->body,
    };
    return arvis_http_perform(h, &c->req, cancel, &c->res, &c->err);
}

static void done(struct call *c)
{
    arvis_buf_free(&c->body);
    arvis_http_result_free(&c->res);
}

static const char chat[] = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

static void test_streams_a_body_and_reuses_the_connection(void **state)
{
    (void)state;
    fake_llm *f = fake_llm_start(0, "{\"replies\":[{\"text\":\"Hello there, friend.\","
                                    "\"chunk_bytes\":7}]}");
    assert_non_null(f);
    arvis_http *h = NULL;
    assert_int_equal(arvis_http_create(&h, NULL), ARVIS_OK);
    struct call c;
    assert_int_equal(perform(h, &c, f, "/api/chat", chat, NULL), ARVIS_OK);
    assert_int_equal(c.res.status, 200);
    assert_true(c.res.received);
    assert_non_null(strstr(arvis_buf_str(&c.body), "\"content\":\" fri\""));
    assert_non_null(strstr(arvis_buf_str(&c.body), "\"done\":true"));
    done(&c);
    assert_int_equal(perform(h, &c, f, "/api/version", NULL, NULL), ARVIS_OK);
    assert_string_equal(arvis_buf_str(&c.body), "{\"version\":\"0.5.7\"}");
    done(&c);
    assert_int_equal(fake_llm_connections(f), 1);
    arvis_http_destroy(h);
    fake_llm_stop(f);
}

static void test_error_status_keeps_the_body_and_skips_the_reader(void **state)
{
    (void)state;
    fake_llm *f = fake_llm_start(0, "{\"replies\":[{\"fault\":\"http_error\",\"status\":503,"
                                    "\"body\":\"{\\\"error\\\":\\\"busy\\\"}\"}]}");
    arvis_http *h = NULL;
    arvis_http_create(&h, NULL);
    struct call c;
    assert_int_equal(perform(h, &c, f, "/api/chat", chat, NULL), ARVIS_OK);
    assert_int_equal(c.res.status, 503);
    assert_string_equal(c.res.body, "{\"error\":\"busy\"}");
    assert_int_equal(c.body.len, 0);
    done(&c);
    arvis_http_destroy(h);
    fake_llm_stop(f);
}

static void test_redirects_are_not_followed(void **state)
{
    (void)state;
    fake_llm *f = fake_llm_start(0, "{\"replies\":[{\"fault\":\"redirect\"}]}");
    arvis_http *h = NULL;
    arvis_http_create(&h, NULL);
    struct call c;
    assert_int_equal(perform(h, &c, f, "/api/chat", chat, NULL), ARVIS_OK);
    assert_int_equal(c.res.status, 302);
    assert_string_equal(c.res.location, "http://127.0.0.1:1/elsewhere");
    done(&c);
    arvis_http_destroy(h);
    fake_llm_stop(f);
}

static void test_refused_connection_is_unavailable(void **state)
{
    (void)state;
    arvis_http *h = NULL;
    arvis_http_create(&h, NULL);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/version", fake_llm_closed_port());
    arvis_http_request req = {.method = "GET", .url = url, .connect_timeout_ms = 2000};
    arvis_http_result res;
    arvis_error err;
    assert_int_equal(arvis_http_perform(h, &req, NULL, &res, &err), ARVIS_E_UNAVAILABLE);
    assert_string_equal(err.msg, "connection refused");
    assert_false(res.received);
    arvis_http_result_free(&res);
    req.url = "ftp://127.0.0.1/";
    assert_int_equal(arvis_http_perform(h, &req, NULL, &res, &err), ARVIS_E_INVAL);
    arvis_http_result_free(&res);
    arvis_http_destroy(h);
}

static void test_a_stall_ends_at_the_read_gap(void **state)
{
    (void)state;
    fake_llm *f = fake_llm_start(0, "{\"replies\":[{\"text\":\"one two three\","
                                    "\"fault\":\"stall\",\"fault_after\":1}]}");
    arvis_http *h = NULL;
    arvis_http_create(&h, NULL);
    struct call c;
    snprintf(c.url, sizeof c.url, "%s/api/chat", fake_llm_url(f));
    arvis_buf_init(&c.body, 1 << 20);
    c.req = (arvis_http_request){.method = "POST", .url = c.url, .body = chat,
                                 .body_len = strlen(chat), .connect_timeout_ms = 2000,
                                 .read_gap_ms = 300, .data_cb = collect, .ud = &c.body};
    assert_int_equal(arvis_http_perform(h, &c.req, NULL, &c.res, &c.err), ARVIS_E_TIMEOUT);
    assert_string_equal(c.err.msg, "the server sent nothing for 300 ms");
    assert_true(c.res.received);
    assert_non_null(strstr(arvis_buf_str(&c.body), "\"content\":\"one\""));
    done(&c);
    arvis_http_destroy(h);
    fake_llm_stop(f);
}

static void test_a_dropped_connection_is_a_protocol_error(void **state)
{
    (void)state;
    fake_llm *f = fake_llm_start(0, "{\"replies\":[{\"text\":\"one two three\","
                                    "\"fault\":\"drop\",\"fault_after\":2}]}");
    arvis_http *h = NULL;
    arvis_http_create(&h, NULL);
    struct call c;
    assert_int_equal(perform(h, &c, f, "/api/chat", chat, NULL), ARVIS_E_PROTOCOL);
    assert_non_null(strstr(c.err.msg, "broke in the middle"));
    done(&c);
    fake_llm_set_script(f, "{\"replies\":[{\"fault\":\"hangup\"}]}");
    assert_int_equal(perform(h, &c, f, "/api/chat", chat, NULL), ARVIS_E_PROTOCOL);
    assert_non_null(strstr(c.err.msg, "without answering"));
    done(&c);
    arvis_http_destroy(h);
    fake_llm_stop(f);
}

static void test_the_reader_can_stop_the_transfer(void **state)
{
    (void)state;
    fake_llm *f = fake_llm_start(0, "{\"replies\":[{\"text\":\"a b c d e f\",\"token_ms\":5}]}");
    arvis_http *h = NULL;
    arvis_http_create(&h, NULL);
    char url[128];
    snprintf(url, sizeof url, "%s/api/chat", fake_llm_url(f));
    int calls = 0;
    arvis_http_request req = {.method = "POST", .url = url, .body = chat,
                              .body_len = strlen(chat), .connect_timeout_ms = 2000,
                              .data_cb = refuse_after_first, .ud = &calls};
    arvis_http_result res;
    assert_int_equal(arvis_http_perform(h, &req, NULL, &res, NULL), ARVIS_E_TOOBIG);
    assert_int_equal(calls, 2);
    arvis_http_result_free(&res);
    arvis_http_destroy(h);
    fake_llm_stop(f);
}

struct canceller {
    arvis_http *h;
    atomic_bool *flag;
    fake_llm *f;
};

static void *cancel_when_streaming(void *arg)
{
    struct canceller *c = arg;
    /* Wait until the server has the request, then cancel; the server stalls forever. */
    while (fake_llm_requests(c->f) == 0) {
        sched_yield();
    }
    atomic_store(c->flag, true);
    arvis_http_wakeup(c->h);
    return NULL;
}

static void test_cancel_from_another_thread_stops_a_stalled_transfer(void **state)
{
    (void)state;
    fake_llm *f = fake_llm_start(0, "{\"replies\":[{\"text\":\"x\",\"fault\":\"stall\"}]}");
    arvis_http *h = NULL;
    arvis_http_create(&h, NULL);
    atomic_bool flag = false;
    struct canceller cc = {h, &flag, f};
    pthread_t t;
    pthread_create(&t, NULL, cancel_when_streaming, &cc);
    struct call c;
    snprintf(c.url, sizeof c.url, "%s/api/chat", fake_llm_url(f));
    arvis_buf_init(&c.body, 1 << 20);
    c.req = (arvis_http_request){.method = "POST", .url = c.url, .body = chat,
                                 .body_len = strlen(chat), .connect_timeout_ms = 2000,
                                 .read_gap_ms = 0, .data_cb = collect, .ud = &c.body};
    assert_int_equal(arvis_http_perform(h, &c.req, &flag, &c.res, &c.err), ARVIS_E_CANCELLED);
    pthread_join(t, NULL);
    done(&c);
    /* A set flag cancels before anything is sent. */
    assert_int_equal(perform(h, &c, f, "/api/version", NULL, &flag), ARVIS_E_CANCELLED);
    done(&c);
    arvis_http_destroy(h);
    fake_llm_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams_a_body_and_reuses_the_connection),
        cmocka_unit_test(test_error_status_keeps_the_body_and_skips_the_reader),
        cmocka_unit_test(test_redirects_are_not_followed),
        cmocka_unit_test(test_refused_connection_is_unavailable),
        cmocka_unit_test(test_a_stall_ends_at_the_read_gap),
        cmocka_unit_test(test_a_dropped_connection_is_a_protocol_error),
        cmocka_unit_test(test_the_reader_can_stop_the_transfer),
        cmocka_unit_test(test_cancel_from_another_thread_stops_a_stalled_transfer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
