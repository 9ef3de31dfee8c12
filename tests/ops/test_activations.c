/* RELU, RELU6, RELU_N1_TO_1, ELU and GELU against TFLite's kernel tests:
 *   tensorflow/lite/kernels/activations_test.cc   (Relu, Relu1, Relu6, Elu float; ReluInt8, Relu6Int8,
 *                                                 ReluUint8, Relu6Uint8 exact outputs; Relu1Int8 tolerance;
 *                                                 EluInt8, whose expected values all lie on the output grid
 *                                                 and so are compared exactly)
 *   onnx/backend/test/case/node/gelu.py           (Gelu float, exact and tanh-approximated)
 * GELU on int8 and uint8 has no TFLite unit test we could read; it runs EluInt8's inputs and quantization
 * and compares exactly with the integers TensorFlow Lite itself produced for them (npm
 * @tensorflow/tfjs-tflite 0.0.1-alpha.10, TFLite compiled to WebAssembly; its own GELU kernel ran).
 * Quantized inputs are the test's floats quantized as TFLite's test_util does (activation_test.h). */
#include "activation_test.h"
#include "binary_test.h"

static const int64_t k1x2x4x1[4] = {1, 2, 4, 1};

static void run_float(er_op op, const float *in, float *out) {
  act_case c = {.op = op, .in_type = EDGERT_FLOAT32, .out_type = EDGERT_FLOAT32, .ndim = 4};
  memcpy(c.dims, k1x2x4x1, sizeof k1x2x4x1);
  CHECK_OK(act_run(&c, in, out, 8 * sizeof(float)));
}

static void test_relu_float(void) {
  const float in[8] = {0, -6, 2, 4, 3, -2, 10, 1};
  const float relu[8] = {0, 0, 2, 4, 3, 0, 10, 1};
  const float relu6[8] = {0, 0, 2, 4, 3, 0, 6, 1};
  float out[8];
  run_float(ER_OP_RELU, in, out);
  check_floats_near(out, relu, 8, 0.0);
  run_float(ER_OP_RELU6, in, out);
  check_floats_near(out, relu6, 8, 0.0);
}

static void test_relu_n1_to_1_float(void) {
  const float in[8] = {0.0f, -0.6f, 0.2f, -0.4f, 0.3f, -2.0f, 1.1f, -0.1f};
  const float want[8] = {0.0f, -0.6f, 0.2f, -0.4f, 0.3f, -1.0f, 1.0f, -0.1f};
  float out[8];
  run_float(ER_OP_RELU_N1_TO_1, in, out);
  check_floats_near(out, want, 8, 0.0);
}

/* Input and output both on [-8, 8 * 127/128]: int8 scale 1/16, zero point 0; uint8 zero point 128. */
static void run_quantized_relu(er_op op, edgert_dtype type, const float *x, void *out) {
  int32_t qmin = type == EDGERT_INT8 ? -128 : 0, qmax = type == EDGERT_INT8 ? 127 : 255;
  float scale;
  int32_t zp, q[8];
  tfl_quant_params(-8.0f, 8.0f * 127.0f / 128.0f, qmin, qmax, &scale, &zp);
  tfl_quantize(x, 8, scale, zp, qmin, qmax, q);
  uint8_t in[8];
  if (type == EDGERT_INT8)
    to_i8(q, 8, (int8_t *)in);
  else
    to_u8(q, 8, in);
  act_case c = {.op = op,
                .in_type = type,
                .out_type = type,
                .ndim = 4,
                .in_scale = scale,
                .out_scale = scale,
                .in_zp = zp,
                .out_zp = zp};
  memcpy(c.dims, k1x2x4x1, sizeof k1x2x4x1);
  CHECK_OK(act_run(&c, in, out, 8));
}

static void test_relu_int8_exact(void) {
  const float x[8] = {0, -6, 2, 4, 3, -2, 7, 1};
  const int8_t want[8] = {0, 0, 32, 64, 48, 0, 112, 16};
  int8_t out[8];
  run_quantized_relu(ER_OP_RELU, EDGERT_INT8, x, out);
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void test_relu6_int8_exact(void) {
  const float x[8] = {0, -6, 2, 4, 3, -2, 10, 1};
  const int8_t want[8] = {0, 0, 32, 64, 48, 0, 96, 16};
  int8_t out[8];
  run_quantized_relu(ER_OP_RELU6, EDGERT_INT8, x, out);
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void test_relu_uint8_exact(void) {
  const float x[8] = {0, -6, 2, 4, 3, -2, 7, 1};
  const uint8_t want[8] = {128, 128, 160, 192, 176, 128, 240, 144};
  uint8_t out[8];
  run_quantized_relu(ER_OP_RELU, EDGERT_UINT8, x, out);
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void test_relu6_uint8_exact(void) {
  const float x[8] = {0, -6, 2, 4, 3, -2, 10, 1};
  const uint8_t want[8] = {128, 128, 160, 192, 176, 128, 224, 144};
  uint8_t out[8];
  run_quantized_relu(ER_OP_RELU6, EDGERT_UINT8, x, out);
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

/* Relu1Int8: range [-2, 1], checked dequantized within kQuantizedTolerance = 2/256. */
static void test_relu_n1_to_1_int8(void) {
  const float x[8] = {0.0f, -0.6f, 0.2f, -0.4f, 0.3f, -2.0f, 1.1f, -0.1f};
  const float want[8] = {0.0f, -0.6f, 0.2f, -0.4f, 0.3f, -1.0f, 1.0f, -0.1f};
  float scale;
  int32_t zp, q[8];
  tfl_quant_params(-2.0f, 1.0f, -128, 127, &scale, &zp);
  tfl_quantize(x, 8, scale, zp, -128, 127, q);
  int8_t in[8], out[8];
  to_i8(q, 8, in);
  act_case c = {.op = ER_OP_RELU_N1_TO_1,
                .in_type = EDGERT_INT8,
                .out_type = EDGERT_INT8,
                .ndim = 4,
                .in_scale = scale,
                .out_scale = scale,
                .in_zp = zp,
                .out_zp = zp};
  memcpy(c.dims, k1x2x4x1, sizeof k1x2x4x1);
  CHECK_OK(act_run(&c, in, out, 8));
  for (int i = 0; i < 8; i++)
    CHECK_NEAR(scale * (float)(out[i] - zp), want[i], 2.0 / 256);
}

static void test_elu_float(void) {
  const float in[8] = {0, -6, 2, -4, 3, -2, 10, -0.1f};
  const float want[8] = {0.0f, -0.997521f, 2.0f, -0.981684f, 3.0f, -0.864665f, 10.0f, -0.0951626f};
  float out[8];
  run_float(ER_OP_ELU, in, out);
  check_floats_near(out, want, 8, 1e-5);
}

/* GELU at -1, 0, 1 as ONNX's backend node tests give it (onnx/backend/test/case/node/gelu.py:
 * "expected output [-0.15865526, 0., 0.84134474]", tanh form "[-0.158808, 0., 0.841192]"). */
static void test_gelu_float(void) {
  const float in[3] = {-1.0f, 0.0f, 1.0f};
  const float exact[3] = {-0.15865526f, 0.0f, 0.84134474f};
  const float approx[3] = {-0.158808f, 0.0f, 0.841192f};
  float out[3];
  for (int approximate = 0; approximate <= 1; approximate++) {
    er_gelu_attrs attrs = {.approximate = approximate};
    act_case c = {.op = ER_OP_GELU,
                  .attrs = &attrs,
                  .attrs_size = sizeof attrs,
                  .in_type = EDGERT_FLOAT32,
                  .out_type = EDGERT_FLOAT32,
                  .ndim = 1,
                  .dims = {3}};
    CHECK_OK(act_run(&c, in, out, sizeof out));
    check_floats_near(out, approximate ? approx : exact, 3, 1e-6);
  }
}

/* EluInt8 and the GELU cases: input and output on [-8, 8 * 127/128], so scale 1/16 with zero point 0
 * (int8) or 128 (uint8). Runs `op` on the EluInt8 inputs quantized so and checks every output. */
static void check_8bit_smooth(er_op op, const void *attrs, size_t attrs_size, edgert_dtype type,
                              const int32_t *want) {
  const float x[8] = {0, -6, 2, -4, 3, -2, 6, -0.1f};
  int32_t qmin = type == EDGERT_INT8 ? -128 : 0, qmax = type == EDGERT_INT8 ? 127 : 255;
  float scale;
  int32_t zp, q[8];
  tfl_quant_params(-8.0f, 8.0f * 127.0f / 128.0f, qmin, qmax, &scale, &zp);
  tfl_quantize(x, 8, scale, zp, qmin, qmax, q);
  uint8_t in[8], out[8];
  if (type == EDGERT_INT8)
    to_i8(q, 8, (int8_t *)in);
  else
    to_u8(q, 8, in);
  act_case c = {.op = op,
                .attrs = attrs,
                .attrs_size = attrs_size,
                .in_type = type,
                .out_type = type,
                .ndim = 4,
                .in_scale = scale,
                .out_scale = scale,
                .in_zp = zp,
                .out_zp = zp};
  memcpy(c.dims, k1x2x4x1, sizeof k1x2x4x1);
  CHECK_OK(act_run(&c, in, out, 8));
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(type == EDGERT_INT8 ? ((int8_t *)out)[i] : out[i], want[i]);
}

/* EluInt8: expected {0, -1, 2, -1, 3, -0.875, 6, -0.125} is exactly these multiples of 1/16. */
static void test_elu_int8_exact(void) {
  check_8bit_smooth(ER_OP_ELU, NULL, 0, EDGERT_INT8, (const int32_t[]){0, -16, 32, -16, 48, -14, 96, -2});
}

/* The exact and tanh forms round to the same levels here; both tables are built and checked. */
static void test_gelu_8bit_exact(void) {
  for (int approximate = 0; approximate <= 1; approximate++) {
    er_gelu_attrs attrs = {.approximate = approximate};
    check_8bit_smooth(ER_OP_GELU, &attrs, sizeof attrs, EDGERT_INT8,
                      (const int32_t[]){0, 0, 31, 0, 48, -1, 96, -1});
    check_8bit_smooth(ER_OP_GELU, &attrs, sizeof attrs, EDGERT_UINT8,
                      (const int32_t[]){128, 128, 159, 128, 176, 127, 224, 127});
  }
}

/* RELU on int32, and an int8 input with a float output, are refused at prepare. */
static void test_bad_inputs_refused(void) {
  int32_t in[4] = {0};
  int32_t out[4];
  act_case c = {.op = ER_OP_RELU, .in_type = EDGERT_INT32, .out_type = EDGERT_INT32, .ndim = 1, .dims = {4}};
  CHECK(act_run(&c, in, out, sizeof out) == EDGERT_ERR_UNSUPPORTED);
  act_case mixed = {.op = ER_OP_RELU6,
                    .in_type = EDGERT_INT8,
                    .out_type = EDGERT_FLOAT32,
                    .ndim = 1,
                    .dims = {4},
                    .in_scale = 0.1f};
  CHECK(act_run(&mixed, in, out, sizeof out) != EDGERT_OK);
  act_case no_scale = {
      .op = ER_OP_RELU, .in_type = EDGERT_INT8, .out_type = EDGERT_INT8, .ndim = 1, .dims = {4}};
  CHECK(act_run(&no_scale, in, out, 4) != EDGERT_OK);
  /* ELU has no int16 or uint8 path in TFLite; an 8-bit table needs quantization parameters. */
  act_case elu16 = {.op = ER_OP_ELU,
                    .in_type = EDGERT_INT16,
                    .out_type = EDGERT_INT16,
                    .ndim = 1,
                    .dims = {4},
                    .in_scale = 0.1f,
                    .out_scale = 0.1f};
  CHECK(act_run(&elu16, in, out, 8) == EDGERT_ERR_UNSUPPORTED);
  act_case elu_u8 = {.op = ER_OP_ELU,
                     .in_type = EDGERT_UINT8,
                     .out_type = EDGERT_UINT8,
                     .ndim = 1,
                     .dims = {4},
                     .in_scale = 0.1f,
                     .out_scale = 0.1f,
                     .in_zp = 128,
                     .out_zp = 128};
  CHECK(act_run(&elu_u8, in, out, 4) == EDGERT_ERR_UNSUPPORTED);
  act_case gelu_no_scale = {
      .op = ER_OP_GELU, .in_type = EDGERT_INT8, .out_type = EDGERT_INT8, .ndim = 1, .dims = {4}};
  CHECK(act_run(&gelu_no_scale, in, out, 4) != EDGERT_OK);
}

/* ELU with an ONNX alpha: the ONNX 1.12 node test test_elu_example (alpha 2: {-1, 0, 1} -> {-1.2642411, 0,
 * 1}). */
static void test_elu_alpha_float(void) {
  er_unary_params_attrs alpha = {.alpha = 2.0f};
  const float x[] = {-1, 0, 1}, want[] = {-1.2642411f, 0, 1};
  float out[3];
  CHECK_OK(bt_run(ER_OP_ELU, &alpha, sizeof alpha, 1, (bt_tensor[]){{.dtype = EDGERT_FLOAT32, BT_SHAPE(3)}},
                  (const void *[]){x}, (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 3; i++)
    CHECK_NEAR(out[i], want[i], 1e-6);
}

/* float64 for ONNX models: the ONNX 1.12 node tests test_relu and test_elu_example (alpha 2). */
static void test_float64_relu_elu(void) {
  act_run_f64(ER_OP_RELU, NULL, 0, (const double[]){-1, 0, 2.5}, 3, (const double[]){0, 0, 2.5});
  er_unary_params_attrs alpha = {.alpha = 2.0f};
  act_run_f64(ER_OP_ELU, &alpha, sizeof alpha, (const double[]){-1, 0, 1}, 3,
              (const double[]){-1.2642411176571153, 0, 1});
}

void run_tests(void) {
  RUN(test_relu_float);
  RUN(test_relu_n1_to_1_float);
  RUN(test_relu_int8_exact);
  RUN(test_relu6_int8_exact);
  RUN(test_relu_uint8_exact);
  RUN(test_relu6_uint8_exact);
  RUN(test_relu_n1_to_1_int8);
  RUN(test_elu_float);
  RUN(test_gelu_float);
  RUN(test_elu_int8_exact);
  RUN(test_gelu_8bit_exact);
  RUN(test_bad_inputs_refused);
  RUN(test_elu_alpha_float);
  RUN(test_float64_relu_elu);
}
