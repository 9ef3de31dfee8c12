/* MAX_UNPOOL_ND (ONNX MaxUnpool) against the ONNX 1.12 backend test data
 * (onnx/backend/test/case/node/maxunpool.py): test_maxunpool_export_without_output_shape, and its
 * with_output_shape case's shape [1, 1, 5, 5] given as a constant. */
#include <string.h>

#include "op_harness.h"

static const float kX[4] = {1, 2, 3, 4};

static edgert_status run_unpool(const int64_t *indices, const int64_t *output_shape, float *out,
                                size_t out_bytes) {
  er_conv_nd_attrs a;
  memset(&a, 0, sizeof a);
  a.auto_pad = ER_PAD_EXPLICIT;
  a.n_kernel = a.n_strides = 2;
  a.kernel[0] = a.kernel[1] = a.strides[0] = a.strides[1] = 2;
  th_graph *g = th_new();
  int x = th_tensor(g, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 2, 2}, NULL);
  int i = th_tensor(g, EDGERT_INT64, 4, (int64_t[]){1, 1, 2, 2}, NULL);
  int s = output_shape ? th_tensor(g, EDGERT_INT64, 1, (int64_t[]){4}, output_shape) : -1;
  int y = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  th_node(g, ER_OP_MAX_UNPOOL_ND, &a, sizeof a, 3, (int[]){x, i, s}, 1, (int[]){y});
  th_io(g, 2, (int[]){x, i}, 1, (int[]){y});
  edgert_status st = th_run(g, (const void *[]){kX, indices});
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.bytes, out_bytes);
    if (info.bytes == out_bytes) memcpy(out, th_output(g, 0), out_bytes);
  } else {
    puts(th_error(g));
  }
  th_free(g);
  return st;
}

static void test_maxunpool_without_output_shape(void) {
  static const int64_t idx[4] = {5, 7, 13, 15};
  static const float want[16] = {0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4};
  float y[16];
  CHECK_OK(run_unpool(idx, NULL, y, sizeof y));
  for (int k = 0; k < 16; k++)
    CHECK_NEAR(y[k], want[k], 0);
}

/* test_maxunpool_export_with_output_shape (ONNX 1.12 data: indices 5, 7, 13, 15 and output_shape
 * [1, 1, 5, 5]): the indices address the inferred 4x4 result, which the 5x5 output holds in its leading
 * corner, so the values land at 6, 8, 16, 18 (as ONNX's reference op_max_unpool.py does). */
static void test_maxunpool_with_output_shape(void) {
  static const int64_t idx[4] = {5, 7, 13, 15}, shape[4] = {1, 1, 5, 5};
  float y[25];
  CHECK_OK(run_unpool(idx, shape, y, sizeof y));
  for (int k = 0; k < 25; k++)
    CHECK_NEAR(y[k], k == 6 ? 1 : k == 8 ? 2 : k == 16 ? 3 : k == 18 ? 4 : 0, 0);
}

/* An index beyond the output fails the invoke instead of writing outside it. */
static void test_maxunpool_rejects_bad_index(void) {
  static const int64_t idx[4] = {5, 7, 13, 16};
  float y[16];
  CHECK(run_unpool(idx, NULL, y, sizeof y) == EDGERT_ERR_RUNTIME);
}

void run_tests(void) {
  RUN(test_maxunpool_without_output_shape);
  RUN(test_maxunpool_with_output_shape);
  RUN(test_maxunpool_rejects_bad_index);
}
