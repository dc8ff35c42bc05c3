/* What a microphone hears while Arvis is busy answering: muted, nothing said over the answer
 * becomes a request; with the threshold raised, talk without the wake phrase is ignored and the
 * wake phrase interrupts the answer (barge-in), its request answered next. The microphone is a
 * pipe on stdin that the test writes; the answer is held busy by a model server that stalls
 * after its first sentence, so what is written lands while the turn runs, whatever the speed of
 * the machine. Real flite and pocketsphinx. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "assistant_test_util.h"
#include "stt_audio_test_util.h"

/* One sentence, then a stream that never goes on: the turn stays busy until cancelled. */
static const char *const STALLED =
    "{\"replies\": [{\"text\": \"Let me think about the moon. The\", \"fault\": \"stall\","
    " \"fault_after\": 99}]}";

struct mic {
    struct atu_rig *r;
    int fd; /* the pipe's write end */
    arvis_source *src;
    arvis_live_options lo;
    pthread_t thread;
    int rc;
    arvis_tts_engine *voice;
};

static void *mic_loop(void *ud)
{
    struct mic *m = ud;
    arvis_error err;
    m->rc = arvis_assistant_live(m->r->a, m->src, &m->lo, &err);
    return NULL;
}

/* Puts a pipe on stdin as the microphone and starts the live loop on it. */
static void mic_open(struct mic *m, struct atu_rig *r, bool wake)
{
    memset(m, 0, sizeof *m);
    m->r = r;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
    close(p[0]);
    m->fd = p[1];
    arvis_source_options so = {.in_rate = ARVIS_STT_RATE, .rate = ARVIS_STT_RATE};
    arvis_error err;
    assert_int_equal(arvis_source_open("stdin", &so, &m->src, &err), ARVIS_OK);
    m->lo = (arvis_live_options){.wake = wake, .live = true};
    m->voice = sat_voice(r->cfg, "kal16");
    assert_int_equal(pthread_create(&m->thread, NULL, mic_loop, m), 0);
}

/* Says text (NULL: nothing) followed by seconds of silence into the microphone. */
static void mic_say(struct mic *m, const char *text, double seconds)
{
    sat_pcm p = {.rate = ARVIS_STT_RATE};
    if (text) {
        sat_say(m->voice, text, &p);
    }
    sat_silence(&p, seconds);
    const char *bytes = (const char *)p.x;
    size_t left = p.n * sizeof *p.x;
    while (left) {
        ssize_t w = write(m->fd, bytes, left);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        assert_true(w > 0);
        bytes += w;
        left -= (size_t)w;
    }
    sat_free(&p);
}

/* Waits until the loop has read all that was written. It reads a 20 ms chunk at a time and
 * handles each before reading the next, so everything before the last chunk has been heard. */
static void mic_drain(struct mic *m)
{
    for (;;) {
        int left = 0;
        assert_int_equal(ioctl(m->fd, FIONREAD, &left), 0);
        if (left == 0) {
            return;
        }
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
}

/* Ends the input and waits for the loop (and the turns it started) to finish. */
static void mic_close(struct mic *m)
{
    close(m->fd);
    pthread_join(m->thread, NULL);
    arvis_source_close(m->src);
    arvis_tts_engine_destroy(m->voice);
}

static size_t count_text(struct atu_rig *r, arvis_event_kind kind, const char *needle)
{
    pthread_mutex_lock(&r->mu);
    size_t c = 0;
    for (size_t i = 0; i < r->n; i++) {
        c += r->ev[i].kind == kind && strstr(r->ev[i].text, needle);
    }
    pthread_mutex_unlock(&r->mu);
    return c;
}

static const struct atu_event *turn_end(struct atu_rig *r, uint64_t turn)
{
    return &r->ev[atu_wait(r, ARVIS_EVENT_TURN_END, turn)];
}

/* Whether turn has ended within a minute: a guard that turns a hang into a failure, far beyond
 * the few milliseconds a cancel takes. */
static bool ended_soon(struct atu_rig *r, uint64_t turn)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 60;
    pthread_mutex_lock(&r->mu);
    bool ended = false;
    for (size_t i = 0; !ended;) {
        for (; i < r->n && !ended; i++) {
            ended = r->ev[i].kind == ARVIS_EVENT_TURN_END && r->ev[i].turn == turn;
        }
        if (!ended && pthread_cond_timedwait(&r->cond, &r->mu, &until) != 0) {
            break;
        }
    }
    pthread_mutex_unlock(&r->mu);
    return ended;
}

static void test_muted_while_answering(void **state)
{
    (void)state;
    struct atu_rig r;
    const char *const sets[] = {"wake.during_playback=mute", "llm.stream_chunk_timeout_ms=600000",
                                NULL};
    atu_open(&r, STALLED, true, sets);
    struct mic m;
    mic_open(&m, &r, false);
    mic_say(&m, NULL, 0.5);
    mic_say(&m, "Tell me about the moon.", 1.5);
    uint64_t first = r.ev[atu_wait(&r, ARVIS_EVENT_SENTENCE, 0)].turn;
    /* Said while the answer is held: what a speaker beside the microphone would play. */
    mic_say(&m, "What is twelve times seven?", 1.5);
    mic_drain(&m);
    arvis_assistant_cancel(r.a, false); /* only the held turn: anything queued would run */
    mic_close(&m);
    assert_int_equal(m.rc, ARVIS_OK);
    assert_true(turn_end(&r, first)->stats.cancelled);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_TURN_END, 0), 1);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_TRANSCRIPT, 0), 1);
    assert_int_equal(count_text(&r, ARVIS_EVENT_PARTIAL, "twelve"), 0);
    assert_int_equal(fake_llm_requests(r.server), 1);
    atu_close(&r);
}

static void test_raised_threshold_takes_only_the_wake_phrase_which_interrupts(void **state)
{
    (void)state;
    struct atu_rig r;
    /* "refuse": the request that interrupts is not refused for the turn it interrupted. */
    const char *const sets[] = {"wake.during_playback=raise_threshold",
                                "llm.stream_chunk_timeout_ms=600000",
                                "assistant.busy_policy=refuse", NULL};
    atu_open(&r, STALLED, true, sets);
    struct mic m;
    mic_open(&m, &r, true);
    mic_say(&m, NULL, 0.5);
    mic_say(&m, "Hey Arvis, tell me about the moon.", 1.5);
    uint64_t first = r.ev[atu_wait(&r, ARVIS_EVENT_SENTENCE, 0)].turn;
    mic_say(&m, "What is twelve times seven?", 1.5); /* no wake phrase: not for Arvis */
    mic_drain(&m);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_TURN_END, 0), 0);
    mic_say(&m, "Hey Arvis, what is seven plus five?", 1.5);
    mic_drain(&m);
    if (atu_count(&r, ARVIS_EVENT_WAKE, 0) != 2 || !ended_soon(&r, first)) {
        arvis_assistant_cancel(r.a, true);
        mic_close(&m);
        fail_msg("the wake phrase said over the answer did not interrupt it");
    }
    mic_close(&m);
    assert_int_equal(m.rc, ARVIS_OK);
    assert_true(turn_end(&r, first)->stats.cancelled);
    assert_int_equal(atu_count(&r, ARVIS_EVENT_TURN_END, 0), 2);
    const struct atu_event *last = &r.ev[r.n - 1];
    for (size_t i = r.n; i-- > 0;) {
        if (r.ev[i].kind == ARVIS_EVENT_TURN_END) {
            last = &r.ev[i];
            break;
        }
    }
    assert_string_equal(last->stats.skill, "arithmetic");
    assert_non_null(strstr(last->answer, "12"));
    assert_int_equal(count_text(&r, ARVIS_EVENT_TRANSCRIPT, "twelve"), 0);
    assert_int_equal(fake_llm_requests(r.server), 1);
    atu_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_muted_while_answering),
        cmocka_unit_test(test_raised_threshold_takes_only_the_wake_phrase_which_interrupts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
