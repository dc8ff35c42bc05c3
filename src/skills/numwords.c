/* Numbers in words, as a speech recogniser writes them, read into values: "twelve", "one hundred
 * and five", "two thousand", "minus three", "three point five", "a" in "a minute". */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "skills_internal.h"

enum { TEN = 10, HUNDRED = 100 };

/* What a word can follow: a number is read while each word may follow the one before. */
enum kind { K_NONE, K_UNIT, K_TEEN, K_TENS, K_HUNDRED, K_SCALE, K_DIGITS };

struct numword {
    const char *word;
    int value;
};

static const struct numword small[] = {
    {"zero", 0},     {"one", 1},      {"two", 2},        {"three", 3},     {"four", 4},
    {"five", 5},     {"six", 6},      {"seven", 7},      {"eight", 8},     {"nine", 9},
    {"ten", 10},     {"eleven", 11},  {"twelve", 12},    {"thirteen", 13}, {"fourteen", 14},
    {"fifteen", 15}, {"sixteen", 16}, {"seventeen", 17}, {"eighteen", 18}, {"nineteen", 19},
    {"twenty", 20},  {"thirty", 30},  {"forty", 40},     {"fifty", 50},    {"sixty", 60},
    {"seventy", 70}, {"eighty", 80},  {"ninety", 90},    {NULL, 0},
};

static const struct {
    const char *word;
    double value;
} scales[] = {{"thousand", 1e3}, {"million", 1e6}, {"billion", 1e9}, {NULL, 0}};

static int small_value(const char *word)
{
    for (size_t i = 0; small[i].word; i++) {
        if (strcmp(word, small[i].word) == 0) {
            return small[i].value;
        }
    }
    return -1;
}

static double scale_value(const char *word)
{
    for (size_t i = 0; scales[i].word; i++) {
        if (strcmp(word, scales[i].word) == 0) {
            return scales[i].value;
        }
    }
    return 0;
}

/* A number typed in digits: "12", "3.5", ".5" (never "inf" or "0x10", which strtod takes). */
static bool digits_value(const char *word, double *value)
{
    bool digit = false;
    for (const char *p = word; *p; p++) {
        if (!isdigit((unsigned char)*p) && *p != '.') {
            return false;
        }
        digit = digit || isdigit((unsigned char)*p);
    }
    char *end = NULL;
    *value = strtod(word, &end);
    return digit && *end == '\0';
}

static bool is_number_word(const struct sk_words *w, size_t at)
{
    double v;
    return at < w->n && (small_value(w->w[at]) >= 0 || digits_value(w->w[at], &v));
}

static bool may_follow(enum kind last, enum kind next)
{
    switch (next) {
    case K_UNIT:
        return last == K_NONE || last == K_TENS || last == K_HUNDRED || last == K_SCALE;
    case K_TEEN:
    case K_TENS:
        return last == K_NONE || last == K_HUNDRED || last == K_SCALE;
    default:
        return false;
    }
}

/* The whole part: words up to the first that cannot follow. Returns the words used. */
static size_t whole_part(const struct sk_words *w, size_t at, double *value)
{
    double total = 0, current = 0, last_scale = INFINITY;
    enum kind last = K_NONE;
    size_t i = at;
    for (; i < w->n; i++) {
        const char *word = w->w[i];
        int v = small_value(word);
        double scale = scale_value(word), typed = 0;
        enum kind k = v < 0 ? K_NONE : v < TEN ? K_UNIT : v < 2 * TEN ? K_TEEN : K_TENS;
        if (v == 0 && last != K_NONE) {
            break; /* "zero" is a number only on its own */
        }
        if (k != K_NONE && may_follow(last, k)) {
            current += v;
        } else if (last == K_NONE && digits_value(word, &typed)) {
            current = typed;
            k = K_DIGITS;
        } else if (strcmp(word, "hundred") == 0 &&
                   (last == K_NONE || last == K_UNIT || last == K_TEEN || last == K_TENS ||
                    (last == K_DIGITS && current < TEN * TEN))) {
            current = (last == K_NONE ? 1 : current) * HUNDRED;
            k = K_HUNDRED;
        } else if (scale > 0 && scale < last_scale && last != K_SCALE) {
            total += (last == K_NONE ? 1 : current) * scale;
            current = 0;
            last_scale = scale;
            k = K_SCALE;
        } else if (strcmp(word, "and") == 0 && (last == K_HUNDRED || last == K_SCALE) &&
                   i + 1 < w->n && small_value(w->w[i + 1]) > 0) {
            continue; /* "one hundred and five": the and belongs to the number */
        } else {
            break;
        }
        if (k == K_DIGITS && (i + 1 >= w->n || (strcmp(w->w[i + 1], "hundred") != 0 &&
                                                scale_value(w->w[i + 1]) == 0))) {
            i++; /* "12" is a whole number; "5 thousand" goes on */
            last = k;
            break;
        }
        last = k;
    }
    *value = total + current;
    return last == K_NONE ? 0 : i - at;
}

/* "point five", "point one four": digits after the point, one word each. */
static size_t fraction_part(const struct sk_words *w, size_t at, double *fraction)
{
    if (at >= w->n || strcmp(w->w[at], "point") != 0) {
        return 0;
    }
    double f = 0, place = 0.1;
    size_t i = at + 1;
    for (; i < w->n; i++) {
        int v = strcmp(w->w[i], "oh") == 0 ? 0 : small_value(w->w[i]);
        if (v < 0 || v >= TEN) {
            break;
        }
        f += v * place;
        place /= TEN;
    }
    if (i == at + 1) {
        return 0;
    }
    *fraction = f;
    return i - at;
}

size_t numwords_parse(const struct sk_words *w, size_t at, bool allow_sign, bool allow_article,
                      double *value)
{
    double sign = 1;
    size_t i = at;
    if (allow_sign && i < w->n &&
        (strcmp(w->w[i], "minus") == 0 || strcmp(w->w[i], "negative") == 0)) {
        sign = -1;
        i++;
    }
    double whole = 0, fraction = 0;
    size_t n = 0;
    bool article = i < w->n && (strcmp(w->w[i], "a") == 0 || strcmp(w->w[i], "an") == 0);
    if (article && i + 1 < w->n &&
        (strcmp(w->w[i + 1], "hundred") == 0 || scale_value(w->w[i + 1]) > 0)) {
        /* "a hundred", "a thousand": read as "one hundred" from the scale word on */
        n = 1 + whole_part(w, i + 1, &whole);
    } else if (article) {
        n = allow_article && !is_number_word(w, i + 1) ? 1 : 0;
        whole = 1;
    } else {
        n = whole_part(w, i, &whole);
    }
    bool typed_decimal = n == 1 && strchr(w->w[i], '.') != NULL;
    size_t f = typed_decimal ? 0 : fraction_part(w, i + n, &fraction);
    if (n + f == 0) {
        return 0;
    }
    *value = sign * (whole + fraction);
    return i - at + n + f;
}

char *numwords_to_digits(const char *normalised)
{
    struct sk_words *w = malloc(sizeof *w);
    if (!w) {
        return NULL;
    }
    char *out = NULL;
    if (!sk_split(normalised, w)) {
        /* too many words for any skill: no skill will match it either way */
        out = strdup(normalised);
        goto done;
    }
    arvis_buf b;
    arvis_buf_init(&b, SK_REQUEST_MAX * 2);
    for (size_t i = 0; i < w->n;) {
        double v = 0;
        size_t n = numwords_parse(w, i, false, false, &v);
        char num[SK_NUMBER_TEXT];
        if (n == 1 && digits_value(w->w[i], &v)) {
            n = 0; /* typed digits stay as typed: 1e20 has no short exact form */
        } else if (n) {
            sk_format_number(v, num, sizeof num);
        }
        arvis_buf_addf(&b, "%s%s", b.len ? " " : "", n ? num : w->w[i]);
        i += n ? n : 1;
    }
    out = arvis_buf_take(&b);
done:
    free(w);
    return out;
}

int numwords_split(const char *normalised, struct sk_words *out)
{
    char *digits = numwords_to_digits(normalised);
    if (!digits) {
        return ARVIS_E_NOMEM;
    }
    bool ok = sk_split(digits, out);
    free(digits);
    return ok ? 1 : 0;
}
