/* Text for speech, shared between its files: the writer that collapses whitespace and places
 * pauses, the block and inline rules of one line, and the classes of characters. */
#ifndef ARVIS_TTS_TEXT_H
#define ARVIS_TTS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arvis/buf.h"
#include "arvis/tts.h"

/* The pause owed before the next word; a stronger one replaces a weaker one. */
enum tts_gap {
    TTS_GAP_NONE,
    TTS_GAP_SPACE, /* whitespace, a soft line break */
    TTS_GAP_COMMA, /* a table cell boundary: ", " unless punctuation is already there */
    TTS_GAP_STOP,  /* a block boundary: ". " unless punctuation is already there */
};

/* The cleaned text of one piece: bounded, trimmed, never a space twice. */
struct tts_out {
    arvis_buf buf; /* its maximum is the bound the header promises */
    enum tts_gap gap;
    bool full; /* the bound was reached: what follows is dropped */
    int rc;    /* ARVIS_E_NOMEM when memory ran out, else ARVIS_OK */
};

void tts_out_gap(struct tts_out *o, enum tts_gap g);

/* Writes n bytes of valid UTF-8 as words, paying the gap owed first. */
void tts_out_text(struct tts_out *o, const char *s, size_t n);

/* A word of our own ("times", url_word) with spaces around it. */
void tts_out_word(struct tts_out *o, const char *w);

/* As tts_out_text for punctuation that closes what comes before it: a space owed is dropped. */
void tts_out_mark(struct tts_out *o, const char *s, size_t n);

/* Ends a block (heading, list item, table row, code block) with a full stop unless it already
 * ends in punctuation or wrote nothing since byte `since`. */
void tts_out_end_block(struct tts_out *o, size_t since);

/* The markdown block rules for one line (fences already handled, indentation skipped): quote
 * marks, rules, headings, list items and table rows, then the inline rules for what is left. */
void tts_markdown_line(const arvis_tts_text_options *o, struct tts_out *out, const char *s,
                       size_t n);

/* Scanners for lines: the length of the run of c at s, whether s holds only spaces and tabs,
 * and the first index from i on that is not a space or tab. */
size_t tts_run_of(const char *s, size_t n, char c);
bool tts_blank(const char *s, size_t n);
size_t tts_skip_blank(const char *s, size_t n, size_t i);

/* True when c is one of the characters of set (never for NUL, which strchr would find). */
static inline bool tts_in_set(const char *set, char c)
{
    return c != '\0' && strchr(set, c) != NULL;
}

/* How the inline rules read a span. */
enum {
    TTS_SPAN_MAX = 512, /* the longest link text, link target or code span looked for, in bytes */
    TTS_IN_LINK = 1,    /* the text of a link: no links within it */
    TTS_IN_CODE = 2,    /* an inline code span: characters kept, no markdown, no symbol words */
};

struct tts_inline {
    const arvis_tts_text_options *o; /* strings never NULL */
    struct tts_out *out;
};

/* Applies the inline rules (links, addresses, emphasis, code spans, tags, entities, symbols,
 * emoji, whitespace) to len bytes of valid UTF-8 holding no line break. */
void tts_inline_run(const struct tts_inline *x, const char *s, size_t len, int flags);

/* An address at i (web: url_word; e-mail: "name at example dot com"), said; returns its length,
 * or 0 when none starts there. */
size_t tts_address(const struct tts_inline *x, const char *s, size_t len, size_t i);

/* A link at i ([text](url), [text][ref], ![alt](src)) read as its text, or a footnote mark
 * dropped; returns its length, or 0 when none starts there. */
size_t tts_link(const struct tts_inline *x, const char *s, size_t len, size_t i, int flags);

enum tts_char {
    TTS_CHAR_TEXT,       /* read as it is */
    TTS_CHAR_SPACE,      /* a space of any width, a line or paragraph separator */
    TTS_CHAR_CONTROL,    /* control characters and U+FFFD: never read, never kept */
    TTS_CHAR_FORMAT,     /* invisible: zero-width, joiners, variation selectors, bidi marks */
    TTS_CHAR_PICTOGRAPH, /* emoji, pictographs, dingbats, arrows, skin tones, flags, keycaps */
};

enum tts_char tts_char_class(uint32_t cp);

/* True for a letter or digit of any script (the bytes of a word). */
bool tts_char_is_word(uint32_t cp);

/* The character at byte i (U+FFFD for a bad byte, *n then 1), and the one ending before i (0 at
 * the start). */
uint32_t tts_char_at(const char *s, size_t len, size_t i, size_t *n);
uint32_t tts_char_before(const char *s, size_t i);

static inline bool tts_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline bool tts_is_alnum(char c)
{
    return tts_is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

#endif
