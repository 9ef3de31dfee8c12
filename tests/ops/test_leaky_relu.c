/* LEAKY_RELU against outside results:
 *   tensorflow/lite/kernels/activations_test.cc  (LeakyRelu float exact; LeakyReluInt8 / LeakyReluInt16
 *                                                dequantized within the test's tolerances)
 *   shared/fixtures/tflite-micro/seanet/leaky_relu (23 int16 models made by TensorFlow, with golden outputs
 *                                                that TFLite Micro reproduces exactly: compared exactly). */
#include "activation_test.h"
#include "binary_test.h"

static void test_float(void) {
  const float in[6] = {0.0f, 1.0f, 3.0f, 1.0f, -1.0f, -2.0f};
  const float want[6] = {0.0f, 1.0f, 3.0f, 1.0f, -0.5f, -1.0f};
  float out[6];
  er_leaky_relu_attrs attrs = {.alpha = 0.5f};
  act_case c = {.op = ER_OP_LEAKY_RELU,
                .attrs = &attrs,
                .attrs_size = sizeof attrs,
                .in_type = EDGERT_FLOAT32,
                .out_type = EDGERT_FLOAT32,
                .ndim = 2,
                .dims = {2, 3}};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  check_floats_near(out, want, 6, 0.0);
}

static const float kInput[25] = {-5.0f, -4.6f, -4.2f, -3.8f, -3.4f, -3.0f, -2.6f, -2.2f, -1.8f,
                                 -1.4f, -1.0f, -0.6f, -0.2f, 0.2f,  0.6f,  1.0f,  1.4f,  1.8f,
                                 2.2f,  2.6f,  3.0f,  3.4f,  3.8f,  4.2f,  4.6f};
static const float kWant[25] = {-0.50f, -0.46f, -0.42f, -0.38f, -0.34f, -0.30f, -0.26f, -0.22f, -0.18f,
                                -0.14f, -0.10f, -0.06f, -0.02f, 0.20f,  0.60f,  1.00f,  1.40f,  1.80f,
                                2.20f,  2.60f,  3.00f,  3.40f,  3.80f,  4.20f,  4.60f};

/* Input on [-5, 5 * 127/128], alpha 0.1; int8 output on [-0.5, 5 * 127/128], int16 output symmetric with
 * scale max / 32767. Tolerances: 5 * 2/256 (int8), 2/4096 (int16). */
static void test_quantized(edgert_dtype type) {
  const int32_t qmin = type == EDGERT_INT8 ? -128 : -32768, qmax = type == EDGERT_INT8 ? 127 : 32767;
  const float in_max = 5.0f * 127.0f / 128.0f;
  float in_scale, out_scale;
  int32_t in_zp, out_zp, q[25];
  tfl_quant_params(-5.0f, in_max, qmin, qmax, &in_scale, &in_zp);
  if (type == EDGERT_INT8) {
    tfl_quant_params(-0.5f, in_max, qmin, qmax, &out_scale, &out_zp);
  } else {
    out_scale = in_max / 32767.0f;
    out_zp = 0;
  }
  tfl_quantize(kInput, 25, in_scale, in_zp, qmin, qmax, q);
  int16_t in[25], out[25];
  if (type == EDGERT_INT8)
    to_i8(q, 25, (int8_t *)in);
  else
    to_i16(q, 25, in);
  er_leaky_relu_attrs attrs = {.alpha = 0.1f};
  act_case c = {.op = ER_OP_LEAKY_RELU,
                .attrs = &attrs,
                .attrs_size = sizeof attrs,
                .in_type = type,
                .out_type = type,
                .ndim = 2,
                .dims = {5, 5},
                .in_scale = in_scale,
                .out_scale = out_scale,
                .in_zp = in_zp,
                .out_zp = out_zp};
  size_t bytes = 25 * edgert_dtype_size(type);
  CHECK_OK(act_run(&c, in, out, bytes));
  double tol = type == EDGERT_INT8 ? 5 * 2.0 / 256 : 2.0 / 4096;
  for (int i = 0; i < 25; i++) {
    int32_t v = type == EDGERT_INT8 ? ((int8_t *)out)[i] : out[i];
    CHECK_NEAR(out_scale * (float)(v - out_zp), kWant[i], tol);
  }
}

static void test_int8(void) { test_quantized(EDGERT_INT8); }
static void test_int16(void) { test_quantized(EDGERT_INT16); }

static void test_seanet_int16_models_match_golden(void) {
  int matched = 0;
  for (int k = 0; k < 23; k++) {
    char model[64], input[64], golden[64];
    snprintf(model, sizeof model, "seanet/leaky_relu/leaky_relu%d.tflite", k);
    snprintf(input, sizeof input, "seanet/leaky_relu/leaky_relu%d_input0_int16.csv", k);
    snprintf(golden, sizeof golden, "seanet/leaky_relu/leaky_relu%d_golden_int16.csv", k);
    matched += check_model_golden(model, input, golden) == 0;
  }
  CHECK_EQ_INT(matched, 23);
}

/* uint8 is not a LEAKY_RELU dtype here, and a node without its alpha attribute is malformed. */
static void test_bad_inputs_refused(void) {
  uint8_t in[4] = {0}, out[4];
  er_leaky_relu_attrs attrs = {.alpha = 0.2f};
  act_case c = {.op = ER_OP_LEAKY_RELU,
                .attrs = &attrs,
                .attrs_size = sizeof attrs,
                .in_type = EDGERT_UINT8,
                .out_type = EDGERT_UINT8,
                .ndim = 1,
                .dims = {4},
                .in_scale = 0.1f,
                .out_scale = 0.1f};
  CHECK(act_run(&c, in, out, sizeof out) == EDGERT_ERR_UNSUPPORTED);
  float fin[4] = {0}, fout[4];
  act_case no_attrs = {
      .op = ER_OP_LEAKY_RELU, .in_type = EDGERT_FLOAT32, .out_type = EDGERT_FLOAT32, .ndim = 1, .dims = {4}};
  CHECK(act_run(&no_attrs, fin, fout, sizeof fout) != EDGERT_OK);
}

/* float64 for ONNX models: the ONNX 1.12 node test test_leakyrelu_example (alpha 0.1, {-1, 0, 1}). */
static void test_float64_leaky_relu(void) {
  er_leaky_relu_attrs alpha = {.alpha = 0.1f};
  act_run_f64(ER_OP_LEAKY_RELU, &alpha, sizeof alpha, (const double[]){-1, 0, 1}, 3,
              (const double[]){-(double)0.1f, 0, 1});
}

void run_tests(void) {
  RUN(test_float);
  RUN(test_int8);
  RUN(test_int16);
  RUN(test_seanet_int16_models_match_golden);
  RUN(test_bad_inputs_refused);
  RUN(test_float64_leaky_relu);
}
