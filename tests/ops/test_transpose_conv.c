/* TRANSPOSE_CONV kernel tests. Vectors come from tensorflow/lite/micro/kernels/transpose_conv_test.cc:
 * SimpleTestFloat (SAME, stride 1, two input channels), fusedRELUTest, AccuracyWithFusedActivationTest
 * (stride 3, SAME, an output larger than the input covers), MultiChannelBiasWithFusedActivationTest (VALID,
 * stride 2, two output channels with bias), and the same data for SimpleTestQuantizedPerChannel /
 * SimpleTestQuantized16x8PerChannel. The integer tests use scales of 1, under which every value is exact,
 * so the expected integers are the float goldens, compared exactly. Inputs follow TFLite's order:
 * (output_shape, weights, input, bias).
 * The uint8 tests port tensorflow/lite/kernels/transpose_conv_test.cc: SimpleTestQuantized,
 * TwoFiltersTestQuantized, PaddingValidTestQuantized and SimpleBiasTestQuantized (weights given there as
 * uint8 129, 131, ... on [-63.5, 64], i.e. 1, 2, ...). TFLite checks their dequantized outputs within 1e-5
 * on output scales 4 and 32, so the expected integers are those goldens quantized, compared exactly. */
#include "conv_test.h"

static const float k_input[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const float k_filter[18] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
static const float k_golden[16] = {184,  412,  568,  528,  678,  1347, 1689, 1434,
                                   1494, 2715, 3057, 2442, 1968, 3352, 3652, 2760};

/* MultiChannelBiasWithFusedActivationTest */
static const float k_mc_input[4] = {1, 2, -3, 4};
static const float k_mc_filter[18] = {1, 3, 5, 7, 9, 11, 13, 15, 17, 2, 4, 6, 8, 10, 12, 14, 16, 18};
static const float k_mc_bias[2] = {3, 4};
static const float k_mc_golden[50] = {4,  6,  6,  8,  10, 14, 9, 12, 13, 16, 10, 12, 12, 14, 28, 32, 21,
                                      24, 25, 28, 13, 12, 9,  8, 35, 40, 45, 52, 57, 64, 0,  0,  0,  0,
                                      0,  0,  39, 44, 47, 52, 0, 0,  0,  0,  4,  6,  63, 68, 71, 76};

static er_conv_attrs attrs_of(er_padding padding, int stride, er_activation act) {
  return ct_conv_attrs(padding, stride, stride, act);
}

static void run_float(const er_conv_attrs *a, const int32_t out_shape[4], const int64_t f_dims[4],
                      const float *filter, const int64_t in_dims[4], const float *input, const float *bias,
                      const float *want) {
  ct_tensor in[4] = {
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {4}, .data = out_shape},
      {.dtype = EDGERT_FLOAT32,
       .ndim = 4,
       .dims = {f_dims[0], f_dims[1], f_dims[2], f_dims[3]},
       .data = filter},
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {in_dims[0], in_dims[1], in_dims[2], in_dims[3]}},
      {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {f_dims[0]}, .data = bias, .absent = bias == NULL},
  };
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  int n = out_shape[0] * out_shape[1] * out_shape[2] * out_shape[3];
  float got[64];
  edgert_tensor_info info;
  CHECK_OK(ct_run(ER_OP_TRANSPOSE_CONV, a, sizeof *a, 4, in, (const void *[]){input}, &out, got,
                  sizeof(float) * (size_t)n, &info, false));
  const int64_t want_dims[4] = {out_shape[0], out_shape[1], out_shape[2], out_shape[3]};
  ct_expect_dims(&info, 4, want_dims);
  ct_expect_f32(got, want, n, 1e-3);
}

static void tconv_float_simple(void) {
  er_conv_attrs a = attrs_of(ER_PAD_SAME, 1, ER_ACT_NONE);
  static const float bias[1] = {0};
  run_float(&a, (int32_t[]){1, 4, 4, 1}, (int64_t[]){1, 3, 3, 2}, k_filter, (int64_t[]){1, 4, 4, 2}, k_input,
            bias, k_golden);
}

static void tconv_float_fused_relu(void) {
  static const float filter[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  static const float input[16] = {1, 2, -3, -4, 5, 6, -7, -8, 9, 10, -11, -12, 13, 14, 15, 16};
  static const float want[16] = {29, 24, 0, 0, 99, 72, 0, 0, 207, 186, 0, 0, 263, 292, 141, 0};
  er_conv_attrs a = attrs_of(ER_PAD_SAME, 1, ER_ACT_RELU);
  run_float(&a, (int32_t[]){1, 4, 4, 1}, (int64_t[]){1, 3, 3, 1}, filter, (int64_t[]){1, 4, 4, 1}, input,
            NULL, want);
}

static void tconv_float_stride3_same(void) {
  static const float filter[9] = {9, 5, 6, 9, 8, 5, 3, 1, 4};
  static const float input[2] = {323, -521};
  static const float want[12] = {1615, 1938, 0, 0, 2584, 1615, 0, 0, 323, 1292, 0, 0};
  er_conv_attrs a = attrs_of(ER_PAD_SAME, 3, ER_ACT_RELU);
  run_float(&a, (int32_t[]){1, 3, 4, 1}, (int64_t[]){1, 3, 3, 1}, filter, (int64_t[]){1, 1, 2, 1}, input,
            NULL, want);
}

static void tconv_float_multichannel_bias(void) {
  er_conv_attrs a = attrs_of(ER_PAD_VALID, 2, ER_ACT_RELU);
  run_float(&a, (int32_t[]){1, 5, 5, 2}, (int64_t[]){2, 3, 3, 1}, k_mc_filter, (int64_t[]){1, 2, 2, 1},
            k_mc_input, k_mc_bias, k_mc_golden);
}

static void tconv_int8_per_channel(void) {
  static const float scales[2] = {1, 1};
  static const int32_t bias[2] = {3, 4};
  int8_t input[4], filter[18], want[50];
  for (int i = 0; i < 4; i++)
    input[i] = (int8_t)k_mc_input[i];
  for (int i = 0; i < 18; i++)
    filter[i] = (int8_t)k_mc_filter[i];
  for (int i = 0; i < 50; i++)
    want[i] = (int8_t)k_mc_golden[i];
  er_conv_attrs a = attrs_of(ER_PAD_VALID, 2, ER_ACT_RELU);
  ct_tensor in[4] = {
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {4}, .data = (int32_t[]){1, 5, 5, 2}},
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {2, 3, 3, 1},
       .data = filter,
       .channels = 2,
       .axis = 0,
       .scales = scales},
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {1, 2, 2, 1}, .scale = 1.0f},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {2}, .data = bias},
  };
  ct_tensor out = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f};
  int8_t got[50];
  CHECK_OK(ct_run(ER_OP_TRANSPOSE_CONV, &a, sizeof a, 4, in, (const void *[]){input}, &out, got, sizeof got,
                  NULL, false));
  ct_expect_i8(got, want, 50);
}

/* 16x8 with the output_shape fed at run time (as the seanet models do): the declared output shape is used
 * at prepare and the fed shape is checked against it. Bias is int64 or, as TFLM allows, int16. */
static void run_int16(edgert_dtype bias_type, const int32_t *fed_shape, bool expect_ok) {
  static const float scales[1] = {1};
  static const int64_t bias64[1] = {0};
  static const int16_t bias16[1] = {0};
  int16_t input[32], want[16];
  int8_t filter[18];
  for (int i = 0; i < 32; i++)
    input[i] = (int16_t)k_input[i];
  for (int i = 0; i < 18; i++)
    filter[i] = (int8_t)k_filter[i];
  for (int i = 0; i < 16; i++)
    want[i] = (int16_t)k_golden[i];
  er_conv_attrs a = attrs_of(ER_PAD_SAME, 1, ER_ACT_NONE);
  ct_tensor in[4] = {
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {4}},
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {1, 3, 3, 2},
       .data = filter,
       .channels = 1,
       .axis = 0,
       .scales = scales},
      {.dtype = EDGERT_INT16, .ndim = 4, .dims = {1, 4, 4, 2}, .scale = 1.0f},
      {.dtype = bias_type,
       .ndim = 1,
       .dims = {1},
       .data = bias_type == EDGERT_INT64 ? (const void *)bias64 : bias16},
  };
  ct_tensor out = {.dtype = EDGERT_INT16, .ndim = 4, .dims = {1, 4, 4, 1}, .scale = 1.0f};
  int16_t got[16];
  edgert_status st = ct_run(ER_OP_TRANSPOSE_CONV, &a, sizeof a, 4, in, (const void *[]){fed_shape, input},
                            &out, got, sizeof got, NULL, !expect_ok);
  if (expect_ok) {
    CHECK_OK(st);
    ct_expect_i16(got, want, 16);
  } else {
    CHECK(st != EDGERT_OK);
  }
}

static void tconv_int16x8_fed_output_shape(void) {
  static const int32_t shape[4] = {1, 4, 4, 1};
  run_int16(EDGERT_INT64, shape, true);
  run_int16(EDGERT_INT16, shape, true);
}

/* uint8 weights 129, 131, ... (1, 2, ... at scale 0.5, zero point 127); input on [-63.5, 64]; output range
 * [out_min, out_max]; bias {1} when with_bias. want holds the dequantized goldens. */
static void run_uint8(er_padding padding, const int32_t out_shape[4], int in_c, bool with_bias, float out_min,
                      float out_max, const float *want) {
  const u8_range r = u8_of(-63.5f, 64), out_r = u8_of(out_min, out_max);
  uint8_t filter[18], input[32], got[36], want_q[36];
  int32_t bias[1];
  int n_out = out_shape[1] * out_shape[2];
  for (int i = 0; i < 9 * in_c; i++)
    filter[i] = (uint8_t)(129 + 2 * i);
  quantize_u8(k_input, 16 * in_c, r, input);
  quantize_bias((const float[]){1}, 1, r.scale * r.scale, bias);
  quantize_u8(want, n_out, out_r, want_q);
  er_conv_attrs a = attrs_of(padding, 1, ER_ACT_NONE);
  ct_tensor in[4] = {
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {4}, .data = out_shape},
      {.dtype = EDGERT_UINT8,
       .ndim = 4,
       .dims = {1, 3, 3, in_c},
       .data = filter,
       .scale = r.scale,
       .zero_point = r.zp},
      {.dtype = EDGERT_UINT8, .ndim = 4, .dims = {1, 4, 4, in_c}, .scale = r.scale, .zero_point = r.zp},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {1}, .data = bias, .absent = !with_bias},
  };
  ct_tensor out = {.dtype = EDGERT_UINT8, .ndim = -1, .scale = out_r.scale, .zero_point = out_r.zp};
  CHECK_OK(ct_run(ER_OP_TRANSPOSE_CONV, &a, sizeof a, 4, in, (const void *[]){input}, &out, got,
                  (size_t)n_out, NULL, false));
  expect_u8(got, want_q, n_out);
}

static void tconv_uint8(void) {
  static const float want[16] = {28, 64, 84, 76, 100, 192, 236, 200, 208, 372, 416, 332, 264, 448, 484, 364};
  static const float want_bias[16] = {32,  64,  84,  76,  100, 192, 240, 200,
                                      208, 372, 420, 332, 264, 448, 488, 368};
  run_uint8(ER_PAD_SAME, (const int32_t[]){1, 4, 4, 1}, 1, false, -508, 512, want);
  run_uint8(ER_PAD_SAME, (const int32_t[]){1, 4, 4, 1}, 1, true, -508, 512, want_bias);
}

static void tconv_uint8_two_filters(void) {
  static const float want[16] = {192,  416,  576,  544,  672,  1344, 1696, 1440,
                                 1504, 2720, 3072, 2432, 1984, 3360, 3648, 2752};
  static const float valid[36] = {0,   32,   64,   96,   128,  96,   64,  192,  416,  576,  544,  352,
                                  224, 672,  1344, 1696, 1440, 864,  608, 1504, 2720, 3072, 2432, 1440,
                                  864, 1984, 3360, 3648, 2752, 1536, 704, 1536, 2528, 2720, 2016, 1088};
  run_uint8(ER_PAD_SAME, (const int32_t[]){1, 4, 4, 1}, 2, false, -4064, 4096, want);
  run_uint8(ER_PAD_VALID, (const int32_t[]){1, 6, 6, 1}, 2, false, -4064, 4096, valid);
}

/* Per-channel uint8 weights are refused. */
static void tconv_uint8_rejects_per_channel(void) {
  static const uint8_t filter[18] = {0}, input[16] = {0};
  er_conv_attrs a = attrs_of(ER_PAD_SAME, 1, ER_ACT_NONE);
  ct_tensor in[4] = {
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {4}, .data = (int32_t[]){1, 4, 4, 2}},
      {.dtype = EDGERT_UINT8,
       .ndim = 4,
       .dims = {2, 3, 3, 1},
       .data = filter,
       .channels = 2,
       .axis = 0,
       .scales = (const float[]){0.5f, 0.5f}},
      {.dtype = EDGERT_UINT8, .ndim = 4, .dims = {1, 4, 4, 1}, .scale = 0.5f, .zero_point = 127},
      {.absent = true},
  };
  ct_tensor out = {.dtype = EDGERT_UINT8, .ndim = -1, .scale = 4.0f, .zero_point = 127};
  CHECK(ct_refused(ER_OP_TRANSPOSE_CONV, &a, sizeof a, 4, in, (const void *[]){input}, &out) ==
        EDGERT_ERR_UNSUPPORTED);
}

static void tconv_rejects_bad_inputs(void) {
  static const int32_t wrong_shape[4] = {1, 4, 5, 1};
  run_int16(EDGERT_INT64, wrong_shape, false); /* fed shape disagrees with the declared output */
  er_conv_attrs a = attrs_of(ER_PAD_SAME, 1, ER_ACT_NONE);
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  /* output_shape asks for 2 channels; the weights have 1 */
  ct_tensor channels[4] = {
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {4}, .data = (int32_t[]){1, 4, 4, 2}},
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 3, 3, 2}, .data = k_filter},
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 4, 4, 2}},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_TRANSPOSE_CONV, &a, sizeof a, 4, channels, (const void *[]){k_input}, &out) !=
        EDGERT_OK);
  /* output_shape with a negative dim */
  ct_tensor negative[4] = {
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {4}, .data = (int32_t[]){1, -4, 4, 1}},
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 3, 3, 2}, .data = k_filter},
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 4, 4, 2}},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_TRANSPOSE_CONV, &a, sizeof a, 4, negative, (const void *[]){k_input}, &out) !=
        EDGERT_OK);
  /* float input with int8 weights */
  static const int8_t filter8[18] = {0};
  ct_tensor hybrid[4] = {
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {4}, .data = (int32_t[]){1, 4, 4, 1}},
      {.dtype = EDGERT_INT8, .ndim = 4, .dims = {1, 3, 3, 2}, .data = filter8, .scale = 1.0f},
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {1, 4, 4, 2}},
      {.absent = true},
  };
  CHECK(ct_refused(ER_OP_TRANSPOSE_CONV, &a, sizeof a, 4, hybrid, (const void *[]){k_input}, &out) !=
        EDGERT_OK);
}

void run_tests(void) {
  RUN(tconv_float_simple);
  RUN(tconv_float_fused_relu);
  RUN(tconv_float_stride3_same);
  RUN(tconv_float_multichannel_bias);
  RUN(tconv_int8_per_channel);
  RUN(tconv_int16x8_fed_output_shape);
  RUN(tconv_uint8);
  RUN(tconv_uint8_two_filters);
  RUN(tconv_uint8_rejects_per_channel);
  RUN(tconv_rejects_bad_inputs);
}
