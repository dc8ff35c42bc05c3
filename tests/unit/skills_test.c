/* The skill router: its order and names, skills.enabled honoured (a disabled skill's request
 * falls through to the language model), normalisation of spoken and typed text, help, the
 * status skills, bad input, and several threads at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>

#include "../../src/skills/skills_internal.h"
#include "skills_test_util.h"

enum {
    THREADS = 4,
    TIMERS_EACH = 20,
    GARBLED_ROUNDS = 5000,
    GARBLED_PIECES = 12, /* pieces in one garbled request, at most */
    GARBLED_MAX = 512,
};

static void test_names_in_router_order(void **state)
{
    (void)state;
    static const char *const order[] = {
        "time", "date", "timer", "arithmetic", "system_status", "assistant_status", "help", NULL};
    const char *const *names = arvis_skill_names();
    for (size_t i = 0; order[i]; i++) {
        assert_non_null(names[i]);
        assert_string_equal(names[i], order[i]);
        const char *d = arvis_skill_describe(names[i]);
        assert_non_null(d);
        /* every description carries an example request in quotes */
        assert_non_null(strchr(d, '"'));
    }
    assert_null(names[sizeof order / sizeof order[0] - 1]);
    assert_null(arvis_skill_describe("weather"));
    assert_null(arvis_skill_describe(NULL));
}

static void test_each_request_reaches_its_skill(void **state)
{
    (void)state;
    static const char *const asks[][2] = {
        {"what time is it", "time"},
        {"what day is it today", "date"},
        {"set a timer for five minutes", "timer"},
        {"what is fifteen percent of eighty", "arithmetic"},
        {"how is the system doing", "system_status"},
        {"are you ok", "assistant_status"},
        {"what can you do", "help"},
    };
    arvis_skills *s = st_skills(NULL, NULL);
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        st_check(s, asks[i][0], 0, asks[i][1], NULL);
    }
    arvis_skills_destroy(s);
}

static void test_disabled_skills_do_not_answer(void **state)
{
    (void)state;
    arvis_skills *s = st_skills((const char *[]){"skills.enabled=[\"time\"]", NULL}, NULL);
    st_check(s, "what time is it", 0, "time", NULL);
    st_check(s, "what is 2 plus 2", 0, NULL, NULL);
    st_check(s, "set a timer for 5 minutes", 0, NULL, NULL);
    assert_int_equal(arvis_skills_active_timers(s), 0);
    st_check(s, "help", 0, NULL, NULL);
    arvis_skills_destroy(s);

    s = st_skills((const char *[]){"skills.enabled=[]", NULL}, NULL);
    st_check(s, "what time is it", 0, NULL, NULL);
    st_check(s, "what can you do", 0, NULL, NULL);
    arvis_skills_destroy(s);

    /* the list's order does not change the router's */
    s = st_skills((const char *[]){"skills.enabled=[\"help\", \"arithmetic\"]", NULL}, NULL);
    st_check(s, "7 plus 5", 0, "arithmetic", "7 plus 5 is 12.");
    st_check(s, "help", 0, "help", "I can work out sums. Anything else I ask the language model.");
    arvis_skills_destroy(s);
}

static void test_normalisation(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"What's 12*7?", "what is 12 times 7"},
        {"15% of 80", "15 percent of 80"},
        {"  Set   a TIMER, for 5 minutes!! ", "set a timer for 5 minutes"},
        {"twenty-one", "twenty one"},
        {"a 10-second timer", "a 10 second timer"},
        {"10 - 3", "10 minus 3"},
        {"10-3", "10 minus 3"},
        {"-3", "minus 3"},
        {"1,000 + 1", "1000 plus 1"},
        {"one, two", "one two"},
        {"3.5x2", "3.5 times 2"},
        {".5 + 1", "0.5 plus 1"},
        {"100/8", "100 divided by 8"},
        {"2^10", "2 to the power of 10"},
        {"12*7=", "12 times 7"},
        {"6 \xc3\x97 7 \xc3\xb7 2", "6 times 7 divided by 2"},
        {"It's late", "it is late"},
        {"today's date", "todays date"},
        {"I don't know", "i do not know"},
        {"can't", "can not"},
        {"won't", "will not"},
        {"you're", "you are"},
        {"what\xe2\x80\x99s the time", "what is the time"},
        {"whats the time", "what is the time"},
        {"Hello. World.", "hello world"},
        {"caf\xc3\xa9", "caf\xc3\xa9"},
        {"", ""},
        {"?!...", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *n = skills_normalise(cases[i][0]);
        assert_non_null(n);
        print_message("# \"%s\" -> \"%s\"\n", cases[i][0], n);
        assert_string_equal(n, cases[i][1]);
        free(n);
    }
}

static void test_courtesies_are_dropped(void **state)
{
    (void)state;
    struct sk_words w;
    assert_true(sk_split("hey arvis can you please tell me the time please", &w));
    assert_int_equal(w.n, 4);
    assert_string_equal(w.w[0], "tell");
    assert_string_equal(w.w[3], "time");
    /* a request made only of courtesies keeps its last word */
    assert_true(sk_split("please", &w));
    assert_int_equal(w.n, 1);
    assert_true(sk_split("", &w));
    assert_int_equal(w.n, 0);
}

static void test_requests_that_only_mention_a_skill_go_on(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    static const char *const asks[] = {
        "tell me about the time of the dinosaurs",
        "what is the meaning of life",
        "help me write a poem",
        "how is the weather doing",
        "what is the load on a bridge",
        "what can you tell me about memory in the brain",
        "are you okay with cats",
        "is the system of equations solvable",
        "disk space in the nineteen eighties",
        "",
        "   ",
        "???",
    };
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        st_check(s, asks[i], 0, NULL, NULL);
    }
    arvis_skills_destroy(s);
}

static void test_help_names_the_enabled_skills(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    st_check(s, "help", 0, "help",
             "I can tell you the time, tell you the date, set timers, work out sums, report on "
             "the system and say how my engines are. Anything else I ask the language model.");
    st_check(s, "Can you help me?", 0, "help", NULL);
    arvis_skills_destroy(s);

    s = st_skills((const char *[]){"skills.enabled=[\"time\", \"help\"]", NULL}, NULL);
    st_check(s, "what can you do", 0, "help",
             "I can tell you the time. Anything else I ask the language model.");
    arvis_skills_destroy(s);

    s = st_skills((const char *[]){"skills.enabled=[\"help\"]", NULL}, NULL);
    st_check(s, "help", 0, "help", "Everything you ask goes to the language model.");
    arvis_skills_destroy(s);
}

static char *engines_status(void *ud)
{
    return strdup((const char *)ud);
}

static void test_assistant_status(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    st_check(s, "are you ok", 0, "assistant_status", "There is nothing to report on my engines.");
    arvis_skills_destroy(s);

    arvis_skills_hooks hooks = {.assistant_status = engines_status,
                                .ud = (void *)"Speech is flite and all engines are healthy."};
    s = st_skills(NULL, &hooks);
    st_check(s, "Which engines are you using?", 0, "assistant_status",
             "Speech is flite and all engines are healthy.");
    st_check(s, "assistant status", 0, "assistant_status",
             "Speech is flite and all engines are healthy.");
    arvis_skills_destroy(s);
}

static void test_system_status(void **state)
{
    (void)state;
    static const char *const asks[][2] = {
        {"how is the system doing", "memory"},
        {"system status", "disk space"},
        {"how much memory is free", "memory are free."},
        {"what is the load", "processor"},
        {"how long has the system been up", "The system has been up for "},
        {"how much disk space is left", "are free on the disk that holds my data."},
    };
    arvis_skills *s = st_skills(NULL, NULL);
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        char *said = st_ask(s, asks[i][0], 0, "system_status", NULL);
        assert_non_null(strstr(said, asks[i][1]));
        free(said);
    }
    char *all = st_ask(s, "how is the system doing", 0, "system_status", NULL);
    assert_non_null(strstr(all, "up for"));
    assert_non_null(strstr(all, "the load is"));
    assert_non_null(strstr(all, "bytes of memory"));
    free(all);
    arvis_skills_destroy(s);
}

static void test_bad_input(void **state)
{
    (void)state;
    arvis_error err = {0};
    arvis_skills *s = (arvis_skills *)&err;
    assert_int_equal(arvis_skills_create(NULL, NULL, &s, &err), ARVIS_E_INVAL);
    assert_null(s);
    assert_non_null(strstr(err.msg, "configuration"));

    s = st_skills(NULL, NULL);
    arvis_skill_reply reply;
    assert_int_equal(arvis_skills_handle(s, NULL, 0, &reply, &err), ARVIS_E_INVAL);
    assert_int_equal(arvis_skills_handle(NULL, "help", 0, &reply, &err), ARVIS_E_INVAL);
    assert_int_equal(arvis_skills_handle(s, "help", 0, NULL, &err), ARVIS_E_INVAL);
    /* a request far longer than any skill's goes to the language model */
    char *big = malloc(100000);
    assert_non_null(big);
    memset(big, 'a', 99999);
    big[99999] = '\0';
    assert_int_equal(arvis_skills_handle(s, big, 0, &reply, &err), ARVIS_E_NOTFOUND);
    assert_null(reply.text);
    /* many short words */
    for (size_t i = 0; i + 2 < 2000; i += 2) {
        big[i] = '1';
        big[i + 1] = '+';
    }
    big[1999] = '\0';
    assert_int_equal(arvis_skills_handle(s, big, 0, &reply, &err), ARVIS_E_NOTFOUND);
    free(big);
    /* bytes that are not UTF-8 */
    assert_int_equal(arvis_skills_handle(s, "\xff\xfe what time", 0, &reply, &err),
                     ARVIS_E_NOTFOUND);
    assert_int_equal(arvis_skills_next_timer(NULL), UINT64_MAX);
    assert_null(arvis_skills_fire_timers(NULL, 0));
    assert_int_equal(arvis_skills_active_timers(NULL), 0);
    arvis_skills_destroy(s);
    arvis_skills_destroy(NULL);
}

/* Pieces a hostile or garbled request is made of: numbers, operators, unit words, symbols. */
static const char *const pieces[] = {
    "what is",
    "minus",
    "point",
    "times",
    "divided by",
    "to the power of",
    "square root of",
    "percent of",
    "and",
    "a",
    "hundred",
    "thousand",
    "billion",
    "timer",
    "set",
    "for",
    "cancel",
    "minutes",
    "hours",
    "and a half",
    "half an",
    "-",
    ".",
    "'",
    "'s",
    "n't",
    "*",
    "/",
    "%",
    "^",
    "\xe2\x80",
    "\xc3",
    "99999999999999999999",
    "0",
    "1e308",
    "nine",
    "twenty",
    "x",
    "12x",
};

static void test_garbled_requests_never_crash(void **state)
{
    (void)state;
    arvis_skills *s = st_skills(NULL, NULL);
    unsigned seed = 7;
    for (int round = 0; round < GARBLED_ROUNDS; round++) {
        char request[GARBLED_MAX] = "";
        int n = 1 + rand_r(&seed) % GARBLED_PIECES;
        for (int i = 0; i < n; i++) {
            const char *p = pieces[rand_r(&seed) % (sizeof pieces / sizeof pieces[0])];
            strncat(request, p, sizeof request - strlen(request) - 2);
            if (rand_r(&seed) % 4) {
                strcat(request, " "); /* room kept by the -2 above */
            }
        }
        arvis_skill_reply reply = {0};
        arvis_error err = {0};
        int rc = arvis_skills_handle(s, request, 0, &reply, &err);
        /* either an answer in words or a plain "not mine" with a message */
        if (rc == ARVIS_OK) {
            assert_non_null(reply.text);
            assert_true(strlen(reply.text) > 0);
        } else {
            assert_int_equal(rc, ARVIS_E_NOTFOUND);
            assert_true(strlen(err.msg) > 0);
        }
        free(reply.text);
    }
    arvis_skills_destroy(s);
}

static void *set_timers(void *ud)
{
    arvis_skills *s = ud;
    for (int i = 0; i < TIMERS_EACH; i++) {
        arvis_skill_reply reply;
        if (arvis_skills_handle(s, "set a timer for 5 seconds", 0, &reply, NULL) == ARVIS_OK) {
            free(reply.text);
        }
        free(arvis_skills_fire_timers(s, 0));
    }
    return NULL;
}

static void test_threads_share_one_skill_set(void **state)
{
    (void)state;
    arvis_skills *s = st_skills((const char *[]){"skills.timer.max_active=100", NULL}, NULL);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, set_timers, s), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
    }
    assert_int_equal(arvis_skills_active_timers(s), THREADS * TIMERS_EACH);
    char *said = arvis_skills_fire_timers(s, 5000);
    assert_non_null(said);
    assert_int_equal(arvis_skills_active_timers(s), 0);
    free(said);
    arvis_skills_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_in_router_order),
        cmocka_unit_test(test_each_request_reaches_its_skill),
        cmocka_unit_test(test_disabled_skills_do_not_answer),
        cmocka_unit_test(test_normalisation),
        cmocka_unit_test(test_courtesies_are_dropped),
        cmocka_unit_test(test_requests_that_only_mention_a_skill_go_on),
        cmocka_unit_test(test_help_names_the_enabled_skills),
        cmocka_unit_test(test_assistant_status),
        cmocka_unit_test(test_system_status),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_garbled_requests_never_crash),
        cmocka_unit_test(test_threads_share_one_skill_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
