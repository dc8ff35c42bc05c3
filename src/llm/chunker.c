/* Display chunks: streamed text released at word boundaries once enough has gathered, so the
 * screen shows whole words at a steady pace (the seed's 20-character buffer, forced at 40). */
#include <stdlib.h>
#include <string.h>

#include "arvis/buf.h"
#include "arvis/llm.h"
#include "arvis/utf8.h"

/* A streamed reply is small; this only stops a runaway caller. */
enum { CHUNKER_MAX_BYTES = 16 * 1024 * 1024 };

struct arvis_chunker {
    arvis_buf buf;
    size_t min_chars;
    size_t force_chars;
    bool word_boundary;
};

int arvis_chunker_create(size_t min_chars, size_t force_chars, bool word_boundary,
                         arvis_chunker **out)
{
    arvis_chunker *c = calloc(1, sizeof *c);
    if (!c) {
        return ARVIS_E_NOMEM;
    }
    arvis_buf_init(&c->buf, CHUNKER_MAX_BYTES);
    c->min_chars = min_chars ? min_chars : 1;
    c->force_chars = force_chars > c->min_chars ? force_chars : c->min_chars;
    c->word_boundary = word_boundary;
    *out = c;
    return ARVIS_OK;
}

void arvis_chunker_destroy(arvis_chunker *c)
{
    if (c) {
        arvis_buf_free(&c->buf);
        free(c);
    }
}

static bool is_boundary(char ch)
{
    return ch == ' ' || ch == '\n' || ch == '\t' || ch == '.' || ch == ',' || ch == '!' ||
           ch == '?' || ch == ';' || ch == ':';
}

/* Byte length of the first n characters of s. */
static size_t prefix_bytes(const char *s, size_t len, size_t n)
{
    size_t i = 0;
    while (i < len && n > 0) {
        uint32_t cp;
        size_t step = arvis_utf8_decode(s + i, len - i, &cp);
        i += step ? step : 1;
        n--;
    }
    return i;
}

static void emit(arvis_chunker *c, size_t bytes, arvis_text_cb cb, void *ud)
{
    if (cb) {
        cb(c->buf.data, bytes, ud);
    }
    arvis_buf_consume(&c->buf, bytes);
}

int arvis_chunker_add(arvis_chunker *c, const char *text, size_t len, arvis_text_cb cb, void *ud)
{
    int rc = arvis_buf_add(&c->buf, text, len);
    if (rc != ARVIS_OK) {
        return rc;
    }
    for (;;) {
        size_t chars = arvis_utf8_length(c->buf.data, c->buf.len);
        if (chars < c->min_chars) {
            return ARVIS_OK;
        }
        if (!c->word_boundary) {
            emit(c, prefix_bytes(c->buf.data, c->buf.len, c->min_chars), cb, ud);
            continue;
        }
        size_t cut = 0;
        for (size_t i = c->buf.len; i > 0; i--) {
            if (is_boundary(c->buf.data[i - 1])) {
                cut = i;
                break;
            }
        }
        if (cut > 0) {
            emit(c, cut, cb, ud);
            return ARVIS_OK; /* what is left has no boundary */
        }
        if (chars <= c->force_chars) {
            return ARVIS_OK;
        }
        emit(c, prefix_bytes(c->buf.data, c->buf.len, c->min_chars), cb, ud);
    }
}

void arvis_chunker_flush(arvis_chunker *c, arvis_text_cb cb, void *ud)
{
    if (c->buf.len > 0) {
        emit(c, c->buf.len, cb, ud);
    }
}
