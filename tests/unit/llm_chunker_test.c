/* Display chunks: the seed's examples, forced flushes, and characters never split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/llm.h"

struct got {
    char items[16][128];
    int n;
};

static void collect(const char *text, size_t len, void *ud)
{
    struct got *g = ud;
    assert_true(g->n < 16 && len < 128);
    memcpy(g->items[g->n], text, len);
    g->items[g->n][len] = '\0';
    g->n++;
}

static arvis_chunker *make(size_t min, size_t force, bool wb)
{
    arvis_chunker *c = NULL;
    assert_int_equal(arvis_chunker_create(min, force, wb, &c), ARVIS_OK);
    return c;
}

static void add(arvis_chunker *c, const char *s, struct got *g)
{
    assert_int_equal(arvis_chunker_add(c, s, strlen(s), collect, g), ARVIS_OK);
}

static void test_waits_for_a_boundary_once_long_enough(void **state)
{
    (void)state;
    struct got g = {.n = 0};
    arvis_chunker *c = make(5, 10, true);
    add(c, "Hello", &g);
    assert_int_equal(g.n, 0);
    add(c, " ", &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0], "Hello ");
    arvis_chunker_destroy(c);
}

static void test_releases_at_the_last_boundary(void **state)
{
    (void)state;
    struct got g = {.n = 0};
    arvis_chunker *c = make(20, 40, true);
    const char *pieces[] = {"Hello", " ", "world", "! ", "How", " are", " you?"};
    for (size_t i = 0; i < 7; i++) {
        add(c, pieces[i], &g);
        if (i < 5) {
            assert_int_equal(g.n, 0);
        }
    }
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0], "Hello world! How ");
    arvis_chunker_flush(c, collect, &g);
    assert_string_equal(g.items[1], "are you?");
    arvis_chunker_flush(c, collect, &g);
    assert_int_equal(g.n, 2); /* nothing left */
    arvis_chunker_destroy(c);
}

static void test_fixed_size_without_word_boundaries(void **state)
{
    (void)state;
    struct got g = {.n = 0};
    arvis_chunker *c = make(20, 40, false);
    add(c, "Hello ", &g);
    assert_int_equal(g.n, 0);
    add(c, "world this is a test!", &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0], "Hello world this is ");
    arvis_chunker_flush(c, collect, &g);
    assert_string_equal(g.items[1], "a test!");
    arvis_chunker_destroy(c);
}

static void test_forced_flush_without_any_boundary(void **state)
{
    (void)state;
    struct got g = {.n = 0};
    arvis_chunker *c = make(5, 10, true);
    add(c, "abcdefghij", &g);
    assert_int_equal(g.n, 0); /* 10 characters: not past the force limit */
    add(c, "k", &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0], "abcde");
    arvis_chunker_flush(c, collect, &g);
    assert_string_equal(g.items[1], "fghijk");
    arvis_chunker_destroy(c);
}

static void test_counts_characters_and_never_splits_one(void **state)
{
    (void)state;
    struct got g = {.n = 0};
    arvis_chunker *c = make(3, 3, false);
    add(c, "ЖЖ", &g);
    assert_int_equal(g.n, 0); /* four bytes, two characters */
    add(c, "Ж\xD0", &g);      /* half of the next Ж */
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0], "ЖЖЖ");
    add(c, "\x96", &g);
    arvis_chunker_flush(c, collect, &g);
    assert_string_equal(g.items[1], "Ж");
    arvis_chunker_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_waits_for_a_boundary_once_long_enough),
        cmocka_unit_test(test_releases_at_the_last_boundary),
        cmocka_unit_test(test_fixed_size_without_word_boundaries),
        cmocka_unit_test(test_forced_flush_without_any_boundary),
        cmocka_unit_test(test_counts_characters_and_never_splits_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
