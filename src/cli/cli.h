/* Shared pieces of the edgert command-line tool: each subcommand is a function taking its arguments
 * (after the subcommand name) and returning the process exit code. Errors go to stderr as one line. */
#ifndef EDGERT_CLI_H
#define EDGERT_CLI_H

#include <stdbool.h>

#include "edgert.h"

int cli_info(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_bench(int argc, char **argv);

/* Prints "edgert <cmd>: <message>" on stderr and returns 1 (the exit code for failures). */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool cli_is_help(const char *arg);
/* Loads a model or prints why not; returns NULL on failure. */
edgert_model *cli_load_model(const char *cmd, const char *path);

#endif
