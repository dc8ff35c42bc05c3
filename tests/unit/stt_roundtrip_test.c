/* Speech out and back in: flite (voice slt, 16 kHz) says the commands a voice assistant gets,
 * pocketsphinx with Debian's language model recognises them, and nearly all come back exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/stt.h"
#include "arvis/tts.h"
#include "test_util.h"

enum {
    /* A microphone recording has a little quiet before and after the words. */
    PAD_MS = 300,
    MS_PER_S = 1000,
    TEXT_MAX = 256,
};

/* The commands, and how many of them must come back word for word (the bar). */
static const char *const phrases[] = {
    "what time is it",
    "what is the date today",
    "what is twelve times seven",
    "set a timer for five minutes",
    "what is fifteen percent of eighty",
    "how is the system doing",
    "tell me a joke",
    "stop",
    "help",
    "what's the weather like",
    "what day is it today",
    "cancel the timer",
    "turn up the volume",
    "play some music",
    "how are you",
    "good morning",
    "thank you",
    "what can you do",
    "repeat that please",
    "read me the news",
};
enum { N_PHRASES = sizeof phrases / sizeof phrases[0], MUST_MATCH = 18 };

struct pcm {
    int16_t *s;
    size_t n, cap;
    int rate;
};

static bool collect(const int16_t *pcm, size_t n, int rate, void *ud)
{
    struct pcm *p = ud;
    p->rate = rate;
    if (n == 0) {
        return true;
    }
    if (p->n + n > p->cap) {
        p->cap = (p->n + n) * 2;
        p->s = realloc(p->s, p->cap * sizeof *p->s);
        assert_non_null(p->s);
    }
    memcpy(p->s + p->n, pcm, n * sizeof *pcm);
    p->n += n;
    return true;
}

/* text said by flite, with PAD_MS of silence on each side. The caller frees p.s. */
static struct pcm say(arvis_tts_engine *tts, const char *text)
{
    struct pcm p = {0};
    size_t pad = (size_t)ARVIS_STT_RATE * PAD_MS / MS_PER_S;
    int16_t *quiet = calloc(pad, sizeof *quiet);
    arvis_error err;
    collect(quiet, pad, ARVIS_STT_RATE, &p);
    if (arvis_tts_engine_synth(tts, text, collect, &p, &err) != ARVIS_OK) {
        fail_msg("flite cannot say \"%s\": %s", text, err.msg);
    }
    assert_int_equal(p.rate, ARVIS_STT_RATE);
    collect(quiet, pad, ARVIS_STT_RATE, &p);
    free(quiet);
    return p;
}

/* Lower case, letters and apostrophes only, single spaces: what counts as the same words. */
static void words_only(const char *in, char *out, size_t size)
{
    size_t o = 0;
    bool space = false;
    for (const char *c = in; *c && o + 2 < size; c++) {
        if (isalpha((unsigned char)*c) || *c == '\'') {
            if (space && o) {
                out[o++] = ' ';
            }
            out[o++] = (char)tolower((unsigned char)*c);
            space = false;
        } else {
            space = true;
        }
    }
    out[o] = '\0';
}

struct both {
    arvis_config *cfg;
    arvis_tts_engine *tts;
    arvis_stt *stt;
};

static int setup(void **state)
{
    struct both *b = calloc(1, sizeof *b);
    b->cfg = tu_config(NULL);
    arvis_error err;
    if (arvis_tts_engine_create("flite", b->cfg, "slt", &b->tts, &err) != ARVIS_OK) {
        fail_msg("cannot start flite: %s", err.msg);
    }
    if (arvis_stt_create(b->cfg, "pocketsphinx", &b->stt, &err) != ARVIS_OK) {
        fail_msg("cannot start pocketsphinx: %s", err.msg);
    }
    *state = b;
    return 0;
}

static int teardown(void **state)
{
    struct both *b = *state;
    arvis_stt_destroy(b->stt);
    arvis_tts_engine_destroy(b->tts);
    arvis_config_free(b->cfg);
    free(b);
    return 0;
}

/* What pocketsphinx heard in flite saying text, as words only. */
static void heard(struct both *b, const char *text, char *out, size_t size, double *audio_s,
                  double *elapsed_s)
{
    struct pcm p = say(b->tts, text);
    arvis_stt_result *r = NULL;
    arvis_error err;
    if (arvis_stt_recognize(b->stt, p.s, p.n, &r, &err) != ARVIS_OK) {
        fail_msg("recognising \"%s\" failed: %s", text, err.msg);
    }
    words_only(r->text, out, size);
    *audio_s += r->audio_s;
    *elapsed_s += r->elapsed_s;
    arvis_stt_result_free(r);
    free(p.s);
}

static void test_spoken_commands_come_back_word_for_word(void **state)
{
    struct both *b = *state;
    int matched = 0;
    double audio_s = 0, elapsed_s = 0;
    for (size_t i = 0; i < N_PHRASES; i++) {
        char want[TEXT_MAX], got[TEXT_MAX];
        words_only(phrases[i], want, sizeof want);
        heard(b, phrases[i], got, sizeof got, &audio_s, &elapsed_s);
        bool same = strcmp(want, got) == 0;
        matched += same;
        print_message("# %s \"%s\" heard as \"%s\"\n", same ? "ok  " : "MISS", want, got);
    }
    print_message("# %d of %d recognised exactly; %.1f s of speech in %.2f s (real-time factor "
                  "%.3f)\n",
                  matched, N_PHRASES, audio_s, elapsed_s, elapsed_s / audio_s);
    if (matched < MUST_MATCH) {
        fail_msg("only %d of %d phrases were recognised exactly (at least %d must be)", matched,
                 N_PHRASES, MUST_MATCH);
    }
}

/* "arvis" is not in Debian's dictionary: stt.pocketsphinx.words adds it by default. */
static void test_the_assistants_name_is_recognised(void **state)
{
    struct both *b = *state;
    double audio_s = 0, elapsed_s = 0;
    char got[TEXT_MAX];
    heard(b, "hey arvis, what time is it", got, sizeof got, &audio_s, &elapsed_s);
    print_message("# \"hey arvis, what time is it\" heard as \"%s\"\n", got);
    char padded[TEXT_MAX + 2];
    snprintf(padded, sizeof padded, " %s ", got);
    if (!strstr(padded, " arvis ")) {
        fail_msg("\"%s\" does not have the word arvis", got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spoken_commands_come_back_word_for_word),
        cmocka_unit_test(test_the_assistants_name_is_recognised),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
