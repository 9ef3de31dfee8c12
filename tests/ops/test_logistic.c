/* LOGISTIC against TFLite's kernel tests:
 *   tensorflow/lite/micro/kernels/logistic_test.cc  (float basic and wide range; int8 with input scales 0.1
 *     and 1.0, output 1/255 and zero point -128, within 1 step of the quantized golden; int16 on 177 inputs
 *     from -20 to 20 with input scale 32/65536, output 2/65536, within 16 steps. The goldens there are
 *     sigmoid(x) to 10 digits; here they are computed from the same formula in double.)
 *   tensorflow/lite/kernels/activations_test.cc     (Sigmoid float, SigmoidInt8 and SigmoidUint8 on [-10,
 * 10], within 2/256 there and here). */
#include "activation_test.h"
#include "binary_test.h"
#include "uint8_test.h"

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

static void test_float(void) {
  const float in[10] = {1, 2, 3, 4, 5, -1, -2, -3, -4, -5};
  const float want[10] = {0.73105858f, 0.88079708f, 0.95257413f, 0.98201379f, 0.99330715f,
                          0.26894142f, 0.11920292f, 0.04742587f, 0.01798621f, 0.00669285f};
  const float wide_in[10] = {1, 2, 3, 4, 93, -1, -2, -3, -4, -93};
  const float wide_want[10] = {0.73105858f, 0.88079708f, 0.95257413f, 0.98201379f, 1.0f,
                               0.26894142f, 0.11920292f, 0.04742587f, 0.01798621f, 0.0f};
  const float tfl_in[8] = {0, -6, 2, 4, 3, -2, 10, 1};
  const float tfl_want[8] = {0.5f,      0.002473f, 0.880797f, 0.982014f,
                             0.952574f, 0.119203f, 0.999955f, 0.731059f};
  float out[10];
  act_case c = {
      .op = ER_OP_LOGISTIC, .in_type = EDGERT_FLOAT32, .out_type = EDGERT_FLOAT32, .ndim = 2, .dims = {2, 5}};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  check_floats_near(out, want, 10, 1e-5);
  CHECK_OK(act_run(&c, wide_in, out, sizeof out));
  check_floats_near(out, wide_want, 10, 1e-5);
  act_case c8 = {
      .op = ER_OP_LOGISTIC, .in_type = EDGERT_FLOAT32, .out_type = EDGERT_FLOAT32, .ndim = 1, .dims = {8}};
  CHECK_OK(act_run(&c8, tfl_in, out, 8 * sizeof(float)));
  check_floats_near(out, tfl_want, 8, 1e-5);
}

/* TFLM: golden quantized as round(golden / scale) + zero point; output within `tol` steps of it. */
static void run_int8(const float *x, const float *golden, int n, float in_scale, double tol) {
  const float out_scale = 1.0f / 255.0f;
  int32_t q[16], gq[16];
  tfl_quantize(x, n, in_scale, 0, -128, 127, q);
  for (int i = 0; i < n; i++) {
    float g = roundf(golden[i] / out_scale) - 128.0f;
    gq[i] = g < -128 ? -128 : (g > 127 ? 127 : (int32_t)g);
  }
  int8_t in[16], out[16];
  to_i8(q, n, in);
  act_case c = {.op = ER_OP_LOGISTIC,
                .in_type = EDGERT_INT8,
                .out_type = EDGERT_INT8,
                .ndim = 1,
                .dims = {n},
                .in_scale = in_scale,
                .out_scale = out_scale,
                .in_zp = 0,
                .out_zp = -128};
  CHECK_OK(act_run(&c, in, out, (size_t)n));
  for (int i = 0; i < n; i++)
    CHECK_NEAR(out[i], gq[i], tol);
}

static void test_int8_micro(void) {
  const float in[10] = {1, 2, 3, 4, 5, -1, -2, -3, -4, -5};
  const float wide_in[10] = {1, 2, 3, 4, 93, -1, -2, -3, -4, -93};
  float golden[10], wide_golden[10];
  for (int i = 0; i < 10; i++) {
    golden[i] = (float)sigmoid(in[i]);
    wide_golden[i] = (float)sigmoid(wide_in[i]);
  }
  run_int8(in, golden, 10, 0.1f, 1.0);
  run_int8(wide_in, wide_golden, 10, 1.0f, 1.0);
}

/* activations_test.cc SigmoidInt8: 89 inputs on [-10, 10], output scale 1/256 zero point -128, checked
 * dequantized within 2/256. */
static void test_int8_wide(void) {
  float x[89];
  int32_t q[89];
  int8_t in[89], out[89];
  for (int i = 0; i < 89; i++)
    x[i] = -10.0f + (float)i * 20.0f / 88.0f;
  float scale;
  int32_t zp;
  tfl_quant_params(-10.0f, 10.0f, -128, 127, &scale, &zp);
  tfl_quantize(x, 89, scale, zp, -128, 127, q);
  to_i8(q, 89, in);
  act_case c = {.op = ER_OP_LOGISTIC,
                .in_type = EDGERT_INT8,
                .out_type = EDGERT_INT8,
                .ndim = 1,
                .dims = {89},
                .in_scale = scale,
                .out_scale = 1.0f / 256.0f,
                .in_zp = zp,
                .out_zp = -128};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  for (int i = 0; i < 89; i++)
    CHECK_NEAR((out[i] + 128) / 256.0, sigmoid(x[i]), 2.0 / 256);
}

/* activations_test.cc SigmoidUint8: 89 inputs on [-10, 10], output scale 1/256 zero point 0, checked
 * dequantized within kQuantizedTolerance = 2/256. */
static void test_uint8(void) {
  float x[89];
  uint8_t in[89], out[89];
  for (int i = 0; i < 89; i++)
    x[i] = -10.0f + (float)i * 20.0f / 88.0f;
  const u8_range r = u8_of(-10.0f, 10.0f);
  quantize_u8(x, 89, r, in);
  act_case c = {.op = ER_OP_LOGISTIC,
                .in_type = EDGERT_UINT8,
                .out_type = EDGERT_UINT8,
                .ndim = 1,
                .dims = {89},
                .in_scale = r.scale,
                .out_scale = 1.0f / 256.0f,
                .in_zp = r.zp,
                .out_zp = 0};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  for (int i = 0; i < 89; i++)
    CHECK_NEAR(out[i] / 256.0, sigmoid(x[i]), 2.0 / 256);
}

static void test_int16(void) {
  enum { n = 177 };
  const float in_scale = 32.0f / 65536.0f, out_scale = 2.0f / 65536.0f;
  float x[n];
  int32_t q[n];
  int16_t in[n], out[n];
  for (int i = 0; i < n; i++)
    x[i] = (float)(-20.0 + 40.0 * i / 176.0);
  tfl_quantize(x, n, in_scale, 0, -32768, 32767, q);
  to_i16(q, n, in);
  act_case c = {.op = ER_OP_LOGISTIC,
                .in_type = EDGERT_INT16,
                .out_type = EDGERT_INT16,
                .ndim = 2,
                .dims = {1, n},
                .in_scale = in_scale,
                .out_scale = out_scale};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  for (int i = 0; i < n; i++) {
    double g = round(sigmoid(x[i]) / out_scale);
    g = g > 32767 ? 32767 : g;
    CHECK_NEAR(out[i], g, 16.0);
  }
}

/* int8 output whose zero point is not -128, and an int16 output scale other than 2^-15, are refused. */
static void test_bad_quantization_refused(void) {
  int8_t in8[4] = {0}, out8[4];
  act_case c = {.op = ER_OP_LOGISTIC,
                .in_type = EDGERT_INT8,
                .out_type = EDGERT_INT8,
                .ndim = 1,
                .dims = {4},
                .in_scale = 0.1f,
                .out_scale = 1.0f / 256.0f,
                .out_zp = 0};
  CHECK(act_run(&c, in8, out8, sizeof out8) == EDGERT_ERR_UNSUPPORTED);
  int16_t in16[4] = {0}, out16[4];
  act_case c16 = {.op = ER_OP_LOGISTIC,
                  .in_type = EDGERT_INT16,
                  .out_type = EDGERT_INT16,
                  .ndim = 1,
                  .dims = {4},
                  .in_scale = 1.0f / 4096.0f,
                  .out_scale = 1.0f / 1000.0f};
  CHECK(act_run(&c16, in16, out16, sizeof out16) == EDGERT_ERR_UNSUPPORTED);
  /* uint8 needs output scale 1/256 and zero point 0 */
  uint8_t inu[4] = {0}, outu[4];
  act_case cu = {.op = ER_OP_LOGISTIC,
                 .in_type = EDGERT_UINT8,
                 .out_type = EDGERT_UINT8,
                 .ndim = 1,
                 .dims = {4},
                 .in_scale = 0.1f,
                 .in_zp = 128,
                 .out_scale = 1.0f / 256.0f,
                 .out_zp = 128};
  CHECK(act_run(&cu, inu, outu, sizeof outu) == EDGERT_ERR_UNSUPPORTED);
  act_case bool_in = {
      .op = ER_OP_LOGISTIC, .in_type = EDGERT_BOOL, .out_type = EDGERT_BOOL, .ndim = 1, .dims = {4}};
  CHECK(act_run(&bool_in, in8, out8, sizeof out8) == EDGERT_ERR_UNSUPPORTED);
}

/* float64 for ONNX models: the ONNX 1.12 node test test_sigmoid_example ({-1, 0, 1}: 1 / (1 + e^-x)). */
static void test_float64_sigmoid(void) {
  act_run_f64(ER_OP_LOGISTIC, NULL, 0, (const double[]){-1, 0, 1}, 3,
              (const double[]){0.2689414213699951, 0.5, 0.7310585786300049});
}

void run_tests(void) {
  RUN(test_float);
  RUN(test_int8_micro);
  RUN(test_int8_wide);
  RUN(test_uint8);
  RUN(test_int16);
  RUN(test_bad_quantization_refused);
  RUN(test_float64_sigmoid);
}
