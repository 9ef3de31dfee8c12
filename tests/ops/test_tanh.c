/* TANH against tensorflow/lite/kernels/activations_test.cc: Tanh float; TanhInt8 and TanhUint8 (89 inputs
 * on [-8, 8], output on [-1, 127/128], within 0.014); TanhInt16 (input scale 2^-12, output 2^-15, within
 * 2/4096); TanhInt16General (input range +-11, a scale that is not a power of two). The goldens there are
 * tanh(x) to 10 digits; here they come from libm's tanh in double. */
#include "activation_test.h"
#include "binary_test.h"
#include "uint8_test.h"

static void test_float(void) {
  const float in[8] = {0, -6, 2, 4, 3, -2, 10, 1};
  const float want[8] = {0.0f,        -0.9999877f, 0.9640275f, 0.999329f,
                         0.99505475f, -0.9640275f, 1.0f,       0.7615941f};
  float out[8];
  act_case c = {.op = ER_OP_TANH,
                .in_type = EDGERT_FLOAT32,
                .out_type = EDGERT_FLOAT32,
                .ndim = 4,
                .dims = {1, 2, 4, 1}};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  check_floats_near(out, want, 8, 1e-5);
}

static void test_int8(void) {
  float x[89], in_scale, out_scale;
  int32_t in_zp, out_zp, q[89];
  int8_t in[89], out[89];
  for (int i = 0; i < 89; i++)
    x[i] = -8.0f + (float)i * 16.0f / 88.0f;
  tfl_quant_params(-8.0f, 8.0f * 127.0f / 128.0f, -128, 127, &in_scale, &in_zp);
  tfl_quant_params(-1.0f, 127.0f / 128.0f, -128, 127, &out_scale, &out_zp);
  tfl_quantize(x, 89, in_scale, in_zp, -128, 127, q);
  to_i8(q, 89, in);
  act_case c = {.op = ER_OP_TANH,
                .in_type = EDGERT_INT8,
                .out_type = EDGERT_INT8,
                .ndim = 1,
                .dims = {89},
                .in_scale = in_scale,
                .out_scale = out_scale,
                .in_zp = in_zp,
                .out_zp = out_zp};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  for (int i = 0; i < 89; i++)
    CHECK_NEAR(out_scale * (float)(out[i] - out_zp), tanh(x[i]), 0.014);
}

static void test_uint8(void) {
  float x[89];
  uint8_t in[89], out[89];
  for (int i = 0; i < 89; i++)
    x[i] = -8.0f + (float)i * 16.0f / 88.0f;
  const u8_range in_r = u8_of(-8.0f, 8.0f * 127.0f / 128.0f), out_r = u8_of(-1.0f, 127.0f / 128.0f);
  quantize_u8(x, 89, in_r, in);
  act_case c = {.op = ER_OP_TANH,
                .in_type = EDGERT_UINT8,
                .out_type = EDGERT_UINT8,
                .ndim = 1,
                .dims = {89},
                .in_scale = in_r.scale,
                .out_scale = out_r.scale,
                .in_zp = in_r.zp,
                .out_zp = out_r.zp};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  for (int i = 0; i < 89; i++)
    CHECK_NEAR(dequantize_u8(out[i], out_r), tanh(x[i]), 0.014);
}

static void run_int16(const float *x, int n, float in_min, float in_max) {
  float in_scale, out_scale;
  int32_t in_zp, out_zp, q[89];
  int16_t in[89], out[89];
  tfl_quant_params(in_min, in_max, -32768, 32767, &in_scale, &in_zp);
  tfl_quant_params(-1.0f, 32767.0f / 32768.0f, -32768, 32767, &out_scale, &out_zp);
  tfl_quantize(x, n, in_scale, in_zp, -32768, 32767, q);
  to_i16(q, n, in);
  act_case c = {.op = ER_OP_TANH,
                .in_type = EDGERT_INT16,
                .out_type = EDGERT_INT16,
                .ndim = 1,
                .dims = {n},
                .in_scale = in_scale,
                .out_scale = out_scale,
                .in_zp = in_zp,
                .out_zp = out_zp};
  CHECK_OK(act_run(&c, in, out, (size_t)n * 2));
  for (int i = 0; i < n; i++)
    CHECK_NEAR(out_scale * (float)(out[i] - out_zp), tanh(x[i]), 2.0 / 4096);
}

static void test_int16(void) {
  float x[89];
  for (int i = 0; i < 89; i++)
    x[i] = -8.0f + (float)i * 16.0f / 88.0f;
  run_int16(x, 89, -8.0f, 8.0f * 32767.0f / 32768.0f);
}

static void test_int16_general_scale(void) {
  const float x[6] = {-10.0f, -4.0f, 0.0f, 6.0f, 7.0909090909f, 8.0f};
  run_int16(x, 6, -11.0f, 11.0f * 32767.0f / 32768.0f);
}

/* int16 with a non-zero zero point, and an int32 input, are refused. */
static void test_bad_inputs_refused(void) {
  int16_t in[4] = {0}, out[4];
  act_case c = {.op = ER_OP_TANH,
                .in_type = EDGERT_INT16,
                .out_type = EDGERT_INT16,
                .ndim = 1,
                .dims = {4},
                .in_scale = 1.0f / 4096.0f,
                .in_zp = 3,
                .out_scale = 1.0f / 32768.0f};
  CHECK(act_run(&c, in, out, sizeof out) == EDGERT_ERR_UNSUPPORTED);
  /* uint8's fixed-point path writes scale 1/128 around 128, so another output quantization is refused */
  uint8_t inu[4] = {0}, outu[4];
  act_case cu = {.op = ER_OP_TANH,
                 .in_type = EDGERT_UINT8,
                 .out_type = EDGERT_UINT8,
                 .ndim = 1,
                 .dims = {4},
                 .in_scale = 0.1f,
                 .in_zp = 128,
                 .out_scale = 1.0f / 256.0f,
                 .out_zp = 128};
  CHECK(act_run(&cu, inu, outu, sizeof outu) == EDGERT_ERR_UNSUPPORTED);
  int32_t in32[4] = {0}, out32[4];
  act_case c32 = {
      .op = ER_OP_TANH, .in_type = EDGERT_INT32, .out_type = EDGERT_INT32, .ndim = 1, .dims = {4}};
  CHECK(act_run(&c32, in32, out32, sizeof out32) == EDGERT_ERR_UNSUPPORTED);
}

/* float64 for ONNX models: the ONNX 1.12 node test test_tanh_example ({-1, 0, 1}). */
static void test_float64_tanh(void) {
  act_run_f64(ER_OP_TANH, NULL, 0, (const double[]){-1, 0, 1}, 3,
              (const double[]){-0.7615941559557649, 0, 0.7615941559557649});
}

void run_tests(void) {
  RUN(test_float);
  RUN(test_int8);
  RUN(test_uint8);
  RUN(test_int16);
  RUN(test_int16_general_scale);
  RUN(test_bad_inputs_refused);
  RUN(test_float64_tanh);
}
