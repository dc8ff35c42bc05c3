/* `arvis notify` (cmd_notify.c): the notification history, and sending one by hand. */
#ifndef ARVIS_CLI_NOTIFY_H
#define ARVIS_CLI_NOTIFY_H

#include "cli.h"

int cmd_notify(struct cli_ctx *ctx, int argc, char **argv);
extern const char cmd_notify_usage[];

#endif
