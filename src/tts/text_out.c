/* Text for speech: the writer of the cleaned text, which collapses whitespace, trims, places the
 * pauses the blocks need and stops at the bound the header promises. */
#include <string.h>

#include "arvis/utf8.h"
#include "tts_text.h"

static void put(struct tts_out *o, const char *s, size_t n)
{
    if (o->full) {
        return;
    }
    int rc = arvis_buf_add(&o->buf, s, n);
    if (rc == ARVIS_OK) {
        return;
    }
    o->full = true;
    if (rc != ARVIS_E_TOOBIG) {
        o->rc = rc;
        return;
    }
    size_t fits = arvis_utf8_truncate(s, n, o->buf.max - o->buf.len);
    o->rc = arvis_buf_add(&o->buf, s, fits);
}

static bool is_closer(uint32_t cp)
{
    return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == '}' || cp == 0xBB ||
           cp == 0x2019 || cp == 0x201D || cp == 0x300D || cp == 0x300F || cp == 0xFF09;
}

static bool is_clause_end(uint32_t cp)
{
    return cp == '.' || cp == ',' || cp == ';' || cp == ':' || cp == '!' || cp == '?' ||
           cp == 0x2014 || cp == 0x2026 || cp == 0x3001 || cp == 0x3002 || cp == 0xFF01 ||
           cp == 0xFF0C || cp == 0xFF1A || cp == 0xFF1B || cp == 0xFF1F;
}

/* True when what was written ends in punctuation, perhaps followed by quotes or brackets. */
static bool ends_clause(const struct tts_out *o)
{
    const char *s = o->buf.data;
    size_t end = o->buf.len;
    while (end > 0) {
        size_t start = end - 1;
        while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80) {
            start--;
        }
        uint32_t cp = 0;
        if (arvis_utf8_decode(s + start, end - start, &cp) == 0) {
            return false;
        }
        if (!is_closer(cp)) {
            return is_clause_end(cp);
        }
        end = start;
    }
    return false;
}

void tts_out_gap(struct tts_out *o, enum tts_gap g)
{
    if (g > o->gap) {
        o->gap = g;
    }
}

void tts_out_text(struct tts_out *o, const char *s, size_t n)
{
    if (n == 0) {
        return;
    }
    if (o->buf.len > 0 && o->gap != TTS_GAP_NONE) {
        if (o->gap == TTS_GAP_STOP && !ends_clause(o)) {
            put(o, ".", 1);
        } else if (o->gap == TTS_GAP_COMMA && !ends_clause(o)) {
            put(o, ",", 1);
        }
        put(o, " ", 1);
    }
    o->gap = TTS_GAP_NONE;
    put(o, s, n);
}

void tts_out_word(struct tts_out *o, const char *w)
{
    tts_out_gap(o, TTS_GAP_SPACE);
    tts_out_text(o, w, strlen(w));
    tts_out_gap(o, TTS_GAP_SPACE);
}

void tts_out_mark(struct tts_out *o, const char *s, size_t n)
{
    if (o->gap == TTS_GAP_SPACE) {
        o->gap = TTS_GAP_NONE;
    }
    tts_out_text(o, s, n);
}

void tts_out_end_block(struct tts_out *o, size_t since)
{
    if (o->buf.len > since && !ends_clause(o)) {
        put(o, ".", 1);
    }
    tts_out_gap(o, TTS_GAP_STOP);
}
