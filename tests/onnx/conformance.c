/* The ONNX conformance runner: runs the ONNX backend test data (Debian's libonnx-testdata: one folder per
 * test with model.onnx and test_data_set_N/{input_K,output_K}.pb TensorProtos) through edgert and
 * compares with ONNX's rule: same dtype and shape, |got - expected| <= 1e-7 + 1e-3 * |expected| for
 * floats (NaN equals NaN), exact for integers and bools. Prints one line per failing test and the pass
 * counts per group. With --expect FILE it exits non-zero only when a test listed there fails (a
 * regression) and names tests that newly pass, so a checked-in list guards what already works.
 *
 * usage: onnx_conformance [--filter SUBSTR] [--list-passing FILE] [--expect FILE] [--quiet] [ROOT] */
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph.h"
#include "core/tensor.h"
#include "edgert.h"
#include "formats/onnx/onnx_import.h"

#define DEFAULT_ROOT "/usr/share/libonnx-testdata/data"
#define MAX_TESTS 4096
#define MAX_IO 64

static const char *const groups[] = {"node", "pytorch-converted", "pytorch-operator", "simple", "real"};
enum { N_GROUPS = sizeof groups / sizeof groups[0], REAL_GROUP = 4 };

typedef struct {
  char **items;
  int count;
} name_list;

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_free(name_list *l) {
  for (int i = 0; i < l->count; i++)
    free(l->items[i]);
  free(l->items);
  l->items = NULL;
  l->count = 0;
}

static bool list_add(name_list *l, const char *s) {
  if (l->count >= MAX_TESTS * 4) return false;
  char **items = realloc(l->items, sizeof(char *) * (size_t)(l->count + 1));
  if (!items) return false;
  l->items = items;
  l->items[l->count] = strdup(s);
  if (!l->items[l->count]) return false;
  l->count++;
  return true;
}

static bool list_has(const name_list *l, const char *s) {
  return bsearch(&s, l->items, (size_t)l->count, sizeof(char *), compare_names) != NULL;
}

/* Sorted names of the entries of dir (without . and ..). */
static name_list list_dir(const char *dir) {
  name_list l = {0};
  DIR *d = opendir(dir);
  if (!d) return l;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && l.count < MAX_TESTS)
    if (e->d_name[0] != '.') list_add(&l, e->d_name);
  closedir(d);
  if (l.count) qsort(l.items, (size_t)l.count, sizeof(char *), compare_names);
  return l;
}

static name_list read_lines(const char *path, bool *ok) {
  name_list l = {0};
  FILE *f = fopen(path, "r");
  *ok = f != NULL;
  if (!f) return l;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] && line[0] != '#') list_add(&l, line);
  }
  fclose(f);
  if (l.count) qsort(l.items, (size_t)l.count, sizeof(char *), compare_names);
  return l;
}

static unsigned char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char *buf = NULL;
  long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL &&
      fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *size = n > 0 ? (size_t)n : 0;
  return buf;
}

static bool file_exists(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f) fclose(f);
  return f != NULL;
}

/* Element i of a tensor's data as double (floats and integers alike). */
static double element(edgert_dtype dtype, const void *data, int64_t i) {
  switch (dtype) {
  case EDGERT_FLOAT32: return ((const float *)data)[i];
  case EDGERT_FLOAT64: return ((const double *)data)[i];
  case EDGERT_FLOAT16: return er_half_to_float(((const uint16_t *)data)[i]);
  case EDGERT_BFLOAT16: return er_bfloat16_to_float(((const uint16_t *)data)[i]);
  case EDGERT_INT8: return ((const int8_t *)data)[i];
  case EDGERT_UINT8:
  case EDGERT_BOOL: return ((const uint8_t *)data)[i];
  case EDGERT_INT16: return ((const int16_t *)data)[i];
  case EDGERT_UINT16: return ((const uint16_t *)data)[i];
  case EDGERT_INT32: return ((const int32_t *)data)[i];
  case EDGERT_UINT32: return ((const uint32_t *)data)[i];
  case EDGERT_INT64: return (double)((const int64_t *)data)[i];
  case EDGERT_UINT64: return (double)((const uint64_t *)data)[i];
  default: return 0;
  }
}

static bool is_float(edgert_dtype d) {
  return d == EDGERT_FLOAT32 || d == EDGERT_FLOAT64 || d == EDGERT_FLOAT16 || d == EDGERT_BFLOAT16;
}

/* Integers compare exactly: 64-bit ones bit for bit, since doubles lose their low bits. */
static bool same_integer(edgert_dtype dtype, const void *a, const void *b, int64_t i) {
  size_t size = edgert_dtype_size(dtype);
  return memcmp((const char *)a + (size_t)i * size, (const char *)b + (size_t)i * size, size) == 0 ||
         (dtype == EDGERT_BOOL && (((const uint8_t *)a)[i] != 0) == (((const uint8_t *)b)[i] != 0));
}

static bool close_enough(double got, double want) {
  if (isnan(want) || isnan(got)) return isnan(want) && isnan(got);
  if (isinf(want) || isinf(got)) return got == want;
  return fabs(got - want) <= 1e-7 + 1e-3 * fabs(want);
}

static bool compare_output(const edgert_tensor_info *info, const void *got, const er_tensor *want, int k,
                           char *why, size_t len) {
  char a[128], b[128];
  er_tensor bf16;
  if (info->dtype == EDGERT_BFLOAT16 && want->dtype == EDGERT_UINT16) {
    /* numpy has no bfloat16: ONNX's test data holds bfloat16 bit patterns as uint16 */
    bf16 = *want;
    bf16.dtype = EDGERT_BFLOAT16;
    want = &bf16;
  }
  if (info->dtype != want->dtype) {
    snprintf(why, len, "output %d is %s, expected %s", k, edgert_dtype_name(info->dtype),
             edgert_dtype_name(want->dtype));
    return false;
  }
  if (info->ndim != want->ndim || memcmp(info->dims, want->dims, sizeof(int64_t) * (size_t)want->ndim) != 0) {
    snprintf(why, len, "output %d has shape %s, expected %s", k,
             er_shape_str(info->ndim, info->dims, a, sizeof a),
             er_shape_str(want->ndim, want->dims, b, sizeof b));
    return false;
  }
  int64_t n = er_tensor_elements(want);
  if (n > 0 && !got) {
    snprintf(why, len, "output %d has no data", k);
    return false;
  }
  for (int64_t i = 0; i < n; i++) {
    bool ok = is_float(want->dtype)
                  ? close_enough(element(info->dtype, got, i), element(want->dtype, want->data, i))
                  : same_integer(want->dtype, got, want->data, i);
    if (!ok) {
      snprintf(why, len, "output %d differs at index %lld: got %.9g, expected %.9g", k, (long long)i,
               element(info->dtype, got, i), element(want->dtype, want->data, i));
      return false;
    }
  }
  return true;
}

typedef struct {
  unsigned char *bytes[MAX_IO];
  er_tensor tensors[MAX_IO];
  int count;
  er_graph owner; /* pool of decoded data */
} pb_set;

static void pb_set_free(pb_set *s) {
  for (int i = 0; i < s->count; i++)
    free(s->bytes[i]);
  er_graph_free(&s->owner);
  s->count = 0;
}

/* Reads prefix_K.pb for K = 0.. from dir. */
static bool read_pb_set(const char *dir, const char *prefix, pb_set *s, char *why, size_t len) {
  memset(s, 0, sizeof *s);
  for (int k = 0; k < MAX_IO; k++) {
    char path[1200];
    snprintf(path, sizeof path, "%s/%s_%d.pb", dir, prefix, k);
    if (!file_exists(path)) break;
    size_t size;
    s->bytes[k] = read_file(path, &size);
    s->count = k + 1;
    char err[256];
    if (!s->bytes[k] ||
        er_onnx_read_tensor(s->bytes[k], size, &s->owner, &s->tensors[k], err, sizeof err) != EDGERT_OK) {
      snprintf(why, len, "%s_%d.pb: %s", prefix, k, s->bytes[k] ? err : "unreadable");
      return false;
    }
  }
  return true;
}

/* Gives each input the shape of its data, resizing where it differs from the current one. */
static bool shape_inputs(const edgert_model *model, edgert_interpreter **interp, bool created, pb_set *in,
                         char *why, size_t len) {
  bool resized = false;
  edgert_status st = EDGERT_OK;
  for (int k = 0; k < in->count; k++) {
    edgert_tensor_info info;
    edgert_model_input_info(model, k, &info);
    er_tensor *t = &in->tensors[k];
    if (info.dtype == EDGERT_BFLOAT16 && t->dtype == EDGERT_UINT16) t->dtype = EDGERT_BFLOAT16; /* as above */
    if (info.dtype != t->dtype) {
      snprintf(why, len, "input %d is %s, test data is %s", k, edgert_dtype_name(info.dtype),
               edgert_dtype_name(t->dtype));
      return false;
    }
    edgert_tensor_info now;
    bool same = edgert_interpreter_input_info(*interp, k, &now) == EDGERT_OK && now.ndim == t->ndim &&
                memcmp(now.dims, t->dims, sizeof(int64_t) * (size_t)t->ndim) == 0;
    if (!same) {
      st = edgert_interpreter_resize_input(*interp, k, t->ndim, t->dims);
      resized = true;
    }
  }
  if ((resized && st != EDGERT_OK) || (!resized && !created)) {
    snprintf(why, len, "%s: %s", resized ? "resize" : "create", edgert_interpreter_error(*interp));
    return false;
  }
  return true;
}

static bool run_data_set(const edgert_model *model, edgert_interpreter **interp, bool *created,
                         const char *set_dir, char *why, size_t len) {
  pb_set in, out;
  bool ok = read_pb_set(set_dir, "input", &in, why, len) && read_pb_set(set_dir, "output", &out, why, len);
  if (ok && in.count != edgert_model_input_count(model)) {
    snprintf(why, len, "test has %d inputs, model %d", in.count, edgert_model_input_count(model));
    ok = false;
  }
  if (ok && out.count > edgert_model_output_count(model)) {
    snprintf(why, len, "test has %d outputs, model %d", out.count, edgert_model_output_count(model));
    ok = false;
  }
  if (ok) ok = shape_inputs(model, interp, *created, &in, why, len);
  if (ok) *created = true;
  for (int k = 0; ok && k < in.count; k++) {
    if (edgert_interpreter_set_input(*interp, k, in.tensors[k].data, in.tensors[k].bytes) != EDGERT_OK) {
      snprintf(why, len, "set input %d: %s", k, edgert_interpreter_error(*interp));
      ok = false;
    }
  }
  if (ok && edgert_interpreter_invoke(*interp) != EDGERT_OK) {
    snprintf(why, len, "invoke: %s", edgert_interpreter_error(*interp));
    ok = false;
  }
  for (int k = 0; ok && k < out.count; k++) {
    edgert_tensor_info info;
    edgert_interpreter_output_info(*interp, k, &info);
    ok = compare_output(&info, edgert_interpreter_output_data(*interp, k), &out.tensors[k], k, why, len);
  }
  pb_set_free(&in);
  pb_set_free(&out);
  return ok;
}

/* Runs one test folder; false with a reason when it fails. */
static bool run_test(const char *dir, char *why, size_t len) {
  char path[1100];
  snprintf(path, sizeof path, "%.1000s/model.onnx", dir);
  if (!file_exists(path)) {
    snprintf(why, len, "no model.onnx");
    return false;
  }
  edgert_model *model = NULL;
  if (edgert_model_load_file(path, &model) != EDGERT_OK) {
    snprintf(why, len, "load: %s", edgert_model_error(model));
    edgert_model_free(model);
    return false;
  }
  edgert_interpreter *interp = NULL;
  bool created = edgert_interpreter_create(model, NULL, &interp) == EDGERT_OK;
  name_list sets = list_dir(dir);
  bool ok = true;
  int ran = 0;
  for (int i = 0; ok && i < sets.count; i++) {
    if (strncmp(sets.items[i], "test_data_set_", 14) != 0) continue;
    char set_dir[1200];
    snprintf(set_dir, sizeof set_dir, "%.1000s/%.190s", dir, sets.items[i]);
    char reason[600];
    ok = run_data_set(model, &interp, &created, set_dir, reason, sizeof reason);
    if (!ok) snprintf(why, len, "%s: %s", sets.items[i], reason);
    ran++;
  }
  if (ok && ran == 0) {
    snprintf(why, len, "no test data sets");
    ok = false;
  }
  list_free(&sets);
  edgert_interpreter_free(interp);
  edgert_model_free(model);
  return ok;
}

/* How many failing tests each unsupported op accounts for, so op owners see where to start. */
typedef struct {
  char op[96];
  int tests;
} op_tally;

static void tally_unsupported(op_tally *t, int *n, int cap, const char *why) {
  const char *p = strstr(why, "unsupported op ");
  if (!p) return;
  p += strlen("unsupported op ");
  char op[96];
  size_t len = strcspn(p, " ");
  snprintf(op, sizeof op, "%.*s", (int)(len < sizeof op ? len : sizeof op - 1), p);
  for (int i = 0; i < *n; i++)
    if (!strcmp(t[i].op, op)) {
      t[i].tests++;
      return;
    }
  if (*n < cap) {
    snprintf(t[*n].op, sizeof t[*n].op, "%s", op);
    t[(*n)++].tests = 1;
  }
}

static int by_tests(const void *a, const void *b) {
  const op_tally *x = a, *y = b;
  return x->tests != y->tests ? y->tests - x->tests : strcmp(x->op, y->op);
}

typedef struct {
  const char *filter, *list_passing, *expect, *root;
  bool quiet;
} options;

static bool parse_args(int argc, char **argv, options *o) {
  memset(o, 0, sizeof *o);
  o->root = DEFAULT_ROOT;
  for (int i = 1; i < argc; i++) {
    bool has_value = i + 1 < argc;
    if (!strcmp(argv[i], "--filter") && has_value) {
      o->filter = argv[++i];
    } else if (!strcmp(argv[i], "--list-passing") && has_value) {
      o->list_passing = argv[++i];
    } else if (!strcmp(argv[i], "--expect") && has_value) {
      o->expect = argv[++i];
    } else if (!strcmp(argv[i], "--quiet")) {
      o->quiet = true;
    } else if (argv[i][0] != '-') {
      o->root = argv[i];
    } else {
      fprintf(stderr, "usage: %s [--filter SUBSTR] [--list-passing FILE] [--expect FILE] [--quiet] [ROOT]\n",
              argv[0]);
      return false;
    }
  }
  return true;
}

int main(int argc, char **argv) {
  options o;
  if (!parse_args(argc, argv, &o)) return 2;
  DIR *root = opendir(o.root);
  if (!root) {
    fprintf(stderr,
            "onnx conformance: test data folder %s is missing; install Debian's libonnx-testdata "
            "(scripts/install-deps.sh) or pass the folder\n",
            o.root);
    return 2;
  }
  closedir(root);
  name_list expected = {0}, passing = {0};
  if (o.expect) {
    bool ok;
    expected = read_lines(o.expect, &ok);
    if (!ok) {
      fprintf(stderr, "onnx conformance: cannot read %s\n", o.expect);
      return 2;
    }
  }
  int pass[N_GROUPS] = {0}, total[N_GROUPS] = {0}, skipped[N_GROUPS] = {0};
  static op_tally tally[512];
  int n_tally = 0;
  for (int g = 0; g < N_GROUPS; g++) {
    char group_dir[1024];
    snprintf(group_dir, sizeof group_dir, "%s/%s", o.root, groups[g]);
    name_list tests = list_dir(group_dir);
    for (int i = 0; i < tests.count; i++) {
      char name[600];
      snprintf(name, sizeof name, "%s/%s", groups[g], tests.items[i]);
      if (o.filter && !strstr(name, o.filter)) continue;
      char dir[1700], why[1200] = "";
      snprintf(dir, sizeof dir, "%s/%s", group_dir, tests.items[i]);
      char model_path[1800];
      snprintf(model_path, sizeof model_path, "%s/model.onnx", dir);
      if (!file_exists(model_path)) {
        /* Debian ships the 'real' models as download links (data.json) only */
        if (!o.quiet) printf("SKIP %s: no model.onnx\n", name);
        skipped[g]++;
        continue;
      }
      total[g]++;
      if (run_test(dir, why, sizeof why)) {
        pass[g]++;
        list_add(&passing, name);
      } else {
        if (!o.quiet) printf("FAIL %s: %s\n", name, why);
        tally_unsupported(tally, &n_tally, (int)(sizeof tally / sizeof tally[0]), why);
      }
    }
    list_free(&tests);
  }
  if (n_tally && !o.quiet) {
    qsort(tally, (size_t)n_tally, sizeof tally[0], by_tests);
    printf("unsupported ops (failing tests):");
    for (int i = 0; i < n_tally; i++)
      printf(" %s (%d)", tally[i].op, tally[i].tests);
    printf("\n");
  }
  int all_pass = 0, all_total = 0;
  for (int g = 0; g < N_GROUPS; g++) {
    printf("%-18s %4d / %4d passed", groups[g], pass[g], total[g]);
    printf(skipped[g] ? " (%d skipped: no model.onnx)\n" : "\n", skipped[g]);
    if (g != REAL_GROUP) {
      all_pass += pass[g];
      all_total += total[g];
    }
  }
  printf("%-18s %4d / %4d passed (without real)\n", "total", all_pass, all_total);
  if (passing.count) qsort(passing.items, (size_t)passing.count, sizeof(char *), compare_names);
  if (o.list_passing) {
    FILE *f = fopen(o.list_passing, "w");
    if (f) {
      for (int i = 0; i < passing.count; i++)
        fprintf(f, "%s\n", passing.items[i]);
      fclose(f);
    } else {
      fprintf(stderr, "onnx conformance: cannot write %s\n", o.list_passing);
    }
  }
  int regressions = 0;
  if (o.expect) {
    for (int i = 0; i < expected.count; i++) {
      if (o.filter && !strstr(expected.items[i], o.filter)) continue;
      if (!list_has(&passing, expected.items[i])) {
        printf("REGRESSION %s (listed in %s)\n", expected.items[i], o.expect);
        regressions++;
      }
    }
    for (int i = 0; i < passing.count; i++)
      if (!list_has(&expected, passing.items[i])) printf("newly passing: %s\n", passing.items[i]);
  }
  list_free(&expected);
  list_free(&passing);
  return regressions ? 1 : 0;
}
