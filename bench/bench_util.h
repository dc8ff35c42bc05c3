/* Shared by the benchmarks: the median of a set of timings, the arvis binary of the build, a
 * command timed as a whole, and the script of a scripted model server's one reply. */
#ifndef ARVIS_BENCH_UTIL_H
#define ARVIS_BENCH_UTIL_H

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arvis/clock.h"

extern char **environ;

static inline int bench_compare_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n figures (sorts v). */
static inline double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_compare_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The arvis binary of the build the benchmark belongs to (../src/arvis beside it) into out;
 * false when the benchmark's own path cannot be read. */
static inline bool bench_arvis_path(char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        return false;
    }
    exe[n] = '\0';
    snprintf(out, size, "%.*s/../src/arvis", (int)(strrchr(exe, '/') - exe), exe);
    return true;
}

/* Wall time of one run of argv, its standard input from `in` (NULL: nothing) and its output
 * into out and errs (NULL: thrown away); -1 when it failed. */
static inline double bench_run_ms(const char *const argv[], const char *in, const char *out,
                                  const char *errs)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in ? in : "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&fa, 2, errs ? errs : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    uint64_t t0 = arvis_clock_ns();
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    if (rc != 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return -1;
    }
    return arvis_clock_elapsed_ms(t0, arvis_clock_ns());
}

/* The script of a scripted model server (tests/fakes/fake_llm.h) that answers with these n
 * pieces, the first after ttft_ms and the others token_ms apart; the caller frees. */
static inline char *bench_reply_script(const char *const *tokens, size_t n, int ttft_ms,
                                       int token_ms)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(list, cJSON_CreateString(tokens[i]));
    }
    cJSON *reply = cJSON_CreateObject();
    cJSON_AddItemToObject(reply, "tokens", list);
    cJSON_AddNumberToObject(reply, "ttft_ms", ttft_ms);
    cJSON_AddNumberToObject(reply, "token_ms", token_ms);
    cJSON *s = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(s, "replies"), reply);
    char *text = cJSON_PrintUnformatted(s);
    cJSON_Delete(s);
    return text;
}

#endif
