/* Loading libcurl at run time, once, into one table of its functions (curl_dl.h says why). */
#define CURL_DL_IMPLEMENTATION
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "curl_dl.h"

#define CURL_SONAME "libcurl.so.4" /* Debian's libcurl4 */

static struct curl_api table;
const struct curl_api *curl_api;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[ARVIS_ERROR_MSG_MAX];

static void load(void)
{
    void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(failure, sizeof failure,
                 "libcurl cannot be loaded (%s): install Debian's libcurl4 (`sudo apt install "
                 "libcurl4`)",
                 dlerror());
        return;
    }
#define CURL_LOOKUP(name)                                                                          \
    if (!failure[0]) {                                                                             \
        void *f = dlsym(lib, #name);                                                               \
        if (!f) {                                                                                  \
            snprintf(failure, sizeof failure,                                                      \
                     "libcurl has no function %s: Arvis needs libcurl 7.68 or later", #name);      \
        }                                                                                          \
        memcpy(&table.name, &f, sizeof f);                                                         \
    }
    CURL_FUNCTIONS(CURL_LOOKUP)
#undef CURL_LOOKUP
    if (!failure[0]) {
        curl_api = &table;
    }
}

const struct curl_api *curl_load(arvis_error *err)
{
    pthread_once(&once, load);
    if (!curl_api) {
        arvis_error_set(err, ARVIS_E_UNAVAILABLE, "%s", failure);
    }
    return curl_api;
}
