/* SIGN against tensorflow/lite/kernels/sign_test.cc (TestScalarFloat, TestNaNFloat, TestBatchFloat,
 * TestScalarInt, TestBatchInt) and a refused dtype. */
#include "extra_test.h"

static void sign_float_matches_tflite(void) {
  const float x[] = {0.8f, -0.7f, 0.6f, -0.5f, 0.4f, -0.3f, 0.2f, 0.0f};
  const float want[] = {1, -1, 1, -1, 1, -1, 1, 0};
  th_graph *g;
  xt_tensor in = {EDGERT_FLOAT32, 3, {4, 2, 1}, x, XT_INPUT, 0, 0};
  CHECK_OK(xt_run(&g, ER_OP_SIGN, NULL, 0, 1, &in, 1, &(xt_out){EDGERT_FLOAT32, 0, 0}, false));
  xt_check_shape(g, 0, 3, (int64_t[]){4, 2, 1});
  xt_check_floats(g, 0, want, 8, 0);
  th_free(g);
  const float scalars[] = {0.0f, 5.0f, -3.0f, NAN};
  const float scalar_want[] = {0.0f, 1.0f, -1.0f};
  for (int i = 0; i < 4; i++) {
    xt_tensor s = {EDGERT_FLOAT32, 0, {0}, &scalars[i], XT_INPUT, 0, 0};
    CHECK_OK(xt_run(&g, ER_OP_SIGN, NULL, 0, 1, &s, 1, &(xt_out){EDGERT_FLOAT32, 0, 0}, false));
    const float *y = th_output(g, 0);
    if (i < 3)
      CHECK_NEAR(y[0], scalar_want[i], 0);
    else
      CHECK(isnan(y[0]));
    th_free(g);
  }
}

static void sign_int32_matches_tflite(void) {
  const int32_t x[] = {0, -7, 6, -5, 4, -3, 2, 1};
  const int64_t want[] = {0, -1, 1, -1, 1, -1, 1, 1};
  th_graph *g;
  xt_tensor in = {EDGERT_INT32, 3, {4, 2, 1}, x, XT_INPUT, 0, 0};
  CHECK_OK(xt_run(&g, ER_OP_SIGN, NULL, 0, 1, &in, 1, &(xt_out){EDGERT_INT32, 0, 0}, false));
  xt_check_ints(g, 0, EDGERT_INT32, want, 8);
  th_free(g);
}

/* TFLite's SIGN has no quantized path: a quantized int8 input is refused. */
static void sign_rejects_quantized_int8(void) {
  const int8_t x[] = {1, -1};
  th_graph *g;
  xt_tensor in = {EDGERT_INT8, 1, {2}, x, XT_INPUT, 0.5f, 0};
  CHECK(xt_run(&g, ER_OP_SIGN, NULL, 0, 1, &in, 1, &(xt_out){EDGERT_INT8, 0.5f, 0}, true) ==
        EDGERT_ERR_UNSUPPORTED);
  th_free(g);
}

/* ONNX Sign on unquantized int8 and float64 (the ONNX 1.12 node test test_sign's rule: numpy's sign). */
static void sign_onnx_int8_and_float64(void) {
  const int8_t x[] = {-128, -3, 0, 5};
  th_graph *g;
  xt_tensor in = {EDGERT_INT8, 1, {4}, x, XT_INPUT, 0, 0};
  CHECK_OK(xt_run(&g, ER_OP_SIGN, NULL, 0, 1, &in, 1, &(xt_out){EDGERT_INT8, 0, 0}, false));
  const int8_t *y = th_output(g, 0);
  const int8_t want[] = {-1, -1, 0, 1};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(y[i], want[i]);
  th_free(g);
  const double xd[] = {-2.5, 0, 7};
  xt_tensor ind = {EDGERT_FLOAT64, 1, {3}, xd, XT_INPUT, 0, 0};
  CHECK_OK(xt_run(&g, ER_OP_SIGN, NULL, 0, 1, &ind, 1, &(xt_out){EDGERT_FLOAT64, 0, 0}, false));
  const double *yd = th_output(g, 0);
  CHECK_NEAR(yd[0], -1, 0);
  CHECK_NEAR(yd[1], 0, 0);
  CHECK_NEAR(yd[2], 1, 0);
  th_free(g);
}

void run_tests(void) {
  RUN(sign_float_matches_tflite);
  RUN(sign_int32_matches_tflite);
  RUN(sign_rejects_quantized_int8);
  RUN(sign_onnx_int8_and_float64);
}
