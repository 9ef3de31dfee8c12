/* QUANTIZE_LINEAR, DEQUANTIZE_LINEAR and DYNAMIC_QUANTIZE_LINEAR against the ONNX backend node tests
 * (onnx/backend/test/data/node/test_{quantizelinear,dequantizelinear,dynamicquantizelinear}*, values decoded
 * from their test_data_set_0 TensorProtos), compared exactly. As in those tests, scale and zero point are
 * fed at run time; one case has them as constants. Round half to even is checked on ties (the ONNX spec:
 * "rounding to nearest ties to even"), and bad dtypes and shapes are refused. */
#include <string.h>

#include "op_harness.h"

/* node/test_quantizelinear */
static const float kQuantizeX[6] = {0.0f, 2.0f, 3.0f, 1000.0f, -254.0f, -1000.0f};
static const uint8_t kQuantizeY[6] = {128, 129, 130, 255, 1, 0};
/* node/test_quantizelinear_axis: x [1, 3, 3, 2], scales and zero points along axis 1 */
static const float kAxisReal[18] = {-162.0f, 10.0f,   -100.0f, 232.0f,  -20.0f,  -50.0f,
                                    -76.0f,  0.0f,    0.0f,    252.0f,  32.0f,   -44.0f,
                                    245.0f,  -485.0f, -960.0f, -270.0f, -375.0f, -470.0f};
static const float kAxisScales[3] = {2.0f, 4.0f, 5.0f};
static const uint8_t kAxisZeroPoints[3] = {84, 24, 196};
static const uint8_t kAxisQuantized[18] = {3,  89, 34, 200, 74, 59, 5,   24,  24,
                                           87, 32, 13, 245, 99, 4,  142, 121, 102};
/* node/test_dequantizelinear */
static const uint8_t kDequantizeX[4] = {0, 3, 128, 255};
static const float kDequantizeY[4] = {-256.0f, -250.0f, 0.0f, 254.0f};

static const float kScale2 = 2.0f;
static const uint8_t kZeroPoint128 = 128;

typedef struct {
  er_op op;
  edgert_dtype x_type, scale_type, zp_type, y_type;
  int ndim;
  int64_t dims[4];
  int params; /* 0: per tensor (scalars), else the count of per-axis parameters */
  int32_t axis;
  bool const_params;
  const void *x, *scale, *zero_point; /* zero_point NULL: absent */
} ql_case;

/* Runs the case; on success copies the output (bytes of it) into y. */
static edgert_status run_ql(const ql_case *c, void *y, size_t bytes) {
  er_quantize_linear_attrs attrs = {c->axis};
  th_graph *g = th_new();
  int pdims_n = c->params ? 1 : 0;
  int64_t pdims[1] = {c->params};
  int x = th_tensor(g, c->x_type, c->ndim, c->dims, NULL);
  int scale = th_tensor(g, c->scale_type, pdims_n, pdims, c->const_params ? c->scale : NULL);
  int zp =
      c->zero_point ? th_tensor(g, c->zp_type, pdims_n, pdims, c->const_params ? c->zero_point : NULL) : -1;
  int out = th_tensor(g, c->y_type, -1, NULL, NULL);
  th_node(g, c->op, &attrs, sizeof attrs, 3, (int[]){x, scale, zp}, 1, (int[]){out});
  if (c->const_params)
    th_io(g, 1, (int[]){x}, 1, (int[]){out});
  else if (c->zero_point)
    th_io(g, 3, (int[]){x, scale, zp}, 1, (int[]){out});
  else
    th_io(g, 2, (int[]){x, scale}, 1, (int[]){out});
  edgert_status st = th_run(g, (const void *[]){c->x, c->scale, c->zero_point});
  if (st == EDGERT_OK)
    memcpy(y, th_output(g, 0), bytes);
  else
    printf("  %s\n", th_error(g));
  th_free(g);
  return st;
}

static void test_quantize_per_tensor(void) {
  uint8_t y[6];
  ql_case c = {ER_OP_QUANTIZE_LINEAR,
               EDGERT_FLOAT32,
               EDGERT_FLOAT32,
               EDGERT_UINT8,
               EDGERT_UINT8,
               1,
               {6},
               0,
               1,
               false,
               kQuantizeX,
               &kScale2,
               &kZeroPoint128};
  CHECK_OK(run_ql(&c, y, sizeof y));
  CHECK(memcmp(y, kQuantizeY, sizeof y) == 0);
  c.const_params = true;
  memset(y, 0, sizeof y);
  CHECK_OK(run_ql(&c, y, sizeof y));
  CHECK(memcmp(y, kQuantizeY, sizeof y) == 0);
}

static void test_quantize_per_axis(void) {
  uint8_t y[18];
  ql_case c = {ER_OP_QUANTIZE_LINEAR,
               EDGERT_FLOAT32,
               EDGERT_FLOAT32,
               EDGERT_UINT8,
               EDGERT_UINT8,
               4,
               {1, 3, 3, 2},
               3,
               1,
               false,
               kAxisReal,
               kAxisScales,
               kAxisZeroPoints};
  CHECK_OK(run_ql(&c, y, sizeof y));
  CHECK(memcmp(y, kAxisQuantized, sizeof y) == 0);
  c.axis = -3; /* the same axis counted from the back */
  memset(y, 0, sizeof y);
  CHECK_OK(run_ql(&c, y, sizeof y));
  CHECK(memcmp(y, kAxisQuantized, sizeof y) == 0);
}

/* Ties go to the even integer: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> 0, -1.5 -> -2, -2.5 -> -2; an int8
 * zero point shifts and saturates; an absent zero point means 0. */
static void test_quantize_ties_to_even_int8(void) {
  static const float x[8] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 300.0f, -300.0f};
  static const int8_t zp = -1, want[8] = {-1, 1, 1, -1, -3, -3, 127, -128};
  static const int8_t want_no_zp[8] = {0, 2, 2, 0, -2, -2, 127, -128};
  static const float one = 1.0f;
  int8_t y[8];
  ql_case c = {ER_OP_QUANTIZE_LINEAR,
               EDGERT_FLOAT32,
               EDGERT_FLOAT32,
               EDGERT_INT8,
               EDGERT_INT8,
               1,
               {8},
               0,
               1,
               false,
               x,
               &one,
               &zp};
  CHECK_OK(run_ql(&c, y, sizeof y));
  CHECK(memcmp(y, want, sizeof y) == 0);
  c.zero_point = NULL;
  CHECK_OK(run_ql(&c, y, sizeof y));
  CHECK(memcmp(y, want_no_zp, sizeof y) == 0);
}

static void test_dequantize_per_tensor(void) {
  float y[4];
  ql_case c = {ER_OP_DEQUANTIZE_LINEAR,
               EDGERT_UINT8,
               EDGERT_FLOAT32,
               EDGERT_UINT8,
               EDGERT_FLOAT32,
               1,
               {4},
               0,
               1,
               false,
               kDequantizeX,
               &kScale2,
               &kZeroPoint128};
  CHECK_OK(run_ql(&c, y, sizeof y));
  CHECK(memcmp(y, kDequantizeY, sizeof y) == 0);
}

static void test_dequantize_per_axis(void) {
  float y[18];
  ql_case c = {ER_OP_DEQUANTIZE_LINEAR,
               EDGERT_UINT8,
               EDGERT_FLOAT32,
               EDGERT_UINT8,
               EDGERT_FLOAT32,
               4,
               {1, 3, 3, 2},
               3,
               1,
               true,
               kAxisQuantized,
               kAxisScales,
               kAxisZeroPoints};
  CHECK_OK(run_ql(&c, y, sizeof y));
  CHECK(memcmp(y, kAxisReal, sizeof y) == 0);
}

/* int32 (a bias) has no zero point: y = x * scale. */
static void test_dequantize_int32(void) {
  static const int32_t x[3] = {-70000, 0, 123456};
  static const float scale = 0.5f, want[3] = {-35000.0f, 0.0f, 61728.0f};
  float y[3];
  ql_case c = {ER_OP_DEQUANTIZE_LINEAR,
               EDGERT_INT32,
               EDGERT_FLOAT32,
               EDGERT_INT32,
               EDGERT_FLOAT32,
               1,
               {3},
               0,
               1,
               false,
               x,
               &scale,
               NULL};
  CHECK_OK(run_ql(&c, y, sizeof y));
  CHECK(memcmp(y, want, sizeof y) == 0);
}

/* Runs DYNAMIC_QUANTIZE_LINEAR on n values and compares y, scale and zero point exactly. */
static void check_dynamic(const float *x, int ndim, const int64_t *dims, const uint8_t *want_y,
                          float want_scale, uint8_t want_zp) {
  th_graph *g = th_new();
  int in = th_tensor(g, EDGERT_FLOAT32, ndim, dims, NULL);
  int y = th_tensor(g, EDGERT_UINT8, -1, NULL, NULL), scale = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  int zp = th_tensor(g, EDGERT_UINT8, -1, NULL, NULL);
  th_node(g, ER_OP_DYNAMIC_QUANTIZE_LINEAR, NULL, 0, 1, (int[]){in}, 3, (int[]){y, scale, zp});
  th_io(g, 1, (int[]){in}, 3, (int[]){y, scale, zp});
  CHECK_OK(th_run(g, (const void *[]){x}));
  int64_t n = 1;
  for (int i = 0; i < ndim; i++)
    n *= dims[i];
  const uint8_t *got = th_output(g, 0);
  for (int64_t i = 0; got && i < n; i++)
    CHECK_MSG(got[i] == want_y[i], "y[%lld] = %d, want %d", (long long)i, got[i], want_y[i]);
  const float *got_scale = th_output(g, 1);
  const uint8_t *got_zp = th_output(g, 2);
  CHECK(got_scale && *got_scale == want_scale);
  CHECK(got_zp && *got_zp == want_zp);
  th_free(g);
}

static void test_dynamic_quantize(void) {
  /* node/test_dynamicquantizelinear */
  static const float x[6] = {0.0f, 2.0f, -3.0f, -2.5f, 1.34000003f, 0.5f};
  static const uint8_t y[6] = {153, 255, 0, 26, 221, 179};
  check_dynamic(x, 1, (int64_t[]){6}, y, 0.0196078438f, 153);
  /* node/test_dynamicquantizelinear_max_adjusted: all negative, so max is 0 */
  static const float x_neg[6] = {-1.0f, -2.0999999f, -1.29999995f, -2.5f, -3.33999991f, -4.0f};
  static const uint8_t y_neg[6] = {191, 121, 172, 96, 42, 0};
  check_dynamic(x_neg, 1, (int64_t[]){6}, y_neg, 0.0156862754f, 255);
  /* node/test_dynamicquantizelinear_min_adjusted: all positive, so min is 0 */
  static const float x_pos[12] = {1.0f, 2.0999999f, 1.29999995f, 2.5f, 3.33999991f, 4.0f,
                                  1.5f, 2.5999999f, 3.9000001f,  4.0f, 3.0f,        2.34500003f};
  static const uint8_t y_pos[12] = {64, 134, 83, 159, 213, 255, 96, 166, 249, 255, 191, 149};
  check_dynamic(x_pos, 2, (int64_t[]){3, 4}, y_pos, 0.0156862754f, 0);
}

/* A float x for DequantizeLinear, a zero point whose dtype differs from the output's, and per-axis
 * parameters whose count does not match the axis are refused. */
static void test_bad_inputs_refused(void) {
  float fy[6];
  uint8_t y[6];
  ql_case c = {ER_OP_DEQUANTIZE_LINEAR,
               EDGERT_FLOAT32,
               EDGERT_FLOAT32,
               EDGERT_UINT8,
               EDGERT_FLOAT32,
               1,
               {4},
               0,
               1,
               false,
               kQuantizeX,
               &kScale2,
               &kZeroPoint128};
  CHECK(run_ql(&c, fy, sizeof fy) == EDGERT_ERR_UNSUPPORTED);
  ql_case q = {ER_OP_QUANTIZE_LINEAR,
               EDGERT_FLOAT32,
               EDGERT_FLOAT32,
               EDGERT_UINT8,
               EDGERT_INT8,
               1,
               {6},
               0,
               1,
               false,
               kQuantizeX,
               &kScale2,
               &kZeroPoint128};
  CHECK(run_ql(&q, y, sizeof y) == EDGERT_ERR_UNSUPPORTED);
  ql_case axis = {ER_OP_QUANTIZE_LINEAR,
                  EDGERT_FLOAT32,
                  EDGERT_FLOAT32,
                  EDGERT_UINT8,
                  EDGERT_UINT8,
                  2,
                  {2, 3},
                  3,
                  0,
                  false,
                  kQuantizeX,
                  kAxisScales,
                  kAxisZeroPoints};
  CHECK(run_ql(&axis, y, sizeof y) == EDGERT_ERR_SHAPE);
}

void run_tests(void) {
  RUN(test_quantize_per_tensor);
  RUN(test_quantize_per_axis);
  RUN(test_quantize_ties_to_even_int8);
  RUN(test_dequantize_per_tensor);
  RUN(test_dequantize_per_axis);
  RUN(test_dequantize_int32);
  RUN(test_dynamic_quantize);
  RUN(test_bad_inputs_refused);
}
