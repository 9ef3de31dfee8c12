/* float32 MatMul on the GEMM core against a double-precision reference: a constant B without batch dims
 * (every batch of A in one product), a constant batched B, graph-input operands with broadcast batch dims,
 * 1-D operands, and shapes with tile tails and several K blocks. */
#include <stdlib.h>

#include "op_harness.h"

static float next_value(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)(*s >> 8) / (float)(1u << 24) * 2.0f - 1.0f;
}

typedef struct {
  int a_ndim, b_ndim;
  int64_t a_dims[4], b_dims[4];
  bool b_const;
} mm_case;

static int64_t count(int ndim, const int64_t *dims) {
  int64_t n = 1;
  for (int i = 0; i < ndim; i++)
    n *= dims[i];
  return n;
}

/* Broadcast batch index of one operand from the output's batch coordinates. */
static int64_t batch_offset(int ndim, const int64_t *dims, int out_batch_ndim, const int64_t *coord,
                            int64_t matrix) {
  int batch_ndim = ndim >= 2 ? ndim - 2 : 0;
  int64_t index = 0;
  for (int i = 0; i < batch_ndim; i++) {
    int64_t c = coord[out_batch_ndim - batch_ndim + i];
    index = index * dims[i] + (dims[i] == 1 ? 0 : c);
  }
  return index * matrix;
}

static void run_mm_case(const mm_case *mc) {
  int64_t m = mc->a_ndim >= 2 ? mc->a_dims[mc->a_ndim - 2] : 1, k = mc->a_dims[mc->a_ndim - 1];
  int64_t n = mc->b_ndim >= 2 ? mc->b_dims[mc->b_ndim - 1] : 1;
  int64_t na = count(mc->a_ndim, mc->a_dims), nb = count(mc->b_ndim, mc->b_dims);
  uint32_t seed = (uint32_t)(na * 7 + nb);
  float *a = malloc((size_t)na * sizeof *a), *b = malloc((size_t)nb * sizeof *b);
  for (int64_t i = 0; i < na; i++)
    a[i] = next_value(&seed);
  for (int64_t i = 0; i < nb; i++)
    b[i] = next_value(&seed);
  /* output batch dims: the longer operand's, broadcast */
  int a_batch = mc->a_ndim >= 2 ? mc->a_ndim - 2 : 0, b_batch = mc->b_ndim >= 2 ? mc->b_ndim - 2 : 0;
  int out_batch = a_batch > b_batch ? a_batch : b_batch;
  int64_t batch_dims[4];
  for (int i = 0; i < out_batch; i++) {
    int ia = i - (out_batch - a_batch), ib = i - (out_batch - b_batch);
    int64_t da = ia >= 0 ? mc->a_dims[ia] : 1, db = ib >= 0 ? mc->b_dims[ib] : 1;
    batch_dims[i] = da > db ? da : db;
  }
  th_graph *g = th_new();
  int ta = th_tensor(g, EDGERT_FLOAT32, mc->a_ndim, mc->a_dims, NULL);
  int tb = th_tensor(g, EDGERT_FLOAT32, mc->b_ndim, mc->b_dims, mc->b_const ? b : NULL);
  int out = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  th_node(g, ER_OP_MATMUL, NULL, 0, 2, (int[]){ta, tb}, 1, (int[]){out});
  if (mc->b_const)
    th_io(g, 1, (int[]){ta}, 1, (int[]){out});
  else
    th_io(g, 2, (int[]){ta, tb}, 1, (int[]){out});
  edgert_status st = th_run(g, (const void *[]){a, b});
  CHECK_MSG(st == EDGERT_OK, "%s", th_error(g));
  const float *y = st == EDGERT_OK ? th_output(g, 0) : NULL;
  int64_t batches = count(out_batch, batch_dims);
  int bad = 0;
  for (int64_t bi = 0; y && bi < batches && bad < 3; bi++) {
    int64_t coord[4], rest = bi;
    for (int i = out_batch - 1; i >= 0; i--)
      coord[i] = rest % batch_dims[i], rest /= batch_dims[i];
    int64_t la = batch_offset(mc->a_ndim, mc->a_dims, out_batch, coord, m * k);
    int64_t lb = batch_offset(mc->b_ndim, mc->b_dims, out_batch, coord, k * n);
    for (int64_t i = 0; i < m && bad < 3; i++)
      for (int64_t j = 0; j < n && bad < 3; j++) {
        double sum = 0, mag = 0;
        for (int64_t p = 0; p < k; p++) {
          double t = (double)a[la + i * k + p] * b[lb + p * n + j];
          sum += t, mag += fabs(t);
        }
        float got = y[(bi * m + i) * n + j];
        if (!(fabs(got - sum) <= 2e-5 * (1 + mag))) {
          CHECK_MSG(false, "a rank %d b rank %d const %d: y[%lld][%lld][%lld] = %.9g, want %.9g", mc->a_ndim,
                    mc->b_ndim, mc->b_const, (long long)bi, (long long)i, (long long)j, got, sum);
          bad++;
        }
      }
  }
  th_free(g);
  free(a), free(b);
}

static void test_matmul_f32_constant_b_shared_by_batches(void) {
  run_mm_case(&(mm_case){3, 2, {3, 7, 37}, {37, 45}, true});
  run_mm_case(&(mm_case){2, 2, {13, 600}, {600, 70}, true});
  run_mm_case(&(mm_case){1, 2, {300}, {300, 33}, true});
  run_mm_case(&(mm_case){2, 1, {5, 19}, {19}, true});
}

static void test_matmul_f32_constant_batched_b(void) {
  run_mm_case(&(mm_case){3, 3, {2, 5, 17}, {2, 17, 9}, true});
  run_mm_case(&(mm_case){4, 3, {2, 3, 4, 11}, {3, 11, 40}, true});
  run_mm_case(&(mm_case){2, 3, {6, 8}, {4, 8, 33}, true});
}

static void test_matmul_f32_graph_inputs(void) {
  run_mm_case(&(mm_case){3, 3, {2, 13, 29}, {1, 29, 31}, false});
  run_mm_case(&(mm_case){2, 2, {40, 257}, {257, 50}, false});
  run_mm_case(&(mm_case){1, 1, {23}, {23}, false});
  run_mm_case(&(mm_case){4, 2, {2, 2, 3, 5}, {5, 1}, false});
}

void run_tests(void) {
  RUN(test_matmul_f32_constant_b_shared_by_batches);
  RUN(test_matmul_f32_constant_batched_b);
  RUN(test_matmul_f32_graph_inputs);
}
