/* SOFTMAX and LOG_SOFTMAX against tensorflow/lite/kernels/activations_test.cc:
 *   Softmax1D / Softmax2D float (beta 0.1); Softmax4DInt8 (exact int8 outputs); Softmax2DInt8 and
 *   Softmax2DInt8Int16 (within 2/256; the int16 output here has TFLite Micro's zero point -32768 and scale
 *   1/65536, which TFLM requires); Softmax2DInt16 and Softmax1DInt16 (within 2/4096);
 *   LogSoftmax float; LogSoftmaxInt8 (exact int8 outputs);
 *   Softmax1DUint8 and Softmax2DUint8 (output scale 1/256 zero point 0, within 2/256); LogSoftmaxUint8
 *   (exact uint8 outputs, zero point 255).
 * Inputs on [-10, 10] are quantized as TFLite's test_util does.
 * Where those tests only bound the error, the exact integers TensorFlow Lite itself returns for the same
 * inputs (its WebAssembly build, @tensorflow/tfjs-tflite 0.0.1-alpha.10, the reference of
 * tests/tflite_ops/test_ops_vs_tflite.py) are checked too; int16 inputs there use zero point 0, since that
 * TFLite refuses any other for int16 softmax. The regression rows at the end are single rows of
 * test_ops_vs_tflite.py cases on which the gemmlowp fixed-point (TFLite Micro) arithmetic, or the float
 * int16 tables, gave one step (log-softmax: up to four) away from TFLite; the expected rows are TFLite's. */
#include "activation_test.h"
#include "uint8_test.h"

static const float kRows[8] = {0, -6, 2, 4, 3, -2, 10, 1};
static const float kSoftmax2x4[8] = {.23463f, .12877f, .28658f, .35003f, .22528f, .13664f, .45365f, .18443f};
static const float kSoftmax4x2[8] = {0.645656f, 0.354344f, 0.450166f, 0.549834f,
                                     0.622459f, 0.377541f, 0.710949f, 0.28905f};

static edgert_status run_softmax(edgert_dtype in_type, edgert_dtype out_type, const int64_t *dims, int ndim,
                                 float beta, float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                                 const void *in, void *out) {
  er_softmax_attrs attrs = {.beta = beta};
  act_case c = {.op = ER_OP_SOFTMAX,
                .attrs = &attrs,
                .attrs_size = sizeof attrs,
                .in_type = in_type,
                .out_type = out_type,
                .ndim = ndim,
                .in_scale = in_scale,
                .out_scale = out_scale,
                .in_zp = in_zp,
                .out_zp = out_zp};
  memcpy(c.dims, dims, sizeof(int64_t) * (size_t)ndim);
  return act_run(&c, in, out, 8 * edgert_dtype_size(out_type));
}

static void test_float(void) {
  const float want1d[8] = {.09752f, .05352f, .11911f, .14548f, .13164f, .07984f, .26509f, .10778f};
  float out[8];
  CHECK_OK(run_softmax(EDGERT_FLOAT32, EDGERT_FLOAT32, (int64_t[]){8}, 1, 0.1f, 0, 0, 0, 0, kRows, out));
  check_floats_near(out, want1d, 8, 1e-5);
  CHECK_OK(run_softmax(EDGERT_FLOAT32, EDGERT_FLOAT32, (int64_t[]){2, 4}, 2, 0.1f, 0, 0, 0, 0, kRows, out));
  check_floats_near(out, kSoftmax2x4, 8, 1e-5);
  CHECK_OK(run_softmax(EDGERT_FLOAT32, EDGERT_FLOAT32, (int64_t[]){4, 2}, 2, 0.1f, 0, 0, 0, 0, kRows, out));
  check_floats_near(out, kSoftmax4x2, 8, 1e-5);
}

static void quantize_rows(edgert_dtype type, void *q_out, float *scale, int32_t *zp) {
  int32_t qmin = type == EDGERT_INT8 ? -128 : -32768, qmax = type == EDGERT_INT8 ? 127 : 32767, q[8];
  tfl_quant_params(-10.0f, 10.0f, qmin, qmax, scale, zp);
  tfl_quantize(kRows, 8, *scale, *zp, qmin, qmax, q);
  if (type == EDGERT_INT8)
    to_i8(q, 8, q_out);
  else
    to_i16(q, 8, q_out);
}

static void test_int8_exact(void) {
  const int8_t want[8] = {-68, -95, -54, -38, -70, -93, -12, -81};
  int8_t in[8], out[8];
  float scale;
  int32_t zp;
  quantize_rows(EDGERT_INT8, in, &scale, &zp);
  CHECK_OK(run_softmax(EDGERT_INT8, EDGERT_INT8, (int64_t[]){1, 2, 1, 4}, 4, 0.1f, scale, zp, 1.0f / 256,
                       -128, in, out));
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void test_int8_two_shapes(void) {
  int8_t in[8], out[8];
  float scale;
  int32_t zp;
  quantize_rows(EDGERT_INT8, in, &scale, &zp);
  CHECK_OK(run_softmax(EDGERT_INT8, EDGERT_INT8, (int64_t[]){2, 4}, 2, 0.1f, scale, zp, 1.0f / 256, -128, in,
                       out));
  for (int i = 0; i < 8; i++)
    CHECK_NEAR((out[i] + 128) / 256.0, kSoftmax2x4[i], 2.0 / 256);
  CHECK_OK(run_softmax(EDGERT_INT8, EDGERT_INT8, (int64_t[]){4, 2}, 2, 0.1f, scale, zp, 1.0f / 256, -128, in,
                       out));
  const int8_t tflite4x2[8] = {38, -38, -13, 13, 31, -31, 54, -54};
  for (int i = 0; i < 8; i++) {
    CHECK_NEAR((out[i] + 128) / 256.0, kSoftmax4x2[i], 2.0 / 256);
    CHECK_EQ_INT(out[i], tflite4x2[i]);
  }
}

static void test_int8_to_int16(void) {
  const int16_t tflite2x4[8] = {-17401, -24367, -13925, -9843, -17998, -23827, -3083, -20628};
  const int16_t tflite4x2[8] = {9604, -9604, -3202, 3202, 8056, -8056, 13745, -13745};
  int8_t in[8];
  int16_t out[8];
  float scale;
  int32_t zp;
  quantize_rows(EDGERT_INT8, in, &scale, &zp);
  CHECK_OK(run_softmax(EDGERT_INT8, EDGERT_INT16, (int64_t[]){2, 4}, 2, 0.1f, scale, zp, 1.0f / 65536, -32768,
                       in, out));
  for (int i = 0; i < 8; i++) {
    CHECK_NEAR((out[i] + 32768) / 65536.0, kSoftmax2x4[i], 2.0 / 256);
    CHECK_EQ_INT(out[i], tflite2x4[i]);
  }
  CHECK_OK(run_softmax(EDGERT_INT8, EDGERT_INT16, (int64_t[]){4, 2}, 2, 0.1f, scale, zp, 1.0f / 65536, -32768,
                       in, out));
  for (int i = 0; i < 8; i++) {
    CHECK_NEAR((out[i] + 32768) / 65536.0, kSoftmax4x2[i], 2.0 / 256);
    CHECK_EQ_INT(out[i], tflite4x2[i]);
  }
}

static void test_int16(void) {
  int16_t in[8], out[8];
  float scale;
  int32_t zp;
  quantize_rows(EDGERT_INT16, in, &scale, &zp);
  /* The input zero point (-1 for this range) cancels in the differences from the row maximum. */
  CHECK_OK(run_softmax(EDGERT_INT16, EDGERT_INT16, (int64_t[]){2, 4}, 2, 0.1f, scale, zp, 1.0f / 32768, 0, in,
                       out));
  for (int i = 0; i < 8; i++)
    CHECK_NEAR(out[i] / 32768.0, kSoftmax2x4[i], 2.0 / 4096);
  CHECK_OK(run_softmax(EDGERT_INT16, EDGERT_INT16, (int64_t[]){4, 2}, 2, 0.1f, scale, zp, 1.0f / 32768, 0, in,
                       out));
  for (int i = 0; i < 8; i++)
    CHECK_NEAR(out[i] / 32768.0, kSoftmax4x2[i], 2.0 / 4096);
  /* Softmax1DInt16: {1, 2, 3} on [-3, 3], beta 1. */
  const float x[3] = {1, 2, 3};
  const float want[3] = {0.0900269f, 0.2447285f, 0.66524096f};
  int32_t q[3];
  int16_t in3[3], out3[3];
  tfl_quant_params(-3.0f, 3.0f, -32768, 32767, &scale, &zp);
  tfl_quantize(x, 3, scale, zp, -32768, 32767, q);
  to_i16(q, 3, in3);
  er_softmax_attrs attrs = {.beta = 1.0f};
  act_case c = {.op = ER_OP_SOFTMAX,
                .attrs = &attrs,
                .attrs_size = sizeof attrs,
                .in_type = EDGERT_INT16,
                .out_type = EDGERT_INT16,
                .ndim = 1,
                .dims = {3},
                .in_scale = scale,
                .in_zp = zp,
                .out_scale = 1.0f / 32768};
  CHECK_OK(act_run(&c, in3, out3, sizeof out3));
  for (int i = 0; i < 3; i++)
    CHECK_NEAR(out3[i] / 32768.0, want[i], 2.0 / 4096);
}

/* Softmax2DInt16 and Softmax1DInt16 inputs with zero point 0, TFLite's exact outputs. */
static void test_int16_exact(void) {
  const int16_t tflite2x4[8] = {7688, 4219, 9391, 11470, 7382, 4478, 14865, 6044};
  const int16_t tflite4x2[8] = {21157, 11612, 14752, 18018, 20396, 12371, 23297, 9472};
  float scale;
  int32_t zp, q[8];
  int16_t in[8], out[8];
  tfl_quant_params(-10.0f, 10.0f, -32768, 32767, &scale, &zp);
  tfl_quantize(kRows, 8, scale, 0, -32768, 32767, q);
  to_i16(q, 8, in);
  CHECK_OK(run_softmax(EDGERT_INT16, EDGERT_INT16, (int64_t[]){2, 4}, 2, 0.1f, scale, 0, 1.0f / 32768, 0, in,
                       out));
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], tflite2x4[i]);
  CHECK_OK(run_softmax(EDGERT_INT16, EDGERT_INT16, (int64_t[]){4, 2}, 2, 0.1f, scale, 0, 1.0f / 32768, 0, in,
                       out));
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], tflite4x2[i]);

  const float x[3] = {1, 2, 3};
  const int16_t tflite1d[3] = {2951, 8020, 21797};
  int16_t in3[3], out3[3];
  tfl_quant_params(-3.0f, 3.0f, -32768, 32767, &scale, &zp);
  tfl_quantize(x, 3, scale, 0, -32768, 32767, q);
  to_i16(q, 3, in3);
  er_softmax_attrs attrs = {.beta = 1.0f};
  act_case c = {.op = ER_OP_SOFTMAX,
                .attrs = &attrs,
                .attrs_size = sizeof attrs,
                .in_type = EDGERT_INT16,
                .out_type = EDGERT_INT16,
                .ndim = 1,
                .dims = {3},
                .in_scale = scale,
                .out_scale = 1.0f / 32768};
  CHECK_OK(act_run(&c, in3, out3, sizeof out3));
  for (int i = 0; i < 3; i++)
    CHECK_EQ_INT(out3[i], tflite1d[i]);
}

static void test_log_softmax_float(void) {
  const float want2x4[8] = {-4.14297f, -10.14297f, -2.14297f,   -.142971f,
                            -7.00104f, -12.00104f, -.00104087f, -9.00104f};
  const float want4x2[8] = {-.00247565f, -6.00247f, -2.12692f,    -.126928f,
                            -.00671534f, -5.00671f, -.000123374f, -9.00012f};
  float out[8];
  act_case c = {.op = ER_OP_LOG_SOFTMAX,
                .in_type = EDGERT_FLOAT32,
                .out_type = EDGERT_FLOAT32,
                .ndim = 2,
                .dims = {2, 4}};
  CHECK_OK(act_run(&c, kRows, out, sizeof out));
  check_floats_near(out, want2x4, 8, 1e-5);
  c.dims[0] = 4;
  c.dims[1] = 2;
  CHECK_OK(act_run(&c, kRows, out, sizeof out));
  check_floats_near(out, want4x2, 8, 1e-5);
}

static void test_log_softmax_int8_exact(void) {
  const int8_t want[8] = {61, -36, 93, 125, 15, -65, 127, -16};
  int8_t in[8], out[8];
  float scale;
  int32_t zp;
  quantize_rows(EDGERT_INT8, in, &scale, &zp);
  act_case c = {.op = ER_OP_LOG_SOFTMAX,
                .in_type = EDGERT_INT8,
                .out_type = EDGERT_INT8,
                .ndim = 2,
                .dims = {2, 4},
                .in_scale = scale,
                .in_zp = zp,
                .out_scale = 16.0f / 256,
                .out_zp = 127};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void test_uint8(void) {
  const float want1d[8] = {0.09766f, 0.05469f, 0.12109f, 0.14453f, 0.13281f, 0.07813f, 0.26563f, 0.10938f};
  const uint8_t tflite1d[8] = {25, 14, 31, 37, 34, 20, 68, 28};
  const uint8_t tflite2x4[8] = {60, 33, 74, 89, 57, 35, 116, 47};
  const uint8_t tflite4x2[8] = {165, 91, 115, 141, 159, 97, 182, 74};
  const u8_range r = u8_of(-10.0f, 10.0f);
  uint8_t in[8], out[8];
  quantize_u8(kRows, 8, r, in);
  CHECK_OK(run_softmax(EDGERT_UINT8, EDGERT_UINT8, (int64_t[]){8}, 1, 0.1f, r.scale, r.zp, 1.0f / 256, 0, in,
                       out));
  for (int i = 0; i < 8; i++)
    CHECK_NEAR(out[i] / 256.0, want1d[i], 2.0 / 256);
  expect_u8(out, tflite1d, 8);
  CHECK_OK(run_softmax(EDGERT_UINT8, EDGERT_UINT8, (int64_t[]){2, 4}, 2, 0.1f, r.scale, r.zp, 1.0f / 256, 0,
                       in, out));
  for (int i = 0; i < 8; i++)
    CHECK_NEAR(out[i] / 256.0, kSoftmax2x4[i], 2.0 / 256);
  expect_u8(out, tflite2x4, 8);
  CHECK_OK(run_softmax(EDGERT_UINT8, EDGERT_UINT8, (int64_t[]){4, 2}, 2, 0.1f, r.scale, r.zp, 1.0f / 256, 0,
                       in, out));
  for (int i = 0; i < 8; i++)
    CHECK_NEAR(out[i] / 256.0, kSoftmax4x2[i], 2.0 / 256);
  expect_u8(out, tflite4x2, 8);
}

static void test_log_softmax_uint8_exact(void) {
  const uint8_t want[8] = {189, 93, 221, 253, 142, 63, 255, 111};
  const u8_range r = u8_of(-10.0f, 10.0f);
  uint8_t in[8], out[8];
  quantize_u8(kRows, 8, r, in);
  act_case c = {.op = ER_OP_LOG_SOFTMAX,
                .in_type = EDGERT_UINT8,
                .out_type = EDGERT_UINT8,
                .ndim = 2,
                .dims = {2, 4},
                .in_scale = r.scale,
                .in_zp = r.zp,
                .out_scale = 16.0f / 256,
                .out_zp = 255};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  expect_u8(out, want, 8);
}

/* int8 -> int16, beta 0.5, input scale 0.0506 zero point -44: fixed point gave 9984 for TFLite's 9983. */
static void test_regression_int8_to_int16_row(void) {
  const int8_t in[7] = {22, 111, -61, -37, 71, -36, -105};
  const int16_t tflite[7] = {-28279, 9983, -32219, -31760, -17242, -31735, -32588};
  int16_t out[7];
  er_softmax_attrs attrs = {.beta = 0.5f};
  act_case c = {.op = ER_OP_SOFTMAX,
                .attrs = &attrs,
                .attrs_size = sizeof attrs,
                .in_type = EDGERT_INT8,
                .out_type = EDGERT_INT16,
                .ndim = 1,
                .dims = {7},
                .in_scale = 0.05064589781042508f,
                .in_zp = -44,
                .out_scale = 1.0f / 65536,
                .out_zp = -32768};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  for (int i = 0; i < 7; i++)
    CHECK_EQ_INT(out[i], tflite[i]);
}

/* int16, beta 0.123, input scale 0.000405: the float-filled tables gave 2936, 9737, 10402. */
static void test_regression_int16_row(void) {
  const int16_t in[7] = {5793, -7151, -9687, 291, 24338, 25662, -7181};
  const int16_t tflite[7] = {3862, 2025, 1785, 2935, 9736, 10401, 2023};
  int16_t out[7];
  er_softmax_attrs attrs = {.beta = 0.123f};
  act_case c = {.op = ER_OP_SOFTMAX,
                .attrs = &attrs,
                .attrs_size = sizeof attrs,
                .in_type = EDGERT_INT16,
                .out_type = EDGERT_INT16,
                .ndim = 1,
                .dims = {7},
                .in_scale = 0.0004053813696462569f,
                .out_scale = 1.0f / 32768};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  for (int i = 0; i < 7; i++)
    CHECK_EQ_INT(out[i], tflite[i]);
}

/* Log-softmax rows: int8 (scale 0.1256, zero point 15), where fixed point gave -124 + 4 steps, and uint8
 * (scale 0.2524, zero point 149), where it gave 0 for TFLite's 1. */
static void test_regression_log_softmax_rows(void) {
  const int8_t in8[9] = {-115, -105, 16, -47, -50, 90, -1, 124, -51};
  const int8_t tflite8[9] = {-128, -128, -90, -128, -128, 58, -124, 127, -128};
  int8_t out8[9];
  act_case c = {.op = ER_OP_LOG_SOFTMAX,
                .in_type = EDGERT_INT8,
                .out_type = EDGERT_INT8,
                .ndim = 1,
                .dims = {9},
                .in_scale = 0.1255964227799241f,
                .in_zp = 15,
                .out_scale = 16.0f / 256,
                .out_zp = 127};
  CHECK_OK(act_run(&c, in8, out8, sizeof out8));
  for (int i = 0; i < 9; i++)
    CHECK_EQ_INT(out8[i], tflite8[i]);

  const uint8_t in_u8[6] = {250, 187, 101, 149, 91, 40};
  const uint8_t tflite_u8[6] = {255, 1, 0, 0, 0, 0};
  uint8_t out_u8[6];
  act_case u = {.op = ER_OP_LOG_SOFTMAX,
                .in_type = EDGERT_UINT8,
                .out_type = EDGERT_UINT8,
                .ndim = 1,
                .dims = {6},
                .in_scale = 0.2523551744725695f,
                .in_zp = 149,
                .out_scale = 16.0f / 256,
                .out_zp = 255};
  CHECK_OK(act_run(&u, in_u8, out_u8, sizeof out_u8));
  expect_u8(out_u8, tflite_u8, 6);
}

/* uint8 softmax needs output zero point 0 (and a uint8 output); uint8 log-softmax zero point 255. */
static void test_uint8_bad_quantization_refused(void) {
  uint8_t in[8] = {0}, out[8];
  int16_t out16[8];
  CHECK(run_softmax(EDGERT_UINT8, EDGERT_UINT8, (int64_t[]){8}, 1, 1.0f, 0.1f, 128, 1.0f / 256, 128, in,
                    out) == EDGERT_ERR_UNSUPPORTED);
  CHECK(run_softmax(EDGERT_UINT8, EDGERT_INT16, (int64_t[]){8}, 1, 1.0f, 0.1f, 128, 1.0f / 65536, -32768, in,
                    out16) == EDGERT_ERR_UNSUPPORTED);
  act_case c = {.op = ER_OP_LOG_SOFTMAX,
                .in_type = EDGERT_UINT8,
                .out_type = EDGERT_UINT8,
                .ndim = 1,
                .dims = {8},
                .in_scale = 0.1f,
                .in_zp = 128,
                .out_scale = 16.0f / 256,
                .out_zp = 127};
  CHECK(act_run(&c, in, out, sizeof out) == EDGERT_ERR_UNSUPPORTED);
}

/* Wrong int8 output quantization, int8 -> float, a scalar input and a missing beta are refused. */
static void test_bad_inputs_refused(void) {
  int8_t in[8] = {0}, out[8];
  float fout[8];
  CHECK(run_softmax(EDGERT_INT8, EDGERT_INT8, (int64_t[]){8}, 1, 1.0f, 0.1f, 0, 1.0f / 128, 0, in, out) ==
        EDGERT_ERR_UNSUPPORTED);
  CHECK(run_softmax(EDGERT_INT8, EDGERT_FLOAT32, (int64_t[]){8}, 1, 1.0f, 0.1f, 0, 0, 0, in, fout) ==
        EDGERT_ERR_UNSUPPORTED);
  er_softmax_attrs attrs = {.beta = 1.0f};
  act_case scalar = {.op = ER_OP_SOFTMAX,
                     .attrs = &attrs,
                     .attrs_size = sizeof attrs,
                     .in_type = EDGERT_FLOAT32,
                     .out_type = EDGERT_FLOAT32,
                     .ndim = 0};
  CHECK(act_run(&scalar, kRows, fout, sizeof(float)) != EDGERT_OK);
  act_case no_beta = {
      .op = ER_OP_SOFTMAX, .in_type = EDGERT_FLOAT32, .out_type = EDGERT_FLOAT32, .ndim = 1, .dims = {8}};
  CHECK(act_run(&no_beta, kRows, fout, sizeof fout) != EDGERT_OK);
}

void run_tests(void) {
  RUN(test_float);
  RUN(test_int8_exact);
  RUN(test_int8_two_shapes);
  RUN(test_int8_to_int16);
  RUN(test_int16);
  RUN(test_int16_exact);
  RUN(test_log_softmax_float);
  RUN(test_log_softmax_int8_exact);
  RUN(test_uint8);
  RUN(test_log_softmax_uint8_exact);
  RUN(test_regression_int8_to_int16_row);
  RUN(test_regression_int16_row);
  RUN(test_regression_log_softmax_rows);
  RUN(test_uint8_bad_quantization_refused);
  RUN(test_bad_inputs_refused);
}
