/* The playback queue: chunks in order, marks, finish and wait, the sink opened at the first
 * chunk's rate, stop, pause, a bounded queue, rate conversion, and abort. Ordering, not timing,
 * decides every test: the queue is paused where a test must look before audio moves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/audio.h"
#include "audio_test_util.h"
#include "test_util.h"

static const char *const FILE_ONLY[] = {"file", NULL};

/* Each test's folder, the WAV file the queue writes there, and the log of its events. */
struct fixture {
    char dir[4096];
    char path[4200];
    struct atu_log events;
    struct atu_log order; /* what other threads did, and when */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s", tu_tempdir());
    snprintf(f->path, sizeof f->path, "%s/o.wav", f->dir);
    atu_log_init(&f->events);
    atu_log_init(&f->order);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    atu_log_free(&f->events);
    atu_log_free(&f->order);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

static arvis_playback *make(const char *path, int rate, size_t max_queued, struct atu_log *l)
{
    arvis_playback_options o = {.sinks = FILE_ONLY,
                                .sink = {.path = path, .rate = rate},
                                .max_queued = max_queued,
                                .cb = atu_event_cb,
                                .ud = l};
    arvis_playback *pb = NULL;
    arvis_error err;
    if (arvis_playback_create(&o, &pb, &err) != ARVIS_OK) {
        fail_msg("cannot create the playback queue: %s", err.msg);
    }
    return pb;
}

static void push(arvis_playback *pb, int16_t value, size_t n, int rate)
{
    int16_t *x = atu_constant(n, value);
    assert_int_equal(arvis_playback_push(pb, x, n, rate, NULL), ARVIS_OK);
    free(x);
}

/* The file's samples; checks its rate. The caller frees. */
static int16_t *played(const char *path, int rate, size_t *n)
{
    SF_INFO info;
    int16_t *y = atu_read_wav(path, &info);
    assert_non_null(y);
    assert_int_equal(info.samplerate, rate);
    *n = (size_t)info.frames;
    return y;
}

static void assert_runs(const int16_t *y, size_t n, const int16_t *values, const size_t *lengths,
                        size_t runs)
{
    size_t at = 0;
    for (size_t r = 0; r < runs; r++) {
        for (size_t i = 0; i < lengths[r]; i++, at++) {
            assert_true(at < n);
            assert_int_equal(y[at], values[r]);
        }
    }
    assert_int_equal(at, n);
}

/* Destroys the queue, keeping the file, and checks the file holds these runs of values. */
static void expect_file(arvis_playback *pb, const char *path, int rate, const int16_t *values,
                        const size_t *lengths, size_t runs)
{
    assert_int_equal(arvis_playback_destroy(pb, NULL), ARVIS_OK);
    size_t n = 0;
    int16_t *y = played(path, rate, &n);
    assert_runs(y, n, values, lengths, runs);
    free(y);
}

static void test_chunks_play_in_order_with_their_marks(void **state)
{
    struct fixture *f = *state;
    arvis_playback *pb = make(f->path, 16000, 0, &f->events);
    assert_string_equal(arvis_playback_sink(pb), "file");
    push(pb, 1000, 1600, 16000);
    assert_int_equal(arvis_playback_mark(pb, 1), ARVIS_OK);
    push(pb, -1000, 800, 16000);
    push(pb, 7, 5, 16000);
    assert_int_equal(arvis_playback_mark(pb, 2), ARVIS_OK);
    assert_int_equal(arvis_playback_finish(pb), ARVIS_OK);
    assert_int_equal(arvis_playback_wait(pb, NULL), ARVIS_OK);
    assert_string_equal(atu_text(&f->events), "S M1 M2 F");
    assert_string_equal(f->events.sink, "file");
    /* A second utterance starts again. */
    push(pb, 3, 10, 16000);
    assert_int_equal(arvis_playback_finish(pb), ARVIS_OK);
    assert_int_equal(arvis_playback_wait(pb, NULL), ARVIS_OK);
    assert_string_equal(atu_text(&f->events), "S M1 M2 F S F");
    expect_file(pb, f->path, 16000, (int16_t[]){1000, -1000, 7, 3}, (size_t[]){1600, 800, 5, 10},
                4);
}

static void test_sink_opens_at_the_first_chunks_rate(void **state)
{
    struct fixture *f = *state;
    arvis_playback *pb = make(f->path, 0, 0, &f->events);
    assert_null(arvis_playback_sink(pb));
    assert_int_equal(tu_count_entries(f->dir), 0); /* the check at create left nothing */
    push(pb, 5, 1000, 22050);
    assert_int_equal(arvis_playback_finish(pb), ARVIS_OK);
    assert_int_equal(arvis_playback_wait(pb, NULL), ARVIS_OK);
    assert_string_equal(arvis_playback_sink(pb), "file");
    expect_file(pb, f->path, 22050, (int16_t[]){5}, (size_t[]){1000}, 1);
}

static void test_unusable_sinks_are_refused_at_create(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/missing/o.wav", dir);
    static const char *const unknown[] = {"speaker", NULL};
    static const char *const none[] = {NULL};
    arvis_playback_options o = {.sinks = FILE_ONLY, .sink = {.path = path}};
    arvis_playback *pb = NULL;
    arvis_error err;
    /* The rate is not known yet, and still the path is tried at once. */
    assert_int_equal(arvis_playback_create(&o, &pb, &err), ARVIS_E_IO);
    assert_null(pb);
    assert_non_null(strstr(err.msg, "No such file or directory: choose another --out path"));
    /* The sinks after the first take over while playing, not for a first that cannot open. */
    static const char *const file_then_null[] = {"file", "null", NULL};
    o.sinks = file_then_null;
    assert_int_equal(arvis_playback_create(&o, &pb, &err), ARVIS_E_IO);
    assert_null(pb);
    o.sink.rate = 16000;
    assert_int_equal(arvis_playback_create(&o, &pb, &err), ARVIS_E_IO);
    assert_null(pb);
    o.sink.rate = 0;
    o.sinks = unknown;
    assert_int_equal(arvis_playback_create(&o, &pb, &err), ARVIS_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "no audio sink called \"speaker\""));
    o.sinks = none;
    assert_int_equal(arvis_playback_create(&o, &pb, &err), ARVIS_E_INVAL);
    o.sinks = FILE_ONLY;
    o.sink.rate = 1000;
    assert_int_equal(arvis_playback_create(&o, &pb, &err), ARVIS_E_INVAL);
    tu_rmtree(dir);
}

static void test_stop_drops_the_queue_which_then_takes_more(void **state)
{
    struct fixture *f = *state;
    arvis_playback *pb = make(f->path, 16000, 0, &f->events);
    arvis_playback_stop(pb); /* nothing to stop: no event */
    arvis_playback_pause(pb);
    push(pb, 100, 4000, 16000);
    assert_int_equal(arvis_playback_mark(pb, 1), ARVIS_OK);
    push(pb, 200, 4000, 16000);
    assert_int_equal(arvis_playback_finish(pb), ARVIS_OK);
    arvis_playback_stop(pb);
    assert_string_equal(atu_text(&f->events), "X");
    assert_true(arvis_playback_paused(pb)); /* a stop leaves pause alone */
    arvis_playback_resume(pb);
    push(pb, 300, 500, 16000);
    assert_int_equal(arvis_playback_mark(pb, 2), ARVIS_OK);
    assert_int_equal(arvis_playback_finish(pb), ARVIS_OK);
    assert_int_equal(arvis_playback_wait(pb, NULL), ARVIS_OK);
    assert_string_equal(atu_text(&f->events), "X S M2 F");
    expect_file(pb, f->path, 16000, (int16_t[]){300}, (size_t[]){500}, 1);
}

/* Another thread that waits or pushes, noting before and after in order. */
struct helper {
    arvis_playback *pb;
    struct atu_log *order;
    int rc;
};

static void *wait_thread(void *arg)
{
    struct helper *w = arg;
    atu_note(w->order, "waiting");
    w->rc = arvis_playback_wait(w->pb, NULL);
    atu_note(w->order, "done");
    return NULL;
}

static void test_pause_holds_the_audio_until_resume(void **state)
{
    struct fixture *f = *state;
    arvis_playback *pb = make(f->path, 16000, 0, &f->events);
    arvis_playback_pause(pb);
    assert_true(arvis_playback_paused(pb));
    push(pb, 9, 800, 16000);
    assert_int_equal(arvis_playback_finish(pb), ARVIS_OK);
    struct helper w = {pb, &f->order, -1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wait_thread, &w), 0);
    atu_await(&f->order, "waiting");
    assert_string_equal(atu_text(&f->events), "");
    atu_note(&f->order, "resume");
    arvis_playback_resume(pb);
    assert_false(arvis_playback_paused(pb));
    pthread_join(t, NULL);
    assert_int_equal(w.rc, ARVIS_OK);
    assert_string_equal(atu_text(&f->order), "waiting resume done");
    assert_string_equal(atu_text(&f->events), "S F");
    expect_file(pb, f->path, 16000, (int16_t[]){9}, (size_t[]){800}, 1);
}

static void *push_thread(void *arg)
{
    struct helper *p = arg;
    int16_t *x = atu_constant(60, -5);
    atu_note(p->order, "pushing");
    p->rc = arvis_playback_push(p->pb, x, 60, 16000, NULL);
    atu_note(p->order, "pushed");
    free(x);
    return NULL;
}

static void test_full_queue_makes_push_wait_for_room(void **state)
{
    struct fixture *f = *state;
    arvis_playback *pb = make(f->path, 16000, 100, &f->events);
    arvis_playback_pause(pb);
    push(pb, 5, 100, 16000); /* the queue is full */
    struct helper p = {pb, &f->order, -1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, push_thread, &p), 0);
    atu_await(&f->order, "pushing");
    /* Paused, nothing leaves the queue: the push can only return after the resume. */
    atu_note(&f->order, "resume");
    arvis_playback_resume(pb);
    pthread_join(t, NULL);
    assert_int_equal(p.rc, ARVIS_OK);
    assert_string_equal(atu_text(&f->order), "pushing resume pushed");
    assert_int_equal(arvis_playback_finish(pb), ARVIS_OK);
    assert_int_equal(arvis_playback_wait(pb, NULL), ARVIS_OK);
    /* A chunk bigger than the whole queue goes in once the queue is empty. */
    arvis_playback_pause(pb);
    push(pb, 6, 1000, 16000);
    arvis_playback_resume(pb);
    assert_int_equal(arvis_playback_finish(pb), ARVIS_OK);
    assert_int_equal(arvis_playback_wait(pb, NULL), ARVIS_OK);
    expect_file(pb, f->path, 16000, (int16_t[]){5, -5, 6}, (size_t[]){100, 60, 1000}, 3);
}

static void test_other_rates_are_converted_to_the_sinks(void **state)
{
    struct fixture *f = *state;
    arvis_playback *pb = make(f->path, 16000, 0, &f->events);
    int16_t *x = atu_sine(8000, 8000, 1000.0, 0.5); /* one second at 8 kHz */
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(arvis_playback_push(pb, x + i * 1000, 1000, 8000, NULL), ARVIS_OK);
    }
    /* What that second should become: converted in one piece. */
    arvis_resampler *r = NULL;
    assert_int_equal(arvis_resampler_create(8000, 16000, &r, NULL), ARVIS_OK);
    int16_t *whole = NULL;
    size_t n_whole = 0;
    assert_int_equal(arvis_resample(r, x, 8000, true, &whole, &n_whole, NULL), ARVIS_OK);
    arvis_resampler_destroy(r);
    free(x);
    x = atu_sine(22050, 22050, 1000.0, 0.5); /* then one at 22.05 kHz */
    assert_int_equal(arvis_playback_push(pb, x, 22050, 22050, NULL), ARVIS_OK);
    free(x);
    assert_int_equal(arvis_playback_finish(pb), ARVIS_OK);
    assert_int_equal(arvis_playback_wait(pb, NULL), ARVIS_OK);
    assert_int_equal(arvis_playback_destroy(pb, NULL), ARVIS_OK);
    size_t n = 0;
    int16_t *y = played(f->path, 16000, &n);
    assert_in_range(n, 32000 - 4, 32000 + 4);
    /* Chunk edges left no seams: the chunks came out as the whole did. */
    assert_true(n_whole <= n);
    for (size_t i = 0; i < n_whole; i++) {
        assert_true(abs(y[i] - whole[i]) <= 2);
    }
    free(whole);
    assert_in_range(atu_crossings(y, 16000), 998, 1001);
    assert_in_range(atu_crossings(y + 16000, n - 16000), 998, 1001);
    assert_true(atu_power(y, n, 16000, 1000.0) > 1000.0 * atu_power(y, n, 16000, 1500.0));
    free(y);
}

static void test_abort_keeps_no_file(void **state)
{
    struct fixture *f = *state;
    tu_write(f->path, "earlier", -1);
    arvis_playback *pb = make(f->path, 16000, 0, &f->events);
    push(pb, 1, 500, 16000);
    assert_int_equal(arvis_playback_finish(pb), ARVIS_OK);
    assert_int_equal(arvis_playback_wait(pb, NULL), ARVIS_OK);
    arvis_playback_abort(pb);
    char *text = tu_read(f->path, NULL);
    assert_string_equal(text, "earlier");
    free(text);
    assert_int_equal(tu_count_entries(f->dir), 1);
    arvis_playback_abort(NULL);
    assert_int_equal(arvis_playback_destroy(NULL, NULL), ARVIS_OK);
}

static void test_push_refuses_a_bad_rate(void **state)
{
    (void)state;
    static const char *const null_only[] = {"null", NULL};
    arvis_playback_options o = {.sinks = null_only};
    arvis_playback *pb = NULL;
    assert_int_equal(arvis_playback_create(&o, &pb, NULL), ARVIS_OK);
    int16_t x[4] = {0};
    arvis_error err;
    assert_int_equal(arvis_playback_push(pb, x, 4, 1000, &err), ARVIS_E_INVAL);
    assert_string_equal(err.msg, "audio at 1000 Hz: rates go from 8000 to 192000 Hz");
    assert_int_equal(arvis_playback_push(pb, x, 0, 16000, NULL), ARVIS_OK);
    assert_int_equal(arvis_playback_wait(pb, NULL), ARVIS_OK); /* nothing queued */
    assert_int_equal(arvis_playback_destroy(pb, NULL), ARVIS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_chunks_play_in_order_with_their_marks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sink_opens_at_the_first_chunks_rate, setup, teardown),
        cmocka_unit_test(test_unusable_sinks_are_refused_at_create),
        cmocka_unit_test_setup_teardown(test_stop_drops_the_queue_which_then_takes_more, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pause_holds_the_audio_until_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_queue_makes_push_wait_for_room, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_rates_are_converted_to_the_sinks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_abort_keeps_no_file, setup, teardown),
        cmocka_unit_test(test_push_refuses_a_bad_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
