/* L2_NORMALIZATION against tensorflow/lite/micro/kernels/l2norm_test.cc: float (single row, zeros, three
 * rows) within 1e-5; int8 SimpleInt8Test, ZerosVectorInt8Test and
 * MultipleBatchInt8Test compared exactly. The int8 input there is on [-2, 2]: scale 4/255 and TFLM's
 * ZeroPointFromMinMax, -128 + (int)(2 / scale + 0.5) = -1 in float; the output on [-1, 127/128].
 * uint8 against tensorflow/lite/kernels/l2norm_test.cc SimpleUint8Test, MultipleBatchUint8Test and
 * ZerosVectorUint8Test (exact outputs given there): input on [-2, 2] and output on [-1, 127/128] through
 * test_util.h's QuantizationParams (input scale 4/255 zero point 128, output 1/128 and 128). */
#include "activation_test.h"
#include "uint8_test.h"

static edgert_status run_l2norm(edgert_dtype type, int ndim, const int64_t *dims, const void *in, void *out,
                                size_t bytes) {
  er_l2norm_attrs attrs = {.activation = ER_ACT_NONE};
  act_case c = {.op = ER_OP_L2_NORMALIZATION,
                .attrs = &attrs,
                .attrs_size = sizeof attrs,
                .in_type = type,
                .out_type = type,
                .ndim = ndim};
  memcpy(c.dims, dims, sizeof(int64_t) * (size_t)ndim);
  if (type == EDGERT_INT8) {
    c.in_scale = 4.0f / 255.0f;
    c.in_zp = -128 + (int32_t)(2.0f / c.in_scale + 0.5f);
    c.out_scale = (127.0f / 128.0f + 1.0f) / 255.0f;
    c.out_zp = 0;
  }
  return act_run(&c, in, out, bytes);
}

static void test_float(void) {
  const float row[6] = {-1.1f, 0.6f, 0.7f, 1.2f, -0.7f, 0.1f};
  const float want[6] = {-0.55f, 0.3f, 0.35f, 0.6f, -0.35f, 0.05f};
  float in[18], out[18], zeros[6] = {0};
  for (int b = 0; b < 3; b++)
    memcpy(in + 6 * b, row, sizeof row);
  CHECK_OK(run_l2norm(EDGERT_FLOAT32, 4, (int64_t[]){3, 1, 1, 6}, in, out, sizeof out));
  for (int b = 0; b < 3; b++)
    check_floats_near(out + 6 * b, want, 6, 1e-5);
  CHECK_OK(run_l2norm(EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 1, 6}, zeros, out, 6 * sizeof(float)));
  check_floats_near(out, zeros, 6, 1e-5);
}

static void test_int8_exact(void) {
  const int8_t row[6] = {-71, 37, 44, 76, -46, 5};
  const int8_t want[6] = {-70, 38, 45, 77, -45, 6};
  int8_t in[18], out[18];
  for (int b = 0; b < 3; b++)
    memcpy(in + 6 * b, row, sizeof row);
  CHECK_OK(run_l2norm(EDGERT_INT8, 2, (int64_t[]){3, 6}, in, out, sizeof out));
  for (int i = 0; i < 18; i++)
    CHECK_EQ_INT(out[i], want[i % 6]);
  const int8_t minus_ones[6] = {-1, -1, -1, -1, -1, -1};
  CHECK_OK(run_l2norm(EDGERT_INT8, 4, (int64_t[]){1, 1, 1, 6}, minus_ones, out, 6));
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i], 0);
}

static edgert_status run_l2norm_uint8(int ndim, const int64_t *dims, const float *x, int n, uint8_t *out) {
  const u8_range in_r = u8_of(-2.0f, 2.0f), out_r = u8_of(-1.0f, 127.0f / 128.0f);
  uint8_t in[18];
  quantize_u8(x, n, in_r, in);
  er_l2norm_attrs attrs = {.activation = ER_ACT_NONE};
  act_case c = {.op = ER_OP_L2_NORMALIZATION,
                .attrs = &attrs,
                .attrs_size = sizeof attrs,
                .in_type = EDGERT_UINT8,
                .out_type = EDGERT_UINT8,
                .ndim = ndim,
                .in_scale = in_r.scale,
                .in_zp = in_r.zp,
                .out_scale = out_r.scale,
                .out_zp = out_r.zp};
  memcpy(c.dims, dims, sizeof(int64_t) * (size_t)ndim);
  return act_run(&c, in, out, (size_t)n);
}

static void test_uint8_exact(void) {
  const float row[6] = {-1.1f, 0.6f, 0.7f, 1.2f, -0.7f, 0.1f};
  const uint8_t want[6] = {58, 166, 173, 205, 83, 134};
  float x[18];
  uint8_t out[18];
  for (int b = 0; b < 3; b++)
    memcpy(x + 6 * b, row, sizeof row);
  CHECK_OK(run_l2norm_uint8(4, (int64_t[]){1, 1, 1, 6}, x, 6, out));
  expect_u8(out, want, 6);
  CHECK_OK(run_l2norm_uint8(4, (int64_t[]){3, 1, 1, 6}, x, 18, out));
  for (int i = 0; i < 18; i++)
    CHECK_EQ_INT(out[i], want[i % 6]);
  const float zeros[6] = {0};
  CHECK_OK(run_l2norm_uint8(4, (int64_t[]){1, 1, 1, 6}, zeros, 6, out));
  expect_u8(out, (const uint8_t[]){128, 128, 128, 128, 128, 128}, 6);
}

/* A fused RELU, an int16 input and a uint8 output off scale 1/128 zero point 128 are refused. */
static void test_bad_inputs_refused(void) {
  float in[6] = {0}, out[6];
  er_l2norm_attrs relu = {.activation = ER_ACT_RELU};
  act_case c = {.op = ER_OP_L2_NORMALIZATION,
                .attrs = &relu,
                .attrs_size = sizeof relu,
                .in_type = EDGERT_FLOAT32,
                .out_type = EDGERT_FLOAT32,
                .ndim = 1,
                .dims = {6}};
  CHECK(act_run(&c, in, out, sizeof out) == EDGERT_ERR_UNSUPPORTED);
  CHECK(run_l2norm(EDGERT_INT16, 1, (int64_t[]){6}, in, out, 12) == EDGERT_ERR_UNSUPPORTED);
  uint8_t inu[6] = {0}, outu[6];
  er_l2norm_attrs none = {.activation = ER_ACT_NONE};
  act_case cu = {.op = ER_OP_L2_NORMALIZATION,
                 .attrs = &none,
                 .attrs_size = sizeof none,
                 .in_type = EDGERT_UINT8,
                 .out_type = EDGERT_UINT8,
                 .ndim = 1,
                 .dims = {6},
                 .in_scale = 4.0f / 255.0f,
                 .in_zp = 128,
                 .out_scale = 1.0f / 128.0f,
                 .out_zp = 0};
  CHECK(act_run(&cu, inu, outu, sizeof outu) == EDGERT_ERR_UNSUPPORTED);
}

void run_tests(void) {
  RUN(test_float);
  RUN(test_int8_exact);
  RUN(test_uint8_exact);
  RUN(test_bad_inputs_refused);
}
