/* The wake phrase spotter: a pocketsphinx decoder of its own in keyphrase search, one search per
 * threshold (listening, and while Arvis speaks), fed as the audio streams in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "arvis/stt.h"
#include "sphinx_dl.h"

/* Where Debian's pocketsphinx-en-us puts the model; empty config paths mean these. */
#define DEBIAN_HMM "/usr/share/pocketsphinx/model/en-us/en-us"
#define DEBIAN_DICT_NAME "cmudict-en-us.dict" /* beside the acoustic model folder */
#define DEBIAN_PACKAGE "pocketsphinx-en-us"
#define SEARCH_LISTEN "arvis-wake"
#define SEARCH_SPEAKING "arvis-wake-playback"
#define WORDS_KEY "stt.pocketsphinx.words"

enum {
    PATH_BYTES = 4096, /* as the schema's maxLength for the paths */
    /* Detection is looked for after each slice of this many samples of the stream (100 ms),
     * counted from its start, so the caller's chunk sizes do not change what is heard. */
    SLICE = ARVIS_STT_RATE / 10,
    /* An utterance without a detection is restarted after this much audio, so the decoder's
     * memory stays bounded on an endless stream... */
    RESTART_SAMPLES = 30 * ARVIS_STT_RATE,
    /* ...and the newest audio is fed again after the restart, so a phrase said across it is
     * still whole in the new utterance. */
    TAIL_SAMPLES = 2 * ARVIS_STT_RATE,
};

struct arvis_wake {
    ps_decoder_t *ps;
    uint64_t fed;        /* samples fed since create */
    uint64_t last_heard; /* fed at the last detection reported */
    bool heard_before;
    uint64_t cooldown;    /* samples */
    uint64_t utt_samples; /* in the current utterance */
    bool in_utterance;
    bool speaking;              /* the search with wake.playback_threshold is in use */
    int16_t tail[TAIL_SAMPLES]; /* the newest samples, a ring */
    size_t tail_at;
    size_t tail_n;
};

static int missing(const char *what, const char *path, const char *key, arvis_error *err)
{
    return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                           "the pocketsphinx %s %s is missing: install Debian's %s (`sudo apt "
                           "install %s`) or set %s",
                           what, path, DEBIAN_PACKAGE, DEBIAN_PACKAGE, key);
}

/* The acoustic model folder and dictionary: the configured ones, else Debian's, where the
 * dictionary lies beside the model folder. */
static int model_paths(const arvis_config *cfg, char *hmm, char *dict, arvis_error *err)
{
    const char *set = arvis_config_string(cfg, "stt.pocketsphinx.model_dir");
    snprintf(hmm, PATH_BYTES, "%s", set && set[0] ? set : DEBIAN_HMM);
    set = arvis_config_string(cfg, "stt.pocketsphinx.dictionary");
    if (set && set[0]) {
        snprintf(dict, PATH_BYTES, "%s", set);
    } else {
        snprintf(dict, PATH_BYTES, "%s", hmm);
        size_t len = strlen(dict);
        while (len > 1 && dict[len - 1] == '/') {
            dict[--len] = '\0';
        }
        char *slash = strrchr(dict, '/');
        size_t keep = slash ? (size_t)(slash - dict) + 1 : 0;
        snprintf(dict + keep, PATH_BYTES - keep, "%s", DEBIAN_DICT_NAME);
    }
    struct stat st;
    if (stat(hmm, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return missing("acoustic model folder", hmm, "stt.pocketsphinx.model_dir", err);
    }
    if (stat(dict, &st) != 0 || !S_ISREG(st.st_mode)) {
        return missing("dictionary", dict, "stt.pocketsphinx.dictionary", err);
    }
    return ARVIS_OK;
}

static int start_decoder(arvis_wake *w, const char *hmm, const char *dict, arvis_error *err)
{
    /* The decoder's own voice activity detector stays off: after an utterance restarted on a
     * long stream of noise it took everything that followed for silence, phrase included. The
     * keyphrase search's phone loop absorbs the sound that is not the phrase. */
    cmd_ln_t *args = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", dict,
                                 "-remove_silence", "no", NULL);
    if (!args) {
        return arvis_error_set(err, ARVIS_E_INVAL, "pocketsphinx refused the wake settings");
    }
    w->ps = ps_init(args);
    cmd_ln_free_r(args); /* the decoder keeps its own reference */
    if (!w->ps) {
        return arvis_error_set(err, ARVIS_E_UNAVAILABLE,
                               "pocketsphinx could not load the model %s with dictionary %s for "
                               "the wake phrase: reinstall %s or check stt.pocketsphinx.model_dir",
                               hmm, dict, DEBIAN_PACKAGE);
    }
    return ARVIS_OK;
}

/* Makes sure the decoder knows word: from its dictionary, else from stt.pocketsphinx.words. */
static int know_word(arvis_wake *w, const arvis_config *cfg, const char *word, const char *dict,
                     arvis_error *err)
{
    char *known = ps_lookup_word(w->ps, word);
    if (known) {
        ckd_free(known);
        return ARVIS_OK;
    }
    const cJSON *words = arvis_config_get(cfg, WORDS_KEY);
    const char *phones = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(words, word));
    if (!phones) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "wake.phrase: the word \"%s\" is neither in the dictionary %s nor "
                               "in %s: add its pronunciation there (CMU phones, as \"arvis\": "
                               "\"AA R V IH S\")",
                               word, dict, WORDS_KEY);
    }
    if (ps_add_word(w->ps, word, phones, FALSE) < 0) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "%s.%s: \"%s\" has a phone the acoustic model does not know",
                               WORDS_KEY, word, phones);
    }
    return ARVIS_OK;
}

static int know_phrase(arvis_wake *w, const arvis_config *cfg, const char *phrase, const char *dict,
                       arvis_error *err)
{
    char copy[PATH_BYTES];
    snprintf(copy, sizeof copy, "%s", phrase);
    int words = 0;
    char *save = NULL;
    for (char *word = strtok_r(copy, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
        int rc = know_word(w, cfg, word, dict, err);
        if (rc != ARVIS_OK) {
            return rc;
        }
        words++;
    }
    return words ? ARVIS_OK : arvis_error_set(err, ARVIS_E_INVAL, "wake.phrase has no word");
}

/* A keyphrase search takes the decoder's -kws_threshold when it is made, so each threshold
 * gets a search of its own. */
static int add_search(arvis_wake *w, const char *name, const char *phrase, double threshold,
                      arvis_error *err)
{
    cmd_ln_set_float_r(ps_get_config(w->ps), "-kws_threshold", threshold);
    if (ps_set_keyphrase(w->ps, name, phrase) < 0) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "pocketsphinx cannot spot the wake phrase \"%s\"", phrase);
    }
    return ARVIS_OK;
}

static int begin(arvis_wake *w, arvis_error *err)
{
    if (w->in_utterance) {
        ps_end_utt(w->ps);
    }
    w->in_utterance = ps_start_utt(w->ps) >= 0;
    w->utt_samples = 0;
    return w->in_utterance
               ? ARVIS_OK
               : arvis_error_set(err, ARVIS_E_STATE, "pocketsphinx cannot begin listening");
}

static int use_search(arvis_wake *w, const char *name, arvis_error *err)
{
    if (w->in_utterance) {
        ps_end_utt(w->ps); /* pocketsphinx changes searches only between utterances */
        w->in_utterance = false;
    }
    if (ps_set_search(w->ps, name) < 0) {
        return arvis_error_set(err, ARVIS_E_STATE, "pocketsphinx cannot use search %s", name);
    }
    return begin(w, err);
}

int arvis_wake_create(const arvis_config *cfg, arvis_wake **out, arvis_error *err)
{
    *out = NULL;
    if (!sphinx_load(err)) {
        return ARVIS_E_UNAVAILABLE;
    }
    char *hmm = malloc(PATH_BYTES), *dict = malloc(PATH_BYTES);
    arvis_wake *w = calloc(1, sizeof *w);
    const char *phrase = arvis_config_string(cfg, "wake.phrase");
    int rc = ARVIS_OK;
    if (!hmm || !dict || !w) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting the wake spotter");
        goto done;
    }
    w->cooldown = (uint64_t)arvis_config_int(cfg, "wake.cooldown_ms") * ARVIS_STT_RATE / 1000;
    rc = model_paths(cfg, hmm, dict, err);
    if (rc == ARVIS_OK) {
        rc = start_decoder(w, hmm, dict, err);
    }
    if (rc == ARVIS_OK) {
        rc = know_phrase(w, cfg, phrase ? phrase : "", dict, err);
    }
    if (rc == ARVIS_OK) {
        rc = add_search(w, SEARCH_LISTEN, phrase, arvis_config_number(cfg, "wake.threshold"), err);
    }
    if (rc == ARVIS_OK) {
        rc = add_search(w, SEARCH_SPEAKING, phrase,
                        arvis_config_number(cfg, "wake.playback_threshold"), err);
    }
    if (rc == ARVIS_OK) {
        rc = use_search(w, SEARCH_LISTEN, err);
    }
done:
    free(hmm);
    free(dict);
    if (rc != ARVIS_OK) {
        arvis_wake_destroy(w);
        return rc;
    }
    *out = w;
    return ARVIS_OK;
}

void arvis_wake_destroy(arvis_wake *w)
{
    if (!w) {
        return;
    }
    if (w->ps) {
        if (w->in_utterance) {
            ps_end_utt(w->ps);
        }
        ps_free(w->ps);
    }
    free(w);
}

static void keep_tail(arvis_wake *w, const int16_t *pcm, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        w->tail[w->tail_at] = pcm[i];
        w->tail_at = (w->tail_at + 1) % TAIL_SAMPLES;
    }
    w->tail_n = w->tail_n + n < TAIL_SAMPLES ? w->tail_n + n : TAIL_SAMPLES;
}

static int decode(arvis_wake *w, const int16_t *pcm, size_t n, arvis_error *err)
{
    if (ps_process_raw(w->ps, pcm, n, FALSE, FALSE) < 0) {
        return arvis_error_set(err, ARVIS_E_IO, "pocketsphinx could not decode %zu samples", n);
    }
    w->utt_samples += n;
    return ARVIS_OK;
}

/* A new utterance that starts with the newest audio of the old one. */
static int restart_with_tail(arvis_wake *w, arvis_error *err)
{
    int rc = begin(w, err);
    size_t first = (w->tail_at + TAIL_SAMPLES - w->tail_n) % TAIL_SAMPLES;
    size_t wrap = TAIL_SAMPLES - first;
    if (rc == ARVIS_OK) {
        rc = decode(w, w->tail + first, w->tail_n < wrap ? w->tail_n : wrap, err);
    }
    if (rc == ARVIS_OK && w->tail_n > wrap) {
        rc = decode(w, w->tail, w->tail_n - wrap, err);
    }
    return rc;
}

static int feed_slice(arvis_wake *w, const int16_t *pcm, size_t n, bool *heard, arvis_error *err)
{
    int rc = decode(w, pcm, n, err);
    if (rc != ARVIS_OK) {
        return rc;
    }
    w->fed += n;
    keep_tail(w, pcm, n);
    const char *hyp = ps_get_hyp(w->ps, NULL);
    if (hyp && hyp[0]) {
        if (!w->heard_before || w->fed - w->last_heard >= w->cooldown) {
            *heard = true;
            w->heard_before = true;
            w->last_heard = w->fed;
        }
        /* A new utterance, so the same detection is not reported again. */
        w->tail_n = 0;
        return begin(w, err);
    }
    return w->utt_samples >= RESTART_SAMPLES ? restart_with_tail(w, err) : ARVIS_OK;
}

int arvis_wake_feed(arvis_wake *w, const int16_t *pcm, size_t n, bool *heard, arvis_error *err)
{
    if (!heard || !w || (!pcm && n)) {
        return arvis_error_set(err, ARVIS_E_INVAL, "arvis_wake_feed needs a spotter and samples");
    }
    *heard = false;
    if (!w->in_utterance) {
        int rc = begin(w, err);
        if (rc != ARVIS_OK) {
            return rc;
        }
    }
    while (n) {
        size_t room = SLICE - (size_t)(w->fed % SLICE);
        size_t k = n < room ? n : room;
        int rc = feed_slice(w, pcm, k, heard, err);
        if (rc != ARVIS_OK) {
            return rc;
        }
        pcm += k;
        n -= k;
    }
    return ARVIS_OK;
}

int arvis_wake_set_speaking(arvis_wake *w, bool speaking, arvis_error *err)
{
    if (!w) {
        return arvis_error_set(err, ARVIS_E_INVAL, "arvis_wake_set_speaking needs a spotter");
    }
    /* Remembered here: ps_get_search leaks an iterator in pocketsphinx 5prealpha. */
    if (speaking == w->speaking) {
        return ARVIS_OK;
    }
    w->tail_n = 0;
    int rc = use_search(w, speaking ? SEARCH_SPEAKING : SEARCH_LISTEN, err);
    if (rc == ARVIS_OK) {
        w->speaking = speaking;
    }
    return rc;
}

void arvis_wake_reset(arvis_wake *w)
{
    if (w) {
        w->tail_n = 0;
        begin(w, NULL);
    }
}
