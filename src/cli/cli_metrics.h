/* `arvis metrics` (cmd_metrics.c), declared for the command table in main.c. */
#ifndef ARVIS_CLI_METRICS_H
#define ARVIS_CLI_METRICS_H

#include "cli.h"

int cmd_metrics(struct cli_ctx *ctx, int argc, char **argv);
extern const char cmd_metrics_usage[];

#endif
