/* The ONNX unary ops of unary_float.c. Vectors from the ONNX 1.12 backend node tests
 * (onnx/backend/test/case/node/<op>.py, the *_example cases: test_selu_example, test_hardsigmoid_example,
 * test_thresholdedrelu_example, test_shrink_soft, test_softplus_example, test_softsign_example,
 * test_reciprocal_example, test_acos_example, test_atanh_example, test_isinf, test_isnan, and the first
 * values of test_erf). */
#include <math.h>

#include "binary_test.h"

static void run_f32(er_op op, const er_unary_params_attrs *attrs, const float *x, int n, const float *want) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {n}};
  float out[16];
  CHECK_OK(bt_run(op, attrs, attrs ? sizeof *attrs : 0, 1, (bt_tensor[]){t}, (const void *[]){x},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof(float) * (size_t)n));
  for (int i = 0; i < n; i++)
    CHECK_NEAR(out[i], want[i], 1e-6 + 1e-5 * fabs(want[i]));
}

static void parametric_activations(void) {
  const float x3[] = {-1, 0, 1};
  er_unary_params_attrs selu = {.alpha = 2, .gamma = 3};
  run_f32(ER_OP_SELU, &selu, x3, 3, (const float[]){-3.7927236557f, 0, 3});
  er_unary_params_attrs hard_sigmoid = {.alpha = 0.5f, .beta = 0.6f};
  run_f32(ER_OP_HARD_SIGMOID, &hard_sigmoid, x3, 3, (const float[]){0.1f, 0.6f, 1});
  er_unary_params_attrs threshold = {.alpha = 2};
  run_f32(ER_OP_THRESHOLDED_RELU, &threshold, (const float[]){-1.5f, 0, 1.2f, 2, 2.2f}, 5,
          (const float[]){0, 0, 0, 0, 2.2f});
  er_unary_params_attrs shrink = {.alpha = 1.5f, .beta = 1.5f};
  run_f32(ER_OP_SHRINK, &shrink, (const float[]){-2, -1, 0, 1, 2}, 5, (const float[]){-0.5f, 0, 0, 0, 0.5f});
  run_f32(ER_OP_SOFTPLUS, NULL, x3, 3, (const float[]){0.31326166f, 0.69314718f, 1.3132617f});
  run_f32(ER_OP_SOFTSIGN, NULL, x3, 3, (const float[]){-0.5f, 0, 0.5f});
  /* CELU with alpha 2 (test_celu): positive inputs pass through; a negative one is 2 * (exp(x / 2) - 1). */
  er_unary_params_attrs celu = {.alpha = 2};
  run_f32(ER_OP_CELU, &celu, (const float[]){0.84396827f, -1}, 2, (const float[]){0.84396827f, -0.78693868f});
}

static void math_functions(void) {
  run_f32(ER_OP_RECIPROCAL, NULL, (const float[]){-4, 2}, 2, (const float[]){-0.25f, 0.5f});
  const float half[] = {-0.5f, 0, 0.5f};
  run_f32(ER_OP_ACOS, NULL, half, 3, (const float[]){2.0943952f, 1.5707964f, 1.0471976f});
  run_f32(ER_OP_ATANH, NULL, half, 3, (const float[]){-0.54930615f, 0, 0.54930615f});
  run_f32(ER_OP_ERF, NULL, (const float[]){1.7640524f, 0.40015721f, -0.97727787f}, 3,
          (const float[]){0.98739529f, 0.42854351f, -0.83305275f});
}

static void float64_and_float16(void) {
  bt_tensor d = {.dtype = EDGERT_FLOAT64, BT_SHAPE(2)};
  const double x[] = {-4, 2};
  double out[2];
  CHECK_OK(bt_run(ER_OP_RECIPROCAL, NULL, 0, 1, (bt_tensor[]){d}, (const void *[]){x},
                  (bt_tensor){.dtype = EDGERT_FLOAT64, .ndim = -1}, out, sizeof out));
  CHECK_NEAR(out[0], -0.25, 0);
  CHECK_NEAR(out[1], 0.5, 0);
  bt_tensor h = {.dtype = EDGERT_FLOAT16, BT_SHAPE(2)};
  const uint16_t xh[] = {er_float_to_half(-4), er_float_to_half(2)};
  uint16_t outh[2];
  CHECK_OK(bt_run(ER_OP_RECIPROCAL, NULL, 0, 1, (bt_tensor[]){h}, (const void *[]){xh},
                  (bt_tensor){.dtype = EDGERT_FLOAT16, .ndim = -1}, outh, sizeof outh));
  CHECK_NEAR(er_half_to_float(outh[0]), -0.25, 0);
  CHECK_NEAR(er_half_to_float(outh[1]), 0.5, 0);
}

static void is_nan_and_is_inf(void) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, BT_SHAPE(6)};
  const float x[] = {-1.2f, NAN, INFINITY, 2.8f, -INFINITY, INFINITY};
  bool out[6];
  bt_tensor o = {.dtype = EDGERT_BOOL, .ndim = -1};
  CHECK_OK(bt_run(ER_OP_IS_INF, NULL, 0, 1, (bt_tensor[]){t}, (const void *[]){x}, o, out, sizeof out));
  const bool want_inf[] = {false, false, true, false, true, true};
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i], want_inf[i]);
  er_is_inf_attrs negative_only = {.detect_negative = true, .detect_positive = false};
  CHECK_OK(bt_run(ER_OP_IS_INF, &negative_only, sizeof negative_only, 1, (bt_tensor[]){t},
                  (const void *[]){x}, o, out, sizeof out));
  const bool want_negative[] = {false, false, false, false, true, false};
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i], want_negative[i]);
  CHECK_OK(bt_run(ER_OP_IS_NAN, NULL, 0, 1, (bt_tensor[]){t}, (const void *[]){x}, o, out, sizeof out));
  const bool want_nan[] = {false, true, false, false, false, false};
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i], want_nan[i]);
}

static void rejects_integer_input(void) {
  bt_tensor t = {.dtype = EDGERT_INT32, BT_SHAPE(2)};
  const int32_t x[] = {1, 2};
  int32_t out[2];
  edgert_status st = bt_run_ex(ER_OP_SOFTPLUS, NULL, 0, 1, (bt_tensor[]){t}, (const void *[]){x},
                               (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

void run_tests(void) {
  RUN(parametric_activations);
  RUN(math_functions);
  RUN(float64_and_float16);
  RUN(is_nan_and_is_inf);
  RUN(rejects_integer_input);
}
