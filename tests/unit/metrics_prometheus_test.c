/* The Prometheus text format (0.0.4), read back by a parser of the format written here: every
 * line is a HELP, a TYPE or a sample; labels and help unescape to what was registered; numbers
 * parse back; histogram buckets are cumulative up to +Inf, which equals _count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>
#include <stdbool.h>

#include "arvis/metrics.h"

enum { MAX_SAMPLES = 128, MAX_PAIRS = 6, TEXT = 128 };

struct sample {
    char name[TEXT];
    char label[MAX_PAIRS][2][TEXT];
    int n_labels;
    double value;
};

/* What a parse found: the samples, and per name its help and type. */
struct exposition {
    struct sample s[MAX_SAMPLES];
    char help_name[MAX_SAMPLES][TEXT], help[MAX_SAMPLES][TEXT];
    char type_name[MAX_SAMPLES][TEXT], type[MAX_SAMPLES][TEXT];
    int n, n_help, n_type;
};

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789"

/* Reads a name at *p (colons allowed when colon) into out; false when there is none. */
static bool read_name(const char **p, char *out, bool colon)
{
    size_t n = strspn(*p, colon ? NAME_CHARS ":" : NAME_CHARS);
    if (n == 0 || n >= TEXT || ((*p)[0] >= '0' && (*p)[0] <= '9')) {
        return false;
    }
    snprintf(out, TEXT, "%.*s", (int)n, *p);
    *p += n;
    return true;
}

/* Unescapes text up to end (a quote, or the line's end when quoted is false). */
static bool read_escaped(const char **p, char *out, bool quoted)
{
    size_t n = 0;
    for (; **p && **p != '\n' && !(quoted && **p == '"'); (*p)++) {
        char c = **p;
        if (c == '\\') {
            char e = *++(*p);
            c = e == 'n' ? '\n' : e;
            if (e != 'n' && e != '\\' && !(quoted && e == '"')) {
                return false;
            }
        }
        if (n + 1 >= TEXT) {
            return false;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return !quoted || **p == '"';
}

/* A number as Go's ParseFloat takes it, plus the spellings of the format. */
static bool read_value(const char *text, double *v)
{
    bool special = !strcmp(text, "+Inf") || !strcmp(text, "-Inf") || !strcmp(text, "NaN");
    if (special) {
        *v = text[0] == '+' ? INFINITY : text[0] == '-' ? -INFINITY : NAN;
        return true;
    }
    char *end = NULL;
    *v = strtod(text, &end);
    return end != text && *end == '\0' && strspn(text, "0123456789.eE+-") == strlen(text);
}

static bool parse_labels(const char **p, struct sample *s)
{
    (*p)++; /* { */
    while (**p != '}') {
        if (s->n_labels == MAX_PAIRS || !read_name(p, s->label[s->n_labels][0], false) ||
            strncmp(*p, "=\"", 2) != 0) {
            return false;
        }
        *p += 2;
        if (!read_escaped(p, s->label[s->n_labels++][1], true)) {
            return false;
        }
        if (*++(*p) == ',') { /* past the closing quote */
            (*p)++;
        } else if (**p != '}') {
            return false;
        }
    }
    (*p)++;
    return true;
}

static bool declared(char names[][TEXT], int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* A name's lines are together: a sample belongs to the last TYPE, by its name or, for a
 * histogram NAME, as NAME_bucket, NAME_sum or NAME_count. */
static bool in_last_family(const struct exposition *e, const char *name)
{
    const char *t = e->n_type ? e->type_name[e->n_type - 1] : "";
    size_t n = strlen(t);
    const char *rest = name + n;
    bool histogram = e->n_type && strcmp(e->type[e->n_type - 1], "histogram") == 0;
    return n && strncmp(name, t, n) == 0 &&
           (!*rest || (histogram && (!strcmp(rest, "_bucket") || !strcmp(rest, "_sum") ||
                                     !strcmp(rest, "_count"))));
}

/* A "# HELP" or "# TYPE" line: each name at most once, before its samples. */
static bool parse_comment(struct exposition *e, const char *p)
{
    bool help = strncmp(p, "# HELP ", 7) == 0;
    if (!help && strncmp(p, "# TYPE ", 7) != 0) {
        return false;
    }
    p += 7;
    char name[TEXT];
    if (!read_name(&p, name, true) || *p != ' ') {
        return false;
    }
    p++;
    if (help) {
        snprintf(e->help_name[e->n_help], TEXT, "%s", name);
        return !declared(e->help_name, e->n_help, name) &&
               read_escaped(&p, e->help[e->n_help++], false);
    }
    const char *types = " counter gauge histogram summary untyped ";
    char word[TEXT + 2];
    snprintf(word, sizeof word, " %s ", p);
    if (declared(e->type_name, e->n_type, name) || !strstr(types, word)) {
        return false;
    }
    snprintf(e->type_name[e->n_type], TEXT, "%s", name);
    snprintf(e->type[e->n_type++], TEXT, "%s", p);
    return true;
}

/* A sample line: name{labels} value. */
static bool parse_sample(struct exposition *e, const char *p)
{
    struct sample *s = &e->s[e->n];
    return e->n < MAX_SAMPLES && read_name(&p, s->name, true) &&
           (*p != '{' || parse_labels(&p, s)) && *p == ' ' && in_last_family(e, s->name) &&
           read_value(p + 1, &e->s[e->n++].value);
}

/* Parses the whole text; on a bad line, says which and returns false. */
static bool parse(const char *text, struct exposition *e)
{
    memset(e, 0, sizeof *e);
    char line[1024];
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        if (!nl || (size_t)(nl - p) >= sizeof line) {
            print_error("line not ended or too long: %s\n", p);
            return false;
        }
        snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
        if (!(line[0] == '#' ? parse_comment(e, line) : parse_sample(e, line))) {
            print_error("bad line: %s\n", line);
            return false;
        }
        p = nl + 1;
    }
    return true;
}

static const char *label_of(const struct sample *s, const char *name)
{
    for (int i = 0; i < s->n_labels; i++) {
        if (strcmp(s->label[i][0], name) == 0) {
            return s->label[i][1];
        }
    }
    return NULL;
}

/* True when the sample's label "engine" is engine, or engine is NULL. */
static bool engine_is(const struct sample *s, const char *engine)
{
    const char *l = label_of(s, "engine");
    return !engine || (l && strcmp(l, engine) == 0);
}

/* The value of the sample with this name and (when given) this value of the label "engine". */
static double value_of(const struct exposition *e, const char *name, const char *engine)
{
    for (int i = 0; i < e->n; i++) {
        if (strcmp(e->s[i].name, name) == 0 && engine_is(&e->s[i], engine)) {
            return e->s[i].value;
        }
    }
    fail_msg("no sample %s{engine=\"%s\"}", name, engine ? engine : "");
    return 0;
}

/* Checks a histogram's buckets for one label value: bounds increasing to +Inf, counts
 * cumulative (never decreasing), the +Inf count equal to _count. Returns how many. */
static int check_buckets(const struct exposition *e, const char *name, const char *engine)
{
    char bucket[TEXT], count[TEXT];
    snprintf(bucket, TEXT, "%s_bucket", name);
    snprintf(count, TEXT, "%s_count", name);
    double last_le = -INFINITY, last_count = 0;
    int n = 0;
    for (int i = 0; i < e->n; i++) {
        const struct sample *s = &e->s[i];
        if (strcmp(s->name, bucket) != 0 || !engine_is(s, engine)) {
            continue;
        }
        double le;
        assert_true(read_value(label_of(s, "le"), &le));
        assert_true(le > last_le);
        assert_true(s->value >= last_count);
        last_le = le;
        last_count = s->value;
        n++;
    }
    assert_true(isinf(last_le) && last_le > 0);
    assert_float_equal(last_count, value_of(e, count, engine), 0);
    return n;
}

static char *exposition_of(arvis_metrics *reg)
{
    arvis_metrics_snapshot *s = NULL;
    assert_int_equal(arvis_metrics_snapshot_take(reg, &s), ARVIS_OK);
    arvis_buf b;
    arvis_buf_init(&b, 1 << 20);
    assert_int_equal(arvis_metrics_prometheus(s, &b), ARVIS_OK);
    arvis_metrics_snapshot_free(s);
    return arvis_buf_take(&b);
}

static arvis_metric *get(arvis_metrics *reg, arvis_metric_type type, arvis_metric_opts o)
{
    arvis_metric *m = NULL;
    assert_int_equal(arvis_metrics_get(reg, type, &o, &m, NULL), ARVIS_OK);
    return m;
}

static void test_the_parser_refuses_what_the_format_does_not_allow(void **state)
{
    (void)state;
    struct exposition e;
    assert_true(parse("# TYPE a counter\na{x=\"q\\\"\"} 1\n", &e));
    assert_false(parse("a 1\n", &e));                                 /* no TYPE before it */
    assert_false(parse("# TYPE a counter\na{x=\"q\"\"} 1\n", &e));    /* a bare quote */
    assert_false(parse("# TYPE a counter\na{x=\"q\\t\"} 1\n", &e));   /* an unknown escape */
    assert_false(parse("# TYPE a counter\n# TYPE a gauge\n", &e));    /* TYPE twice */
    assert_false(parse("# TYPE a counter\na inf\n", &e));             /* Go spells it +Inf */
    assert_false(parse("# TYPE a counter\na 1", &e));                 /* no line end */
    assert_false(parse("# TYPE 1a counter\n", &e));                   /* bad name */
    assert_false(parse("# TYPE a counters\n", &e));                   /* no such type */
    assert_false(parse("# TYPE a gauge\n# TYPE b gauge\na 1\n", &e)); /* away from its TYPE */
}

static void test_counters_gauges_and_numbers_read_back(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metric_add(get(reg, ARVIS_METRIC_COUNTER,
                         (arvis_metric_opts){.name = "arvis_llm_tokens_total", .help = "Tokens."}),
                     123456789);
    const double figures[] = {0.1, 1e300, -2.5e-10, 5e-324, NAN, INFINITY, -INFINITY};
    const char *names[] = {"g_a", "g_b", "g_c", "g_d", "g_e", "g_f", "g_g"};
    for (int i = 0; i < 7; i++) {
        arvis_metric_set(get(reg, ARVIS_METRIC_GAUGE, (arvis_metric_opts){.name = names[i]}),
                         figures[i]);
    }
    char *text = exposition_of(reg);
    struct exposition e;
    assert_true(parse(text, &e));
    assert_int_equal(e.n, 8);
    assert_int_equal(e.n_type, 8);
    assert_int_equal(e.n_help, 1); /* no HELP line for no help */
    assert_string_equal(e.type[0], "counter");
    assert_string_equal(e.type[1], "gauge");
    assert_float_equal(value_of(&e, "arvis_llm_tokens_total", NULL), 123456789, 0);
    for (int i = 0; i < 7; i++) {
        double v = value_of(&e, names[i], NULL);
        assert_true(isnan(figures[i]) ? isnan(v) : v == figures[i]);
    }
    assert_non_null(strstr(text, "g_f +Inf\n# TYPE g_g gauge\ng_g -Inf\n"));
    free(text);
    arvis_metrics_destroy(reg);
}

static void test_labels_and_help_unescape_to_what_was_registered(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    const char *odd = "a\\b \"quoted\"\nnext line, {braces}=";
    const char *help = "Back\\slash and\nnewline \"kept\".";
    arvis_metric_label l[] = {{"engine", odd}, {"voice", "slt"}};
    arvis_metric_inc(
        get(reg, ARVIS_METRIC_COUNTER,
            (arvis_metric_opts){.name = "c", .help = help, .labels = l, .n_labels = 2}));
    char *text = exposition_of(reg);
    struct exposition e;
    assert_true(parse(text, &e));
    assert_int_equal(e.n, 1);
    assert_string_equal(label_of(&e.s[0], "engine"), odd);
    assert_string_equal(label_of(&e.s[0], "voice"), "slt");
    assert_string_equal(e.help[0], help);
    /* The raw text has no line break inside a label value or help. */
    assert_non_null(strstr(text, "# HELP c Back\\\\slash and\\nnewline \"kept\".\n"));
    free(text);
    arvis_metrics_destroy(reg);
}

static void test_histogram_buckets_are_cumulative_up_to_the_count(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    arvis_metric_label flite[] = {{"engine", "flite"}};
    arvis_metric_label espeak[] = {{"engine", "espeak"}};
    arvis_metric_opts o = {.name = "arvis_tts_first_audio_seconds", .help = "Time to audio."};
    o.labels = flite;
    o.n_labels = 1;
    arvis_metric *f = get(reg, ARVIS_METRIC_HISTOGRAM, o);
    o.labels = espeak;
    arvis_metric *s = get(reg, ARVIS_METRIC_HISTOGRAM, o);
    const double samples[] = {0.001, 0.005, 0.007, 0.3, 0.3, 4, 11, 250};
    for (int i = 0; i < 8; i++) {
        arvis_metric_observe(f, samples[i]);
    }
    arvis_metric_observe(s, 0.02);
    get(reg, ARVIS_METRIC_HISTOGRAM, (arvis_metric_opts){.name = "empty_seconds"});
    char *text = exposition_of(reg);
    struct exposition e;
    assert_true(parse(text, &e));
    assert_int_equal(e.n_type, 2);
    assert_int_equal(e.n_help, 1);
    assert_string_equal(e.type[0], "histogram");
    /* The default buckets: eleven bounds and +Inf. */
    assert_int_equal(check_buckets(&e, o.name, "flite"), 12);
    assert_int_equal(check_buckets(&e, o.name, "espeak"), 12);
    assert_int_equal(check_buckets(&e, "empty_seconds", NULL), 12);
    assert_float_equal(value_of(&e, "arvis_tts_first_audio_seconds_count", "flite"), 8, 0);
    assert_float_equal(value_of(&e, "arvis_tts_first_audio_seconds_sum", "flite"), 265.613, 1e-9);
    assert_float_equal(value_of(&e, "empty_seconds_count", NULL), 0, 0);
    /* 0.005 is in the le="0.005" bucket (upper bounds are inclusive). */
    assert_non_null(strstr(text, "arvis_tts_first_audio_seconds_bucket{engine=\"flite\","
                                 "le=\"0.005\"} 2\n"));
    assert_non_null(strstr(text, "empty_seconds_bucket{le=\"+Inf\"} 0\n"));
    free(text);
    arvis_metrics_destroy(reg);
}

static void test_a_full_buffer_leaves_it_as_it_was(void **state)
{
    (void)state;
    arvis_metrics *reg = arvis_metrics_create();
    get(reg, ARVIS_METRIC_HISTOGRAM, (arvis_metric_opts){.name = "h"});
    arvis_metrics_snapshot *s = NULL;
    assert_int_equal(arvis_metrics_snapshot_take(reg, &s), ARVIS_OK);
    arvis_metrics_destroy(reg);
    arvis_buf b;
    arvis_buf_init(&b, 64);
    assert_int_equal(arvis_buf_adds(&b, "kept"), ARVIS_OK);
    assert_int_equal(arvis_metrics_prometheus(s, &b), ARVIS_E_TOOBIG);
    assert_string_equal(arvis_buf_str(&b), "kept");
    arvis_buf_free(&b);
    arvis_metrics_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_parser_refuses_what_the_format_does_not_allow),
        cmocka_unit_test(test_counters_gauges_and_numbers_read_back),
        cmocka_unit_test(test_labels_and_help_unescape_to_what_was_registered),
        cmocka_unit_test(test_histogram_buckets_are_cumulative_up_to_the_count),
        cmocka_unit_test(test_a_full_buffer_leaves_it_as_it_was),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
