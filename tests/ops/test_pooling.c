/* AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D against TFLite's own kernel tests:
 *   tensorflow/lite/kernels/pooling_test.cc            (float, uint8, int8, int16; exact quantized outputs)
 *   tensorflow/lite/micro/kernels/pooling_test.cc      (int8 and int16 goldens)
 * Quantized inputs there are given as floats over a range; the comments give the scale and zero point
 * that range yields, and the inputs below are those floats quantized. Integer outputs compare exactly. */
#include <string.h>

#include "op_harness.h"

typedef struct {
  er_op op;
  edgert_dtype dtype;
  int64_t in_dims[4];
  float scale;
  int32_t zero_point;
  er_pool_attrs attrs;
} pool_case;

static er_pool_attrs pool_attrs(er_padding padding, int filter, int stride_h, int stride_w,
                                er_activation act) {
  er_pool_attrs a;
  memset(&a, 0, sizeof a);
  a.layout = ER_LAYOUT_NHWC;
  a.padding = padding;
  a.filter_h = a.filter_w = filter;
  a.stride_h = stride_h;
  a.stride_w = stride_w;
  a.activation = act;
  return a;
}

/* Runs one pooling op; on success copies the output (out_bytes) and its shape into out/out_dims. */
static edgert_status run_pool(const pool_case *c, const void *input, void *out, size_t out_bytes,
                              int64_t *out_dims) {
  th_graph *g = th_new();
  int in = th_tensor(g, c->dtype, 4, c->in_dims, NULL);
  int res = th_tensor(g, c->dtype, -1, NULL, NULL);
  if (c->scale > 0) {
    th_quant(g, in, c->scale, c->zero_point);
    th_quant(g, res, c->scale, c->zero_point);
  }
  th_node(g, c->op, &c->attrs, sizeof c->attrs, 1, (int[]){in}, 1, (int[]){res});
  th_io(g, 1, (int[]){in}, 1, (int[]){res});
  edgert_status st = th_run(g, (const void *[]){input});
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.bytes, out_bytes);
    if (info.bytes == out_bytes) memcpy(out, th_output(g, 0), out_bytes);
    for (int i = 0; i < 4 && out_dims; i++)
      out_dims[i] = info.dims[i];
  }
  th_free(g);
  return st;
}

/* The 1x2x4x1 image most TFLite pooling tests use. */
static const float kImage[8] = {0, 6, 2, 4, 3, 2, 10, 7};

static void check_floats(const float *got, const float *want, int n, double tol) {
  for (int i = 0; i < n; i++)
    CHECK_NEAR(got[i], want[i], tol);
}

static void check_dims(const int64_t *got, int64_t n, int64_t h, int64_t w, int64_t c) {
  CHECK_EQ_INT(got[0], n);
  CHECK_EQ_INT(got[1], h);
  CHECK_EQ_INT(got[2], w);
  CHECK_EQ_INT(got[3], c);
}

/* pooling_test.cc FloatPoolingOpTest.AveragePool / AveragePoolPaddingSameStride1 / PaddingValidStride1 */
static void test_average_float_valid_and_same(void) {
  pool_case c = {ER_OP_AVERAGE_POOL_2D,
                 EDGERT_FLOAT32,
                 {1, 2, 4, 1},
                 0,
                 0,
                 pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_NONE)};
  float out[8];
  int64_t dims[4];
  CHECK_OK(run_pool(&c, kImage, out, 2 * sizeof(float), dims));
  check_floats(out, (const float[]){2.75f, 5.75f}, 2, 1e-6);
  check_dims(dims, 1, 1, 2, 1);

  c.attrs = pool_attrs(ER_PAD_SAME, 2, 1, 1, ER_ACT_NONE);
  CHECK_OK(run_pool(&c, kImage, out, 8 * sizeof(float), dims));
  check_floats(out, (const float[]){2.75f, 5.0f, 5.75f, 5.5f, 2.5f, 6.0f, 8.5f, 7.0f}, 8, 1e-6);
  check_dims(dims, 1, 2, 4, 1);

  c.attrs = pool_attrs(ER_PAD_VALID, 2, 1, 1, ER_ACT_NONE);
  CHECK_OK(run_pool(&c, kImage, out, 3 * sizeof(float), dims));
  check_floats(out, (const float[]){2.75f, 5.0f, 5.75f}, 3, 1e-6);
}

/* pooling_test.cc FloatPoolingOpTest.AveragePoolActivationRelu / Relu1 / Relu6 */
static void test_average_float_activations(void) {
  pool_case c = {ER_OP_AVERAGE_POOL_2D,
                 EDGERT_FLOAT32,
                 {1, 2, 4, 1},
                 0,
                 0,
                 pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_RELU)};
  float out[2];
  CHECK_OK(run_pool(&c, (const float[]){0, -6, 2, 4, 3, 2, -10, 7}, out, sizeof out, NULL));
  check_floats(out, (const float[]){0.0f, 0.75f}, 2, 1e-6);

  c.attrs.activation = ER_ACT_RELU_N1_TO_1;
  CHECK_OK(run_pool(&c, (const float[]){0, -6, 2, 4, -3, -2, -10, 7}, out, sizeof out, NULL));
  check_floats(out, (const float[]){-1.0f, 0.75f}, 2, 1e-6);
  CHECK_OK(run_pool(&c, (const float[]){0, -6, -2, -4, -3, -2, 10, -7}, out, sizeof out, NULL));
  check_floats(out, (const float[]){-1.0f, -0.75f}, 2, 1e-6);

  c.attrs.activation = ER_ACT_RELU6;
  CHECK_OK(run_pool(&c, (const float[]){0, -6, 12, 4, -3, -2, 10, 7}, out, sizeof out, NULL));
  check_floats(out, (const float[]){0.0f, 6.0f}, 2, 1e-6);
  CHECK_OK(run_pool(&c, (const float[]){0, 6, 12, 4, 3, 2, 10, 7}, out, sizeof out, NULL));
  check_floats(out, (const float[]){2.75f, 6.0f}, 2, 1e-6);
}

/* pooling_test.cc FloatPoolingOpTest.MaxPool* */
static void test_max_float(void) {
  pool_case c = {
      ER_OP_MAX_POOL_2D, EDGERT_FLOAT32, {1, 2, 4, 1}, 0, 0, pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_NONE)};
  float out[8];
  CHECK_OK(run_pool(&c, kImage, out, 2 * sizeof(float), NULL));
  check_floats(out, (const float[]){6, 10}, 2, 0);

  c.attrs.activation = ER_ACT_RELU;
  CHECK_OK(run_pool(&c, (const float[]){-1, -6, 2, 4, -3, -2, 10.5f, 7}, out, 2 * sizeof(float), NULL));
  check_floats(out, (const float[]){0.0f, 10.5f}, 2, 0);

  c.attrs.activation = ER_ACT_RELU_N1_TO_1;
  CHECK_OK(run_pool(&c, (const float[]){-2.75f, -6, 0.2f, 0.4f, -3, -2, -0.3f, 0.7f}, out, 2 * sizeof(float),
                    NULL));
  check_floats(out, (const float[]){-1.0f, 0.7f}, 2, 0);

  c.attrs.activation = ER_ACT_RELU6;
  CHECK_OK(run_pool(&c, (const float[]){0, 4.5f, 12, 4, 3, 2, 10, 7}, out, 2 * sizeof(float), NULL));
  check_floats(out, (const float[]){4.5f, 6.0f}, 2, 0);

  c.attrs = pool_attrs(ER_PAD_SAME, 2, 1, 1, ER_ACT_NONE);
  CHECK_OK(run_pool(&c, kImage, out, 8 * sizeof(float), NULL));
  check_floats(out, (const float[]){6, 10, 10, 7, 3, 10, 10, 7}, 8, 0);

  c.attrs = pool_attrs(ER_PAD_VALID, 2, 1, 1, ER_ACT_NONE);
  CHECK_OK(run_pool(&c, kImage, out, 3 * sizeof(float), NULL));
  check_floats(out, (const float[]){6, 10, 10}, 3, 0);
}

/* pooling_test.cc FloatPoolingOpTest.L2Pool / L2PoolActivationRelu / L2PoolPaddingSameSlide1 /
 * L2PoolPaddingValidSlide1 */
static void test_l2_float(void) {
  pool_case c = {
      ER_OP_L2_POOL_2D, EDGERT_FLOAT32, {1, 2, 4, 1}, 0, 0, pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_NONE)};
  float out[8];
  CHECK_OK(run_pool(&c, kImage, out, 2 * sizeof(float), NULL));
  check_floats(out, (const float[]){3.5f, 6.5f}, 2, 1e-6);

  c.attrs.activation = ER_ACT_RELU;
  CHECK_OK(run_pool(&c, (const float[]){-1, -6, 2, 4, -3, -2, 10, 7}, out, 2 * sizeof(float), NULL));
  check_floats(out, (const float[]){3.53553f, 6.5f}, 2, 1e-5);

  c.attrs = pool_attrs(ER_PAD_SAME, 2, 1, 1, ER_ACT_NONE);
  CHECK_OK(run_pool(&c, kImage, out, 8 * sizeof(float), NULL));
  check_floats(out, (const float[]){3.5f, 6.0f, 6.5f, 5.70088f, 2.54951f, 7.2111f, 8.63134f, 7.0f}, 8, 1e-4);

  c.attrs = pool_attrs(ER_PAD_VALID, 2, 1, 1, ER_ACT_NONE);
  CHECK_OK(run_pool(&c, kImage, out, 3 * sizeof(float), NULL));
  check_floats(out, (const float[]){3.5f, 6.0f, 6.5f}, 3, 1e-6);
}

/* pooling_test.cc QuantizedPoolingOpTest.AveragePool, AveragePoolPaddingSameStride1 (range [0, 15.9375]:
 * scale 1/16, zero point 0) and AveragePoolActivationRelu / Relu1 / Relu6 (range [-15.9375, 15.9375]:
 * scale 1/8, zero point 128). */
static void test_average_uint8(void) {
  const uint8_t image[8] = {0, 96, 32, 64, 48, 32, 160, 112};
  pool_case c = {ER_OP_AVERAGE_POOL_2D,
                 EDGERT_UINT8,
                 {1, 2, 4, 1},
                 0.0625f,
                 0,
                 pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_NONE)};
  uint8_t out[8];
  CHECK_OK(run_pool(&c, image, out, 2, NULL));
  CHECK_EQ_INT(out[0], 44);
  CHECK_EQ_INT(out[1], 92);

  c.attrs = pool_attrs(ER_PAD_SAME, 2, 1, 1, ER_ACT_NONE);
  CHECK_OK(run_pool(&c, image, out, 8, NULL));
  const uint8_t same[8] = {44, 80, 92, 88, 40, 96, 136, 112};
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], same[i]);

  c.scale = 0.125f;
  c.zero_point = 128;
  c.attrs = pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_RELU);
  /* {0, -6, 2, 4, 3, 2, -10, 7} */
  CHECK_OK(run_pool(&c, (const uint8_t[]){128, 80, 144, 160, 152, 144, 48, 184}, out, 2, NULL));
  CHECK_EQ_INT(out[0], 128);
  CHECK_EQ_INT(out[1], 134);

  c.attrs.activation = ER_ACT_RELU_N1_TO_1;
  /* {0, -6, -2, -4, -3, -2, 10, -7} */
  CHECK_OK(run_pool(&c, (const uint8_t[]){128, 80, 112, 96, 104, 112, 208, 72}, out, 2, NULL));
  CHECK_EQ_INT(out[0], 120);
  CHECK_EQ_INT(out[1], 122);

  c.attrs.activation = ER_ACT_RELU6;
  /* {0, 6, 12, 4, 3, 2, 10, 7} */
  CHECK_OK(run_pool(&c, (const uint8_t[]){128, 176, 224, 160, 152, 144, 208, 184}, out, 2, NULL));
  CHECK_EQ_INT(out[0], 150);
  CHECK_EQ_INT(out[1], 176);
}

/* pooling_test.cc QuantizedPoolingOpTest.SymmetricAveragePool / SymmetricAveragePoolPaddingSameStride1 /
 * PaddingValidStride1: int8 over [0, 15.9375] is scale 1/16, zero point -128. */
static void test_average_int8_zero_point(void) {
  const int8_t image[8] = {-128, -32, -96, -64, -80, -96, 32, -16};
  pool_case c = {ER_OP_AVERAGE_POOL_2D,
                 EDGERT_INT8,
                 {1, 2, 4, 1},
                 0.0625f,
                 -128,
                 pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_NONE)};
  int8_t out[8];
  CHECK_OK(run_pool(&c, image, out, 2, NULL));
  CHECK_EQ_INT(out[0], 44 - 128);
  CHECK_EQ_INT(out[1], 92 - 128);

  c.attrs = pool_attrs(ER_PAD_SAME, 2, 1, 1, ER_ACT_NONE);
  CHECK_OK(run_pool(&c, image, out, 8, NULL));
  const int same[8] = {44, 80, 92, 88, 40, 96, 136, 112};
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], same[i] - 128);

  c.attrs = pool_attrs(ER_PAD_VALID, 2, 1, 1, ER_ACT_NONE);
  CHECK_OK(run_pool(&c, image, out, 3, NULL));
  CHECK_EQ_INT(out[0], 44 - 128);
  CHECK_EQ_INT(out[1], 80 - 128);
  CHECK_EQ_INT(out[2], 92 - 128);
}

/* micro/kernels/pooling_test.cc SimpleAveragePoolTestInt8*: scale 0.25, zero point 0, negative sums
 * round away from zero. The "PaddingSameStride1" golden there is the SAME-padded 2x4 output. */
static void test_average_int8_micro(void) {
  const int8_t image[8] = {0, -24, 8, 16, 12, 8, -40, 28};
  pool_case c = {ER_OP_AVERAGE_POOL_2D,
                 EDGERT_INT8,
                 {1, 2, 4, 1},
                 0.25f,
                 0,
                 pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_NONE)};
  int8_t out[8];
  CHECK_OK(run_pool(&c, image, out, 2, NULL));
  CHECK_EQ_INT(out[0], -1);
  CHECK_EQ_INT(out[1], 3);

  c.attrs = pool_attrs(ER_PAD_VALID, 2, 2, 1, ER_ACT_RELU);
  CHECK_OK(run_pool(&c, image, out, 3, NULL));
  CHECK_EQ_INT(out[0], 0);
  CHECK_EQ_INT(out[1], 0);
  CHECK_EQ_INT(out[2], 3);

  c.attrs = pool_attrs(ER_PAD_VALID, 2, 1, 2, ER_ACT_RELU_N1_TO_1);
  CHECK_OK(run_pool(&c, image, out, 2, NULL));
  CHECK_EQ_INT(out[0], -1);
  CHECK_EQ_INT(out[1], 3);

  c.attrs = pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_RELU6);
  CHECK_OK(run_pool(&c, (const int8_t[]){12, -24, 32, 16, 12, 8, 40, 28}, out, 2, NULL));
  CHECK_EQ_INT(out[0], 2);
  CHECK_EQ_INT(out[1], 24);

  c.attrs = pool_attrs(ER_PAD_SAME, 2, 1, 1, ER_ACT_NONE);
  CHECK_OK(run_pool(&c, (const int8_t[]){12, -24, 32, 16, 12, 8, 40, 28}, out, 8, NULL));
  const int8_t same[8] = {2, 14, 29, 22, 10, 24, 34, 28};
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], same[i]);
}

/* pooling_test.cc QuantizedPoolingOpTest.SymmetricAveragePool16 (scale 1/4096, zero point -32768) and
 * micro/kernels/pooling_test.cc SimpleAveragePoolTestInt16* (scale 0.25, zero point 0). */
static void test_average_int16(void) {
  int16_t image[8];
  for (int i = 0; i < 8; i++)
    image[i] = (int16_t)(kImage[i] * 4096 - 32768);
  pool_case c = {ER_OP_AVERAGE_POOL_2D, EDGERT_INT16, {1, 2, 4, 1},
                 1.0f / 4096,           -32768,       pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_NONE)};
  int16_t out[8];
  CHECK_OK(run_pool(&c, image, out, 4, NULL));
  CHECK_EQ_INT(out[0], (44 - 128) * 256);
  CHECK_EQ_INT(out[1], (92 - 128) * 256);

  c.scale = 0.25f;
  c.zero_point = 0;
  c.attrs = pool_attrs(ER_PAD_VALID, 2, 2, 1, ER_ACT_RELU);
  CHECK_OK(run_pool(&c, (const int16_t[]){0, -24, 8, 16, 12, 8, -40, 28}, out, 6, NULL));
  CHECK_EQ_INT(out[0], 0);
  CHECK_EQ_INT(out[1], 0);
  CHECK_EQ_INT(out[2], 3);

  c.attrs = pool_attrs(ER_PAD_SAME, 2, 1, 1, ER_ACT_NONE);
  CHECK_OK(run_pool(&c, (const int16_t[]){12, -24, 32, 16, 12, 8, 40, 28}, out, 16, NULL));
  const int16_t same[8] = {2, 14, 29, 22, 10, 24, 34, 28};
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], same[i]);
}

/* micro/kernels/pooling_test.cc MaxPoolTestInt8Act* and MaxPoolTestInt16Act*; pooling_test.cc
 * QuantizedUInt8PoolingOpTest.MaxPoolPaddingSameStride1 (scale 1/16, zero point 0). */
static void test_max_integer(void) {
  pool_case c = {
      ER_OP_MAX_POOL_2D, EDGERT_INT8, {1, 2, 4, 1}, 0.5f, 0, pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_RELU)};
  int8_t out8[2];
  CHECK_OK(run_pool(&c, (const int8_t[]){-3, -12, 4, 8, -6, -4, 20, 14}, out8, 2, NULL));
  CHECK_EQ_INT(out8[0], 0);
  CHECK_EQ_INT(out8[1], 20);

  c.scale = 1.0f;
  c.attrs.activation = ER_ACT_RELU_N1_TO_1;
  CHECK_OK(run_pool(&c, (const int8_t[]){-2, -6, -2, -4, -3, -2, 10, 7}, out8, 2, NULL));
  CHECK_EQ_INT(out8[0], -1);
  CHECK_EQ_INT(out8[1], 1);

  c.attrs.activation = ER_ACT_RELU6;
  CHECK_OK(run_pool(&c, (const int8_t[]){0, -6, 12, 4, -3, -2, 10, 7}, out8, 2, NULL));
  CHECK_EQ_INT(out8[0], 0);
  CHECK_EQ_INT(out8[1], 6);

  c.dtype = EDGERT_INT16;
  c.scale = 0.5f;
  c.attrs.activation = ER_ACT_RELU;
  int16_t out16[2];
  CHECK_OK(run_pool(&c, (const int16_t[]){-3, -12, 4, 8, -6, -4, 20, 14}, out16, 4, NULL));
  CHECK_EQ_INT(out16[0], 0);
  CHECK_EQ_INT(out16[1], 20);

  c.dtype = EDGERT_UINT8;
  c.scale = 0.0625f;
  c.attrs = pool_attrs(ER_PAD_SAME, 2, 1, 1, ER_ACT_NONE);
  uint8_t outu[8];
  CHECK_OK(run_pool(&c, (const uint8_t[]){0, 96, 32, 64, 48, 32, 160, 112}, outu, 8, NULL));
  const uint8_t same[8] = {96, 160, 160, 112, 48, 160, 160, 112};
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(outu[i], same[i]);
}

/* The same TFLite average-pool image laid out NCHW with two identical channels gives the same answer
 * per channel and an NCHW output shape. */
static void test_average_nchw(void) {
  float image[16];
  memcpy(image, kImage, sizeof kImage);
  memcpy(image + 8, kImage, sizeof kImage);
  pool_case c = {ER_OP_AVERAGE_POOL_2D,
                 EDGERT_FLOAT32,
                 {1, 2, 2, 4},
                 0,
                 0,
                 pool_attrs(ER_PAD_SAME, 2, 1, 1, ER_ACT_NONE)};
  c.attrs.layout = ER_LAYOUT_NCHW;
  float out[16];
  int64_t dims[4];
  CHECK_OK(run_pool(&c, image, out, sizeof out, dims));
  const float want[8] = {2.75f, 5.0f, 5.75f, 5.5f, 2.5f, 6.0f, 8.5f, 7.0f};
  check_floats(out, want, 8, 1e-6);
  check_floats(out + 8, want, 8, 1e-6);
  check_dims(dims, 1, 2, 2, 4);
}

static void test_rejects_bad_inputs(void) {
  float out[8];
  /* int32 is not a pooling dtype */
  pool_case c = {ER_OP_AVERAGE_POOL_2D,
                 EDGERT_INT32,
                 {1, 2, 4, 1},
                 0,
                 0,
                 pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_NONE)};
  CHECK(run_pool(&c, (const int32_t[8]){0}, out, 8, NULL) == EDGERT_ERR_UNSUPPORTED);
  /* L2 pooling is float only */
  c.op = ER_OP_L2_POOL_2D;
  c.dtype = EDGERT_INT8;
  c.scale = 1.0f;
  CHECK(run_pool(&c, (const int8_t[8]){0}, out, 2, NULL) != EDGERT_OK);
  /* a 3-D input */
  c.op = ER_OP_MAX_POOL_2D;
  c.dtype = EDGERT_FLOAT32;
  c.scale = 0;
  th_graph *g = th_new();
  int in = th_tensor(g, EDGERT_FLOAT32, 3, (const int64_t[]){2, 4, 1}, NULL);
  int res = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  th_node(g, ER_OP_MAX_POOL_2D, &c.attrs, sizeof c.attrs, 1, (int[]){in}, 1, (int[]){res});
  th_io(g, 1, (int[]){in}, 1, (int[]){res});
  CHECK(th_run(g, (const void *[]){kImage}) == EDGERT_ERR_SHAPE);
  th_free(g);
  /* a filter larger than the image with VALID padding, and a zero stride */
  c.attrs = pool_attrs(ER_PAD_VALID, 3, 1, 1, ER_ACT_NONE);
  CHECK(run_pool(&c, kImage, out, 0, NULL) == EDGERT_ERR_SHAPE);
  c.attrs = pool_attrs(ER_PAD_VALID, 2, 0, 1, ER_ACT_NONE);
  CHECK(run_pool(&c, kImage, out, 0, NULL) != EDGERT_OK);
  /* explicit padding as wide as the filter leaves an empty window */
  c.attrs = pool_attrs(ER_PAD_EXPLICIT, 2, 1, 1, ER_ACT_NONE);
  c.attrs.pads[0] = 2;
  CHECK(run_pool(&c, kImage, out, 0, NULL) == EDGERT_ERR_SHAPE);
}

/* int8 pooling does not rescale: differing input and output quantization is refused. */
static void test_rejects_rescale(void) {
  th_graph *g = th_new();
  int in = th_tensor(g, EDGERT_INT8, 4, (const int64_t[]){1, 2, 4, 1}, NULL);
  int res = th_tensor(g, EDGERT_INT8, -1, NULL, NULL);
  th_quant(g, in, 0.5f, 0);
  th_quant(g, res, 0.25f, 0);
  er_pool_attrs a = pool_attrs(ER_PAD_VALID, 2, 2, 2, ER_ACT_NONE);
  th_node(g, ER_OP_AVERAGE_POOL_2D, &a, sizeof a, 1, (int[]){in}, 1, (int[]){res});
  th_io(g, 1, (int[]){in}, 1, (int[]){res});
  CHECK(th_run(g, (const void *[]){(const int8_t[8]){0}}) == EDGERT_ERR_UNSUPPORTED);
  th_free(g);
}

void run_tests(void) {
  RUN(test_average_float_valid_and_same);
  RUN(test_average_float_activations);
  RUN(test_max_float);
  RUN(test_l2_float);
  RUN(test_average_uint8);
  RUN(test_average_int8_zero_point);
  RUN(test_average_int8_micro);
  RUN(test_average_int16);
  RUN(test_max_integer);
  RUN(test_average_nchw);
  RUN(test_rejects_bad_inputs);
  RUN(test_rejects_rescale);
}
