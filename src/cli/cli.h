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
/* The resource-limit options every command takes (edgert_limits; a limit not given keeps its default). */
#define CLI_LIMITS_USAGE                                                                                     \
  "  Limits (a model beyond one is refused with a message): --max-tensor-elements N (default 2^28),\n"       \
  "  --max-arena-bytes N (2 GiB; also caps packed weights), --max-nodes N (2^20), --max-loop-iterations N\n" \
  "  (10^6 per run).\n"

/* When argv[*i] is a limit option, reads it and its value (advancing *i) into *limits and sets *matched;
 * returns 1 after printing an error (missing or bad value), else 0. */
int cli_parse_limit(const char *cmd, int argc, char **argv, int *i, edgert_limits *limits, bool *matched);
/* Loads a model under limits (NULL: the defaults) or prints why not; returns NULL on failure. */
edgert_model *cli_load_model(const char *cmd, const char *path, const edgert_limits *limits);

#endif
