/* Runs the fuzz targets' entry points over the seed files and deterministic variations of them
 * (every truncation, byte flips, insertions and deletions), so each parser meets hostile input
 * in every test run, under the sanitizers, without a fuzzing engine. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MUTATIONS = 3000 };

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char interesting[] = "{}[]\",:0-.eE\\u\xC3\xFF \n";

static size_t exercise(const uint8_t *seed, size_t len)
{
    size_t runs = 0;
    uint8_t *buf = malloc(len + 2);
    for (size_t cut = 0; cut <= len; cut++, runs++) {
        memcpy(buf, seed, cut);
        LLVMFuzzerTestOneInput(buf, cut);
    }
    for (int i = 0; i < MUTATIONS && len > 0; i++, runs++) {
        memcpy(buf, seed, len);
        size_t n = len;
        size_t at = next_random() % len;
        char c = interesting[next_random() % (sizeof interesting - 1)];
        switch (next_random() % 3) {
        case 0:
            buf[at] = (uint8_t)c;
            break;
        case 1:
            memmove(buf + at + 1, buf + at, len - at);
            buf[at] = (uint8_t)c;
            n++;
            break;
        default:
            memmove(buf + at, buf + at + 1, len - at - 1);
            n--;
            break;
        }
        LLVMFuzzerTestOneInput(buf, n);
    }
    free(buf);
    return runs;
}

int main(void)
{
    const char *root = getenv("TEST_SOURCE_ROOT");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/data", root ? root : ".");
    DIR *d = opendir(dir);
    if (!d) {
        printf("1..1\nnot ok 1 - cannot open the seeds in %s\n", dir);
        return 1;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || strcmp(e->d_name + nl - 5, ".json") != 0) {
            continue;
        }
        size_t len = 0;
        char *seed = tu_read(tu_path(dir, e->d_name), &len);
        if (!seed) {
            printf("not ok %d - cannot read seed %s\n", ++n, e->d_name);
            continue;
        }
        size_t runs = exercise((const uint8_t *)seed, len);
        printf("ok %d - config reader survives %zu variations of %s\n", ++n, runs, e->d_name);
        free(seed);
    }
    closedir(d);
    printf("1..%d\n", n);
    return n > 0 ? 0 : 1;
}
