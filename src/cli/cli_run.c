/* `edgert run MODEL --input X.npy ... --output-dir DIR [--dequantize] [--threads N]`: feed .npy inputs (in
 * model-input order), invoke once, write DIR/output_K.npy. A float32 array given for a quantized input is
 * quantized with that input's scale and zero point. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "io/npy.h"

#define MAX_CLI_INPUTS 64

static const char run_usage[] =
    "usage: edgert run MODEL --input X.npy [--input Y.npy ...] --output-dir DIR [--dequantize] [--threads "
    "N]\n"
    "  Runs the model once. Inputs are .npy files in model-input order; a float32 array given for a\n"
    "  quantized input is quantized with that input's scale and zero point. Each output K is written to\n"
    "  DIR/output_K.npy in its own dtype, or as float32 with --dequantize. --threads N runs kernels on\n"
    "  N threads (default 1; at most 64).\n" CLI_LIMITS_USAGE;

typedef struct {
  const char *model;
  const char *inputs[MAX_CLI_INPUTS];
  int n_inputs;
  const char *output_dir;
  bool dequantize;
  int threads;
  edgert_limits limits; /* 0 fields: the defaults */
} run_args;

static int parse_args(int argc, char **argv, run_args *a, bool *help) {
  memset(a, 0, sizeof *a);
  a->threads = 1;
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    bool limit;
    if (cli_parse_limit("run", argc, argv, &i, &a->limits, &limit)) return 1;
    if (limit) continue;
    if (cli_is_help(arg)) {
      *help = true;
      return 0;
    }
    bool has_value = i + 1 < argc;
    if (strcmp(arg, "--input") == 0 || strcmp(arg, "-i") == 0) {
      if (!has_value) return cli_error("run", "--input needs a file");
      if (a->n_inputs == MAX_CLI_INPUTS) return cli_error("run", "more than %d inputs", MAX_CLI_INPUTS);
      a->inputs[a->n_inputs++] = argv[++i];
    } else if (strcmp(arg, "--output-dir") == 0 || strcmp(arg, "-o") == 0) {
      if (!has_value) return cli_error("run", "--output-dir needs a directory");
      a->output_dir = argv[++i];
    } else if (strcmp(arg, "--dequantize") == 0) {
      a->dequantize = true;
    } else if (strcmp(arg, "--threads") == 0) {
      if (!has_value) return cli_error("run", "--threads needs a number");
      char *end;
      long v = strtol(argv[++i], &end, 10);
      if (*end || end == argv[i] || v < 1 || v > 100000000)
        return cli_error("run", "--threads needs a number >= 1, got '%s'", argv[i]);
      a->threads = (int)v;
    } else if (arg[0] == '-') {
      return cli_error("run", "unknown option '%s' (see edgert run --help)", arg);
    } else if (!a->model) {
      a->model = arg;
    } else {
      return cli_error("run", "unexpected argument '%s'", arg);
    }
  }
  if (!a->model) return cli_error("run", "no model given (see edgert run --help)");
  if (!a->output_dir) return cli_error("run", "no --output-dir given");
  return 0;
}

static bool same_shape(const er_npy *x, const edgert_tensor_info *t) {
  if (x->ndim != t->ndim) return false;
  for (int d = 0; d < t->ndim; d++)
    if (x->dims[d] != t->dims[d]) return false;
  return true;
}

static void shape_text(int ndim, const int64_t *dims, char *buf, size_t len) {
  size_t used = (size_t)snprintf(buf, len, "[");
  for (int d = 0; d < ndim && used < len; d++)
    used += (size_t)snprintf(buf + used, len - used, d ? ", %lld" : "%lld", (long long)dims[d]);
  if (used < len) snprintf(buf + used, len - used, "]");
}

static bool is_quantized_int(const edgert_tensor_info *t) {
  return t->scale != 0.0f &&
         (t->dtype == EDGERT_INT8 || t->dtype == EDGERT_UINT8 || t->dtype == EDGERT_INT16);
}

/* The .npy inputs, read before anything is set: resizing an input plans the arena again. */
typedef struct {
  er_npy arrays[MAX_CLI_INPUTS];
  void *owned[MAX_CLI_INPUTS];
} loaded_inputs;

static int read_inputs(const run_args *a, loaded_inputs *in) {
  char err[512];
  for (int k = 0; k < a->n_inputs; k++)
    if (er_npy_read_file(a->inputs[k], &in->arrays[k], &in->owned[k], err, sizeof err) != EDGERT_OK)
      return cli_error("run", "input %d: %s", k, err);
  return 0;
}

/* An array whose shape differs from the input's only in dims the model leaves open resizes the input. */
static int fit_shape(edgert_interpreter *it, int k, const char *path, const er_npy *x) {
  edgert_tensor_info t;
  edgert_interpreter_input_info(it, k, &t);
  if (same_shape(x, &t)) return 0;
  bool resizable = x->ndim == t.ndim;
  for (int d = 0; resizable && d < t.ndim; d++)
    resizable = x->dims[d] == t.dims[d] || (t.dynamic_dims & (1u << d));
  if (!resizable) {
    char want[128], got[128];
    shape_text(t.ndim, t.dims, want, sizeof want);
    shape_text(x->ndim, x->dims, got, sizeof got);
    return cli_error("run", "input %d '%s' (%s): shape %s, expected %s", k, t.name, path, got, want);
  }
  if (edgert_interpreter_resize_input(it, k, x->ndim, x->dims) != EDGERT_OK)
    return cli_error("run", "input %d '%s' (%s): %s", k, t.name, path, edgert_interpreter_error(it));
  return 0;
}

static int set_input(edgert_interpreter *it, int k, const char *path, const er_npy *x) {
  edgert_tensor_info t;
  edgert_interpreter_input_info(it, k, &t);
  if (x->dtype == t.dtype) {
    if (edgert_interpreter_set_input(it, k, x->data, x->bytes) != EDGERT_OK)
      return cli_error("run", "input %d: %s", k, edgert_interpreter_error(it));
  } else if (x->dtype == EDGERT_FLOAT32 && is_quantized_int(&t)) {
    if (edgert_tensor_from_float(&t, x->data, edgert_interpreter_input_data(it, k),
                                 x->bytes / sizeof(float)) != EDGERT_OK)
      return cli_error("run", "input %d '%s' (%s): NaN cannot be quantized", k, t.name, path);
  } else {
    return cli_error("run", "input %d '%s' (%s): dtype %s, expected %s%s", k, t.name, path,
                     edgert_dtype_name(x->dtype), edgert_dtype_name(t.dtype),
                     is_quantized_int(&t) ? " (or float32 to quantize)" : "");
  }
  return 0;
}

static int write_output(edgert_interpreter *it, int k, const run_args *a) {
  edgert_tensor_info t;
  edgert_interpreter_output_info(it, k, &t);
  char path[4096], err[512];
  snprintf(path, sizeof path, "%s/output_%d.npy", a->output_dir, k);
  const void *data = edgert_interpreter_output_data(it, k);
  edgert_status st;
  if (a->dequantize && t.dtype != EDGERT_FLOAT32) {
    size_t n = t.bytes / edgert_dtype_size(t.dtype);
    float *f = malloc(sizeof(float) * (n ? n : 1));
    if (!f) return cli_error("run", "out of memory writing output %d", k);
    edgert_tensor_to_float(&t, data, f, n);
    st = er_npy_write_file(path, EDGERT_FLOAT32, t.ndim, t.dims, f, err, sizeof err);
    free(f);
  } else {
    st = er_npy_write_file(path, t.dtype, t.ndim, t.dims, data, err, sizeof err);
  }
  return st == EDGERT_OK ? 0 : cli_error("run", "output %d: %s", k, err);
}

static int ensure_dir(const char *dir) {
  struct stat st;
  if (stat(dir, &st) == 0)
    return S_ISDIR(st.st_mode) ? 0 : cli_error("run", "%s exists and is not a directory", dir);
  if (mkdir(dir, 0777) != 0)
    return cli_error("run", "cannot create output directory %s: %s", dir, strerror(errno));
  return 0;
}

static int run_model(edgert_model *m, const run_args *a) {
  edgert_interpreter *it = NULL;
  int rc = 0;
  edgert_options opts = {.num_threads = a->threads};
  if (edgert_interpreter_create(m, &opts, &it) != EDGERT_OK) {
    rc = cli_error("run", "%s: %s", a->model, edgert_interpreter_error(it));
  } else if (a->n_inputs != edgert_model_input_count(m)) {
    rc = cli_error("run", "%s takes %d input(s), %d given", a->model, edgert_model_input_count(m),
                   a->n_inputs);
  }
  loaded_inputs in = {0};
  if (rc == 0) rc = read_inputs(a, &in);
  for (int k = 0; rc == 0 && k < a->n_inputs; k++)
    rc = fit_shape(it, k, a->inputs[k], &in.arrays[k]);
  for (int k = 0; rc == 0 && k < a->n_inputs; k++)
    rc = set_input(it, k, a->inputs[k], &in.arrays[k]);
  for (int k = 0; k < a->n_inputs; k++)
    free(in.owned[k]);
  if (rc == 0 && edgert_interpreter_invoke(it) != EDGERT_OK)
    rc = cli_error("run", "%s: %s", a->model, edgert_interpreter_error(it));
  if (rc == 0) rc = ensure_dir(a->output_dir);
  for (int k = 0; rc == 0 && k < edgert_model_output_count(m); k++)
    rc = write_output(it, k, a);
  edgert_interpreter_free(it);
  return rc;
}

int cli_run(int argc, char **argv) {
  run_args a;
  bool help = false;
  if (parse_args(argc, argv, &a, &help) != 0) return 1;
  if (help) {
    fputs(run_usage, stdout);
    return 0;
  }
  edgert_model *m = cli_load_model("run", a.model, &a.limits);
  if (!m) return 1;
  int rc = run_model(m, &a);
  edgert_model_free(m);
  return rc;
}
