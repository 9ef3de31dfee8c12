/* edgert: the command-line tool. Dispatches to one subcommand per file (cli_*.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
    "  every command takes --max-tensor-elements, --max-arena-bytes, --max-nodes and --max-loop-iterations\n"
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

enum { LIMIT_ELEMENTS, LIMIT_ARENA, LIMIT_NODES, LIMIT_LOOP, LIMIT_OPTIONS };

/* Each limit option and the largest value its edgert_limits field holds. */
static const struct {
  const char *name;
  unsigned long long max;
} limit_options[LIMIT_OPTIONS] = {
    [LIMIT_ELEMENTS] = {"--max-tensor-elements", INT64_MAX},
    [LIMIT_ARENA] = {"--max-arena-bytes", SIZE_MAX},
    [LIMIT_NODES] = {"--max-nodes", INT32_MAX},
    [LIMIT_LOOP] = {"--max-loop-iterations", INT64_MAX},
};

int cli_parse_limit(const char *cmd, int argc, char **argv, int *i, edgert_limits *limits, bool *matched) {
  int k = 0;
  while (k < LIMIT_OPTIONS && strcmp(argv[*i], limit_options[k].name) != 0)
    k++;
  *matched = k < LIMIT_OPTIONS;
  if (!*matched) return 0;
  const char *opt = limit_options[k].name;
  unsigned long long max = limit_options[k].max;
  if (*i + 1 >= argc) return cli_error(cmd, "%s needs a number", opt);
  const char *text = argv[++*i];
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (text[0] == '-' || end == text || *end || errno == ERANGE || v < 1 || v > max)
    return cli_error(cmd, "%s needs a number from 1 to %llu, got '%s'", opt, max, text);
  switch (k) {
  case LIMIT_ELEMENTS: limits->max_tensor_elements = (int64_t)v; break;
  case LIMIT_ARENA: limits->max_arena_bytes = (size_t)v; break;
  case LIMIT_NODES: limits->max_nodes = (int32_t)v; break;
  default: limits->max_loop_iterations = (int64_t)v; break;
  }
  return 0;
}

edgert_model *cli_load_model(const char *cmd, const char *path, const edgert_limits *limits) {
  edgert_model *model = NULL;
  if (edgert_model_load_file_limited(path, limits, &model) != EDGERT_OK) {
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
