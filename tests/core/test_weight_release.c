/* Weights a kernel packed give their file pages back (er_input_packed), and the model stays usable: a
 * second interpreter, a re-prepare after a resize and a direct read all see the file's bytes again. The
 * model is written to a temporary file so it is mmapped as edgert_model_load_file does for users. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../formats/pb_builder.h"
#include "core/model.h"
#include "edgert.h"
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

/* y = op(x, W) with W [K, N] an initializer whose raw bytes start `pad` bytes later (a doc_string of that
 * length moves them, so one pad puts them 4-byte aligned: read in place, the others misaligned: left in
 * the file until read, tensor.h: file_bytes). op is MatMul (x [batch, K]), Add (x [K, N]), AddSelf
 * (y = W + W; x unused) or Identity (y = W; x unused). */
static big_writer build_model(const char *op, const float *w, int pad) {
  pbw node, in, out, tensor_head;
  bool matmul = strcmp(op, "MatMul") == 0, identity = strcmp(op, "Identity") == 0;
  bool twice = strcmp(op, "AddSelf") == 0;
  const char *node_in[2] = {"x", "W"}, *node_out[1] = {"y"};
  if (identity || twice) node_in[0] = "W";
  onnx_node(&node, twice ? "Add" : op, "op", identity ? 1 : 2, node_in, 1, node_out, 0, NULL);
  int64_t x_dims[2] = {matmul ? -1 : K, matmul ? K : N}, y_dims[2] = {matmul ? -1 : K, N}, w_dims[2] = {K, N};
  onnx_value_info(&in, "x", ONNX_FLOAT, 2, x_dims);
  onnx_value_info(&out, "y", ONNX_FLOAT, 2, y_dims);
  onnx_tensor_header(&tensor_head, "W", ONNX_FLOAT, 2, w_dims);
  char doc[4] = "...";
  doc[pad] = '\0';
  pbw_str(&tensor_head, 12, doc);
  big_writer tensor = {0}, graph = {0}, model = {0};
  big_bytes(&tensor, tensor_head.buf, tensor_head.len);
  big_field(&tensor, 9, w, sizeof(float) * K * N);
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

/* Offset of W's raw bytes in the model (found by their values). */
static size_t find_weights(const big_writer *m, const float *w) {
  for (size_t at = 0; at + sizeof(float) * K * N <= m->len; at++)
    if (memcmp(m->buf + at, w, sizeof(float) * K * N) == 0) return at;
  return SIZE_MAX;
}

/* The model of build_model whose W lies at an offset aligned for floats or not, written to a temporary
 * file (path, mkstemp's template), and its W offset; SIZE_MAX when none. */
static size_t write_model(const char *op, const float *w, bool aligned, char *path) {
  big_writer bytes = {0};
  size_t offset = SIZE_MAX;
  for (int pad = 0; pad < 4 && (offset == SIZE_MAX || (offset % 4 == 0) != aligned); pad++) {
    free(bytes.buf);
    bytes = build_model(op, w, pad);
    offset = find_weights(&bytes, w);
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
  size_t offset = write_model("MatMul", w, true, path);
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
    size_t offset = write_model(ops[op], w, false, path);
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

void run_tests(void) {
  RUN(test_packed_weights_are_released_and_read_again_from_the_file);
  RUN(test_misaligned_weights_are_copied_by_their_readers);
}
