/* Loading pocketsphinx and sphinxbase at run time, once, into one table of their functions
 * (sphinx_dl.h says why). */
#define SPHINX_DL_IMPLEMENTATION
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sphinx_dl.h"

/* The Debian libraries (packages libpocketsphinx3 and libsphinxbase3). */
#define POCKETSPHINX_SONAME "libpocketsphinx.so.3"
#define SPHINXBASE_SONAME "libsphinxbase.so.3"

static struct sphinx_api table;
const struct sphinx_api *sphinx;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[ARVIS_ERROR_MSG_MAX];

static void load(void)
{
    void *base = dlopen(SPHINXBASE_SONAME, RTLD_NOW | RTLD_GLOBAL);
    void *ps = base ? dlopen(POCKETSPHINX_SONAME, RTLD_NOW | RTLD_GLOBAL) : NULL;
    if (!ps) {
        snprintf(failure, sizeof failure,
                 "pocketsphinx cannot be loaded (%s): install Debian's libpocketsphinx3 (`sudo "
                 "apt install libpocketsphinx3`)",
                 dlerror());
        return;
    }
    /* Each name is looked up in the library that defines it; the handles stay open for the
     * life of the process, as the decoders may. */
#define SPHINX_LOOKUP(name)                                                                        \
    if (!failure[0]) {                                                                             \
        void *f = dlsym(ps, #name);                                                                \
        if (!f) {                                                                                  \
            f = dlsym(base, #name);                                                                \
        }                                                                                          \
        if (!f) {                                                                                  \
            snprintf(failure, sizeof failure,                                                      \
                     "pocketsphinx has no function %s: install Debian's libpocketsphinx3 "         \
                     "0.8+5prealpha",                                                              \
                     #name);                                                                       \
        }                                                                                          \
        memcpy(&table.name, &f, sizeof f);                                                         \
    }
    SPHINX_FUNCTIONS(SPHINX_LOOKUP)
#undef SPHINX_LOOKUP
    if (!failure[0]) {
        table.err_set_logfp(NULL); /* the decoder would otherwise write pages of INFO to stderr */
        sphinx = &table;
    }
}

const struct sphinx_api *sphinx_load(arvis_error *err)
{
    pthread_once(&once, load);
    if (!sphinx) {
        arvis_error_set(err, ARVIS_E_UNAVAILABLE, "%s", failure);
    }
    return sphinx;
}
