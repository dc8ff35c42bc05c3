/* A recording that begins with speech at its first sample: pocketsphinx mishears the first word
 * with no quiet before it ("what is twelve" became "as well"); a moment of silence given first
 * (arvis_stt_lead_in) fixes it, and the word times leave that silence out. Transcribing such a
 * recording does it by itself. Real flite and pocketsphinx. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sndfile.h>
#include <stdlib.h>

#include "arvis/arvis.h"
#include "stt_audio_test_util.h"
#include "test_util.h"

static const char *const REQUEST = "What is twelve times seven? And what is the time now?";
static const char *const HEARD = "what is twelve times seven and what is the time now";

static sat_pcm cut; /* kal16 saying REQUEST, from its first word's onset on */

static int setup(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_engine *e = sat_voice(cfg, "kal16");
    cut = (sat_pcm){.rate = ARVIS_STT_RATE};
    sat_say_cut(e, REQUEST, &cut);
    arvis_tts_engine_destroy(e);
    arvis_config_free(cfg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sat_free(&cut);
    return 0;
}

static arvis_stt_result *recognise(arvis_stt *stt, double lead_s)
{
    arvis_error err;
    assert_int_equal(arvis_stt_start(stt, &err), ARVIS_OK);
    if (lead_s > 0) {
        assert_int_equal(arvis_stt_lead_in(stt, lead_s, &err), ARVIS_OK);
    }
    assert_int_equal(arvis_stt_feed(stt, cut.x, cut.n, &err), ARVIS_OK);
    arvis_stt_result *r = NULL;
    assert_int_equal(arvis_stt_finish(stt, &r, &err), ARVIS_OK);
    return r;
}

static void test_a_lead_in_of_silence_hears_the_first_word(void **state)
{
    (void)state;
    arvis_stt *stt = sat_recogniser(NULL);
    arvis_stt_result *bare = recognise(stt, 0);
    assert_string_not_equal(bare->text, HEARD); /* what it fixes: the first words misheard */
    arvis_stt_result *led = recognise(stt, 0.1);
    assert_string_equal(led->text, HEARD);
    /* The times and the length are of the recording, without the silence given first. */
    assert_true(led->words[0].start_s < 0.05);
    assert_float_equal(led->audio_s, (double)cut.n / ARVIS_STT_RATE, 1e-9);
    assert_true(led->words[led->n_words - 1].end_s <= led->audio_s + 0.01);
    arvis_stt_result_free(bare);
    arvis_stt_result_free(led);
    arvis_error err;
    assert_int_equal(arvis_stt_lead_in(stt, 0.1, &err), ARVIS_E_STATE); /* no utterance */
    arvis_stt_destroy(stt);
}

struct heard {
    size_t utterances;
    double start_s, first_word_s;
    size_t words;
};

static void on_utterance(const arvis_stt_result *r, double start_s, double end_s, void *ud)
{
    (void)end_s;
    struct heard *h = ud;
    if (h->utterances++ == 0) {
        h->start_s = start_s;
        h->first_word_s = r->n_words ? r->words[0].start_s : -1;
        h->words = r->n_words;
    }
}

/* The utterance begins at the first sample and its first word is there, not at the first pause
 * (which the VAD needs to learn the floor from): the recording's words are all heard. Which
 * words pocketsphinx makes of a first syllable cut so close is its own business (this one is
 * heard as "but as well" through the chunked path), so the words after it are checked. */
static void test_transcribing_a_recording_cut_at_its_first_word(void **state)
{
    (void)state;
    const char *path = tu_path(tu_tempdir(), "cut.wav");
    SF_INFO info = {
        .samplerate = ARVIS_STT_RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    assert_non_null(f);
    assert_int_equal(sf_write_short(f, cut.x, (sf_count_t)cut.n), (sf_count_t)cut.n);
    sf_close(f);
    arvis_source_options so = {.path = path, .rate = ARVIS_STT_RATE};
    arvis_source *src = NULL;
    arvis_error err;
    assert_int_equal(arvis_source_open("file", &so, &src, &err), ARVIS_OK);
    arvis_config *cfg = tu_config(NULL);
    arvis_vad_options vo = arvis_vad_options_from_config(cfg);
    arvis_stt *stt = sat_recogniser(NULL);
    char *text = NULL;
    arvis_transcript_stats st;
    struct heard h = {0};
    assert_int_equal(arvis_transcribe(stt, src, &vo, on_utterance, &h, &text, &st, &err), ARVIS_OK);
    assert_int_equal(h.utterances, 1);
    assert_float_equal(h.start_s, 0, 0);
    assert_true(h.first_word_s >= 0 && h.first_word_s < 0.05);
    assert_int_equal(h.words, 11);
    const char *tail = "times seven and what is the time now";
    assert_true(strlen(text) > strlen(tail));
    assert_string_equal(text + strlen(text) - strlen(tail), tail);
    free(text);
    arvis_stt_destroy(stt);
    arvis_source_close(src);
    arvis_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_lead_in_of_silence_hears_the_first_word),
        cmocka_unit_test(test_transcribing_a_recording_cut_at_its_first_word),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
