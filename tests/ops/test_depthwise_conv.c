/* DEPTHWISE_CONV_2D kernel tests. Vectors come from tensorflow/lite/kernels/depthwise_conv_test.cc
 * (SimpleTest, ActivationReluTest, ActivationReluN1Test, ActivationRelu6Test, StrideTest, PaddingTest,
 * SimpleDilatedTestPaddingValid, SimpleDilatedTestPaddingSame), all with depth multiplier 2 except the
 * dilation tests. The integer tests run the same data quantized with scales under which every value is
 * exact (input scale 0.5, per-channel weight scales that divide the weights), so the expected integers
 * are TFLite's float goldens and the comparison is exact; the per-channel axis is 3, as TFLite's.
 * The uint8 tests port the same file's QuantizedDepthwiseConvolutionOpModel cases: SimpleTestQuantized
 * (quantized outputs given there, compared exactly), SimpleDilatedTestPaddingValid/Same (scale 1, so the
 * exact dequantized goldens are the integers), and SimpleTestQuantizedOutputMultiplierGreaterThan1
 * (dequantized against float within 1, as there). */
#include <math.h>

#include "conv_test.h"

/* input [1, 3, 2, 2], filter [1, 2, 2, 4] (multiplier 2), bias [4] */
static const float k_input[12] = {1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12};
static const float k_filter[16] = {1, 2, 3, 4, -9, 10, -11, 12, 5, 6, 7, 8, 13, -14, 15, -16};
static const float k_bias[4] = {1, 2, 3, 4};
static const float k_golden[8] = {71, -34, 99, -20, 91, -26, 127, -4};

static er_conv_attrs attrs_of(er_padding padding, int stride, er_activation act, int dilation) {
  er_conv_attrs a = ct_conv_attrs(padding, stride, stride, act);
  a.dilation_w = a.dilation_h = dilation;
  a.depth_multiplier = 2;
  return a;
}

static void run_float(const er_conv_attrs *a, const int64_t in_dims[4], const float *input,
                      const int64_t f_dims[4], const float *filter, const float *bias,
                      const int64_t out_dims[4], const float *want) {
  ct_conv_float(ER_OP_DEPTHWISE_CONV_2D, a, in_dims, input, f_dims, filter, bias, f_dims[3], out_dims, want);
}

static void run_simple_float(er_padding padding, int stride, er_activation act, const int64_t out_dims[4],
                             const float *want) {
  er_conv_attrs a = attrs_of(padding, stride, act, 1);
  run_float(&a, (int64_t[]){1, 3, 2, 2}, k_input, (int64_t[]){1, 2, 2, 4}, k_filter, k_bias, out_dims, want);
}

static void depthwise_float_multiplier_two(void) {
  run_simple_float(ER_PAD_VALID, 1, ER_ACT_NONE, (int64_t[]){1, 2, 1, 4}, k_golden);
}

static void depthwise_float_fused_activations(void) {
  static const float relu[8] = {71, 0, 99, 0, 91, 0, 127, 0};
  static const float relu_n1[8] = {1, -1, 1, -1, 1, -1, 1, -1};
  static const float relu6[8] = {6, 0, 6, 0, 6, 0, 6, 0};
  run_simple_float(ER_PAD_VALID, 1, ER_ACT_RELU, (int64_t[]){1, 2, 1, 4}, relu);
  run_simple_float(ER_PAD_VALID, 1, ER_ACT_RELU_N1_TO_1, (int64_t[]){1, 2, 1, 4}, relu_n1);
  run_simple_float(ER_PAD_VALID, 1, ER_ACT_RELU6, (int64_t[]){1, 2, 1, 4}, relu6);
}

static void depthwise_float_stride_and_same_padding(void) {
  static const float stride[4] = {71, -34, 99, -20};
  static const float same[8] = {71, -34, 99, -20, -93, 122, -111, 172};
  run_simple_float(ER_PAD_VALID, 2, ER_ACT_NONE, (int64_t[]){1, 1, 1, 4}, stride);
  run_simple_float(ER_PAD_SAME, 2, ER_ACT_NONE, (int64_t[]){1, 2, 1, 4}, same);
}

static void depthwise_float_dilation(void) {
  float input[81] = {0};
  for (int y = 3; y < 6; y++)
    for (int x = 3; x < 6; x++)
      input[y * 9 + x] = 1;
  static const float filter9[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  static const float fives[9] = {5, 5, 5, 5, 5, 5, 5, 5, 5};
  er_conv_attrs a = attrs_of(ER_PAD_VALID, 1, ER_ACT_NONE, 3);
  a.depth_multiplier = 1;
  run_float(&a, (int64_t[]){1, 9, 9, 1}, input, (int64_t[]){1, 3, 3, 1}, filter9, NULL,
            (int64_t[]){1, 3, 3, 1}, fives);
  static const float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  static const float filter4[4] = {1, 2, 3, 4};
  static const float same[9] = {4, 7, 3, 6, 10, 4, 2, 3, 1};
  a = attrs_of(ER_PAD_SAME, 1, ER_ACT_NONE, 2);
  a.depth_multiplier = 1;
  run_float(&a, (int64_t[]){1, 3, 3, 1}, ones, (int64_t[]){1, 2, 2, 1}, filter4, NULL,
            (int64_t[]){1, 3, 3, 1}, same);
}

/* SimpleTest in int8: input scale 0.5 zero point -1, per-channel weight scales {1, 2, 1, 4} on axis 3 (all
 * weights of channels 1 and 3 are multiples of them), bias scale 0.5 * weight scale, output scale 1 zero
 * point 2: expected = golden + 2. Also the ReLU form, whose bound is the zero point. */
static void run_int8(er_activation act, const float *golden) {
  static const float scales[4] = {1, 2, 1, 4};
  int8_t input[12], filter[16], want[8];
  int32_t bias[4];
  for (int i = 0; i < 12; i++)
    input[i] = (int8_t)(k_input[i] * 2 - 1);
  for (int i = 0; i < 16; i++)
    filter[i] = (int8_t)(k_filter[i] / scales[i % 4]);
  for (int c = 0; c < 4; c++)
    bias[c] = (int32_t)(k_bias[c] / (0.5f * scales[c]));
  for (int i = 0; i < 8; i++)
    want[i] = (int8_t)(golden[i] + 2 > 127 ? 127 : golden[i] + 2);
  er_conv_attrs a = attrs_of(ER_PAD_VALID, 1, act, 1);
  ct_tensor in[3] = {
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {1, 3, 2, 2}, .scale = 0.5f, .zero_point = -1},
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {1, 2, 2, 4},
       .data = filter,
       .channels = 4,
       .axis = 3,
       .scales = scales},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {4}, .data = bias},
  };
  ct_tensor out = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f, .zero_point = 2};
  int8_t got[8];
  CHECK_OK(ct_run(ER_OP_DEPTHWISE_CONV_2D, &a, sizeof a, 3, in, (const void *[]){input}, &out, got,
                  sizeof got, NULL, false));
  ct_expect_i8(got, want, 8);
}

static void depthwise_int8_per_channel(void) {
  static const float relu[8] = {71, 0, 99, 0, 91, 0, 127, 0};
  run_int8(ER_ACT_NONE, k_golden);
  run_int8(ER_ACT_RELU, relu); /* 127 + 2 saturates at 127 */
}

/* Per-tensor int8 weights with output scale 2: 71 / 2 = 35.5 exercises the rounding of the requantizing
 * multiply (0.5 -> TFLite rounds half away from zero: 36, -17, 50, -10, 46, -13, 64, -2). */
static void depthwise_int8_per_tensor_rounding(void) {
  static const int8_t want[8] = {36, -17, 50, -10, 46, -13, 64, -2};
  int8_t input[12], filter[16];
  int32_t bias[4];
  for (int i = 0; i < 12; i++)
    input[i] = (int8_t)k_input[i];
  for (int i = 0; i < 16; i++)
    filter[i] = (int8_t)k_filter[i];
  for (int c = 0; c < 4; c++)
    bias[c] = (int32_t)k_bias[c];
  er_conv_attrs a = attrs_of(ER_PAD_VALID, 1, ER_ACT_NONE, 1);
  ct_tensor in[3] = {
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {1, 3, 2, 2}, .scale = 1.0f},
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {1, 2, 2, 4}, .data = filter, .scale = 1.0f},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {4}, .data = bias},
  };
  ct_tensor out = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 2.0f};
  int8_t got[8];
  CHECK_OK(ct_run(ER_OP_DEPTHWISE_CONV_2D, &a, sizeof a, 3, in, (const void *[]){input}, &out, got,
                  sizeof got, NULL, false));
  ct_expect_i8(got, want, 8);
}

/* 16x8: int16 input scale 0.5, the same per-channel weights, int64 bias, output scale 0.5. */
static void depthwise_int16x8_per_channel(void) {
  static const float scales[4] = {1, 2, 1, 4};
  int16_t input[12], want[8];
  int8_t filter[16];
  int64_t bias[4];
  for (int i = 0; i < 12; i++)
    input[i] = (int16_t)(k_input[i] * 2);
  for (int i = 0; i < 16; i++)
    filter[i] = (int8_t)(k_filter[i] / scales[i % 4]);
  for (int c = 0; c < 4; c++)
    bias[c] = (int64_t)(k_bias[c] / (0.5f * scales[c]));
  for (int i = 0; i < 8; i++)
    want[i] = (int16_t)(k_golden[i] * 2);
  er_conv_attrs a = attrs_of(ER_PAD_VALID, 1, ER_ACT_NONE, 1);
  ct_tensor in[3] = {
      {.dtype = EDGERT_INT16, .ndim = 4, .dims = {1, 3, 2, 2}, .scale = 0.5f},
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {1, 2, 2, 4},
       .data = filter,
       .channels = 4,
       .axis = 3,
       .scales = scales},
      {.dtype = EDGERT_INT64, .ndim = 1, .dims = {4}, .data = bias},
  };
  ct_tensor out = {.dtype = EDGERT_INT16, .ndim = -1, .scale = 0.5f};
  int16_t got[8];
  CHECK_OK(ct_run(ER_OP_DEPTHWISE_CONV_2D, &a, sizeof a, 3, in, (const void *[]){input}, &out, got,
                  sizeof got, NULL, false));
  ct_expect_i16(got, want, 8);
}

/* A uint8 depthwise conv of float data quantized over the given ranges (bias at input x filter scale). */
static edgert_status run_uint8(const er_conv_attrs *a, const int64_t in_dims[4], u8_range in_r,
                               const float *input_f, const int64_t f_dims[4], u8_range f_r,
                               const float *filter_f, const float *bias_f, u8_range out_r, int n_out,
                               uint8_t *got) {
  return ct_conv_uint8(ER_OP_DEPTHWISE_CONV_2D, a, in_dims, in_r, input_f, f_dims, f_r, filter_f, bias_f,
                       f_dims[3], out_r, n_out, got, NULL);
}

/* SimpleTestQuantized: input and filter on [-63.5, 64], output on [-127, 128]. */
static void depthwise_uint8_simple(void) {
  static const uint8_t want[8] = {198, 93, 226, 107, 218, 101, 254, 123};
  er_conv_attrs a = attrs_of(ER_PAD_VALID, 1, ER_ACT_NONE, 1);
  uint8_t got[8];
  CHECK_OK(run_uint8(&a, (int64_t[]){1, 3, 2, 2}, u8_of(-63.5f, 64), k_input, (int64_t[]){1, 2, 2, 4},
                     u8_of(-63.5f, 64), k_filter, k_bias, u8_of(-127, 128), 8, got));
  expect_u8(got, want, 8);
}

/* SimpleDilatedTestPaddingValid and ...PaddingSame: everything on [0, 255] (scale 1, zero point 0). */
static void depthwise_uint8_dilation(void) {
  float input[81] = {0};
  for (int y = 3; y < 6; y++)
    for (int x = 3; x < 6; x++)
      input[y * 9 + x] = 1;
  static const float filter9[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  static const float bias[1] = {0};
  static const uint8_t fives[9] = {5, 5, 5, 5, 5, 5, 5, 5, 5};
  er_conv_attrs a = attrs_of(ER_PAD_VALID, 1, ER_ACT_NONE, 3);
  a.depth_multiplier = 1;
  uint8_t got[9];
  CHECK_OK(run_uint8(&a, (int64_t[]){1, 9, 9, 1}, u8_of(0, 255), input, (int64_t[]){1, 3, 3, 1},
                     u8_of(0, 255), filter9, bias, u8_of(0, 255), 9, got));
  expect_u8(got, fives, 9);
  static const float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  static const float filter4[4] = {1, 2, 3, 4};
  static const uint8_t same[9] = {4, 7, 3, 6, 10, 4, 2, 3, 1};
  a = attrs_of(ER_PAD_SAME, 1, ER_ACT_NONE, 2);
  a.depth_multiplier = 1;
  CHECK_OK(run_uint8(&a, (int64_t[]){1, 3, 3, 1}, u8_of(0, 255), ones, (int64_t[]){1, 2, 2, 1}, u8_of(0, 255),
                     filter4, bias, u8_of(0, 255), 9, got));
  expect_u8(got, same, 9);
}

/* SimpleTestQuantizedOutputMultiplierGreaterThan1: input and filter on [-128.5, 128]. */
static void depthwise_uint8_multiplier_above_one(void) {
  er_conv_attrs a = attrs_of(ER_PAD_VALID, 1, ER_ACT_NONE, 1);
  u8_range out_r = u8_of(-127, 128);
  uint8_t got[8];
  CHECK_OK(run_uint8(&a, (int64_t[]){1, 3, 2, 2}, u8_of(-128.5f, 128), k_input, (int64_t[]){1, 2, 2, 4},
                     u8_of(-128.5f, 128), k_filter, k_bias, out_r, 8, got));
  for (int i = 0; i < 8; i++)
    CHECK_NEAR(dequantize_u8(got[i], out_r), k_golden[i], 1.0);
}

/* uint8 input with a per-channel uint8 filter is refused. */
static void depthwise_uint8_rejects_per_channel(void) {
  static const uint8_t input[12] = {0}, filter[16] = {0};
  static const float scales[4] = {1, 1, 1, 1};
  er_conv_attrs a = attrs_of(ER_PAD_VALID, 1, ER_ACT_NONE, 1);
  ct_tensor in[3] = {
      {.dtype = EDGERT_UINT8, .ndim = 4, .dims = {1, 3, 2, 2}, .scale = 0.5f, .zero_point = 127},
      {.dtype = EDGERT_UINT8,
       .ndim = 4,
       .dims = {1, 2, 2, 4},
       .data = filter,
       .channels = 4,
       .axis = 3,
       .scales = scales},
      {.absent = true},
  };
  ct_tensor out = {.dtype = EDGERT_UINT8, .ndim = -1, .scale = 1.0f, .zero_point = 127};
  CHECK(ct_refused(ER_OP_DEPTHWISE_CONV_2D, &a, sizeof a, 3, in, (const void *[]){input}, &out) ==
        EDGERT_ERR_UNSUPPORTED);
}

static void depthwise_rejects_bad_inputs(void) {
  er_conv_attrs a = attrs_of(ER_PAD_VALID, 1, ER_ACT_NONE, 1);
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  /* filter channels (3) not a multiple of input channels (2) */
  ct_tensor channels[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 3, 2, 2}},
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 2, 2, 3}, .data = k_filter},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_DEPTHWISE_CONV_2D, &a, sizeof a, 3, channels, (const void *[]){k_input}, &out) !=
        EDGERT_OK);
  /* filter dim 0 must be 1 */
  ct_tensor dim0[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 3, 2, 2}},
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {2, 2, 1, 4}, .data = k_filter},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_DEPTHWISE_CONV_2D, &a, sizeof a, 3, dim0, (const void *[]){k_input}, &out) !=
        EDGERT_OK);
  /* int8 input with float weights */
  static const int8_t input8[12] = {0};
  ct_tensor mixed[3] = {
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {1, 3, 2, 2}, .scale = 1.0f},
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 2, 2, 4}, .data = k_filter},
      {.absent = true},
  };
  ct_tensor out8 = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f};
  CHECK(ct_refused(ER_OP_DEPTHWISE_CONV_2D, &a, sizeof a, 3, mixed, (const void *[]){input8}, &out8) !=
        EDGERT_OK);
  /* filter larger than the input with VALID padding */
  ct_tensor big[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 1, 1, 4}},
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 2, 2, 4}, .data = k_filter},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_DEPTHWISE_CONV_2D, &a, sizeof a, 3, big, (const void *[]){k_input}, &out) !=
        EDGERT_OK);
}

/* Hybrid (float input, int8 filter, TFLite's per-channel kernel with asymmetric input): the SimpleTest
 * data above with each output channel's filter quantized symmetrically by its own maximum (13, 14, 15,
 * 16)/127, as tensorflow/lite/kernels/depthwise_conv_hybrid_test.cc's model quantizes its per-channel
 * filters; the float goldens within 1 (the int8 rounding of weights and input bounds the error). */
static void depthwise_hybrid_per_channel(void) {
  static const float maxima[4] = {13, 14, 15, 16};
  float scales[4];
  int8_t filter[16];
  for (int c = 0; c < 4; c++)
    scales[c] = maxima[c] / 127.0f;
  for (int i = 0; i < 16; i++)
    filter[i] = (int8_t)lroundf(k_filter[i] / scales[i % 4]);
  er_conv_attrs a = attrs_of(ER_PAD_VALID, 1, ER_ACT_NONE, 1);
  a.depth_multiplier = 2;
  ct_tensor in[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 3, 2, 2}},
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {1, 2, 2, 4},
       .data = filter,
       .channels = 4,
       .axis = 3,
       .scales = scales},
      {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {4}, .data = k_bias},
  };
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  float got[8];
  edgert_tensor_info info;
  CHECK_OK(ct_run(ER_OP_DEPTHWISE_CONV_2D, &a, sizeof a, 3, in, (const void *[]){k_input}, &out, got,
                  sizeof got, &info, false));
  ct_expect_dims(&info, 4, (int64_t[]){1, 2, 1, 4});
  ct_expect_f32(got, k_golden, 8, 1.0);
}

void run_tests(void) {
  RUN(depthwise_hybrid_per_channel);
  RUN(depthwise_float_multiplier_two);
  RUN(depthwise_float_fused_activations);
  RUN(depthwise_float_stride_and_same_padding);
  RUN(depthwise_float_dilation);
  RUN(depthwise_int8_per_channel);
  RUN(depthwise_int8_per_tensor_rounding);
  RUN(depthwise_int16x8_per_channel);
  RUN(depthwise_uint8_simple);
  RUN(depthwise_uint8_dilation);
  RUN(depthwise_uint8_multiplier_above_one);
  RUN(depthwise_uint8_rejects_per_channel);
  RUN(depthwise_rejects_bad_inputs);
}
