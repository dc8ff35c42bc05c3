/* The DESKTOP channel: a freedesktop notification sent by a `gdbus call` child process, only
 * when a session bus is there. The caller never waits for it; children are reaped later. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arvis/buf.h"
#include "arvis/clock.h"
#include "notify_internal.h"

extern char **environ;

enum {
    DESKTOP_CHILDREN_MAX = 4,     /* unanswered sends before new ones are refused */
    DESKTOP_CLOSE_WAIT_MS = 500,  /* the most destroy waits for children */
    DESKTOP_POLL_MS = 10,         /* between checks while waiting */
    DESKTOP_TEXT_MAX = 16 * 1024, /* bytes of one quoted argument */
};

#define DESKTOP_CALL_TIMEOUT "5" /* seconds gdbus waits for the notification server */

typedef struct desktop_state {
    char *gdbus;
    pid_t children[DESKTOP_CHILDREN_MAX];
    size_t n_children;
} desktop_state;

/* The full path of prog found in $PATH, or NULL. The caller frees. */
static char *find_program(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path || !*path) {
        return NULL;
    }
    arvis_buf b;
    arvis_buf_init(&b, 4096);
    for (const char *p = path; *p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        arvis_buf_reset(&b);
        if (n > 0 && arvis_buf_add(&b, p, n) == ARVIS_OK &&
            arvis_buf_addf(&b, "/%s", prog) == ARVIS_OK && access(b.data, X_OK) == 0) {
            return arvis_buf_take(&b);
        }
        p += n + (colon ? 1 : 0);
    }
    arvis_buf_free(&b);
    return NULL;
}

static int desktop_open(notify_channel *ch, arvis_error *err)
{
    const char *bus = getenv("DBUS_SESSION_BUS_ADDRESS");
    if (!bus || !*bus) {
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                               "no session bus (DBUS_SESSION_BUS_ADDRESS)");
    }
    desktop_state *s = calloc(1, sizeof *s);
    if (!s) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    s->gdbus = find_program("gdbus");
    if (!s->gdbus) {
        free(s);
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE, "gdbus is not installed");
    }
    ch->state = s;
    return ARVIS_OK;
}

/* Text as a GVariant string literal, which is how gdbus reads its arguments. */
static int quote(arvis_buf *b, const char *text)
{
    int rc = arvis_buf_addc(b, '\'');
    for (const unsigned char *p = (const unsigned char *)text; *p && rc == ARVIS_OK; p++) {
        if (*p == '\'' || *p == '\\') {
            rc = arvis_buf_addf(b, "\\%c", *p);
        } else if (*p < 0x20 || *p == 0x7f) {
            rc = arvis_buf_addf(b, "\\u%04x", *p);
        } else {
            rc = arvis_buf_addc(b, (char)*p);
        }
    }
    return rc == ARVIS_OK ? arvis_buf_addc(b, '\'') : rc;
}

static void reap(desktop_state *s, bool wait)
{
    for (size_t i = 0; i < s->n_children;) {
        if (waitpid(s->children[i], NULL, wait ? 0 : WNOHANG) != 0) {
            s->children[i] = s->children[--s->n_children];
        } else {
            i++;
        }
    }
}

static int desktop_deliver(notify_channel *ch, const arvis_notification *n, arvis_error *err)
{
    desktop_state *s = ch->state;
    reap(s, false);
    if (s->n_children == DESKTOP_CHILDREN_MAX) {
        return arvis_error_set(err, ARVIS_E_TIMEOUT,
                               "the desktop notification server does not answer");
    }
    static const char *const urgency[ARVIS_NOTIFY_LEVELS] = {"0", "0", "1", "2", "2"};
    char title[ARVIS_NOTIFY_COMPONENT_MAX + 64];
    snprintf(title, sizeof title, "Arvis %s: %s", arvis_notify_level_name(n->level), n->component);
    arvis_buf summary, body, hints;
    arvis_buf_init(&summary, DESKTOP_TEXT_MAX);
    arvis_buf_init(&body, DESKTOP_TEXT_MAX);
    arvis_buf_init(&hints, DESKTOP_TEXT_MAX);
    int rc = quote(&summary, title);
    rc = rc ? rc : quote(&body, n->message);
    rc = rc ? rc : arvis_buf_addf(&hints, "{'urgency': <byte %s>}", urgency[n->level]);
    const char *argv[] = {s->gdbus,
                          "call",
                          "--session",
                          "--timeout",
                          DESKTOP_CALL_TIMEOUT,
                          "--dest",
                          "org.freedesktop.Notifications",
                          "--object-path",
                          "/org/freedesktop/Notifications",
                          "--method",
                          "org.freedesktop.Notifications.Notify",
                          "--", /* "-1" below is an argument, not an option */
                          "'Arvis'",
                          "0",
                          "''",
                          summary.data,
                          body.data,
                          "[]",
                          hints.data,
                          "-1",
                          NULL};
    posix_spawn_file_actions_t fa;
    if (rc == ARVIS_OK) {
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        pid_t pid;
        int e = posix_spawn(&pid, s->gdbus, &fa, NULL, (char *const *)argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (e == 0) {
            s->children[s->n_children++] = pid;
        } else {
            rc = arvis_error_errno(err, e, "cannot start %s", s->gdbus);
        }
    } else {
        rc = arvis_error_set(err, rc, "cannot quote the notification: %s", arvis_strerror(rc));
    }
    arvis_buf_free(&summary);
    arvis_buf_free(&body);
    arvis_buf_free(&hints);
    return rc;
}

static void desktop_close(notify_channel *ch)
{
    desktop_state *s = ch->state;
    if (!s) {
        return;
    }
    for (int waited = 0; s->n_children > 0 && waited < DESKTOP_CLOSE_WAIT_MS;
         waited += DESKTOP_POLL_MS) {
        reap(s, false);
        if (s->n_children > 0) {
            arvis_clock_sleep_ms(DESKTOP_POLL_MS);
        }
    }
    for (size_t i = 0; i < s->n_children; i++) {
        kill(s->children[i], SIGTERM); /* a child of ours that hangs, not the caller's */
    }
    reap(s, true);
    free(s->gdbus);
    free(s);
    ch->state = NULL;
}

const notify_channel_ops notify_desktop_ops = {"desktop", desktop_open, desktop_deliver,
                                               desktop_close};
