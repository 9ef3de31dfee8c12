/* PRELU against tensorflow/lite/kernels/activations_test.cc: PRelu and PReluSameShapes (float, alpha
 * broadcast from {1, 1, 3} and given in full), PReluInt8 and PReluInt8SameShapes (exact int8 outputs). */
#include "activation_test.h"
#include "binary_test.h"

static edgert_status run_prelu(edgert_dtype type, const int64_t *alpha_dims, int alpha_ndim,
                               const void *alpha, float scale, int32_t zp, const void *input, void *output) {
  th_graph *g = th_new();
  int in = th_tensor(g, type, 4, (int64_t[]){1, 2, 2, 3}, NULL);
  int a = th_tensor(g, type, alpha_ndim, alpha_dims, alpha);
  int out = th_tensor(g, type, -1, NULL, NULL);
  if (scale > 0) {
    th_quant(g, in, scale, zp);
    th_quant(g, a, scale, zp);
    th_quant(g, out, scale, zp);
  }
  th_node(g, ER_OP_PRELU, NULL, 0, 2, (int[]){in, a}, 1, (int[]){out});
  th_io(g, 1, (int[]){in}, 1, (int[]){out});
  edgert_status st = th_run(g, (const void *[]){input});
  if (st == EDGERT_OK)
    memcpy(output, th_output(g, 0), 12 * edgert_dtype_size(type));
  else
    fprintf(stderr, "  (%s)\n", th_error(g));
  th_free(g);
  return st;
}

static const float kInput[12] = {0.0f,  0.0f,  0.0f,  1.0f,  1.0f,  1.0f,
                                 -1.0f, -1.0f, -1.0f, -2.0f, -2.0f, -2.0f};
static const float kWant[12] = {0.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f, 0.0f, -1.0f, -2.0f, 0.0f, -2.0f, -4.0f};

static void test_float_broadcast(void) {
  const float alpha[3] = {0.0f, 1.0f, 2.0f};
  float out[12];
  CHECK_OK(run_prelu(EDGERT_FLOAT32, (int64_t[]){1, 1, 3}, 3, alpha, 0, 0, kInput, out));
  check_floats_near(out, kWant, 12, 0.0);
}

static void test_float_same_shapes(void) {
  const float alpha[12] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};
  float out[12];
  CHECK_OK(run_prelu(EDGERT_FLOAT32, (int64_t[]){1, 2, 2, 3}, 4, alpha, 0, 0, kInput, out));
  check_floats_near(out, kWant, 12, 0.0);
}

/* Input, alpha and output on [-1, 127/128]: scale 1/128, zero point 0. */
static void test_int8_exact(void) {
  const float x[12] = {0.0f, 0.0f, 0.0f, 0.5f, 0.5f, 0.5f, -1.0f, -1.0f, -1.0f, -0.25f, -0.25f, -0.25f};
  const float alpha_f[12] = {0.0f, 0.5f, -0.5f, 0.0f, 0.5f, -0.5f, 0.0f, 0.5f, -0.5f, 0.0f, 0.5f, -0.5f};
  const int8_t want[12] = {0, 0, 0, 64, 64, 64, 0, -64, 64, 0, -16, 16};
  float scale;
  int32_t zp, q[12], qa[12];
  tfl_quant_params(-1.0f, 127.0f / 128.0f, -128, 127, &scale, &zp);
  tfl_quantize(x, 12, scale, zp, -128, 127, q);
  tfl_quantize(alpha_f, 12, scale, zp, -128, 127, qa);
  int8_t in[12], alpha[12], out[12];
  to_i8(q, 12, in);
  to_i8(qa, 12, alpha);
  CHECK_OK(run_prelu(EDGERT_INT8, (int64_t[]){1, 1, 3}, 3, alpha, scale, zp, in, out));
  for (int i = 0; i < 12; i++)
    CHECK_EQ_INT(out[i], want[i]);
  CHECK_OK(run_prelu(EDGERT_INT8, (int64_t[]){1, 2, 2, 3}, 4, alpha, scale, zp, in, out));
  for (int i = 0; i < 12; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

/* An alpha that does not broadcast onto the input, and a float alpha for int8 input, are refused. */
static void test_bad_inputs_refused(void) {
  const float alpha[2] = {0.5f, 0.5f};
  float out[12];
  CHECK(run_prelu(EDGERT_FLOAT32, (int64_t[]){2}, 1, alpha, 0, 0, kInput, out) == EDGERT_ERR_SHAPE);
  th_graph *g = th_new();
  int in = th_tensor(g, EDGERT_INT8, 1, (int64_t[]){2}, NULL);
  int a = th_tensor(g, EDGERT_FLOAT32, 1, (int64_t[]){2}, alpha);
  int o = th_tensor(g, EDGERT_INT8, -1, NULL, NULL);
  th_quant(g, in, 0.1f, 0);
  th_quant(g, o, 0.1f, 0);
  th_node(g, ER_OP_PRELU, NULL, 0, 2, (int[]){in, a}, 1, (int[]){o});
  th_io(g, 1, (int[]){in}, 1, (int[]){o});
  int8_t x[2] = {1, -1};
  CHECK(th_run(g, (const void *[]){x}) != EDGERT_OK);
  th_free(g);
}

/* float64 for ONNX models: the ONNX 1.12 node test test_prelu_broadcast's rule (a slope of shape [3]
 * broadcast over [2, 3]: x for x >= 0, slope * x otherwise). */
static void test_float64_broadcast_slope(void) {
  const double x[] = {-1, 2, -3, 4, -5, 6}, slope[] = {0.5, 0.25, 2};
  const double want[] = {-0.5, 2, -6, 4, -1.25, 6};
  double out[6];
  CHECK_OK(
      bt_run(ER_OP_PRELU, NULL, 0, 2,
             (bt_tensor[]){{.dtype = EDGERT_FLOAT64, BT_SHAPE(2, 3)}, {.dtype = EDGERT_FLOAT64, BT_SHAPE(3)}},
             (const void *[]){x, slope}, (bt_tensor){.dtype = EDGERT_FLOAT64, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 6; i++)
    CHECK_NEAR(out[i], want[i], 0);
}

void run_tests(void) {
  RUN(test_float_broadcast);
  RUN(test_float_same_shapes);
  RUN(test_int8_exact);
  RUN(test_bad_inputs_refused);
  RUN(test_float64_broadcast_slope);
}
