/* The scripted LLM server: libmicrohttpd on 127.0.0.1, one thread per connection, routing the
 * Ollama and OpenAI endpoints to scripted replies and keeping a record of what it was asked. */
#include "fake_llm.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "arvis/buf.h"
#include "arvis/json.h"
#include "fake_llm_internal.h"

enum { BODY_MAX = 4 * 1024 * 1024, RECORD_MAX = 4096, BLOCK = 64 * 1024 };

struct record {
    char *path;
    char *body;
};

struct fake_llm {
    struct MHD_Daemon *daemon;
    int port;
    char url[64];
    atomic_bool stop;
    pthread_mutex_t lock;
    cJSON *script;
    size_t next_reply;
    struct record records[RECORD_MAX];
    size_t n_records;
    size_t connections;
};

struct upload {
    arvis_buf body;
};

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)c;
    (void)socket_context;
    fake_llm *f = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&f->lock);
        f->connections++;
        pthread_mutex_unlock(&f->lock);
    }
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type,
                                 const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static void record(fake_llm *f, const char *path, const char *body)
{
    pthread_mutex_lock(&f->lock);
    if (f->n_records < RECORD_MAX) {
        f->records[f->n_records].path = strdup(path);
        f->records[f->n_records].body = strdup(body);
        f->n_records++;
    }
    pthread_mutex_unlock(&f->lock);
}

/* The next scripted reply (the last one repeats), copied so the script may change meanwhile. */
static cJSON *take_reply(fake_llm *f, char **models_csv_out, bool *known_model, const char *model,
                         const char **key_out, char *key_buf, size_t key_size)
{
    pthread_mutex_lock(&f->lock);
    const cJSON *replies = cJSON_GetObjectItemCaseSensitive(f->script, "replies");
    int n = cJSON_GetArraySize(replies);
    const cJSON *reply = n ? cJSON_GetArrayItem(replies, (int)(f->next_reply < (size_t)n
                                                                   ? f->next_reply
                                                                   : (size_t)n - 1))
                           : NULL;
    f->next_reply++;
    cJSON *copy = reply ? cJSON_Duplicate(reply, 1) : cJSON_CreateObject();
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(f->script, "models");
    *known_model = cJSON_GetArraySize(models) == 0;
    arvis_buf list;
    arvis_buf_init(&list, BLOCK);
    for (const cJSON *m = models ? models->child : NULL; m; m = m->next) {
        *known_model = *known_model || (model && strcmp(m->valuestring, model) == 0);
        arvis_buf_addf(&list, "%s%s", list.len ? "," : "", m->valuestring);
    }
    *models_csv_out = arvis_buf_take(&list);
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(f->script, "api_key");
    snprintf(key_buf, key_size, "%s", cJSON_IsString(key) ? key->valuestring : "");
    *key_out = key_buf;
    pthread_mutex_unlock(&f->lock);
    return copy;
}

static enum MHD_Result chat(fake_llm *f, struct MHD_Connection *c, const char *url,
                            const char *body)
{
    bool openai = strstr(url, "/chat/completions") != NULL;
    cJSON *req = cJSON_Parse(body);
    const cJSON *model_v = cJSON_GetObjectItemCaseSensitive(req, "model");
    const char *model = cJSON_IsString(model_v) ? model_v->valuestring : "";
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(req, "messages");
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(req, "stream_options");
    bool usage = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(opts, "include_usage"));
    if (!req || !cJSON_IsArray(msgs)) {
        cJSON_Delete(req);
        return send_text(c, MHD_HTTP_BAD_REQUEST, "application/json",
                         "{\"error\":\"expected a JSON body with messages\"}");
    }
    char *models = NULL;
    bool known = false;
    const char *key = NULL;
    char key_buf[256];
    bool load = !openai && cJSON_GetArraySize(msgs) == 0;
    cJSON *reply = load ? cJSON_CreateObject()
                        : take_reply(f, &models, &known, model, &key, key_buf, sizeof key_buf);
    if (load) {
        pthread_mutex_lock(&f->lock);
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(f->script, "models");
        known = cJSON_GetArraySize(list) == 0;
        for (const cJSON *m = list ? list->child : NULL; m; m = m->next) {
            known = known || strcmp(m->valuestring, model) == 0;
        }
        pthread_mutex_unlock(&f->lock);
    }
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    char want[300];
    snprintf(want, sizeof want, "Bearer %s", key ? key : "");
    enum MHD_Result ok;
    const char *fault = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "fault"));
    const cJSON *header_ms = cJSON_GetObjectItemCaseSensitive(reply, "header_ms");
    if (cJSON_IsNumber(header_ms)) {
        fake_sleep((int)header_ms->valuedouble, &f->stop);
    }
    if (key && key[0] && (!auth || strcmp(auth, want) != 0)) {
        ok = send_text(c, MHD_HTTP_UNAUTHORIZED, "application/json",
                       "{\"error\":{\"message\":\"Invalid API key\",\"type\":\"auth_error\"}}");
    } else if (!known) {
        char text[512];
        snprintf(text, sizeof text,
                 openai ? "{\"error\":{\"message\":\"The model `%s` does not exist.\","
                          "\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}"
                        : "{\"error\":\"model \\\"%s\\\" not found, try pulling it first\"}",
                 model);
        ok = send_text(c, MHD_HTTP_NOT_FOUND, "application/json", text);
    } else if (fault && strcmp(fault, "http_error") == 0) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(reply, "status");
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "body"));
        ok = send_text(c, cJSON_IsNumber(st) ? (unsigned)st->valuedouble : 500,
                       "application/json", text ? text : "{\"error\":\"internal error\"}");
    } else if (fault && strcmp(fault, "redirect") == 0) {
        struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Location", "http://127.0.0.1:1/elsewhere");
        ok = MHD_queue_response(c, MHD_HTTP_FOUND, r);
        MHD_destroy_response(r);
    } else {
        struct plan *p = load ? plan_ollama_load(model, &f->stop)
                              : plan_chat(reply, openai, model, usage, &f->stop);
        bool hangup = fault && strcmp(fault, "hangup") == 0;
        struct MHD_Response *r = p ? MHD_create_response_from_callback(
                                         MHD_SIZE_UNKNOWN, BLOCK,
                                         (MHD_ContentReaderCallback)plan_read, p, plan_free)
                                   : NULL;
        if (!r) {
            plan_free(p);
            ok = MHD_NO;
        } else {
            MHD_add_response_header(r, "Content-Type",
                                    openai ? "text/event-stream" : "application/x-ndjson");
            ok = hangup ? MHD_NO : MHD_queue_response(c, MHD_HTTP_OK, r);
            MHD_destroy_response(r);
        }
    }
    free(models);
    cJSON_Delete(reply);
    cJSON_Delete(req);
    return ok;
}

static enum MHD_Result listing(fake_llm *f, struct MHD_Connection *c, bool openai)
{
    pthread_mutex_lock(&f->lock);
    cJSON *out = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(out, openai ? "data" : "models");
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(f->script, "models");
    for (const cJSON *m = models ? models->child : NULL; m; m = m->next) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, openai ? "id" : "name", m->valuestring);
        cJSON_AddStringToObject(o, openai ? "object" : "model", openai ? "model" : m->valuestring);
        cJSON_AddItemToArray(arr, o);
    }
    pthread_mutex_unlock(&f->lock);
    char *text = arvis_json_print(out, 0);
    cJSON_Delete(out);
    enum MHD_Result ok = send_text(c, MHD_HTTP_OK, "application/json", text ? text : "{}");
    free(text);
    return ok;
}

static enum MHD_Result control(fake_llm *f, struct MHD_Connection *c, const char *url,
                               const char *body)
{
    if (strcmp(url, "/__script") == 0) {
        return fake_llm_set_script(f, body)
                   ? send_text(c, MHD_HTTP_OK, "application/json", "{\"ok\":true}")
                   : send_text(c, MHD_HTTP_BAD_REQUEST, "application/json", "{\"ok\":false}");
    }
    if (strcmp(url, "/__connections") == 0) {
        char text[64];
        snprintf(text, sizeof text, "{\"connections\":%zu}", fake_llm_connections(f));
        return send_text(c, MHD_HTTP_OK, "application/json", text);
    }
    cJSON *arr = cJSON_CreateArray();
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->n_records; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", f->records[i].path);
        cJSON_AddStringToObject(o, "body", f->records[i].body);
        cJSON_AddItemToArray(arr, o);
    }
    pthread_mutex_unlock(&f->lock);
    char *text = arvis_json_print(arr, 0);
    cJSON_Delete(arr);
    enum MHD_Result ok = send_text(c, MHD_HTTP_OK, "application/json", text ? text : "[]");
    free(text);
    return ok;
}

static enum MHD_Result route(fake_llm *f, struct MHD_Connection *c, const char *url,
                             const char *method, const char *body)
{
    if (strncmp(url, "/__", 3) == 0) {
        return control(f, c, url, body);
    }
    bool post = strcmp(method, "POST") == 0;
    if (post && (strcmp(url, "/api/chat") == 0 || strcmp(url, "/v1/chat/completions") == 0)) {
        record(f, url, body);
        return chat(f, c, url, body);
    }
    if (!post && strcmp(url, "/api/tags") == 0) {
        return listing(f, c, false);
    }
    if (!post && strcmp(url, "/v1/models") == 0) {
        return listing(f, c, true);
    }
    if (!post && strcmp(url, "/api/version") == 0) {
        pthread_mutex_lock(&f->lock);
        const char *v =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f->script, "version"));
        char text[128];
        snprintf(text, sizeof text, "{\"version\":\"%s\"}", v ? v : "0.5.7");
        pthread_mutex_unlock(&f->lock);
        return send_text(c, MHD_HTTP_OK, "application/json", text);
    }
    return send_text(c, MHD_HTTP_NOT_FOUND, "text/plain", "404 page not found");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **con_cls)
{
    (void)version;
    fake_llm *f = cls;
    struct upload *up = *con_cls;
    if (!up) {
        up = calloc(1, sizeof *up);
        if (!up) {
            return MHD_NO;
        }
        arvis_buf_init(&up->body, BODY_MAX);
        *con_cls = up;
        return MHD_YES;
    }
    if (*size > 0) {
        arvis_buf_add(&up->body, data, *size);
        *size = 0;
        return MHD_YES;
    }
    return route(f, c, url, method, arvis_buf_str(&up->body));
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)c;
    (void)code;
    struct upload *up = *con_cls;
    if (up) {
        arvis_buf_free(&up->body);
        free(up);
        *con_cls = NULL;
    }
}

bool fake_llm_set_script(fake_llm *f, const char *script_json)
{
    cJSON *script = cJSON_Parse(script_json);
    if (!cJSON_IsObject(script)) {
        cJSON_Delete(script);
        return false;
    }
    pthread_mutex_lock(&f->lock);
    cJSON_Delete(f->script);
    f->script = script;
    f->next_reply = 0;
    pthread_mutex_unlock(&f->lock);
    return true;
}

fake_llm *fake_llm_start(int port, const char *script_json)
{
    fake_llm *f = calloc(1, sizeof *f);
    if (!f) {
        return NULL;
    }
    pthread_mutex_init(&f->lock, NULL);
    if (!fake_llm_set_script(f, script_json ? script_json : "{}")) {
        fprintf(stderr, "fake_llm: the script is not a JSON object\n");
        fake_llm_stop(f);
        return NULL;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL, handler,
        f, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, f, MHD_OPTION_NOTIFY_COMPLETED, completed, f, MHD_OPTION_END);
    if (!f->daemon) {
        fprintf(stderr, "fake_llm: cannot listen on 127.0.0.1:%d\n", port);
        fake_llm_stop(f);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->daemon, MHD_DAEMON_INFO_BIND_PORT);
    f->port = info ? info->port : port;
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d", f->port);
    return f;
}

void fake_llm_stop(fake_llm *f)
{
    if (!f) {
        return;
    }
    atomic_store(&f->stop, true);
    if (f->daemon) {
        MHD_stop_daemon(f->daemon);
    }
    for (size_t i = 0; i < f->n_records; i++) {
        free(f->records[i].path);
        free(f->records[i].body);
    }
    cJSON_Delete(f->script);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

int fake_llm_port(const fake_llm *f)
{
    return f->port;
}

const char *fake_llm_url(const fake_llm *f)
{
    return f->url;
}

size_t fake_llm_requests(fake_llm *f)
{
    pthread_mutex_lock(&f->lock);
    size_t n = f->n_records;
    pthread_mutex_unlock(&f->lock);
    return n;
}

static char *record_field(fake_llm *f, size_t i, bool body)
{
    pthread_mutex_lock(&f->lock);
    char *out = i < f->n_records ? strdup(body ? f->records[i].body : f->records[i].path) : NULL;
    pthread_mutex_unlock(&f->lock);
    return out;
}

char *fake_llm_request_body(fake_llm *f, size_t i)
{
    return record_field(f, i, true);
}

char *fake_llm_request_path(fake_llm *f, size_t i)
{
    return record_field(f, i, false);
}

size_t fake_llm_connections(fake_llm *f)
{
    pthread_mutex_lock(&f->lock);
    size_t n = f->connections;
    pthread_mutex_unlock(&f->lock);
    return n;
}

int fake_llm_closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, len) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    if (fd >= 0) {
        close(fd);
    }
    return port;
}

int fake_llm_silent_listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, len) == 0 && listen(fd, SOMAXCONN) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
        *port = ntohs(addr.sin_port);
        return fd;
    }
    if (fd >= 0) {
        close(fd);
    }
    return -1;
}
