/* `arvis metrics`: the stored samples reloaded, plus one reading of the system, printed as a
 * summary table, JSON, the Prometheus text format or CSV. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli_metrics.h"

const char cmd_metrics_usage[] =
    "Usage: arvis metrics [--json | --prometheus | --csv] [--since DURATION]\n"
    "\n"
    "Reloads the samples stored in the metrics folder of the data folder, reads the system\n"
    "figures once (CPU, memory, load, NVIDIA GPUs), and prints per series its count, min, max,\n"
    "mean, p50, p95 and p99 over the newest samples (metrics.window), or counters' and gauges'\n"
    "values.\n"
    "\n"
    "  --json            the figures as JSON\n"
    "  --prometheus      the Prometheus text format, version 0.0.4\n"
    "  --csv             one CSV line per series\n"
    "  --since DURATION  only samples of the last DURATION: 30s, 10m, 2h, 7d\n";

enum out_format { OUT_TABLE, OUT_JSON, OUT_PROMETHEUS, OUT_CSV };
enum { PROM_MAX = 64 * 1024 * 1024 };

/* "30s", "10m", "2h", "7d" as seconds; false for anything else. */
static bool parse_duration(const char *s, double *out)
{
    static const struct {
        char unit;
        double seconds;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || !(v > 0) || !isfinite(v) || !end[0] || end[1]) {
        return false;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (*end == units[i].unit) {
            *out = v * units[i].seconds;
            return true;
        }
    }
    return false;
}

static int parse_args(int argc, char **argv, enum out_format *fmt, double *since)
{
    static const char *const names[] = {NULL, "--json", "--prometheus", "--csv"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *d = strncmp(a, "--since=", 8) == 0 ? a + 8 : NULL;
        if (strcmp(a, "--since") == 0) {
            if (++i == argc) {
                return cli_usage_error("metrics", "--since needs a duration such as 10m");
            }
            d = argv[i];
        }
        if (d && !parse_duration(d, since)) {
            return cli_usage_error("metrics",
                                   "--since: \"%s\" is not a duration; write a number and s, m, "
                                   "h or d, such as 30s, 10m, 2h or 7d",
                                   d);
        }
        enum out_format f = OUT_TABLE;
        for (int k = OUT_JSON; k <= OUT_CSV; k++) {
            f = strcmp(a, names[k]) == 0 ? (enum out_format)k : f;
        }
        if (f != OUT_TABLE && *fmt != OUT_TABLE) {
            return cli_usage_error("metrics", "give only one of --json, --prometheus and --csv");
        }
        if (f == OUT_TABLE && !d) {
            return cli_usage_error("metrics", "unknown argument %s", a);
        }
        *fmt = f != OUT_TABLE ? f : *fmt;
    }
    return CLI_EXIT_OK;
}

/* name{a="x",b="y"} into out. */
static const char *series_name(const arvis_metric_series *s, char *out, size_t size)
{
    int n = snprintf(out, size, "%s", s->name);
    for (size_t i = 0; i < s->n_labels && n >= 0 && (size_t)n < size; i++) {
        n += snprintf(out + n, size - (size_t)n, "%s%s=\"%s\"%s", i ? "," : "{", s->labels[i].name,
                      s->labels[i].value, i + 1 == s->n_labels ? "}" : "");
    }
    return out;
}

static void print_table(const arvis_metrics_snapshot *snap, const arvis_metrics_load_report *r,
                        const char *dir, unsigned gpus)
{
    char name[512];
    if (r->samples == 0) {
        printf("no stored samples in %s\n", dir);
    } else {
        printf("%zu stored samples from %zu files in %s\n", r->samples, r->files, dir);
    }
    printf("\n%-52s %7s %9s %9s %9s %9s %9s %9s  %s\n", "HISTOGRAM", "COUNT", "MIN", "MAX", "MEAN",
           "P50", "P95", "P99", "UNIT");
    for (size_t i = 0; i < snap->n; i++) {
        const arvis_metric_series *s = &snap->series[i];
        const arvis_metric_window *w = &s->window;
        if (s->type == ARVIS_METRIC_HISTOGRAM) {
            printf("%-52s %7zu %9.4g %9.4g %9.4g %9.4g %9.4g %9.4g  %s\n",
                   series_name(s, name, sizeof name), w->count, w->min, w->max, w->mean, w->p50,
                   w->p95, w->p99, arvis_metrics_unit(s->name));
        }
    }
    printf("\n%-52s %17s  %s\n", "COUNTER OR GAUGE", "VALUE", "UNIT");
    for (size_t i = 0; i < snap->n; i++) {
        const arvis_metric_series *s = &snap->series[i];
        if (s->type != ARVIS_METRIC_HISTOGRAM) {
            printf("%-52s %17.10g  %s\n", series_name(s, name, sizeof name), s->value,
                   arvis_metrics_unit(s->name));
        }
    }
    if (gpus) {
        printf("\nGPU: %u found through NVML\n", gpus);
    } else {
        printf("\nGPU: none found\n");
    }
}

static int print_json(const arvis_metrics_snapshot *snap, const arvis_metrics_load_report *r,
                      const char *dir, unsigned gpus)
{
    cJSON *o = arvis_metrics_snapshot_json(snap);
    cJSON *stored = o ? cJSON_AddObjectToObject(o, "stored") : NULL;
    bool ok = stored && cJSON_AddStringToObject(stored, "dir", dir) &&
              cJSON_AddNumberToObject(stored, "files", (double)r->files) &&
              cJSON_AddNumberToObject(stored, "samples", (double)r->samples) &&
              cJSON_AddNumberToObject(stored, "bad_lines", (double)r->bad_lines) &&
              cJSON_AddNumberToObject(o, "gpus", gpus);
    char *text = ok ? arvis_json_print(o, 2) : NULL;
    cJSON_Delete(o);
    if (!text) {
        cli_error("out of memory printing the metrics");
        return CLI_EXIT_FAILURE;
    }
    puts(text);
    free(text);
    return CLI_EXIT_OK;
}

static int print_prometheus(const arvis_metrics_snapshot *snap)
{
    arvis_buf b;
    arvis_buf_init(&b, PROM_MAX);
    int rc = arvis_metrics_prometheus(snap, &b);
    if (rc == ARVIS_OK) {
        fputs(arvis_buf_str(&b), stdout);
    } else {
        cli_error("cannot print the metrics: %s", arvis_strerror(rc));
    }
    arvis_buf_free(&b);
    return rc == ARVIS_OK ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

/* A CSV field: quoted, its quotes doubled. */
static void csv_field(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"') {
            putchar('"');
        }
        putchar(*s);
    }
    putchar('"');
}

static void print_csv(const arvis_metrics_snapshot *snap)
{
    printf("name,labels,type,count,value,min,max,mean,p50,p95,p99,unit\n");
    for (size_t i = 0; i < snap->n; i++) {
        const arvis_metric_series *s = &snap->series[i];
        char labels[512] = "";
        int n = 0;
        for (size_t k = 0; k < s->n_labels && n >= 0 && (size_t)n < sizeof labels; k++) {
            n += snprintf(labels + n, sizeof labels - (size_t)n, "%s%s=%s", k ? ";" : "",
                          s->labels[k].name, s->labels[k].value);
        }
        printf("%s,", s->name);
        csv_field(labels);
        const arvis_metric_window *w = &s->window;
        if (s->type == ARVIS_METRIC_HISTOGRAM) {
            printf(",histogram,%zu,,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%s\n", w->count, w->min,
                   w->max, w->mean, w->p50, w->p95, w->p99, arvis_metrics_unit(s->name));
        } else {
            printf(",%s,,%.17g,,,,,,,%s\n", arvis_metric_type_name(s->type), s->value,
                   arvis_metrics_unit(s->name));
        }
    }
}

/* Loads the stored samples and one system reading into reg. */
static int gather(const arvis_config *cfg, arvis_metrics *reg, double since, char **dir,
                  arvis_metrics_load_report *r, unsigned *gpus)
{
    arvis_metrics_store_params p = arvis_metrics_store_default_params();
    arvis_metrics_store_params_from_config(cfg, &p);
    arvis_error err;
    int rc = arvis_metrics_set_default_window(reg, (size_t)arvis_config_int(cfg, "metrics.window"),
                                              &err);
    if (rc == ARVIS_OK) {
        rc = arvis_metrics_store_dir(&p, dir, &err);
    }
    double since_s = since > 0 ? arvis_clock_wall() - since : 0;
    if (rc == ARVIS_OK) {
        rc = arvis_metrics_store_load(&p, reg, since_s, r, &err);
    }
    arvis_metrics_system *sys = NULL;
    if (rc == ARVIS_OK) {
        rc = arvis_metrics_system_create(reg, arvis_config_bool(cfg, "metrics.gpu"), NULL, &sys,
                                         &err);
    }
    if (rc == ARVIS_OK && arvis_metrics_system_sample(sys, &err) != ARVIS_OK) {
        cli_warning("%s", err.msg); /* the stored figures are still worth printing */
    }
    *gpus = arvis_metrics_system_gpus(sys);
    arvis_metrics_system_destroy(sys);
    return rc == ARVIS_OK ? CLI_EXIT_OK : cli_failure(rc, &err);
}

int cmd_metrics(struct cli_ctx *ctx, int argc, char **argv)
{
    enum out_format fmt = OUT_TABLE;
    double since = 0;
    int code = parse_args(argc, argv, &fmt, &since);
    arvis_config *cfg = NULL;
    if (code == CLI_EXIT_OK) {
        code = cli_load_config(ctx, &cfg);
    }
    if (code != CLI_EXIT_OK) {
        return code;
    }
    cli_apply_logging(ctx, cfg, false);
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metrics_snapshot *snap = NULL;
    arvis_metrics_load_report r = {0};
    char *dir = NULL;
    unsigned gpus = 0;
    code = reg ? gather(cfg, reg, since, &dir, &r, &gpus) : CLI_EXIT_FAILURE;
    if (code == CLI_EXIT_OK && arvis_metrics_snapshot_take(reg, &snap) != ARVIS_OK) {
        cli_error("out of memory taking the metrics");
        code = CLI_EXIT_FAILURE;
    }
    if (code == CLI_EXIT_OK) {
        switch (fmt) {
        case OUT_TABLE:
            print_table(snap, &r, dir, gpus);
            break;
        case OUT_JSON:
            code = print_json(snap, &r, dir, gpus);
            break;
        case OUT_PROMETHEUS:
            code = print_prometheus(snap);
            break;
        case OUT_CSV:
            print_csv(snap);
            break;
        }
    }
    arvis_metrics_snapshot_free(snap);
    arvis_metrics_destroy(reg);
    free(dir);
    arvis_config_free(cfg);
    return code;
}
