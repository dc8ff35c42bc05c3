/* The library version, set by the build from the project version in meson.build.
 * Kept in one place so the binary, --version and logs agree. */
#include "arvis/version.h"

const char *arvis_version(void)
{
    return ARVIS_VERSION;
}
