/* Speech out and back in: flite (voice slt, the voice Arvis speaks with) says requests and
 * pocketsphinx recognises them, in command mode (data/commands.gram) and in free speech. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/skills.h"
#include "arvis/stt.h"
#include "stt_audio_test_util.h"
#include "test_util.h"

/* A microphone recording has a little quiet before and after the words. */
static const double PAD_S = 0.3;

enum {
    TEXT_MAX = 256,
    PATH_BYTES = 4096,
    /* The bar, for command mode. */
    COMMANDS_MUST_MATCH = 18,
    /* Debian's general language model on flite's synthetic voices gets about 14 of 20 (slt), 15
     * (kal16) and 17 (awb) of the free-speech phrases right: that is why commands are asserted
     * in command mode. This floor only catches a recogniser that broke. */
    FREE_SPEECH_FLOOR = 12,
};

/* Requests the offline skills answer (each is checked against them below). */
static const char *const commands[] = {
    "what time is it",
    "what is the date today",
    "what day is it today",
    "what is twelve times seven",
    "what is fifteen percent of eighty",
    "what is one hundred divided by eight",
    "what is seven plus five",
    "set a timer for five minutes",
    "set a timer for ten seconds",
    "cancel the timer",
    "how much time is left",
    "how is the system doing",
    "how much memory is free",
    "what is the load",
    "how much disk space is left",
    "assistant status",
    "which engines are you using",
    "help",
    "what can you do",
    "what is the square root of eighty one",
};

/* What people say to a voice assistant, most of it for the language model. */
static const char *const everyday[] = {
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

enum {
    N_COMMANDS = sizeof commands / sizeof commands[0],
    N_EVERYDAY = sizeof everyday / sizeof everyday[0],
};

struct rig {
    arvis_config *cfg;
    arvis_tts_engine *tts;
    arvis_stt *free_speech;
    arvis_stt *command_mode;
};

static int setup(void **state)
{
    char set[PATH_BYTES];
    sat_command_mode(set, sizeof set);
    struct rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->cfg = tu_config(NULL);
    r->tts = sat_voice(r->cfg, "slt");
    r->free_speech = sat_recogniser(NULL);
    r->command_mode = sat_recogniser((const char *[]){set, NULL});
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    arvis_stt_destroy(r->command_mode);
    arvis_stt_destroy(r->free_speech);
    arvis_tts_engine_destroy(r->tts);
    arvis_config_free(r->cfg);
    free(r);
    return 0;
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

/* What stt heard in flite saying text, as words only. */
static void heard(struct rig *r, arvis_stt *stt, const char *text, char *out, size_t size)
{
    arvis_stt_result *res = sat_heard(r->tts, stt, text, PAD_S);
    words_only(res->text, out, size);
    arvis_stt_result_free(res);
}

/* How many of the n phrases stt gives back word for word; each is printed as a TAP note. */
static int count_exact(struct rig *r, arvis_stt *stt, const char *const *phrases, size_t n)
{
    int matched = 0;
    for (size_t i = 0; i < n; i++) {
        char want[TEXT_MAX], got[TEXT_MAX];
        words_only(phrases[i], want, sizeof want);
        heard(r, stt, phrases[i], got, sizeof got);
        bool same = strcmp(want, got) == 0;
        matched += same;
        print_message("# %s \"%s\" heard as \"%s\"\n", same ? "ok  " : "MISS", want, got);
    }
    print_message("# %d of %zu recognised exactly\n", matched, n);
    return matched;
}

/* The command list is fair only if every phrase is one the skills really answer. */
static void test_every_command_is_answered_by_a_skill(void **state)
{
    struct rig *r = *state;
    arvis_skills *skills = NULL;
    arvis_error err;
    if (arvis_skills_create(r->cfg, NULL, &skills, &err) != ARVIS_OK) {
        fail_msg("cannot make the skills: %s", err.msg);
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        arvis_skill_reply reply = {0};
        int rc = arvis_skills_handle(skills, commands[i], 0, &reply, &err);
        if (rc != ARVIS_OK) {
            arvis_skills_destroy(skills);
            fail_msg("no skill answers \"%s\" (%s)", commands[i], arvis_strerror(rc));
        }
        free(reply.text);
    }
    arvis_skills_destroy(skills);
}

static void test_commands_come_back_word_for_word_in_command_mode(void **state)
{
    struct rig *r = *state;
    int matched = count_exact(r, r->command_mode, commands, N_COMMANDS);
    if (matched < COMMANDS_MUST_MATCH) {
        fail_msg("only %d of %d commands were recognised exactly (at least %d must be)", matched,
                 N_COMMANDS, COMMANDS_MUST_MATCH);
    }
}

static void test_free_speech_recognises_most_everyday_phrases(void **state)
{
    struct rig *r = *state;
    int matched = count_exact(r, r->free_speech, everyday, N_EVERYDAY);
    if (matched < FREE_SPEECH_FLOOR) {
        fail_msg("only %d of %d everyday phrases were recognised exactly in free speech (at "
                 "least %d must be)",
                 matched, N_EVERYDAY, FREE_SPEECH_FLOOR);
    }
}

static void assert_has_word(const char *text, const char *word)
{
    char padded[TEXT_MAX + 2], wanted[TEXT_MAX];
    snprintf(padded, sizeof padded, " %s ", text);
    snprintf(wanted, sizeof wanted, " %s ", word);
    if (!strstr(padded, wanted)) {
        fail_msg("\"%s\" does not have the word %s", text, word);
    }
}

/* "arvis" is not in Debian's dictionary: stt.pocketsphinx.words adds it by default, in both
 * modes (the grammar's wake phrase uses it). */
static void test_the_assistants_name_is_recognised(void **state)
{
    struct rig *r = *state;
    const char *said = "hey arvis, what time is it";
    char got[TEXT_MAX];
    heard(r, r->free_speech, said, got, sizeof got);
    print_message("# free speech: \"%s\" heard as \"%s\"\n", said, got);
    assert_has_word(got, "arvis");
    heard(r, r->command_mode, said, got, sizeof got);
    print_message("# command mode: \"%s\" heard as \"%s\"\n", said, got);
    assert_string_equal(got, "hey arvis what time is it");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command_is_answered_by_a_skill),
        cmocka_unit_test(test_commands_come_back_word_for_word_in_command_mode),
        cmocka_unit_test(test_free_speech_recognises_most_everyday_phrases),
        cmocka_unit_test(test_the_assistants_name_is_recognised),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
