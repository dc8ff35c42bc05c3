/* Text for speech within one line: emphasis and code spans, HTML tags and entities, symbols said
 * as words, emoji and whitespace; addresses and links are in text_address.c. Searches stop after
 * a few hundred bytes, so hostile input costs a bounded amount of work per byte. */
#include <string.h>
#include <strings.h>

#include "arvis/utf8.h"
#include "tts_text.h"

enum {
    TAG_MAX = 256,      /* the longest HTML tag */
    COMMENT_MAX = 1024, /* the longest HTML comment */
    ENTITY_MAX = 10,    /* "&#x10FFFF;" */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* A number ends just before i, perhaps followed by spaces. */
static bool number_before(const char *s, size_t i)
{
    while (i > 0 && s[i - 1] == ' ') {
        i--;
    }
    return i > 0 && tts_is_digit(s[i - 1]);
}

/* A number starts at i, perhaps after spaces. */
static bool number_after(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] == ' ') {
        i++;
    }
    return i < len && tts_is_digit(s[i]);
}

/* ---- Markdown and HTML marks ---- */

static size_t code_span(const struct tts_inline *x, const char *s, size_t len, size_t i, int flags)
{
    size_t r = tts_run_of(s + i, len - i, '`');
    size_t end = len - i > TTS_SPAN_MAX ? i + TTS_SPAN_MAX : len;
    for (size_t k = i + r; k < end;) {
        size_t m = tts_run_of(s + k, len - k, '`');
        if (m == r) {
            tts_inline_run(x, s + i + r, k - i - r, flags | TTS_IN_CODE);
            return k + m - i;
        }
        k += m ? m : 1;
    }
    return r; /* no closing run: the backticks alone go */
}

static size_t emphasis(const struct tts_inline *x, const char *s, size_t len, size_t i)
{
    size_t r = tts_run_of(s + i, len - i, s[i]);
    if (s[i] == '*' && r == 1 && number_before(s, i) && number_after(s, len, i + 1)) {
        tts_out_word(x->out, "times");
    } else if (s[i] == '_' && tts_char_is_word(tts_char_before(s, i)) && i + r < len) {
        size_t n;
        if (tts_char_is_word(tts_char_at(s, len, i + r, &n))) {
            tts_out_text(x->out, s + i, r); /* snake_case */
        }
    } else if (s[i] == '~' && r == 1) {
        return 0;
    }
    return r;
}

static bool tag_name(const char *s, size_t n)
{
    static const char *const names[] = {
        "a",     "abbr", "b",       "big",    "blockquote", "br",      "center", "cite",
        "code",  "del",  "details", "div",    "em",         "font",    "h1",     "h2",
        "h3",    "h4",   "h5",      "h6",     "hr",         "i",       "img",    "ins",
        "kbd",   "li",   "mark",    "ol",     "p",          "pre",     "q",      "s",
        "small", "span", "strike",  "strong", "sub",        "summary", "sup",    "table",
        "tbody", "td",   "th",      "thead",  "tr",         "tt",      "u",      "ul",
    };
    for (size_t k = 0; k < COUNT(names); k++) {
        if (strlen(names[k]) == n && strncasecmp(s, names[k], n) == 0) {
            return true;
        }
    }
    return false;
}

/* <br>, </b>, <span class="x">, <!-- ... --> go; <https://...> and <a@b.cc> are addresses. */
static size_t angle(const struct tts_inline *x, const char *s, size_t len, size_t i)
{
    if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
        size_t end = len - i > COMMENT_MAX ? i + COMMENT_MAX : len;
        for (size_t k = i + 4; k + 3 <= end; k++) {
            if (memcmp(s + k, "-->", 3) == 0) {
                tts_out_gap(x->out, TTS_GAP_SPACE);
                return k + 3 - i;
            }
        }
        return 4;
    }
    size_t k = i + 1 + (i + 1 < len && s[i + 1] == '/');
    size_t name = k;
    while (k < len && tts_is_alnum(s[k])) {
        k++;
    }
    if (!tag_name(s + name, k - name) || k >= len || !tts_in_set(" \t/>", s[k])) {
        return 0;
    }
    size_t end = len - i > TAG_MAX ? i + TAG_MAX : len;
    for (; k < end && s[k] != '<'; k++) {
        if (s[k] == '>') {
            tts_out_gap(x->out, TTS_GAP_SPACE);
            return k + 1 - i;
        }
    }
    return 0;
}

static size_t autolink(const struct tts_inline *x, const char *s, size_t len, size_t i)
{
    size_t n = tts_address(x, s, len, i + 1);
    if (n == 0) {
        return 0;
    }
    n++; /* the < */
    return i + n < len && s[i + n] == '>' ? n + 1 : n;
}

struct entity {
    const char *name;
    uint32_t cp;
};

static uint32_t entity_named(const char *s, size_t n)
{
    static const struct entity names[] = {
        {"amp", '&'},       {"lt", '<'},       {"gt", '>'},       {"quot", '"'},
        {"apos", '\''},     {"nbsp", 0xA0},    {"mdash", 0x2014}, {"ndash", 0x2013},
        {"hellip", 0x2026}, {"deg", 0xB0},     {"laquo", 0xAB},   {"raquo", 0xBB},
        {"ldquo", 0x201C},  {"rdquo", 0x201D}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
        {"times", 0xD7},    {"euro", 0x20AC},  {"pound", 0xA3},   {"copy", 0xA9},
    };
    for (size_t k = 0; k < COUNT(names); k++) {
        if (strlen(names[k].name) == n && memcmp(s, names[k].name, n) == 0) {
            return names[k].cp;
        }
    }
    return 0;
}

/* The code point of the entity at i ("&amp;", "&#38;", "&#x26;"); *n its length. 0: none. */
static uint32_t entity(const char *s, size_t len, size_t i, size_t *n)
{
    size_t end = len - i > ENTITY_MAX ? i + ENTITY_MAX : len;
    const char *semi = memchr(s + i, ';', end - i);
    if (!semi || semi == s + i + 1) {
        return 0;
    }
    *n = (size_t)(semi - s) + 1 - i;
    if (s[i + 1] != '#') {
        return entity_named(s + i + 1, *n - 2);
    }
    bool hex = (s[i + 2] | 0x20) == 'x';
    uint32_t cp = 0;
    for (const char *p = s + i + 2 + hex; p < semi; p++) {
        int d = tts_is_digit(*p)                                  ? *p - '0'
                : hex && (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f' ? (*p | 0x20) - 'a' + 10
                                                                  : -1;
        if (d < 0 || cp > 0x10FFFF) {
            return 0;
        }
        cp = cp * (hex ? 16 : 10) + (uint32_t)d;
    }
    return cp;
}

static size_t one_char(const struct tts_inline *x, const char *s, size_t len, size_t i);

static size_t ampersand(const struct tts_inline *x, const char *s, size_t len, size_t i)
{
    size_t n = 0;
    uint32_t cp = entity(s, len, i, &n);
    char bytes[4];
    size_t b = cp && cp != '&' ? arvis_utf8_encode(cp, bytes) : 0;
    if (cp && cp != '&') {
        if (b > 0) {
            one_char(x, bytes, b, 0);
        }
        return n; /* an entity that is no character is dropped */
    }
    tts_out_word(x->out, "and");
    return cp ? n : tts_run_of(s + i, len - i, '&');
}

/* An arrow between words is said "to"; one that starts a line is a bullet and goes. */
static void say_arrow(const struct tts_inline *x, const char *s, size_t i)
{
    if (tts_blank(s, i)) {
        tts_out_gap(x->out, TTS_GAP_SPACE);
    } else {
        tts_out_word(x->out, "to");
    }
}

/* -> --> => ==> (not <- or <=>). */
static size_t arrow(const struct tts_inline *x, const char *s, size_t len, size_t i)
{
    size_t r = tts_run_of(s + i, len - i, s[i]);
    if (i + r >= len || s[i + r] != '>' || (i > 0 && s[i - 1] == '<')) {
        return 0;
    }
    say_arrow(x, s, i);
    return r + 1;
}

/* Symbols outside ASCII that are read better as words or as plain punctuation. */
static size_t symbol(const struct tts_inline *x, const char *s, size_t len, size_t i)
{
    size_t n;
    uint32_t cp = tts_char_at(s, len, i, &n);
    switch (cp) {
    case 0x2192: /* → */
    case 0x21D2: /* ⇒ */
    case 0x27F6: /* ⟶ */
    case 0x27F9: /* ⟹ */
        say_arrow(x, s, i);
        return n;
    case 0x203C: /* ‼ */
        tts_out_mark(x->out, "!", 1);
        return n;
    case 0x2049: /* ⁉ */
        tts_out_mark(x->out, "?", 1);
        return n;
    case 0xD7:   /* × */
    case 0x2013: /* – */
        if (number_before(s, i) && number_after(s, len, i + n)) {
            tts_out_word(x->out, cp == 0xD7 ? "times" : "to");
            return n;
        }
        return 0;
    default:
        return 0;
    }
}

static size_t markup(const struct tts_inline *x, const char *s, size_t len, size_t i, int flags)
{
    switch (s[i]) {
    case '\\':
        if (i + 1 < len && tts_in_set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", s[i + 1])) {
            tts_out_text(x->out, s + i + 1, 1);
            return 2;
        }
        return 0;
    case '`':
        return code_span(x, s, len, i, flags);
    case '*':
    case '_':
    case '~':
        return emphasis(x, s, len, i);
    case '|':
        tts_out_gap(x->out, TTS_GAP_COMMA);
        return 1;
    case '<':
        return angle(x, s, len, i);
    case '&':
        return ampersand(x, s, len, i);
    case '-':
    case '=':
        return arrow(x, s, len, i);
    default:
        return (unsigned char)s[i] >= 0x80 ? symbol(x, s, len, i) : 0;
    }
}

/* ---- Characters ---- */

static size_t one_char(const struct tts_inline *x, const char *s, size_t len, size_t i)
{
    size_t n;
    uint32_t cp = tts_char_at(s, len, i, &n);
    switch (tts_char_class(cp)) {
    case TTS_CHAR_SPACE:
        tts_out_gap(x->out, TTS_GAP_SPACE);
        break;
    case TTS_CHAR_CONTROL:
        break;
    case TTS_CHAR_FORMAT:
    case TTS_CHAR_PICTOGRAPH:
        /* Emoji sequences stay whole when markdown stays; otherwise they part words. */
        if (x->o->strip_markdown) {
            tts_out_gap(x->out,
                        tts_char_class(cp) == TTS_CHAR_PICTOGRAPH ? TTS_GAP_SPACE : TTS_GAP_NONE);
        } else {
            tts_out_text(x->out, s + i, n);
        }
        break;
    case TTS_CHAR_TEXT:
        if (cp < 0x80 && tts_in_set(",.;:!?", (char)cp) && (i + n == len || is_space(s[i + n]))) {
            tts_out_mark(x->out, s + i, n);
        } else {
            tts_out_text(x->out, s + i, n);
        }
        break;
    }
    return n;
}

void tts_inline_run(const struct tts_inline *x, const char *s, size_t len, int flags)
{
    bool marks = x->o->strip_markdown && !(flags & TTS_IN_CODE);
    size_t i = 0;
    while (i < len && !x->out->full) {
        size_t used = tts_address(x, s, len, i);
        if (used == 0 && s[i] == '<') {
            used = autolink(x, s, len, i);
        }
        if (used == 0 && !(flags & TTS_IN_CODE) && (s[i] == '[' || s[i] == '!')) {
            used = tts_link(x, s, len, i, flags);
        }
        if (used == 0 && marks) {
            used = markup(x, s, len, i, flags);
        }
        if (used == 0) {
            used = one_char(x, s, len, i);
        }
        i += used;
    }
}
