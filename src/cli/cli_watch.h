/* Shared by the commands that run turns (voice, run, chat): the notification manager whose
 * messages are shown on the terminal, and the metrics registry with its storage, so every turn's
 * figures reach `arvis metrics`. */
#ifndef ARVIS_CLI_WATCH_H
#define ARVIS_CLI_WATCH_H

#include <stdatomic.h>
#include <stdbool.h>

#include "arvis/arvis.h"

struct cli_watch {
    arvis_notify *notify;       /* NULL when notifications are off or failed to start */
    arvis_metrics *metrics;     /* NULL when metrics.enabled is false */
    arvis_metrics_store *store; /* NULL when it could not be opened (a warning said why) */
    arvis_audit *audit;         /* the monitor's audit trail (cli_audit_open), or NULL */
    arvis_health *health;       /* cli_watch_monitor's */
    arvis_health_monitor *monitor;
    _Atomic(arvis_assistant *) assistant; /* set after start: spoken notifications go through it */
    bool json;                            /* notifications as JSON lines on stdout */
};

/* Starts both from cfg. Neither failing stops the command: a warning says what is missing.
 * Notifications are shown on the terminal by the UI channel (the log channel is off, so none is
 * printed twice), except those of the components whose errors and notices the command prints
 * as they happen (cli_watch_shown_as_event). With speaks, spoken notifications go through the
 * assistant set later in w->assistant. */
void cli_watch_open(const arvis_config *cfg, bool json, bool speaks, struct cli_watch *w);

/* The audit log of security.audit.*, or NULL with a warning that `what` goes on without an
 * audit trail. */
arvis_audit *cli_audit_open(const arvis_config *cfg, const char *what);

/* Checks health every health.interval in a thread of its own, each change a notification (and
 * in the audit log), for a command that runs no assistant (chat). A failure is a warning. */
void cli_watch_monitor(const arvis_config *cfg, struct cli_watch *w);

/* True for a component whose notifications repeat what an assistant event or the command's
 * own error line already said ("llm", "tts", "audio", "assistant", "timer", "storage"). */
bool cli_watch_shown_as_event(const char *component);

/* Stops the monitor, flushes and closes the rest (after the assistant that reports to them is
 * gone). */
void cli_watch_close(struct cli_watch *w);

#endif
