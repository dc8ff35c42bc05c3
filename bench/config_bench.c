/* Benchmark: validating the effective configuration against the schema, next to Debian's
 * python3-jsonschema validating the same document against the same schema in the same run,
 * and the whole arvis_config_load (read, parse, merge, validate) that every command pays. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arvis/clock.h"
#include "arvis/config.h"
#include "arvis/file.h"
#include "arvis/json.h"
#include "config_internal.h"

enum { ROUNDS = 2000, LOAD_ROUNDS = 500 };

static const char *python = "/usr/bin/python3";

/* Python reference: the same schema and instance, all errors collected, best of three runs. */
static const char *reference_script =
    "import json,sys,time\n"
    "from jsonschema import Draft7Validator\n"
    "schema=json.load(open(sys.argv[1])); doc=json.load(open(sys.argv[2])); n=int(sys.argv[3])\n"
    "v=Draft7Validator(schema)\n"
    "best=None\n"
    "for _ in range(3):\n"
    "    t=time.perf_counter()\n"
    "    for _ in range(n): errors=list(v.iter_errors(doc))\n"
    "    d=(time.perf_counter()-t)/n\n"
    "    best=d if best is None or d<best else best\n"
    "assert not errors\n"
    "print('%.3f' % (best*1e6))\n";

static double reference_us(const char *schema_path, const char *doc_path, int rounds)
{
    char script_path[] = "/tmp/arvis-bench-XXXXXX";
    int fd = mkstemp(script_path);
    if (fd < 0 || write(fd, reference_script, strlen(reference_script)) < 0) {
        return -1;
    }
    close(fd);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s %s %s %s %d", python, script_path, schema_path, doc_path, rounds);
    FILE *p = popen(cmd, "r");
    double us = -1;
    if (p && fscanf(p, "%lf", &us) != 1) {
        us = -1;
    }
    if (p) {
        pclose(p);
    }
    unlink(script_path);
    return us;
}

static double validate_us(const cJSON *doc, int rounds)
{
    schema_validator *v = NULL;
    if (validator_create(config_schema(), &v) != ARVIS_OK) {
        return -1;
    }
    double best = -1;
    for (int run = 0; run < 3; run++) {
        uint64_t t0 = arvis_clock_ns();
        for (int i = 0; i < rounds; i++) {
            arvis_config_report r;
            arvis_config_report_init(&r);
            if (!validator_check(v, doc, &r)) {
                fprintf(stderr, "bench: the document does not validate\n");
                exit(1);
            }
            arvis_config_report_free(&r);
        }
        double us = arvis_clock_elapsed_ms(t0, arvis_clock_ns()) * 1000.0 / rounds;
        best = (best < 0 || us < best) ? us : best;
    }
    validator_destroy(v);
    return best;
}

static double load_us(const char *file, int rounds)
{
    arvis_config_options opts = {.file = file, .require_file = true, .ignore_env = true};
    uint64_t t0 = arvis_clock_ns();
    for (int i = 0; i < rounds; i++) {
        arvis_config *cfg = NULL;
        if (arvis_config_load(&opts, &cfg, NULL, NULL) != ARVIS_OK) {
            fprintf(stderr, "bench: cannot load %s\n", file);
            exit(1);
        }
        arvis_config_free(cfg);
    }
    return arvis_clock_elapsed_ms(t0, arvis_clock_ns()) * 1000.0 / rounds;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOURCE_ROOT\n", argv[0]);
        return 2;
    }
    char schema_path[4096];
    char fixture[4096];
    snprintf(schema_path, sizeof schema_path, "%s/data/config.schema.json", argv[1]);
    snprintf(fixture, sizeof fixture, "%s/tests/data/defaults-like.json", argv[1]);

    /* The document: the effective configuration for the fixture (every key present). */
    arvis_config_options opts = {.file = fixture, .require_file = true, .ignore_env = true};
    arvis_config *cfg = NULL;
    arvis_error err;
    if (arvis_config_load(&opts, &cfg, NULL, &err) != ARVIS_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    char *text = arvis_config_to_text(cfg, 2);
    cJSON *doc = NULL;
    arvis_json_parse(text, strlen(text), &doc, NULL);
    char doc_path[] = "/tmp/arvis-bench-doc-XXXXXX";
    int fd = mkstemp(doc_path);
    if (fd < 0 || write(fd, text, strlen(text)) < 0) {
        return 1;
    }
    close(fd);

    double ours = validate_us(doc, ROUNDS);
    double ref = reference_us(schema_path, doc_path, ROUNDS / 10);
    double load = load_us(fixture, LOAD_ROUNDS);
    printf("config: validating the effective configuration (%d sections, %zu bytes of JSON)\n",
           cJSON_GetArraySize(doc), strlen(text));
    printf("  arvis validator            %10.2f us per document\n", ours);
    if (ref > 0) {
        printf("  python3-jsonschema (Debian) %9.2f us per document\n", ref);
        printf("  ratio arvis/reference      %10.3f\n", ours / ref);
    } else {
        printf("  python3-jsonschema          not available (install python3-jsonschema)\n");
    }
    printf("  arvis_config_load (read, parse, merge, validate) %.2f us per load\n", load);
    unlink(doc_path);
    free(text);
    cJSON_Delete(doc);
    arvis_config_free(cfg);
    return 0;
}
