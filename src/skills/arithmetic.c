/* The arithmetic skill: a whole request that is a sum, in words or symbols ("what is twelve
 * times seven", "15% of 80", "square root of 81"), answered as it reads aloud: "12 times 7 is 84."
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skills_internal.h"

enum {
    ROUND_DECIMALS = 4,    /* an inexact result is said to this many decimals, after "about" */
    MANTISSA_DECIMALS = 2, /* "about 1.27 times 10 to the power of 30" */
};

/* Beyond these a result is said as a power of ten. */
static const double SAY_MAX = 1e15;
static const double SAY_MIN = 1e-4;
/* Relative difference below which a rounded result counts as exact (0.1 + 0.2 is 0.3). */
static const double EXACT_EPSILON = 1e-9;
static const double PERCENT = 100;

static const char *const prefixes[] = {"what is",   "what are",  "how much is",
                                       "what does", "calculate", "compute",
                                       "work out",  "tell me",   NULL};
static const char *const suffixes[] = {"equal", "equals", "make", "come to", NULL};
static const char *const roots[] = {"the square root of",
                                    "square root of",
                                    "the square root",
                                    "square root",
                                    "the root of",
                                    "root of",
                                    "sqrt",
                                    NULL};
static const char *const powers[] = {"to the power of", "to the power", "raised to the power of",
                                     "raised to", NULL};
static const char *const signs[] = {"minus", "negative", NULL};

enum op { OP_NONE, OP_PLUS, OP_MINUS, OP_TIMES, OP_DIVIDE, OP_PERCENT, OP_MODULO };

struct op_word {
    const char *words;
    enum op op;
    const char *said;
};

static const struct op_word sum_ops[] = {
    {"plus", OP_PLUS, "plus"}, {"minus", OP_MINUS, "minus"}, {NULL, OP_NONE, NULL}};
static const struct op_word product_ops[] = {{"times", OP_TIMES, "times"},
                                             {"multiplied by", OP_TIMES, "times"},
                                             {"x", OP_TIMES, "times"},
                                             {"divided by", OP_DIVIDE, "divided by"},
                                             {"over", OP_DIVIDE, "divided by"},
                                             {"percent of", OP_PERCENT, "percent of"},
                                             {"per cent of", OP_PERCENT, "percent of"},
                                             {"modulo", OP_MODULO, "modulo"},
                                             {"mod", OP_MODULO, "modulo"},
                                             {NULL, OP_NONE, NULL}};

struct calc {
    const struct sk_words *w;
    size_t at;
    arvis_buf said; /* the sum as it will be read back */
    int ops;        /* operations seen: a lone number is no sum */
    bool div_zero, neg_root;
};

static bool expr(struct calc *c, double *v);

static void say(struct calc *c, const char *text)
{
    arvis_buf_addf(&c->said, "%s%s", c->said.len ? " " : "", text);
}

static size_t take(struct calc *c, const char *const *phrases)
{
    size_t n = sk_match_any(c->w, c->at, phrases);
    c->at += n;
    return n;
}

static const struct op_word *take_op(struct calc *c, const struct op_word *ops)
{
    for (size_t i = 0; ops[i].words; i++) {
        size_t n = sk_match(c->w, c->at, ops[i].words);
        if (n) {
            c->at += n;
            say(c, ops[i].said);
            c->ops++;
            return &ops[i];
        }
    }
    return NULL;
}

static bool unary(struct calc *c, double *v);

/* A number, a square root, either with "squared" or "cubed" after it. */
static bool primary(struct calc *c, double *v)
{
    if (take(c, roots)) {
        say(c, "the square root of");
        c->ops++;
        if (!unary(c, v)) {
            return false;
        }
        c->neg_root = c->neg_root || *v < 0;
        *v = sqrt(fabs(*v));
        return true;
    }
    size_t n = numwords_parse(c->w, c->at, false, false, v);
    if (!n) {
        return false;
    }
    c->at += n;
    char num[SK_NUMBER_TEXT];
    sk_format_number(*v, num, sizeof num);
    say(c, num);
    if (sk_match(c->w, c->at, "squared") || sk_match(c->w, c->at, "cubed")) {
        bool cubed = strcmp(c->w->w[c->at++], "cubed") == 0;
        say(c, cubed ? "cubed" : "squared");
        *v = cubed ? *v * *v * *v : *v * *v;
        c->ops++;
    }
    return true;
}

static bool unary(struct calc *c, double *v)
{
    if (take(c, signs)) {
        say(c, "minus");
        if (!unary(c, v)) {
            return false;
        }
        *v = -*v;
        return true;
    }
    return primary(c, v);
}

/* Powers bind tightest and to the right: 2 to the power of 3 to the power of 2 is 2^9. */
static bool power(struct calc *c, double *v)
{
    if (!unary(c, v)) {
        return false;
    }
    if (!take(c, powers)) {
        return true;
    }
    say(c, "to the power of");
    c->ops++;
    double e = 0;
    if (!power(c, &e)) {
        return false;
    }
    *v = pow(*v, e);
    return true;
}

static double apply(struct calc *c, enum op op, double a, double b)
{
    switch (op) {
    case OP_PLUS:
        return a + b;
    case OP_MINUS:
        return a - b;
    case OP_TIMES:
        return a * b;
    case OP_PERCENT:
        return a / PERCENT * b;
    case OP_DIVIDE:
    case OP_MODULO:
        if (b == 0) {
            c->div_zero = true;
            return 0;
        }
        return op == OP_DIVIDE ? a / b : fmod(a, b);
    default:
        return a;
    }
}

static bool term(struct calc *c, double *v)
{
    if (!power(c, v)) {
        return false;
    }
    const struct op_word *op;
    while ((op = take_op(c, product_ops)) != NULL) {
        double b = 0;
        if (!power(c, &b)) {
            return false;
        }
        *v = apply(c, op->op, *v, b);
    }
    return true;
}

static bool expr(struct calc *c, double *v)
{
    if (!term(c, v)) {
        return false;
    }
    const struct op_word *op;
    while ((op = take_op(c, sum_ops)) != NULL) {
        double b = 0;
        if (!term(c, &b)) {
            return false;
        }
        *v = apply(c, op->op, *v, b);
    }
    return true;
}

/* "about 1.27 times 10 to the power of 30" */
static void say_power_of_ten(arvis_buf *b, double v)
{
    int exponent = (int)floor(log10(fabs(v)));
    double mantissa = v / pow(10, exponent);
    char m[SK_NUMBER_TEXT], e[SK_NUMBER_TEXT];
    sk_format_number(round(mantissa * pow(10, MANTISSA_DECIMALS)) / pow(10, MANTISSA_DECIMALS), m,
                     sizeof m);
    sk_format_number(exponent, e, sizeof e);
    arvis_buf_addf(b, "about %s times 10 to the power of %s", m, e);
}

static void say_result(arvis_buf *b, double v)
{
    double a = fabs(v);
    if (a >= SAY_MAX || (a < SAY_MIN && a > 0)) {
        say_power_of_ten(b, v);
        return;
    }
    double scale = pow(10, ROUND_DECIMALS);
    double rounded = round(v * scale) / scale;
    bool exact = fabs(rounded - v) <= EXACT_EPSILON * (a > 1 ? a : 1);
    char num[SK_NUMBER_TEXT];
    sk_format_number(rounded, num, sizeof num);
    arvis_buf_addf(b, "%s%s", exact ? "" : "about ", num);
}

static int answer_sum(struct calc *c, double v, char **answer)
{
    arvis_buf b;
    arvis_buf_init(&b, SK_ANSWER_MAX);
    if (c->div_zero) {
        arvis_buf_adds(&b, "I cannot divide by zero.");
    } else if (c->neg_root) {
        arvis_buf_adds(&b, "I cannot take the square root of a negative number.");
    } else if (isnan(v)) {
        arvis_buf_adds(&b, "That has no answer in real numbers.");
    } else if (isinf(v)) {
        arvis_buf_adds(&b, "That number is too large for me to say.");
    } else {
        arvis_buf_addf(&b, "%s is ", arvis_buf_str(&c->said));
        say_result(&b, v);
        arvis_buf_addc(&b, '.');
    }
    return sk_answer(&b, answer);
}

static int arithmetic_handle(struct skill_ctx *ctx, const char *normalised, uint64_t now_ms,
                             char **answer)
{
    (void)ctx;
    (void)now_ms;
    struct sk_words w;
    int rc = numwords_split(normalised, &w);
    if (rc <= 0) {
        return rc;
    }
    struct calc c = {.w = &w};
    arvis_buf_init(&c.said, SK_ANSWER_MAX);
    take(&c, prefixes);
    double v = 0;
    bool whole = expr(&c, &v);
    take(&c, suffixes);
    rc = whole && c.at == w.n && c.ops > 0 ? answer_sum(&c, v, answer) : 0;
    arvis_buf_free(&c.said);
    return rc;
}

const struct skill_ops skill_arithmetic_ops = {
    .name = "arithmetic",
    .description = "Works out sums: \"what is twelve times seven\", \"15% of 80\", \"square root "
                   "of 81\".",
    .can = "work out sums",
    .handle = arithmetic_handle,
};
