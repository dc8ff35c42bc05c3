/* The words of a request and how skills match them against whole phrases, plus the small
 * helpers every answer uses: numbers as they read aloud and handing an answer back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skills_internal.h"

/* Largest whole number written with all its digits; above it doubles lose units. */
static const double EXACT_MAX = 1e15;

/* Words around a request that change nothing in what it asks. */
static const char *const courtesies[] = {
    "please", "hey arvis", "ok arvis",  "okay arvis", "arvis",    "hey",         "ok", "okay",
    "so",     "can you",   "could you", "would you",  "will you", "do you know", NULL,
};
static const char *const closings[] = {"please", "thank you", "thanks", "for me", NULL};

size_t sk_match(const struct sk_words *w, size_t at, const char *phrase)
{
    size_t used = 0;
    const char *p = phrase;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (at + used >= w->n || strlen(w->w[at + used]) != n || strncmp(w->w[at + used], p, n)) {
            return 0;
        }
        used++;
        p += n;
        p += *p == ' ';
    }
    return used;
}

size_t sk_match_any(const struct sk_words *w, size_t at, const char *const *phrases)
{
    size_t best = 0;
    for (size_t i = 0; phrases[i]; i++) {
        size_t n = sk_match(w, at, phrases[i]);
        best = n > best ? n : best;
    }
    return best;
}

bool sk_rest_is(const struct sk_words *w, size_t at, const char *const *phrases)
{
    for (size_t i = 0; phrases[i]; i++) {
        size_t n = sk_match(w, at, phrases[i]);
        if (n && at + n == w->n) {
            return true;
        }
    }
    return false;
}

/* Drops the courtesies at the start and the closings at the end, so a skill sees only the
 * request itself; a request made only of them is left alone. */
static void drop_courtesies(struct sk_words *w)
{
    size_t first = 0, n;
    while ((n = sk_match_any(w, first, courtesies)) != 0 && first + n < w->n) {
        first += n;
    }
    memmove(w->w, w->w + first, (w->n - first) * sizeof w->w[0]);
    w->n -= first;
    for (bool dropped = true; dropped && w->n > 1;) {
        dropped = false;
        for (size_t i = 0; closings[i]; i++) {
            size_t words = 1 + (strchr(closings[i], ' ') != NULL);
            if (w->n > words && sk_match(w, w->n - words, closings[i]) == words) {
                w->n -= words;
                dropped = true;
            }
        }
    }
}

bool sk_split(const char *text, struct sk_words *out)
{
    out->n = 0;
    size_t len = strlen(text);
    if (len > SK_REQUEST_MAX) {
        return false;
    }
    memcpy(out->text, text, len + 1);
    for (char *save = NULL, *tok = strtok_r(out->text, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        if (out->n == SK_WORDS_MAX) {
            return false;
        }
        out->w[out->n++] = tok;
    }
    drop_courtesies(out);
    return true;
}

bool sk_asked(const char *normalised, const char *const *phrases)
{
    struct sk_words w;
    return sk_split(normalised, &w) && sk_rest_is(&w, 0, phrases);
}

int sk_answer(arvis_buf *b, char **answer)
{
    if (!b->data) {
        arvis_buf_free(b);
        return ARVIS_E_NOMEM;
    }
    /* every answer is a sentence, so it starts with a capital */
    if (b->data[0] >= 'a' && b->data[0] <= 'z') {
        b->data[0] = (char)(b->data[0] - 'a' + 'A');
    }
    *answer = arvis_buf_take(b);
    return *answer ? 1 : ARVIS_E_NOMEM;
}

void sk_format_number(double v, char *out, size_t size)
{
    const char *sign = v < 0 ? "minus " : "";
    double a = fabs(v);
    if (a < EXACT_MAX && a == floor(a)) {
        snprintf(out, size, "%s%.0f", a == 0 ? "" : sign, a);
        return;
    }
    char digits[SK_NUMBER_TEXT];
    snprintf(digits, sizeof digits, a < EXACT_MAX ? "%.6f" : "%.6g", a);
    if (a < EXACT_MAX) {
        /* 12.500000 reads as 12.5 */
        char *end = digits + strlen(digits) - 1;
        while (*end == '0') {
            *end-- = '\0';
        }
        if (*end == '.') {
            *end = '\0';
        }
    }
    snprintf(out, size, "%s%s", strcmp(digits, "0") == 0 ? "" : sign, digits);
}
