/* Text for speech: the block rules of markdown for one line (quotes, rules, headings, list items,
 * footnotes, table rows, reference definitions), and the small scanners the stream shares. */
#include <string.h>

#include "tts_text.h"

enum {
    HEADING_MAX = 6,        /* ###### */
    ORDINAL_DIGITS_MAX = 3, /* "999." starts a list item; "2024." starts a sentence */
    RULE_MARKS_MIN = 3,     /* --- *** ___ === */
};

size_t tts_run_of(const char *s, size_t n, char c)
{
    size_t k = 0;
    while (k < n && s[k] == c) {
        k++;
    }
    return k;
}

bool tts_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t') {
            return false;
        }
    }
    return true;
}

size_t tts_skip_blank(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t')) {
        i++;
    }
    return i;
}

/* --- *** ___ === and table separators (|---|:--:|) hold no words. */
static bool is_rule(const char *s, size_t n)
{
    size_t marks = 0;
    bool pipe = false;
    bool dash = false;
    for (size_t i = 0; i < n; i++) {
        if (!tts_in_set("-*_=|: \t", s[i])) {
            return false;
        }
        marks += s[i] == '-' || s[i] == '*' || s[i] == '_' || s[i] == '=';
        pipe = pipe || s[i] == '|';
        dash = dash || s[i] == '-';
    }
    return marks >= RULE_MARKS_MIN || (pipe && dash);
}

/* "[id]: https://..." defines a reference link: nothing to read. */
static bool is_link_definition(const char *s, size_t n)
{
    if (n < 2 || s[0] != '[' || s[1] == '^') {
        return false;
    }
    const char *close = memchr(s, ']', n);
    size_t at = close ? (size_t)(close - s) + 1 : n;
    if (at >= n || s[at] != ':') {
        return false;
    }
    at = tts_skip_blank(s, n, at + 1);
    size_t end = at;
    while (end < n && s[end] != ' ' && s[end] != '\t') {
        end++;
    }
    if (end == at) {
        return false;
    }
    bool scheme = false;
    for (size_t i = at; i + 3 <= end && !scheme; i++) {
        scheme = memcmp(s + i, "://", 3) == 0;
    }
    return scheme || tts_in_set("</#", s[at]) || (end - at >= 4 && memcmp(s + at, "www.", 4) == 0);
}

/* The length of a heading's marks ("## "), trimming its closing #s from *n; 0 if none. */
static size_t heading(const char *s, size_t *n)
{
    size_t k = tts_run_of(s, *n, '#');
    if (k == 0 || k > HEADING_MAX || (k < *n && s[k] != ' ' && s[k] != '\t')) {
        return 0;
    }
    size_t end = *n;
    while (end > k && (s[end - 1] == ' ' || s[end - 1] == '\t')) {
        end--;
    }
    size_t hashes = end;
    while (hashes > k && s[hashes - 1] == '#') {
        hashes--;
    }
    if (hashes == k || s[hashes - 1] == ' ' || s[hashes - 1] == '\t') {
        end = hashes;
    }
    *n = end;
    return k;
}

static bool item_space(const char *s, size_t n, size_t i)
{
    return i == n || s[i] == ' ' || s[i] == '\t';
}

/* The length of a list item's marker and its task box ("- [x] "); 0 if none. */
static size_t list_marker(const char *s, size_t n)
{
    static const char *const bullets[] = {"-", "*", "+", "•", "◦", "‣"};
    size_t k = 0;
    for (size_t b = 0; b < sizeof bullets / sizeof bullets[0] && k == 0; b++) {
        size_t m = strlen(bullets[b]);
        if (n >= m && memcmp(s, bullets[b], m) == 0 && item_space(s, n, m)) {
            k = m;
        }
    }
    if (k == 0) {
        size_t d = 0;
        while (d < n && d <= ORDINAL_DIGITS_MAX && s[d] >= '0' && s[d] <= '9') {
            d++;
        }
        if (d == 0 || d > ORDINAL_DIGITS_MAX || d == n || (s[d] != '.' && s[d] != ')') ||
            !item_space(s, n, d + 1)) {
            return 0;
        }
        k = d + 1;
    }
    k = tts_skip_blank(s, n, k);
    if (n - k >= 3 && s[k] == '[' && tts_in_set(" xX", s[k + 1]) && s[k + 2] == ']' &&
        item_space(s, n, k + 3)) {
        k = tts_skip_blank(s, n, k + 3);
    }
    return k;
}

/* "[^1]: " starts a footnote's text. */
static size_t footnote_marker(const char *s, size_t n)
{
    if (n < 4 || s[0] != '[' || s[1] != '^') {
        return 0;
    }
    const char *close = memchr(s, ']', n);
    if (!close || (size_t)(close - s) + 1 >= n || close[1] != ':') {
        return 0;
    }
    return tts_skip_blank(s, n, (size_t)(close - s) + 2);
}

void tts_markdown_line(const arvis_tts_text_options *o, struct tts_out *out, const char *s,
                       size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == '>') {
        i = tts_skip_blank(s, n, i + 1);
    }
    s += i;
    n -= i;
    if (tts_blank(s, n) || is_rule(s, n)) {
        tts_out_gap(out, TTS_GAP_STOP);
        return;
    }
    if (is_link_definition(s, n)) {
        return;
    }
    size_t k = heading(s, &n);
    if (k == 0) {
        k = list_marker(s, n);
    }
    if (k == 0) {
        k = footnote_marker(s, n);
    }
    bool block = k > 0 || memchr(s, '|', n);
    k = tts_skip_blank(s, n, k);
    if (block) {
        tts_out_gap(out, TTS_GAP_STOP);
    }
    size_t since = out->buf.len;
    struct tts_inline x = {.o = o, .out = out};
    tts_inline_run(&x, s + k, n - k, 0);
    if (block) {
        tts_out_end_block(out, since);
    }
}
