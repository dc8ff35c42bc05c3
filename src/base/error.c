/* Status codes, their names, and the arvis_error detail record.
 * One error enum everywhere, as curl does; context is one sentence, formatted once. */
#include "arvis/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *arvis_strerror(int code)
{
    switch (code) {
    case ARVIS_OK:
        return "success";
    case ARVIS_E_NOMEM:
        return "out of memory";
    case ARVIS_E_INVAL:
        return "invalid argument or value";
    case ARVIS_E_IO:
        return "input/output error";
    case ARVIS_E_NOTFOUND:
        return "not found";
    case ARVIS_E_PARSE:
        return "malformed input";
    case ARVIS_E_SCHEMA:
        return "not allowed by the schema";
    case ARVIS_E_TOOBIG:
        return "too big";
    case ARVIS_E_UTF8:
        return "invalid UTF-8";
    case ARVIS_E_VERSION:
        return "unsupported version";
    case ARVIS_E_PERM:
        return "permission denied";
    case ARVIS_E_UNAVAILABLE:
        return "service or device unavailable";
    case ARVIS_E_TIMEOUT:
        return "timed out";
    case ARVIS_E_CANCELLED:
        return "cancelled";
    case ARVIS_E_PROTOCOL:
        return "protocol error";
    case ARVIS_E_STATE:
        return "not possible in this state";
    default:
        return "unknown error";
    }
}

static void error_vformat(arvis_error *err, int code, const char *fmt, va_list ap)
{
    err->code = code;
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    if (n < 0) {
        snprintf(err->msg, sizeof err->msg, "%s", arvis_strerror(code));
    }
}

int arvis_error_set(arvis_error *err, int code, const char *fmt, ...)
{
    if (!err) {
        return code;
    }
    va_list ap;
    va_start(ap, fmt);
    error_vformat(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int arvis_status_from_errno(int errnum)
{
    switch (errnum) {
    case 0:
        return ARVIS_OK;
    case ENOMEM:
        return ARVIS_E_NOMEM;
    case ENOENT:
        return ARVIS_E_NOTFOUND;
    case EACCES:
    case EPERM:
    case EROFS:
        return ARVIS_E_PERM;
    case EINVAL:
    case EISDIR:
    case ENOTDIR:
    case ENAMETOOLONG:
        return ARVIS_E_INVAL;
    case EFBIG:
        return ARVIS_E_TOOBIG;
    case ETIMEDOUT:
        return ARVIS_E_TIMEOUT;
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
        return ARVIS_E_UNAVAILABLE;
    default:
        return ARVIS_E_IO;
    }
}

int arvis_error_errno(arvis_error *err, int errnum, const char *fmt, ...)
{
    int code = arvis_status_from_errno(errnum);
    if (!err) {
        return code;
    }
    va_list ap;
    va_start(ap, fmt);
    error_vformat(err, code, fmt, ap);
    va_end(ap);
    size_t used = strlen(err->msg);
    snprintf(err->msg + used, sizeof err->msg - used, ": %s", strerror(errnum));
    return code;
}

void arvis_error_clear(arvis_error *err)
{
    if (err) {
        err->code = ARVIS_OK;
        err->msg[0] = '\0';
    }
}
