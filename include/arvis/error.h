/* Arvis status codes: every fallible function returns ARVIS_OK or a negative ARVIS_E_* code.
 * An arvis_error, when the caller passes one, receives the code and one sentence of context. */
#ifndef ARVIS_ERROR_H
#define ARVIS_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ARVIS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define ARVIS_PRINTF(fmt, args)
#endif

enum arvis_status {
    ARVIS_OK = 0,
    ARVIS_E_NOMEM = -1,        /* out of memory */
    ARVIS_E_INVAL = -2,        /* an argument or value is not acceptable */
    ARVIS_E_IO = -3,           /* reading or writing failed */
    ARVIS_E_NOTFOUND = -4,     /* no such file, key or item */
    ARVIS_E_PARSE = -5,        /* malformed input (syntax) */
    ARVIS_E_SCHEMA = -6,       /* well-formed, but not what the schema allows */
    ARVIS_E_TOOBIG = -7,       /* input above a configured limit */
    ARVIS_E_UTF8 = -8,         /* text is not valid UTF-8 */
    ARVIS_E_VERSION = -9,      /* a version this build does not handle */
    ARVIS_E_PERM = -10,        /* permission denied or read-only */
    ARVIS_E_UNAVAILABLE = -11, /* a needed service or device is not there */
    ARVIS_E_TIMEOUT = -12,     /* a deadline passed */
    ARVIS_E_CANCELLED = -13,   /* stopped on request */
    ARVIS_E_PROTOCOL = -14,    /* a peer sent something we cannot understand */
    ARVIS_E_STATE = -15,       /* not possible in the current state */
};

#define ARVIS_ERROR_MSG_MAX 512

/* Detail for the caller: the status code and one sentence saying what went wrong. */
typedef struct arvis_error {
    int code;
    char msg[ARVIS_ERROR_MSG_MAX];
} arvis_error;

/* Returns a short static name for a status code ("out of memory"); never NULL. */
const char *arvis_strerror(int code);

/* Stores code and a formatted message in err (err may be NULL) and returns code, so a failing
 * function can `return arvis_error_set(err, ARVIS_E_INVAL, "...")`. */
int arvis_error_set(arvis_error *err, int code, const char *fmt, ...) ARVIS_PRINTF(3, 4);

/* Like arvis_error_set, for a failed system call: maps errnum to a status code and appends
 * ": <strerror(errnum)>" to the message. Returns the mapped code. */
int arvis_error_errno(arvis_error *err, int errnum, const char *fmt, ...) ARVIS_PRINTF(3, 4);

/* Maps an errno value to the nearest status code. */
int arvis_status_from_errno(int errnum);

/* Clears err to ARVIS_OK with an empty message (err may be NULL). */
void arvis_error_clear(arvis_error *err);

#ifdef __cplusplus
}
#endif

#endif
