/* Weights a kernel packed give their file pages back (er_input_packed), and the model stays usable: a
 * second interpreter, a re-prepare after a resize and a direct read all see the file's bytes again. The
 * model is written to a temporary file so it is mmapped as edgert_model_load_file does for users. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../formats/pb_builder.h"
#include "core/cpu.h"
#include "core/model.h"
#include "edgert.h"
#include "ops/conv_nd_gemm.h"
#include "ops/gemm_f32.h"
#include "test.h"

enum { K = 64, N = 96 }; /* W is 24 KiB: several whole pages inside it */

/* A growable protobuf writer for messages beyond pbw's fixed buffer. */
typedef struct {
  uint8_t *buf;
  size_t len, cap;
} big_writer;

static void big_bytes(big_writer *w, const void *data, size_t len) {
  if (w->len + len > w->cap) {
    w->cap = (w->len + len) * 2;
    w->buf = realloc(w->buf, w->cap);
  }
  memcpy(w->buf + w->len, data, len);
  w->len += len;
}

static void big_varint(big_writer *w, uint64_t v) {
  do {
    uint8_t b = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
    big_bytes(w, &b, 1);
    v >>= 7;
  } while (v);
}

static void big_field(big_writer *w, uint32_t field, const void *data, size_t len) {
  big_varint(w, ((uint64_t)field << 3) | 2);
  big_varint(w, len);
  big_bytes(w, data, len);
}

/* A model of one node: inputs from x (a graph input) and W (an initializer of w_count floats), output y. */
typedef struct {
  const char *op;
  int n_inputs;
  const char *inputs[2]; /* "x" or "W" */
  int x_ndim, w_ndim, y_ndim;
  int64_t x_dims[4], w_dims[4], y_dims[4]; /* x dims < 0: a symbolic dim */
  int n_attrs;
  pbw attrs[3];
  const float *w;
  size_t w_count;
} one_node;

/* The model of g with W's raw bytes `pad` bytes later (a doc_string of that length moves them, so one pad
 * puts them 4-byte aligned: read in place, the others misaligned: left in the file until read, tensor.h:
 * file_bytes). */
static big_writer build_model(const one_node *g, int pad) {
  pbw node, in, out, tensor_head;
  const char *node_out[1] = {"y"};
  onnx_node(&node, g->op, "op", g->n_inputs, g->inputs, 1, node_out, g->n_attrs, g->attrs);
  onnx_value_info(&in, "x", ONNX_FLOAT, g->x_ndim, g->x_dims);
  onnx_value_info(&out, "y", ONNX_FLOAT, g->y_ndim, g->y_dims);
  onnx_tensor_header(&tensor_head, "W", ONNX_FLOAT, g->w_ndim, g->w_dims);
  char doc[4] = "...";
  doc[pad] = '\0';
  pbw_str(&tensor_head, 12, doc);
  big_writer tensor = {0}, graph = {0}, model = {0};
  big_bytes(&tensor, tensor_head.buf, tensor_head.len);
  big_field(&tensor, 9, g->w, sizeof(float) * g->w_count);
  big_field(&graph, 1, node.buf, node.len);
  big_field(&graph, 5, tensor.buf, tensor.len);
  big_field(&graph, 11, in.buf, in.len);
  big_field(&graph, 12, out.buf, out.len);
  pbw head = {0}, imp = {0};
  pbw_str(&imp, 1, "");
  pbw_int(&imp, 2, 13);
  pbw_int(&head, 1, 8);
  pbw_msg(&head, 8, &imp);
  big_bytes(&model, head.buf, head.len);
  big_field(&model, 7, graph.buf, graph.len);
  free(tensor.buf);
  free(graph.buf);
  return model;
}

/* y = op(x, W) with W [K, N]. op is MatMul (x [batch, K]), Add (x [K, N]), AddSelf (y = W + W; x unused)
 * or Identity (y = W; x unused). */
static one_node matrix_node(const char *op, const float *w) {
  bool matmul = strcmp(op, "MatMul") == 0, identity = strcmp(op, "Identity") == 0;
  bool twice = strcmp(op, "AddSelf") == 0;
  one_node g = {.op = twice ? "Add" : op,
                .n_inputs = identity ? 1 : 2,
                .inputs = {"x", "W"},
                .x_ndim = 2,
                .w_ndim = 2,
                .y_ndim = 2,
                .x_dims = {matmul ? -1 : K, matmul ? K : N},
                .w_dims = {K, N},
                .y_dims = {matmul ? -1 : K, N},
                .w = w,
                .w_count = (size_t)K * N};
  if (identity || twice) g.inputs[0] = "W";
  return g;
}

/* Offset of W's raw bytes in the model (found by their values). */
static size_t find_weights(const big_writer *m, const one_node *g) {
  size_t bytes = sizeof(float) * g->w_count;
  for (size_t at = 0; at + bytes <= m->len; at++)
    if (memcmp(m->buf + at, g->w, bytes) == 0) return at;
  return SIZE_MAX;
}

/* The model of g whose W lies at an offset aligned for floats or not, written to a temporary file (path,
 * mkstemp's template), and its W offset; SIZE_MAX when none. */
static size_t write_model(const one_node *g, bool aligned, char *path) {
  big_writer bytes = {0};
  size_t offset = SIZE_MAX;
  for (int pad = 0; pad < 4 && (offset == SIZE_MAX || (offset % 4 == 0) != aligned); pad++) {
    free(bytes.buf);
    bytes = build_model(g, pad);
    offset = find_weights(&bytes, g);
  }
  int fd = mkstemp(path);
  if (fd < 0 || offset == SIZE_MAX || (offset % 4 == 0) != aligned ||
      write(fd, bytes.buf, bytes.len) != (ssize_t)bytes.len)
    offset = SIZE_MAX;
  if (fd >= 0) close(fd);
  free(bytes.buf);
  return offset;
}

/* Resident kB of the mapping starting at `start`, from /proc/self/smaps; -1 where that is not readable. */
static long resident_kb(const void *start) {
  FILE *f = fopen("/proc/self/smaps", "r");
  if (!f) return -1;
  char line[512];
  long kb = -1;
  bool inside = false;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
      inside = lo == (unsigned long)(uintptr_t)start;
      continue;
    }
    if (inside && sscanf(line, "Rss: %ld kB", &kb) == 1) break;
  }
  fclose(f);
  return kb;
}

static void run_rows(edgert_interpreter *it, int rows, const float *x, float *y) {
  int64_t dims[2] = {rows, K};
  CHECK_OK(edgert_interpreter_resize_input(it, 0, 2, dims));
  CHECK_OK(edgert_interpreter_set_input(it, 0, x, sizeof(float) * K * (size_t)rows));
  CHECK_OK(edgert_interpreter_invoke(it));
  const float *out = edgert_interpreter_output_data(it, 0);
  if (out) memcpy(y, out, sizeof(float) * N * (size_t)rows);
}

static void test_packed_weights_are_released_and_read_again_from_the_file(void) {
  float *w = malloc(sizeof(float) * K * N), x[3 * K], want[N], y1[N], y2[N], y3[3 * N];
  for (int i = 0; i < K * N; i++)
    w[i] = (float)((i * 37) % 101 - 50) / 64.0f;
  for (int i = 0; i < 3 * K; i++)
    x[i] = (float)((i % K) * 13 % 29 - 14) / 8.0f;
  for (int n = 0; n < N; n++) {
    double acc = 0;
    for (int k = 0; k < K; k++)
      acc += (double)x[k] * w[k * N + n];
    want[n] = (float)acc; /* exact: every product and sum is a short binary fraction */
  }
  char path[] = "/tmp/edgert_test_release_XXXXXX";
  one_node g = matrix_node("MatMul", w);
  size_t offset = write_model(&g, true, path);
  CHECK(offset != SIZE_MAX);
  if (offset == SIZE_MAX) return;

  edgert_model *m = NULL;
  CHECK_OK(edgert_model_load_file(path, &m));
  const uint8_t *weights = (const uint8_t *)m->mapping + offset;
  edgert_interpreter *a = NULL, *b = NULL, *c = NULL;
  CHECK_OK(edgert_interpreter_create(m, NULL, &a));
  run_rows(a, 1, x, y1);
  for (int n = 0; n < N; n++)
    CHECK_MSG(y1[n] == want[n], "y[%d] = %g, want %g", n, y1[n], want[n]);

  /* after prepare only the pages W shares with the protobuf around it may stay */
  long kb = resident_kb(m->mapping);
  if (kb >= 0) CHECK_MSG(kb <= 8, "%ld kB of the model file stay resident", kb);

  /* a second interpreter packs from the same, released, pages: they come back from the file */
  CHECK_OK(edgert_interpreter_create(m, NULL, &b));
  run_rows(b, 1, x, y2);
  CHECK(memcmp(y1, y2, sizeof y1) == 0);
  /* and the first one prepares again after a resize */
  run_rows(a, 3, x, y3);
  for (int r = 0; r < 3; r++)
    for (int n = 0; n < N; n++)
      CHECK(y3[r * N + n] == want[n]);
  CHECK(memcmp(weights, w, sizeof(float) * K * N) == 0);
  edgert_interpreter_free(a);
  edgert_interpreter_free(b);
  CHECK_OK(edgert_interpreter_create(m, NULL, &c));
  run_rows(c, 1, x, y2);
  CHECK(memcmp(y1, y2, sizeof y1) == 0);
  edgert_interpreter_free(c);
  edgert_model_free(m);
  unlink(path);
  free(w);
}

/* The graph tensor holding W's bytes (the only constant of these models). */
static const er_tensor *weights_tensor(const edgert_model *m) {
  for (int32_t t = 0; t < m->graph.n_tensors; t++)
    if (m->graph.tensors[t].kind == ER_TENSOR_CONST) return &m->graph.tensors[t];
  return NULL;
}

/* Misaligned weights are not copied at load: each interpreter copies them for the kernel that reads
 * them, which packs them (MatMul), keeps the copy to read at invoke (Add, and AddSelf reading it twice)
 * or gives it as the graph's output (Identity); the results are exact, prepare again after a resize, and
 * a second interpreter reads the same bytes. */
static void test_misaligned_weights_are_copied_by_their_readers(void) {
  float *w = malloc(sizeof(float) * K * N), *x = malloc(sizeof(float) * K * N);
  float *want = malloc(sizeof(float) * K * N), *y = malloc(sizeof(float) * K * N);
  for (int i = 0; i < K * N; i++) {
    w[i] = (float)((i * 37) % 101 - 50) / 64.0f;
    x[i] = (float)((i % K) * 13 % 29 - 14) / 8.0f;
  }
  const char *ops[4] = {"MatMul", "Add", "Identity", "AddSelf"};
  for (int op = 0; op < 4; op++) {
    int rows = op == 0 ? 1 : K, out_count = rows * N;
    for (int i = 0; i < out_count; i++) {
      double acc = op == 1 ? (double)x[i] + w[i] : op == 2 ? w[i] : op == 3 ? 2.0 * w[i] : 0.0;
      for (int k = 0; op == 0 && k < K; k++)
        acc += (double)x[k] * w[k * N + i];
      want[i] = (float)acc; /* exact: short binary fractions */
    }
    char path[] = "/tmp/edgert_test_misaligned_XXXXXX";
    one_node g = matrix_node(ops[op], w);
    size_t offset = write_model(&g, false, path);
    CHECK_MSG(offset != SIZE_MAX, "%s: no misaligned model", ops[op]);
    if (offset == SIZE_MAX) continue;
    edgert_model *m = NULL;
    CHECK_OK(edgert_model_load_file(path, &m));
    const er_tensor *wt = m ? weights_tensor(m) : NULL;
    CHECK(wt && !wt->data && wt->file_bytes == (const uint8_t *)m->mapping + offset);
    edgert_interpreter *a = NULL, *b = NULL;
    CHECK_OK(edgert_interpreter_create(m, NULL, &a));
    CHECK_OK(edgert_interpreter_create(m, NULL, &b));
    for (int pass = 0; pass < 3 && a && b; pass++) {
      edgert_interpreter *it = pass == 1 ? b : a;
      if (pass == 2 && op == 0) { /* a resize prepares again, copying again */
        int64_t dims[2] = {3, K};
        CHECK_OK(edgert_interpreter_resize_input(it, 0, 2, dims));
      }
      int in_rows = pass == 2 && op == 0 ? 3 : rows;
      CHECK_OK(edgert_interpreter_set_input(it, 0, x, sizeof(float) * (op == 0 ? K : N) * (size_t)in_rows));
      CHECK_OK(edgert_interpreter_invoke(it));
      const float *out = edgert_interpreter_output_data(it, 0);
      CHECK(out != NULL);
      for (int r = 0; out && r < (pass == 2 && op == 0 ? 3 : 1); r++)
        for (int i = 0; i < out_count; i++)
          CHECK_MSG(out[r * out_count + i] == want[i], "%s pass %d: y[%d] = %g, want %g", ops[op], pass, i,
                    out[r * out_count + i], want[i]);
    }
    CHECK(memcmp((const uint8_t *)m->mapping + offset, w, sizeof(float) * K * N) == 0);
    edgert_interpreter_free(a);
    edgert_interpreter_free(b);
    edgert_model_free(m);
    unlink(path);
  }
  free(w);
  free(x);
  free(want);
  free(y);
}

static void attr_int(pbw *a, const char *name, int64_t v) {
  memset(a, 0, sizeof *a);
  pbw_str(a, 1, name);
  pbw_int(a, 3, v);
  pbw_int(a, 20, 2);
}

static void attr_ints(pbw *a, const char *name, int64_t v, int count) { /* count copies of v */
  memset(a, 0, sizeof *a);
  pbw_str(a, 1, name);
  for (int i = 0; i < count; i++)
    pbw_int(a, 8, v);
  pbw_int(a, 20, 7);
}

/* Conv of x [1, c, hw, hw] by W [m, c / group, kernel, kernel], stride both ways, same padding. */
static one_node conv_node(int64_t c, int64_t hw, int64_t m, int64_t kernel, int64_t stride, int64_t group,
                          const float *w) {
  int64_t pad = kernel / 2, out = (hw + 2 * pad - kernel) / stride + 1;
  one_node g = {.op = "Conv",
                .n_inputs = 2,
                .inputs = {"x", "W"},
                .x_ndim = 4,
                .w_ndim = 4,
                .y_ndim = 4,
                .x_dims = {1, c, hw, hw},
                .w_dims = {m, c / group, kernel, kernel},
                .y_dims = {1, m, out, out},
                .n_attrs = 3,
                .w = w,
                .w_count = (size_t)(m * (c / group) * kernel * kernel)};
  attr_ints(&g.attrs[0], "strides", stride, 2);
  attr_ints(&g.attrs[1], "pads", pad, 4);
  attr_int(&g.attrs[2], "group", group);
  return g;
}

/* Gemm of x [rows, 64] by W [64, 96] (or [96, 64] with transB) times alpha. */
static one_node gemm_node(bool trans_b, float alpha, int64_t rows, const float *w) {
  one_node g = {.op = "Gemm",
                .n_inputs = 2,
                .inputs = {"x", "W"},
                .x_ndim = 2,
                .w_ndim = 2,
                .y_ndim = 2,
                .x_dims = {rows, 64},
                .w_dims = {trans_b ? 96 : 64, trans_b ? 64 : 96},
                .y_dims = {rows, 96},
                .n_attrs = 2,
                .w = w,
                .w_count = 64 * 96};
  attr_int(&g.attrs[0], "transB", trans_b);
  memset(&g.attrs[1], 0, sizeof g.attrs[1]);
  pbw_str(&g.attrs[1], 1, "alpha");
  pbw_float(&g.attrs[1], 2, alpha);
  pbw_int(&g.attrs[1], 20, 1);
  return g;
}

/* y of the model in path on `threads` threads, run twice (the second run's y must match the first's);
 * false when it does not load or run. */
static bool run_model(const char *path, int threads, const float *x, size_t x_count, float *y,
                      size_t y_count) {
  edgert_model *m = NULL;
  edgert_interpreter *it = NULL;
  edgert_options opts = {.num_threads = threads};
  bool ok =
      edgert_model_load_file(path, &m) == EDGERT_OK && edgert_interpreter_create(m, &opts, &it) == EDGERT_OK;
  for (int run = 0; ok && run < 2; run++) {
    ok = edgert_interpreter_set_input(it, 0, x, sizeof(float) * x_count) == EDGERT_OK &&
         edgert_interpreter_invoke(it) == EDGERT_OK && edgert_interpreter_output_data(it, 0);
    if (ok && run == 0) memcpy(y, edgert_interpreter_output_data(it, 0), sizeof(float) * y_count);
    if (ok && run == 1) CHECK(memcmp(y, edgert_interpreter_output_data(it, 0), sizeof(float) * y_count) == 0);
  }
  edgert_interpreter_free(it);
  edgert_model_free(m);
  return ok;
}

/* Convolutions and Gemms whose kernels read misaligned weights where they lie in the file
 * (er_kernel.reads_file_inputs): packed from there (a 1x1 conv computed transposed, the Gemm with alpha
 * 0.5), read in place at every run (as the GEMM's A: 1x1 computed as W · X, im2col convs, grouped too; and
 * by the dot products of a one-row Gemm with a transposed B and alpha 1), or copied first
 * by paths that need aligned floats (Winograd, the direct 3x3 stem, depthwise). Each gives y bit for bit
 * as the same model with its weights aligned, on 1 and 2 threads. */
static void test_misaligned_weights_read_in_place_match_aligned(void) {
  enum { CASES = 10 };
  float *w = malloc(sizeof(float) * 64 * 96), *x = malloc(sizeof(float) * 32 * 40 * 40);
  float *want = malloc(sizeof(float) * 48 * 40 * 40), *got = malloc(sizeof(float) * 48 * 40 * 40);
  for (int i = 0; i < 64 * 96; i++)
    w[i] = (float)((i * 37) % 101 - 50) / 64.0f;
  for (int i = 0; i < 32 * 40 * 40; i++)
    x[i] = (float)(i * 13 % 29 - 14) / 8.0f;
  const er_f32_gemm_ukernels *uk = er_f32_gemm_select(er_cpu_detect());
  CHECK(er_f32_conv_pointwise_transposed(uk, 96, 7 * 7, 64));
  CHECK(!er_f32_conv_pointwise_transposed(uk, 48, 40 * 40, 32));
  for (int c = 0; c < CASES; c++) {
    one_node g = c == 0   ? conv_node(64, 7, 96, 1, 1, 1, w)     /* 1x1, transposed: packed */
                 : c == 1 ? conv_node(32, 40, 48, 1, 1, 1, w)    /* 1x1 as W · X: A in place */
                 : c == 2 ? conv_node(16, 15, 32, 3, 2, 1, w)    /* im2col: A in place */
                 : c == 3 ? conv_node(32, 9, 32, 3, 2, 2, w)     /* grouped im2col */
                 : c == 4 ? conv_node(16, 14, 32, 3, 1, 1, w)    /* 3x3 stride 1 (Winograd): a copy */
                 : c == 5 ? conv_node(3, 16, 64, 3, 1, 1, w)     /* the direct stem: a copy */
                 : c == 6 ? conv_node(128, 8, 128, 3, 1, 128, w) /* depthwise: a copy */
                 : c == 7 ? gemm_node(true, 0.5f, 3, w)
                 : c == 8 ? gemm_node(false, 0.5f, 3, w)
                          : gemm_node(true, 1.0f, 1, w);
    size_t x_count = 1, y_count = 1;
    for (int d = 0; d < g.x_ndim; d++)
      x_count *= (size_t)g.x_dims[d];
    for (int d = 0; d < g.y_ndim; d++)
      y_count *= (size_t)g.y_dims[d];
    char aligned_path[] = "/tmp/edgert_test_aligned_XXXXXX",
         misaligned_path[] = "/tmp/edgert_test_in_file_XXXXXX";
    size_t aligned_at = write_model(&g, true, aligned_path),
           misaligned_at = write_model(&g, false, misaligned_path);
    CHECK_MSG(aligned_at != SIZE_MAX && misaligned_at != SIZE_MAX, "case %d: no model", c);
    edgert_model *m = NULL;
    CHECK_OK(edgert_model_load_file(misaligned_path, &m));
    const er_tensor *wt = m ? weights_tensor(m) : NULL;
    CHECK_MSG(wt && !wt->data && wt->file_bytes, "case %d: W is not left in the file", c);
    edgert_model_free(m);
    for (int threads = 1; threads <= 2; threads++) {
      bool ran = run_model(aligned_path, threads, x, x_count, want, y_count) &&
                 run_model(misaligned_path, threads, x, x_count, got, y_count);
      CHECK_MSG(ran, "case %d (%s), %d threads: did not run", c, g.op, threads);
      if (ran)
        CHECK_MSG(memcmp(want, got, sizeof(float) * y_count) == 0,
                  "case %d (%s), %d threads: misaligned weights change y", c, g.op, threads);
    }
    unlink(aligned_path);
    unlink(misaligned_path);
  }
  free(w), free(x), free(want), free(got);
}

void run_tests(void) {
  RUN(test_packed_weights_are_released_and_read_again_from_the_file);
  RUN(test_misaligned_weights_are_copied_by_their_readers);
  RUN(test_misaligned_weights_read_in_place_match_aligned);
}
