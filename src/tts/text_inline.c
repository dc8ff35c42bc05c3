/* Text for speech within one line: links and addresses, emphasis and code spans, HTML tags and
 * entities, symbols said as words, emoji and whitespace. Searches stop after a few hundred
 * bytes, so hostile input costs a bounded amount of work per byte. */
#include <string.h>
#include <strings.h>

#include "arvis/utf8.h"
#include "tts_text.h"

enum {
    SPAN_MAX = 512,     /* the longest link text, link target or code span looked for, in bytes */
    TAG_MAX = 256,      /* the longest HTML tag */
    COMMENT_MAX = 1024, /* the longest HTML comment */
    ENTITY_MAX = 10,    /* "&#x10FFFF;" */
    FOOTNOTE_MAX = 16,  /* "[^note-12]" */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t char_at(const char *s, size_t len, size_t i, size_t *n)
{
    uint32_t cp = 0;
    *n = arvis_utf8_decode(s + i, len - i, &cp);
    if (*n == 0) {
        *n = 1;
        return 0xFFFD;
    }
    return cp;
}

/* The character that ends just before i, or 0 at the start. */
static uint32_t char_before(const char *s, size_t i)
{
    if (i == 0) {
        return 0;
    }
    size_t start = i - 1;
    while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80) {
        start--;
    }
    size_t n;
    return char_at(s, i, start, &n);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

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
    return i > 0 && is_digit(s[i - 1]);
}

/* A number starts at i, perhaps after spaces. */
static bool number_after(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] == ' ') {
        i++;
    }
    return i < len && is_digit(s[i]);
}

static void say_word(const struct tts_inline *x, const char *w)
{
    tts_out_gap(x->out, TTS_GAP_SPACE);
    tts_out_text(x->out, w, strlen(w));
    tts_out_gap(x->out, TTS_GAP_SPACE);
}

/* ---- Addresses ---- */

static bool starts_with(const char *s, size_t len, size_t i, const char *p)
{
    size_t n = strlen(p);
    return len - i >= n && strncasecmp(s + i, p, n) == 0;
}

/* An address may start here: not in the middle of a word or of another address. */
static bool address_start(const char *s, size_t i)
{
    if (i == 0) {
        return true;
    }
    char c = s[i - 1];
    if ((unsigned char)c >= 0x80) {
        return !tts_char_is_word(char_before(s, i));
    }
    return !is_alnum(c) && !tts_in_set("._%+-@/", c);
}

/* The length of a web address at i (closing punctuation left out), or 0. */
static size_t url_length(const char *s, size_t len, size_t i)
{
    static const char *const starts[] = {"http://", "https://", "ftp://", "www."};
    size_t end = 0;
    for (size_t k = 0; k < COUNT(starts) && end == 0; k++) {
        if (starts_with(s, len, i, starts[k])) {
            end = i + strlen(starts[k]);
        }
    }
    if (end == 0 || end >= len || !(is_alnum(s[end]) || (unsigned char)s[end] >= 0x80)) {
        return 0;
    }
    size_t opened = 0;
    size_t closed = 0;
    while (end < len) {
        size_t n = 1;
        if ((unsigned char)s[end] >= 0x80) {
            if (!tts_char_is_word(char_at(s, len, end, &n))) {
                break;
            }
        } else if ((unsigned char)s[end] <= ' ' || tts_in_set("<>\"`", s[end])) {
            break;
        }
        opened += s[end] == '(';
        closed += s[end] == ')';
        end += n;
    }
    while (tts_in_set(".,;:!?'\"*_~)]}", s[end - 1])) {
        if (s[end - 1] == ')' && closed <= opened) {
            break;
        }
        closed -= s[end - 1] == ')';
        end--;
    }
    return end - i;
}

static bool email_char(char c)
{
    return is_alnum(c) || tts_in_set("._%+-", c);
}

/* The length of an e-mail address at i (a final full stop left out), or 0; *at is its @. */
static size_t email_length(const char *s, size_t len, size_t i, size_t *at)
{
    size_t k = i;
    while (k < len && email_char(s[k])) {
        k++;
    }
    if (k == i || k >= len || s[k] != '@') {
        return 0;
    }
    *at = k;
    size_t labels = 0;
    size_t last = 0;
    size_t end = 0;
    for (size_t p = k + 1; p < len;) {
        size_t q = p;
        while (q < len && (is_alnum(s[q]) || s[q] == '-')) {
            q++;
        }
        if (q == p) {
            break;
        }
        labels++;
        last = p;
        end = q;
        if (q + 1 >= len || s[q] != '.' || !is_alnum(s[q + 1])) {
            break;
        }
        p = q + 1;
    }
    /* The last label is a top-level domain: two letters at least, no digits. */
    if (labels < 2 || end - last < 2) {
        return 0;
    }
    for (size_t p = last; p < end; p++) {
        if (!is_alnum(s[p]) || is_digit(s[p])) {
            return 0;
        }
    }
    return end - i;
}

/* "john.smith" -> "john dot smith" */
static void say_dotted(const struct tts_inline *x, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') {
            continue;
        }
        if (start > 0) {
            say_word(x, "dot");
        }
        tts_out_text(x->out, s + start, i - start);
        start = i + 1;
    }
}

static size_t address(const struct tts_inline *x, const char *s, size_t len, size_t i)
{
    if (!address_start(s, i)) {
        return 0;
    }
    size_t n = url_length(s, len, i);
    if (n > 0) {
        say_word(x, x->o->url_word);
        return n;
    }
    size_t skip = starts_with(s, len, i, "mailto:") ? strlen("mailto:") : 0;
    size_t at = 0;
    n = email_length(s, len, i + skip, &at);
    if (n == 0) {
        return 0;
    }
    tts_out_gap(x->out, TTS_GAP_SPACE);
    say_dotted(x, s + i + skip, at - i - skip);
    say_word(x, "at");
    say_dotted(x, s + at + 1, i + skip + n - at - 1);
    tts_out_gap(x->out, TTS_GAP_SPACE);
    return skip + n;
}

/* ---- Links ---- */

/* The index of the bracket closing the one at i, within SPAN_MAX bytes, or 0. */
static size_t closing(const char *s, size_t len, size_t i, char open, char close)
{
    size_t depth = 0;
    size_t end = len - i > SPAN_MAX ? i + SPAN_MAX : len;
    for (size_t k = i; k < end; k++) {
        if (s[k] == '\\') {
            k++;
        } else if (s[k] == open) {
            depth++;
        } else if (s[k] == close && --depth == 0) {
            return k;
        }
    }
    return 0;
}

/* [text](url), [text][ref] and ![alt](src) are read as their text; [^1] is dropped. */
static size_t link(const struct tts_inline *x, const char *s, size_t len, size_t i, int flags)
{
    size_t open = s[i] == '!' ? i + 1 : i;
    if ((flags & TTS_IN_LINK) || open >= len || s[open] != '[') {
        return 0;
    }
    size_t close = closing(s, len, open, '[', ']');
    if (close == 0) {
        return 0;
    }
    size_t end = 0;
    if (close + 1 < len && (s[close + 1] == '(' || s[close + 1] == '[')) {
        char c = s[close + 1];
        end = closing(s, len, close + 1, c, c == '(' ? ')' : ']');
    } else if (x->o->strip_markdown && s[open + 1] == '^' && close - open <= FOOTNOTE_MAX &&
               !memchr(s + open, ' ', close - open)) {
        return close + 1 - i;
    }
    if (end == 0) {
        return 0;
    }
    tts_inline_run(x, s + open + 1, close - open - 1, flags | TTS_IN_LINK);
    return end + 1 - i;
}

/* ---- Markdown and HTML marks ---- */

static size_t code_span(const struct tts_inline *x, const char *s, size_t len, size_t i, int flags)
{
    size_t r = tts_run_of(s + i, len - i, '`');
    size_t end = len - i > SPAN_MAX ? i + SPAN_MAX : len;
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
        say_word(x, "times");
    } else if (s[i] == '_' && tts_char_is_word(char_before(s, i)) && i + r < len) {
        size_t n;
        if (tts_char_is_word(char_at(s, len, i + r, &n))) {
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
    if (starts_with(s, len, i, "<!--")) {
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
    while (k < len && is_alnum(s[k])) {
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
    size_t n = address(x, s, len, i + 1);
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
        int d = is_digit(*p)                                      ? *p - '0'
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
    say_word(x, "and");
    return cp ? n : tts_run_of(s + i, len - i, '&');
}

/* -> --> => ==> are said "to" (not <- or <=>). */
static size_t arrow(const struct tts_inline *x, const char *s, size_t len, size_t i)
{
    size_t r = tts_run_of(s + i, len - i, s[i]);
    if (i + r >= len || s[i + r] != '>' || (i > 0 && s[i - 1] == '<')) {
        return 0;
    }
    say_word(x, "to");
    return r + 1;
}

/* Symbols outside ASCII that are read better as words or as plain punctuation. */
static size_t symbol(const struct tts_inline *x, const char *s, size_t len, size_t i)
{
    size_t n;
    uint32_t cp = char_at(s, len, i, &n);
    switch (cp) {
    case 0x2192: /* → */
    case 0x21D2: /* ⇒ */
    case 0x27F6: /* ⟶ */
    case 0x27F9: /* ⟹ */
        say_word(x, "to");
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
            say_word(x, cp == 0xD7 ? "times" : "to");
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
    uint32_t cp = char_at(s, len, i, &n);
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
        size_t used = address(x, s, len, i);
        if (used == 0 && s[i] == '<') {
            used = autolink(x, s, len, i);
        }
        if (used == 0 && !(flags & TTS_IN_CODE) && (s[i] == '[' || s[i] == '!')) {
            used = link(x, s, len, i, flags);
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
