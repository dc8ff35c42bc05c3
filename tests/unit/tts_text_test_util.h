/* Helpers shared by the text-for-speech tests: the one-shot and streamed results, checked for
 * validity and the bound on their length. Include after cmocka's prerequisites. */
#ifndef ARVIS_TTS_TEXT_TEST_UTIL_H
#define ARVIS_TTS_TEXT_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "arvis/tts.h"
#include "arvis/utf8.h"

enum {
    MEGABYTE = 1 << 20,
    RANDOM_ROUNDS = 3000,
    RANDOM_MAX_LEN = 300,
    PIECES_MAX = 16,
};

static inline size_t bound(size_t len)
{
    return 2 * len + 64;
}

/* The one-shot result, checked for validity and the bound; the caller frees. */
static inline char *prepare_with(const char *in, size_t len, const arvis_tts_text_options *o)
{
    char *out = NULL;
    assert_int_equal(arvis_tts_text_prepare(in, len, o, &out), ARVIS_OK);
    assert_non_null(out);
    assert_true(arvis_utf8_valid(out, strlen(out), NULL));
    assert_true(strlen(out) <= bound(len));
    return out;
}

/* The one-shot result must equal the wanted text, and so must one feed of a fresh cleaner. */
static inline void expect_with(const char *in, const char *want, const arvis_tts_text_options *o)
{
    char *got = prepare_with(in, strlen(in), o);
    if (strcmp(got, want) != 0) {
        fail_msg("cleaning \"%s\"\n  got  \"%s\"\n  want \"%s\"", in, got, want);
    }
    free(got);
    arvis_tts_text *t = NULL;
    assert_int_equal(arvis_tts_text_create(o, &t), ARVIS_OK);
    assert_int_equal(arvis_tts_text_feed(t, in, strlen(in), &got), ARVIS_OK);
    if (strcmp(got, want) != 0) {
        fail_msg("feeding \"%s\"\n  got  \"%s\"\n  want \"%s\"", in, got, want);
    }
    free(got);
    arvis_tts_text_destroy(t);
}

static inline void expect(const char *in, const char *want)
{
    arvis_tts_text_options o = arvis_tts_text_default_options();
    expect_with(in, want, &o);
}

/* Feeds the NULL-terminated pieces to one cleaner; each output must be the wanted one. */
static inline void expect_pieces(const arvis_tts_text_options *o, const char *const *in,
                                 const char *const *want)
{
    arvis_tts_text *t = NULL;
    assert_int_equal(arvis_tts_text_create(o, &t), ARVIS_OK);
    for (size_t i = 0; in[i]; i++) {
        char *got = NULL;
        assert_int_equal(arvis_tts_text_feed(t, in[i], strlen(in[i]), &got), ARVIS_OK);
        if (strcmp(got, want[i]) != 0) {
            fail_msg("piece %zu \"%s\"\n  got  \"%s\"\n  want \"%s\"", i, in[i], got, want[i]);
        }
        free(got);
    }
    arvis_tts_text_destroy(t);
}

#endif
