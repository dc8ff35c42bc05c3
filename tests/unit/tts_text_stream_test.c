/* Text for speech as a stream: sentences as the sentencer cuts them, a megabyte in pieces and
 * random bytes within the bound on the output, bad arguments, and the cleaner's lifetime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/llm.h"
#include "arvis/tts.h"
#include "arvis/utf8.h"
#include "test_util.h"
#include "tts_text_test_util.h"

struct sentences {
    arvis_tts_text *t;
    arvis_buf said;
};

static void on_sentence(const char *text, size_t len, bool early, void *ud)
{
    (void)early;
    struct sentences *s = ud;
    char *out = NULL;
    assert_int_equal(arvis_tts_text_feed(s->t, text, len, &out), ARVIS_OK);
    if (out[0]) {
        if (s->said.len > 0) {
            assert_int_equal(arvis_buf_addc(&s->said, '|'), ARVIS_OK);
        }
        assert_int_equal(arvis_buf_adds(&s->said, out), ARVIS_OK);
    }
    free(out);
}

static void test_text_cleans_sentences_as_the_sentencer_cuts_them(void **state)
{
    (void)state;
    const char *answer = "## Setup\n\nFirst, install it:\n\n```bash\nsudo apt install "
                         "flite\necho done. really.\n```\n\nThen:\n\n1. Run **arvis**.\n2. "
                         "See [the guide](https://example.com/guide) 👍\n\n| Key | Value |\n|---|"
                         "---|\n| rate | 16000 |\n";
    struct sentences s;
    assert_int_equal(arvis_tts_text_create(NULL, &s.t), ARVIS_OK);
    arvis_buf_init(&s.said, MEGABYTE);
    arvis_sentencer *cut = NULL;
    assert_int_equal(arvis_sentencer_create(0, &cut), ARVIS_OK);
    size_t len = strlen(answer);
    for (size_t i = 0, n; i < len; i += n) { /* streamed in small deltas */
        n = len - i < 7 ? len - i : 7;
        assert_int_equal(arvis_sentencer_add(cut, answer + i, n, on_sentence, &s), ARVIS_OK);
    }
    arvis_sentencer_flush(cut, on_sentence, &s);
    assert_string_equal(arvis_buf_str(&s.said), "Setup.|First, install it:|code omitted.|Then:|"
                                                "Run arvis.|See the guide.|Key, Value.|rate, "
                                                "16000.");
    arvis_sentencer_destroy(cut);
    arvis_buf_free(&s.said);
    arvis_tts_text_destroy(s.t);
}

/* Deterministic pseudo-random numbers (a 64-bit LCG), so a failure can be replayed. */
static uint32_t next_random(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*seed >> 33);
}

struct fed {
    size_t said;  /* bytes of output */
    size_t links; /* times url_word was said */
};

/* Feeds text to one cleaner in pieces of random size, each extended to the end of its line
 * when whole_lines (as the sentencer cuts); every output must be valid, bounded and free of
 * the code. */
static struct fed feed_in_pieces(const char *text, size_t len, bool whole_lines, uint64_t seed)
{
    struct fed f = {0, 0};
    arvis_tts_text *t = NULL;
    assert_int_equal(arvis_tts_text_create(NULL, &t), ARVIS_OK);
    for (size_t at = 0, n; at < len; at += n) {
        n = 1 + next_random(&seed) % 4096;
        n = n > len - at ? len - at : n;
        while (whole_lines && at + n < len && text[at + n - 1] != '\n') {
            n++;
        }
        char *out = NULL;
        assert_int_equal(arvis_tts_text_feed(t, text + at, n, &out), ARVIS_OK);
        size_t got = strlen(out);
        assert_true(got <= bound(n));
        assert_true(arvis_utf8_valid(out, got, NULL));
        assert_null(strstr(out, "int main"));
        for (const char *p = out; (p = strstr(p, "link")) != NULL; p++) {
            f.links++;
        }
        f.said += got;
        free(out);
    }
    arvis_tts_text_destroy(t);
    return f;
}

static void test_text_output_is_bounded_for_a_megabyte_in_pieces(void **state)
{
    (void)state;
    static const char sample[] =
        "# Title\nSome **bold** text with `code`, a [link](https://example.com) and "
        "https://example.org/x 👍🏽.\n```c\nint main(void) { return 0; }\n```\n| a | b |\n|---|"
        "---|\n- item & more -> less\nПривет, мир! &amp; <br> www.x.io a@b.cd\n\n";
    size_t copies = MEGABYTE / (sizeof sample - 1);
    char *text = malloc(MEGABYTE + 1);
    assert_non_null(text);
    for (size_t i = 0; i < MEGABYTE; i++) {
        text[i] = sample[i % (sizeof sample - 1)];
    }
    text[MEGABYTE] = '\0';
    /* Cut anywhere: addresses and words may be cut in two, code blocks never leak. */
    struct fed f = feed_in_pieces(text, MEGABYTE, false, 42);
    assert_true(f.said > MEGABYTE / 3);
    /* Cut at line ends: each copy says "link" three times (a link text, two addresses). */
    f = feed_in_pieces(text, MEGABYTE, true, 43);
    assert_true(f.said > MEGABYTE / 3);
    assert_true(f.links >= 3 * copies && f.links <= 3 * (copies + 1));
    /* The whole megabyte at once. */
    char *out = prepare_with(text, MEGABYTE, NULL);
    assert_null(strstr(out, "http"));
    assert_null(strstr(out, "int main"));
    assert_true(strlen(out) > MEGABYTE / 3);
    free(out);
    free(text);
}

static void test_text_output_is_cut_at_the_bound_when_words_grow_it(void **state)
{
    (void)state;
    /* "&" is said "and" and each e-mail dot "dot": more than twice the input, so the bound
     * applies, cutting at a character. */
    char in[2001];
    for (size_t i = 0; i < sizeof in - 1; i++) {
        in[i] = i % 2 ? '&' : 'x';
    }
    in[sizeof in - 1] = '\0';
    char *out = prepare_with(in, strlen(in), NULL);
    assert_true(strlen(out) + 1 >= bound(strlen(in))); /* a space at the cut is trimmed */
    assert_int_equal(strncmp(out, "x and x and x", 13), 0);
    free(out);
    arvis_tts_text_options o = arvis_tts_text_default_options();
    o.url_word = "очень длинное слово вместо ссылки";
    out = prepare_with("www.a www.b", 11, &o);
    assert_true(strlen(out) <= bound(11));
    assert_int_equal(strncmp(out, o.url_word, strlen(o.url_word)), 0);
    assert_true(arvis_utf8_valid(out, strlen(out), NULL));
    free(out);
}

static void test_text_random_bytes_give_valid_bounded_output(void **state)
{
    (void)state;
    /* Bytes drawn mostly from markdown marks, UTF-8 pieces and letters, to reach every rule. */
    static const char alphabet[] = "*_~`#>-+|[]()!<>&;:/.@ \n\tab1wh\xD0\x9F\xF0\x9F\x91\x8D"
                                   "\xE2\x80\x8D\xFF\x80";
    uint64_t seed = 7;
    char in[RANDOM_MAX_LEN];
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        size_t len = next_random(&seed) % RANDOM_MAX_LEN;
        bool raw = round % 3 == 0;
        for (size_t i = 0; i < len; i++) {
            uint32_t r = next_random(&seed);
            in[i] = raw ? (char)r : alphabet[r % (sizeof alphabet - 1)];
        }
        arvis_tts_text_options o = arvis_tts_text_default_options();
        o.strip_markdown = round % 2 == 0;
        free(prepare_with(in, len, &o));
        /* The same bytes in pieces, through one cleaner. */
        arvis_tts_text *t = NULL;
        assert_int_equal(arvis_tts_text_create(&o, &t), ARVIS_OK);
        for (size_t at = 0, n; at < len; at += n) {
            n = 1 + next_random(&seed) % PIECES_MAX;
            n = n > len - at ? len - at : n;
            char *out = NULL;
            assert_int_equal(arvis_tts_text_feed(t, in + at, n, &out), ARVIS_OK);
            assert_true(arvis_utf8_valid(out, strlen(out), NULL));
            assert_true(strlen(out) <= bound(n));
            assert_true(out[0] != ' ' && (out[0] == '\0' || out[strlen(out) - 1] != ' '));
            free(out);
        }
        arvis_tts_text_destroy(t);
    }
}

static void test_text_rejects_bad_arguments(void **state)
{
    (void)state;
    char *out = (char *)"untouched";
    assert_int_equal(arvis_tts_text_prepare(NULL, 3, NULL, &out), ARVIS_E_INVAL);
    assert_null(out);
    assert_int_equal(arvis_tts_text_prepare("x", 1, NULL, NULL), ARVIS_E_INVAL);
    assert_int_equal(arvis_tts_text_prepare(NULL, 0, NULL, &out), ARVIS_OK);
    assert_string_equal(out, "");
    free(out);
    arvis_tts_text_options o = arvis_tts_text_default_options();
    o.url_word = "bad \xFF";
    arvis_tts_text *t = NULL;
    assert_int_equal(arvis_tts_text_create(&o, &t), ARVIS_E_UTF8);
    assert_null(t);
    assert_int_equal(arvis_tts_text_prepare("x", 1, &o, &out), ARVIS_E_UTF8);
    assert_int_equal(arvis_tts_text_create(NULL, NULL), ARVIS_E_INVAL);
    assert_int_equal(arvis_tts_text_feed(NULL, "x", 1, &out), ARVIS_E_INVAL);
    /* NULL strings in the options are the defaults. */
    o.url_word = NULL;
    o.code_block_text = NULL;
    expect_with("https://x.org\n```\n```", "link. code omitted.", &o);
    arvis_tts_text_destroy(NULL);
}

static void test_text_cleaner_outlives_the_options_it_was_given(void **state)
{
    (void)state;
    char word[] = "web";
    arvis_tts_text_options o = arvis_tts_text_default_options();
    o.url_word = word;
    arvis_tts_text *t = NULL;
    assert_int_equal(arvis_tts_text_create(&o, &t), ARVIS_OK);
    word[0] = 'X';
    char *out = NULL;
    assert_int_equal(arvis_tts_text_feed(t, "at www.x.org", 12, &out), ARVIS_OK);
    assert_string_equal(out, "at web");
    free(out);
    arvis_tts_text_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_cleans_sentences_as_the_sentencer_cuts_them),
        cmocka_unit_test(test_text_output_is_bounded_for_a_megabyte_in_pieces),
        cmocka_unit_test(test_text_output_is_cut_at_the_bound_when_words_grow_it),
        cmocka_unit_test(test_text_random_bytes_give_valid_bounded_output),
        cmocka_unit_test(test_text_rejects_bad_arguments),
        cmocka_unit_test(test_text_cleaner_outlives_the_options_it_was_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
