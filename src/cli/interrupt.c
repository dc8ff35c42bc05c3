/* Ctrl-C for the commands that talk to the model: SIGINT and SIGTERM are blocked in every
 * thread and taken by one thread with sigwait, which cancels the request under way (or, when
 * none runs, wakes the prompt so the command can end cleanly). No work in a signal handler. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include "cli_llm.h"

static struct {
    pthread_t thread;
    bool running;
    arvis_llm *llm;
    /* Held while a signal cancels: once busy is false or the speech is unset, no cancel is
     * under way, so the caller may free what it cancelled. */
    pthread_mutex_t lock;
    arvis_speech *speech;
    arvis_assistant *assistant;
    bool busy;
    atomic_bool interrupted;
    int wake[2]; /* written when a signal comes while nothing runs */
} state = {.wake = {-1, -1}, .lock = PTHREAD_MUTEX_INITIALIZER};

static void *wait_for_signals(void *arg)
{
    sigset_t *set = arg;
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0) {
            continue;
        }
        if (sig == SIGUSR2) {
            return NULL; /* asked to stop */
        }
        atomic_store(&state.interrupted, true);
        pthread_mutex_lock(&state.lock);
        if (state.assistant) {
            arvis_assistant_stop_live(state.assistant);
            arvis_assistant_cancel(state.assistant, true);
        }
        if (state.busy) {
            if (state.llm) {
                arvis_llm_cancel(state.llm);
            }
            if (state.speech) {
                arvis_speech_cancel(state.speech);
            }
        } else {
            char b = 1;
            ssize_t w = write(state.wake[1], &b, 1);
            (void)w;
        }
        pthread_mutex_unlock(&state.lock);
    }
}

static sigset_t signals;

int cli_interrupt_start(arvis_llm *llm)
{
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGUSR2);
    if (pthread_sigmask(SIG_BLOCK, &signals, NULL) != 0 || pipe(state.wake) != 0) {
        return errno ? errno : -1;
    }
    state.llm = llm;
    state.busy = false;
    state.speech = NULL;
    atomic_store(&state.interrupted, false);
    if (pthread_create(&state.thread, NULL, wait_for_signals, &signals) != 0) {
        return -1;
    }
    state.running = true;
    return 0;
}

void cli_interrupt_speech(arvis_speech *sp)
{
    pthread_mutex_lock(&state.lock);
    state.speech = sp;
    pthread_mutex_unlock(&state.lock);
}

void cli_interrupt_assistant(arvis_assistant *a)
{
    pthread_mutex_lock(&state.lock);
    state.assistant = a;
    pthread_mutex_unlock(&state.lock);
}

void cli_interrupt_busy(bool busy)
{
    pthread_mutex_lock(&state.lock);
    state.busy = busy;
    pthread_mutex_unlock(&state.lock);
}

bool cli_interrupted(void)
{
    return atomic_exchange(&state.interrupted, false);
}

int cli_interrupt_fd(void)
{
    return state.wake[0];
}

void cli_interrupt_stop(void)
{
    if (state.running) {
        pthread_kill(state.thread, SIGUSR2);
        pthread_join(state.thread, NULL);
        state.running = false;
    }
    for (int i = 0; i < 2; i++) {
        if (state.wake[i] >= 0) {
            close(state.wake[i]);
            state.wake[i] = -1;
        }
    }
}
