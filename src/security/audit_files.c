/* The audit log's archives: the name a rotated log gets (NAME-YYYYMMDDTHHMMSS.EXT, UTC) and the
 * removal of archives whose last write is older than the configured age. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arvis/file.h"
#include "arvis/paths.h"
#include "security_internal.h"

enum {
    SECONDS_PER_DAY = 86400,
    STAMP_DIGITS_DATE = 8,
    STAMP_DIGITS_TIME = 6,
    NAME_MAX_TRIES = 1000
};

/* The log's name split into what goes before and after the stamp: "audit" and ".jsonl". */
struct name_parts {
    char *dir;
    char stem[256];
    char ext[64];
};

static int split_name(const char *path, struct name_parts *np)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t stem_len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    const char *ext = dot && dot != base ? dot : "";
    if (stem_len >= sizeof np->stem || strlen(ext) >= sizeof np->ext) {
        return ARVIS_E_INVAL;
    }
    memcpy(np->stem, base, stem_len);
    np->stem[stem_len] = '\0';
    snprintf(np->ext, sizeof np->ext, "%s", ext);
    np->dir = arvis_path_dirname(path);
    return np->dir ? ARVIS_OK : ARVIS_E_NOMEM;
}

int audit_archive(const char *path, double now, arvis_error *err)
{
    struct name_parts np;
    int rc = split_name(path, &np);
    if (rc != ARVIS_OK) {
        return arvis_error_set(err, rc, "cannot name an archive of %s", path);
    }
    time_t secs = (time_t)now;
    struct tm tm;
    char stamp[32] = "19700101T000000";
    if (gmtime_r(&secs, &tm)) {
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
    }
    char name[512];
    rc = ARVIS_E_IO;
    /* Several rotations in one second (a small max_log_size) each get a name of their own. */
    for (int n = 0; n < NAME_MAX_TRIES; n++) {
        char suffix[16] = "";
        if (n > 0) {
            snprintf(suffix, sizeof suffix, "-%d", n);
        }
        snprintf(name, sizeof name, "%s/%s-%s%s%s", np.dir, np.stem, stamp, suffix, np.ext);
        if (!arvis_file_exists(name)) {
            rc = rename(path, name) == 0
                     ? ARVIS_OK
                     : arvis_error_errno(err, errno, "cannot rotate %s to %s", path, name);
            break;
        }
    }
    if (rc == ARVIS_E_IO) {
        rc = arvis_error_set(err, rc, "cannot rotate %s: every archive name is taken", path);
    }
    free(np.dir);
    return rc;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

/* True when name is STEM-YYYYMMDDTHHMMSS[-N]EXT: an archive of this log, nothing else. */
static bool is_archive(const struct name_parts *np, const char *name)
{
    size_t stem = strlen(np->stem), ext = strlen(np->ext), len = strlen(name);
    size_t stamp = STAMP_DIGITS_DATE + 1 + STAMP_DIGITS_TIME;
    if (len < stem + 1 + stamp + ext || strncmp(name, np->stem, stem) != 0 || name[stem] != '-' ||
        strcmp(name + len - ext, np->ext) != 0) {
        return false;
    }
    const char *s = name + stem + 1;
    if (!all_digits(s, STAMP_DIGITS_DATE) || s[STAMP_DIGITS_DATE] != 'T' ||
        !all_digits(s + STAMP_DIGITS_DATE + 1, STAMP_DIGITS_TIME)) {
        return false;
    }
    const char *rest = s + stamp;
    size_t rest_len = (size_t)(name + len - ext - rest);
    return rest_len == 0 || (rest_len > 1 && rest[0] == '-' && all_digits(rest + 1, rest_len - 1));
}

unsigned long audit_remove_old(const char *path, unsigned max_age_days, double now)
{
    struct name_parts np;
    if (split_name(path, &np) != ARVIS_OK) {
        return 0;
    }
    unsigned long removed = 0;
    DIR *d = opendir(np.dir);
    double oldest = now - (double)max_age_days * SECONDS_PER_DAY;
    for (struct dirent *e; d && (e = readdir(d));) {
        struct stat st;
        if (!is_archive(&np, e->d_name) ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        double mtime = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
        if (mtime < oldest && unlinkat(dirfd(d), e->d_name, 0) == 0) {
            removed++;
        }
    }
    if (d) {
        closedir(d);
    }
    free(np.dir);
    return removed;
}
