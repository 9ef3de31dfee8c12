/* FULLY_CONNECTED kernel tests. Vectors come from tensorflow/lite/micro/kernels/fully_connected_test.cc:
 * SimpleTest, SimpleTestNullBias, SimpleTest4DInput, SimpleTestQuantizedInt8 (input scale 1 zero point -1,
 * weights scale 1, output scale 0.5 zero point -1), SimpleTestQuantizedInt8Relu (output zero point -128),
 * SimpleTestQuantizedInt8NullBias and SimpleTestQuantizedInt16 (scales 128/65536, int64 bias). Those
 * scales make every value exact, so the expected integers are the float goldens quantized, compared
 * exactly. The per-channel case uses the same data with weight scales {1, 0.5, 0.25}.
 * The uint8 tests port tensorflow/lite/kernels/fully_connected_test.cc: SimpleTestQuantizedUint8,
 * SimpleTestQuantizedUint8NoBias (ReLU) and SimpleTestQuantizedOutputMultiplierGreaterThan1Uint8, whose
 * quantized outputs are given there and compared exactly; and SimpleTestQuantizedInt16OutputCase (uint8
 * in, int16 out), whose data there comes from std::mt19937 (not reproducible in C), so here the same
 * construction runs on deterministic quantized values and is checked, as there, against the float
 * computation within 3e-4. */
#include <math.h>

#include "conv_test.h"

static const float k_input[20] = {1, 2, 3, 4, 5, 6, 7, 8, -9, -10, 1, 2, 3, 4, 5, 6, 7, -8, 9, -10};
static const float k_weights[30] = {1, 2, 3, 4, 5,  6, 7, 8, 9, 10, 1, 2, 3, 4, 5,
                                    6, 7, 8, 9, 10, 1, 2, 3, 4, 5,  6, 7, 8, 9, 10};
static const float k_bias[3] = {1, 2, 3};
static const float k_golden[6] = {24, 25, 26, 58, 59, 60};
static const float k_golden_null_bias[6] = {23, 23, 23, 57, 57, 57};

static const float k_relu_weights[30] = {1,  2,  3,  4,  5,   6, 7, 8, 9, 10, -1, -2, -3, -4, -5,
                                         -6, -7, -8, -9, -10, 1, 2, 3, 4, 5,  6,  7,  8,  9,  10};
static const float k_relu_bias[3] = {1, -2, 3};
static const float k_relu_golden[6] = {24, 0, 26, 58, 0, 60};

static void run_float(int in_ndim, const int64_t *in_dims, bool keep_num_dims, const float *bias,
                      const float *want, int out_ndim, const int64_t *out_dims) {
  er_fc_attrs a = {.activation = ER_ACT_NONE, .keep_num_dims = keep_num_dims};
  ct_tensor in[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = in_ndim},
      {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {3, 10}, .data = k_weights},
      {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {3}, .data = bias, .absent = bias == NULL},
  };
  memcpy(in[0].dims, in_dims, sizeof(int64_t) * (size_t)in_ndim);
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  float got[6];
  edgert_tensor_info info;
  CHECK_OK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, in, (const void *[]){k_input}, &out, got,
                  sizeof got, &info, false));
  ct_expect_dims(&info, out_ndim, out_dims);
  ct_expect_f32(got, want, 6, 1e-4);
}

static void fc_float_simple(void) {
  run_float(2, (int64_t[]){2, 10}, false, k_bias, k_golden, 2, (int64_t[]){2, 3});
}

static void fc_float_null_bias(void) {
  run_float(2, (int64_t[]){2, 10}, false, NULL, k_golden_null_bias, 2, (int64_t[]){2, 3});
}

static void fc_float_4d_input(void) {
  run_float(4, (int64_t[]){1, 1, 2, 10}, false, k_bias, k_golden, 2, (int64_t[]){2, 3});
}

static void fc_float_keep_num_dims(void) {
  run_float(3, (int64_t[]){1, 2, 10}, true, k_bias, k_golden, 3, (int64_t[]){1, 2, 3});
}

static void fc_float_relu(void) {
  er_fc_attrs a = {.activation = ER_ACT_RELU, .keep_num_dims = false};
  ct_tensor in[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {2, 10}},
      {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {3, 10}, .data = k_relu_weights},
      {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {3}, .data = k_relu_bias},
  };
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  float got[6];
  CHECK_OK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, in, (const void *[]){k_input}, &out, got,
                  sizeof got, NULL, false));
  ct_expect_f32(got, k_relu_golden, 6, 1e-4);
}

/* int8 with input scale 1 zero point -1, weights scale(s) `scales`, output scale 0.5 zero point out_zp. */
static void run_int8(er_activation act, const float *weights_f, const float *bias_f, int channels,
                     const float *scales, int32_t out_zp, const float *golden) {
  int8_t input[20], weights[30], want[6];
  int32_t bias[3];
  for (int i = 0; i < 20; i++)
    input[i] = (int8_t)(k_input[i] - 1);
  for (int i = 0; i < 30; i++)
    weights[i] = (int8_t)(weights_f[i] / (channels ? scales[i / 10] : 1.0f));
  for (int c = 0; c < 3; c++)
    bias[c] = bias_f ? (int32_t)(bias_f[c] / (channels ? scales[c] : 1.0f)) : 0;
  for (int i = 0; i < 6; i++)
    want[i] = (int8_t)(golden[i] * 2 + (float)out_zp);
  er_fc_attrs a = {.activation = act, .keep_num_dims = false};
  ct_tensor in[3] = {
      {.dtype = EDGERT_INT8, .ndim = 2, .dims = {2, 10}, .scale = 1.0f, .zero_point = -1},
      {.dtype = EDGERT_INT8,
       .ndim = 2,
       .dims = {3, 10},
       .data = weights,
       .scale = channels ? 0.0f : 1.0f,
       .channels = channels,
       .axis = 0,
       .scales = scales},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {3}, .data = bias, .absent = bias_f == NULL},
  };
  ct_tensor out = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 0.5f, .zero_point = out_zp};
  int8_t got[6];
  CHECK_OK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, in, (const void *[]){input}, &out, got, sizeof got,
                  NULL, false));
  ct_expect_i8(got, want, 6);
}

static void fc_int8_per_tensor(void) { run_int8(ER_ACT_NONE, k_weights, k_bias, 0, NULL, -1, k_golden); }

static void fc_int8_null_bias(void) {
  run_int8(ER_ACT_NONE, k_weights, NULL, 0, NULL, -1, k_golden_null_bias);
}

static void fc_int8_relu(void) {
  run_int8(ER_ACT_RELU, k_relu_weights, k_relu_bias, 0, NULL, -128, k_relu_golden);
}

static void fc_int8_per_channel(void) {
  static const float scales[3] = {1, 0.5f, 0.25f};
  run_int8(ER_ACT_NONE, k_weights, k_bias, 3, scales, -1, k_golden);
}

/* SimpleTestQuantizedInt16: input and output scale 128/65536, weights scale 1, int64 bias. */
static void fc_int16x8(void) {
  const float scale = 128.0f / 65536.0f;
  int16_t input[20], want[6];
  int8_t weights[30];
  int64_t bias[3];
  for (int i = 0; i < 20; i++)
    input[i] = (int16_t)(k_input[i] / scale);
  for (int i = 0; i < 30; i++)
    weights[i] = (int8_t)k_weights[i];
  for (int c = 0; c < 3; c++)
    bias[c] = (int64_t)(k_bias[c] / scale);
  for (int i = 0; i < 6; i++)
    want[i] = (int16_t)(k_golden[i] / scale);
  er_fc_attrs a = {.activation = ER_ACT_NONE, .keep_num_dims = false};
  ct_tensor in[3] = {
      {.dtype = EDGERT_INT16, .ndim = 2, .dims = {2, 10}, .scale = scale},
      {.dtype = EDGERT_INT8, .ndim = 2, .dims = {3, 10}, .data = weights, .scale = 1.0f},
      {.dtype = EDGERT_INT64, .ndim = 1, .dims = {3}, .data = bias},
  };
  ct_tensor out = {.dtype = EDGERT_INT16, .ndim = -1, .scale = scale};
  int16_t got[6];
  CHECK_OK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, in, (const void *[]){input}, &out, got, sizeof got,
                  NULL, false));
  ct_expect_i16(got, want, 6);
}

/* uint8 as QuantizedFullyConnectedOpModel builds it: weights on the input's range, bias at input x weight
 * scale, units 3, batches 2. */
static void run_uint8(er_activation act, u8_range in_r, u8_range out_r, bool with_bias, const uint8_t *want) {
  uint8_t input[20], weights[30], got[6];
  int32_t bias[3];
  quantize_u8(k_input, 20, in_r, input);
  quantize_u8(k_weights, 30, in_r, weights);
  quantize_bias(k_bias, 3, in_r.scale * in_r.scale, bias);
  er_fc_attrs a = {.activation = act, .keep_num_dims = false};
  ct_tensor in[3] = {
      {.dtype = EDGERT_UINT8, .ndim = 2, .dims = {2, 10}, .scale = in_r.scale, .zero_point = in_r.zp},
      {.dtype = EDGERT_UINT8,
       .ndim = 2,
       .dims = {3, 10},
       .data = weights,
       .scale = in_r.scale,
       .zero_point = in_r.zp},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {3}, .data = bias, .absent = !with_bias},
  };
  ct_tensor out = {.dtype = EDGERT_UINT8, .ndim = -1, .scale = out_r.scale, .zero_point = out_r.zp};
  CHECK_OK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, in, (const void *[]){input}, &out, got, sizeof got,
                  NULL, false));
  expect_u8(got, want, 6);
}

static void fc_uint8(void) {
  static const uint8_t want[6] = {151, 152, 153, 185, 186, 187};
  run_uint8(ER_ACT_NONE, u8_of(-63.5f, 64), u8_of(-127, 128), true, want);
}

static void fc_uint8_no_bias_relu(void) {
  static const uint8_t want[6] = {150, 150, 150, 184, 184, 184};
  run_uint8(ER_ACT_RELU, u8_of(-63.5f, 64), u8_of(-127, 128), false, want);
}

/* real multiplier 2: a left shift in the requantization */
static void fc_uint8_multiplier_above_one(void) {
  static const uint8_t want[6] = {175, 177, 179, 243, 245, 247};
  run_uint8(ER_ACT_NONE, u8_of(-127, 128), u8_of(-63.5f, 64), true, want);
}

/* SimpleTestQuantizedInt16OutputCase: input and weights at scale 1/128 zero point 128, output int16 at
 * 8/32768 (range [-8, 8)), bias in [-1, 1]; input depth 10, 3 units, 2 batches. */
static void fc_uint8_to_int16(void) {
  enum { depth = 10, units = 3, batches = 2 };
  const float in_scale = 1.0f / 128.0f, out_scale = 8.0f / 32768.0f;
  uint8_t input[batches * depth], weights[units * depth];
  float input_f[batches * depth], weights_f[units * depth];
  const float bias_f[units] = {0.75f, -0.3f, 0.01f};
  int32_t bias[units];
  uint32_t lcg = 12345u;
  for (int i = 0; i < units * depth; i++) {
    lcg = lcg * 1103515245u + 12345u;
    weights[i] = (uint8_t)(lcg >> 24);
    weights_f[i] = (float)(weights[i] - 128) * in_scale;
  }
  for (int i = 0; i < batches * depth; i++) {
    lcg = lcg * 1103515245u + 12345u;
    input[i] = (uint8_t)(lcg >> 24);
    input_f[i] = (float)(input[i] - 128) * in_scale;
  }
  quantize_bias(bias_f, units, in_scale * in_scale, bias);
  er_fc_attrs a = {.activation = ER_ACT_NONE, .keep_num_dims = false};
  ct_tensor in[3] = {
      {.dtype = EDGERT_UINT8, .ndim = 2, .dims = {batches, depth}, .scale = in_scale, .zero_point = 128},
      {.dtype = EDGERT_UINT8,
       .ndim = 2,
       .dims = {units, depth},
       .data = weights,
       .scale = in_scale,
       .zero_point = 128},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {units}, .data = bias},
  };
  ct_tensor out = {.dtype = EDGERT_INT16, .ndim = -1, .scale = out_scale};
  int16_t got[batches * units];
  CHECK_OK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, in, (const void *[]){input}, &out, got, sizeof got,
                  NULL, false));
  for (int b = 0; b < batches; b++) {
    for (int u = 0; u < units; u++) {
      float accum = bias_f[u];
      for (int k = 0; k < depth; k++)
        accum += input_f[b * depth + k] * weights_f[u * depth + k];
      accum = accum < -8.0f ? -8.0f : (accum > 32767 * out_scale ? 32767 * out_scale : accum);
      CHECK_NEAR(out_scale * (float)got[b * units + u], accum, 3e-4);
    }
  }
}

/* uint8 weights need a uint8 input; uint8 inputs need a uint8 or int16 output, and an int16 output of
 * zero point 0. */
static void fc_uint8_rejects_bad_inputs(void) {
  er_fc_attrs a = {.activation = ER_ACT_NONE, .keep_num_dims = false};
  static const uint8_t input[20] = {0}, weights[30] = {0};
  ct_tensor in[3] = {
      {.dtype = EDGERT_UINT8, .ndim = 2, .dims = {2, 10}, .scale = 0.5f, .zero_point = 127},
      {.dtype = EDGERT_UINT8, .ndim = 2, .dims = {3, 10}, .data = weights, .scale = 0.5f, .zero_point = 127},
      {.absent = true},
  };
  ct_tensor out8 = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f};
  CHECK(ct_refused(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, in, (const void *[]){input}, &out8) ==
        EDGERT_ERR_UNSUPPORTED);
  ct_tensor out16 = {.dtype = EDGERT_INT16, .ndim = -1, .scale = 1.0f, .zero_point = 5};
  CHECK(ct_refused(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, in, (const void *[]){input}, &out16) ==
        EDGERT_ERR_UNSUPPORTED);
  static const int8_t input8[20] = {0};
  ct_tensor mixed[3] = {
      {.dtype = EDGERT_INT8, .ndim = 2, .dims = {2, 10}, .scale = 0.5f},
      {.dtype = EDGERT_UINT8, .ndim = 2, .dims = {3, 10}, .data = weights, .scale = 0.5f, .zero_point = 127},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, mixed, (const void *[]){input8}, &out8) ==
        EDGERT_ERR_UNSUPPORTED);
}

static void fc_rejects_bad_inputs(void) {
  er_fc_attrs a = {.activation = ER_ACT_NONE, .keep_num_dims = false};
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  /* 19 input elements do not split into rows of 10 */
  ct_tensor ragged[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {19}},
      {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {3, 10}, .data = k_weights},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, ragged, (const void *[]){k_input}, &out) !=
        EDGERT_OK);
  /* 3-D weights */
  ct_tensor weights3d[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {2, 10}},
      {.dtype = EDGERT_FLOAT32, .ndim = 3, .dims = {3, 2, 5}, .data = k_weights},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, weights3d, (const void *[]){k_input}, &out) !=
        EDGERT_OK);
  /* int8 input with int32 bias but float weights */
  static const int8_t input8[20] = {0};
  ct_tensor mixed[3] = {
      {.dtype = EDGERT_INT8, .ndim = 2, .dims = {2, 10}, .scale = 1.0f},
      {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {3, 10}, .data = k_weights},
      {.absent = true},
  };
  ct_tensor out8 = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f};
  CHECK(ct_refused(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, mixed, (const void *[]){input8}, &out8) !=
        EDGERT_OK);
  /* int16 activations need a zero point of 0 */
  static const int16_t input16[20] = {0};
  static const int8_t weights8[30] = {0};
  ct_tensor zp16[3] = {
      {.dtype = EDGERT_INT16, .ndim = 2, .dims = {2, 10}, .scale = 1.0f, .zero_point = 3},
      {.dtype = EDGERT_INT8, .ndim = 2, .dims = {3, 10}, .data = weights8, .scale = 1.0f},
      {.absent = true},
  };
  ct_tensor out16 = {.dtype = EDGERT_INT16, .ndim = -1, .scale = 1.0f};
  CHECK(ct_refused(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, zp16, (const void *[]){input16}, &out16) !=
        EDGERT_OK);
}

/* Hybrid (float input, int8 weights): tensorflow/lite/kernels/fully_connected_test.cc
 * HybridFullyConnectedOpTest.SimpleTestQuantizedInt8: the SimpleTest weights quantized with scale 10/127
 * (SetSignedWeights rounds w / scale), bias {1, 2, 3}, the float goldens within 1.3. Run with symmetric and
 * asymmetric input quantization. The per-channel case scales unit u's weights by m = {1, 0.5, 2} and its
 * scale with them (the same int8 values), so the goldens become (golden - bias) * m + bias, within 1.3 * 2.
 */
static void run_hybrid(bool asymmetric, const float *channel_scales, const float *want, double tolerance) {
  int8_t w[30];
  for (int i = 0; i < 30; i++)
    w[i] = (int8_t)lroundf(k_weights[i] / (10.0f / 127.0f));
  er_fc_attrs a = {.activation = ER_ACT_NONE, .asymmetric_quantize_inputs = asymmetric};
  ct_tensor in[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {2, 10}},
      {.dtype = EDGERT_INT8,
       .ndim = 2,
       .dims = {3, 10},
       .data = w,
       .scale = channel_scales ? 0 : 10.0f / 127.0f,
       .channels = channel_scales ? 3 : 0,
       .axis = 0,
       .scales = channel_scales},
      {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {3}, .data = k_bias},
  };
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  float got[6];
  CHECK_OK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, in, (const void *[]){k_input}, &out, got,
                  sizeof got, NULL, false));
  ct_expect_f32(got, want, 6, tolerance);
}

static void fc_hybrid_symmetric(void) { run_hybrid(false, NULL, k_golden, 1.3); }

static void fc_hybrid_asymmetric(void) { run_hybrid(true, NULL, k_golden, 1.3); }

static void fc_hybrid_per_channel(void) {
  static const float scales[3] = {10.0f / 127.0f, 5.0f / 127.0f, 20.0f / 127.0f};
  static const float want[6] = {24, 13.5f, 49, 58, 30.5f, 117};
  run_hybrid(false, scales, want, 2.6);
  run_hybrid(true, scales, want, 2.6);
}

/* A hybrid FC wants float32 bias and output: an int32 bias or an int8 output is refused, not run. */
static void fc_hybrid_rejects_bad_inputs(void) {
  static const int8_t w[30] = {1};
  static const int32_t ibias[3] = {1, 2, 3};
  er_fc_attrs a = {.activation = ER_ACT_NONE};
  ct_tensor int_bias[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {2, 10}},
      {.dtype = EDGERT_INT8, .ndim = 2, .dims = {3, 10}, .data = w, .scale = 0.1f},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {3}, .data = ibias, .scale = 0.1f},
  };
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  CHECK(ct_refused(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, int_bias, (const void *[]){k_input}, &out) !=
        EDGERT_OK);
  ct_tensor no_scale[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {2, 10}},
      {.dtype = EDGERT_INT8, .ndim = 2, .dims = {3, 10}, .data = w},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, no_scale, (const void *[]){k_input}, &out) !=
        EDGERT_OK);
  ct_tensor out8 = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f};
  CHECK(ct_refused(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, no_scale, (const void *[]){k_input}, &out8) !=
        EDGERT_OK);
}

void run_tests(void) {
  RUN(fc_hybrid_symmetric);
  RUN(fc_hybrid_asymmetric);
  RUN(fc_hybrid_per_channel);
  RUN(fc_hybrid_rejects_bad_inputs);
  RUN(fc_float_simple);
  RUN(fc_float_null_bias);
  RUN(fc_float_4d_input);
  RUN(fc_float_keep_num_dims);
  RUN(fc_float_relu);
  RUN(fc_int8_per_tensor);
  RUN(fc_int8_null_bias);
  RUN(fc_int8_relu);
  RUN(fc_int8_per_channel);
  RUN(fc_int16x8);
  RUN(fc_uint8);
  RUN(fc_uint8_no_bias_relu);
  RUN(fc_uint8_multiplier_above_one);
  RUN(fc_uint8_to_int16);
  RUN(fc_uint8_rejects_bad_inputs);
  RUN(fc_rejects_bad_inputs);
}
