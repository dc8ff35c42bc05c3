/* Command mode with data/commands.gram: what the recogniser does with sentences outside the
 * grammar (it forces them into commands), and that free speech hears them as said. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arvis/skills.h"
#include "arvis/stt.h"
#include "stt_audio_test_util.h"
#include "test_util.h"

static const double PAD_S = 0.3;

enum { PATH_BYTES = 4096 };

/* Requests for the language model: none is a command. */
static const char *const elsewhere[] = {
    "tell me about the moon",
    "what is the capital of france",
    "write me a poem about cats",
    "who won the football game yesterday",
};
enum { N_ELSEWHERE = sizeof elsewhere / sizeof elsewhere[0] };

struct rig {
    arvis_config *cfg;
    arvis_tts_engine *tts;
    arvis_skills *skills;
};

static arvis_stt *recogniser(bool command_mode)
{
    char set[PATH_BYTES];
    sat_command_mode(set, sizeof set);
    return sat_recogniser(command_mode ? (const char *[]){set, NULL} : NULL);
}

static int setup(void **state)
{
    struct rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->cfg = tu_config(NULL);
    r->tts = sat_voice(r->cfg, "slt");
    arvis_error err;
    if (arvis_skills_create(r->cfg, NULL, &r->skills, &err) != ARVIS_OK) {
        fail_msg("cannot make the skills: %s", err.msg);
    }
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    arvis_skills_destroy(r->skills);
    arvis_tts_engine_destroy(r->tts);
    arvis_config_free(r->cfg);
    free(r);
    return 0;
}

static bool a_skill_answers(struct rig *r, const char *request)
{
    arvis_skill_reply reply = {0};
    arvis_error err;
    int rc = arvis_skills_handle(r->skills, request, 0, &reply, &err);
    free(reply.text);
    return rc == ARVIS_OK;
}

static void test_the_command_grammar_loads(void **state)
{
    (void)state;
    arvis_stt *s = recogniser(true);
    cJSON *st = arvis_stt_status(s);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(st, "mode")), "grammar");
    assert_non_null(
        strstr(cJSON_GetStringValue(cJSON_GetObjectItem(st, "grammar")), "commands.gram"));
    cJSON_Delete(st);
    arvis_stt_destroy(s);
}

/* Command mode does not refuse: the decoder can only end on a sentence of the grammar, so a
 * request for the language model comes back as the nearest command (or, when no path of the
 * grammar reaches the end of the audio, as nothing), and the words' confidences are no help.
 * That is why command mode cannot be the default of an assistant that also asks a language
 * model. This test states that behaviour; if a change makes command mode refuse, update it. */
static void test_command_mode_forces_other_requests_into_commands(void **state)
{
    struct rig *r = *state;
    arvis_stt *s = recogniser(true);
    size_t forced = 0;
    for (size_t i = 0; i < N_ELSEWHERE; i++) {
        arvis_stt_result *res = sat_heard(r->tts, s, elsewhere[i], PAD_S);
        bool command = res->text[0] && a_skill_answers(r, res->text);
        print_message("# \"%s\" heard as \"%s\"%s\n", elsewhere[i], res->text,
                      command ? ": a command" : "");
        if (res->text[0] && !command) {
            fail_msg("\"%s\" came back as \"%s\", which is neither nothing nor a command",
                     elsewhere[i], res->text);
        }
        assert_false(a_skill_answers(r, elsewhere[i]));
        forced += command;
        arvis_stt_result_free(res);
    }
    print_message("# %zu of %d requests for the language model became commands\n", forced,
                  N_ELSEWHERE);
    assert_true(forced > 0);
    arvis_stt_destroy(s);
}

/* The same request in free speech: the general model hears it word for word. */
static void test_free_speech_hears_what_command_mode_cannot(void **state)
{
    struct rig *r = *state;
    arvis_stt *s = recogniser(false);
    arvis_stt_result *res = sat_heard(r->tts, s, elsewhere[0], PAD_S);
    print_message("# free speech: \"%s\" heard as \"%s\"\n", elsewhere[0], res->text);
    assert_string_equal(res->text, elsewhere[0]);
    arvis_stt_result_free(res);
    arvis_stt_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_command_grammar_loads),
        cmocka_unit_test(test_command_mode_forces_other_requests_into_commands),
        cmocka_unit_test(test_free_speech_hears_what_command_mode_cannot),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
