/* UTF-8 helpers: validation, length in characters, and truncation that never splits a
 * character. All Arvis text is UTF-8; these are the only places that decode it by hand. */
#ifndef ARVIS_UTF8_H
#define ARVIS_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arvis/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decodes one character from s (len bytes available). Returns the number of bytes it uses
 * (1 to 4) and stores the code point in *cp, or returns 0 when the bytes at s are not a valid,
 * shortest-form UTF-8 sequence (or len is 0). Surrogates and values above U+10FFFF are invalid. */
size_t arvis_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* True when the len bytes at s are valid UTF-8. Otherwise, when bad_offset is not NULL,
 * stores the offset of the first byte that is not. */
bool arvis_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* Number of characters (code points) in the len bytes at s; each invalid byte counts as one. */
size_t arvis_utf8_length(const char *s, size_t len);

/* The largest byte count <= max_bytes (and <= len) that ends on a character boundary, so
 * s[0..result) can be cut off without splitting a multi-byte character. */
size_t arvis_utf8_truncate(const char *s, size_t len, size_t max_bytes);

/* Encodes code point cp into out (at least 4 bytes); returns the bytes written, or 0 when cp
 * is not a Unicode scalar value. */
size_t arvis_utf8_encode(uint32_t cp, char out[4]);

/* Appends the len bytes at s to out with every invalid byte replaced by U+FFFD. Returns the
 * number of replacements, or a negative status when out refuses (too big, out of memory). */
long arvis_utf8_sanitize(const char *s, size_t len, arvis_buf *out);

#ifdef __cplusplus
}
#endif

#endif
