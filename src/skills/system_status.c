/* The system status skill: uptime, load, free memory and free disk space of the data folder,
 * all of them for "how is the system doing", one for a question about one of them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/paths.h"
#include "arvis/sysinfo.h"
#include "skills_internal.h"

enum focus { F_ALL, F_UPTIME, F_LOAD, F_MEMORY, F_DISK };

enum { MINUTE_S = 60, HOUR_S = 3600, DAY_S = 86400, UNIT_STEP = 1024, PATH_DEPTH_MAX = 64 };

static const double TENTHS = 10, HUNDREDTHS = 100;

static const char *const all_shapes[] = {"how is the system doing",
                                         "how is the system",
                                         "how is the computer doing",
                                         "how is the machine doing",
                                         "system status",
                                         "what is the system status",
                                         "status of the system",
                                         "system report",
                                         "how are things on the system",
                                         NULL};
static const char *const uptime_shapes[] = {"how long has the system been up",
                                            "how long has the system been running",
                                            "how long has the computer been up",
                                            "how long has the computer been running",
                                            "how long has the machine been up",
                                            "what is the uptime",
                                            "what is the system uptime",
                                            "uptime",
                                            "system uptime",
                                            NULL};
static const char *const load_shapes[] = {"what is the load",
                                          "what is the system load",
                                          "what is the load average",
                                          "what is the cpu load",
                                          "what is the cpu usage",
                                          "how busy is the cpu",
                                          "how busy is the system",
                                          "system load",
                                          "load average",
                                          "cpu load",
                                          NULL};
static const char *const memory_shapes[] = {"how much memory is free",
                                            "how much memory is left",
                                            "how much memory is available",
                                            "how much memory is there",
                                            "how much free memory is there",
                                            "how much memory do i have",
                                            "how much ram is free",
                                            "how much ram is left",
                                            "what is the memory usage",
                                            "memory usage",
                                            "free memory",
                                            NULL};
static const char *const disk_shapes[] = {"how much disk space is left",
                                          "how much disk space is free",
                                          "how much disk space is there",
                                          "how much disk space do i have",
                                          "how much space is left",
                                          "how much free space is there",
                                          "how much free disk space is there",
                                          "how full is the disk",
                                          "what is the disk usage",
                                          "disk usage",
                                          "disk space",
                                          "free disk space",
                                          NULL};

/* "7.8 gigabytes": part and whole in the unit that suits the whole. */
static void say_bytes(arvis_buf *b, uint64_t part, uint64_t whole, const char *what)
{
    static const char *const units[] = {"megabytes", "gigabytes", "terabytes"};
    double scale = (double)UNIT_STEP * UNIT_STEP;
    size_t u = 0;
    while (u + 1 < sizeof units / sizeof units[0] && (double)whole >= scale * UNIT_STEP) {
        scale *= UNIT_STEP;
        u++;
    }
    char p[SK_NUMBER_TEXT], w[SK_NUMBER_TEXT];
    sk_format_number(round((double)part / scale * TENTHS) / TENTHS, p, sizeof p);
    sk_format_number(round((double)whole / scale * TENTHS) / TENTHS, w, sizeof w);
    arvis_buf_addf(b, "%s of %s %s of %s", p, w, units[u], what);
}

/* Up for "3 days and 4 hours": rounded to the hour past a day, to the minute past a minute. */
static void say_uptime(arvis_buf *b, double uptime_s)
{
    uint64_t s = (uint64_t)uptime_s;
    uint64_t step = s >= DAY_S ? HOUR_S : s >= MINUTE_S ? MINUTE_S : 1;
    s = (s + step / 2) / step * step;
    char d[SK_NUMBER_TEXT * 2];
    sk_format_duration(s, d, sizeof d);
    arvis_buf_addf(b, "The system has been up for %s", d);
}

static void say_load(arvis_buf *b, const arvis_sysinfo *si)
{
    char l[SK_NUMBER_TEXT];
    sk_format_number(round(si->load1 * HUNDREDTHS) / HUNDREDTHS, l, sizeof l);
    arvis_buf_addf(b, "the load is %s on %d processor%s", l, si->cpus, si->cpus == 1 ? "" : "s");
}

/* Space on the disk of the data folder, or of the nearest folder above it that exists. */
static bool data_disk(uint64_t *total, uint64_t *avail)
{
    char *dir = NULL;
    if (arvis_place_dir(ARVIS_PLACE_DATA, &dir, NULL) != ARVIS_OK) {
        dir = strdup("/");
    }
    bool ok = false;
    for (int depth = 0; dir && depth < PATH_DEPTH_MAX; depth++) {
        if (arvis_disk_space(dir, total, avail, NULL) == ARVIS_OK) {
            ok = true;
            break;
        }
        char *up = arvis_path_dirname(dir);
        bool top = up && strcmp(up, dir) == 0;
        free(dir);
        dir = up;
        if (top) {
            break;
        }
    }
    free(dir);
    return ok;
}

static void say_status(arvis_buf *b, enum focus f, const arvis_sysinfo *si)
{
    uint64_t total = 0, avail = 0;
    bool disk = (f == F_ALL || f == F_DISK) && data_disk(&total, &avail);
    switch (f) {
    case F_UPTIME:
        say_uptime(b, si->uptime_s);
        arvis_buf_adds(b, ".");
        return;
    case F_LOAD:
        say_load(b, si);
        arvis_buf_adds(b, ", averaged over the last minute.");
        return;
    case F_MEMORY:
        say_bytes(b, si->mem_available, si->mem_total, "memory");
        arvis_buf_adds(b, " are free.");
        return;
    case F_DISK:
        if (!disk) {
            arvis_buf_adds(b, "I cannot measure the disk space of my data folder.");
            return;
        }
        say_bytes(b, avail, total, "disk space");
        arvis_buf_adds(b, " are free on the disk that holds my data.");
        return;
    case F_ALL:
        say_uptime(b, si->uptime_s);
        arvis_buf_adds(b, ", and ");
        say_load(b, si);
        arvis_buf_adds(b, ". ");
        say_bytes(b, si->mem_available, si->mem_total, "memory");
        if (disk) {
            arvis_buf_adds(b, " and ");
            say_bytes(b, avail, total, "disk space");
        }
        arvis_buf_adds(b, " are free.");
        return;
    }
}

static int system_status_handle(struct skill_ctx *ctx, const char *normalised, uint64_t now_ms,
                                char **answer)
{
    (void)ctx;
    (void)now_ms;
    struct sk_words w;
    if (!sk_split(normalised, &w)) {
        return 0;
    }
    enum focus f;
    if (sk_rest_is(&w, 0, all_shapes)) {
        f = F_ALL;
    } else if (sk_rest_is(&w, 0, uptime_shapes)) {
        f = F_UPTIME;
    } else if (sk_rest_is(&w, 0, load_shapes)) {
        f = F_LOAD;
    } else if (sk_rest_is(&w, 0, memory_shapes)) {
        f = F_MEMORY;
    } else if (sk_rest_is(&w, 0, disk_shapes)) {
        f = F_DISK;
    } else {
        return 0;
    }
    arvis_buf b;
    arvis_buf_init(&b, SK_ANSWER_MAX);
    arvis_sysinfo si;
    arvis_error err;
    if (arvis_sysinfo_read(&si, &err) != ARVIS_OK) {
        arvis_buf_addf(&b, "I cannot read the system figures: %s.", err.msg);
    } else {
        say_status(&b, f, &si);
    }
    return sk_answer(&b, answer);
}

const struct skill_ops skill_system_status_ops = {
    .name = "system_status",
    .description = "Reports uptime, load, free memory and disk space: \"how is the system "
                   "doing\", \"how much memory is free\".",
    .can = "report on the system",
    .handle = system_status_handle,
};
