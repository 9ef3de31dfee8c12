/* Unary math against TFLite's kernel tests:
 *   tensorflow/lite/micro/kernels/elementwise_test.cc  (Abs, Sin, Cos, Log, Sqrt, Rsqrt, Square within 1e-5;
 *                                                      LogicalNot exact)
 *   tensorflow/lite/kernels/elementwise_test.cc        (AbsInt8, AbsSameScaleInt8, AbsInt16, RsqrtInt8,
 *                                                      RsqrtCloseTo0Int8, RsqrtNanInt8: their inputs and
 *                                                      quantization; TFLite checks dequantized outputs within
 *                                                      a tolerance, we compare the integers exactly with what
 *                                                      TensorFlow Lite itself gave for the same inputs: npm
 *                                                      @tensorflow/tfjs-tflite 0.0.1-alpha.10, TFLite
 * compiled to WebAssembly, its own ABS and RSQRT kernels) tensorflow/lite/kernels/round_test.cc (SingleDim,
 * MultiDims: half to even, exact) tensorflow/lite/micro/kernels/floor_test.cc, ceil_test.cc, neg_test.cc
 * (single-dim cases). */
#include "activation_test.h"
#include "binary_test.h"

static void run_f(er_op op, const float *in, const float *want, int n, double tol) {
  float out[16];
  act_case c = {.op = op, .in_type = EDGERT_FLOAT32, .out_type = EDGERT_FLOAT32, .ndim = 1, .dims = {n}};
  CHECK_OK(act_run(&c, in, out, (size_t)n * sizeof(float)));
  check_floats_near(out, want, n, tol);
}

static void test_elementwise_micro(void) {
  run_f(ER_OP_ABS, (float[]){0.01f, -0.01f, 10, -10}, (float[]){0.01f, 0.01f, 10, 10}, 4, 1e-5);
  run_f(ER_OP_SIN, (float[]){0, 3.1415926f, -3.1415926f, 1}, (float[]){0, 0, 0, 0.84147f}, 4, 1e-5);
  run_f(ER_OP_COS, (float[]){0, 3.1415926f, -3.1415926f, 1}, (float[]){1, -1, -1, 0.54030f}, 4, 1e-5);
  run_f(ER_OP_LOG, (float[]){1, 2.7182818f, 0.5f, 2}, (float[]){0, 1, -0.6931472f, 0.6931472f}, 4, 1e-5);
  run_f(ER_OP_SQRT, (float[]){0, 1, 2, 4}, (float[]){0, 1, 1.41421f, 2}, 4, 1e-5);
  run_f(ER_OP_RSQRT, (float[]){1, 2, 4, 9}, (float[]){1, 0.7071f, 0.5f, 0.33333f}, 4, 1e-5);
  run_f(ER_OP_SQUARE, (float[]){1, 2, 0.5f, -3.0f}, (float[]){1, 4, 0.25f, 9}, 4, 1e-5);
}

static void test_logical_not(void) {
  const uint8_t in[4] = {1, 0, 0, 1}, want[4] = {0, 1, 1, 0};
  uint8_t out[4];
  act_case c = {
      .op = ER_OP_LOGICAL_NOT, .in_type = EDGERT_BOOL, .out_type = EDGERT_BOOL, .ndim = 2, .dims = {2, 2}};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void test_round_half_to_even(void) {
  run_f(ER_OP_ROUND, (float[]){8.5f, 0.0f, 3.5f, 4.2f, -3.5f, -4.5f}, (float[]){8, 0, 4, 4, -4, -4}, 6, 0.0);
  run_f(ER_OP_ROUND,
        (float[]){0.0001f, 8.0001f, 0.9999f, 9.9999f, 0.5f, -0.0001f, -8.0001f, -0.9999f, -9.9999f, -0.5f,
                  -2.5f, 1.5f},
        (float[]){0, 8, 1, 10, 0, 0, -8, -1, -10, -0.0f, -2, 2}, 12, 0.0);
}

static void test_floor_ceil_neg(void) {
  run_f(ER_OP_FLOOR, (float[]){8.5f, 0.0f}, (float[]){8, 0}, 2, 1e-5);
  run_f(ER_OP_FLOOR, (float[]){0.0001f, 8.0001f, 0.9999f, 9.9999f, 0.5f}, (float[]){0, 8, 0, 9, 0}, 5, 1e-5);
  run_f(ER_OP_CEIL, (float[]){8.5f, 0.0f}, (float[]){9, 0}, 2, 1e-5);
  run_f(ER_OP_NEG, (float[]){8.5f, 0.0f}, (float[]){-8.5f, 0.0f}, 2, 0.0);
  run_f(ER_OP_NEG, (float[]){-2.0f, -1.0f, 0.f, 1.0f, 2.0f, 3.0f},
        (float[]){2.0f, 1.0f, -0.f, -1.0f, -2.0f, -3.0f}, 6, 0.0);
}

/* Runs a quantized single-input op on 8 values and checks the integers exactly. */
static void run_q(er_op op, edgert_dtype t, const int32_t *q_in, float in_scale, int32_t in_zp,
                  float out_scale, int32_t out_zp, const int32_t *want) {
  int16_t in[8], out[8];
  for (int i = 0; i < 8; i++) {
    if (t == EDGERT_INT8)
      ((int8_t *)in)[i] = (int8_t)q_in[i];
    else
      in[i] = (int16_t)q_in[i];
  }
  act_case c = {.op = op,
                .in_type = t,
                .out_type = t,
                .ndim = 2,
                .dims = {1, 8},
                .in_scale = in_scale,
                .out_scale = out_scale,
                .in_zp = in_zp,
                .out_zp = out_zp};
  size_t bytes = t == EDGERT_INT8 ? 8 : sizeof out;
  CHECK_OK(act_run(&c, in, out, bytes));
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(t == EDGERT_INT8 ? ((int8_t *)out)[i] : out[i], want[i]);
}

/* AbsInt8 and AbsSameScaleInt8: data {15, 46, 78, -142, -1, -17, -49, 113} on scale 1 with zero point 14
 * (what the test's asymmetric quantization gives), output scale 142/255 and zero point -128, or the input's
 * own quantization. */
static void test_abs_int8_exact(void) {
  const int32_t q[8] = {29, 60, 92, -128, 13, -3, -35, 127};
  run_q(ER_OP_ABS, EDGERT_INT8, q, 1.0f, 14, 142.0f / 255.0f, -128,
        (const int32_t[]){-101, -45, 12, 127, -126, -97, -40, 75});
  run_q(ER_OP_ABS, EDGERT_INT8, q, 1.0f, 14, 1.0f, 14, (const int32_t[]){29, 60, 92, 127, 15, 31, 63, 127});
}

/* AbsInt16: the same data on test_util's int16 scales for [-142, 142] in and [-150, 150] out. The test's
 * own zero point there rounds to -1, which TFLite's int16 ABS now refuses, so both are 0 here. */
static void test_abs_int16_exact(void) {
  float x[8] = {15, 46, 78, -142, -1, -17, -49, 113};
  const float in_scale = 284.0f / 65535.0f, out_scale = 300.0f / 65535.0f;
  int32_t q[8];
  tfl_quantize(x, 8, in_scale, 0, -32768, 32767, q);
  run_q(ER_OP_ABS, EDGERT_INT16, q, in_scale, 0, out_scale, 0,
        (const int32_t[]){3276, 10049, 17039, 31020, 219, 3714, 10704, 24685});
}

/* Unquantized int16 ABS is a plain abs; -32768 stays -32768, as TensorFlow Lite itself gives. */
static void test_abs_int16_unquantized(void) {
  const int16_t in[6] = {0, -6, 2, -32768, 32767, -1}, want[6] = {0, 6, 2, -32768, 32767, 1};
  int16_t out[6];
  act_case c = {.op = ER_OP_ABS, .in_type = EDGERT_INT16, .out_type = EDGERT_INT16, .ndim = 1, .dims = {6}};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

/* RsqrtInt8 and RsqrtCloseTo0Int8: input scale 142/255, zero points -128, output scales 1/255 and 3.16/255.
 * 0.1 quantizes onto the zero point, which stands for the largest output. */
static void test_rsqrt_int8_exact(void) {
  const float in_scale = 142.0f / 255.0f;
  float x[8] = {15, 46, 78, 142, 1, 17, 49, 113};
  int32_t q[8];
  tfl_quantize(x, 8, in_scale, -128, -128, 127, q);
  run_q(ER_OP_RSQRT, EDGERT_INT8, q, in_scale, -128, 1.0f / 255.0f, -128,
        (const int32_t[]){-62, -90, -99, -107, 114, -67, -92, -104});
  float x0[8] = {15, 46, 78, 142, 0.1f, 1, 49, 113};
  tfl_quantize(x0, 8, in_scale, -128, -128, 127, q);
  run_q(ER_OP_RSQRT, EDGERT_INT8, q, in_scale, -128, 3.16f / 255.0f, -128,
        (const int32_t[]){-107, -116, -119, -121, 127, -52, -116, -120});
}

/* RsqrtNanInt8: a negative real input (-49 on scale 142/127, zero point 0) fails the invoke. */
static void test_rsqrt_int8_negative_fails(void) {
  float x[8] = {15, 46, 78, 142, 1, 17, -49, 113};
  const float in_scale = 142.0f / 127.0f;
  int32_t q[8];
  tfl_quantize(x, 8, in_scale, 0, -128, 127, q);
  int8_t in[8], out[8];
  to_i8(q, 8, in);
  act_case c = {.op = ER_OP_RSQRT,
                .in_type = EDGERT_INT8,
                .out_type = EDGERT_INT8,
                .ndim = 2,
                .dims = {1, 8},
                .in_scale = in_scale,
                .out_scale = 1.0f / 255.0f,
                .out_zp = -128};
  CHECK(act_run(&c, in, out, sizeof out) == EDGERT_ERR_RUNTIME);
}

/* SIN on int8, LOGICAL_NOT on float, and ABS with a float output for int32 input are refused. */
static void test_bad_inputs_refused(void) {
  int32_t in[4] = {0}, out[4];
  act_case sin8 = {.op = ER_OP_SIN, .in_type = EDGERT_INT8, .out_type = EDGERT_INT8, .ndim = 1, .dims = {4}};
  CHECK(act_run(&sin8, in, out, 4) == EDGERT_ERR_UNSUPPORTED);
  act_case not_f = {
      .op = ER_OP_LOGICAL_NOT, .in_type = EDGERT_FLOAT32, .out_type = EDGERT_FLOAT32, .ndim = 1, .dims = {4}};
  CHECK(act_run(&not_f, in, out, sizeof out) == EDGERT_ERR_UNSUPPORTED);
  act_case abs_mixed = {
      .op = ER_OP_ABS, .in_type = EDGERT_INT32, .out_type = EDGERT_FLOAT32, .ndim = 1, .dims = {4}};
  CHECK(act_run(&abs_mixed, in, out, sizeof out) != EDGERT_OK);
  /* RSQRT has no int16 path in the TFLite we match; int16 ABS needs zero points of 0; quantized ABS needs
   * scales. */
  act_case rsqrt16 = {.op = ER_OP_RSQRT,
                      .in_type = EDGERT_INT16,
                      .out_type = EDGERT_INT16,
                      .ndim = 1,
                      .dims = {4},
                      .in_scale = 0.1f,
                      .out_scale = 0.1f};
  CHECK(act_run(&rsqrt16, in, out, 8) == EDGERT_ERR_UNSUPPORTED);
  act_case abs16_zp = {.op = ER_OP_ABS,
                       .in_type = EDGERT_INT16,
                       .out_type = EDGERT_INT16,
                       .ndim = 1,
                       .dims = {4},
                       .in_scale = 0.1f,
                       .out_scale = 0.1f,
                       .in_zp = 3};
  CHECK(act_run(&abs16_zp, in, out, 8) == EDGERT_ERR_UNSUPPORTED);
  act_case abs8_no_scale = {
      .op = ER_OP_ABS, .in_type = EDGERT_INT8, .out_type = EDGERT_INT8, .ndim = 1, .dims = {4}};
  CHECK(act_run(&abs8_no_scale, in, out, 4) != EDGERT_OK);
}

/* ONNX's float64: the ONNX 1.12 node tests' rules (test_round: half to even; test_floor, test_abs, test_neg:
 * numpy's floor, abs, negative) on doubles. */
static void test_float64_round_floor_abs_neg(void) {
  const double x[] = {0.5, 1.5, 2.5, -2.5, -1.1, 2.7};
  const double want_round[] = {0, 2, 2, -2, -1, 3}, want_floor[] = {0, 1, 2, -3, -2, 2};
  const double want_abs[] = {0.5, 1.5, 2.5, 2.5, 1.1, 2.7};
  const er_op ops[] = {ER_OP_ROUND, ER_OP_FLOOR, ER_OP_ABS, ER_OP_NEG};
  const double *wants[] = {want_round, want_floor, want_abs, NULL};
  for (int k = 0; k < 4; k++) {
    double out[6];
    CHECK_OK(bt_run(ops[k], NULL, 0, 1, (bt_tensor[]){{.dtype = EDGERT_FLOAT64, BT_SHAPE(6)}},
                    (const void *[]){x}, (bt_tensor){.dtype = EDGERT_FLOAT64, .ndim = -1}, out, sizeof out));
    for (int i = 0; i < 6; i++)
      CHECK_NEAR(out[i], wants[k] ? wants[k][i] : -x[i], 0);
  }
}

void run_tests(void) {
  RUN(test_elementwise_micro);
  RUN(test_logical_not);
  RUN(test_round_half_to_even);
  RUN(test_floor_ceil_neg);
  RUN(test_abs_int8_exact);
  RUN(test_abs_int16_exact);
  RUN(test_abs_int16_unquantized);
  RUN(test_rsqrt_int8_exact);
  RUN(test_rsqrt_int8_negative_fails);
  RUN(test_bad_inputs_refused);
  RUN(test_float64_round_floor_abs_neg);
}
