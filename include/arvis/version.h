/* The version of libarvis this program runs with. */
#ifndef ARVIS_VERSION_H
#define ARVIS_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

/* "0.1.0": the release this library was built as. Static; never NULL. */
const char *arvis_version(void);

#ifdef __cplusplus
}
#endif

#endif
