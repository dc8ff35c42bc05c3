/* The pocketsphinx recogniser: Debian's en-us model with its language model, or a JSGF grammar
 * for commands; custom words from the config, word timings and confidences from the decoder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "sphinx_dl.h"
#include "stt_internal.h"

/* sphinxbase's JSGF parser leaks a few bytes of tokens on a syntax error; under the leak
 * checker those are ignored, so that the tests see our own leaks only. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARVIS_LSAN 1
#endif
#elif defined(__SANITIZE_ADDRESS__)
#define ARVIS_LSAN 1
#endif
#ifdef ARVIS_LSAN
#include <sanitizer/lsan_interface.h>
#define PARSER_LEAKS_BEGIN() __lsan_disable()
#define PARSER_LEAKS_END() __lsan_enable()
#else
#define PARSER_LEAKS_BEGIN() ((void)0)
#define PARSER_LEAKS_END() ((void)0)
#endif

/* Where Debian's pocketsphinx-en-us puts the model; empty config paths mean these. */
#define DEBIAN_MODEL_ROOT "/usr/share/pocketsphinx/model/en-us"
#define DEBIAN_HMM "en-us"
#define DEBIAN_DICT "cmudict-en-us.dict"
#define DEBIAN_LM "en-us.lm.bin"
#define DEBIAN_PACKAGE "pocketsphinx-en-us"
#define GRAMMAR_SEARCH "arvis-grammar"
#define LM_SEARCH "arvis-lm"

enum {
    PATH_MAX_BYTES = 4096, /* as the schema's maxLength for the paths */
    VARIANTS_MAX = 99,     /* pronunciation variants "word(2)" ... tried for a custom word */
};

struct ps_engine {
    ps_decoder_t *ps;
    char *hmm, *dict, *lm, *grammar; /* lm or grammar is NULL: the one not in use */
    cJSON *words;                    /* the custom words added, as configured */
    double frames_per_s;
    bool in_utterance;
};

/* The configured path at key, or the Debian one in dir; the caller frees. */
static char *path_or(const arvis_config *cfg, const char *key, const char *dir, const char *name)
{
    const char *set = arvis_config_string(cfg, key);
    if (set && set[0]) {
        return strdup(set);
    }
    char *p = malloc(PATH_MAX_BYTES);
    if (p) {
        snprintf(p, PATH_MAX_BYTES, "%s/%s", dir, name);
    }
    return p;
}

static int need(const char *path, bool dir, const char *what, const char *key, arvis_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode))) {
        return ARVIS_OK;
    }
    return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                           "the pocketsphinx %s %s is missing: install Debian's %s (`sudo apt "
                           "install %s`) or set %s",
                           what, path, DEBIAN_PACKAGE, DEBIAN_PACKAGE, key);
}

/* The folder that holds path ("." when it names none). */
static void parent_dir(const char *path, char *out, size_t size)
{
    snprintf(out, size, "%s", path);
    size_t len = strlen(out);
    while (len > 1 && out[len - 1] == '/') {
        out[--len] = '\0';
    }
    char *slash = strrchr(out, '/');
    if (!slash) {
        snprintf(out, size, ".");
    } else {
        slash[slash == out ? 1 : 0] = '\0';
    }
}

/* Finds the model files: the folder holding the acoustic model also holds the dictionary and
 * language model in Debian's layout. */
static int find_paths(struct ps_engine *e, const arvis_config *cfg, arvis_error *err)
{
    e->hmm = path_or(cfg, "stt.pocketsphinx.model_dir", DEBIAN_MODEL_ROOT, DEBIAN_HMM);
    if (!e->hmm) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting pocketsphinx");
    }
    char root[PATH_MAX_BYTES];
    parent_dir(e->hmm, root, sizeof root);
    e->dict = path_or(cfg, "stt.pocketsphinx.dictionary", root, DEBIAN_DICT);
    const char *grammar = arvis_config_string(cfg, "stt.pocketsphinx.grammar");
    if (grammar && grammar[0]) {
        e->grammar = strdup(grammar);
    } else {
        e->lm = path_or(cfg, "stt.pocketsphinx.language_model", root, DEBIAN_LM);
    }
    if (!e->dict || !(e->grammar || e->lm)) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting pocketsphinx");
    }
    int rc = need(e->hmm, true, "acoustic model folder", "stt.pocketsphinx.model_dir", err);
    if (rc == ARVIS_OK) {
        rc = need(e->dict, false, "dictionary", "stt.pocketsphinx.dictionary", err);
    }
    if (rc == ARVIS_OK && e->lm) {
        rc = need(e->lm, false, "language model", "stt.pocketsphinx.language_model", err);
    }
    return rc;
}

/* Adds word with phones, as the next free variant "word(N)" when the dictionary has it already,
 * so the configured pronunciation is one the decoder may choose. */
static int add_word(struct ps_engine *e, const char *word, const char *phones, bool update,
                    arvis_error *err)
{
    char name[PATH_MAX_BYTES];
    snprintf(name, sizeof name, "%s", word);
    for (int v = 2; v <= VARIANTS_MAX; v++) {
        char *known = ps_lookup_word(e->ps, name);
        if (!known) {
            break;
        }
        ckd_free(known);
        snprintf(name, sizeof name, "%s(%d)", word, v);
    }
    if (ps_add_word(e->ps, name, phones, update) >= 0) {
        return ARVIS_OK;
    }
    return arvis_error_set(err, ARVIS_E_INVAL,
                           "stt.pocketsphinx.words.%s: \"%s\" has a phone the acoustic model "
                           "does not know (CMU phones such as AA AE AH AO AW AY B CH D ...)",
                           word, phones);
}

static int add_words(struct ps_engine *e, const arvis_config *cfg, arvis_error *err)
{
    const cJSON *words = arvis_config_get(cfg, "stt.pocketsphinx.words");
    e->words = words ? cJSON_Duplicate(words, true) : cJSON_CreateObject();
    if (!e->words) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting pocketsphinx");
    }
    const cJSON *w;
    int rc = ARVIS_OK;
    cJSON_ArrayForEach(w, e->words)
    {
        /* No search exists yet: the words go into the dictionary, and use_lm adds them to the
         * language model before building the one search. */
        rc = add_word(e, w->string, cJSON_GetStringValue(w), false, err);
        if (rc != ARVIS_OK) {
            break;
        }
    }
    return rc;
}

/* Free speech: the language model, with the custom words added, as the decoder's one search. */
static int use_lm(struct ps_engine *e, arvis_error *err)
{
    ngram_model_t *lm =
        ngram_model_read(ps_get_config(e->ps), e->lm, NGRAM_AUTO, ps_get_logmath(e->ps));
    if (!lm) {
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                               "pocketsphinx could not read the language model %s: reinstall %s "
                               "or check stt.pocketsphinx.language_model",
                               e->lm, DEBIAN_PACKAGE);
    }
    const cJSON *w;
    cJSON_ArrayForEach(w, e->words)
    {
        /* A word the model knows keeps its probability: only the pronunciation is new. */
        if (ngram_wid(lm, w->string) == ngram_unknown_wid(lm)) {
            ngram_model_add_word(lm, w->string, 1.0f);
        }
    }
    int rc = ps_set_lm(e->ps, LM_SEARCH, lm) < 0 || ps_set_search(e->ps, LM_SEARCH) < 0
                 ? arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                                   "pocketsphinx could not use the language model %s", e->lm)
                 : ARVIS_OK;
    ngram_model_free(lm); /* the search keeps its own reference */
    return rc;
}

static int use_grammar(struct ps_engine *e, arvis_error *err)
{
    if (need(e->grammar, false, "grammar", "stt.pocketsphinx.grammar", NULL) != ARVIS_OK) {
        return arvis_error_set(err, ARVIS_E_NOTFOUND,
                               "stt.pocketsphinx.grammar: there is no grammar file %s", e->grammar);
    }
    /* Parsed once on its own first, so a syntax error is told apart from unknown words. */
    PARSER_LEAKS_BEGIN();
    jsgf_t *g = jsgf_parse_file(e->grammar, NULL);
    PARSER_LEAKS_END();
    if (!g || !jsgf_get_public_rule(g)) {
        if (g) {
            jsgf_grammar_free(g); /* it does not take NULL */
        }
        return arvis_error_set(err, ARVIS_E_PARSE,
                               "stt.pocketsphinx.grammar: %s is not a JSGF grammar with a public "
                               "rule (see its syntax at https://www.w3.org/TR/jsgf/)",
                               e->grammar);
    }
    jsgf_grammar_free(g);
    if (ps_set_jsgf_file(e->ps, GRAMMAR_SEARCH, e->grammar) < 0 ||
        ps_set_search(e->ps, GRAMMAR_SEARCH) < 0) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "stt.pocketsphinx.grammar: %s uses words the dictionary %s does not "
                               "have: add them to stt.pocketsphinx.words",
                               e->grammar, e->dict);
    }
    return ARVIS_OK;
}

static int start_decoder(struct ps_engine *e, arvis_error *err)
{
    /* No language model yet: the search is built once, by use_lm, after the custom words are
     * in the dictionary (adding a word to a built search rebuilds it: ~90 ms). */
    cmd_ln_t *args = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", e->hmm, "-dict", e->dict, NULL);
    if (!args) {
        return arvis_error_set(err, ARVIS_E_INVAL, "pocketsphinx refused its settings");
    }
    e->frames_per_s = cmd_ln_int32_r(args, "-frate");
    e->ps = ps_init(args);
    cmd_ln_free_r(args); /* the decoder keeps its own reference */
    if (!e->ps) {
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                               "pocketsphinx could not load the model %s with dictionary %s: "
                               "reinstall %s or check stt.pocketsphinx.model_dir",
                               e->hmm, e->dict, DEBIAN_PACKAGE);
    }
    return ARVIS_OK;
}

static void ps_destroy(void *state)
{
    struct ps_engine *e = state;
    if (!e) {
        return;
    }
    if (e->ps) {
        ps_free(e->ps);
    }
    free(e->hmm);
    free(e->dict);
    free(e->lm);
    free(e->grammar);
    cJSON_Delete(e->words);
    free(e);
}

static int ps_create(const arvis_config *cfg, void **state, arvis_error *err)
{
    if (!sphinx_load(err)) {
        return ARVIS_E_UNAVAILABLE;
    }
    struct ps_engine *e = calloc(1, sizeof *e);
    if (!e) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting pocketsphinx");
    }
    int rc = find_paths(e, cfg, err);
    if (rc == ARVIS_OK) {
        rc = start_decoder(e, err);
    }
    if (rc == ARVIS_OK) {
        rc = add_words(e, cfg, err);
    }
    if (rc == ARVIS_OK) {
        rc = e->grammar ? use_grammar(e, err) : use_lm(e, err);
    }
    if (rc != ARVIS_OK) {
        ps_destroy(e);
        return rc;
    }
    *state = e;
    return ARVIS_OK;
}

/* The model files are there, the acoustic model's own included, and readable: what a start
 * needs, found without loading anything (loading takes most of a second). */
static int ps_check(const arvis_config *cfg, arvis_error *err)
{
    static const char *const hmm_files[] = {"mdef", "means", "variances", "transition_matrices"};
    struct ps_engine e = {0};
    int rc = sphinx_load(err) ? find_paths(&e, cfg, err) : ARVIS_E_UNAVAILABLE;
    for (size_t i = 0; rc == ARVIS_OK && i < sizeof hmm_files / sizeof hmm_files[0]; i++) {
        char path[PATH_MAX_BYTES];
        snprintf(path, sizeof path, "%s/%s", e.hmm, hmm_files[i]);
        rc = need(path, false, "acoustic model file", "stt.pocketsphinx.model_dir", err);
    }
    const char *const files[] = {e.dict, e.lm, e.grammar};
    for (size_t i = 0; rc == ARVIS_OK && i < sizeof files / sizeof files[0]; i++) {
        if (files[i] && access(files[i], R_OK) != 0) {
            rc = arvis_error_errno(err, errno, "cannot read %s", files[i]);
        }
    }
    free(e.hmm);
    free(e.dict);
    free(e.lm);
    free(e.grammar);
    return rc;
}

static int ps_start(void *state, arvis_error *err)
{
    struct ps_engine *e = state;
    if (e->in_utterance) {
        ps_end_utt(e->ps);
    }
    /* Word times count from the start of the stream; a stream per utterance makes them count
     * from the utterance, and its noise estimate is the utterance's own. */
    e->in_utterance = ps_start_stream(e->ps) >= 0 && ps_start_utt(e->ps) >= 0;
    return e->in_utterance ? ARVIS_OK
                           : arvis_error_set(err, ARVIS_E_STATE,
                                             "pocketsphinx cannot begin an "
                                             "utterance");
}

static int ps_feed(void *state, const int16_t *pcm, size_t n, arvis_error *err)
{
    struct ps_engine *e = state;
    if (ps_process_raw(e->ps, pcm, n, FALSE, FALSE) < 0) {
        return arvis_error_set(err, ARVIS_E_IO, "pocketsphinx could not decode %zu samples", n);
    }
    return ARVIS_OK;
}

static char *ps_partial(void *state)
{
    struct ps_engine *e = state;
    const char *hyp = ps_get_hyp(e->ps, NULL);
    return hyp && hyp[0] ? strdup(hyp) : NULL;
}

/* Silences, sentence marks and noises: <s>, </s>, <sil>, [NOISE], ++BREATH++; and "(NULL)", the
 * empty steps between a grammar's rules, which the grammar search lists as segments too. */
static bool is_filler(const char *w)
{
    return !w || !w[0] || w[0] == '<' || w[0] == '[' || w[0] == '+' || strcmp(w, "(NULL)") == 0;
}

/* The length of w without a pronunciation variant "(2)". */
static size_t base_length(const char *w)
{
    size_t len = strlen(w);
    const char *open = strrchr(w, '(');
    if (open && open != w && len > 0 && w[len - 1] == ')' &&
        strspn(open + 1, "0123456789") == (size_t)(w + len - 1 - (open + 1))) {
        return (size_t)(open - w);
    }
    return len;
}

static int collect_words(struct ps_engine *e, arvis_stt_result *r, arvis_error *err)
{
    logmath_t *lmath = ps_get_logmath(e->ps);
    ps_get_prob(e->ps); /* works out the posteriors the segments' confidences come from */
    for (ps_seg_t *seg = ps_seg_iter(e->ps); seg; seg = ps_seg_next(seg)) {
        const char *w = ps_seg_word(seg);
        if (is_filler(w)) {
            continue;
        }
        int sf = 0, ef = 0;
        ps_seg_frames(seg, &sf, &ef);
        double conf = logmath_exp(lmath, ps_seg_prob(seg, NULL, NULL, NULL));
        conf = conf < 0 ? 0 : conf > 1 ? 1 : conf;
        if (stt_result_add_word(r, w, base_length(w), sf / e->frames_per_s,
                                (ef + 1) / e->frames_per_s, conf) != ARVIS_OK) {
            ps_seg_free(seg);
            return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory reading the words heard");
        }
    }
    return ARVIS_OK;
}

static int ps_finish(void *state, arvis_stt_result *r, arvis_error *err)
{
    struct ps_engine *e = state;
    e->in_utterance = false;
    if (ps_end_utt(e->ps) < 0) {
        return arvis_error_set(err, ARVIS_E_IO, "pocketsphinx could not end the utterance");
    }
    return collect_words(e, r, err);
}

static void ps_status(const void *state, cJSON *o)
{
    const struct ps_engine *e = state;
    cJSON_AddStringToObject(o, "model_dir", e->hmm);
    cJSON_AddStringToObject(o, "dictionary", e->dict);
    cJSON_AddStringToObject(o, "mode", e->grammar ? "grammar" : "language_model");
    if (e->lm) {
        cJSON_AddStringToObject(o, "language_model", e->lm);
    } else {
        cJSON_AddStringToObject(o, "grammar", e->grammar);
    }
    cJSON_AddItemToObject(o, "words", cJSON_Duplicate(e->words, true));
}

const struct stt_engine_ops stt_pocketsphinx_ops = {
    .name = "pocketsphinx",
    .description = "CMU pocketsphinx, offline, with Debian's US English model or a JSGF grammar",
    .create = ps_create,
    .start = ps_start,
    .feed = ps_feed,
    .partial = ps_partial,
    .finish = ps_finish,
    .check = ps_check,
    .status = ps_status,
    .destroy = ps_destroy,
};
