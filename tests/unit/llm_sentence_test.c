/* Sentences for speech: each case is fed whole, then in every piece size from 1 to 7 bytes
 * (splitting characters too); the sentences must come out the same either way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/llm.h"

enum { MAX_OUT = 64 };

struct got {
    char *items[MAX_OUT];
    bool early[MAX_OUT];
    int n;
};

static void collect(const char *text, size_t len, bool early, void *ud)
{
    struct got *g = ud;
    assert_true(g->n < MAX_OUT);
    g->items[g->n] = strndup(text, len);
    g->early[g->n] = early;
    g->n++;
}

static void clear(struct got *g)
{
    for (int i = 0; i < g->n; i++) {
        free(g->items[i]);
    }
    g->n = 0;
}

static void split_and_feed(const char *text, size_t piece, size_t early, struct got *g)
{
    arvis_sentencer *s = NULL;
    assert_int_equal(arvis_sentencer_create(early, &s), ARVIS_OK);
    size_t len = strlen(text);
    for (size_t i = 0; i < len; i += piece) {
        size_t n = len - i < piece ? len - i : piece;
        assert_int_equal(arvis_sentencer_add(s, text + i, n, collect, g), ARVIS_OK);
    }
    arvis_sentencer_flush(s, collect, g);
    arvis_sentencer_destroy(s);
}

static void expect(const char *text, const char *const *want, int n_want)
{
    for (size_t piece = 0; piece <= 7; piece++) {
        struct got g = {.n = 0};
        split_and_feed(text, piece ? piece : strlen(text), 0, &g);
        bool same = g.n == n_want;
        for (int i = 0; same && i < n_want; i++) {
            same = strcmp(g.items[i], want[i]) == 0;
        }
        if (!same) {
            for (int i = 0; i < g.n; i++) {
                print_message("  got [%d] \"%s\"\n", i, g.items[i]);
            }
            fail_msg("\"%s\" in pieces of %zu split wrongly", text, piece);
        }
        clear(&g);
    }
}

#define EXPECT(text, ...)                                                                          \
    do {                                                                                           \
        const char *const want_[] = {__VA_ARGS__};                                                 \
        expect(text, want_, (int)(sizeof want_ / sizeof want_[0]));                                \
    } while (0)

static void test_plain_sentences(void **state)
{
    (void)state;
    EXPECT("Hello there. How are you? I'm fine!", "Hello there.", "How are you?", "I'm fine!");
    EXPECT("Really?! Yes.", "Really?!", "Yes.");
    EXPECT("No period at the end", "No period at the end");
}

static void test_abbreviations_do_not_end_sentences(void **state)
{
    (void)state;
    EXPECT("Dr. Smith arrived at 5 p.m. yesterday. He was late.",
           "Dr. Smith arrived at 5 p.m. yesterday.", "He was late.");
    EXPECT("Use e.g. this one. Or that.", "Use e.g. this one.", "Or that.");
    EXPECT("The U.S. economy grew. Prices rose.", "The U.S. economy grew.", "Prices rose.");
    EXPECT("We met at 9 a.m. Then we left.", "We met at 9 a.m.", "Then we left.");
    EXPECT("J. R. R. Tolkien wrote it. It is long.", "J. R. R. Tolkien wrote it.", "It is long.");
    EXPECT("Apples, pears, etc. are fruit. Nice.", "Apples, pears, etc. are fruit.", "Nice.");
}

static void test_decimals_versions_and_addresses(void **state)
{
    (void)state;
    EXPECT("Pi is 3.14 and the version is v1.6.0. Update now.",
           "Pi is 3.14 and the version is v1.6.0.", "Update now.");
    EXPECT("See example.com for more. Thanks.", "See example.com for more.", "Thanks.");
    EXPECT("It costs 5. Then 6.", "It costs 5.", "Then 6.");
}

static void test_ellipses_quotes_and_brackets(void **state)
{
    (void)state;
    EXPECT("Well... I think so. Wait… really?", "Well... I think so.", "Wait… really?");
    EXPECT("He said \"Stop.\" Then he left.", "He said \"Stop.\"", "Then he left.");
    EXPECT("(See the docs.) Next step.", "(See the docs.)", "Next step.");
    EXPECT("This is **bold.** Next.", "This is **bold.**", "Next.");
}

static void test_lists_and_line_breaks(void **state)
{
    (void)state;
    EXPECT("Steps:\n1. Open the lid.\n2. Pour the water.\n- Enjoy!\n\nDone",
           "Steps:", "1. Open the lid.", "2. Pour the water.", "- Enjoy!", "Done");
    EXPECT("# Title\nSome text here", "# Title", "Some text here");
}

static void test_cyrillic_emoji_and_cjk(void **state)
{
    (void)state;
    EXPECT("Привет! Как дела? Всё хорошо, т.е. отлично. И т.д. Потом.", "Привет!", "Как дела?",
           "Всё хорошо, т.е. отлично.", "И т.д.", "Потом.");
    EXPECT("Great job \xF0\x9F\x8E\x89! See you soon \xF0\x9F\x98\x80.",
           "Great job \xF0\x9F\x8E\x89!", "See you soon \xF0\x9F\x98\x80.");
    EXPECT("你好。再见！", "你好。", "再见！");
}

static void test_code_blocks_stay_whole(void **state)
{
    (void)state;
    EXPECT("Here:\n```\nx = 1.5\nprint(x)\n```\nDone.", "Here:", "```\nx = 1.5\nprint(x)\n```",
           "Done.");
}

static void test_sentence_goes_out_as_soon_as_it_is_known(void **state)
{
    (void)state;
    struct got g = {.n = 0};
    arvis_sentencer *s = NULL;
    assert_int_equal(arvis_sentencer_create(0, &s), ARVIS_OK);
    arvis_sentencer_add(s, "Hello world.", 12, collect, &g);
    assert_int_equal(g.n, 0); /* could still be "world.com" */
    arvis_sentencer_add(s, " ", 1, collect, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0], "Hello world.");
    arvis_sentencer_add(s, "Meet at 5 p.m. ", 15, collect, &g);
    assert_int_equal(g.n, 1); /* "p.m." ends it only if a new sentence follows */
    arvis_sentencer_add(s, "Then", 4, collect, &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.items[1], "Meet at 5 p.m.");
    arvis_sentencer_flush(s, collect, &g);
    assert_string_equal(g.items[2], "Then");
    arvis_sentencer_destroy(s);
    clear(&g);
}

static void test_long_first_sentence_goes_out_early_at_a_clause(void **state)
{
    (void)state;
    const char *text = "This is a very long first sentence, which keeps going and going without "
                       "an end in sight, really. Short one, here.";
    struct got g = {.n = 0};
    split_and_feed(text, 4, 40, &g);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.items[0], "This is a very long first sentence,");
    assert_true(g.early[0]);
    assert_string_equal(g.items[1], "which keeps going and going without an end in sight, really.");
    assert_false(g.early[1]);
    assert_string_equal(g.items[2], "Short one, here.");
    clear(&g);
    /* Without the early setting the whole sentence waits for its end. */
    split_and_feed(text, 4, 0, &g);
    assert_int_equal(g.n, 2);
    clear(&g);
}

static void test_endless_text_is_cut_into_bounded_pieces(void **state)
{
    (void)state;
    size_t words = 3000;
    char *text = malloc(words * 6 + 1);
    for (size_t i = 0; i < words; i++) {
        memcpy(text + i * 6, "word, ", 6);
    }
    text[words * 6] = '\0';
    struct got g = {.n = 0};
    arvis_sentencer *s = NULL;
    assert_int_equal(arvis_sentencer_create(0, &s), ARVIS_OK);
    size_t total = 0;
    assert_int_equal(arvis_sentencer_add(s, text, words * 6, collect, &g), ARVIS_OK);
    arvis_sentencer_flush(s, collect, &g);
    assert_true(g.n >= (int)(words * 6 / 500));
    for (int i = 0; i < g.n; i++) {
        assert_true(strlen(g.items[i]) <= 500);
        total += strlen(g.items[i]) + 1;
    }
    assert_int_equal(total, words * 6); /* every word is there once (spaces trimmed) */
    arvis_sentencer_destroy(s);
    clear(&g);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_sentences),
        cmocka_unit_test(test_abbreviations_do_not_end_sentences),
        cmocka_unit_test(test_decimals_versions_and_addresses),
        cmocka_unit_test(test_ellipses_quotes_and_brackets),
        cmocka_unit_test(test_lists_and_line_breaks),
        cmocka_unit_test(test_cyrillic_emoji_and_cjk),
        cmocka_unit_test(test_code_blocks_stay_whole),
        cmocka_unit_test(test_sentence_goes_out_as_soon_as_it_is_known),
        cmocka_unit_test(test_long_first_sentence_goes_out_early_at_a_clause),
        cmocka_unit_test(test_endless_text_is_cut_into_bounded_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
