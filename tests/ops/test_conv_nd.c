/* CONV_ND (ONNX Conv) against the ONNX backend test data (ONNX 1.12, the cases of
 * onnx/backend/test/case/node/conv.py: test_basic_conv_with_padding, test_conv_with_strides_and_asymmetric_
 * padding, test_conv_with_autopad_same) and onnx's pytorch-converted/test_Conv1d_groups (PyTorch's
 * output, weights and bias from its model.onnx initializers). Tolerance: ONNX's 1e-7 + 1e-3 * |expected|
 * is far looser than needed; we check 1e-5 relative. */
#include <string.h>

#include "conv_nd_test.h"

static void set_pads(er_conv_nd_attrs *a, int n, const int64_t *pads) {
  a->n_pads = n;
  memcpy(a->pads, pads, (size_t)n * sizeof *pads);
}
static void set_strides(er_conv_nd_attrs *a, int n, const int64_t *strides) {
  a->n_strides = n;
  memcpy(a->strides, strides, (size_t)n * sizeof *strides);
}

/* Runs X (activation) * W (+ B) in dtype; copies the output and its shape out. */
static edgert_status run_conv(const er_conv_nd_attrs *a, edgert_dtype dt, int ndim, const int64_t *x_dims,
                              const void *x, const int64_t *w_dims, const void *w, const int64_t *b_dims,
                              const void *b, void *out, size_t out_bytes, int64_t *out_dims) {
  th_graph *g = th_new();
  int xi = th_tensor(g, dt, ndim, x_dims, NULL);
  int wi = th_tensor(g, dt, ndim, w_dims, w);
  int bi = b ? th_tensor(g, dt, 1, b_dims, b) : -1;
  int yi = th_tensor(g, dt, -1, NULL, NULL);
  th_node(g, ER_OP_CONV_ND, a, sizeof *a, 3, (int[]){xi, wi, bi}, 1, (int[]){yi});
  th_io(g, 1, (int[]){xi}, 1, (int[]){yi});
  return conv_nd_run_graph(g, x, out, out_bytes, out_dims);
}

static void check_close(const float *got, const float *want, int n) {
  for (int i = 0; i < n; i++)
    CHECK_NEAR(got[i], want[i], 1e-5 * fabs(want[i]) + 1e-6);
}

static void ramp(float *v, int n) {
  for (int i = 0; i < n; i++)
    v[i] = (float)i;
}

static const float kOnes9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};

/* test_basic_conv_with_padding: 5x5 ramp, 3x3 ones, pads 1. */
static const float kBasicPadOut[25] = {12,  21, 27, 33,  24,  33,  54,  63, 72,  51,  63,  99, 108,
                                       117, 81, 93, 144, 153, 162, 111, 72, 111, 117, 123, 84};

static void test_basic_conv_with_padding(void) {
  er_conv_nd_attrs a = conv_nd_default_attrs();
  set_pads(&a, 4, (int64_t[]){1, 1, 1, 1});
  float x[25], y[25];
  int64_t dims[4];
  ramp(x, 25);
  CHECK_OK(run_conv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 5, 5}, x, (int64_t[]){1, 1, 3, 3}, kOnes9, NULL,
                    NULL, y, sizeof y, dims));
  check_close(y, kBasicPadOut, 25);
  CHECK_EQ_INT(dims[2], 5);
  CHECK_EQ_INT(dims[3], 5);
}

/* The same in float64. */
static void test_basic_conv_float64(void) {
  er_conv_nd_attrs a = conv_nd_default_attrs();
  set_pads(&a, 4, (int64_t[]){1, 1, 1, 1});
  double x[25], w[9], y[25];
  for (int i = 0; i < 25; i++)
    x[i] = i;
  for (int i = 0; i < 9; i++)
    w[i] = 1;
  CHECK_OK(run_conv(&a, EDGERT_FLOAT64, 4, (int64_t[]){1, 1, 5, 5}, x, (int64_t[]){1, 1, 3, 3}, w, NULL, NULL,
                    y, sizeof y, NULL));
  for (int i = 0; i < 25; i++)
    CHECK_NEAR(y[i], kBasicPadOut[i], 1e-12);
}

/* test_conv_with_strides_and_asymmetric_padding: 7x5 ramp, strides 2, pads [1, 0, 1, 0]. */
static void test_conv_strides_asymmetric_padding(void) {
  static const float want[8] = {21, 33, 99, 117, 189, 207, 171, 183};
  er_conv_nd_attrs a = conv_nd_default_attrs();
  set_pads(&a, 4, (int64_t[]){1, 0, 1, 0});
  set_strides(&a, 2, (int64_t[]){2, 2});
  float x[35], y[8];
  int64_t dims[4];
  ramp(x, 35);
  CHECK_OK(run_conv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 7, 5}, x, (int64_t[]){1, 1, 3, 3}, kOnes9, NULL,
                    NULL, y, sizeof y, dims));
  check_close(y, want, 8);
  CHECK_EQ_INT(dims[2], 4);
  CHECK_EQ_INT(dims[3], 2);
}

/* test_conv_with_autopad_same: auto_pad SAME_LOWER, strides 2 on a 5x5 ramp. */
static void test_conv_autopad_same_lower(void) {
  static const float want[9] = {12, 27, 24, 63, 108, 81, 72, 117, 84};
  er_conv_nd_attrs a = conv_nd_default_attrs();
  a.auto_pad = ER_PAD_SAME_LOWER;
  set_strides(&a, 2, (int64_t[]){2, 2});
  float x[25], y[9];
  ramp(x, 25);
  CHECK_OK(run_conv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 5, 5}, x, (int64_t[]){1, 1, 3, 3}, kOnes9, NULL,
                    NULL, y, sizeof y, NULL));
  check_close(y, want, 9);
}

/* pytorch-converted/test_Conv1d_groups: x [2, 4, 6], W [6, 2, 3], B [6], group 2. */
static const float kGroupsX[48] = {
    -1.22887766,  0.773691237,   -0.0992858559, -2.06479454,  -0.690530062, 1.03798199,   -2.2746222,
    -0.522241831, 1.87769914,    0.950483382,   -1.17438912,  -0.853617966, -0.316271991, -0.542957544,
    -0.452288538, -0.0249329731, -1.09934103,   1.42570293,   -1.4522593,   1.22252274,   -0.592077434,
    0.0206754915, -0.873456001,  0.726244926,   -0.357466757, -0.677392244, 2.21021414,   -0.480375141,
    -0.229691461, 2.00491524,    -0.950631499,  1.00152922,   0.735727847,  -1.80663061,  0.423544437,
    -1.28052723,  0.91158098,    -0.563828588,  0.815780759,  -0.860362411, 2.19434476,   0.0782619044,
    -0.462078184, 1.17508769,    -0.791300356,  0.0816818327, -1.06503427,  0.664079547};
static const float kGroupsW[36] = {
    -0.0511676073, -0.081830129,  0.261547923,   -0.207538009,  -0.202617705,   0.0820490718,
    0.150873065,   0.140908003,   -0.0257652104, 0.263256133,   0.0437091887,   0.117960632,
    0.171905518,   0.0865639746,  0.106574804,   -0.0511958897, -0.156575948,   -0.283168525,
    -0.26826182,   -0.127023205,  0.101568073,   0.199796706,   0.0494818389,   0.276599824,
    -0.227486283,  -0.0293820798, 0.120890886,   0.162582129,   0.0237098932,   -0.0676050931,
    -0.282556534,  0.216166854,   0.160275668,   0.140316367,   -0.00925412774, -0.0681037456};
static const float kGroupsB[6] = {0.0398459733, 0.170023441, -0.0553883612,
                                  -0.203606009, 0.273582458, -0.125739917};
static const float kGroupsY[48] = {
    0.745394945,  -0.725743771, -0.64535439,   0.444136798,  -0.30394417,   0.382671267, 0.279218435,
    -0.167347848, -0.543730259, -0.687449098,  -0.237189323, 0.0174477696,  -0.48916465, 0.217645288,
    -0.549634993, 0.249320149,  0.139707595,   0.590697408,  0.207583249,   0.417463839, -0.40100193,
    0.101521373,  -0.203313991, -0.166306376,  0.746375084,  -0.737156034,  0.154103711, 0.791663527,
    -0.156001925, 0.474342525,  0.606394649,   -0.594620287, -0.256405413,  0.313402683, 0.38377139,
    0.444603115,  -0.546721518, -0.0251439065, -0.538933218, -0.0962832272, 0.187628686, 0.440630913,
    0.323846161,  0.357422829,  -0.396265328,  0.238667116,  -0.22978133,   0.580340147};

static void test_conv1d_groups(void) {
  er_conv_nd_attrs a = conv_nd_default_attrs();
  a.group = 2;
  float y[48];
  int64_t dims[3];
  CHECK_OK(run_conv(&a, EDGERT_FLOAT32, 3, (int64_t[]){2, 4, 6}, kGroupsX, (int64_t[]){6, 2, 3}, kGroupsW,
                    (int64_t[]){6}, kGroupsB, y, sizeof y, dims));
  for (int i = 0; i < 48; i++)
    CHECK_NEAR(y[i], kGroupsY[i], 1e-7 + 1e-4 * fabs(kGroupsY[i]));
  CHECK_EQ_INT(dims[1], 6);
  CHECK_EQ_INT(dims[2], 4);
}

/* Bad models: an int32 input is refused; weights whose channels do not match the input; a window larger
 * than the padded input; a stride of 0. Each gives a status, never a crash. */
static void test_conv_rejects_bad_inputs(void) {
  er_conv_nd_attrs a = conv_nd_default_attrs();
  int32_t xi[25] = {0}, wi[9] = {0};
  float x[25] = {0}, y[25];
  CHECK(run_conv(&a, EDGERT_INT32, 4, (int64_t[]){1, 1, 5, 5}, xi, (int64_t[]){1, 1, 3, 3}, wi, NULL, NULL, y,
                 sizeof y, NULL) == EDGERT_ERR_UNSUPPORTED);
  CHECK(run_conv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 5, 5}, x, (int64_t[]){1, 3, 3, 1}, kOnes9, NULL,
                 NULL, y, sizeof y, NULL) == EDGERT_ERR_SHAPE);
  CHECK(run_conv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 2, 2}, x, (int64_t[]){1, 1, 3, 3}, kOnes9, NULL,
                 NULL, y, sizeof y, NULL) == EDGERT_ERR_SHAPE);
  set_strides(&a, 2, (int64_t[]){0, 1});
  CHECK(run_conv(&a, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 5, 5}, x, (int64_t[]){1, 1, 3, 3}, kOnes9, NULL,
                 NULL, y, sizeof y, NULL) != EDGERT_OK);
}

void run_tests(void) {
  RUN(test_basic_conv_with_padding);
  RUN(test_basic_conv_float64);
  RUN(test_conv_strides_asymmetric_padding);
  RUN(test_conv_autopad_same_lower);
  RUN(test_conv1d_groups);
  RUN(test_conv_rejects_bad_inputs);
}
