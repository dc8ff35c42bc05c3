/* Shared by the health checkers and the facade: the table of operations every checker defines,
 * and what one check found. */
#ifndef ARVIS_HEALTH_INTERNAL_H
#define ARVIS_HEALTH_INTERNAL_H

#include <stdarg.h>

#include "arvis/health.h"

/* What a checker found, written on the checker's thread. */
struct health_outcome {
    arvis_health_status status;
    char message[ARVIS_ERROR_MSG_MAX];
    struct cJSON *details; /* an object, created by the facade; the checker adds to it */
};

/* One checker. create runs on the caller's thread and must be quick (it copies what run needs
 * from cfg); run runs on a thread of its own and should end within timeout_ms by itself;
 * interrupt (NULL when the work cannot be interrupted) may be called from any thread while run
 * runs, even before it starts, and makes run end soon; destroy runs after run has ended. */
struct health_checker_ops {
    const char *name;
    int (*create)(const arvis_config *cfg, long timeout_ms, void **state, arvis_error *err);
    void (*run)(void *state, struct health_outcome *out);
    void (*interrupt)(void *state);
    void (*destroy)(void *state);
};

extern const struct health_checker_ops health_stt_ops;
extern const struct health_checker_ops health_tts_ops;
extern const struct health_checker_ops health_llm_ops;
extern const struct health_checker_ops health_network_ops;
extern const struct health_checker_ops health_storage_ops;
extern const struct health_checker_ops health_audio_ops;

/* The configuration an arvis_health reads (for the monitor). */
const arvis_config *health_config(const arvis_health *h);

/* create and destroy for a checker that keeps nothing between them. */
int health_stateless_create(const arvis_config *cfg, long timeout_ms, void **state,
                            arvis_error *err);
void health_stateless_destroy(void *state);

/* Sets the outcome's status and message. */
void health_set(struct health_outcome *out, arvis_health_status status, const char *fmt, ...)
    ARVIS_PRINTF(3, 4);

/* The host and port of an http(s) URL (the scheme's port when none is given). ARVIS_E_INVAL
 * when url is not one. */
int health_url_host(const char *url, char *host, size_t host_size, char *port, size_t port_size,
                    arvis_error *err);

#endif
