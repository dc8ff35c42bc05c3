/* The LLM and network checkers through the facade, against the scripted server on loopback: a
 * server with the model, one without, a closed port, and one that accepts and never answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "fake_llm.h"
#include "health_test_util.h"
#include "test_util.h"

#define SCRIPT                                                                                     \
    "{\"models\": [\"gemma2:2b\"], \"version\": \"0.5.7\", \"replies\": [{\"text\": \"hi\"}]}"

/* A configuration pointing at url; the speech engine is null to keep the checks quick. */
static arvis_config *config_for(const char *url, const char *llm_timeout)
{
    static char base[128];
    static char timeout[64];
    snprintf(base, sizeof base, "llm.base_url=%s", url);
    snprintf(timeout, sizeof timeout, "health.timeout_ms.llm=%s", llm_timeout);
    return tu_config((const char *[]){base, timeout, "llm.model=gemma2:2b", "tts.engine=null",
                                      "health.required=[\"llm\", \"storage\"]", NULL});
}

/* A server that accepts connections and never answers; its address in url. */
static int silent_server(char *url, size_t size)
{
    int port = 0;
    int fd = fake_llm_silent_listener(&port);
    assert_true(fd >= 0);
    snprintf(url, size, "http://127.0.0.1:%d", port);
    return fd;
}

static void test_llm_with_model_is_healthy(void **state)
{
    (void)state;
    fake_llm *server = fake_llm_start(0, SCRIPT);
    assert_non_null(server);
    arvis_config *cfg = config_for(fake_llm_url(server), "2000");
    arvis_health_report *r = ht_check_once(cfg);
    const arvis_health_result *llm = ht_find(r, "llm");
    assert_int_equal(llm->status, ARVIS_HEALTH_HEALTHY);
    ht_assert_has(llm->message, "0.5.7");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(llm->details, "has_model")));
    const arvis_health_result *net = ht_find(r, "network");
    assert_int_equal(net->status, ARVIS_HEALTH_HEALTHY);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(net->details, "host")),
                        "127.0.0.1");
    arvis_health_report_free(r);
    arvis_config_free(cfg);
    fake_llm_stop(server);
}

static void test_llm_without_the_model_is_unhealthy_and_says_how_to_fetch_it(void **state)
{
    (void)state;
    fake_llm *server = fake_llm_start(0, "{\"models\": [\"other:1b\"]}");
    assert_non_null(server);
    arvis_config *cfg = config_for(fake_llm_url(server), "2000");
    arvis_health_report *r = ht_check_once(cfg);
    const arvis_health_result *llm = ht_find(r, "llm");
    assert_int_equal(llm->status, ARVIS_HEALTH_UNHEALTHY);
    ht_assert_has(llm->message, "ollama pull gemma2:2b");
    assert_int_equal(r->overall, ARVIS_HEALTH_UNHEALTHY);
    arvis_health_report_free(r);
    arvis_config_free(cfg);
    fake_llm_stop(server);
}

static void test_closed_port_is_unhealthy_and_says_how_to_start_the_server(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", fake_llm_closed_port());
    arvis_config *cfg = config_for(url, "2000");
    arvis_health_report *r = ht_check_once(cfg);
    const arvis_health_result *llm = ht_find(r, "llm");
    assert_int_equal(llm->status, ARVIS_HEALTH_UNHEALTHY);
    assert_false(llm->timed_out);
    ht_assert_has(llm->message, "ollama serve");
    const arvis_health_result *net = ht_find(r, "network");
    assert_int_equal(net->status, ARVIS_HEALTH_UNHEALTHY);
    ht_assert_has(net->message, "refused");
    /* llm is required: the whole is unhealthy */
    assert_int_equal(r->overall, ARVIS_HEALTH_UNHEALTHY);
    arvis_health_report_free(r);
    arvis_config_free(cfg);
}

static void test_silent_server_is_reported_as_timed_out_while_others_answer(void **state)
{
    (void)state;
    char url[64];
    int fd = silent_server(url, sizeof url);
    arvis_config *cfg = config_for(url, "300");
    arvis_health_report *r = ht_check_once(cfg);
    const arvis_health_result *llm = ht_find(r, "llm");
    assert_int_equal(llm->status, ARVIS_HEALTH_UNHEALTHY);
    assert_true(llm->timed_out);
    ht_assert_has(llm->message, "no answer within 300 ms");
    /* the connection itself is accepted: the network is fine, only the server hangs */
    assert_int_equal(ht_find(r, "network")->status, ARVIS_HEALTH_HEALTHY);
    assert_false(ht_find(r, "storage")->timed_out);
    arvis_health_report_free(r);
    arvis_config_free(cfg);
    close(fd);
}

static void test_a_check_still_hung_is_not_started_twice(void **state)
{
    (void)state;
    char url[64];
    int fd = silent_server(url, sizeof url);
    arvis_config *cfg = config_for(url, "200");
    arvis_health *h = NULL;
    arvis_health_report *r = NULL;
    arvis_error err;
    assert_int_equal(arvis_health_create(cfg, &h, &err), ARVIS_OK);
    /* explicit times past the cache's life: every call checks again */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(arvis_health_check_at(h, 1e9 * (i + 1), &r, &err), ARVIS_OK);
        assert_true(ht_find(r, "llm")->timed_out);
        assert_int_equal(ht_find(r, "llm")->status, ARVIS_HEALTH_UNHEALTHY);
        arvis_health_report_free(r);
    }
    arvis_health_destroy(h);
    arvis_config_free(cfg);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_llm_with_model_is_healthy),
        cmocka_unit_test(test_llm_without_the_model_is_unhealthy_and_says_how_to_fetch_it),
        cmocka_unit_test(test_closed_port_is_unhealthy_and_says_how_to_start_the_server),
        cmocka_unit_test(test_silent_server_is_reported_as_timed_out_while_others_answer),
        cmocka_unit_test(test_a_check_still_hung_is_not_started_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
