/* Text for speech: an answer as it should be read aloud, piece by piece. This file holds the
 * stream (pieces, lines, code fences); text_block, text_inline, text_out and text_chars the rest.
 *
 * The rules, in both modes:
 * - Invalid UTF-8 becomes U+FFFD and is then dropped, as are control characters; the result is
 *   valid UTF-8, trimmed, at most 2 * len + 64 bytes (anything past that is cut at a character).
 * - Whitespace runs become one space; a blank line ends a sentence (a full stop is added when the
 *   text before it has no punctuation), a single line break is a space.
 * - A fenced code block (``` or ~~~, any indentation, with or without a language) is replaced by
 *   code_block_text, said once when the fence opens and ended by a full stop; nothing for "". The
 *   fence is remembered between pieces; the start of a piece counts as the start of a line. A
 *   piece ending in one or two fence characters keeps them for the next piece.
 * - [text](url), [text][ref] and ![alt](src) are read as their text; a bare address (http://,
 *   https://, ftp://, www.) or <autolink> as url_word; an e-mail address as "name at example
 *   dot com", because flite drops the dots (and espeak-ng reads the words the same way).
 * With strip_markdown also:
 * - Headings (#), list items (- * + • and 1. 1) up to three digits, task boxes) and table rows are
 *   sentences of their own, ended by a full stop when they have no punctuation; > quote marks,
 *   horizontal rules, table separator lines, setext underlines and [ref]: url lines go.
 * - Table pipes are pauses (", "). Emphasis marks (* ** _ __ ~~) go, except an underscore inside
 *   a word (snake_case) and a single * between numbers, which is said "times" (engines say
 *   "asterisk", and dropping it would read "3 4" as one number); × between numbers and – between
 *   numbers are said "times" and "to" as well.
 * - Inline code loses its backticks and keeps its text as written; \x escapes keep x; HTML tags
 *   of common elements and comments go; &amp; &lt; &gt; &quot; &nbsp; and numeric entities are
 *   decoded; & is said "and"; ->, =>, → and ⇒ are said "to" (starting a line, they are bullets
 *   and go); ‼ and ⁉ become ! and ?.
 * - Emoji, pictographs, dingbats, other arrows, variation selectors, joiners, skin tones,
 *   regional indicators, keycaps and zero-width characters go. Letters of every script, digits,
 *   decimals, times, %, °, currency signs and the punctuation that shapes prosody stay. */
#include <stdlib.h>
#include <string.h>

#include "arvis/utf8.h"
#include "tts_text.h"

enum {
    BOUND_SLACK = 64, /* the header's promise: 2 * len + 64 bytes at the most */
    FENCE_MIN = 3,    /* ``` */
};

struct arvis_tts_text {
    arvis_tts_text_options o; /* the strings point at the copies below */
    char *url_word;
    char *code_text;
    bool in_fence;
    char fence_char; /* ` or ~ */
    size_t fence_len;
    char carry_char; /* fence characters that ended the last piece, undecided */
    size_t carry_len;
};

/* ---- Code fences ---- */

/* A line (indentation skipped) that opens a fence; a ``` fence's language may not hold `. */
static bool opens_fence(arvis_tts_text *t, const char *s, size_t n)
{
    if (n == 0 || (s[0] != '`' && s[0] != '~')) {
        return false;
    }
    size_t k = tts_run_of(s, n, s[0]);
    if (k < FENCE_MIN || (s[0] == '`' && memchr(s + k, '`', n - k))) {
        return false;
    }
    t->fence_char = s[0];
    t->fence_len = k;
    return true;
}

static bool closes_fence(const arvis_tts_text *t, const char *s, size_t n)
{
    size_t k = tts_run_of(s, n, t->fence_char);
    return k >= t->fence_len && tts_blank(s + k, n - k);
}

/* One or two fence characters alone at the end of a piece may be the start of a fence. */
static bool fence_start_cut(arvis_tts_text *t, const char *s, size_t n)
{
    if (n == 0 || (s[0] != '`' && s[0] != '~')) {
        return false;
    }
    size_t k = tts_run_of(s, n, s[0]);
    if (k != n || k >= FENCE_MIN) {
        return false;
    }
    t->carry_char = s[0];
    t->carry_len = k;
    return true;
}

static void code_block(arvis_tts_text *t, struct tts_out *out)
{
    t->in_fence = true;
    tts_out_gap(out, TTS_GAP_STOP);
    size_t since = out->buf.len;
    tts_out_text(out, t->o.code_block_text, strlen(t->o.code_block_text));
    tts_out_end_block(out, since);
}

/* ---- Lines and pieces ---- */

static void one_line(arvis_tts_text *t, struct tts_out *out, const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\r') {
        n--;
    }
    size_t ind = tts_skip_blank(s, n, 0);
    if (t->in_fence) {
        if (closes_fence(t, s + ind, n - ind)) {
            t->in_fence = false;
            tts_out_gap(out, TTS_GAP_STOP);
        }
        return;
    }
    if (opens_fence(t, s + ind, n - ind)) {
        code_block(t, out);
        return;
    }
    tts_out_gap(out, TTS_GAP_SPACE);
    if (t->o.strip_markdown) {
        tts_markdown_line(&t->o, out, s + ind, n - ind);
    } else if (ind == n) {
        tts_out_gap(out, TTS_GAP_STOP);
    } else {
        struct tts_inline x = {.o = &t->o, .out = out};
        tts_inline_run(&x, s + ind, n - ind, 0);
    }
}

static void all_lines(arvis_tts_text *t, struct tts_out *out, const char *s, size_t n, bool last)
{
    size_t at = 0;
    while (at < n) {
        const char *nl = memchr(s + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - s) : n;
        size_t ind = tts_skip_blank(s, end, at);
        if (nl || last || !fence_start_cut(t, s + ind, end - ind)) {
            one_line(t, out, s + at, end - at);
        }
        at = nl ? end + 1 : n;
    }
}

static int clean(arvis_tts_text *t, const char *text, size_t len, bool last, char **out)
{
    if (!out) {
        return ARVIS_E_INVAL;
    }
    *out = NULL;
    if (!t || (!text && len > 0)) {
        return ARVIS_E_INVAL;
    }
    if (len > (SIZE_MAX - BOUND_SLACK - FENCE_MIN) / 3) {
        return ARVIS_E_TOOBIG;
    }
    arvis_buf src;
    arvis_buf_init(&src, 3 * len + t->carry_len); /* U+FFFD takes 3 bytes for 1 */
    struct tts_out o = {.gap = TTS_GAP_NONE, .rc = ARVIS_OK};
    arvis_buf_init(&o.buf, 2 * len + BOUND_SLACK);
    int rc = ARVIS_OK;
    for (size_t i = 0; i < t->carry_len && rc == ARVIS_OK; i++) {
        rc = arvis_buf_addc(&src, t->carry_char);
    }
    t->carry_len = 0;
    long replaced = rc == ARVIS_OK && len > 0 ? arvis_utf8_sanitize(text, len, &src) : rc;
    if (replaced < 0) {
        rc = (int)replaced;
        goto done;
    }
    all_lines(t, &o, arvis_buf_str(&src), src.len, last);
    rc = o.rc;
    while (o.buf.len > 0 && o.buf.data[o.buf.len - 1] == ' ') {
        arvis_buf_truncate(&o.buf, o.buf.len - 1);
    }
    if (rc == ARVIS_OK && !(*out = arvis_buf_take(&o.buf))) {
        rc = ARVIS_E_NOMEM;
    }
done:
    arvis_buf_free(&src);
    arvis_buf_free(&o.buf);
    return rc;
}

/* ---- The interface ---- */

arvis_tts_text_options arvis_tts_text_default_options(void)
{
    return (arvis_tts_text_options){
        .strip_markdown = true,
        .url_word = "link",
        .code_block_text = "code omitted",
    };
}

/* Options with NULL strings taken from the defaults; invalid UTF-8 in them is refused. */
static int options_check(const arvis_tts_text_options *o, arvis_tts_text_options *use)
{
    *use = arvis_tts_text_default_options();
    if (!o) {
        return ARVIS_OK;
    }
    use->strip_markdown = o->strip_markdown;
    use->url_word = o->url_word ? o->url_word : use->url_word;
    use->code_block_text = o->code_block_text ? o->code_block_text : use->code_block_text;
    if (!arvis_utf8_valid(use->url_word, strlen(use->url_word), NULL) ||
        !arvis_utf8_valid(use->code_block_text, strlen(use->code_block_text), NULL)) {
        return ARVIS_E_UTF8;
    }
    return ARVIS_OK;
}

int arvis_tts_text_create(const arvis_tts_text_options *o, arvis_tts_text **out)
{
    if (!out) {
        return ARVIS_E_INVAL;
    }
    *out = NULL;
    arvis_tts_text_options use;
    int rc = options_check(o, &use);
    if (rc != ARVIS_OK) {
        return rc;
    }
    arvis_tts_text *t = calloc(1, sizeof *t);
    if (!t || !(t->url_word = strdup(use.url_word)) ||
        !(t->code_text = strdup(use.code_block_text))) {
        arvis_tts_text_destroy(t);
        return ARVIS_E_NOMEM;
    }
    t->o = use;
    t->o.url_word = t->url_word;
    t->o.code_block_text = t->code_text;
    *out = t;
    return ARVIS_OK;
}

void arvis_tts_text_destroy(arvis_tts_text *t)
{
    if (t) {
        free(t->url_word);
        free(t->code_text);
        free(t);
    }
}

int arvis_tts_text_feed(arvis_tts_text *t, const char *text, size_t len, char **out)
{
    return clean(t, text, len, false, out);
}

int arvis_tts_text_prepare(const char *text, size_t len, const arvis_tts_text_options *o,
                           char **out)
{
    arvis_tts_text t = {.in_fence = false};
    int rc = options_check(o, &t.o);
    if (rc != ARVIS_OK) {
        if (out) {
            *out = NULL;
        }
        return rc;
    }
    return clean(&t, text, len, true, out);
}
