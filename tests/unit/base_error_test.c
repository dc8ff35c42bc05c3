/* Status codes, their names, and error detail with context. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arvis/error.h"

static void test_strerror_names_every_code(void **state)
{
    (void)state;
    for (int code = ARVIS_OK; code >= ARVIS_E_STATE; code--) {
        assert_string_not_equal(arvis_strerror(code), "unknown error");
    }
    assert_string_equal(arvis_strerror(-999), "unknown error");
    assert_string_equal(arvis_strerror(ARVIS_E_NOMEM), "out of memory");
}

static void test_error_set_formats_message_and_returns_code(void **state)
{
    (void)state;
    arvis_error err;
    int rc = arvis_error_set(&err, ARVIS_E_INVAL, "llm.temperature: %.1f is above %d", 2.5, 1);
    assert_int_equal(rc, ARVIS_E_INVAL);
    assert_int_equal(err.code, ARVIS_E_INVAL);
    assert_string_equal(err.msg, "llm.temperature: 2.5 is above 1");
}

static void test_error_set_accepts_null(void **state)
{
    (void)state;
    assert_int_equal(arvis_error_set(NULL, ARVIS_E_IO, "ignored"), ARVIS_E_IO);
    assert_int_equal(arvis_error_errno(NULL, ENOENT, "ignored"), ARVIS_E_NOTFOUND);
}

static void test_error_errno_appends_system_message(void **state)
{
    (void)state;
    arvis_error err;
    int rc = arvis_error_errno(&err, ENOENT, "cannot open %s", "/x/y.wav");
    assert_int_equal(rc, ARVIS_E_NOTFOUND);
    assert_string_equal(err.msg, "cannot open /x/y.wav: No such file or directory");
}

static void test_errno_mapping(void **state)
{
    (void)state;
    assert_int_equal(arvis_status_from_errno(0), ARVIS_OK);
    assert_int_equal(arvis_status_from_errno(EACCES), ARVIS_E_PERM);
    assert_int_equal(arvis_status_from_errno(EROFS), ARVIS_E_PERM);
    assert_int_equal(arvis_status_from_errno(EISDIR), ARVIS_E_INVAL);
    assert_int_equal(arvis_status_from_errno(ENOTDIR), ARVIS_E_INVAL);
    assert_int_equal(arvis_status_from_errno(ENOMEM), ARVIS_E_NOMEM);
    assert_int_equal(arvis_status_from_errno(ECONNREFUSED), ARVIS_E_UNAVAILABLE);
    assert_int_equal(arvis_status_from_errno(ETIMEDOUT), ARVIS_E_TIMEOUT);
    assert_int_equal(arvis_status_from_errno(EFBIG), ARVIS_E_TOOBIG);
    assert_int_equal(arvis_status_from_errno(ENOSPC), ARVIS_E_IO);
}

static void test_long_message_is_cut_not_overflowed(void **state)
{
    (void)state;
    char big[2 * ARVIS_ERROR_MSG_MAX];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    arvis_error err;
    arvis_error_errno(&err, EIO, "%s", big);
    assert_int_equal(strlen(err.msg), ARVIS_ERROR_MSG_MAX - 1);
    arvis_error_clear(&err);
    assert_int_equal(err.code, ARVIS_OK);
    assert_string_equal(err.msg, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_names_every_code),
        cmocka_unit_test(test_error_set_formats_message_and_returns_code),
        cmocka_unit_test(test_error_set_accepts_null),
        cmocka_unit_test(test_error_errno_appends_system_message),
        cmocka_unit_test(test_errno_mapping),
        cmocka_unit_test(test_long_message_is_cut_not_overflowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
