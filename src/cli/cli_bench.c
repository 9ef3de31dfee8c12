/* `edgert bench MODEL [--warmup N] [--runs N] [--input X.npy ...] [--profile] [--json] [--threads N]`:
 * load time, latency statistics over timed invokes (mean, std, min, max, p50, p95, p99), throughput, peak
 * RSS, arena, kernel and model bytes; --profile adds time per op kind. Inputs are random values of each
 * input's dtype and shape unless given. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/cli.h"
#include "io/npy.h"

#define MAX_BENCH_INPUTS 64
#define MAX_OP_KINDS 256

static const char bench_usage[] =
    "usage: edgert bench MODEL [--warmup N] [--runs N] [--input X.npy ...] [--profile] [--json] [--threads "
    "N]\n"
    "  Times MODEL: load (map, import, prepare, plan), then N timed invokes after the warmup ones.\n"
    "  --warmup N   untimed invokes first (default 5)\n"
    "  --runs N     timed invokes (default 50)\n"
    "  --input X    .npy inputs in model-input order (default: random values of each input's dtype)\n"
    "  --profile    add a table of time per op kind (op, count, total ms, share)\n"
    "  --json       one JSON object: load_ms, latency_ms {mean, std, min, max, p50, p95, p99},\n"
    "               peak_rss_kb, arena_bytes, kernel_bytes, model_bytes, threads, runs\n"
    "  --threads N  threads to run kernels on (default 1; at most 64)\n" CLI_LIMITS_USAGE;

typedef struct {
  const char *model;
  const char *inputs[MAX_BENCH_INPUTS];
  int n_inputs, warmup, runs, threads;
  bool profile, json;
  edgert_limits limits; /* 0 fields: the defaults */
} bench_args;

/* Per-op-kind time, filled by the interpreter's node hook. */
typedef struct {
  const edgert_model *model;
  double started;
  const char *names[MAX_OP_KINDS];
  double total_ms[MAX_OP_KINDS];
  long count[MAX_OP_KINDS];
  int kinds;
  bool on;
} op_profile;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void profile_hook(void *user, int op_index, int after) {
  op_profile *p = user;
  if (!p->on) return;
  if (!after) {
    p->started = now_ms();
    return;
  }
  double ms = now_ms() - p->started;
  const char *name = edgert_model_op_name(p->model, op_index);
  int k = 0;
  while (k < p->kinds && p->names[k] != name)
    k++; /* names are static strings: compare pointers */
  if (k == p->kinds) {
    if (k == MAX_OP_KINDS) return;
    p->names[p->kinds++] = name;
  }
  p->total_ms[k] += ms;
  p->count[k]++;
}

static int parse_count(const char *opt, const char *value, int min, int *out) {
  char *end;
  long v = strtol(value, &end, 10);
  if (*end || v < min || v > 100000000)
    return cli_error("bench", "%s needs a number >= %d, got '%s'", opt, min, value);
  *out = (int)v;
  return 0;
}

static int parse_args(int argc, char **argv, bench_args *a, bool *help) {
  memset(a, 0, sizeof *a);
  a->warmup = 5;
  a->runs = 50;
  a->threads = 1;
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    bool has_value = i + 1 < argc, limit;
    if (cli_parse_limit("bench", argc, argv, &i, &a->limits, &limit)) return 1;
    if (limit) continue;
    if (cli_is_help(arg)) {
      *help = true;
      return 0;
    } else if (strcmp(arg, "--profile") == 0) {
      a->profile = true;
    } else if (strcmp(arg, "--json") == 0) {
      a->json = true;
    } else if (strcmp(arg, "--warmup") == 0 || strcmp(arg, "--runs") == 0 || strcmp(arg, "--threads") == 0) {
      if (!has_value) return cli_error("bench", "%s needs a number", arg);
      int *dst = arg[2] == 'w' ? &a->warmup : arg[2] == 'r' ? &a->runs : &a->threads;
      if (parse_count(arg, argv[++i], arg[2] == 'w' ? 0 : 1, dst)) return 1;
    } else if (strcmp(arg, "--input") == 0 || strcmp(arg, "-i") == 0) {
      if (!has_value) return cli_error("bench", "--input needs a file");
      if (a->n_inputs == MAX_BENCH_INPUTS) return cli_error("bench", "more than %d inputs", MAX_BENCH_INPUTS);
      a->inputs[a->n_inputs++] = argv[++i];
    } else if (arg[0] == '-') {
      return cli_error("bench", "unknown option '%s' (see edgert bench --help)", arg);
    } else if (!a->model) {
      a->model = arg;
    } else {
      return cli_error("bench", "unexpected argument '%s'", arg);
    }
  }
  if (!a->model) return cli_error("bench", "no model given (see edgert bench --help)");
  return 0;
}

/* Random bytes for integer and bool inputs, uniform [-1, 1) for floats (so no NaN or Inf appear). */
static void fill_random(edgert_interpreter *it, int k, uint32_t *seed) {
  edgert_tensor_info t;
  edgert_interpreter_input_info(it, k, &t);
  unsigned char *data = edgert_interpreter_input_data(it, k);
  size_t n = t.bytes / edgert_dtype_size(t.dtype);
  for (size_t i = 0; i < t.bytes; i++) {
    *seed = *seed * 1664525u + 1013904223u;
    data[i] = (unsigned char)(*seed >> 24);
  }
  if (t.dtype == EDGERT_BOOL) {
    for (size_t i = 0; i < n; i++)
      data[i] &= 1;
  } else if (t.dtype == EDGERT_FLOAT32 || t.dtype == EDGERT_FLOAT16 || t.dtype == EDGERT_FLOAT64 ||
             t.dtype == EDGERT_BFLOAT16) {
    edgert_tensor_info as_float = t;
    as_float.scale = 0;
    float *values = malloc(sizeof(float) * (n ? n : 1));
    if (!values) return;
    for (size_t i = 0; i < n; i++) {
      *seed = *seed * 1664525u + 1013904223u;
      values[i] = (float)(*seed >> 8) / 8388608.0f - 1.0f;
    }
    edgert_tensor_from_float(&as_float, values, data, n);
    free(values);
  }
}

static int set_inputs(edgert_interpreter *it, const edgert_model *m, const bench_args *a) {
  int count = edgert_model_input_count(m);
  if (a->n_inputs && a->n_inputs != count)
    return cli_error("bench", "%s takes %d input(s), %d given", a->model, count, a->n_inputs);
  uint32_t seed = 12345;
  for (int k = 0; k < count; k++) {
    if (!a->n_inputs) {
      fill_random(it, k, &seed);
      continue;
    }
    er_npy x;
    void *owned = NULL;
    char err[512];
    if (er_npy_read_file(a->inputs[k], &x, &owned, err, sizeof err) != EDGERT_OK)
      return cli_error("bench", "input %d: %s", k, err);
    edgert_status st = edgert_interpreter_set_input(it, k, x.data, x.bytes);
    free(owned);
    if (st != EDGERT_OK)
      return cli_error("bench", "input %d (%s): %s", k, a->inputs[k], edgert_interpreter_error(it));
  }
  return 0;
}

static int compare_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* Nearest-rank percentile of sorted values. */
static double percentile(const double *sorted, int n, double p) {
  int rank = (int)ceil(p / 100.0 * n);
  return sorted[rank < 1 ? 0 : rank - 1];
}

typedef struct {
  double load_ms, mean, std, min, max, p50, p95, p99;
  long peak_rss_kb;
  size_t arena_bytes, kernel_bytes, model_bytes;
} bench_result;

static void summarize(double *ms, int n, bench_result *r) {
  double sum = 0, sq = 0;
  for (int i = 0; i < n; i++)
    sum += ms[i];
  r->mean = sum / n;
  for (int i = 0; i < n; i++)
    sq += (ms[i] - r->mean) * (ms[i] - r->mean);
  r->std = n > 1 ? sqrt(sq / (n - 1)) : 0;
  qsort(ms, (size_t)n, sizeof *ms, compare_double);
  r->min = ms[0];
  r->max = ms[n - 1];
  r->p50 = percentile(ms, n, 50);
  r->p95 = percentile(ms, n, 95);
  r->p99 = percentile(ms, n, 99);
  struct rusage usage;
  r->peak_rss_kb = getrusage(RUSAGE_SELF, &usage) == 0 ? usage.ru_maxrss : -1;
}

static void print_result(const bench_args *a, const bench_result *r, const op_profile *p) {
  if (a->json) {
    printf(
        "{\"load_ms\": %.4f, \"latency_ms\": {\"mean\": %.6f, \"std\": %.6f, \"min\": %.6f, \"max\": %.6f, "
        "\"p50\": %.6f, \"p95\": %.6f, \"p99\": %.6f}, \"throughput_per_s\": %.2f, \"peak_rss_kb\": %ld, "
        "\"arena_bytes\": %zu, \"kernel_bytes\": %zu, \"model_bytes\": %zu, \"threads\": %d, \"runs\": %d",
        r->load_ms, r->mean, r->std, r->min, r->max, r->p50, r->p95, r->p99, 1000.0 / r->mean, r->peak_rss_kb,
        r->arena_bytes, r->kernel_bytes, r->model_bytes, a->threads, a->runs);
    if (a->profile) {
      printf(", \"profile\": [");
      for (int k = 0; k < p->kinds; k++)
        printf("%s{\"op\": \"%s\", \"count\": %ld, \"total_ms\": %.6f}", k ? ", " : "", p->names[k],
               p->count[k], p->total_ms[k]);
      printf("]");
    }
    printf("}\n");
    return;
  }
  printf("model %s: %zu bytes, arena %zu bytes, kernel data %zu bytes, loaded in %.3f ms\n", a->model,
         r->model_bytes, r->arena_bytes, r->kernel_bytes, r->load_ms);
  printf("latency over %d runs (after %d warmup), %d thread%s: mean %.4f ms, std %.4f, min %.4f, max %.4f\n",
         a->runs, a->warmup, a->threads, a->threads == 1 ? "" : "s", r->mean, r->std, r->min, r->max);
  printf("  p50 %.4f ms  p95 %.4f ms  p99 %.4f ms  throughput %.1f/s  peak RSS %ld KB\n", r->p50, r->p95,
         r->p99, 1000.0 / r->mean, r->peak_rss_kb);
  if (!a->profile) return;
  double all = 0;
  for (int k = 0; k < p->kinds; k++)
    all += p->total_ms[k];
  printf("%-32s %8s %12s %7s\n", "op", "count", "total ms", "share");
  for (int k = 0; k < p->kinds; k++)
    printf("%-32s %8ld %12.4f %6.1f%%\n", p->names[k], p->count[k], p->total_ms[k],
           all > 0 ? 100.0 * p->total_ms[k] / all : 0.0);
}

static int bench_model(const bench_args *a) {
  op_profile profile;
  memset(&profile, 0, sizeof profile);
  bench_result r;
  memset(&r, 0, sizeof r);
  double t0 = now_ms();
  edgert_model *m = cli_load_model("bench", a->model, &a->limits);
  if (!m) return 1;
  profile.model = m;
  edgert_options opts = {
      .num_threads = a->threads, .node_hook = a->profile ? profile_hook : NULL, .hook_user = &profile};
  edgert_interpreter *it = NULL;
  int rc = 0;
  if (edgert_interpreter_create(m, &opts, &it) != EDGERT_OK)
    rc = cli_error("bench", "%s: %s", a->model, edgert_interpreter_error(it));
  r.load_ms = now_ms() - t0;
  double *ms = rc ? NULL : malloc(sizeof(double) * (size_t)a->runs);
  if (!rc && !ms) rc = cli_error("bench", "out of memory");
  if (!rc) rc = set_inputs(it, m, a);
  for (int i = 0; !rc && i < a->warmup + a->runs; i++) {
    profile.on = i >= a->warmup;
    double start = now_ms();
    if (edgert_interpreter_invoke(it) != EDGERT_OK)
      rc = cli_error("bench", "%s: %s", a->model, edgert_interpreter_error(it));
    if (i >= a->warmup) ms[i - a->warmup] = now_ms() - start;
  }
  if (!rc) {
    r.arena_bytes = edgert_interpreter_arena_bytes(it);
    r.kernel_bytes = edgert_interpreter_kernel_bytes(it);
    r.model_bytes = edgert_model_bytes(m);
    summarize(ms, a->runs, &r);
    print_result(a, &r, &profile);
  }
  free(ms);
  edgert_interpreter_free(it);
  edgert_model_free(m);
  return rc;
}

int cli_bench(int argc, char **argv) {
  bench_args a;
  bool help = false;
  if (parse_args(argc, argv, &a, &help) != 0) return 1;
  if (help) {
    fputs(bench_usage, stdout);
    return 0;
  }
  return bench_model(&a);
}
