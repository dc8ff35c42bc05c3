/* For the assistant's tests: an assistant on a fresh home with a scripted model server, speech
 * into a WAV file, and every event it sends recorded so a test can wait for one and read them
 * back in order. Include after cmocka's prerequisites. */
#ifndef ARVIS_ASSISTANT_TEST_UTIL_H
#define ARVIS_ASSISTANT_TEST_UTIL_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/arvis.h"
#include "fake_llm.h"
#include "test_util.h"

#define ATU_MAX_EVENTS 512

struct atu_event {
    arvis_event_kind kind;
    uint64_t turn;
    arvis_state state;
    int code;
    char text[512];
    arvis_turn_stats stats; /* TURN_END */
    char answer[1024];      /* TURN_END */
    char request[512];      /* TURN_END */
};

struct atu_rig {
    fake_llm *server;
    arvis_config *cfg;
    arvis_assistant *a;
    char wav[4096];
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct atu_event ev[ATU_MAX_EVENTS];
    size_t n;
};

static inline void atu_on_event(const arvis_event *ev, void *ud)
{
    struct atu_rig *r = ud;
    pthread_mutex_lock(&r->mu);
    if (r->n < ATU_MAX_EVENTS) {
        struct atu_event *e = &r->ev[r->n++];
        memset(e, 0, sizeof *e);
        e->kind = ev->kind;
        e->turn = ev->turn;
        e->state = ev->state;
        e->code = ev->code;
        if (ev->text) {
            snprintf(e->text, sizeof e->text, "%.*s", (int)ev->len, ev->text);
        }
        if (ev->kind == ARVIS_EVENT_TURN_END) {
            e->stats = *ev->stats;
            snprintf(e->answer, sizeof e->answer, "%s", ev->answer);
            snprintf(e->request, sizeof e->request, "%s", ev->request);
        }
    }
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
}

/* Starts the assistant with the model server scripted by script (NULL: a server that refuses
 * connections), speech into r->wav, and the "key=value" overrides in sets. */
static inline void atu_open(struct atu_rig *r, const char *script, bool hear,
                            const char *const *sets)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cond, NULL);
    tu_fresh_home();
    char url[128];
    if (script) {
        r->server = fake_llm_start(0, script);
        assert_non_null(r->server);
        snprintf(url, sizeof url, "llm.base_url=%s", fake_llm_url(r->server));
    } else {
        snprintf(url, sizeof url, "llm.base_url=http://127.0.0.1:%d", fake_llm_closed_port());
    }
    const char *all[32] = {url, "llm.retries=0", "tts.engine=flite", "tts.fallback=[]"};
    size_t n = 4;
    for (size_t i = 0; sets && sets[i] && n < 31; i++) {
        all[n++] = sets[i];
    }
    r->cfg = tu_config(all);
    snprintf(r->wav, sizeof r->wav, "%s", tu_path(tu_tempdir(), "reply.wav"));
    static const char *const sinks[] = {"file", NULL};
    arvis_assistant_options o = {.cfg = r->cfg,
                                 .hear = hear,
                                 .speak = true,
                                 .playback = {.sinks = sinks, .sink = {.path = r->wav}},
                                 .cb = atu_on_event,
                                 .ud = r};
    arvis_error err;
    int rc = arvis_assistant_create(&o, &r->a, &err);
    if (rc != ARVIS_OK) {
        fail_msg("cannot start the assistant: %s", err.msg);
    }
}

static inline void atu_close(struct atu_rig *r)
{
    arvis_assistant_destroy(r->a);
    if (r->server) {
        fake_llm_stop(r->server);
    }
    arvis_config_free(r->cfg);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->mu);
}

/* Waits until an event of kind (for turn, 0: any) has been recorded; returns its index. */
static inline size_t atu_wait(struct atu_rig *r, arvis_event_kind kind, uint64_t turn)
{
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0;; i++) {
        while (i >= r->n) {
            pthread_cond_wait(&r->cond, &r->mu);
        }
        if (r->ev[i].kind == kind && (!turn || r->ev[i].turn == turn)) {
            pthread_mutex_unlock(&r->mu);
            return i;
        }
    }
}

/* Waits for a STATE event to state s after event index from; returns its index. */
static inline size_t atu_wait_state(struct atu_rig *r, arvis_state s, size_t from)
{
    pthread_mutex_lock(&r->mu);
    for (size_t i = from;; i++) {
        while (i >= r->n) {
            pthread_cond_wait(&r->cond, &r->mu);
        }
        if (r->ev[i].kind == ARVIS_EVENT_STATE && r->ev[i].state == s) {
            pthread_mutex_unlock(&r->mu);
            return i;
        }
    }
}

/* How many events of kind were recorded (for turn, 0: any). */
static inline size_t atu_count(struct atu_rig *r, arvis_event_kind kind, uint64_t turn)
{
    pthread_mutex_lock(&r->mu);
    size_t c = 0;
    for (size_t i = 0; i < r->n; i++) {
        c += r->ev[i].kind == kind && (!turn || r->ev[i].turn == turn);
    }
    pthread_mutex_unlock(&r->mu);
    return c;
}

#endif
