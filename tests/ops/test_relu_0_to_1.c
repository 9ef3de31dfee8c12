/* RELU_0_TO_1 against tensorflow/lite/kernels/activations_test.cc (FloatActivationsOpTest.Relu0To1 and
 * QuantizedActivationsOpTest.Relu0To1Int8, whose int8 tensors span [0, 1]: scale 1/255, zero point
 * -128 as TFLite's test model quantizes them), uint8 on the same grid, and a refused dtype. */
#include "extra_test.h"

static const float relu_in[] = {0.0f, -0.6f, 0.2f, -0.4f, 0.3f, -2.0f, 1.1f, -0.1f};
static const float relu_want[] = {0.0f, 0.0f, 0.2f, 0.0f, 0.3f, 0.0f, 1.0f, 0.0f};

static void relu_0_to_1_float_matches_tflite(void) {
  th_graph *g;
  xt_tensor in = {EDGERT_FLOAT32, 4, {1, 2, 4, 1}, relu_in, XT_INPUT, 0, 0};
  CHECK_OK(xt_run(&g, ER_OP_RELU_0_TO_1, NULL, 0, 1, &in, 1, &(xt_out){EDGERT_FLOAT32, 0, 0}, false));
  xt_check_floats(g, 0, relu_want, 8, 0);
  th_free(g);
}

/* TFLite's test quantizes with round-to-nearest and clamps; the dequantized output must be within one
 * step of the float answer (kQuantizedTolerance in the TFLite test is about that). */
static void relu_0_to_1_quantized_matches_tflite(void) {
  const float scale = 1.0f / 255.0f;
  for (int u = 0; u < 2; u++) {
    edgert_dtype t = u ? EDGERT_UINT8 : EDGERT_INT8;
    int32_t zp = u ? 0 : -128, qmin = u ? 0 : -128, qmax = u ? 255 : 127;
    unsigned char q[8];
    for (int i = 0; i < 8; i++) {
      long v = lroundf(relu_in[i] / scale) + zp;
      v = v < qmin ? qmin : v > qmax ? qmax : v;
      if (u)
        q[i] = (unsigned char)v;
      else
        ((int8_t *)q)[i] = (int8_t)v;
    }
    th_graph *g;
    xt_tensor in = {t, 4, {1, 2, 4, 1}, q, XT_INPUT, scale, zp};
    CHECK_OK(xt_run(&g, ER_OP_RELU_0_TO_1, NULL, 0, 1, &in, 1, &(xt_out){t, scale, zp}, false));
    const void *y = th_output(g, 0);
    for (int i = 0; i < 8; i++) {
      int32_t v = u ? ((const uint8_t *)y)[i] : ((const int8_t *)y)[i];
      CHECK_NEAR((v - zp) * scale, relu_want[i], scale);
    }
    th_free(g);
  }
}

static void relu_0_to_1_rejects_int32(void) {
  const int32_t x[2] = {1, 2};
  th_graph *g;
  xt_tensor in = {EDGERT_INT32, 1, {2}, x, XT_INPUT, 0, 0};
  CHECK(xt_run(&g, ER_OP_RELU_0_TO_1, NULL, 0, 1, &in, 1, &(xt_out){EDGERT_INT32, 0, 0}, true) ==
        EDGERT_ERR_UNSUPPORTED);
  th_free(g);
}

void run_tests(void) {
  RUN(relu_0_to_1_float_matches_tflite);
  RUN(relu_0_to_1_quantized_matches_tflite);
  RUN(relu_0_to_1_rejects_int32);
}
