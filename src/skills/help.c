/* The help skill: "help", "what can you do" answered with what the enabled skills do, and that
 * anything else goes to the language model. */
#include <stdlib.h>

#include "skills_internal.h"

static const char *const shapes[] = {
    "help",
    "help me",
    "what can you do",
    "what else can you do",
    "what can you help me with",
    "what can i ask you",
    "what can i say",
    "what are your skills",
    "which skills do you have",
    "what skills do you have",
    "list your skills",
    NULL,
};

static int help_handle(struct skill_ctx *ctx, const char *normalised, uint64_t now_ms,
                       char **answer)
{
    (void)now_ms;
    if (!sk_asked(normalised, shapes)) {
        return 0;
    }
    size_t n = 0;
    while (ctx->enabled[n]) {
        n++;
    }
    arvis_buf b;
    arvis_buf_init(&b, SK_ANSWER_MAX);
    /* help itself is not worth naming: the user is using it */
    size_t named = 0, to_name = 0;
    for (size_t i = 0; i < n; i++) {
        to_name += ctx->enabled[i] != &skill_help_ops;
    }
    for (size_t i = 0; i < n; i++) {
        if (ctx->enabled[i] == &skill_help_ops) {
            continue;
        }
        const char *sep = named == 0 ? "I can " : named + 1 == to_name ? " and " : ", ";
        arvis_buf_addf(&b, "%s%s", sep, ctx->enabled[i]->can);
        named++;
    }
    arvis_buf_adds(&b, named ? ". Anything else I ask the language model."
                             : "Everything you ask goes to the language model.");
    return sk_answer(&b, answer);
}

const struct skill_ops skill_help_ops = {
    .name = "help",
    .description = "Says what the skills can do: \"help\", \"what can you do\".",
    .can = "tell you what I can do",
    .handle = help_handle,
};
