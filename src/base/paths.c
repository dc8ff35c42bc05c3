/* XDG places with the ARVIS_HOME override, and small path helpers.
 * Relative XDG values are ignored, as the specification requires. */
#include "arvis/paths.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arvis/buf.h"

enum { PATH_MAX_BYTES = 4096 };

struct place_info {
    const char *name;     /* folder under ARVIS_HOME */
    const char *xdg_var;  /* XDG variable */
    const char *fallback; /* under $HOME when the variable is unset */
};

static const struct place_info places[] = {
    [ARVIS_PLACE_CONFIG] = {"config", "XDG_CONFIG_HOME", ".config"},
    [ARVIS_PLACE_DATA] = {"data", "XDG_DATA_HOME", ".local/share"},
    [ARVIS_PLACE_STATE] = {"state", "XDG_STATE_HOME", ".local/state"},
};

const char *arvis_place_name(arvis_place place)
{
    return places[place].name;
}

char *arvis_path_join(const char *dir, const char *name)
{
    arvis_buf b;
    arvis_buf_init(&b, PATH_MAX_BYTES);
    size_t dlen = strlen(dir);
    int rc = arvis_buf_add(&b, dir, dlen);
    if (rc == ARVIS_OK && (dlen == 0 || dir[dlen - 1] != '/')) {
        rc = arvis_buf_addc(&b, '/');
    }
    if (rc == ARVIS_OK) {
        rc = arvis_buf_adds(&b, name);
    }
    if (rc != ARVIS_OK) {
        arvis_buf_free(&b);
        return NULL;
    }
    return arvis_buf_take(&b);
}

char *arvis_path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        return strdup(".");
    }
    if (slash == path) {
        return strdup("/");
    }
    return strndup(path, (size_t)(slash - path));
}

/* ARVIS_HOME may be relative: it is taken from the current folder. */
static char *absolute_from_cwd(const char *p)
{
    if (p[0] == '/') {
        return strdup(p);
    }
    char cwd[PATH_MAX_BYTES];
    if (!getcwd(cwd, sizeof cwd)) {
        return NULL;
    }
    return arvis_path_join(cwd, p);
}

int arvis_place_dir(arvis_place place, char **out, arvis_error *err)
{
    const struct place_info *info = &places[place];
    char *dir = NULL;
    const char *home = getenv("ARVIS_HOME");
    if (home && home[0]) {
        char *abs = absolute_from_cwd(home);
        if (!abs) {
            return arvis_error_errno(err, errno ? errno : ENOMEM, "cannot resolve ARVIS_HOME %s",
                                     home);
        }
        dir = arvis_path_join(abs, info->name);
        free(abs);
    } else {
        const char *xdg = getenv(info->xdg_var);
        if (xdg && xdg[0] == '/') {
            dir = arvis_path_join(xdg, "arvis");
        } else {
            const char *user_home = getenv("HOME");
            if (!user_home || user_home[0] != '/') {
                return arvis_error_set(err, ARVIS_E_NOTFOUND,
                                       "cannot find the %s folder: set HOME, %s or ARVIS_HOME",
                                       info->name, info->xdg_var);
            }
            char *base = arvis_path_join(user_home, info->fallback);
            dir = base ? arvis_path_join(base, "arvis") : NULL;
            free(base);
        }
    }
    if (!dir) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    *out = dir;
    return ARVIS_OK;
}

int arvis_place_file(arvis_place place, const char *name, char **out, arvis_error *err)
{
    char *dir = NULL;
    int rc = arvis_place_dir(place, &dir, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    *out = arvis_path_join(dir, name);
    free(dir);
    return *out ? ARVIS_OK : arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
}

int arvis_mkdirs(const char *dir, unsigned mode, arvis_error *err)
{
    size_t len = strlen(dir);
    if (len == 0 || len >= PATH_MAX_BYTES) {
        return arvis_error_set(err, ARVIS_E_INVAL, "cannot create folder \"%s\": bad path", dir);
    }
    char path[PATH_MAX_BYTES];
    memcpy(path, dir, len + 1);
    /* Create each prefix in turn; existing folders are fine, anything else is in the way. */
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0') {
            continue;
        }
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, (mode_t)mode) != 0 && errno != EEXIST) {
            return arvis_error_errno(err, errno, "cannot create folder %s", path);
        }
        struct stat st;
        if (stat(path, &st) != 0) {
            return arvis_error_errno(err, errno, "cannot create folder %s", path);
        }
        if (!S_ISDIR(st.st_mode)) {
            return arvis_error_set(err, ARVIS_E_INVAL,
                                   "cannot create folder %s: a file of that name is in the way",
                                   path);
        }
        path[i] = saved;
    }
    return ARVIS_OK;
}
