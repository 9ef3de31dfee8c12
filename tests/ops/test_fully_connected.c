/* FULLY_CONNECTED kernel tests. Vectors come from tensorflow/lite/micro/kernels/fully_connected_test.cc:
 * SimpleTest, SimpleTestNullBias, SimpleTest4DInput, SimpleTestQuantizedInt8 (input scale 1 zero point -1,
 * weights scale 1, output scale 0.5 zero point -1), SimpleTestQuantizedInt8Relu (output zero point -128),
 * SimpleTestQuantizedInt8NullBias and SimpleTestQuantizedInt16 (scales 128/65536, int64 bias). Those
 * scales make every value exact, so the expected integers are the float goldens quantized, compared
 * exactly. The per-channel case uses the same data with weight scales {1, 0.5, 0.25}. */
#include "conv_test.h"

#include "core/attrs.h"

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
  er_fc_attrs a = {ER_ACT_NONE, keep_num_dims};
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
  er_fc_attrs a = {ER_ACT_RELU, false};
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
  er_fc_attrs a = {act, false};
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
  er_fc_attrs a = {ER_ACT_NONE, false};
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

static void fc_rejects_bad_inputs(void) {
  er_fc_attrs a = {ER_ACT_NONE, false};
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  float got[6];
  /* 19 input elements do not split into rows of 10 */
  ct_tensor ragged[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {19}},
      {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {3, 10}, .data = k_weights},
      {.absent = true},
  };
  CHECK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, ragged, (const void *[]){k_input}, &out, got,
               sizeof got, NULL, true) != EDGERT_OK);
  /* 3-D weights */
  ct_tensor weights3d[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {2, 10}},
      {.dtype = EDGERT_FLOAT32, .ndim = 3, .dims = {3, 2, 5}, .data = k_weights},
      {.absent = true},
  };
  CHECK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, weights3d, (const void *[]){k_input}, &out, got,
               sizeof got, NULL, true) != EDGERT_OK);
  /* int8 input with int32 bias but float weights */
  static const int8_t input8[20] = {0};
  ct_tensor mixed[3] = {
      {.dtype = EDGERT_INT8, .ndim = 2, .dims = {2, 10}, .scale = 1.0f},
      {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {3, 10}, .data = k_weights},
      {.absent = true},
  };
  ct_tensor out8 = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f};
  int8_t got8[6];
  CHECK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, mixed, (const void *[]){input8}, &out8, got8,
               sizeof got8, NULL, true) != EDGERT_OK);
  /* int16 activations need a zero point of 0 */
  static const int16_t input16[20] = {0};
  static const int8_t weights8[30] = {0};
  ct_tensor zp16[3] = {
      {.dtype = EDGERT_INT16, .ndim = 2, .dims = {2, 10}, .scale = 1.0f, .zero_point = 3},
      {.dtype = EDGERT_INT8, .ndim = 2, .dims = {3, 10}, .data = weights8, .scale = 1.0f},
      {.absent = true},
  };
  ct_tensor out16 = {.dtype = EDGERT_INT16, .ndim = -1, .scale = 1.0f};
  int16_t got16[6];
  CHECK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, zp16, (const void *[]){input16}, &out16, got16,
               sizeof got16, NULL, true) != EDGERT_OK);
}

void run_tests(void) {
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
  RUN(fc_rejects_bad_inputs);
}
