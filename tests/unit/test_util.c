/* Test helpers: temporary folders under $TMPDIR, recursive removal, whole-file read/write. */
#define _XOPEN_SOURCE 700
#include "test_util.h"

#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "arvis/json.h"

enum { PATH_BUFS = 8, PATH_LEN = 4096 };

const char *tu_tempdir(void)
{
    static char dir[PATH_LEN];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/arvis-test-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fail_msg("cannot create a temporary folder under %s", tmp ? tmp : "/tmp");
    }
    return dir;
}

const char *tu_fresh_home(void)
{
    const char *dir = tu_tempdir();
    setenv("ARVIS_HOME", dir, 1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("XDG_DATA_HOME");
    unsetenv("XDG_STATE_HOME");
    return dir;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmtree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void tu_write(const char *path, const char *data, long len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fail_msg("cannot write %s", path);
    }
    size_t n = len < 0 ? strlen(data) : (size_t)len;
    if (fwrite(data, 1, n, f) != n) {
        fclose(f);
        fail_msg("cannot write %s", path);
    }
    fclose(f);
}

char *tu_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 4096;
    size_t used = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + used, 1, cap - used - 1, f)) > 0) {
        used += n;
        if (cap - used < 2) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[used] = '\0';
    }
    if (len) {
        *len = used;
    }
    return buf;
}

const char *tu_path(const char *dir, const char *name)
{
    static char bufs[PATH_BUFS][PATH_LEN];
    static int next;
    char *b = bufs[next++ % PATH_BUFS];
    snprintf(b, PATH_LEN, "%s/%s", dir, name);
    return b;
}

int tu_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        return -1;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}

struct cJSON *tu_json(const char *text)
{
    struct cJSON *v = NULL;
    arvis_error err;
    if (arvis_json_parse(text, strlen(text), &v, &err) != ARVIS_OK) {
        fail_msg("bad test JSON %s: %s", text, err.msg);
    }
    return v;
}

arvis_history *tu_history_load(const char *path, size_t max)
{
    arvis_history *h = NULL;
    arvis_error err;
    assert_int_equal(arvis_history_load(path, max, &h, &err), ARVIS_OK);
    assert_non_null(h);
    assert_string_equal(err.msg, "");
    return h;
}

void tu_history_add(arvis_history *h, const char *role, const char *content, bool cut)
{
    assert_int_equal(arvis_history_add(h, role, content, cut), ARVIS_OK);
}

void tu_history_save(const arvis_history *h)
{
    arvis_error err;
    assert_int_equal(arvis_history_save(h, &err), ARVIS_OK);
}

arvis_config *tu_config(const char *const *sets)
{
    tu_fresh_home();
    size_t n = 0;
    while (sets && sets[n]) {
        n++;
    }
    arvis_config_options opts = {.ignore_env = true, .sets = sets, .n_sets = n};
    arvis_config *cfg = NULL;
    arvis_error err;
    arvis_config_report rep;
    arvis_config_report_init(&rep);
    if (arvis_config_load(&opts, &cfg, &rep, &err) != ARVIS_OK) {
        for (size_t i = 0; i < rep.count; i++) {
            print_error("config: %s\n", rep.items[i].message);
        }
        fail_msg("test config does not load: %s", err.msg);
    }
    arvis_config_report_free(&rep);
    return cfg;
}
