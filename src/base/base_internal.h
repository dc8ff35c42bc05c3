/* Shared between the files of the base library only. */
#ifndef ARVIS_BASE_INTERNAL_H
#define ARVIS_BASE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* Checks that text is exactly one JSON value (RFC 8259) with nothing after it but blanks.
 * On failure stores the byte offset of the problem and a static sentence saying what it is. */
bool json_scan(const char *text, size_t len, size_t *err_off, const char **why);

#endif
