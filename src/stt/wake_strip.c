/* The wake phrase taken off the front of a transcript, whatever the recogniser made of its case,
 * punctuation and spacing ("Hey, Arvis. What time is it?" -> "What time is it?"). */
#include <ctype.h>
#include <stddef.h>

#include "arvis/stt.h"

/* Letters, digits, apostrophes and any byte of a non-ASCII character make up words; the rest
 * (spaces, punctuation) only separates them. */
static bool word_char(char c)
{
    unsigned char u = (unsigned char)c;
    return u >= 0x80 || isalnum(u) || c == '\'';
}

static const char *skip_separators(const char *s)
{
    while (*s && !word_char(*s)) {
        s++;
    }
    return s;
}

static bool same_letter(char a, char b)
{
    return tolower((unsigned char)a) == tolower((unsigned char)b);
}

/* When the word at t is the word at p, returns the end of the word at t, else NULL. */
static const char *match_word(const char *p, const char *t)
{
    while (word_char(*p) && word_char(*t) && same_letter(*p, *t)) {
        p++;
        t++;
    }
    return word_char(*p) || word_char(*t) ? NULL : t;
}

const char *arvis_wake_strip(const char *phrase, const char *transcript)
{
    if (!phrase || !transcript) {
        return transcript;
    }
    const char *p = skip_separators(phrase);
    const char *t = skip_separators(transcript);
    if (!*p) {
        return transcript;
    }
    while (*p) {
        t = match_word(p, t);
        if (!t) {
            return transcript;
        }
        while (word_char(*p)) {
            p++;
        }
        p = skip_separators(p);
        t = skip_separators(t);
    }
    return t;
}
