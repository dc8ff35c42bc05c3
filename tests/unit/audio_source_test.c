/* Sound files of every kind read as 16 kHz mono: length, frequency kept, channels mixed down
 * without overflow, a ten-minute file in bounded memory, and the registry's answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/audio.h"
#include "audio_internal.h"
#include "audio_source_test_util.h"
#include "audio_test_util.h"
#include "test_util.h"

enum {
    OUT_RATE = 16000,
    /* Samples a one-second file may be off by after conversion: the filter's rounding at the
     * edges, a few samples; a wrong ratio would be off by thousands. */
    LENGTH_TOLERANCE = 16,
    TONE_HZ = ASTU_TONE_HZ,
    CROSSING_TOLERANCE = 2,
    TEN_MINUTES_S = 600,
    TEN_SECONDS_S = 10,
    LONG_RATE = 22050, /* not the output rate, so the converter runs */
    /* The source's own buffers: a chunk of input and what the converter makes of it. */
    PEAK_BYTES_MAX = 256 * 1024,
};

struct format_case {
    int format;
    int channels;
    int rate;
    const char *name;
};

static const struct format_case CASES[] = {
    {SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 16000, "WAV 16-bit"},
    {SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 8000, "WAV 16-bit"},
    {SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 96000, "WAV 16-bit"},
    {SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 44100, "WAV 16-bit"},
    {SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2, 48000, "WAV 24-bit"},
    {SF_FORMAT_WAV | SF_FORMAT_PCM_32, 1, 22050, "WAV 32-bit"},
    {SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 1, 11025, "WAV 8-bit"},
    {SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 32000, "WAV float"},
    {SF_FORMAT_WAV | SF_FORMAT_FLOAT, 6, 192000, "WAV float"},
    {SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 2, 44100, "FLAC 16-bit"},
    {SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 1, 96000, "FLAC 24-bit"},
    {SF_FORMAT_OGG | SF_FORMAT_VORBIS, 2, 48000, "OGG Vorbis"},
    {SF_FORMAT_OGG | SF_FORMAT_VORBIS, 1, 16000, "OGG Vorbis"},
};

static void check_case(const char *dir, const struct format_case *c, size_t i)
{
    char name[64];
    snprintf(name, sizeof name, "tone%zu.snd", i);
    const char *path = tu_path(dir, name);
    assert_int_equal(astu_write_tone(path, c->format, c->channels, c->rate, c->rate), 0);
    int16_t *x;
    size_t n;
    arvis_source_info info;
    bool cut = true;
    arvis_error err;
    int rc = astu_read_file(path, &x, &n, &info, &cut, &err);
    if (rc != ARVIS_OK) {
        fail_msg("%s: %s", c->name, err.msg);
    }
    assert_string_equal(info.format, c->name);
    assert_int_equal(info.rate, c->rate);
    assert_int_equal(info.channels, c->channels);
    assert_int_equal(info.frames, c->rate);
    assert_false(cut);
    if (n + LENGTH_TOLERANCE < OUT_RATE || n > OUT_RATE + LENGTH_TOLERANCE) {
        fail_msg("%s at %d Hz: %zu samples, want %d", c->name, c->rate, n, OUT_RATE);
    }
    size_t crossings = atu_crossings(x, n);
    if (crossings + CROSSING_TOLERANCE < TONE_HZ || crossings > TONE_HZ + CROSSING_TOLERANCE) {
        fail_msg("%s at %d Hz: %zu crossings, want %d", c->name, c->rate, crossings, TONE_HZ);
    }
    /* Nearly all the power is still at the tone, not at some other frequency. */
    assert_true(atu_power(x, n, OUT_RATE, TONE_HZ) > 100.0 * atu_power(x, n, OUT_RATE, 1000.0));
    free(x);
}

static void test_every_format_gives_a_second_at_16k_with_its_tone(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        check_case(dir, &CASES[i], i);
    }
    tu_rmtree(dir);
}

static void test_mono_at_16k_comes_out_as_written(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "same.wav");
    int16_t *want = atu_sine(OUT_RATE, OUT_RATE, TONE_HZ, 0.5);
    SF_INFO si = {
        .samplerate = OUT_RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(path, SFM_WRITE, &si);
    assert_non_null(f);
    assert_int_equal(sf_write_short(f, want, OUT_RATE), OUT_RATE);
    sf_close(f);
    int16_t *x;
    size_t n;
    arvis_error err;
    assert_int_equal(astu_read_file(path, &x, &n, NULL, NULL, &err), ARVIS_OK);
    assert_int_equal(n, OUT_RATE);
    assert_memory_equal(x, want, n * sizeof *x);
    free(x);
    free(want);
    tu_rmtree(dir);
}

static int16_t peak(const int16_t *x, size_t n)
{
    int m = 0;
    for (size_t i = 0; i < n; i++) {
        m = abs(x[i]) > m ? abs(x[i]) : m;
    }
    return (int16_t)(m > INT16_MAX ? INT16_MAX : m);
}

static void test_stereo_mixes_to_the_average(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    struct astu_sound s = {.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16,
                           .channels = 2,
                           .rate = OUT_RATE,
                           .frames = OUT_RATE,
                           .freq = TONE_HZ,
                           .amp = 0.9,
                           .gain = {1.0, -1.0}};
    const char *opposite = tu_path(dir, "opposite.wav");
    assert_int_equal(astu_write(opposite, &s), 0);
    s.gain[1] = 1.0;
    const char *same = tu_path(dir, "same.wav");
    assert_int_equal(astu_write(same, &s), 0);
    s.channels = 1;
    const char *mono = tu_path(dir, "mono.wav");
    assert_int_equal(astu_write(mono, &s), 0);
    int16_t *x, *y, *z;
    size_t nx, ny, nz;
    arvis_error err;
    assert_int_equal(astu_read_file(opposite, &x, &nx, NULL, NULL, &err), ARVIS_OK);
    assert_int_equal(astu_read_file(same, &y, &ny, NULL, NULL, &err), ARVIS_OK);
    assert_int_equal(astu_read_file(mono, &z, &nz, NULL, NULL, &err), ARVIS_OK);
    assert_int_equal(nx, OUT_RATE);
    assert_int_equal(ny, OUT_RATE);
    assert_int_equal(nz, OUT_RATE);
    assert_true(peak(x, nx) <= 1);
    assert_memory_equal(y, z, ny * sizeof *y);
    assert_true(peak(y, ny) > INT16_MAX * 0.85);
    free(x);
    free(y);
    free(z);
    tu_rmtree(dir);
}

/* Full scale in every channel averages to full scale, never wrapping round to the other sign;
 * float samples beyond full scale are clipped. */
static void test_full_scale_does_not_overflow(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "loud.wav");
    enum { FRAMES = 100, CH = 4 };
    SF_INFO si = {
        .samplerate = OUT_RATE, .channels = CH, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *f = sf_open(path, SFM_WRITE, &si);
    assert_non_null(f);
    float frames[FRAMES * CH];
    for (size_t i = 0; i < FRAMES * CH; i++) {
        frames[i] = i < FRAMES * CH / 2 ? 1.5f : -1.5f;
    }
    assert_int_equal(sf_writef_float(f, frames, FRAMES), FRAMES);
    sf_close(f);
    int16_t *x;
    size_t n;
    arvis_error err;
    assert_int_equal(astu_read_file(path, &x, &n, NULL, NULL, &err), ARVIS_OK);
    assert_int_equal(n, FRAMES);
    assert_true(x[0] >= INT16_MAX - 1);
    assert_true(x[FRAMES / 2 - 1] >= INT16_MAX - 1);
    assert_true(x[FRAMES / 2] <= INT16_MIN + 1);
    assert_true(x[FRAMES - 1] <= INT16_MIN + 1);
    free(x);
    tu_rmtree(dir);
}

/* Reads a long file at 22050 Hz (so the converter runs) in small pieces; returns the samples
 * and the most the source held at once. */
static size_t read_long(const char *path, int seconds, size_t *peak_bytes)
{
    assert_int_equal(
        astu_write_tone(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, LONG_RATE, LONG_RATE * seconds),
        0);
    arvis_source_options o = {.path = path};
    arvis_source *src = NULL;
    arvis_error err;
    assert_int_equal(arvis_source_open("file", &o, &src, &err), ARVIS_OK);
    int16_t piece[ASTU_READ_PIECE];
    size_t total = 0, got = 0;
    do {
        assert_int_equal(arvis_source_read(src, piece, ASTU_READ_PIECE, &got, &err), ARVIS_OK);
        total += got;
        assert_true(audio_source_peak_bytes(src) <= PEAK_BYTES_MAX);
    } while (got > 0);
    *peak_bytes = audio_source_peak_bytes(src);
    arvis_source_close(src);
    return total;
}

static void test_ten_minutes_cost_what_ten_seconds_cost(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    size_t short_peak = 0, long_peak = 0;
    size_t n = read_long(tu_path(dir, "short.wav"), TEN_SECONDS_S, &short_peak);
    assert_true(n + LENGTH_TOLERANCE >= (size_t)OUT_RATE * TEN_SECONDS_S);
    assert_true(n <= (size_t)OUT_RATE * TEN_SECONDS_S + LENGTH_TOLERANCE);
    n = read_long(tu_path(dir, "long.wav"), TEN_MINUTES_S, &long_peak);
    assert_true(n + LENGTH_TOLERANCE >= (size_t)OUT_RATE * TEN_MINUTES_S);
    assert_true(n <= (size_t)OUT_RATE * TEN_MINUTES_S + LENGTH_TOLERANCE);
    assert_true(long_peak > 0);
    assert_int_equal(long_peak, short_peak);
    tu_rmtree(dir);
}

static void test_output_rate_is_the_one_asked_for(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "tone.flac");
    assert_int_equal(astu_write_tone(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 2, 44100, 44100), 0);
    arvis_source_options o = {.path = path, .rate = 48000};
    arvis_source *src = NULL;
    arvis_error err;
    assert_int_equal(arvis_source_open("file", &o, &src, &err), ARVIS_OK);
    assert_int_equal(arvis_source_rate(src), 48000);
    assert_string_equal(arvis_source_name(src), "file");
    int16_t *x;
    size_t n;
    assert_int_equal(astu_read_all(src, &x, &n, &err), ARVIS_OK);
    assert_true(n + LENGTH_TOLERANCE >= 48000 && n <= 48000 + LENGTH_TOLERANCE);
    arvis_source_close(src);
    free(x);
    o.rate = 4000;
    assert_int_equal(arvis_source_open("file", &o, &src, &err), ARVIS_E_INVAL);
    assert_string_equal(err.msg, "cannot read audio at 4000 Hz: rates go from 8000 to 192000 Hz");
    assert_null(src);
    tu_rmtree(dir);
}

static void test_names_and_unknown_source(void **state)
{
    (void)state;
    const char *const *names = arvis_source_names();
    assert_string_equal(names[0], "file");
    assert_string_equal(names[1], "stdin");
    assert_true(names[2] == NULL || (strcmp(names[2], "pulse") == 0 && names[3] == NULL));
    arvis_source_options o = {0};
    arvis_source *s = NULL;
    arvis_error err;
    assert_int_equal(arvis_source_open("tape", &o, &s, &err), ARVIS_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "no audio source called \"tape\": this build has file, stdin"));
    assert_null(s);
    arvis_source_close(NULL);
}

static void test_cancel_stops_a_file_read(void **state)
{
    (void)state;
    const char *dir = tu_tempdir();
    const char *path = tu_path(dir, "tone.wav");
    assert_int_equal(astu_write_tone(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 8000, 8000), 0);
    arvis_source_options o = {.path = path};
    arvis_source *src = NULL;
    arvis_error err;
    assert_int_equal(arvis_source_open("file", &o, &src, &err), ARVIS_OK);
    int16_t piece[ASTU_READ_PIECE];
    size_t got = 0;
    assert_int_equal(arvis_source_read(src, piece, ASTU_READ_PIECE, &got, &err), ARVIS_OK);
    assert_true(got > 0);
    arvis_source_cancel(src);
    assert_int_equal(arvis_source_read(src, piece, ASTU_READ_PIECE, &got, &err), ARVIS_E_CANCELLED);
    assert_int_equal(got, 0);
    arvis_source_close(src);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_format_gives_a_second_at_16k_with_its_tone),
        cmocka_unit_test(test_mono_at_16k_comes_out_as_written),
        cmocka_unit_test(test_stereo_mixes_to_the_average),
        cmocka_unit_test(test_full_scale_does_not_overflow),
        cmocka_unit_test(test_ten_minutes_cost_what_ten_seconds_cost),
        cmocka_unit_test(test_output_rate_is_the_one_asked_for),
        cmocka_unit_test(test_names_and_unknown_source),
        cmocka_unit_test(test_cancel_stops_a_file_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
