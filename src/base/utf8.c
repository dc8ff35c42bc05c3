/* UTF-8 decoding, validation, counting and boundary-safe truncation (RFC 3629: shortest
 * form only, no surrogates, nothing above U+10FFFF). */
#include "arvis/utf8.h"

size_t arvis_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    if (len == 0) {
        return 0;
    }
    const unsigned char *p = (const unsigned char *)s;
    unsigned char c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    uint32_t v;
    uint32_t min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        v = c & 0x1Fu;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        v = c & 0x0Fu;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        v = c & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len < need) {
        return 0;
    }
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        v = (v << 6) | (p[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        return 0;
    }
    *cp = v;
    return need;
}

bool arvis_utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
    size_t i = 0;
    while (i < len) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = arvis_utf8_decode(s + i, len - i, &cp);
        if (n == 0) {
            if (bad_offset) {
                *bad_offset = i;
            }
            return false;
        }
        i += n;
    }
    return true;
}

size_t arvis_utf8_length(const char *s, size_t len)
{
    size_t count = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = arvis_utf8_decode(s + i, len - i, &cp);
        i += n ? n : 1;
        count++;
    }
    return count;
}

size_t arvis_utf8_truncate(const char *s, size_t len, size_t max_bytes)
{
    if (len <= max_bytes) {
        return len;
    }
    /* Find the start of whatever byte sequence the cut falls into. */
    size_t lead = max_bytes;
    int back = 0;
    while (lead > 0 && back < 3 && ((unsigned char)s[lead] & 0xC0) == 0x80) {
        lead--;
        back++;
    }
    if (back == 0) {
        return max_bytes; /* the cut is already before a character */
    }
    uint32_t cp;
    size_t n = arvis_utf8_decode(s + lead, len - lead, &cp);
    /* A real character crossing the cut is dropped whole; stray bytes may be cut anywhere. */
    return (n > 0 && lead + n > max_bytes) ? lead : max_bytes;
}

size_t arvis_utf8_encode(uint32_t cp, char out[4])
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

long arvis_utf8_sanitize(const char *s, size_t len, arvis_buf *out)
{
    long replaced = 0;
    size_t i = 0;
    while (i < len) {
        /* Copy the longest valid run at once. */
        size_t bad = len - i; /* stays so when the rest is valid */
        (void)arvis_utf8_valid(s + i, len - i, &bad);
        int rc = arvis_buf_add(out, s + i, bad);
        if (rc != ARVIS_OK) {
            return rc;
        }
        i += bad;
        if (i < len) {
            rc = arvis_buf_add(out, "\xEF\xBF\xBD", 3);
            if (rc != ARVIS_OK) {
                return rc;
            }
            replaced++;
            i++;
        }
    }
    return replaced;
}
