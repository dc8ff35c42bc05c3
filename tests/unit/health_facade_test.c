/* The health facade: the overall rule (required components decide, the others only degrade),
 * the cache's life on explicit times, the speech checkers, and the report as JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "arvis/audio.h"
#include "arvis/tts.h"
#include "fake_llm.h"
#include "health_test_util.h"
#include "test_util.h"

static arvis_health_result result(arvis_health_status s, bool required)
{
    arvis_health_result r;
    memset(&r, 0, sizeof r);
    r.status = s;
    r.required = required;
    return r;
}

static void test_overall_is_the_worst_required_and_others_only_degrade(void **state)
{
    (void)state;
    arvis_health_result a[3] = {result(ARVIS_HEALTH_HEALTHY, true),
                                result(ARVIS_HEALTH_UNHEALTHY, false),
                                result(ARVIS_HEALTH_UNKNOWN, true)};
    assert_int_equal(arvis_health_overall(a, 1), ARVIS_HEALTH_HEALTHY);
    assert_int_equal(arvis_health_overall(a, 2), ARVIS_HEALTH_DEGRADED);
    assert_int_equal(arvis_health_overall(a, 3), ARVIS_HEALTH_DEGRADED);
    a[1].required = true;
    assert_int_equal(arvis_health_overall(a, 3), ARVIS_HEALTH_UNHEALTHY);
    arvis_health_result unknown[1] = {result(ARVIS_HEALTH_UNKNOWN, true)};
    assert_int_equal(arvis_health_overall(unknown, 1), ARVIS_HEALTH_UNKNOWN);
}

/* With the model server down: unhealthy when llm is required, degraded when it is not. */
static void test_required_list_from_config_decides_the_overall_status(void **state)
{
    (void)state;
    char base[64];
    snprintf(base, sizeof base, "llm.base_url=http://127.0.0.1:%d", fake_llm_closed_port());
    arvis_config *cfg =
        tu_config((const char *[]){base, "tts.engine=null", "health.required=[\"llm\"]", NULL});
    arvis_health_report *r = ht_check_once(cfg);
    assert_true(ht_find(r, "llm")->required);
    assert_false(ht_find(r, "storage")->required);
    assert_int_equal(r->overall, ARVIS_HEALTH_UNHEALTHY);
    arvis_health_report_free(r);
    arvis_config_free(cfg);

    cfg =
        tu_config((const char *[]){base, "tts.engine=null", "health.required=[\"storage\"]", NULL});
    r = ht_check_once(cfg);
    assert_int_equal(ht_find(r, "llm")->status, ARVIS_HEALTH_UNHEALTHY);
    assert_false(ht_find(r, "llm")->required);
    assert_int_equal(r->overall, ARVIS_HEALTH_DEGRADED);
    arvis_health_report_free(r);
    arvis_config_free(cfg);
}

static void test_results_are_reused_within_the_ttl_and_not_after(void **state)
{
    (void)state;
    fake_llm *server = fake_llm_start(0, "{\"models\": [\"gemma2:2b\"]}");
    assert_non_null(server);
    char base[128];
    snprintf(base, sizeof base, "llm.base_url=%s", fake_llm_url(server));
    arvis_config *cfg = tu_config((const char *[]){base, "llm.model=gemma2:2b", "tts.engine=null",
                                                   "health.cache_ttl=10", NULL});
    arvis_health *h = NULL;
    arvis_health_report *r = NULL;
    arvis_error err;
    assert_int_equal(arvis_health_create(cfg, &h, &err), ARVIS_OK);
    assert_int_equal(arvis_health_check_at(h, 1000.0, &r, &err), ARVIS_OK);
    assert_int_equal(ht_find(r, "llm")->status, ARVIS_HEALTH_HEALTHY);
    assert_false(ht_find(r, "llm")->cached);
    arvis_health_report_free(r);
    fake_llm_stop(server); /* a fresh check would now find it down */

    assert_int_equal(arvis_health_check_at(h, 1000.0 + 9999.0, &r, &err), ARVIS_OK);
    assert_true(ht_find(r, "llm")->cached);
    assert_int_equal(ht_find(r, "llm")->status, ARVIS_HEALTH_HEALTHY);
    assert_non_null(cJSON_GetObjectItem(ht_find(r, "llm")->details, "version"));
    arvis_health_report_free(r);

    assert_int_equal(arvis_health_check_at(h, 1000.0 + 10000.0, &r, &err), ARVIS_OK);
    assert_false(ht_find(r, "llm")->cached);
    assert_int_equal(ht_find(r, "llm")->status, ARVIS_HEALTH_UNHEALTHY);
    arvis_health_report_free(r);
    arvis_health_destroy(h);
    arvis_config_free(cfg);
}

static void test_speech_checks_run_the_configured_engines(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config((const char *[]){"tts.engine=null", "stt.engine=null", NULL});
    arvis_health_report *r = ht_check_once(cfg);
    const arvis_health_result *stt = ht_find(r, "stt");
    assert_int_equal(stt->status, ARVIS_HEALTH_HEALTHY);
    ht_assert_has(stt->message, "null has its model files");
    const arvis_health_result *tts = ht_find(r, "tts");
    assert_int_equal(tts->status, ARVIS_HEALTH_HEALTHY);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(tts->details, "in_use")), "null");
    /* audio: healthy exactly when PulseAudio answers, else degraded with the way out */
    const arvis_health_result *audio = ht_find(r, "audio");
    if (arvis_pulse_available(NULL)) {
        assert_int_equal(audio->status, ARVIS_HEALTH_HEALTHY);
    } else {
        assert_int_equal(audio->status, ARVIS_HEALTH_DEGRADED);
        ht_assert_has(audio->message, "speech can still go to files");
    }
    arvis_health_report_free(r);
    arvis_config_free(cfg);
}

/* The audio probe cannot be interrupted: a PulseAudio address that never answers keeps it busy
 * for its own timeout, long after the check's. */
static void test_a_check_that_cannot_be_stopped_is_left_to_end_alone(void **state)
{
    (void)state;
    int port = 0;
    int fd = fake_llm_silent_listener(&port);
    assert_true(fd >= 0);
    char pulse[64];
    snprintf(pulse, sizeof pulse, "tcp:127.0.0.1:%d", port);
    setenv("PULSE_SERVER", pulse, 1);
    /* The storage check is what decides the whole here: a machine busy with other tests must not
     * make it time out. */
    arvis_config *cfg = tu_config(
        (const char *[]){"tts.engine=null", "stt.engine=null", "health.timeout_ms.audio=100",
                         "health.timeout_ms.storage=30000", "health.required=[\"storage\"]", NULL});
    arvis_health *h = NULL;
    arvis_health_report *r = NULL;
    arvis_error err;
    assert_int_equal(arvis_health_create(cfg, &h, &err), ARVIS_OK);
    assert_int_equal(arvis_health_check_at(h, 1e9, &r, &err), ARVIS_OK);
    const arvis_health_result *audio = ht_find(r, "audio");
    assert_true(audio->timed_out);
    assert_int_equal(audio->status, ARVIS_HEALTH_UNHEALTHY);
    ht_assert_has(audio->message, "no answer within 100 ms");
    /* not required: it only degrades the whole */
    assert_int_equal(r->overall, ARVIS_HEALTH_DEGRADED);
    arvis_health_report_free(r);
    /* checked again while the first probe still runs: no second probe is started */
    assert_int_equal(arvis_health_check_at(h, 2e9, &r, &err), ARVIS_OK);
    ht_assert_has(ht_find(r, "audio")->message, "previous check has still not answered");
    assert_int_equal(ht_find(r, "storage")->status, ARVIS_HEALTH_HEALTHY);
    arvis_health_report_free(r);
    arvis_health_destroy(h); /* waits for the probe: its late result is dropped */
    unsetenv("PULSE_SERVER");
    arvis_config_free(cfg);
    close(fd);
}

static bool has_engine(const char *name)
{
    for (const char *const *n = arvis_tts_engine_names(); *n; n++) {
        if (strcmp(*n, name) == 0) {
            return true;
        }
    }
    return false;
}

static void test_speech_output_on_a_fallback_is_degraded(void **state)
{
    (void)state;
    if (!has_engine("espeak-ng")) {
        skip();
    }
    arvis_config *cfg = tu_config((const char *[]){
        "tts.engine=espeak-ng", "tts.espeak-ng.voice=zz-nowhere", "tts.fallback=[\"null\"]", NULL});
    arvis_health_report *r = ht_check_once(cfg);
    const arvis_health_result *tts = ht_find(r, "tts");
    assert_int_equal(tts->status, ARVIS_HEALTH_DEGRADED);
    ht_assert_has(tts->message, "null speaks instead");
    ht_assert_has(tts->message, "zz-nowhere");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(tts->details, "fell_back")));
    arvis_health_report_free(r);
    arvis_config_free(cfg);
}

static void test_report_as_json_lists_every_component(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config((const char *[]){"tts.engine=null", NULL});
    arvis_health_report *r = ht_check_once(cfg);
    cJSON *o = arvis_health_report_json(r);
    assert_non_null(o);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "status")),
                        arvis_health_status_name(r->overall));
    const cJSON *list = cJSON_GetObjectItem(o, "components");
    assert_int_equal(cJSON_GetArraySize(list), ARVIS_HEALTH_COMPONENTS);
    size_t i = 0;
    for (const char *const *c = arvis_health_components(); *c; c++, i++) {
        const cJSON *item = cJSON_GetArrayItem(list, (int)i);
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(item, "component")), *c);
        assert_true(cJSON_IsObject(cJSON_GetObjectItem(item, "details")));
        assert_true(cJSON_IsNumber(cJSON_GetObjectItem(item, "latency_ms")));
    }
    cJSON_Delete(o);
    arvis_health_report_free(r);
    arvis_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overall_is_the_worst_required_and_others_only_degrade),
        cmocka_unit_test(test_required_list_from_config_decides_the_overall_status),
        cmocka_unit_test(test_results_are_reused_within_the_ttl_and_not_after),
        cmocka_unit_test(test_speech_checks_run_the_configured_engines),
        cmocka_unit_test(test_speech_output_on_a_fallback_is_degraded),
        cmocka_unit_test(test_a_check_that_cannot_be_stopped_is_left_to_end_alone),
        cmocka_unit_test(test_report_as_json_lists_every_component),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
