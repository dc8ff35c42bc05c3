/* Runs the official JSON-Schema-Test-Suite (draft 7, from Debian's json-schema-test-suite) through
 * the config validator and prints one TAP line per test case. Remote references resolve to the
 * suite's remotes folder (http://localhost:1234/...) and to the draft-07 metaschema that Debian's
 * python3-jsonschema ships, registered in advance; nothing is fetched from a network. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/file.h"
#include "arvis/json.h"
#include "config_internal.h"

enum { MAX_FILES = 128, SUITE_FILE_MAX = 16 * 1024 * 1024, NAME_MAX_LEN = 256 };

static const char *suite_root = "/usr/share/json-schema-test-suite";
static const char *metaschema_path =
    "/usr/lib/python3/dist-packages/jsonschema/schemas/draft7.json";
static const char *metaschema_uri = "http://json-schema.org/draft-07/schema";

/* Optional files that test keywords this validator implements (the rest test "format" and
 * "content", annotations that draft 7 does not require a validator to assert). */
static const char *const optional_files[] = {"optional/bignum.json",
                                             "optional/zeroTerminatedFloats.json"};

struct remote {
    char uri[NAME_MAX_LEN];
    cJSON *doc;
};

static struct remote remotes[32];
static size_t n_remotes;
static int test_number;
static int passed;
static int failed;

static cJSON *load_json(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    cJSON *doc = NULL;
    if (arvis_file_read(path, SUITE_FILE_MAX, &text, &len, NULL) == ARVIS_OK) {
        arvis_json_parse(text, len, &doc, NULL);
    }
    free(text);
    return doc;
}

static void add_remote(const char *uri, const char *path)
{
    cJSON *doc = load_json(path);
    if (doc && n_remotes < sizeof remotes / sizeof remotes[0]) {
        snprintf(remotes[n_remotes].uri, sizeof remotes[n_remotes].uri, "%s", uri);
        remotes[n_remotes++].doc = doc;
    } else {
        cJSON_Delete(doc);
    }
}

static void load_remotes(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char path[NAME_MAX_LEN * 2];
        char uri[NAME_MAX_LEN * 2];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(uri, sizeof uri, "%s%s", prefix, e->d_name);
        if (strstr(e->d_name, ".json")) {
            add_remote(uri, path);
        } else {
            char sub[NAME_MAX_LEN * 2 + 1];
            snprintf(sub, sizeof sub, "%s/", uri);
            load_remotes(path, sub);
        }
    }
    if (d) {
        closedir(d);
    }
}

static void run_group(const char *file, const cJSON *group)
{
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(group, "schema");
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(group, "description");
    const cJSON *tests = cJSON_GetObjectItemCaseSensitive(group, "tests");
    schema_validator *v = NULL;
    if (validator_create(schema, &v) != ARVIS_OK) {
        printf("not ok %d - %s: cannot create a validator\n", ++test_number, file);
        failed++;
        return;
    }
    for (size_t i = 0; i < n_remotes; i++) {
        validator_add_document(v, remotes[i].uri, remotes[i].doc);
    }
    for (const cJSON *t = cJSON_IsArray(tests) ? tests->child : NULL; t; t = t->next) {
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(t, "data");
        const cJSON *tdesc = cJSON_GetObjectItemCaseSensitive(t, "description");
        bool want = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "valid"));
        /* Validate twice: once for the verdict alone, once collecting errors; both must agree,
         * and an invalid instance must produce at least one error message. */
        arvis_config_report report;
        arvis_config_report_init(&report);
        bool quick = validator_check(v, data, NULL);
        bool full = validator_check(v, data, &report);
        bool ok = quick == want && full == want && (want || report.errors > 0);
        printf("%s %d - %s: %s: %s\n", ok ? "ok" : "not ok", ++test_number, file,
               cJSON_IsString(desc) ? desc->valuestring : "?",
               cJSON_IsString(tdesc) ? tdesc->valuestring : "?");
        if (!ok) {
            printf("# expected %s, got %s (collecting: %s, %zu errors)\n",
                   want ? "valid" : "invalid", quick ? "valid" : "invalid",
                   full ? "valid" : "invalid", report.errors);
            failed++;
        } else {
            passed++;
        }
        arvis_config_report_free(&report);
    }
    validator_destroy(v);
}

static void run_file(const char *dir, const char *name)
{
    char path[NAME_MAX_LEN * 2];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cJSON *doc = load_json(path);
    if (!cJSON_IsArray(doc)) {
        printf("not ok %d - %s: cannot read the file\n", ++test_number, name);
        failed++;
        cJSON_Delete(doc);
        return;
    }
    for (const cJSON *g = doc->child; g; g = g->next) {
        run_group(name, g);
    }
    cJSON_Delete(doc);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    char dir[NAME_MAX_LEN];
    snprintf(dir, sizeof dir, "%s/tests/draft7", suite_root);
    DIR *d = opendir(dir);
    if (!d) {
        printf("1..1\nnot ok 1 - %s is missing: install json-schema-test-suite "
               "(scripts/install-deps)\n",
               dir);
        return 1;
    }
    if (!arvis_file_exists(metaschema_path)) {
        printf("1..1\nnot ok 1 - %s is missing: install python3-jsonschema "
               "(scripts/install-deps)\n",
               metaschema_path);
        closedir(d);
        return 1;
    }
    char remotes_dir[NAME_MAX_LEN];
    snprintf(remotes_dir, sizeof remotes_dir, "%s/remotes", suite_root);
    load_remotes(remotes_dir, "http://localhost:1234/");
    add_remote(metaschema_uri, metaschema_path);

    char *names[MAX_FILES];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_FILES) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    for (size_t i = 0; i < n; i++) {
        run_file(dir, names[i]);
        free(names[i]);
    }
    for (size_t i = 0; i < sizeof optional_files / sizeof optional_files[0]; i++) {
        run_file(dir, optional_files[i]);
    }
    printf("1..%d\n", test_number);
    printf("# draft7: %d of %d test cases pass (%zu files and %zu optional)\n", passed,
           passed + failed, n, sizeof optional_files / sizeof optional_files[0]);
    for (size_t i = 0; i < n_remotes; i++) {
        cJSON_Delete(remotes[i].doc);
    }
    return failed ? 1 : 0;
}
