/* Sentences for speech, cut from streamed text as soon as each one is known to be complete:
 * abbreviations, decimals, versions, ellipses, quotes, lists, code blocks and line breaks are
 * told apart from real ends, and a long first sentence may go early at a clause boundary. */
#include <stdlib.h>
#include <string.h>

#include "arvis/buf.h"
#include "arvis/llm.h"
#include "arvis/utf8.h"

enum {
    PENDING_MAX_BYTES = 16 * 1024 * 1024,
    SENTENCE_MAX_CHARS = 500, /* a "sentence" longer than this is cut at a space */
    CODE_MAX_BYTES = 16384,   /* a code block longer than this is let go unfinished */
    WORD_MAX = 16,
};

struct arvis_sentencer {
    arvis_buf buf;
    size_t early_chars;
    bool emitted; /* a sentence has gone out: no early clause any more */
    bool in_code; /* the pending text starts inside a ``` block */
};

enum kind { PLAIN, TITLE, ENDER, INITIAL };

/* Abbreviations after which a sentence never ends (a name or a number follows). */
static const char *const titles[] = {
    "mr",     "mrs",  "ms",   "dr",   "prof", "st",  "sr",  "sen", "rep", "gov", "gen", "col", "lt",
    "sgt",    "capt", "mt",   "ft",   "fig",  "no",  "vol", "pp",  "vs",  "e.g", "i.e", "cf",  "ca",
    "approx", "esp",  "incl", "dept", "ref",  "т.е", "т.к", "см",  "ул",  "стр", "рис", "им",
};

/* Abbreviations that may end a sentence: they do when a capital letter follows. */
static const char *const enders[] = {"etc", "a.m",  "p.m", "u.s", "u.k", "u.s.a", "inc", "ltd",
                                     "co",  "corp", "jr",  "т.д", "т.п", "др",    "г",   "гг"};

int arvis_sentencer_create(size_t early_chars, arvis_sentencer **out)
{
    arvis_sentencer *s = calloc(1, sizeof *s);
    if (!s) {
        return ARVIS_E_NOMEM;
    }
    arvis_buf_init(&s->buf, PENDING_MAX_BYTES);
    s->early_chars = early_chars;
    *out = s;
    return ARVIS_OK;
}

void arvis_sentencer_destroy(arvis_sentencer *s)
{
    if (s) {
        arvis_buf_free(&s->buf);
        free(s);
    }
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static uint32_t char_at(const char *t, size_t len, size_t i, size_t *n)
{
    uint32_t cp = 0;
    *n = arvis_utf8_decode(t + i, len - i, &cp);
    if (*n == 0) {
        *n = 1;
        return 0xFFFD;
    }
    return cp;
}

static bool is_upper(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
           (c >= 0x400 && c <= 0x42F);
}

static bool is_lower(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7) ||
           (c >= 0x430 && c <= 0x45F);
}

/* Quotes, brackets and emphasis marks that belong to the sentence they close. */
static size_t skip_closers(const char *t, size_t len, size_t i)
{
    static const char *const closers[] = {"\"", "'", ")", "]",  "*",  "_",
                                          "»",  "”", "’", "」", "』", "）"};
    for (bool again = true; again && i < len;) {
        again = false;
        for (size_t k = 0; k < sizeof closers / sizeof closers[0]; k++) {
            size_t n = strlen(closers[k]);
            if (len - i >= n && memcmp(t + i, closers[k], n) == 0) {
                i += n;
                again = true;
                break;
            }
        }
    }
    return i;
}

static enum kind word_kind(const char *t, size_t start, size_t end)
{
    size_t n = end - start;
    if (n == 0 || n >= WORD_MAX) {
        return PLAIN;
    }
    char w[WORD_MAX];
    for (size_t i = 0; i < n; i++) {
        char c = t[start + i];
        w[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    w[n] = '\0';
    if (n == 1 && w[0] >= 'a' && w[0] <= 'z') {
        return INITIAL;
    }
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
        if (strcmp(w, titles[i]) == 0) {
            return TITLE;
        }
    }
    for (size_t i = 0; i < sizeof enders / sizeof enders[0]; i++) {
        if (strcmp(w, enders[i]) == 0) {
            return ENDER;
        }
    }
    return PLAIN;
}

static bool all_digits(const char *t, size_t start, size_t end)
{
    if (start == end) {
        return false;
    }
    for (size_t i = start; i < end; i++) {
        if (t[i] < '0' || t[i] > '9') {
            return false;
        }
    }
    return true;
}

enum verdict { NOT_END, END, MORE };

/* Decides whether the terminator run at i ends a sentence; on END, *cut is where it stops. */
static enum verdict judge(const char *t, size_t len, size_t i, size_t line_start, bool final,
                          size_t *cut, size_t *run_end)
{
    size_t n;
    uint32_t c = char_at(t, len, i, &n);
    bool cjk = c == 0x3002 || c == 0xFF01 || c == 0xFF1F;
    bool ellipsis = c == 0x2026;
    size_t j = i + n;
    if (c == '.') {
        while (j < len && t[j] == '.') {
            j++;
        }
        ellipsis = j - i >= 2;
    } else if (c == '!' || c == '?') {
        while (j < len && (t[j] == '!' || t[j] == '?')) {
            j++;
        }
    }
    *run_end = j;
    size_t k = skip_closers(t, len, j);
    *cut = k;
    if (k >= len) {
        return final ? END : MORE;
    }
    if (cjk) {
        return END;
    }
    if (!is_space(t[k])) {
        return NOT_END; /* 3.14, v1.6.0, e.g., example.com, "Hi!there" */
    }
    enum kind kind = PLAIN;
    if (c == '.' && !ellipsis) {
        size_t w = i;
        while (w > line_start && !is_space(t[w - 1]) && t[w - 1] != '(' && t[w - 1] != '"') {
            w--;
        }
        bool line_first = true;
        for (size_t p = line_start; p < w; p++) {
            line_first = line_first && is_space(t[p]);
        }
        if (line_first && all_digits(t, w, i)) {
            return NOT_END; /* "1. First step" */
        }
        kind = word_kind(t, w, i);
        if (kind == TITLE) {
            return NOT_END;
        }
    }
    if (kind == PLAIN && !ellipsis) {
        return END;
    }
    /* An abbreviation ends a sentence only if what follows starts one; an ellipsis within a
     * line never does (merging two sentences costs a pause, splitting one costs its sense). */
    size_t next = k;
    bool newline = false;
    while (next < len && is_space(t[next])) {
        newline = newline || t[next] == '\n';
        next++;
    }
    if (newline) {
        return END;
    }
    if (ellipsis) {
        return NOT_END;
    }
    if (next >= len) {
        return final ? END : MORE;
    }
    uint32_t after = char_at(t, len, next, &n);
    if (is_lower(after) || (kind == INITIAL && is_upper(after))) {
        return NOT_END;
    }
    return END;
}

static bool fence_at(const char *t, size_t len, size_t i)
{
    while (i < len && t[i] == ' ') {
        i++;
    }
    return len - i >= 3 && memcmp(t + i, "```", 3) == 0;
}

static bool has_text(const char *t, size_t start, size_t end)
{
    for (size_t i = start; i < end; i++) {
        if (!is_space(t[i])) {
            return true;
        }
    }
    return false;
}

/* The end of the first complete sentence in t, or 0. *more: undecided until more text comes.
 * *code: the ``` state at the returned cut. */
static size_t next_cut(const char *t, size_t len, bool final, bool *more, bool *code)
{
    size_t line_start = 0;
    bool in_code = *code;
    for (size_t i = 0; i < len;) {
        if (i == line_start && fence_at(t, len, i)) {
            const char *nl = memchr(t + i, '\n', len - i);
            if (in_code) {
                if (!nl && !final) {
                    *more = true;
                    return 0;
                }
                *code = false;
                return nl ? (size_t)(nl - t) + 1 : len;
            }
            in_code = true;
            if (!nl) {
                break;
            }
            i = line_start = (size_t)(nl - t) + 1;
            continue;
        }
        char c = t[i];
        if (c == '\n') {
            if (!in_code && has_text(t, 0, i)) {
                *code = in_code;
                return i + 1;
            }
            i = line_start = i + 1;
            continue;
        }
        if (!in_code && (c == '.' || c == '!' || c == '?' || (unsigned char)c >= 0xE2)) {
            size_t n;
            uint32_t cp = char_at(t, len, i, &n);
            if (c == '.' || c == '!' || c == '?' || cp == 0x2026 || cp == 0x3002 || cp == 0xFF01 ||
                cp == 0xFF1F) {
                size_t cut = 0;
                size_t run_end = i + n;
                enum verdict v = judge(t, len, i, line_start, final, &cut, &run_end);
                if (v == END) {
                    *code = in_code;
                    return cut;
                }
                if (v == MORE) {
                    *more = true;
                    return 0;
                }
                i = run_end; /* the whole "..." or "?!" was judged at once */
                continue;
            }
            i += n;
            continue;
        }
        i++;
    }
    return 0;
}

static void emit(arvis_sentencer *s, size_t cut, bool early, arvis_sentence_cb cb, void *ud)
{
    const char *t = s->buf.data;
    size_t a = 0;
    size_t b = cut;
    while (a < b && is_space(t[a])) {
        a++;
    }
    while (b > a && is_space(t[b - 1])) {
        b--;
    }
    if (b > a && cb) {
        cb(t + a, b - a, early, ud);
    }
    if (b > a) {
        s->emitted = true;
    }
    arvis_buf_consume(&s->buf, cut);
}

/* The end of the last clause (", " ": " "; " or a spaced dash) in t, or 0. */
static size_t last_clause(const char *t, size_t len)
{
    static const char *const marks[] = {", ", ": ", "; ", " — ", " – ", " - "};
    size_t best = 0;
    for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
        size_t m = strlen(marks[k]);
        for (size_t i = len; i >= m; i--) {
            if (memcmp(t + i - m, marks[k], m) == 0) {
                /* Cut after a comma-like mark; before a dash, which starts the next clause. */
                size_t at = marks[k][0] == ' ' ? i - m : i - 1;
                best = at > best ? at : best;
                break;
            }
        }
    }
    return best;
}

/* When no sentence ended: an early first clause, or a cut forced by length. Returns true when
 * something went out. */
static bool release_long(arvis_sentencer *s, arvis_sentence_cb cb, void *ud)
{
    const char *t = s->buf.data;
    size_t len = s->buf.len;
    if (s->in_code) {
        if (len > CODE_MAX_BYTES) {
            emit(s, len, false, cb, ud);
            return true;
        }
        return false;
    }
    size_t chars = arvis_utf8_length(t, len);
    if (!s->emitted && s->early_chars > 0 && chars > s->early_chars) {
        size_t cut = last_clause(t, len);
        if (cut > 0) {
            emit(s, cut, true, cb, ud);
            return true;
        }
    }
    if (chars <= SENTENCE_MAX_CHARS) {
        return false;
    }
    /* Cut at the last space within the limit, or at the limit itself. */
    size_t limit = 0;
    for (size_t c = 0; c < SENTENCE_MAX_CHARS && limit < len; c++) {
        uint32_t cp;
        size_t n = arvis_utf8_decode(t + limit, len - limit, &cp);
        limit += n ? n : 1;
    }
    size_t cut = limit;
    while (cut > 0 && !is_space(t[cut - 1])) {
        cut--;
    }
    emit(s, cut > 0 ? cut : limit, false, cb, ud);
    return true;
}

static void drain(arvis_sentencer *s, bool final, arvis_sentence_cb cb, void *ud)
{
    for (;;) {
        bool more = false;
        bool code = s->in_code;
        size_t cut = next_cut(s->buf.data, s->buf.len, final, &more, &code);
        if (cut == 0) {
            if (!more && release_long(s, cb, ud)) {
                continue;
            }
            return;
        }
        emit(s, cut, false, cb, ud);
        s->in_code = code;
    }
}

int arvis_sentencer_add(arvis_sentencer *s, const char *text, size_t len, arvis_sentence_cb cb,
                        void *ud)
{
    int rc = arvis_buf_add(&s->buf, text, len);
    if (rc == ARVIS_OK) {
        drain(s, false, cb, ud);
    }
    return rc;
}

void arvis_sentencer_flush(arvis_sentencer *s, arvis_sentence_cb cb, void *ud)
{
    drain(s, true, cb, ud);
    if (s->buf.len > 0) {
        emit(s, s->buf.len, false, cb, ud);
    }
    s->emitted = false;
    s->in_code = false;
}
