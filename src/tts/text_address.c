/* Text for speech: web addresses (said as url_word), e-mail addresses (said as words) and
 * markdown links (read as their text). */
#include <string.h>
#include <strings.h>

#include "tts_text.h"

enum {
    FOOTNOTE_MAX = 16, /* "[^note-12]" */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

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
        return !tts_char_is_word(tts_char_before(s, i));
    }
    return !tts_is_alnum(c) && !tts_in_set("._%+-@/", c);
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
    if (end == 0 || end >= len || !(tts_is_alnum(s[end]) || (unsigned char)s[end] >= 0x80)) {
        return 0;
    }
    size_t opened = 0;
    size_t closed = 0;
    while (end < len) {
        size_t n = 1;
        if ((unsigned char)s[end] >= 0x80) {
            if (!tts_char_is_word(tts_char_at(s, len, end, &n))) {
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
    return tts_is_alnum(c) || tts_in_set("._%+-", c);
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
        while (q < len && (tts_is_alnum(s[q]) || s[q] == '-')) {
            q++;
        }
        if (q == p) {
            break;
        }
        labels++;
        last = p;
        end = q;
        if (q + 1 >= len || s[q] != '.' || !tts_is_alnum(s[q + 1])) {
            break;
        }
        p = q + 1;
    }
    /* The last label is a top-level domain: two letters at least, no digits. */
    if (labels < 2 || end - last < 2) {
        return 0;
    }
    for (size_t p = last; p < end; p++) {
        if (!tts_is_alnum(s[p]) || tts_is_digit(s[p])) {
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
            tts_out_word(x->out, "dot");
        }
        tts_out_text(x->out, s + start, i - start);
        start = i + 1;
    }
}

size_t tts_address(const struct tts_inline *x, const char *s, size_t len, size_t i)
{
    if (!address_start(s, i)) {
        return 0;
    }
    size_t n = url_length(s, len, i);
    if (n > 0) {
        tts_out_text(x->out, x->o->url_word, strlen(x->o->url_word));
        return n;
    }
    size_t skip = starts_with(s, len, i, "mailto:") ? strlen("mailto:") : 0;
    size_t at = 0;
    n = email_length(s, len, i + skip, &at);
    if (n == 0) {
        return 0;
    }
    say_dotted(x, s + i + skip, at - i - skip);
    tts_out_word(x->out, "at");
    say_dotted(x, s + at + 1, i + skip + n - at - 1);
    return skip + n;
}

/* ---- Links ---- */

/* The index of the bracket closing the one at i, within TTS_SPAN_MAX bytes, or 0. */
static size_t closing(const char *s, size_t len, size_t i, char open, char close)
{
    size_t depth = 0;
    size_t end = len - i > TTS_SPAN_MAX ? i + TTS_SPAN_MAX : len;
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
size_t tts_link(const struct tts_inline *x, const char *s, size_t len, size_t i, int flags)
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
