/* Benchmark: every health check at once with everything healthy (target under 50 ms), next to
 * the sum of the checkers' own latencies (what checking one after another would cost); and with
 * a model server that accepts and never answers (target: the LLM timeout plus 10% at most). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arvis/arvis.h"
#include "fake_llm.h"
#include "bench_util.h"

enum {
    RUNS = 9,
    HUNG_RUNS = 3,
    HEALTHY_TARGET_MS = 50,
};

#define HUNG_MARGIN 1.10 /* the hung run may take the LLM timeout plus 10% */

static arvis_config *config_for(const char *url)
{
    char base[128];
    snprintf(base, sizeof base, "llm.base_url=%s", url);
    const char *sets[] = {base, "llm.model=gemma2:2b", "health.cache_ttl=0"};
    arvis_config_options o = {.ignore_env = true, .sets = sets, .n_sets = 3};
    arvis_config *cfg = NULL;
    arvis_error err;
    if (arvis_config_load(&o, &cfg, NULL, &err) != ARVIS_OK) {
        fprintf(stderr, "health_bench: config: %s\n", err.msg);
        exit(1);
    }
    return cfg;
}

/* One check of everything: wall time in *ms, the sum of the components' latencies in *sum. */
static arvis_health_status check_once(const arvis_config *cfg, double *ms, double *sum)
{
    arvis_health *h = NULL;
    arvis_health_report *r = NULL;
    arvis_error err;
    double t0 = arvis_clock_ms();
    if (arvis_health_create(cfg, &h, &err) != ARVIS_OK ||
        arvis_health_check(h, &r, &err) != ARVIS_OK) {
        fprintf(stderr, "health_bench: %s\n", err.msg);
        exit(1);
    }
    *ms = arvis_clock_ms() - t0;
    *sum = 0;
    for (size_t i = 0; i < r->count; i++) {
        *sum += r->results[i].latency_ms;
    }
    arvis_health_status s = r->results[2].status; /* llm */
    arvis_health_report_free(r);
    arvis_health_destroy(h); /* a hung check is stopped here, outside the figure */
    return s;
}

static void healthy(void)
{
    fake_llm *server = fake_llm_start(0, "{\"models\": [\"gemma2:2b\"]}");
    if (!server) {
        exit(1);
    }
    arvis_config *cfg = config_for(fake_llm_url(server));
    double ms[RUNS], sum[RUNS];
    for (int i = 0; i < RUNS; i++) {
        if (check_once(cfg, &ms[i], &sum[i]) != ARVIS_HEALTH_HEALTHY) {
            fprintf(stderr, "health_bench: the scripted server is not healthy\n");
            exit(1);
        }
    }
    double m = median(ms, RUNS);
    double s = median(sum, RUNS);
    printf("all checks, healthy:       %7.1f ms median of %d (target < %d ms: %s); checkers one "
           "after another: %.1f ms (ratio %.2f)\n",
           m, RUNS, HEALTHY_TARGET_MS, m < HEALTHY_TARGET_MS ? "met" : "MISSED", s,
           s > 0 ? m / s : 0);
    arvis_config_free(cfg);
    fake_llm_stop(server);
}

static void hung(void)
{
    int port = 0;
    int fd = fake_llm_silent_listener(&port);
    if (fd < 0) {
        exit(1);
    }
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    arvis_config *cfg = config_for(url);
    double timeout = (double)arvis_config_int(cfg, "health.timeout_ms.llm");
    double ms[HUNG_RUNS], sum[HUNG_RUNS];
    for (int i = 0; i < HUNG_RUNS; i++) {
        if (check_once(cfg, &ms[i], &sum[i]) != ARVIS_HEALTH_UNHEALTHY) {
            fprintf(stderr, "health_bench: a silent server was not reported unhealthy\n");
            exit(1);
        }
    }
    double m = median(ms, HUNG_RUNS);
    printf("all checks, LLM hung:      %7.1f ms median of %d; LLM timeout %.0f ms (ratio %.3f, "
           "target <= %.2f: %s)\n",
           m, HUNG_RUNS, timeout, m / timeout, HUNG_MARGIN,
           m <= timeout * HUNG_MARGIN ? "met" : "MISSED");
    arvis_config_free(cfg);
    close(fd);
}

int main(void)
{
    char home[] = "/tmp/arvis-health-bench-XXXXXX";
    if (!mkdtemp(home)) {
        perror("health_bench: mkdtemp");
        return 1;
    }
    setenv("ARVIS_HOME", home, 1);
    healthy();
    hung();
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", home);
    return system(cmd) == 0 ? 0 : 1;
}
