/* Streamed replies: bytes into lines whatever the chunking (a boundary may fall inside a line,
 * a UTF-8 character or a CRLF), and lines into server-sent events. Bounded: a line longer than
 * the limit is an error, not a crash. */
#include <string.h>

#include "llm_internal.h"

void llm_lines_init(struct llm_lines *l, size_t max_line)
{
    arvis_buf_init(&l->partial, max_line);
    l->after_cr = false;
}

void llm_lines_free(struct llm_lines *l)
{
    arvis_buf_free(&l->partial);
}

/* Hands on one finished line: straight from data when nothing was pending. */
static int finish_line(struct llm_lines *l, const char *data, size_t len, llm_line_cb cb, void *ud)
{
    if (l->partial.len == 0) {
        if (len > l->partial.max) {
            return ARVIS_E_TOOBIG;
        }
        return cb(data, len, ud);
    }
    int rc = arvis_buf_add(&l->partial, data, len);
    if (rc == ARVIS_OK) {
        rc = cb(l->partial.data, l->partial.len, ud);
    }
    arvis_buf_reset(&l->partial);
    return rc;
}

int llm_lines_feed(struct llm_lines *l, const char *data, size_t len, llm_line_cb cb, void *ud)
{
    if (len == 0) {
        return ARVIS_OK; /* an empty read must not forget a pending CR */
    }
    size_t start = 0;
    size_t i = 0;
    if (l->after_cr && len > 0 && data[0] == '\n') {
        start = i = 1;
    }
    l->after_cr = false;
    for (; i < len; i++) {
        char c = data[i];
        if (c != '\n' && c != '\r') {
            continue;
        }
        int rc = finish_line(l, data + start, i - start, cb, ud);
        if (rc != ARVIS_OK) {
            return rc;
        }
        if (c == '\r') {
            if (i + 1 < len && data[i + 1] == '\n') {
                i++;
            } else if (i + 1 == len) {
                l->after_cr = true;
            }
        }
        start = i + 1;
    }
    return start < len ? arvis_buf_add(&l->partial, data + start, len - start) : ARVIS_OK;
}

int llm_lines_finish(struct llm_lines *l, llm_line_cb cb, void *ud)
{
    if (l->partial.len == 0) {
        return ARVIS_OK;
    }
    int rc = cb(l->partial.data, l->partial.len, ud);
    arvis_buf_reset(&l->partial);
    return rc;
}

void llm_sse_init(struct llm_sse *s, size_t max_event)
{
    arvis_buf_init(&s->data, max_event);
    s->has_data = false;
}

void llm_sse_free(struct llm_sse *s)
{
    arvis_buf_free(&s->data);
}

static int dispatch(struct llm_sse *s, llm_line_cb cb, void *ud)
{
    if (!s->has_data) {
        return ARVIS_OK;
    }
    /* The data lines were joined with LF; the last one is not part of the data. */
    size_t len = s->data.len > 0 ? s->data.len - 1 : 0;
    int rc = cb(s->data.data ? s->data.data : "", len, ud);
    arvis_buf_reset(&s->data);
    s->has_data = false;
    return rc;
}

int llm_sse_line(struct llm_sse *s, const char *line, size_t len, llm_line_cb cb, void *ud)
{
    if (len == 0) {
        return dispatch(s, cb, ud);
    }
    if (line[0] == ':') {
        return ARVIS_OK; /* a comment: servers send them to keep the connection alive */
    }
    const char *colon = memchr(line, ':', len);
    size_t name_len = colon ? (size_t)(colon - line) : len;
    if (name_len != 4 || memcmp(line, "data", 4) != 0) {
        return ARVIS_OK;
    }
    const char *value = colon ? colon + 1 : line + len;
    size_t value_len = (size_t)(line + len - value);
    if (value_len > 0 && value[0] == ' ') {
        value++;
        value_len--;
    }
    int rc = arvis_buf_add(&s->data, value, value_len);
    if (rc == ARVIS_OK) {
        rc = arvis_buf_addc(&s->data, '\n');
    }
    s->has_data = true;
    return rc;
}

int llm_sse_finish(struct llm_sse *s, llm_line_cb cb, void *ud)
{
    return dispatch(s, cb, ud);
}
