/* `edgert info MODEL [--json]`: what a model takes and gives, which ops it uses, and the memory it
 * needs (model bytes, exact arena bytes, bytes of kernel data such as packed weights). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char info_usage[] =
    "usage: edgert info MODEL [--json]\n"
    "  Prints the model's inputs and outputs (name, shape, dtype, quantization), op counts,\n"
    "  model size, the exact arena size an interpreter needs and the kernel data it keeps beside\n"
    "  the arena (weights packed for fast kernels, tables).\n"
    "  --json   one JSON object: inputs, outputs, ops, model_bytes, arena_bytes, "
    "kernel_bytes\n" CLI_LIMITS_USAGE;

static void json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

static void print_shape(const edgert_tensor_info *t, bool json) {
  putchar('[');
  for (int d = 0; d < t->ndim; d++)
    printf(d ? ", %lld" : "%lld", (long long)t->dims[d]);
  putchar(']');
  (void)json;
}

static void print_tensor_json(const edgert_tensor_info *t) {
  printf("{\"name\": ");
  json_string(t->name);
  printf(", \"shape\": ");
  print_shape(t, true);
  printf(", \"dtype\": \"%s\", \"scale\": %.9g, \"zero_point\": %d", edgert_dtype_name(t->dtype),
         (double)t->scale, (int)t->zero_point);
  if (t->channel_count)
    printf(", \"quant_channels\": %d, \"quant_axis\": %d", t->channel_count, t->quant_axis);
  printf("}");
}

static void print_tensor_text(const char *role, int k, const edgert_tensor_info *t) {
  printf("  %s %d  %-24s %-8s ", role, k, t->name, edgert_dtype_name(t->dtype));
  print_shape(t, false);
  if (t->channel_count)
    printf("  quant: %d channels on axis %d", t->channel_count, t->quant_axis);
  else if (t->scale != 0.0f)
    printf("  quant: scale %.9g zero_point %d", (double)t->scale, (int)t->zero_point);
  putchar('\n');
}

/* Op kinds in first-use order with their counts. */
typedef struct {
  const char *name;
  int count;
} op_count;

static int count_ops(const edgert_model *m, op_count *out, int cap) {
  int n = 0;
  for (int i = 0; i < edgert_model_op_count(m); i++) {
    const char *name = edgert_model_op_name(m, i);
    int k = 0;
    while (k < n && strcmp(out[k].name, name) != 0)
      k++;
    if (k == n) {
      if (n == cap) continue;
      out[n++] = (op_count){name, 0};
    }
    out[k].count++;
  }
  return n;
}

/* What an interpreter of the model holds: arena and kernel data bytes, -1 when none could be made. */
typedef struct {
  long long arena, kernel;
} memory_use;

static void print_json(const edgert_model *m, const op_count *ops, int n_ops, memory_use mem) {
  edgert_tensor_info t;
  printf("{\"inputs\": [");
  for (int i = 0; i < edgert_model_input_count(m); i++) {
    edgert_model_input_info(m, i, &t);
    if (i) printf(", ");
    print_tensor_json(&t);
  }
  printf("], \"outputs\": [");
  for (int i = 0; i < edgert_model_output_count(m); i++) {
    edgert_model_output_info(m, i, &t);
    if (i) printf(", ");
    print_tensor_json(&t);
  }
  printf("], \"ops\": {");
  for (int k = 0; k < n_ops; k++)
    printf("%s\"%s\": %d", k ? ", " : "", ops[k].name, ops[k].count);
  printf("}, \"model_bytes\": %zu, \"arena_bytes\": ", edgert_model_bytes(m));
  if (mem.arena >= 0)
    printf("%lld, \"kernel_bytes\": %lld}\n", mem.arena, mem.kernel);
  else
    printf("null, \"kernel_bytes\": null}\n");
}

static void print_text(const char *path, const edgert_model *m, const op_count *ops, int n_ops,
                       memory_use mem, const char *arena_error) {
  edgert_tensor_info t;
  printf("model %s (%zu bytes)\n", path, edgert_model_bytes(m));
  for (int i = 0; i < edgert_model_input_count(m); i++) {
    edgert_model_input_info(m, i, &t);
    print_tensor_text("input ", i, &t);
  }
  for (int i = 0; i < edgert_model_output_count(m); i++) {
    edgert_model_output_info(m, i, &t);
    print_tensor_text("output", i, &t);
  }
  printf("ops: %d\n", edgert_model_op_count(m));
  for (int k = 0; k < n_ops; k++)
    printf("  %-32s %d\n", ops[k].name, ops[k].count);
  if (mem.arena >= 0)
    printf("arena: %lld bytes\nkernel data: %lld bytes (packed weights, tables)\n", mem.arena, mem.kernel);
  else
    printf("arena: unavailable (%s)\n", arena_error);
}

int cli_info(int argc, char **argv) {
  const char *path = NULL;
  bool json = false, limit;
  edgert_limits limits = {0}; /* 0 fields: the defaults */
  for (int i = 0; i < argc; i++) {
    if (cli_parse_limit("info", argc, argv, &i, &limits, &limit)) return 1;
    if (limit) continue;
    if (cli_is_help(argv[i])) {
      fputs(info_usage, stdout);
      return 0;
    }
    if (strcmp(argv[i], "--json") == 0)
      json = true;
    else if (argv[i][0] == '-')
      return cli_error("info", "unknown option '%s' (see edgert info --help)", argv[i]);
    else if (!path)
      path = argv[i];
    else
      return cli_error("info", "more than one model given ('%s')", argv[i]);
  }
  if (!path) return cli_error("info", "no model given (usage: edgert info MODEL [--json])");
  edgert_model *m = cli_load_model("info", path, &limits);
  if (!m) return 1;
  edgert_interpreter *it = NULL;
  memory_use mem = {-1, -1};
  int rc = 0;
  if (edgert_interpreter_create(m, NULL, &it) == EDGERT_OK) {
    mem.arena = (long long)edgert_interpreter_arena_bytes(it);
    mem.kernel = (long long)edgert_interpreter_kernel_bytes(it);
  } else {
    cli_error("info", "%s: %s", path, edgert_interpreter_error(it));
    rc = 1;
  }
  op_count ops[128];
  int n_ops = count_ops(m, ops, 128);
  if (json)
    print_json(m, ops, n_ops, mem);
  else
    print_text(path, m, ops, n_ops, mem, edgert_interpreter_error(it));
  edgert_interpreter_free(it);
  edgert_model_free(m);
  return rc;
}
