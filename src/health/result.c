/* Health results: status names, the overall rule, the report as JSON, and the small helpers the
 * checkers share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "health_internal.h"

static const char *const components[] = {"stt", "tts", "llm", "network", "storage", "audio", NULL};

const char *const *arvis_health_components(void)
{
    return components;
}

const char *arvis_health_status_name(arvis_health_status s)
{
    switch (s) {
    case ARVIS_HEALTH_HEALTHY:
        return "HEALTHY";
    case ARVIS_HEALTH_DEGRADED:
        return "DEGRADED";
    case ARVIS_HEALTH_UNHEALTHY:
        return "UNHEALTHY";
    case ARVIS_HEALTH_UNKNOWN:
        break;
    }
    return "UNKNOWN";
}

arvis_health_status arvis_health_overall(const arvis_health_result *results, size_t n)
{
    bool known = false;
    arvis_health_status worst = ARVIS_HEALTH_HEALTHY;
    for (size_t i = 0; i < n; i++) {
        arvis_health_status s = results[i].status;
        if (s == ARVIS_HEALTH_UNKNOWN) {
            continue;
        }
        known = true;
        if (!results[i].required && s == ARVIS_HEALTH_UNHEALTHY) {
            s = ARVIS_HEALTH_DEGRADED;
        }
        worst = s > worst ? s : worst;
    }
    return known ? worst : ARVIS_HEALTH_UNKNOWN;
}

void arvis_health_report_free(arvis_health_report *r)
{
    if (!r) {
        return;
    }
    for (size_t i = 0; i < r->count; i++) {
        cJSON_Delete(r->results[i].details);
    }
    free(r);
}

static cJSON *result_json(const arvis_health_result *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *d = cJSON_Duplicate(x->details, true);
    if (!o || !d) {
        cJSON_Delete(o);
        cJSON_Delete(d);
        return NULL;
    }
    cJSON_AddStringToObject(o, "component", x->component);
    cJSON_AddStringToObject(o, "status", arvis_health_status_name(x->status));
    cJSON_AddStringToObject(o, "message", x->message);
    cJSON_AddNumberToObject(o, "latency_ms", x->latency_ms);
    cJSON_AddBoolToObject(o, "required", x->required);
    cJSON_AddBoolToObject(o, "cached", x->cached);
    cJSON_AddBoolToObject(o, "timed_out", x->timed_out);
    cJSON_AddItemToObject(o, "details", d);
    return o;
}

cJSON *arvis_health_report_json(const arvis_health_report *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_CreateArray();
    if (!o || !list) {
        cJSON_Delete(o);
        cJSON_Delete(list);
        return NULL;
    }
    cJSON_AddStringToObject(o, "status", arvis_health_status_name(r->overall));
    cJSON_AddItemToObject(o, "components", list);
    for (size_t i = 0; i < r->count; i++) {
        cJSON *c = result_json(&r->results[i]);
        if (!c) {
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddItemToArray(list, c);
    }
    return o;
}

int health_stateless_create(const arvis_config *cfg, long timeout_ms, void **state,
                            arvis_error *err)
{
    (void)cfg;
    (void)timeout_ms;
    (void)err;
    *state = NULL;
    return ARVIS_OK;
}

void health_stateless_destroy(void *state)
{
    (void)state;
}

void health_set(struct health_outcome *out, arvis_health_status status, const char *fmt, ...)
{
    out->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
}

int health_url_host(const char *url, char *host, size_t host_size, char *port, size_t port_size,
                    arvis_error *err)
{
    const char *p = strstr(url, "://");
    bool https = strncmp(url, "https://", 8) == 0;
    if (!p || (!https && strncmp(url, "http://", 7) != 0)) {
        return arvis_error_set(err, ARVIS_E_INVAL, "%s is not an http:// or https:// address", url);
    }
    p += 3;
    const char *at = strpbrk(p, "@/");
    if (at && *at == '@') {
        p = at + 1; /* user:password@ is not part of the host */
    }
    const char *end = p + strcspn(p, "/?#");
    const char *colon = NULL;
    const char *h = p;
    size_t hlen;
    if (*p == '[') { /* [IPv6]:port */
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (!close) {
            return arvis_error_set(err, ARVIS_E_INVAL, "%s has an unclosed [ in its host", url);
        }
        h = p + 1;
        hlen = (size_t)(close - h);
        colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
    } else {
        colon = memchr(p, ':', (size_t)(end - p));
        hlen = (size_t)((colon ? colon : end) - p);
    }
    size_t plen = colon ? (size_t)(end - colon - 1) : 0;
    if (hlen == 0 || hlen >= host_size || plen >= port_size || (colon && plen == 0)) {
        return arvis_error_set(err, ARVIS_E_INVAL, "%s has no usable host and port", url);
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    snprintf(port, port_size, "%.*s", (int)plen, colon ? colon + 1 : "");
    if (!colon) {
        snprintf(port, port_size, "%s", https ? "443" : "80");
    }
    return ARVIS_OK;
}
