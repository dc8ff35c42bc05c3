/* Bounded growable buffer (after curl's dynbuf): every buffer has a maximum size, and a
 * failed append leaves the contents as they were. */
#include "arvis/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BUF_MIN_CAP = 64 };

void arvis_buf_init(arvis_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void arvis_buf_free(arvis_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

/* Makes room for `extra` more bytes plus the terminating NUL. */
static int buf_reserve(arvis_buf *b, size_t extra)
{
    if (extra > b->max - b->len || b->len > b->max) {
        return ARVIS_E_TOOBIG;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) {
        return ARVIS_OK;
    }
    size_t cap = b->cap ? b->cap : BUF_MIN_CAP;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    /* Never allocate far beyond what the maximum allows. */
    if (b->max < SIZE_MAX && cap > b->max + 1) {
        cap = b->max + 1;
    }
    char *p = realloc(b->data, cap);
    if (!p) {
        return ARVIS_E_NOMEM;
    }
    b->data = p;
    b->cap = cap;
    return ARVIS_OK;
}

int arvis_buf_add(arvis_buf *b, const void *data, size_t len)
{
    int rc = buf_reserve(b, len);
    if (rc != ARVIS_OK) {
        return rc;
    }
    if (len) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
    return ARVIS_OK;
}

int arvis_buf_adds(arvis_buf *b, const char *s)
{
    return arvis_buf_add(b, s, strlen(s));
}

int arvis_buf_addc(arvis_buf *b, char c)
{
    return arvis_buf_add(b, &c, 1);
}

int arvis_buf_vaddf(arvis_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        return ARVIS_E_INVAL;
    }
    int rc = buf_reserve(b, (size_t)n);
    if (rc != ARVIS_OK) {
        return rc;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return ARVIS_OK;
}

int arvis_buf_addf(arvis_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = arvis_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void arvis_buf_reset(arvis_buf *b)
{
    b->len = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}

void arvis_buf_consume(arvis_buf *b, size_t n)
{
    if (n >= b->len) {
        arvis_buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

void arvis_buf_truncate(arvis_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

const char *arvis_buf_str(const arvis_buf *b)
{
    return b->data ? b->data : "";
}

char *arvis_buf_take(arvis_buf *b)
{
    char *p = b->data;
    if (!p) {
        p = calloc(1, 1);
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

int arvis_buf_join(arvis_buf *b, const char *const *items, const char *sep)
{
    int rc = ARVIS_OK;
    for (size_t i = 0; rc == ARVIS_OK && items[i]; i++) {
        if (i) {
            rc = arvis_buf_adds(b, sep);
        }
        if (rc == ARVIS_OK) {
            rc = arvis_buf_adds(b, items[i]);
        }
    }
    return rc;
}
