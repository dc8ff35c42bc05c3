/* `arvis health`, declared for the command table in main.c. */
#ifndef ARVIS_CLI_HEALTH_H
#define ARVIS_CLI_HEALTH_H

#include "cli.h"

int cmd_health(struct cli_ctx *ctx, int argc, char **argv);
extern const char cmd_health_usage[];

#endif
