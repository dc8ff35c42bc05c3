/* The network checker: the LLM server's host resolves and accepts a TCP connection, made
 * without blocking and given up at the check's timeout or when the check is told to stop. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "arvis/clock.h"
#include "health_internal.h"

/* How often a connection under way looks at the stop flag. */
#define NET_POLL_SLICE_MS 10

struct net_check {
    char host[256];
    char port[16];
    long timeout_ms;
    atomic_bool stop;
};

static int net_check_create(const arvis_config *cfg, long timeout_ms, void **state,
                            arvis_error *err)
{
    struct net_check *c = calloc(1, sizeof *c);
    if (!c) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    const char *url = arvis_config_string(cfg, "llm.base_url");
    int rc = health_url_host(url, c->host, sizeof c->host, c->port, sizeof c->port, err);
    if (rc != ARVIS_OK) {
        free(c);
        return rc;
    }
    c->timeout_ms = timeout_ms;
    atomic_init(&c->stop, false);
    *state = c;
    return ARVIS_OK;
}

/* Connects to one address before deadline_ms. 0, or an errno value (ETIMEDOUT, ECANCELED). */
static int connect_one(struct net_check *c, const struct addrinfo *a, double deadline_ms)
{
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
        return errno;
    }
    int e = connect(fd, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
    while (e == EINPROGRESS) {
        if (atomic_load(&c->stop)) {
            e = ECANCELED;
            break;
        }
        double left = deadline_ms - arvis_clock_ms();
        if (left <= 0) {
            e = ETIMEDOUT;
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int n = poll(&p, 1, left < NET_POLL_SLICE_MS ? (int)left + 1 : NET_POLL_SLICE_MS);
        if (n > 0) {
            socklen_t len = sizeof e;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0) {
                e = errno;
            }
        } else if (n < 0 && errno != EINTR) {
            e = errno;
        }
    }
    close(fd);
    return e;
}

static void net_check_run(void *state, struct health_outcome *out)
{
    struct net_check *c = state;
    double deadline = arvis_clock_ms() + (double)c->timeout_ms;
    cJSON_AddStringToObject(out->details, "host", c->host);
    cJSON_AddStringToObject(out->details, "port", c->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *list = NULL;
    int g = getaddrinfo(c->host, c->port, &hints, &list);
    if (g != 0) {
        health_set(out, ARVIS_HEALTH_UNHEALTHY,
                   "the model server's host %s does not resolve: %s; check llm.base_url and the "
                   "network",
                   c->host, gai_strerror(g));
        return;
    }
    int e = ENOENT;
    char addr[64] = ""; /* a numeric address: an IPv6 one fits */
    for (const struct addrinfo *a = list; a; a = a->ai_next) {
        getnameinfo(a->ai_addr, a->ai_addrlen, addr, sizeof addr, NULL, 0, NI_NUMERICHOST);
        e = connect_one(c, a, deadline);
        if (e == 0 || e == ETIMEDOUT || e == ECANCELED) {
            break;
        }
    }
    freeaddrinfo(list);
    cJSON_AddStringToObject(out->details, "address", addr);
    if (e == 0) {
        health_set(out, ARVIS_HEALTH_HEALTHY, "%s:%s accepts connections", c->host, c->port);
    } else {
        health_set(out, ARVIS_HEALTH_UNHEALTHY,
                   "%s:%s (%s) accepts no connection: %s; is the model server running there?",
                   c->host, c->port, addr, strerror(e));
    }
}

static void net_check_interrupt(void *state)
{
    struct net_check *c = state;
    atomic_store(&c->stop, true);
}

static void net_check_destroy(void *state)
{
    free(state);
}

const struct health_checker_ops health_network_ops = {
    .name = "network",
    .create = net_check_create,
    .run = net_check_run,
    .interrupt = net_check_interrupt,
    .destroy = net_check_destroy,
};
