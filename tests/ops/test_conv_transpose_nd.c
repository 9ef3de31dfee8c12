/* CONV_TRANSPOSE_ND (ONNX ConvTranspose) against the ONNX 1.12 backend test data
 * (onnx/backend/test/case/node/convtranspose.py): test_convtranspose, test_convtranspose_1d,
 * test_convtranspose_pads, test_convtranspose_output_shape, test_convtranspose_autopad_same and
 * test_convtranspose_dilations. Most use X = 0..8 as [1, 1, 3, 3] and W = ones [1, 2, 3, 3]. */
#include <string.h>

#include "conv_nd_test.h"

static void set_list(int64_t *dst, int32_t *count, int n, const int64_t *values) {
  *count = n;
  memcpy(dst, values, (size_t)n * sizeof *values);
}

static edgert_status run_tconv(const er_conv_nd_attrs *a, edgert_dtype dt, int ndim, const int64_t *x_dims,
                               const void *x, const int64_t *w_dims, const void *w, void *out,
                               size_t out_bytes, int64_t *out_dims) {
  th_graph *g = th_new();
  int xi = th_tensor(g, dt, ndim, x_dims, NULL);
  int wi = th_tensor(g, dt, ndim, w_dims, w);
  int yi = th_tensor(g, dt, -1, NULL, NULL);
  th_node(g, ER_OP_CONV_TRANSPOSE_ND, a, sizeof *a, 2, (int[]){xi, wi}, 1, (int[]){yi});
  th_io(g, 1, (int[]){xi}, 1, (int[]){yi});
  return conv_nd_run_graph(g, x, out, out_bytes, out_dims);
}

static const float kX[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
static const float kOnes[18] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

static void check_floats(const float *got, const float *want, int n) {
  for (int i = 0; i < n; i++)
    CHECK_NEAR(got[i], want[i], 1e-6 * fabs(want[i]) + 1e-6);
}

/* Both output channels of these cases are equal (W is all ones); `want` is one channel. */
static void check_two_channels(const float *got, const float *want, int n) {
  check_floats(got, want, n);
  check_floats(got + n, want, n);
}

static void test_convtranspose_default(void) {
  static const float want[25] = {0,  1,  3, 3,  2,  3,  8,  15, 12, 7,  9,  21, 36,
                                 27, 15, 9, 20, 33, 24, 13, 6,  13, 21, 15, 8};
  er_conv_nd_attrs a = conv_nd_default_attrs();
  float y[50];
  int64_t dims[4];
  CHECK_OK(run_tconv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 3, 3}, kX, (int64_t[]){1, 2, 3, 3}, kOnes, y,
                     sizeof y, dims));
  check_two_channels(y, want, 25);
  CHECK_EQ_INT(dims[1], 2);
  CHECK_EQ_INT(dims[2], 5);
}

/* The same in float64. */
static void test_convtranspose_float64(void) {
  static const double want[25] = {0,  1,  3, 3,  2,  3,  8,  15, 12, 7,  9,  21, 36,
                                  27, 15, 9, 20, 33, 24, 13, 6,  13, 21, 15, 8};
  double x[9], w[18], y[50];
  for (int i = 0; i < 9; i++)
    x[i] = i;
  for (int i = 0; i < 18; i++)
    w[i] = 1;
  er_conv_nd_attrs a = conv_nd_default_attrs();
  CHECK_OK(run_tconv(&a, EDGERT_FLOAT64, 4, (int64_t[]){1, 1, 3, 3}, x, (int64_t[]){1, 2, 3, 3}, w, y,
                     sizeof y, NULL));
  for (int i = 0; i < 50; i++)
    CHECK_NEAR(y[i], want[i % 25], 0);
}

static void test_convtranspose_1d(void) {
  static const float want[5] = {0, 1, 3, 3, 2};
  er_conv_nd_attrs a = conv_nd_default_attrs();
  float y[10];
  CHECK_OK(run_tconv(&a, EDGERT_FLOAT32, 3, (int64_t[]){1, 1, 3}, kX, (int64_t[]){1, 2, 3}, kOnes, y,
                     sizeof y, NULL));
  check_two_channels(y, want, 5);
}

/* strides [3, 2], pads [1, 2, 1, 2]: output 7x3. */
static void test_convtranspose_pads(void) {
  static const float want[21] = {1, 1, 3, 1, 1, 3, 7, 4, 9, 7, 4, 9, 7, 4, 9, 13, 7, 15, 13, 7, 15};
  er_conv_nd_attrs a = conv_nd_default_attrs();
  set_list(a.strides, &a.n_strides, 2, (int64_t[]){3, 2});
  set_list(a.pads, &a.n_pads, 4, (int64_t[]){1, 2, 1, 2});
  float y[42];
  CHECK_OK(run_tconv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 3, 3}, kX, (int64_t[]){1, 2, 3, 3}, kOnes, y,
                     sizeof y, NULL));
  check_two_channels(y, want, 21);
}

/* strides [3, 2], output_shape [10, 8]: the extra row and column come after the full result. */
static void test_convtranspose_output_shape(void) {
  static const float want[80] = {0,  0, 1, 1, 3, 2, 2,  0, 0,  0, 1,  1, 3,  2, 2, 0, 0, 0, 1,  1,
                                 3,  2, 2, 0, 3, 3, 7,  4, 9,  5, 5,  0, 3,  3, 7, 4, 9, 5, 5,  0,
                                 3,  3, 7, 4, 9, 5, 5,  0, 6,  6, 13, 7, 15, 8, 8, 0, 6, 6, 13, 7,
                                 15, 8, 8, 0, 6, 6, 13, 7, 15, 8, 8,  0, 0,  0, 0, 0, 0, 0, 0,  0};
  er_conv_nd_attrs a = conv_nd_default_attrs();
  set_list(a.strides, &a.n_strides, 2, (int64_t[]){3, 2});
  set_list(a.output_shape, &a.n_output_shape, 2, (int64_t[]){10, 8});
  float y[160];
  CHECK_OK(run_tconv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 3, 3}, kX, (int64_t[]){1, 2, 3, 3}, kOnes, y,
                     sizeof y, NULL));
  check_two_channels(y, want, 80);
}

/* auto_pad SAME_UPPER, strides 2: output 6x6, the odd padding pixel at the end. */
static void test_convtranspose_autopad_same(void) {
  static const float want[36] = {0, 0, 1, 1, 3, 2, 0, 0, 1,  1,  3,  2,  3, 3, 8,  5, 12, 7,
                                 3, 3, 7, 4, 9, 5, 9, 9, 20, 11, 24, 13, 6, 6, 13, 7, 15, 8};
  er_conv_nd_attrs a = conv_nd_default_attrs();
  a.auto_pad = ER_PAD_SAME;
  set_list(a.strides, &a.n_strides, 2, (int64_t[]){2, 2});
  float y[72];
  CHECK_OK(run_tconv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 3, 3}, kX, (int64_t[]){1, 2, 3, 3}, kOnes, y,
                     sizeof y, NULL));
  check_two_channels(y, want, 36);
}

/* dilations 2 with a 2x2 kernel. */
static void test_convtranspose_dilations(void) {
  static const float x[9] = {3, 8, 1, 9, 5, 7, 3, 2, 6}, w[4] = {7, 2, 1, 9};
  static const float want[25] = {21, 56, 13, 16, 2,  63, 35, 67, 10, 14, 24, 22, 76,
                                 76, 21, 9,  5,  88, 45, 63, 3,  2,  33, 18, 54};
  er_conv_nd_attrs a = conv_nd_default_attrs();
  set_list(a.dilations, &a.n_dilations, 2, (int64_t[]){2, 2});
  float y[25];
  CHECK_OK(run_tconv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 3, 3}, x, (int64_t[]){1, 1, 2, 2}, w, y,
                     sizeof y, NULL));
  check_floats(y, want, 25);
}

/* Bad models: an int8 input; weights whose first dim is not the input channels; pads that leave no
 * output. */
static void test_convtranspose_rejects_bad_inputs(void) {
  int8_t xi[9] = {0}, wi[18] = {0};
  float y[50];
  er_conv_nd_attrs a = conv_nd_default_attrs();
  CHECK(run_tconv(&a, EDGERT_INT8, 4, (int64_t[]){1, 1, 3, 3}, xi, (int64_t[]){1, 2, 3, 3}, wi, y, sizeof y,
                  NULL) == EDGERT_ERR_UNSUPPORTED);
  CHECK(run_tconv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 3, 3}, kX, (int64_t[]){2, 1, 3, 3}, kOnes, y,
                  sizeof y, NULL) == EDGERT_ERR_SHAPE);
  set_list(a.pads, &a.n_pads, 4, (int64_t[]){3, 3, 3, 3});
  CHECK(run_tconv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 3, 3}, kX, (int64_t[]){1, 2, 3, 3}, kOnes, y,
                  sizeof y, NULL) != EDGERT_OK);
}

void run_tests(void) {
  RUN(test_convtranspose_default);
  RUN(test_convtranspose_float64);
  RUN(test_convtranspose_1d);
  RUN(test_convtranspose_pads);
  RUN(test_convtranspose_output_shape);
  RUN(test_convtranspose_autopad_same);
  RUN(test_convtranspose_dilations);
  RUN(test_convtranspose_rejects_bad_inputs);
}
