/* The one HTTP client helper (libcurl): streamed responses, a connect timeout, a read-gap timeout,
 * cancellation from another thread within milliseconds, no redirects, and one reused connection. */
#ifndef ARVIS_HTTP_H
#define ARVIS_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct arvis_http arvis_http;

typedef struct arvis_http_request {
    const char *method; /* "GET" or "POST" */
    const char *url;
    const char *body; /* the POST body (JSON), or NULL */
    size_t body_len;
    const char *accept; /* Accept header, or NULL */
    const char *bearer; /* sent as "Authorization: Bearer ...", or NULL */
    long connect_timeout_ms;
    long read_gap_ms;      /* longest silence from the server, counted from the request; 0: none */
    long total_timeout_ms; /* 0: none */
    /* Called on the performing thread with each piece of a 2xx response body, in order. Return
     * ARVIS_OK to go on; any other status stops the transfer and is returned by perform. */
    int (*data_cb)(const char *data, size_t len, void *ud);
    void *ud;
} arvis_http_request;

typedef struct arvis_http_result {
    long status;   /* HTTP status; 0 when no response arrived */
    bool received; /* the server answered something: a retry could repeat work */
    char *body;    /* a non-2xx response's body (at most 64 KiB, NUL-terminated), or NULL */
    size_t body_len;
    char *location; /* where a redirect pointed, or NULL */
} arvis_http_result;

/* A client with its own connection; use it from one thread at a time. */
int arvis_http_create(arvis_http **out, arvis_error *err);
void arvis_http_destroy(arvis_http *h);

/* Performs one request and blocks until it ends. Returns ARVIS_OK when a whole response arrived
 * (whatever its status: see res->status), ARVIS_E_CANCELLED when *cancel became true,
 * ARVIS_E_TIMEOUT after a read gap or the total timeout, ARVIS_E_UNAVAILABLE when no connection
 * could be made (err says why, in a few words such as "connection refused"), ARVIS_E_PROTOCOL
 * when the connection broke during the response, or data_cb's status. res is owned by the
 * caller: free it with arvis_http_result_free. */
int arvis_http_perform(arvis_http *h, const arvis_http_request *req, const atomic_bool *cancel,
                       arvis_http_result *res, arvis_error *err);

/* Wakes a perform that waits for data, so it sees its cancel flag at once. Any thread. */
void arvis_http_wakeup(arvis_http *h);

void arvis_http_result_free(arvis_http_result *res);

#ifdef __cplusplus
}
#endif

#endif
