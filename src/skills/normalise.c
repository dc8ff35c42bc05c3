/* Normalising a request for the skills: lower case, contractions spelt out, arithmetic symbols
 * as the words a recogniser writes, other punctuation dropped, one space between words. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "skills_internal.h"

/* Room for the longest expansion of one input byte (" to the power of "). */
enum { EXPANSION_MAX = 20, CONTRACTION_MAX = 8 };

struct symbol {
    char c;
    const char *words;
};

static const struct symbol symbols[] = {
    {'+', "plus"}, {'*', "times"}, {'/', "divided by"}, {'%', "percent"}, {'^', "to the power of"},
    {'=', ""},     {0, NULL},
};

/* Characters outside ASCII that stand for one of the symbols above. */
struct wide {
    const char *utf8;
    char ascii;
};

static const struct wide wides[] = {
    {"\xe2\x80\x99", '\''}, /* right single quotation mark, typed for an apostrophe */
    {"\xe2\x80\x98", '\''},
    {"\xc3\x97", '*'},     /* multiplication sign */
    {"\xc3\xb7", '/'},     /* division sign */
    {"\xe2\x88\x92", '-'}, /* minus sign */
    {NULL, 0},
};

/* Words whose "'s" is "is": "what's" is "what is", "today's" only a possessive. */
static const char *const is_words[] = {"what", "how",  "it",   "that", "there", "where",
                                       "who",  "here", "when", "why",  "this",  NULL};

/* Contractions written without their apostrophe. */
static const char *const bare[][2] = {{"whats", "what is"}, {"hows", "how is"}, {NULL, NULL}};

static void space(arvis_buf *b)
{
    if (b->len && b->data[b->len - 1] != ' ') {
        arvis_buf_addc(b, ' ');
    }
}

static void add_words(arvis_buf *b, const char *words)
{
    if (*words) {
        space(b);
        arvis_buf_adds(b, words);
        arvis_buf_addc(b, ' ');
    }
}

/* The word just written (after the last space). */
static const char *last_word(const arvis_buf *b)
{
    const char *s = arvis_buf_str(b);
    const char *sp = strrchr(s, ' ');
    return sp ? sp + 1 : s;
}

static bool in_list(const char *word, const char *const *list)
{
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(word, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Spells out the contraction whose apostrophe is at s[i]; returns the bytes of s it used after
 * the apostrophe. */
static size_t contraction(arvis_buf *b, const char *s, size_t i)
{
    char tail[CONTRACTION_MAX] = "";
    size_t n = 0;
    while (isalpha((unsigned char)s[i + 1 + n]) && n + 1 < sizeof tail) {
        tail[n] = s[i + 1 + n];
        n++;
    }
    tail[n] = '\0';
    const char *word = last_word(b);
    static const char *const endings[][2] = {{"re", " are"},  {"m", " am"},    {"ll", " will"},
                                             {"ve", " have"}, {"d", " would"}, {NULL, NULL}};
    if (strcmp(tail, "s") == 0) {
        /* a possessive keeps its s and loses the apostrophe */
        arvis_buf_adds(b, in_list(word, is_words) ? " is" : "s");
        return n;
    }
    if (strcmp(tail, "t") == 0 && b->len && b->data[b->len - 1] == 'n') {
        if (strcmp(word, "won") == 0) {
            arvis_buf_truncate(b, b->len - strlen("won"));
            arvis_buf_adds(b, "will");
        } else if (strcmp(word, "can") != 0) {
            arvis_buf_truncate(b, b->len - 1);
        }
        arvis_buf_adds(b, " not");
        return n;
    }
    for (size_t k = 0; endings[k][0]; k++) {
        if (strcmp(tail, endings[k][0]) == 0) {
            arvis_buf_adds(b, endings[k][1]);
            return n;
        }
    }
    return 0;
}

static bool is_digit_at(const char *s, size_t i, size_t len)
{
    return i < len && isdigit((unsigned char)s[i]);
}

/* A comma between digits with three digits after it separates thousands: "1,000". */
static bool thousands_comma(const char *s, size_t i, size_t len)
{
    return i > 0 && isdigit((unsigned char)s[i - 1]) && is_digit_at(s, i + 1, len) &&
           is_digit_at(s, i + 2, len) && is_digit_at(s, i + 3, len) && !is_digit_at(s, i + 4, len);
}

/* Writes the punctuation or symbol at s[i]; returns extra bytes of s it used. */
static size_t punctuation(arvis_buf *b, const char *s, size_t i, size_t len)
{
    char c = s[i];
    bool digit_before = i > 0 && isdigit((unsigned char)s[i - 1]);
    bool digit_after = is_digit_at(s, i + 1, len);
    if (c == '\'') {
        return contraction(b, s, i);
    }
    if (c == '-') {
        /* "twenty-one" and "10-second" are words; "-3" and "10 - 3" are arithmetic */
        add_words(b, isalpha((unsigned char)s[i + 1]) ? "" : "minus");
        space(b);
        return 0;
    }
    if (c == '.' && digit_after) {
        arvis_buf_adds(b,
                       digit_before ? "." : (b->len && b->data[b->len - 1] != ' ' ? " 0." : "0."));
        return 0;
    }
    if (c == ',' && thousands_comma(s, i, len)) {
        return 0;
    }
    for (size_t k = 0; symbols[k].words; k++) {
        if (symbols[k].c == c) {
            add_words(b, symbols[k].words);
            return 0;
        }
    }
    space(b);
    return 0;
}

/* The request with the wide characters replaced by their ASCII stand-ins, in lower case. */
static char *narrow(const char *request)
{
    size_t len = strlen(request);
    char *out = malloc(len + 1);
    if (!out) {
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t k = 0;
        while (wides[k].utf8 && strncmp(request + i, wides[k].utf8, strlen(wides[k].utf8)) != 0) {
            k++;
        }
        if (wides[k].utf8) {
            out[o++] = wides[k].ascii;
            i += strlen(wides[k].utf8);
        } else {
            out[o++] = (char)tolower((unsigned char)request[i++]);
        }
    }
    out[o] = '\0';
    return out;
}

/* Spells out the contractions typed without an apostrophe, word by word. */
static char *spell_bare(const char *text)
{
    arvis_buf b;
    arvis_buf_init(&b, strlen(text) * EXPANSION_MAX + 1);
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, " ");
        size_t k = 0;
        while (bare[k][0] && !(strlen(bare[k][0]) == n && strncmp(p, bare[k][0], n) == 0)) {
            k++;
        }
        if (bare[k][0]) {
            arvis_buf_adds(&b, bare[k][1]);
        } else {
            arvis_buf_add(&b, p, n);
        }
        p += n;
        if (*p == ' ') {
            arvis_buf_addc(&b, *p++);
        }
    }
    return arvis_buf_take(&b);
}

char *skills_normalise(const char *request)
{
    if (strlen(request) > SK_REQUEST_MAX) {
        return NULL;
    }
    char *s = narrow(request);
    if (!s) {
        return NULL;
    }
    size_t len = strlen(s);
    arvis_buf b;
    arvis_buf_init(&b, len * EXPANSION_MAX + 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 'x' && i > 0 && isdigit((unsigned char)s[i - 1]) && is_digit_at(s, i + 1, len)) {
            add_words(&b, "times");
        } else if (isalnum(c) || c >= 0x80) {
            arvis_buf_addc(&b, (char)c);
        } else {
            i += punctuation(&b, s, i, len);
        }
    }
    free(s);
    if (b.len && b.data[b.len - 1] == ' ') {
        arvis_buf_truncate(&b, b.len - 1);
    }
    char *spelt = spell_bare(arvis_buf_str(&b));
    arvis_buf_free(&b);
    return spelt;
}
