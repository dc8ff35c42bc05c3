/* The assistant status skill: "assistant status", "are you ok", "which engines are you using"
 * answered with what the assistant_status hook says about the engines in use and their health. */
#include <stdlib.h>
#include <string.h>

#include "skills_internal.h"

static const char *const shapes[] = {
    "assistant status",
    "what is the assistant status",
    "what is your status",
    "status report",
    "are you ok",
    "are you okay",
    "are you alright",
    "are you all right",
    "are you working",
    "are you healthy",
    "which engines are you using",
    "what engines are you using",
    "which engines do you use",
    "what engines do you use",
    "which engines are you running",
    "what engines are you running",
    NULL,
};

static int assistant_status_handle(struct skill_ctx *ctx, const char *normalised, uint64_t now_ms,
                                   char **answer)
{
    (void)now_ms;
    if (!sk_asked(normalised, shapes)) {
        return 0;
    }
    char *said = ctx->hooks.assistant_status ? ctx->hooks.assistant_status(ctx->hooks.ud) : NULL;
    arvis_buf b;
    arvis_buf_init(&b, SK_ANSWER_MAX);
    arvis_buf_adds(&b, said && *said ? said : "There is nothing to report on my engines.");
    free(said);
    return sk_answer(&b, answer);
}

const struct skill_ops skill_assistant_status_ops = {
    .name = "assistant_status",
    .description = "Says which engines are in use and how they are: \"are you ok\", \"which "
                   "engines are you using\".",
    .can = "say how my engines are",
    .handle = assistant_status_handle,
};
