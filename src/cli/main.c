/* edgert: the command-line tool. Dispatches to one subcommand per file (cli_*.c). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "usage: edgert <command> [options]\n"
    "\n"
    "commands:\n"
    "  info MODEL [--json]                      inputs, outputs, ops and memory of a model\n"
    "  run  MODEL --input X.npy [--input ...]   run a model on .npy inputs, write .npy outputs\n"
    "       --output-dir DIR [--dequantize] [--threads N]\n"
    "  bench MODEL [--warmup N] [--runs N]      time a model: load, latency percentiles, peak RSS,\n"
    "        [--input X.npy ...] [--profile]    arena and kernel data; --profile times each op kind\n"
    "        [--json] [--threads N]\n"
    "\n"
    "edgert <command> --help shows a command's options. Version " EDGERT_VERSION ".\n";

int cli_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "edgert %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return 1;
}

bool cli_is_help(const char *arg) { return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0; }

edgert_model *cli_load_model(const char *cmd, const char *path) {
  edgert_model *model = NULL;
  if (edgert_model_load_file(path, &model) != EDGERT_OK) {
    cli_error(cmd, "%s", edgert_model_error(model));
    edgert_model_free(model);
    return NULL;
  }
  return model;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (cli_is_help(cmd)) {
    fputs(usage, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    puts("edgert " EDGERT_VERSION);
    return 0;
  }
  if (strcmp(cmd, "info") == 0) return cli_info(argc - 2, argv + 2);
  if (strcmp(cmd, "run") == 0) return cli_run(argc - 2, argv + 2);
  if (strcmp(cmd, "bench") == 0) return cli_bench(argc - 2, argv + 2);
  fprintf(stderr, "edgert: unknown command '%s' (try edgert --help)\n", cmd);
  return 2;
}
