/* HTTP over libcurl's multi interface: the easy handle stays attached to one client so its
 * connection is reused, and curl_multi_poll lets another thread wake a waiting transfer. */
#include "arvis/http.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/buf.h"
#include "arvis/clock.h"
#include "curl_dl.h"

enum {
    ERROR_BODY_MAX = 64 * 1024,
    POLL_MAX_MS = 1000,
    NS_PER_MS = 1000000,
    HTTP_OK_MIN = 200,
    HTTP_OK_MAX = 299,
};

/* Loopback never goes through a proxy; other hosts follow the environment's proxy settings. */
static const char no_proxy[] = "localhost,127.0.0.1,::1";

struct arvis_http {
    CURL *easy;
    CURLM *multi;
    /* State of the transfer under way. */
    const arvis_http_request *req;
    arvis_http_result *res;
    arvis_buf error_body;
    uint64_t last_activity_ns;
    int cb_status;
    int ok_status; /* -1 unknown, 0 no, 1 yes: is the response a 2xx */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int arvis_http_create(arvis_http **out, arvis_error *err)
{
    if (!curl_load(err)) {
        return ARVIS_E_UNAVAILABLE;
    }
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
        return arvis_error_set(err, ARVIS_E_IO, "cannot start libcurl: %s",
                               curl_easy_strerror(global_rc));
    }
    arvis_http *h = calloc(1, sizeof *h);
    if (!h || !(h->easy = curl_easy_init()) || !(h->multi = curl_multi_init())) {
        arvis_http_destroy(h);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    arvis_buf_init(&h->error_body, ERROR_BODY_MAX);
    *out = h;
    return ARVIS_OK;
}

void arvis_http_destroy(arvis_http *h)
{
    if (!h) {
        return;
    }
    if (h->easy) {
        curl_easy_cleanup(h->easy);
    }
    if (h->multi) {
        curl_multi_cleanup(h->multi);
    }
    arvis_buf_free(&h->error_body);
    free(h);
}

void arvis_http_wakeup(arvis_http *h)
{
    curl_multi_wakeup(h->multi);
}

void arvis_http_result_free(arvis_http_result *res)
{
    free(res->body);
    free(res->location);
    memset(res, 0, sizeof *res);
}

static size_t header_cb(char *data, size_t size, size_t n, void *ud)
{
    (void)data;
    arvis_http *h = ud;
    h->res->received = true;
    h->last_activity_ns = arvis_clock_ns();
    return size * n;
}

static size_t write_cb(char *data, size_t size, size_t n, void *ud)
{
    arvis_http *h = ud;
    size_t len = size * n;
    h->res->received = true;
    h->last_activity_ns = arvis_clock_ns();
    if (h->ok_status < 0) {
        long code = 0;
        curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &code);
        h->ok_status = code >= HTTP_OK_MIN && code <= HTTP_OK_MAX;
    }
    if (!h->ok_status) {
        /* Keep the start of an error page; the rest is not worth memory. */
        size_t room = h->error_body.max - h->error_body.len;
        arvis_buf_add(&h->error_body, data, len < room ? len : room);
        return len;
    }
    if (h->req->data_cb) {
        int rc = h->req->data_cb(data, len, h->req->ud);
        if (rc != ARVIS_OK) {
            h->cb_status = rc;
            return 0; /* stops the transfer */
        }
    }
    return len;
}

static struct curl_slist *build_headers(const arvis_http_request *req, bool *ok)
{
    struct curl_slist *list = NULL;
    char line[1024];
    const char *fixed[] = {"Expect:", req->body ? "Content-Type: application/json" : NULL};
    *ok = true;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (fixed[i] && !(list = curl_slist_append(list, fixed[i]))) {
            *ok = false;
        }
    }
    if (*ok && req->accept) {
        snprintf(line, sizeof line, "Accept: %s", req->accept);
        *ok = (list = curl_slist_append(list, line)) != NULL;
    }
    if (*ok && req->bearer && req->bearer[0]) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", req->bearer);
        *ok = (list = curl_slist_append(list, line)) != NULL;
    }
    return list;
}

static void set_options(arvis_http *h, const arvis_http_request *req, struct curl_slist *headers)
{
    CURL *e = h->easy;
    curl_easy_setopt(e, CURLOPT_URL, req->url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_NOPROXY, no_proxy);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
    if (req->body) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
}

/* Turns libcurl's result into a status and a few words of why. */
static int map_result(arvis_http *h, CURLcode code, arvis_error *err)
{
    long os_errno = 0;
    curl_easy_getinfo(h->easy, CURLINFO_OS_ERRNO, &os_errno);
    switch (code) {
    case CURLE_OK:
        return ARVIS_OK;
    case CURLE_WRITE_ERROR:
        return h->cb_status != ARVIS_OK ? h->cb_status
                                        : arvis_error_set(err, ARVIS_E_IO, "cannot take the data");
    case CURLE_COULDNT_CONNECT:
        if (os_errno == ECONNREFUSED) {
            return arvis_error_set(err, ARVIS_E_UNAVAILABLE, "connection refused");
        }
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE, "cannot connect: %s",
                               os_errno ? strerror((int)os_errno) : "no route");
    case CURLE_COULDNT_RESOLVE_HOST:
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE, "the host name does not resolve");
    case CURLE_OPERATION_TIMEDOUT:
        return arvis_error_set(err, h->res->received ? ARVIS_E_TIMEOUT : ARVIS_E_UNAVAILABLE,
                               "timed out connecting");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return arvis_error_set(err, ARVIS_E_INVAL, "the address is not a valid http(s) URL");
    case CURLE_GOT_NOTHING:
        return arvis_error_set(err, ARVIS_E_PROTOCOL,
                               "the server closed the connection without answering");
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
        return arvis_error_set(err, ARVIS_E_PROTOCOL,
                               "the connection broke in the middle of the response");
    default:
        if (code == CURLE_SSL_CONNECT_ERROR || code == CURLE_PEER_FAILED_VERIFICATION) {
            return arvis_error_set(err, ARVIS_E_UNAVAILABLE, "TLS failed: %s",
                                   curl_easy_strerror(code));
        }
        return arvis_error_set(err, h->res->received ? ARVIS_E_PROTOCOL : ARVIS_E_UNAVAILABLE, "%s",
                               curl_easy_strerror(code));
    }
}

/* Drives the transfer until it ends, is cancelled, or goes quiet for too long. */
static int run_transfer(arvis_http *h, const arvis_http_request *req, const atomic_bool *cancel,
                        CURLcode *done, arvis_error *err)
{
    uint64_t start = arvis_clock_ns();
    h->last_activity_ns = start;
    int running = 1;
    for (;;) {
        if (cancel && atomic_load(cancel)) {
            return arvis_error_set(err, ARVIS_E_CANCELLED, "cancelled");
        }
        if (curl_multi_perform(h->multi, &running) != CURLM_OK) {
            return arvis_error_set(err, ARVIS_E_IO, "libcurl failed");
        }
        if (!running) {
            break;
        }
        uint64_t now = arvis_clock_ns();
        long wait = POLL_MAX_MS;
        if (req->read_gap_ms > 0) {
            uint64_t quiet_ms = (now - h->last_activity_ns) / NS_PER_MS;
            if (quiet_ms >= (uint64_t)req->read_gap_ms) {
                return arvis_error_set(err, ARVIS_E_TIMEOUT, "the server sent nothing for %ld ms",
                                       req->read_gap_ms);
            }
            wait =
                req->read_gap_ms - (long)quiet_ms < wait ? req->read_gap_ms - (long)quiet_ms : wait;
        }
        if (req->total_timeout_ms > 0 &&
            (now - start) / NS_PER_MS >= (uint64_t)req->total_timeout_ms) {
            return arvis_error_set(err, ARVIS_E_TIMEOUT, "the request took longer than %ld ms",
                                   req->total_timeout_ms);
        }
        curl_multi_poll(h->multi, NULL, 0, (int)(wait > 0 ? wait : 1), NULL);
    }
    int left;
    CURLMsg *msg;
    *done = CURLE_OK;
    while ((msg = curl_multi_info_read(h->multi, &left))) {
        if (msg->msg == CURLMSG_DONE) {
            *done = msg->data.result;
        }
    }
    return ARVIS_OK;
}

int arvis_http_perform(arvis_http *h, const arvis_http_request *req, const atomic_bool *cancel,
                       arvis_http_result *res, arvis_error *err)
{
    memset(res, 0, sizeof *res);
    bool ok = true;
    struct curl_slist *headers = build_headers(req, &ok);
    if (!ok) {
        curl_slist_free_all(headers);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    h->req = req;
    h->res = res;
    h->cb_status = ARVIS_OK;
    h->ok_status = -1;
    arvis_buf_reset(&h->error_body);
    set_options(h, req, headers);
    curl_multi_add_handle(h->multi, h->easy);
    CURLcode done = CURLE_OK;
    int rc = run_transfer(h, req, cancel, &done, err);
    if (rc == ARVIS_OK) {
        rc = map_result(h, done, err);
    }
    curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &res->status);
    char *location = NULL;
    curl_easy_getinfo(h->easy, CURLINFO_REDIRECT_URL, &location);
    if (location) {
        res->location = strdup(location);
    }
    if (h->error_body.len > 0) {
        res->body_len = h->error_body.len;
        res->body = arvis_buf_take(&h->error_body);
    }
    curl_multi_remove_handle(h->multi, h->easy);
    curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers);
    h->req = NULL;
    h->res = NULL;
    return rc;
}
