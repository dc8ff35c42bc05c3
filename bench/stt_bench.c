/* Benchmark: `arvis listen` next to Debian's pocketsphinx_continuous on the real recordings of
 * pocketsphinx-testdata, both on the same en-us model: time of the whole commands, word error rate.
 */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arvis/arvis.h"
#include "bench_util.h"


enum {
    RUNS = 5,
    MAX_FILES = 16,
    MAX_ARGS = 24,
    TEXT_MAX = 1 << 20, /* largest transcript or output file read */
    TARGET_PERCENT = 105,
    N_SETS = 3, /* librivox, cards, goforward */
};

#define DATA "/usr/share/pocketsphinx/test/data"
#define MODEL "/usr/share/pocketsphinx/model/en-us"
#define HMM MODEL "/en-us"
#define LM MODEL "/en-us.lm.bin"
#define DICT MODEL "/cmudict-en-us.dict"
#define RAW_RATE "16000"

enum tool { ARVIS, REF, TOOLS };
static const char *const TOOL_NAMES[TOOLS] = {"arvis", "ref"};

struct recording {
    char path[PATH_MAX];
    char *ref; /* the transcript */
    bool raw;  /* 16 kHz s16le without a header */
};

struct set {
    const char *name;
    struct recording rec[MAX_FILES];
    int n;
    double ms[TOOLS][RUNS];
    bool failed;
};

/* ---- Word error rate ---- */

/* Lower-cases a token and drops what is not part of a word: punctuation, a "(2)" variant mark;
 * fillers such as <s>, </s>, <sil> and [noise] become empty. */
static void normalise_word(char *w)
{
    if (w[0] == '<' || w[0] == '[' || (w[0] == '+' && w[1] == '+')) {
        w[0] = '\0';
        return;
    }
    char *paren = strchr(w, '(');
    if (paren) {
        *paren = '\0';
    }
    size_t o = 0;
    for (size_t i = 0; w[i]; i++) {
        unsigned char c = (unsigned char)w[i];
        if (isalnum(c) || c == '\'') {
            w[o++] = (char)tolower(c);
        }
    }
    w[o] = '\0';
}

/* Splits text (changed in place) into normalised words; *n gets their count. The caller frees
 * the array, whose words point into text. */
static char **split_words(char *text, size_t *n)
{
    char **w = malloc((strlen(text) / 2 + 1) * sizeof *w);
    *n = 0;
    char *save = NULL;
    for (char *t = strtok_r(text, " \t\r\n", &save); w && t; t = strtok_r(NULL, " \t\r\n", &save)) {
        normalise_word(t);
        if (*t) {
            w[(*n)++] = t;
        }
    }
    return w;
}

/* Word-level Levenshtein distance between a reference and a hypothesis (both changed). */
static size_t word_edits(char *ref, char *hyp, size_t *ref_words)
{
    size_t nr = 0, nh = 0;
    char **r = split_words(ref, &nr);
    char **h = split_words(hyp, &nh);
    size_t *prev = malloc((nh + 1) * sizeof *prev), *cur = malloc((nh + 1) * sizeof *cur);
    if (!r || !h || !prev || !cur) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (size_t j = 0; j <= nh; j++) {
        prev[j] = j;
    }
    for (size_t i = 1; i <= nr; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= nh; j++) {
            size_t sub = prev[j - 1] + (strcmp(r[i - 1], h[j - 1]) != 0);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[nh];
    *ref_words = nr;
    free(r);
    free(h);
    free(prev);
    free(cur);
    return d;
}

/* ---- The recordings and their transcripts ---- */

/* The whole of a text file (the caller frees), or NULL with err (may be NULL) filled. */
static char *read_text(const char *path, arvis_error *err)
{
    char *text = NULL;
    size_t len;
    return arvis_file_read(path, TEXT_MAX, &text, &len, err) == ARVIS_OK ? text : NULL;
}

/* Reads "text (fileid)" lines: each names dir/fileid.wav and gives its transcript. */
static void load_transcripts(struct set *s, const char *dir, const char *list)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/%s", DATA, dir, list);
    arvis_error err;
    char *text = read_text(path, &err);
    if (!text) {
        printf("  %s: %s (install pocketsphinx-testdata)\n", s->name, err.msg);
        s->failed = true;
        return;
    }
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && s->n < MAX_FILES;
         line = strtok_r(NULL, "\n", &save)) {
        char *open = strrchr(line, '('), *close = open ? strchr(open, ')') : NULL;
        if (!close) {
            continue;
        }
        *open = *close = '\0';
        struct recording *r = &s->rec[s->n++];
        snprintf(r->path, sizeof r->path, "%s/%s/%s.wav", DATA, dir, open + 1);
        r->ref = strdup(line);
    }
    free(text);
}

static void load_sets(struct set sets[N_SETS])
{
    sets[0] = (struct set){.name = "librivox"};
    load_transcripts(&sets[0], "librivox", "transcription");
    sets[1] = (struct set){.name = "cards"};
    load_transcripts(&sets[1], "cards", "cards.transcription");
    sets[2] = (struct set){.name = "goforward", .n = 1};
    snprintf(sets[2].rec[0].path, sizeof sets[2].rec[0].path, "%s/goforward.raw", DATA);
    sets[2].rec[0].ref = strdup("go forward ten meters");
    sets[2].rec[0].raw = true;
}

/* ---- Running the commands ---- */

/* What both tools are given before the recording: the same model files. */
static const char *const ARVIS_ARGS[] = {
    "-s", "stt.pocketsphinx.model_dir=" HMM,   "-s",     "stt.pocketsphinx.language_model=" LM,
    "-s", "stt.pocketsphinx.dictionary=" DICT, "listen", NULL};
static const char *const REF_ARGS[] = {"pocketsphinx_continuous",
                                       "-logfn",
                                       "/dev/null",
                                       "-hmm",
                                       HMM,
                                       "-lm",
                                       LM,
                                       "-dict",
                                       DICT,
                                       "-samprate",
                                       RAW_RATE,
                                       "-infile",
                                       NULL};

/* The command line of a tool on one recording (raw PCM goes to arvis on its standard input). */
static void command(enum tool t, const char *arvis, const struct recording *r,
                    const char *argv[MAX_ARGS])
{
    int i = 0;
    if (t == ARVIS) {
        argv[i++] = arvis;
    }
    for (const char *const *a = t == ARVIS ? ARVIS_ARGS : REF_ARGS; *a; a++) {
        argv[i++] = *a;
    }
    if (t == ARVIS && r->raw) {
        argv[i++] = "--rate";
        argv[i++] = RAW_RATE;
    }
    argv[i++] = t == ARVIS && r->raw ? "-" : r->path;
    argv[i] = NULL;
}

static void output_path(char *out, size_t size, const char *dir, const struct set *s, enum tool t,
                        int file, const char *ext)
{
    snprintf(out, size, "%s/%s-%s-%d.%s", dir, s->name, TOOL_NAMES[t], file, ext);
}

/* Prints the first line a failed command wrote on its standard error. */
static void print_failure(const char *errs, const char *const argv[], const char *path)
{
    char *text = read_text(errs, NULL);
    char *nl = text ? strchr(text, '\n') : NULL;
    if (nl) {
        *nl = '\0';
    }
    printf("  %s failed on %s: %s\n", argv[0], path,
           text && *text ? text : "(nothing on standard error: is it built?)");
    free(text);
}

/* One run of a tool over every recording of a set, file after file: the time in all, or -1. */
static double run_set(const struct set *s, enum tool t, const char *arvis, const char *dir)
{
    double total = 0;
    for (int f = 0; f < s->n; f++) {
        const struct recording *r = &s->rec[f];
        const char *argv[MAX_ARGS];
        char out[PATH_MAX], errs[PATH_MAX];
        command(t, arvis, r, argv);
        output_path(out, sizeof out, dir, s, t, f, "out");
        output_path(errs, sizeof errs, dir, s, t, f, "err");
        double ms = bench_run_ms(argv, t == ARVIS && r->raw ? r->path : NULL, out, errs);
        if (ms < 0) {
            print_failure(errs, argv, r->path);
            return -1;
        }
        total += ms;
    }
    return total;
}

/* ---- Figures ---- */
struct score {
    size_t edits[TOOLS], words;
};

/* Scores the outputs of the last run of a set, printing the recordings where the two differ. */
static void score_set(const struct set *s, const char *dir, struct score *sc)
{
    for (int f = 0; f < s->n; f++) {
        char *hyp[TOOLS] = {NULL, NULL};
        for (int t = 0; t < TOOLS; t++) {
            char out[PATH_MAX];
            output_path(out, sizeof out, dir, s, (enum tool)t, f, "out");
            hyp[t] = read_text(out, NULL);
            hyp[t] = hyp[t] ? hyp[t] : strdup("");
            for (char *p = hyp[t]; *p; p++) {
                *p = *p == '\n' ? ' ' : *p; /* one line per utterance */
            }
        }
        if (strcmp(hyp[ARVIS], hyp[REF]) != 0) {
            printf("    %s differs: arvis \"%s\", pocketsphinx_continuous \"%s\"\n",
                   strrchr(s->rec[f].path, '/') + 1, hyp[ARVIS], hyp[REF]);
        }
        for (int t = 0; t < TOOLS; t++) {
            char *ref = strdup(s->rec[f].ref);
            size_t words = 0;
            sc->edits[t] += word_edits(ref, hyp[t], &words);
            sc->words += t == ARVIS ? words : 0;
            free(ref);
            free(hyp[t]);
        }
    }
}

static double wer(size_t edits, size_t words)
{
    return words ? 100.0 * (double)edits / (double)words : 0;
}

static void print_row(const char *name, int files, const struct score *sc, double ma, double mr)
{
    printf("  %-10s %5d %6zu %12.1f ms %12.1f ms %7.3f %10.1f%% %10.1f%%\n", name, files, sc->words,
           ma, mr, ma / mr, wer(sc->edits[ARVIS], sc->words), wer(sc->edits[REF], sc->words));
}

/* Runs every set RUNS times, the two tools in turn (the median leaves out a cold first run). */
static void measure(struct set *sets, int n_sets, const char *arvis, const char *dir)
{
    for (int r = 0; r < RUNS; r++) {
        for (int i = 0; i < n_sets; i++) {
            for (int t = 0; t < TOOLS && !sets[i].failed; t++) {
                sets[i].ms[t][r] = run_set(&sets[i], (enum tool)t, arvis, dir);
                sets[i].failed = sets[i].ms[t][r] < 0;
            }
        }
    }
}

/* Prints the figures; false when a set could not be measured. */
static bool report(struct set *sets, int n_sets, const char *dir)
{
    printf("  %-10s %5s %6s %15s %15s %7s %11s %11s\n", "set", "files", "words", "arvis listen",
           "pocketsphinx", "ratio", "WER arvis", "WER ref");
    struct score all = {0};
    double total[TOOLS][RUNS] = {{0}};
    int files = 0;
    bool complete = true;
    for (int i = 0; i < n_sets; i++) {
        struct set *s = &sets[i];
        if (s->failed) {
            complete = false;
            continue;
        }
        struct score sc = {0};
        score_set(s, dir, &sc);
        for (int t = 0; t < TOOLS; t++) {
            all.edits[t] += sc.edits[t];
            for (int r = 0; r < RUNS; r++) {
                total[t][r] += s->ms[t][r];
            }
        }
        all.words += sc.words;
        files += s->n;
        double ma = median(s->ms[ARVIS], RUNS), mr = median(s->ms[REF], RUNS);
        print_row(s->name, s->n, &sc, ma, mr);
    }
    if (!files) {
        return false;
    }
    double ma = median(total[ARVIS], RUNS), mr = median(total[REF], RUNS);
    print_row(complete ? "total" : "total (some sets failed)", files, &all, ma, mr);
    printf("  time: arvis listen %.3fx pocketsphinx_continuous (target <= %.2f); word error rate "
           "%.1f%% against %.1f%% (target: no worse)\n",
           ma / mr, TARGET_PERCENT / 100.0, wer(all.edits[ARVIS], all.words),
           wer(all.edits[REF], all.words));
    return complete;
}

int main(void)
{
    char arvis[PATH_MAX];
    if (!bench_arvis_path(arvis, sizeof arvis)) {
        return 1;
    }
    char dir[] = "/tmp/arvis-stt-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        return 1;
    }
    setenv("ARVIS_HOME", dir, 1); /* a fresh home: no configuration of the user's */
    struct set sets[N_SETS];
    load_sets(sets);
    printf("arvis listen next to pocketsphinx_continuous -infile on pocketsphinx-testdata, both on "
           "Debian's en-us model;\nmedian of %d runs of each whole command, in turn, file after "
           "file:\n",
           RUNS);
    measure(sets, N_SETS, arvis, dir);
    bool ok = report(sets, N_SETS, dir);
    for (int i = 0; i < N_SETS; i++) {
        for (int f = 0; f < sets[i].n; f++) {
            free(sets[i].rec[f].ref);
        }
    }
    char rm[PATH_MAX + 16];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    return system(rm) == 0 && ok ? 0 : 1;
}
