/* Text for speech: each rule of the cleaner (markdown, code blocks across pieces, links and
 * addresses, emoji, symbols, whitespace, invalid UTF-8) and script detection. */
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

static void test_text_defaults_match_the_config_schema(void **state)
{
    (void)state;
    arvis_config *cfg = tu_config(NULL);
    arvis_tts_text_options o = arvis_tts_text_default_options();
    assert_int_equal(o.strip_markdown, arvis_config_bool(cfg, "tts.text.strip_markdown"));
    assert_string_equal(o.url_word, arvis_config_string(cfg, "tts.text.url_word"));
    assert_string_equal(o.code_block_text, arvis_config_string(cfg, "tts.text.code_block_text"));
    arvis_config_free(cfg);
    tu_rmtree(getenv("ARVIS_HOME"));
}

static void test_text_drops_emphasis_marks(void **state)
{
    (void)state;
    expect("**bold** and *italic* and ***both***", "bold and italic and both");
    expect("__strong__ and _em_ and ~~struck~~", "strong and em and struck");
    expect("**Note:** read this", "Note: read this");
    expect("a ~tilde~ stays", "a ~tilde~ stays");
}

static void test_text_keeps_underscores_inside_words(void **state)
{
    (void)state;
    expect("Call snake_case and my_long_name.", "Call snake_case and my_long_name.");
    expect("The __init__ method", "The init method");
    expect("_snake_case_", "snake_case");
}

static void test_text_says_times_for_a_star_between_numbers(void **state)
{
    (void)state;
    /* Engines say "asterisk", and without a word "3 4" sounds like one number. */
    expect("3 * 4 = 12", "3 times 4 = 12");
    expect("2*3*4", "2 times 3 times 4");
    expect("6 × 7", "6 times 7");
    expect("pages 10–12", "pages 10 to 12");
    expect("a * b is not a number", "a b is not a number");
    expect("**2** apples", "2 apples");
    expect("a – b", "a – b");
}

static void test_text_keeps_inline_code_text_without_backticks(void **state)
{
    (void)state;
    expect("Run `ls -la` now.", "Run ls -la now.");
    expect("Type ``a ` b`` here", "Type a ` b here");
    expect("`**not bold**` and `a_b_`", "**not bold** and a_b_");
    expect("a lone ` backtick", "a lone backtick");
}

static void test_text_reads_headings_as_sentences(void **state)
{
    (void)state;
    expect("# Introduction\nSome text", "Introduction. Some text");
    expect("## Is it done?\nYes", "Is it done? Yes");
    expect("### Closed heading ###", "Closed heading.");
    expect("Before\n# Title", "Before. Title.");
    expect("#hashtag stays", "#hashtag stays");
    expect("# C#", "C#.");
}

static void test_text_drops_quote_marks(void **state)
{
    (void)state;
    expect("> A wise line\n> goes on", "A wise line goes on");
    expect("> > nested\n>\n> after a gap", "nested. after a gap");
    expect("> - quoted item", "quoted item.");
}

static void test_text_makes_each_list_item_a_clause(void **state)
{
    (void)state;
    expect("- apples\n- pears\n* plums\n+ figs", "apples. pears. plums. figs.");
    expect("1. Preheat the oven\n2) Mix, then bake", "Preheat the oven. Mix, then bake.");
    expect("Shopping:\n- milk\n- eggs!", "Shopping: milk. eggs!");
    expect("Steps\n  - nested item", "Steps. nested item.");
    expect("- [x] done\n- [ ] to do", "done. to do.");
    expect("• dot bullet", "dot bullet.");
    expect("3.14 is pi", "3.14 is pi");
    expect("2024. A year", "2024. A year");
}

static void test_text_drops_horizontal_rules(void **state)
{
    (void)state;
    expect("Above\n\n---\nBelow", "Above. Below");
    expect("one\n***\ntwo\n_ _ _\nthree", "one. two. three");
    expect("Title\n=====\nBody", "Title. Body");
}

static void test_text_reads_table_rows_with_pauses(void **state)
{
    (void)state;
    expect("| Name | Age |\n|------|:---:|\n| Alice | 30 |\n| Bob |  |",
           "Name, Age. Alice, 30. Bob.");
    expect("Cities\na | b\n--|--\nc | d", "Cities. a, b. c, d.");
}

static void test_text_drops_html_tags(void **state)
{
    (void)state;
    expect("one<br>two<br/>three", "one two three");
    expect("<b>bold</b> and <span class=\"x\">span</span>", "bold and span");
    expect("a <!-- hidden --> b", "a b");
    expect("if x < y and y > z", "if x < y and y > z");
    expect("<notatag> stays", "<notatag> stays");
}

static void test_text_decodes_entities(void **state)
{
    (void)state;
    expect("&lt;3 &quot;q&quot; &#8364;5 a&nbsp;b", "<3 \"q\" €5 a b");
    expect("Tom &amp; Jerry", "Tom and Jerry");
    expect("smile &#128512; &#x1F600; gone", "smile gone");
    expect("&unknown; stays", "and unknown; stays");
}

static void test_text_keeps_escaped_characters(void **state)
{
    (void)state;
    expect("\\*not emphasis\\* and \\_ and \\# and \\`", "*not emphasis* and _ and # and `");
    expect("C:\\Users", "C:\\Users");
}

static void test_text_replaces_a_code_block(void **state)
{
    (void)state;
    expect("Here:\n```python\nprint('hi')\n```\nDone.", "Here: code omitted. Done.");
    expect("Look\n~~~\nx = 1\n~~~\nok", "Look. code omitted. ok");
    expect("  ```\n  indented\n  ```", "code omitted.");
    expect("```a```b", "ab"); /* a backtick in the language: inline code, not a fence */
    arvis_tts_text_options o = arvis_tts_text_default_options();
    o.code_block_text = "";
    expect_with("Here:\n```\nsecret()\n```\nDone.", "Here: Done.", &o);
    o.code_block_text = "see the screen";
    expect_with("```\nx\n```", "see the screen.", &o);
}

static void test_text_remembers_a_code_block_across_pieces(void **state)
{
    (void)state;
    arvis_tts_text_options o = arvis_tts_text_default_options();
    const char *const in[] = {"Look:\n```c\n", "int x = 1;\n", "x++; // **no**\n",
                              "```\n",         "Done.",        NULL};
    const char *const want[] = {"Look: code omitted.", "", "", "", "Done."};
    expect_pieces(&o, in, want);
    /* A fence mark cut between two pieces. */
    const char *const cut_in[] = {"``", "`\nsecret\n``", "`", "After", NULL};
    const char *const cut_want[] = {"", "code omitted.", "", "After"};
    expect_pieces(&o, cut_in, cut_want);
    /* The sentencer hands a code block over whole, closing fence without its newline. */
    const char *const whole_in[] = {"```sh\nrm -rf /\n```", "Careful.", NULL};
    const char *const whole_want[] = {"code omitted.", "Careful."};
    expect_pieces(&o, whole_in, whole_want);
}

static void test_text_says_an_unterminated_code_block_once(void **state)
{
    (void)state;
    arvis_tts_text_options o = arvis_tts_text_default_options();
    const char *const in[] = {"```\n", "more code\n", "and more", "```python", NULL};
    const char *const want[] = {"code omitted.", "", "", ""};
    expect_pieces(&o, in, want);
    expect("Text\n```\nnever closed", "Text. code omitted.");
}

static void test_text_reads_link_text_not_url(void **state)
{
    (void)state;
    expect("See [the docs](https://example.com/a_(b)) now.", "See the docs now.");
    expect("![a cat](cat.png) and [**bold** link](x \"title\")", "a cat and bold link");
    expect("[by reference][1] here\n[1]: https://example.com", "by reference here");
    expect("[https://example.com](https://example.com)", "link");
    expect("a note[^1] and [1] stays", "a note and [1] stays");
}

static void test_text_says_link_for_bare_urls(void **state)
{
    (void)state;
    expect("See https://example.com/path?q=1&x=2.", "See link.");
    expect("Visit www.example.org, or ftp://files.example.org", "Visit link, or link");
    expect("(http://en.wikipedia.org/wiki/C_(language))", "(link)");
    expect("Go to <https://example.com>.", "Go to link.");
    expect("**https://example.com**", "link");
    expect("example.com stays", "example.com stays");
    arvis_tts_text_options o = arvis_tts_text_default_options();
    o.url_word = "ссылка";
    expect_with("Смотрите https://ya.ru сегодня", "Смотрите ссылка сегодня", &o);
    o.url_word = "";
    expect_with("Open https://example.com now", "Open now", &o);
}

static void test_text_reads_email_addresses_as_words(void **state)
{
    (void)state;
    /* flite reads john.smith@example.com as "john smith at example com": the dots are lost. */
    expect("Mail john.smith@example.com.", "Mail john dot smith at example dot com.");
    expect("mailto:a_b@mail.example.io or <me@x.org>",
           "a_b at mail dot example dot io or me at x dot org");
    expect("@mention and user@localhost stay", "@mention and user@localhost stay");
}

static void test_text_drops_emoji_and_pictographs(void **state)
{
    (void)state;
    expect("Great job 👍🏽! 🎉", "Great job!");
    expect("👨‍👩‍👧 family and 🇺🇸 flag", "family and flag");
    expect("1️⃣ first, ☀️ sunny ✅ done ❤ love", "1 first, sunny done love");
    expect("zero\u200Bwidth and soft\u00ADhyphen", "zerowidth and softhyphen");
    expect("➡️ next ⬆ up ← back", "next up back");
    expect("Done✅Next", "Done Next");
}

static void test_text_says_words_for_symbols(void **state)
{
    (void)state;
    expect("R&D & more && less", "R and D and more and less");
    expect("a -> b => c → d ⇒ e --> f", "a to b to c to d to e to f");
    expect("→ Result\n-> Next", "Result Next");
    expect("x <=> y and a <- b", "x <=> y and a <- b");
    expect("Wow‼ Really⁉", "Wow! Really?");
}

static void test_text_keeps_numbers_units_and_prosody(void **state)
{
    (void)state;
    const char *keep = "Pi is 3.14, at 10:30 it is 20°C; 5% off €5 or $3 — “quoted” (aside)… ok? "
                       "Yes! «да» 'it' -5 1,000";
    expect(keep, keep);
}

static void test_text_collapses_whitespace(void **state)
{
    (void)state;
    expect("  a \t b\n c  \n\n\n d  ", "a b c. d");
    expect("wrapped\r\nline", "wrapped line");
    expect("no\u00A0break\u2003em\u3000ideographic", "no break em ideographic");
    expect("Hello 😀 !", "Hello!");
    expect("\n\n \t\n", "");
    expect("", "");
}

static void test_text_drops_invalid_utf8(void **state)
{
    (void)state;
    expect("caf\xC3 ok \xFF\xFE end", "caf ok end");
    expect("cut \xE2\x82", "cut");
    expect("\xED\xA0\x80surrogate", "surrogate");
    expect("nul\x01 and \x7F controls", "nul and controls");
    char with_nul[] = "before\0after";
    char *out = prepare_with(with_nul, sizeof with_nul - 1, NULL);
    assert_string_equal(out, "beforeafter");
    free(out);
}

static void test_text_leaves_cyrillic_and_other_scripts_untouched(void **state)
{
    (void)state;
    const char *const texts[] = {
        "Привет, мир! Как дела? Всё хорошо — спасибо.",
        "Ёжик в тумане: «Лошадка!»",
        "Καλημέρα κόσμε.",
        "你好，世界。今天天气很好！",
        "مرحبا بالعالم",
        "Ça a été déjà vu, naïve façade.",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        expect(texts[i], texts[i]);
    }
    expect("**Жирный** текст и `код`", "Жирный текст и код");
}

static void test_text_without_strip_markdown_keeps_marks_and_emoji(void **state)
{
    (void)state;
    arvis_tts_text_options o = arvis_tts_text_default_options();
    o.strip_markdown = false;
    expect_with("# **Hi** 👍🏽 _x_ | y & z -> w", "# **Hi** 👍🏽 _x_ | y & z -> w", &o);
    expect_with("👨‍👩‍👧", "👨‍👩‍👧", &o);
    expect_with("- item\n- item", "- item - item", &o);
    /* Code blocks, addresses, links, whitespace and invalid bytes are still handled. */
    expect_with("Code:\n```\nx\n```\nat https://x.org or [site](https://x.org)  \xFF!",
                "Code: code omitted. at link or site!", &o);
    expect_with("mail a.b@c.de\n\nnext", "mail a dot b at c dot de. next", &o);
}

static void test_text_script_is_the_one_most_letters_use(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        arvis_script want;
    } cases[] = {
        {"Hello, world", ARVIS_SCRIPT_LATIN},
        {"Ça a été déjà, Łódź, Ærø", ARVIS_SCRIPT_LATIN},
        {"Привет, мир", ARVIS_SCRIPT_CYRILLIC},
        {"Новый iPhone вышел", ARVIS_SCRIPT_CYRILLIC},
        {"Read «Война и мир»", ARVIS_SCRIPT_CYRILLIC},
        {"Hello world, мир", ARVIS_SCRIPT_LATIN},
        {"Καλημέρα", ARVIS_SCRIPT_GREEK},
        {"你好世界", ARVIS_SCRIPT_OTHER},
        {"مرحبا", ARVIS_SCRIPT_OTHER},
        {"ab где", ARVIS_SCRIPT_CYRILLIC},
        {"abc где", ARVIS_SCRIPT_LATIN}, /* a tie goes to Latin */
        {"12:30, 3.14 — 👍 !?", ARVIS_SCRIPT_NONE},
        {"", ARVIS_SCRIPT_NONE},
        {"\xFF\xFE\xD0", ARVIS_SCRIPT_NONE},
        {"\xFF\xD0\x9F\xFF", ARVIS_SCRIPT_CYRILLIC},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        arvis_script got = arvis_tts_text_script(cases[i].text, strlen(cases[i].text));
        if (got != cases[i].want) {
            fail_msg("\"%s\": got %s, want %s", cases[i].text, arvis_script_name(got),
                     arvis_script_name(cases[i].want));
        }
    }
    assert_int_equal(arvis_tts_text_script(NULL, 0), ARVIS_SCRIPT_NONE);
    assert_string_equal(arvis_script_name(ARVIS_SCRIPT_NONE), "none");
    assert_string_equal(arvis_script_name(ARVIS_SCRIPT_LATIN), "Latin");
    assert_string_equal(arvis_script_name(ARVIS_SCRIPT_CYRILLIC), "Cyrillic");
    assert_string_equal(arvis_script_name(ARVIS_SCRIPT_GREEK), "Greek");
    assert_string_equal(arvis_script_name(ARVIS_SCRIPT_OTHER), "other");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_defaults_match_the_config_schema),
        cmocka_unit_test(test_text_drops_emphasis_marks),
        cmocka_unit_test(test_text_keeps_underscores_inside_words),
        cmocka_unit_test(test_text_says_times_for_a_star_between_numbers),
        cmocka_unit_test(test_text_keeps_inline_code_text_without_backticks),
        cmocka_unit_test(test_text_reads_headings_as_sentences),
        cmocka_unit_test(test_text_drops_quote_marks),
        cmocka_unit_test(test_text_makes_each_list_item_a_clause),
        cmocka_unit_test(test_text_drops_horizontal_rules),
        cmocka_unit_test(test_text_reads_table_rows_with_pauses),
        cmocka_unit_test(test_text_drops_html_tags),
        cmocka_unit_test(test_text_decodes_entities),
        cmocka_unit_test(test_text_keeps_escaped_characters),
        cmocka_unit_test(test_text_replaces_a_code_block),
        cmocka_unit_test(test_text_remembers_a_code_block_across_pieces),
        cmocka_unit_test(test_text_says_an_unterminated_code_block_once),
        cmocka_unit_test(test_text_reads_link_text_not_url),
        cmocka_unit_test(test_text_says_link_for_bare_urls),
        cmocka_unit_test(test_text_reads_email_addresses_as_words),
        cmocka_unit_test(test_text_drops_emoji_and_pictographs),
        cmocka_unit_test(test_text_says_words_for_symbols),
        cmocka_unit_test(test_text_keeps_numbers_units_and_prosody),
        cmocka_unit_test(test_text_collapses_whitespace),
        cmocka_unit_test(test_text_drops_invalid_utf8),
        cmocka_unit_test(test_text_leaves_cyrillic_and_other_scripts_untouched),
        cmocka_unit_test(test_text_without_strip_markdown_keeps_marks_and_emoji),
        cmocka_unit_test(test_text_script_is_the_one_most_letters_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
