/* A growable byte buffer with a maximum size, so hostile input cannot exhaust memory.
 * The contents are always NUL-terminated, so text can be read as a C string. */
#ifndef ARVIS_BUF_H
#define ARVIS_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "arvis/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct arvis_buf {
    char *data; /* NULL until the first byte is added */
    size_t len; /* bytes in use, not counting the terminating NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* the most len may ever be */
} arvis_buf;

/* Prepares an empty buffer that will refuse to hold more than max bytes. */
void arvis_buf_init(arvis_buf *b, size_t max);

/* Frees the memory and leaves the buffer empty (still usable, same maximum). */
void arvis_buf_free(arvis_buf *b);

/* Appends len bytes. Returns ARVIS_E_TOOBIG when the result would exceed the maximum and
 * ARVIS_E_NOMEM when memory runs out; in both cases the contents are left unchanged. */
int arvis_buf_add(arvis_buf *b, const void *data, size_t len);

/* Appends a NUL-terminated string; same results as arvis_buf_add. */
int arvis_buf_adds(arvis_buf *b, const char *s);

/* Appends one byte; same results as arvis_buf_add. */
int arvis_buf_addc(arvis_buf *b, char c);

/* Appends printf-formatted text; same results as arvis_buf_add. */
int arvis_buf_addf(arvis_buf *b, const char *fmt, ...) ARVIS_PRINTF(2, 3);
int arvis_buf_vaddf(arvis_buf *b, const char *fmt, va_list ap) ARVIS_PRINTF(2, 0);

/* Appends the strings of a NULL-terminated list with sep between them ("a, b, c"). */
int arvis_buf_join(arvis_buf *b, const char *const *items, const char *sep);

/* Empties the buffer but keeps its memory for reuse. */
void arvis_buf_reset(arvis_buf *b);

/* Drops the first n bytes (all of them when n >= len), moving the rest to the front. */
void arvis_buf_consume(arvis_buf *b, size_t n);

/* Shortens the contents to len bytes (no-op when already shorter). */
void arvis_buf_truncate(arvis_buf *b, size_t len);

/* The contents as a C string: never NULL ("" when empty). Valid until the next change. */
const char *arvis_buf_str(const arvis_buf *b);

/* Hands the contents to the caller, who frees them with free(); the buffer becomes empty.
 * Returns NULL only when memory runs out. */
char *arvis_buf_take(arvis_buf *b);

#ifdef __cplusplus
}
#endif

#endif
