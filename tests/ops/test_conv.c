/* CONV_2D kernel tests. Vectors come from TensorFlow Lite's own tests: tensorflow/lite/kernels/conv_test.cc
 * (SimpleTestFloat32, SimpleTestFloat32WithChannels, ActivationRelu6Test, ActivationReluN1Test, StrideTest,
 * PaddingTest, SimpleTestFloat32WithAnisotropicStrides, SimpleTestFloatWithDilation, and the int8
 * per-channel SimpleTest whose expected int8 output {61, 127, -115, -93} is given there) and
 * tensorflow/lite/micro/kernels/conv_test.cc (the same float data quantized for the int8 and 16x8
 * per-channel tests, and the ReLU6 bias {1, 2, -3}). Where upstream checks quantized results against
 * quantized float goldens with a tolerance, we pick scales under which every value is exactly
 * representable, so the expected integers are the goldens themselves and we compare exactly.
 * The uint8 tests port conv_test.cc's QuantizedConvolutionOpModel cases (SimpleTestQuantized,
 * SimpleTestQuantizedGrouped, SimpleTestQuantizedWithAnisotropicStrides and SimpleTestQuantizedWithDilation,
 * whose quantized outputs are given there and compared exactly here; and
 * SimpleTestQuantizedOutputMultiplierGreaterThan1, checked dequantized against the float result within 1
 * as there). Inputs are quantized as TFLite's test_util.h does: scale and zero point from a [min, max]
 * range, bias at input scale times filter scale. */
#include <math.h>

#include "conv_test.h"

/* SimpleTestFloat32: input [2, 2, 4, 1], three 2x2 filters, stride 2, VALID. */
static const float k_input[16] = {1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 3, 4, 1, 2, 3, 4};
static const float k_filter[12] = {1, 2, 3, 4, -1, 1, -1, 1, -1, -1, 1, 1};
static const float k_bias[3] = {1, 2, 3};
static const float k_golden[12] = {18, 2, 5, 18, 2, 5, 17, 4, 3, 37, 4, 3};

/* Float conv of input [n,h,w,c] with filter [o,fh,fw,fc] and bias [o]; checks the computed shape too. */
static void run_float(const er_conv_attrs *a, const int64_t in_dims[4], const float *input,
                      const int64_t f_dims[4], const float *filter, const float *bias,
                      const int64_t out_dims[4], const float *want) {
  ct_conv_float(ER_OP_CONV_2D, a, in_dims, input, f_dims, filter, bias, f_dims[0], out_dims, want);
}

static void conv_float_simple(void) {
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, ER_ACT_NONE);
  run_float(&a, (int64_t[]){2, 2, 4, 1}, k_input, (int64_t[]){3, 2, 2, 1}, k_filter, k_bias,
            (int64_t[]){2, 1, 2, 3}, k_golden);
}

static void conv_float_two_input_channels(void) {
  static const float input[32] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1,   1,   1, 1, 1,   1,   1, 1,
                                  0.5, 0.5, 1,   1,   1.5, 1.5, 2,   2,   0.5, 0.5, 1, 1, 1.5, 1.5, 2, 2};
  static const float filter[24] = {1,  1,  2, 2, 3,  3,  4,  4,  -1, -1, 1, 1,
                                   -1, -1, 1, 1, -1, -1, -1, -1, 1,  1,  1, 1};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, ER_ACT_NONE);
  run_float(&a, (int64_t[]){2, 2, 4, 2}, input, (int64_t[]){3, 2, 2, 2}, filter, k_bias,
            (int64_t[]){2, 1, 2, 3}, k_golden);
}

static void conv_float_fused_activations(void) {
  static const float relu6[12] = {6, 2, 5, 6, 2, 5, 6, 4, 3, 6, 4, 3};
  static const float relu_n1[12] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, ER_ACT_RELU6);
  run_float(&a, (int64_t[]){2, 2, 4, 1}, k_input, (int64_t[]){3, 2, 2, 1}, k_filter, k_bias,
            (int64_t[]){2, 1, 2, 3}, relu6);
  a.activation = ER_ACT_RELU_N1_TO_1;
  run_float(&a, (int64_t[]){2, 2, 4, 1}, k_input, (int64_t[]){3, 2, 2, 1}, k_filter, k_bias,
            (int64_t[]){2, 1, 2, 3}, relu_n1);
}

static void conv_float_stride_one(void) {
  static const float input[16] = {1, 1, 1, 1, 2, 2, 3, 2, 1, 2, 3, 4, 1, 2, 4, 4};
  static const float want[18] = {18, 2, 5, 22, 3, 6, 21, 1, 6, 17, 4, 3, 31, 5, 4, 40, 3, 4};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 1, 1, ER_ACT_NONE);
  run_float(&a, (int64_t[]){2, 2, 4, 1}, input, (int64_t[]){3, 2, 2, 1}, k_filter, k_bias,
            (int64_t[]){2, 1, 3, 3}, want);
}

static void conv_float_same_padding(void) {
  static const float input[8] = {1, 1, 1, 1, 2, 2, 3, 2};
  static const float want[24] = {18, 2, 5,  22, 3, 6,  21, 1, 6,  8, -1, 4,
                                 7,  2, -1, 9,  3, -2, 8,  1, -2, 3, 0,  1};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_SAME, 1, 1, ER_ACT_NONE);
  run_float(&a, (int64_t[]){1, 2, 4, 1}, input, (int64_t[]){3, 2, 2, 1}, k_filter, k_bias,
            (int64_t[]){1, 2, 4, 3}, want);
}

static void conv_float_anisotropic_strides(void) {
  static const float input[18] = {3, 2, 1, -1, -2, -3, 4, 3, 2, -2, -3, -4, 5, 4, 3, -3, -4, -5};
  static const float filter[4] = {1, 2, 3, 4};
  static const float bias[1] = {-1};
  static const float want[4] = {30, -24, 40, -34};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 3, 1, ER_ACT_NONE);
  run_float(&a, (int64_t[]){1, 3, 6, 1}, input, (int64_t[]){1, 2, 2, 1}, filter, bias,
            (int64_t[]){1, 2, 2, 1}, want);
}

static void conv_float_dilation_without_bias(void) {
  float input[81] = {0};
  for (int y = 3; y < 6; y++)
    for (int x = 3; x < 6; x++)
      input[y * 9 + x] = 1;
  static const float filter[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  static const float want[9] = {5, 5, 5, 5, 5, 5, 5, 5, 5};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 1, 1, ER_ACT_NONE);
  a.dilation_h = a.dilation_w = 3;
  run_float(&a, (int64_t[]){1, 9, 9, 1}, input, (int64_t[]){1, 3, 3, 1}, filter, NULL,
            (int64_t[]){1, 3, 3, 1}, want);
}

/* Two groups: input channel 0 carries the first batch of SimpleTestFloat32 and channel 1 the second;
 * output channels 0-2 (group 0) must give the first batch's golden, 3-5 the second's. */
static const float k_grouped_input[16] = {1, 1, 1, 2, 1, 3, 1, 4, 2, 1, 2, 2, 2, 3, 2, 4};
static const float k_grouped_golden[12] = {18, 2, 5, 17, 4, 3, 18, 2, 5, 37, 4, 3};

static void conv_float_groups(void) {
  float filter[24], bias[6];
  memcpy(filter, k_filter, sizeof k_filter);
  memcpy(filter + 12, k_filter, sizeof k_filter);
  memcpy(bias, k_bias, sizeof k_bias);
  memcpy(bias + 3, k_bias, sizeof k_bias);
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, ER_ACT_NONE);
  run_float(&a, (int64_t[]){1, 2, 4, 2}, k_grouped_input, (int64_t[]){6, 2, 2, 1}, filter, bias,
            (int64_t[]){1, 1, 2, 6}, k_grouped_golden);
}

/* conv_test.cc SimpleTest (per-channel int8): input scale 0.5 zero point -1, filter scales {1, 2} on
 * axis 0, output scale 0.5 zero point -1. Data quantized by TFLite's rules: input q = x / 0.5 - 1;
 * filter q = round(w / scale); bias q = b / (0.5 * scale). */
static void conv_int8_per_channel(void) {
  static const int8_t input[12] = {5, 3, 1, -3, -5, -7, 7, 5, 3, -5, -7, -9};
  static const int8_t filter[16] = {1, 2, 3, 4, 3, 4, 5, 6, 4, 4, 3, 3, 2, 2, 1, 1};
  static const int32_t bias[2] = {6, -2};
  static const float scales[2] = {1, 2};
  static const int8_t want[4] = {61, 127, -115, -93};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 1, 1, ER_ACT_NONE);
  ct_tensor in[3] = {
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {1, 2, 3, 2}, .scale = 0.5f, .zero_point = -1},
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {2, 2, 2, 2},
       .data = filter,
       .channels = 2,
       .axis = 0,
       .scales = scales},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {2}, .data = bias},
  };
  ct_tensor out = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 0.5f, .zero_point = -1};
  int8_t got[4];
  CHECK_OK(ct_run(ER_OP_CONV_2D, &a, sizeof a, 3, in, (const void *[]){input}, &out, got, sizeof got, NULL,
                  false));
  ct_expect_i8(got, want, 4);
}

/* SimpleTestFloat32 quantized per tensor: input scale 0.5 zero point -1, filter scale 1, bias scale 0.5,
 * output scale 1 zero point 3: every value exact, so the output is golden + 3. */
static void conv_int8_per_tensor(void) {
  int8_t input[16], filter[12], want[12];
  for (int i = 0; i < 16; i++)
    input[i] = (int8_t)(k_input[i] * 2 - 1);
  for (int i = 0; i < 12; i++)
    filter[i] = (int8_t)k_filter[i];
  for (int i = 0; i < 12; i++)
    want[i] = (int8_t)(k_golden[i] + 3);
  static const int32_t bias[3] = {2, 4, 6};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, ER_ACT_NONE);
  ct_tensor in[3] = {
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {2, 2, 4, 1}, .scale = 0.5f, .zero_point = -1},
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {3, 2, 2, 1}, .data = filter, .scale = 1.0f},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {3}, .data = bias},
  };
  ct_tensor out = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f, .zero_point = 3};
  int8_t got[12];
  CHECK_OK(ct_run(ER_OP_CONV_2D, &a, sizeof a, 3, in, (const void *[]){input}, &out, got, sizeof got, NULL,
                  false));
  ct_expect_i8(got, want, 12);
}

/* Grouped conv in int8: group 1's filters use scale 0.5 (weights doubled) to mix per-channel scales. */
static void conv_int8_groups(void) {
  int8_t input[16], filter[24], want[12];
  for (int i = 0; i < 16; i++)
    input[i] = (int8_t)(k_grouped_input[i] * 2); /* scale 0.5 */
  for (int i = 0; i < 12; i++)
    filter[i] = (int8_t)k_filter[i];
  for (int i = 0; i < 12; i++)
    filter[12 + i] = (int8_t)(k_filter[i] * 2);
  for (int i = 0; i < 12; i++)
    want[i] = (int8_t)k_grouped_golden[i];
  static const float scales[6] = {1, 1, 1, 0.5f, 0.5f, 0.5f};
  static const int32_t bias[6] = {2, 4, 6, 4, 8, 12};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, ER_ACT_NONE);
  ct_tensor in[3] = {
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {1, 2, 4, 2}, .scale = 0.5f},
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {6, 2, 2, 1},
       .data = filter,
       .channels = 6,
       .axis = 0,
       .scales = scales},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {6}, .data = bias},
  };
  ct_tensor out = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f};
  int8_t got[12];
  CHECK_OK(ct_run(ER_OP_CONV_2D, &a, sizeof a, 3, in, (const void *[]){input}, &out, got, sizeof got, NULL,
                  false));
  ct_expect_i8(got, want, 12);
}

/* micro conv_test.cc SimpleTestQuantized16x8PerChannel64bBias and ...Relu664bBias: int16 input scale 0.5,
 * per-channel filter scales {1, 0.5, 0.25} (exact for these weights), int64 bias. */
static void run_int16(er_activation act, const float *bias_f, float out_scale, const int16_t *want) {
  static const float scales[3] = {1, 0.5f, 0.25f};
  int16_t input[16];
  int8_t filter[12];
  int64_t bias[3];
  for (int i = 0; i < 16; i++)
    input[i] = (int16_t)(k_input[i] * 2);
  for (int i = 0; i < 12; i++)
    filter[i] = (int8_t)(k_filter[i] / scales[i / 4]);
  for (int c = 0; c < 3; c++)
    bias[c] = (int64_t)(bias_f[c] / (0.5f * scales[c]));
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, act);
  ct_tensor in[3] = {
      {.dtype = EDGERT_INT16, .ndim = 4, .dims = {2, 2, 4, 1}, .scale = 0.5f},
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {3, 2, 2, 1},
       .data = filter,
       .channels = 3,
       .axis = 0,
       .scales = scales},
      {.dtype = EDGERT_INT64, .ndim = 1, .dims = {3}, .data = bias},
  };
  ct_tensor out = {.dtype = EDGERT_INT16, .ndim = -1, .scale = out_scale};
  int16_t got[12];
  CHECK_OK(ct_run(ER_OP_CONV_2D, &a, sizeof a, 3, in, (const void *[]){input}, &out, got, sizeof got, NULL,
                  false));
  ct_expect_i16(got, want, 12);
}

static void conv_int16x8_per_channel(void) {
  int16_t want[12];
  for (int i = 0; i < 12; i++)
    want[i] = (int16_t)k_golden[i];
  run_int16(ER_ACT_NONE, k_bias, 1.0f, want);
}

static void conv_int16x8_relu6(void) {
  /* golden {6, 2, 0, 6, 2, 0, 6, 4, 0, 6, 4, 0} at output scale 0.25 */
  static const float bias[3] = {1, 2, -3};
  static const int16_t want[12] = {24, 8, 0, 24, 8, 0, 24, 16, 0, 24, 16, 0};
  run_int16(ER_ACT_RELU6, bias, 0.25f, want);
}

/* Runs a uint8 conv: float data quantized with the given ranges; n_out outputs into got. */
static edgert_status run_uint8(const er_conv_attrs *a, const int64_t in_dims[4], u8_range in_r,
                               const float *input_f, const int64_t f_dims[4], u8_range f_r,
                               const float *filter_f, const float *bias_f, u8_range out_r, int n_out,
                               uint8_t *got, edgert_tensor_info *info) {
  return ct_conv_uint8(ER_OP_CONV_2D, a, in_dims, in_r, input_f, f_dims, f_r, filter_f, bias_f, f_dims[0],
                       out_r, n_out, got, info);
}

/* SimpleTestQuantized: input and filter on [-63.5, 64] (scale 0.5, zero point 127), output on [-127, 128]. */
static void conv_uint8_simple(void) {
  static const uint8_t want[12] = {145, 129, 132, 145, 129, 132, 144, 131, 130, 164, 131, 130};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, ER_ACT_NONE);
  uint8_t got[12];
  edgert_tensor_info info;
  CHECK_OK(run_uint8(&a, (int64_t[]){2, 2, 4, 1}, u8_of(-63.5f, 64), k_input, (int64_t[]){3, 2, 2, 1},
                     u8_of(-63.5f, 64), k_filter, k_bias, u8_of(-127, 128), 12, got, &info));
  ct_expect_dims(&info, 4, (int64_t[]){2, 1, 2, 3});
  expect_u8(got, want, 12);
}

/* SimpleTestQuantizedGrouped: the input's 2 channels split into 2 groups of one filter each. */
static void conv_uint8_grouped(void) {
  static const float filter[8] = {1, 2, 3, 4, -1, 1, -1, 1};
  static const float bias[2] = {1, 2};
  static const uint8_t want[4] = {145, 129, 150, 133};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, ER_ACT_NONE);
  uint8_t got[4];
  edgert_tensor_info info;
  CHECK_OK(run_uint8(&a, (int64_t[]){2, 2, 2, 2}, u8_of(-63.5f, 64), k_input, (int64_t[]){2, 2, 2, 1},
                     u8_of(-63.5f, 64), filter, bias, u8_of(-127, 128), 4, got, &info));
  ct_expect_dims(&info, 4, (int64_t[]){2, 1, 1, 2});
  expect_u8(got, want, 4);
}

/* SimpleTestQuantizedWithAnisotropicStrides: stride 3 across, 1 down. */
static void conv_uint8_anisotropic_strides(void) {
  static const float input[18] = {3, 2, 1, -1, -2, -3, 4, 3, 2, -2, -3, -4, 5, 4, 3, -3, -4, -5};
  static const float filter[4] = {1, 2, 3, 4};
  static const float bias[1] = {-1};
  static const uint8_t want[4] = {157, 103, 167, 93};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 3, 1, ER_ACT_NONE);
  uint8_t got[4];
  CHECK_OK(run_uint8(&a, (int64_t[]){1, 3, 6, 1}, u8_of(-63.5f, 64), input, (int64_t[]){1, 2, 2, 1},
                     u8_of(-63.5f, 64), filter, bias, u8_of(-127, 128), 4, got, NULL));
  expect_u8(got, want, 4);
}

/* SimpleTestQuantizedWithDilation: input on [0, 255], filter on [-128, 127] (zero point 128), output on
 * [0, 255]; TFLite expects the dequantized output to be exactly 5 everywhere. */
static void conv_uint8_dilation(void) {
  float input[81] = {0};
  for (int y = 3; y < 6; y++)
    for (int x = 3; x < 6; x++)
      input[y * 9 + x] = 1;
  static const float filter[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  static const float bias[1] = {0};
  static const uint8_t want[9] = {5, 5, 5, 5, 5, 5, 5, 5, 5};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 1, 1, ER_ACT_NONE);
  a.dilation_h = a.dilation_w = 3;
  uint8_t got[9];
  CHECK_OK(run_uint8(&a, (int64_t[]){1, 9, 9, 1}, u8_of(0, 255), input, (int64_t[]){1, 3, 3, 1},
                     u8_of(-128, 127), filter, bias, u8_of(0, 255), 9, got, NULL));
  expect_u8(got, want, 9);
}

/* SimpleTestQuantizedOutputMultiplierGreaterThan1: input and filter on [-128.5, 128] give a requantization
 * multiplier of 1.0118 (a left shift); TFLite checks the dequantized output against float within 1. */
static void conv_uint8_multiplier_above_one(void) {
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, ER_ACT_NONE);
  u8_range out_r = u8_of(-127, 128);
  uint8_t got[12];
  CHECK_OK(run_uint8(&a, (int64_t[]){2, 2, 4, 1}, u8_of(-128.5f, 128), k_input, (int64_t[]){3, 2, 2, 1},
                     u8_of(-128.5f, 128), k_filter, k_bias, out_r, 12, got, NULL));
  for (int i = 0; i < 12; i++)
    CHECK_NEAR(dequantize_u8(got[i], out_r), k_golden[i], 1.0);
}

/* uint8 weights with per-channel scales, and uint8 input with int8 weights, are refused. */
static void conv_uint8_rejects_bad_inputs(void) {
  static const uint8_t filter[12] = {0};
  static const uint8_t input[16] = {0};
  static const float scales[3] = {1, 1, 1};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, ER_ACT_NONE);
  ct_tensor per_channel[3] = {
      {.dtype = EDGERT_UINT8, .ndim = 4, .dims = {2, 2, 4, 1}, .scale = 0.5f, .zero_point = 127},
      {.dtype = EDGERT_UINT8,
       .ndim = 4,
       .dims = {3, 2, 2, 1},
       .data = filter,
       .channels = 3,
       .axis = 0,
       .scales = scales},
      {.absent = true},
  };
  ct_tensor out = {.dtype = EDGERT_UINT8, .ndim = -1, .scale = 1.0f, .zero_point = 127};
  CHECK(ct_refused(ER_OP_CONV_2D, &a, sizeof a, 3, per_channel, (const void *[]){input}, &out) ==
        EDGERT_ERR_UNSUPPORTED);
  ct_tensor mixed[3] = {
      {.dtype = EDGERT_UINT8, .ndim = 4, .dims = {2, 2, 4, 1}, .scale = 0.5f, .zero_point = 127},
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {3, 2, 2, 1}, .data = filter, .scale = 1.0f},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_CONV_2D, &a, sizeof a, 3, mixed, (const void *[]){input}, &out) ==
        EDGERT_ERR_UNSUPPORTED);
}

static void conv_rejects_bad_inputs(void) {
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, ER_ACT_NONE);
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  /* hybrid: float input with int16 weights */
  static const int16_t filter16[12] = {0};
  ct_tensor hybrid[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {2, 2, 4, 1}},
      {.dtype = EDGERT_INT16, .ndim = 4, .dims = {3, 2, 2, 1}, .data = filter16},
      {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {3}, .data = k_bias},
  };
  CHECK(ct_refused(ER_OP_CONV_2D, &a, sizeof a, 3, hybrid, (const void *[]){k_input}, &out) != EDGERT_OK);
  /* input channels (3) not a multiple of the filter's (2) */
  ct_tensor channels[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 2, 2, 3}},
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {3, 1, 1, 2}, .data = k_filter},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_CONV_2D, &a, sizeof a, 3, channels, (const void *[]){k_input}, &out) != EDGERT_OK);
  /* bias of the wrong length */
  ct_tensor bias_len[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {2, 2, 4, 1}},
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {3, 2, 2, 1}, .data = k_filter},
      {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {2}, .data = k_bias},
  };
  CHECK(ct_refused(ER_OP_CONV_2D, &a, sizeof a, 3, bias_len, (const void *[]){k_input}, &out) != EDGERT_OK);
  /* zero stride */
  er_conv_attrs zero_stride = ct_conv_attrs(ER_PAD_VALID, 0, 2, ER_ACT_NONE);
  CHECK(ct_refused(ER_OP_CONV_2D, &zero_stride, sizeof zero_stride, 3, bias_len, (const void *[]){k_input},
                   &out) != EDGERT_OK);
  /* int8 per-channel scales that do not match the output channels */
  static const int8_t filter8[12] = {0};
  static const float scales[2] = {1, 1};
  static const int8_t input8[16] = {0};
  ct_tensor bad_q[3] = {
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {2, 2, 4, 1}, .scale = 0.5f},
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {3, 2, 2, 1},
       .data = filter8,
       .channels = 2,
       .axis = 0,
       .scales = scales},
      {.absent = true},
  };
  ct_tensor out8 = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f};
  CHECK(ct_refused(ER_OP_CONV_2D, &a, sizeof a, 3, bad_q, (const void *[]){input8}, &out8) != EDGERT_OK);
}

/* Hybrid (float input, int8 filter): tensorflow/lite/kernels/conv_test.cc HybridConvolutionOpTest runs the
 * SimpleTestFloat32 data with the filter quantized as SetSignedFilter does (SymmetricQuantizeAndPopulate:
 * scale max|w| / 127) and expects the float goldens within 0.16. Per tensor that is one scale 4/127
 * (symmetric input); the per-channel run quantizes each filter by its own maximum (scales 4/127, 1/127,
 * 1/127: distinct, so TFLite's per-channel kernel with asymmetric input), same goldens and bound. */
static void run_hybrid(bool per_channel) {
  static const float maxima[3] = {4, 1, 1};
  float scales[3];
  int8_t filter[12];
  for (int c = 0; c < 3; c++)
    scales[c] = (per_channel ? maxima[c] : 4.0f) / 127.0f;
  for (int i = 0; i < 12; i++)
    filter[i] = (int8_t)lroundf(k_filter[i] / scales[i / 4]);
  er_conv_attrs a = ct_conv_attrs(ER_PAD_VALID, 2, 2, ER_ACT_NONE);
  ct_tensor in[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {2, 2, 4, 1}},
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {3, 2, 2, 1},
       .data = filter,
       .scale = per_channel ? 0 : scales[0],
       .channels = per_channel ? 3 : 0,
       .axis = 0,
       .scales = scales},
      {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {3}, .data = k_bias},
  };
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  float got[12];
  edgert_tensor_info info;
  CHECK_OK(ct_run(ER_OP_CONV_2D, &a, sizeof a, 3, in, (const void *[]){k_input}, &out, got, sizeof got, &info,
                  false));
  ct_expect_dims(&info, 4, (int64_t[]){2, 1, 2, 3});
  ct_expect_f32(got, k_golden, 12, 0.16);
}

static void conv_hybrid_per_tensor(void) { run_hybrid(false); }

static void conv_hybrid_per_channel(void) { run_hybrid(true); }

/* TFLite has no hybrid kernel for grouped convolution, and its per-channel one ignores dilation: both are
 * refused rather than computed differently. */
static void conv_hybrid_rejects_unsupported(void) {
  static const int8_t filter[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  static const float scales[3] = {0.1f, 0.2f, 0.3f};
  static const float input[32] = {0};
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  er_conv_attrs a = ct_conv_attrs(ER_PAD_SAME, 1, 1, ER_ACT_NONE);
  a.dilation_h = a.dilation_w = 2;
  ct_tensor dilated[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 2, 4, 1}},
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {3, 2, 2, 1},
       .data = filter,
       .channels = 3,
       .axis = 0,
       .scales = scales},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_CONV_2D, &a, sizeof a, 3, dilated, (const void *[]){input}, &out) ==
        EDGERT_ERR_UNSUPPORTED);
  er_conv_attrs b = ct_conv_attrs(ER_PAD_VALID, 1, 1, ER_ACT_NONE);
  ct_tensor grouped[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 2, 2, 2}},
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {2, 2, 2, 1}, .data = filter, .scale = 0.1f},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_CONV_2D, &b, sizeof b, 3, grouped, (const void *[]){input}, &out) ==
        EDGERT_ERR_UNSUPPORTED);
}

void run_tests(void) {
  RUN(conv_hybrid_per_tensor);
  RUN(conv_hybrid_per_channel);
  RUN(conv_hybrid_rejects_unsupported);
  RUN(conv_float_simple);
  RUN(conv_float_two_input_channels);
  RUN(conv_float_fused_activations);
  RUN(conv_float_stride_one);
  RUN(conv_float_same_padding);
  RUN(conv_float_anisotropic_strides);
  RUN(conv_float_dilation_without_bias);
  RUN(conv_float_groups);
  RUN(conv_int8_per_channel);
  RUN(conv_int8_per_tensor);
  RUN(conv_int8_groups);
  RUN(conv_int16x8_per_channel);
  RUN(conv_int16x8_relu6);
  RUN(conv_uint8_simple);
  RUN(conv_uint8_grouped);
  RUN(conv_uint8_anisotropic_strides);
  RUN(conv_uint8_dilation);
  RUN(conv_uint8_multiplier_above_one);
  RUN(conv_uint8_rejects_bad_inputs);
  RUN(conv_rejects_bad_inputs);
}
