/* HARD_SWISH against tensorflow/lite/kernels/activations_test.cc: HardSwish float (random inputs on
 * [-10, 10], within 1e-5 of x * relu6(x + 3) / 6); QuantizedActivationsOpTest.HardSwish for int8 and uint8
 * over the test's 16 input/output range pairs and sizes {1, 3, 10, 100}, dequantized within
 * max(input range, output range) * 1.5 / 256; HardSwishBias (uint8, mean error within 0.035 steps).
 * Random inputs use std::minstd_rand's recurrence (x = 48271 x mod 2^31 - 1, seed 1) as the test does. */
#include "activation_test.h"
#include "binary_test.h"

static uint32_t minstd_state = 1;

static float uniform(float min, float max) {
  minstd_state = (uint32_t)(((uint64_t)minstd_state * 48271u) % 2147483647u);
  return min + (max - min) * ((float)minstd_state * (1.0f / 2147483647.0f));
}

static float hard_swish_ref(float x) { return x * fminf(6.0f, fmaxf(0.0f, x + 3.0f)) * (1.0f / 6.0f); }

static void test_float(void) {
  const int sizes[] = {1, 2, 3, 4, 10, 20, 30, 40, 100};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int n = sizes[s];
    float in[100], out[100];
    for (int i = 0; i < n; i++)
      in[i] = uniform(-10.0f, 10.0f);
    act_case c = {.op = ER_OP_HARD_SWISH,
                  .in_type = EDGERT_FLOAT32,
                  .out_type = EDGERT_FLOAT32,
                  .ndim = 4,
                  .dims = {1, 1, 1, n}};
    CHECK_OK(act_run(&c, in, out, (size_t)n * sizeof(float)));
    for (int i = 0; i < n; i++)
      CHECK_NEAR(out[i], hard_swish_ref(in[i]), 1e-5);
  }
}

static void run_quantized(edgert_dtype type, const float *x, int n, float in_min, float in_max, float out_min,
                          float out_max, float *dequantized) {
  int32_t qmin = type == EDGERT_INT8 ? -128 : 0, qmax = type == EDGERT_INT8 ? 127 : 255, q[256];
  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  tfl_quant_params(in_min, in_max, qmin, qmax, &in_scale, &in_zp);
  tfl_quant_params(out_min, out_max, qmin, qmax, &out_scale, &out_zp);
  tfl_quantize(x, n, in_scale, in_zp, qmin, qmax, q);
  uint8_t in[256], out[256];
  if (type == EDGERT_INT8)
    to_i8(q, n, (int8_t *)in);
  else
    to_u8(q, n, in);
  act_case c = {.op = ER_OP_HARD_SWISH,
                .in_type = type,
                .out_type = type,
                .ndim = 4,
                .dims = {1, 1, 1, n},
                .in_scale = in_scale,
                .out_scale = out_scale,
                .in_zp = in_zp,
                .out_zp = out_zp};
  CHECK_OK(act_run(&c, in, out, (size_t)n));
  for (int i = 0; i < n; i++) {
    int32_t v = type == EDGERT_INT8 ? ((int8_t *)out)[i] : out[i];
    dequantized[i] = out_scale * (float)(v - out_zp);
  }
}

static void check_quantized(edgert_dtype type, int n, float in_min, float in_max, float out_min,
                            float out_max) {
  float x[100], got[100];
  for (int i = 0; i < n; i++)
    x[i] = uniform(in_min, in_max);
  run_quantized(type, x, n, in_min, in_max, out_min, out_max, got);
  const float tol = fmaxf(in_max - in_min, out_max - out_min) * (1.5f / 256.f);
  for (int i = 0; i < n; i++) {
    float want = fminf(out_max, fmaxf(out_min, hard_swish_ref(x[i])));
    CHECK_NEAR(got[i], want, tol);
  }
}

static void test_quantized_ranges(void) {
  const float pairs[4][2] = {{0.f, 1.f}, {-2.f, 1.f}, {-5.f, 10.f}, {-40.f, 60.f}};
  const int sizes[4] = {1, 3, 10, 100};
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++)
      for (int s = 0; s < 4; s++) {
        check_quantized(EDGERT_UINT8, sizes[s], pairs[a][0], pairs[a][1], pairs[b][0], pairs[b][1]);
        check_quantized(EDGERT_INT8, sizes[s], pairs[a][0], pairs[a][1], pairs[b][0], pairs[b][1]);
      }
}

/* Every quantized input from -3 to 3 on the MobileNet v3 layer's ranges; the mean error over them, in
 * units of the larger scale, must stay within 0.035. */
static void test_quantized_bias(void) {
  const float in_min = -11.654928f, in_max = 25.036512f, out_min = -0.3905796f, out_max = 24.50887f;
  const float in_scale = (in_max - in_min) / 255.0f, out_scale = (out_max - out_min) / 255.0f;
  const float max_scale = fmaxf(in_scale, out_scale);
  const int lo = (int)roundf(0.0f + (-3.0f - in_min) / in_scale),
            hi = (int)roundf(0.0f + (3.0f - in_min) / in_scale);
  float x[256], got[256];
  int n = 0;
  for (int i = lo; i <= hi; i++)
    x[n++] = in_min + (float)i * in_scale;
  run_quantized(EDGERT_UINT8, x, n, in_min, in_max, out_min, out_max, got);
  float sum_diff = 0;
  for (int i = 0; i < n; i++)
    sum_diff += got[i] - fminf(out_max, fmaxf(out_min, hard_swish_ref(x[i])));
  CHECK(fabsf(sum_diff / ((float)n * max_scale)) <= 0.035f);
}

/* int16 is not a HARD_SWISH dtype here, and an output scale 128 times finer than the input's is refused. */
static void test_bad_inputs_refused(void) {
  int16_t in[4] = {0}, out[4];
  act_case c = {.op = ER_OP_HARD_SWISH,
                .in_type = EDGERT_INT16,
                .out_type = EDGERT_INT16,
                .ndim = 1,
                .dims = {4},
                .in_scale = 0.1f,
                .out_scale = 0.1f};
  CHECK(act_run(&c, in, out, sizeof out) == EDGERT_ERR_UNSUPPORTED);
  act_case fine = {.op = ER_OP_HARD_SWISH,
                   .in_type = EDGERT_INT8,
                   .out_type = EDGERT_INT8,
                   .ndim = 1,
                   .dims = {4},
                   .in_scale = 1.0f,
                   .out_scale = 1.0f / 256.0f};
  CHECK(act_run(&fine, in, out, 4) == EDGERT_ERR_UNSUPPORTED);
}

/* float64 for ONNX models: ONNX HardSwish x * max(0, min(1, x / 6 + 0.5))
 * (onnx/backend/test/case/node/hardswish.py). */
static void test_float64_hard_swish(void) {
  act_run_f64(ER_OP_HARD_SWISH, NULL, 0, (const double[]){-4, -1.5, 0, 1.5, 4}, 5,
              (const double[]){0, -0.375, 0, 1.125, 4});
}

void run_tests(void) {
  RUN(test_float);
  RUN(test_quantized_ranges);
  RUN(test_quantized_bias);
  RUN(test_bad_inputs_refused);
  RUN(test_float64_hard_swish);
}
