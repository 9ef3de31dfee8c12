/* MAX_POOL_ND, AVERAGE_POOL_ND, LP_POOL_ND (ONNX MaxPool, AveragePool, LpPool and the Global forms)
 * against the ONNX 1.12 backend test data (onnx/backend/test/case/node/maxpool.py, averagepool.py,
 * globalaveragepool.py): test_maxpool_2d_precomputed_pads, test_maxpool_2d_uint8,
 * test_maxpool_with_argmax_2d_precomputed_strides, test_maxpool_2d_dilations,
 * test_maxpool_2d_precomputed_same_upper, test_averagepool_2d_ceil,
 * test_averagepool_2d_precomputed_pads_count_include_pad, test_globalaveragepool_precomputed. Most use
 * the 5x5 image 1..25. LpPool has no case in ONNX 1.12's data; its test computes Operators.md's formula
 * (y = (sum |x|^p)^(1/p) over the window) by hand on a tiny signal. */
#include <string.h>

#include "op_harness.h"

static er_conv_nd_attrs pool_attrs(int rank, int64_t kernel) {
  er_conv_nd_attrs a;
  memset(&a, 0, sizeof a);
  a.auto_pad = ER_PAD_EXPLICIT;
  a.group = 1;
  a.p = 2;
  a.n_kernel = rank;
  for (int i = 0; i < rank; i++)
    a.kernel[i] = kernel;
  return a;
}

static void set_list(int64_t *dst, int32_t *count, int n, const int64_t *values) {
  *count = n;
  memcpy(dst, values, (size_t)n * sizeof *values);
}

typedef struct {
  er_op op;
  edgert_dtype dtype;
  int ndim;
  int64_t dims[5];
  const void *input;
  bool with_indices;
} pool_run;

/* Runs the pool; copies output 0 (and indices) and output 0's shape out. */
static edgert_status run_pool(const pool_run *r, const er_conv_nd_attrs *a, void *out, size_t out_bytes,
                              int64_t *indices, size_t index_bytes, int64_t *out_dims) {
  th_graph *g = th_new();
  int x = th_tensor(g, r->dtype, r->ndim, r->dims, NULL);
  int y = th_tensor(g, r->dtype, -1, NULL, NULL);
  int z = r->with_indices ? th_tensor(g, EDGERT_INT64, -1, NULL, NULL) : -1;
  th_node(g, r->op, a, sizeof *a, 1, (int[]){x}, r->with_indices ? 2 : 1, (int[]){y, z});
  th_io(g, 1, (int[]){x}, r->with_indices ? 2 : 1, (int[]){y, z});
  edgert_status st = th_run(g, (const void *[]){r->input});
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.bytes, out_bytes);
    if (info.bytes == out_bytes) memcpy(out, th_output(g, 0), out_bytes);
    for (int i = 0; i < info.ndim && out_dims; i++)
      out_dims[i] = info.dims[i];
    if (r->with_indices) {
      info = th_output_info(g, 1);
      CHECK_EQ_INT(info.bytes, index_bytes);
      if (info.bytes == index_bytes) memcpy(indices, th_output(g, 1), index_bytes);
    }
  } else {
    puts(th_error(g));
  }
  th_free(g);
  return st;
}

static float kImage5[25];

static void fill_image(void) {
  for (int i = 0; i < 25; i++)
    kImage5[i] = (float)(i + 1);
}

static void check_floats(const float *got, const float *want, int n) {
  for (int i = 0; i < n; i++)
    CHECK_NEAR(got[i], want[i], 1e-6 + 1e-6 * fabs(want[i]));
}

static const float kMaxPads[25] = {13, 14, 15, 15, 15, 18, 19, 20, 20, 20, 23, 24, 25,
                                   25, 25, 23, 24, 25, 25, 25, 23, 24, 25, 25, 25};

/* test_maxpool_2d_precomputed_pads: kernel 5, pads 2. */
static void test_maxpool_precomputed_pads(void) {
  er_conv_nd_attrs a = pool_attrs(2, 5);
  set_list(a.pads, &a.n_pads, 4, (int64_t[]){2, 2, 2, 2});
  pool_run r = {ER_OP_MAX_POOL_ND, EDGERT_FLOAT32, 4, {1, 1, 5, 5}, kImage5, false};
  float y[25];
  CHECK_OK(run_pool(&r, &a, y, sizeof y, NULL, 0, NULL));
  check_floats(y, kMaxPads, 25);
}

/* test_maxpool_2d_uint8: the same on uint8. */
static void test_maxpool_uint8(void) {
  uint8_t x[25], y[25];
  for (int i = 0; i < 25; i++)
    x[i] = (uint8_t)(i + 1);
  er_conv_nd_attrs a = pool_attrs(2, 5);
  set_list(a.pads, &a.n_pads, 4, (int64_t[]){2, 2, 2, 2});
  pool_run r = {ER_OP_MAX_POOL_ND, EDGERT_UINT8, 4, {1, 1, 5, 5}, x, false};
  CHECK_OK(run_pool(&r, &a, y, sizeof y, NULL, 0, NULL));
  for (int i = 0; i < 25; i++)
    CHECK_EQ_INT(y[i], (int)kMaxPads[i]);
}

/* test_maxpool_with_argmax_2d_precomputed_strides: kernel 2, strides 2, storage_order 1 (column-major
 * indices). */
static void test_maxpool_argmax_column_major(void) {
  static const float want[4] = {7, 9, 17, 19};
  static const int64_t want_idx[4] = {6, 16, 8, 18};
  er_conv_nd_attrs a = pool_attrs(2, 2);
  set_list(a.strides, &a.n_strides, 2, (int64_t[]){2, 2});
  a.storage_order = 1;
  pool_run r = {ER_OP_MAX_POOL_ND, EDGERT_FLOAT32, 4, {1, 1, 5, 5}, kImage5, true};
  float y[4];
  int64_t idx[4];
  CHECK_OK(run_pool(&r, &a, y, sizeof y, idx, sizeof idx, NULL));
  check_floats(y, want, 4);
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(idx[i], want_idx[i]);
}

/* test_maxpool_2d_dilations: 4x4 image 1..16, kernel 2, dilations 2. */
static void test_maxpool_dilations(void) {
  static const float want[4] = {11, 12, 15, 16};
  er_conv_nd_attrs a = pool_attrs(2, 2);
  set_list(a.dilations, &a.n_dilations, 2, (int64_t[]){2, 2});
  pool_run r = {ER_OP_MAX_POOL_ND, EDGERT_FLOAT32, 4, {1, 1, 4, 4}, kImage5, false};
  float y[4];
  CHECK_OK(run_pool(&r, &a, y, sizeof y, NULL, 0, NULL));
  check_floats(y, want, 4);
}

/* test_maxpool_2d_precomputed_same_upper: kernel 3, strides 2, SAME_UPPER. */
static void test_maxpool_same_upper(void) {
  static const float want[9] = {7, 9, 10, 17, 19, 20, 22, 24, 25};
  er_conv_nd_attrs a = pool_attrs(2, 3);
  set_list(a.strides, &a.n_strides, 2, (int64_t[]){2, 2});
  a.auto_pad = ER_PAD_SAME;
  pool_run r = {ER_OP_MAX_POOL_ND, EDGERT_FLOAT32, 4, {1, 1, 5, 5}, kImage5, false};
  float y[9];
  CHECK_OK(run_pool(&r, &a, y, sizeof y, NULL, 0, NULL));
  check_floats(y, want, 9);
}

/* test_averagepool_2d_ceil: 4x4 image 1..16, kernel 3, strides 2, ceil_mode. */
static void test_averagepool_ceil(void) {
  static const float want[4] = {6, 7.5, 12, 13.5};
  er_conv_nd_attrs a = pool_attrs(2, 3);
  set_list(a.strides, &a.n_strides, 2, (int64_t[]){2, 2});
  a.ceil_mode = true;
  pool_run r = {ER_OP_AVERAGE_POOL_ND, EDGERT_FLOAT32, 4, {1, 1, 4, 4}, kImage5, false};
  float y[4];
  int64_t dims[4];
  CHECK_OK(run_pool(&r, &a, y, sizeof y, NULL, 0, dims));
  check_floats(y, want, 4);
  CHECK_EQ_INT(dims[2], 2);
  CHECK_EQ_INT(dims[3], 2);
}

/* test_averagepool_2d_precomputed_pads_count_include_pad: kernel 5, pads 2, count_include_pad. */
static void test_averagepool_count_include_pad(void) {
  static const float want[25] = {2.51999998, 3.5999999,  4.80000019, 4.07999992, 3.24000001,
                                 4.55999994, 6.4000001,  8.39999962, 7.03999996, 5.51999998,
                                 7.19999981, 10,         13,         10.8000002, 8.39999962,
                                 6.96000004, 9.60000038, 12.3999996, 10.2399998, 7.92000008,
                                 6.11999989, 8.39999962, 10.8000002, 8.88000011, 6.84000015};
  er_conv_nd_attrs a = pool_attrs(2, 5);
  set_list(a.pads, &a.n_pads, 4, (int64_t[]){2, 2, 2, 2});
  a.count_include_pad = true;
  pool_run r = {ER_OP_AVERAGE_POOL_ND, EDGERT_FLOAT32, 4, {1, 1, 5, 5}, kImage5, false};
  float y[25];
  CHECK_OK(run_pool(&r, &a, y, sizeof y, NULL, 0, NULL));
  check_floats(y, want, 25);
}

/* test_globalaveragepool_precomputed (3x3 image 1..9 gives 5); global max of it gives 9 (its
 * test_globalmaxpool_precomputed), here in float64. */
static void test_global_pools(void) {
  er_conv_nd_attrs a = pool_attrs(0, 0);
  a.global = true;
  float y;
  pool_run r = {ER_OP_AVERAGE_POOL_ND, EDGERT_FLOAT32, 4, {1, 1, 3, 3}, kImage5, false};
  CHECK_OK(run_pool(&r, &a, &y, sizeof y, NULL, 0, NULL));
  CHECK_NEAR(y, 5, 1e-6);
  double xd[9], yd;
  for (int i = 0; i < 9; i++)
    xd[i] = i + 1;
  pool_run rd = {ER_OP_MAX_POOL_ND, EDGERT_FLOAT64, 4, {1, 1, 3, 3}, xd, false};
  CHECK_OK(run_pool(&rd, &a, &yd, sizeof yd, NULL, 0, NULL));
  CHECK_NEAR(yd, 9, 0);
}

/* LpPool p = 2, kernel 2 on the 1-D signal 1..4 (3 windows): sqrt(1+4), sqrt(4+9), sqrt(9+16). */
static void test_lppool_1d(void) {
  er_conv_nd_attrs a = pool_attrs(1, 2);
  float y[3];
  pool_run r = {ER_OP_LP_POOL_ND, EDGERT_FLOAT32, 3, {1, 1, 4}, kImage5, false};
  CHECK_OK(run_pool(&r, &a, y, sizeof y, NULL, 0, NULL));
  CHECK_NEAR(y[0], sqrt(5.0), 1e-6);
  CHECK_NEAR(y[1], sqrt(13.0), 1e-6);
  CHECK_NEAR(y[2], 5.0, 1e-6);
}

/* Bad models: int32 input; average pool asking for indices; a kernel list of the wrong length. */
static void test_pool_rejects_bad_inputs(void) {
  int32_t xi[25] = {0};
  float y[25];
  int64_t idx[25];
  er_conv_nd_attrs a = pool_attrs(2, 2);
  pool_run r = {ER_OP_MAX_POOL_ND, EDGERT_INT32, 4, {1, 1, 5, 5}, xi, false};
  CHECK(run_pool(&r, &a, y, sizeof y, NULL, 0, NULL) == EDGERT_ERR_UNSUPPORTED);
  pool_run avg = {ER_OP_AVERAGE_POOL_ND, EDGERT_FLOAT32, 4, {1, 1, 5, 5}, kImage5, true};
  CHECK(run_pool(&avg, &a, y, sizeof y, idx, sizeof idx, NULL) != EDGERT_OK);
  er_conv_nd_attrs bad = pool_attrs(3, 2);
  pool_run r2 = {ER_OP_MAX_POOL_ND, EDGERT_FLOAT32, 4, {1, 1, 5, 5}, kImage5, false};
  CHECK(run_pool(&r2, &bad, y, sizeof y, NULL, 0, NULL) == EDGERT_ERR_SHAPE);
}

void run_tests(void) {
  fill_image();
  RUN(test_maxpool_precomputed_pads);
  RUN(test_maxpool_uint8);
  RUN(test_maxpool_argmax_column_major);
  RUN(test_maxpool_dilations);
  RUN(test_maxpool_same_upper);
  RUN(test_averagepool_ceil);
  RUN(test_averagepool_count_include_pad);
  RUN(test_global_pools);
  RUN(test_lppool_1d);
  RUN(test_pool_rejects_bad_inputs);
}
