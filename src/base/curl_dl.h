/* libcurl, loaded when the first HTTP client is made rather than when Arvis starts: with its
 * dependencies (TLS, Kerberos, LDAP, SSH, IDN...) it costs every command about 4 ms of
 * start-up, and most commands never speak HTTP. Include instead of <curl/curl.h>; the calls
 * below then go through the loaded table. */
#ifndef ARVIS_CURL_DL_H
#define ARVIS_CURL_DL_H

#define CURL_DISABLE_TYPECHECK /* the type-checking wrappers are macros named like the calls */
#include <curl/curl.h>

#include "arvis/error.h"

#define CURL_FUNCTIONS(X)                                                                          \
    X(curl_global_init)                                                                            \
    X(curl_easy_init)                                                                              \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_strerror)                                                                          \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)                                                                         \
    X(curl_multi_init)                                                                             \
    X(curl_multi_cleanup)                                                                          \
    X(curl_multi_add_handle)                                                                       \
    X(curl_multi_remove_handle)                                                                    \
    X(curl_multi_perform)                                                                          \
    X(curl_multi_poll)                                                                             \
    X(curl_multi_wakeup)                                                                           \
    X(curl_multi_info_read)

#define CURL_FIELD(name) __typeof__(&name) name;
struct curl_api {
    CURL_FUNCTIONS(CURL_FIELD)
};
#undef CURL_FIELD

/* Loads libcurl once (any thread) and returns the table, or NULL with err saying which Debian
 * package to install. */
const struct curl_api *curl_load(arvis_error *err);

/* The table; only after curl_load succeeded. */
extern const struct curl_api *curl_api;

#ifndef CURL_DL_IMPLEMENTATION
#undef curl_easy_setopt /* curl.h's own same-name wrappers */
#undef curl_easy_getinfo
#define curl_global_init curl_api->curl_global_init
#define curl_easy_init curl_api->curl_easy_init
#define curl_easy_cleanup curl_api->curl_easy_cleanup
#define curl_easy_setopt curl_api->curl_easy_setopt
#define curl_easy_getinfo curl_api->curl_easy_getinfo
#define curl_easy_strerror curl_api->curl_easy_strerror
#define curl_slist_append curl_api->curl_slist_append
#define curl_slist_free_all curl_api->curl_slist_free_all
#define curl_multi_init curl_api->curl_multi_init
#define curl_multi_cleanup curl_api->curl_multi_cleanup
#define curl_multi_add_handle curl_api->curl_multi_add_handle
#define curl_multi_remove_handle curl_api->curl_multi_remove_handle
#define curl_multi_perform curl_api->curl_multi_perform
#define curl_multi_poll curl_api->curl_multi_poll
#define curl_multi_wakeup curl_api->curl_multi_wakeup
#define curl_multi_info_read curl_api->curl_multi_info_read
#endif

#endif
