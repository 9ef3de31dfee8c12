/* MEAN, SUM, REDUCE_MAX, REDUCE_MIN and REDUCE_PROD against TFLite's own kernel tests:
 *   tensorflow/lite/micro/kernels/reduce_test.cc  (float goldens; int8/int16 goldens at scale 0.5 / 1.0 /
 * 0.7) tensorflow/lite/kernels/reduce_test.cc        (min/max axes with duplicates and negatives, empty
 * inputs) The micro tests quantize their float goldens and accept +-1; the integer checks here are exact.
 * Where TFLite's integer arithmetic lands on a different neighbour than rounding the float golden would (a
 * truncating division), the comment says so and the expected value is TFLite's.
 * uint8 comes from tensorflow/lite/kernels/reduce_test.cc (TFLM has no uint8 reductions): its
 * ConstUint8MeanOpTest / ConstFloatMeanOpTest ...UInt8 / ConstUint8SumOpTest cases, quantized as its
 * test_util.h does; the Rounding case gives integers, compared exactly, the others dequantized goldens,
 * checked within the test's own GetTolerance(min, max) = (max - min) / 255. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "op_harness.h"
#include "uint8_test.h"

typedef struct {
  er_op op;
  edgert_dtype dtype;
  int ndim;
  int64_t dims[4];
  int n_axes;
  int32_t axes[4];
  bool keep_dims;
  float in_scale, out_scale; /* 0: not quantized */
  int32_t in_zp, out_zp;
} reduce_case;

/* Runs one reduction; checks the output shape against want_dims (want_ndim entries) and copies
 * out_bytes of output into out. */
static edgert_status run_reduce(const reduce_case *c, const void *input, void *out, size_t out_bytes,
                                int want_ndim, const int64_t *want_dims) {
  th_graph *g = th_new();
  int in = th_tensor(g, c->dtype, c->ndim, c->dims, NULL);
  int axes = th_tensor(g, EDGERT_INT32, 1, (const int64_t[]){c->n_axes}, c->axes);
  int res = th_tensor(g, c->dtype, -1, NULL, NULL);
  if (c->in_scale > 0) th_quant(g, in, c->in_scale, c->in_zp);
  if (c->out_scale > 0) th_quant(g, res, c->out_scale, c->out_zp);
  er_reduce_attrs a = {c->keep_dims};
  th_node(g, c->op, &a, sizeof a, 2, (int[]){in, axes}, 1, (int[]){res});
  th_io(g, 1, (int[]){in}, 1, (int[]){res});
  edgert_status st = th_run(g, (const void *[]){input});
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.ndim, want_ndim);
    for (int i = 0; i < want_ndim && i < info.ndim; i++)
      CHECK_EQ_INT(info.dims[i], want_dims[i]);
    CHECK_EQ_INT(info.bytes, out_bytes);
    if (info.bytes == out_bytes && out_bytes) memcpy(out, th_output(g, 0), out_bytes);
  } else {
    printf("  (status %d: %s)\n", (int)st, th_error(g));
  }
  th_free(g);
  return st;
}

/* micro reduce_test.cc kInputData4D: 1..24 as [2, 2, 3, 2] */
static float k24[24];
static int32_t k24_i32[24];
static int64_t k24_i64[24];

static void fill_ramps(void) {
  for (int i = 0; i < 24; i++) {
    k24[i] = (float)(i + 1);
    k24_i32[i] = i + 1;
    k24_i64[i] = i + 1;
  }
}

static void check_floats(const float *got, const float *want, int n, double tol) {
  for (int i = 0; i < n; i++)
    CHECK_NEAR(got[i], want[i], tol);
}

/* ---- float ---- */

/* micro reduce_test.cc MeanFloat2DKeepDims, MeanFloat4DKeepDims, MeanFloat4DWithoutKeepDims,
 * MeanFloat4DWithoutKeepDimsWithPrecision */
static void test_mean_float(void) {
  float out[4];
  reduce_case c = {ER_OP_MEAN, EDGERT_FLOAT32, 2, {2, 4}, 1, {1}, true, 0, 0, 0, 0};
  CHECK_OK(run_reduce(&c, k24, out, 2 * sizeof(float), 2, (const int64_t[]){2, 1}));
  check_floats(out, (const float[]){2.5f, 6.5f}, 2, 1e-5);

  reduce_case c4 = {ER_OP_MEAN, EDGERT_FLOAT32, 4, {2, 2, 3, 2}, 2, {1, 2}, true, 0, 0, 0, 0};
  CHECK_OK(run_reduce(&c4, k24, out, 4 * sizeof(float), 4, (const int64_t[]){2, 1, 1, 2}));
  check_floats(out, (const float[]){6, 7, 18, 19}, 4, 1e-5);
  c4.keep_dims = false;
  CHECK_OK(run_reduce(&c4, k24, out, 4 * sizeof(float), 2, (const int64_t[]){2, 2}));
  check_floats(out, (const float[]){6, 7, 18, 19}, 4, 1e-5);

  reduce_case p = {ER_OP_MEAN, EDGERT_FLOAT32, 4, {2, 2, 3, 1}, 2, {1, 2}, false, 0, 0, 0, 0};
  const float data[12] = {1.0f, 24.0f, 13.0f, 3.0f, 9.0f, 17.0f, 11.0f, 36.0f, 14.0f, 19.0f, 17.0f, 22.0f};
  CHECK_OK(run_reduce(&p, data, out, 2 * sizeof(float), 2, (const int64_t[]){2, 1}));
  check_floats(out, (const float[]){11.166667f, 19.833334f}, 2, 1e-5);
}

/* micro reduce_test.cc SumFloatFlatten2ReduceDims, SumFloatFlatten2NonReduceDims, SumFloat4DKeepDims */
static void test_sum_float(void) {
  float out[12];
  reduce_case c = {ER_OP_SUM, EDGERT_FLOAT32, 3, {4, 3, 2}, 2, {2, 1}, false, 0, 0, 0, 0};
  CHECK_OK(run_reduce(&c, k24, out, 4 * sizeof(float), 1, (const int64_t[]){4}));
  check_floats(out, (const float[]){21, 57, 93, 129}, 4, 1e-5);

  c.n_axes = 1;
  c.axes[0] = 2;
  CHECK_OK(run_reduce(&c, k24, out, 12 * sizeof(float), 2, (const int64_t[]){4, 3}));
  check_floats(out, (const float[]){3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 43, 47}, 12, 1e-5);

  reduce_case c4 = {ER_OP_SUM, EDGERT_FLOAT32, 4, {2, 2, 3, 2}, 2, {1, 2}, true, 0, 0, 0, 0};
  CHECK_OK(run_reduce(&c4, k24, out, 4 * sizeof(float), 4, (const int64_t[]){2, 1, 1, 2}));
  check_floats(out, (const float[]){36, 42, 108, 114}, 4, 1e-5);
}

/* reduce_test.cc ConstFloatMaxOpTest / ConstFloatMinOpTest NotKeepDims (axes {1, 0, -3, -3}: negative
 * and repeated) and KeepDims (axes {0, 2}) */
static void test_max_min_float(void) {
  float out[3];
  reduce_case c = {ER_OP_REDUCE_MAX, EDGERT_FLOAT32, 3, {4, 3, 2}, 4, {1, 0, -3, -3}, false, 0, 0, 0, 0};
  CHECK_OK(run_reduce(&c, k24, out, 2 * sizeof(float), 1, (const int64_t[]){2}));
  check_floats(out, (const float[]){23, 24}, 2, 0);
  c.op = ER_OP_REDUCE_MIN;
  CHECK_OK(run_reduce(&c, k24, out, 2 * sizeof(float), 1, (const int64_t[]){2}));
  check_floats(out, (const float[]){1, 2}, 2, 0);

  reduce_case k = {ER_OP_REDUCE_MAX, EDGERT_FLOAT32, 3, {4, 3, 2}, 2, {0, 2}, true, 0, 0, 0, 0};
  CHECK_OK(run_reduce(&k, k24, out, 3 * sizeof(float), 3, (const int64_t[]){1, 3, 1}));
  check_floats(out, (const float[]){20, 22, 24}, 3, 0);
  k.op = ER_OP_REDUCE_MIN;
  CHECK_OK(run_reduce(&k, k24, out, 3 * sizeof(float), 3, (const int64_t[]){1, 3, 1}));
  check_floats(out, (const float[]){1, 3, 5}, 3, 0);
}

/* micro reduce_test.cc ProdFloatSmallInput, ProdFloatFlatten2ReduceDims, ProdFloat4DKeepDims,
 * ProdFloat2DRedundantDims */
static void test_prod_float(void) {
  float out[6];
  const float small[24] = {1.0, 2.0, 3.0, 4.0, 8.0, 7.0, 6.0, 5.0, 10.0, 9.0, 11.0, 12.0,
                           1.0, 2.0, 3.0, 4.0, 8.0, 7.0, 6.0, 5.0, 10.0, 9.0, 11.0, 12.0};
  reduce_case c = {ER_OP_REDUCE_PROD, EDGERT_FLOAT32, 4, {3, 2, 2, 2}, 2, {2, 3}, false, 0, 0, 0, 0};
  CHECK_OK(run_reduce(&c, small, out, 6 * sizeof(float), 2, (const int64_t[]){3, 2}));
  check_floats(out, (const float[]){24, 1680, 11880, 24, 1680, 11880}, 6, 1e-3);

  reduce_case f = {ER_OP_REDUCE_PROD, EDGERT_FLOAT32, 3, {4, 3, 2}, 2, {2, 1}, false, 0, 0, 0, 0};
  CHECK_OK(run_reduce(&f, k24, out, 4 * sizeof(float), 1, (const int64_t[]){4}));
  check_floats(out, (const float[]){720.0f, 665280.0f, 13366080.0f, 96909120.0f}, 4, 1e-6 * 96909120.0);

  reduce_case k = {ER_OP_REDUCE_PROD, EDGERT_FLOAT32, 4, {2, 2, 3, 2}, 2, {1, 2}, true, 0, 0, 0, 0};
  CHECK_OK(run_reduce(&k, k24, out, 4 * sizeof(float), 4, (const int64_t[]){2, 1, 1, 2}));
  check_floats(out, (const float[]){1.0395000e+04f, 4.6080000e+04f, 3.0421756e+07f, 4.2577920e+07f}, 4, 50.0);

  reduce_case r = {ER_OP_REDUCE_PROD, EDGERT_FLOAT32, 3, {1, 2, 4}, 1, {1}, false, 0, 0, 0, 0};
  CHECK_OK(run_reduce(&r, k24, out, 4 * sizeof(float), 2, (const int64_t[]){1, 4}));
  check_floats(out, (const float[]){5, 12, 21, 32}, 4, 0);
}

/* reduce_test.cc Const*Op*EmptyInputButScalarOutput: input [0], axis {0}. */
static void test_empty_input_float(void) {
  reduce_case c = {ER_OP_REDUCE_MIN, EDGERT_FLOAT32, 1, {0}, 1, {0}, false, 0, 0, 0, 0};
  float out;
  CHECK_OK(run_reduce(&c, k24, &out, sizeof out, 0, NULL));
  CHECK(out == FLT_MAX);
  c.op = ER_OP_REDUCE_MAX;
  CHECK_OK(run_reduce(&c, k24, &out, sizeof out, 0, NULL));
  CHECK(out == -FLT_MAX);
  c.op = ER_OP_REDUCE_PROD;
  CHECK_OK(run_reduce(&c, k24, &out, sizeof out, 0, NULL));
  CHECK(out == 1.0f);
  c.op = ER_OP_SUM;
  CHECK_OK(run_reduce(&c, k24, &out, sizeof out, 0, NULL));
  CHECK(out == 0.0f);
  c.op = ER_OP_MEAN;
  CHECK_OK(run_reduce(&c, k24, &out, sizeof out, 0, NULL));
  CHECK(isnan(out));
}

/* ---- int32 / int64 ---- */

/* reduce_test.cc ConstInt32{Min,Max,Prod,Sum,Mean}OpTest.EmptyInputButScalarOutput */
static void test_empty_input_int32(void) {
  reduce_case c = {ER_OP_REDUCE_MIN, EDGERT_INT32, 1, {0}, 1, {0}, false, 0, 0, 0, 0};
  int32_t out;
  CHECK_OK(run_reduce(&c, k24_i32, &out, sizeof out, 0, NULL));
  CHECK_EQ_INT(out, 2147483647);
  c.op = ER_OP_REDUCE_MAX;
  CHECK_OK(run_reduce(&c, k24_i32, &out, sizeof out, 0, NULL));
  CHECK_EQ_INT(out, -2147483647 - 1);
  c.op = ER_OP_REDUCE_PROD;
  CHECK_OK(run_reduce(&c, k24_i32, &out, sizeof out, 0, NULL));
  CHECK_EQ_INT(out, 1);
  c.op = ER_OP_SUM;
  CHECK_OK(run_reduce(&c, k24_i32, &out, sizeof out, 0, NULL));
  CHECK_EQ_INT(out, 0);
  c.op = ER_OP_MEAN; /* numeric_limits<int32_t>::quiet_NaN() is 0 */
  CHECK_OK(run_reduce(&c, k24_i32, &out, sizeof out, 0, NULL));
  CHECK_EQ_INT(out, 0);
}

/* The micro float vectors above are whole numbers, so int32 and int64 tensors give the same goldens;
 * MeanFloat4DWithoutKeepDimsWithPrecision's 67 / 6 and 119 / 6 truncate in TFLite's integer Mean. */
static void test_int32_int64(void) {
  int32_t o32[4];
  reduce_case c = {ER_OP_MEAN, EDGERT_INT32, 4, {2, 2, 3, 2}, 2, {1, 2}, false, 0, 0, 0, 0};
  CHECK_OK(run_reduce(&c, k24_i32, o32, sizeof o32, 2, (const int64_t[]){2, 2}));
  const int32_t mean[4] = {6, 7, 18, 19};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(o32[i], mean[i]);
  c.op = ER_OP_SUM;
  CHECK_OK(run_reduce(&c, k24_i32, o32, sizeof o32, 2, (const int64_t[]){2, 2}));
  const int32_t sum[4] = {36, 42, 108, 114};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(o32[i], sum[i]);

  reduce_case p = {ER_OP_MEAN, EDGERT_INT32, 4, {2, 2, 3, 1}, 2, {1, 2}, false, 0, 0, 0, 0};
  const int32_t data[12] = {1, 24, 13, 3, 9, 17, 11, 36, 14, 19, 17, 22};
  CHECK_OK(run_reduce(&p, data, o32, 2 * sizeof(int32_t), 2, (const int64_t[]){2, 1}));
  CHECK_EQ_INT(o32[0], 11);
  CHECK_EQ_INT(o32[1], 19);

  int64_t o64[4];
  reduce_case q = {ER_OP_REDUCE_PROD, EDGERT_INT64, 3, {4, 3, 2}, 2, {2, 1}, false, 0, 0, 0, 0};
  CHECK_OK(run_reduce(&q, k24_i64, o64, sizeof o64, 1, (const int64_t[]){4}));
  const int64_t prod[4] = {720, 665280, 13366080, 96909120};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(o64[i], prod[i]);
  q.op = ER_OP_REDUCE_MAX;
  q.n_axes = 4;
  memcpy(q.axes, (const int32_t[]){1, 0, -3, -3}, sizeof q.axes);
  CHECK_OK(run_reduce(&q, k24_i64, o64, 2 * sizeof(int64_t), 1, (const int64_t[]){2}));
  CHECK_EQ_INT(o64[0], 23);
  CHECK_EQ_INT(o64[1], 24);
}

/* ---- int8 / int16 ---- */

static void quantize_ramp(int8_t *q8, int16_t *q16, const float *x, int n, float scale) {
  for (int i = 0; i < n; i++) {
    int v = (int)lroundf(x[i] / scale);
    if (q8) q8[i] = (int8_t)v;
    if (q16) q16[i] = (int16_t)v;
  }
}

/* micro reduce_test.cc MeanInt84DKeepDims (the rounded 4-D axes {1, 2} path), MeanInt84DWithoutKeepDims
 * and MeanInt162DKeepDims (same scale: truncating), scale 0.5 in and out. */
static void test_mean_int8_int16_same_scale(void) {
  int8_t in8[24], o8[4];
  int16_t in16[24], o16[4];
  quantize_ramp(in8, in16, k24, 24, 0.5f);
  reduce_case c = {ER_OP_MEAN, EDGERT_INT8, 4, {2, 2, 3, 2}, 2, {1, 2}, true, 0.5f, 0.5f, 0, 0};
  CHECK_OK(run_reduce(&c, in8, o8, 4, 4, (const int64_t[]){2, 1, 1, 2}));
  const int mean[4] = {12, 14, 36, 38}; /* {6, 7, 18, 19} / 0.5 */
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(o8[i], mean[i]);
  c.keep_dims = false;
  CHECK_OK(run_reduce(&c, in8, o8, 4, 2, (const int64_t[]){2, 2}));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(o8[i], mean[i]);
  c.dtype = EDGERT_INT16;
  CHECK_OK(run_reduce(&c, in16, o16, 8, 2, (const int64_t[]){2, 2}));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(o16[i], mean[i]);

  reduce_case c2 = {ER_OP_MEAN, EDGERT_INT16, 2, {2, 4}, 1, {1}, true, 0.5f, 0.5f, 0, 0};
  CHECK_OK(run_reduce(&c2, in16, o16, 4, 2, (const int64_t[]){2, 1}));
  CHECK_EQ_INT(o16[0], 5); /* 2.5 / 0.5 */
  CHECK_EQ_INT(o16[1], 13);
}

/* micro reduce_test.cc MeanInt84DWithoutKeepDimsWithPrecision: goldens {11.166667, 19.833334} at scale 0.5
 * are 22.33 and 39.67. TFLite's same-scale integer Mean truncates the int32 sum / count: 134 / 6 = 22 and
 * 238 / 6 = 39 (the micro test accepts 39 against its rounded 40). */
static void test_mean_int8_truncates(void) {
  const float data[12] = {1.0f, 24.0f, 13.0f, 3.0f, 9.0f, 17.0f, 11.0f, 36.0f, 14.0f, 19.0f, 17.0f, 22.0f};
  int8_t in8[12], o8[2];
  quantize_ramp(in8, NULL, data, 12, 0.5f);
  reduce_case c = {ER_OP_MEAN, EDGERT_INT8, 4, {2, 2, 3, 1}, 2, {1, 2}, false, 0.5f, 0.5f, 0, 0};
  CHECK_OK(run_reduce(&c, in8, o8, 2, 2, (const int64_t[]){2, 1}));
  CHECK_EQ_INT(o8[0], 22);
  CHECK_EQ_INT(o8[1], 39);
}

/* micro reduce_test.cc MeanInt164DWithoutKeepDimsDifferentScaleAndZeroPoint: input scale 0.5, output 0.7,
 * goldens {6, 7, 18, 19} / 0.7 = {8.57, 10, 25.71, 27.14}. The int8 run uses the same vectors. */
static void test_mean_rescaled(void) {
  int8_t in8[24], o8[4];
  int16_t in16[24], o16[4];
  quantize_ramp(in8, in16, k24, 24, 0.5f);
  const int want[4] = {9, 10, 26, 27};
  reduce_case c = {ER_OP_MEAN, EDGERT_INT16, 4, {2, 2, 3, 2}, 2, {1, 2}, false, 0.5f, 0.7f, 0, 0};
  CHECK_OK(run_reduce(&c, in16, o16, 8, 2, (const int64_t[]){2, 2}));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(o16[i], want[i]);
  c.dtype = EDGERT_INT8;
  CHECK_OK(run_reduce(&c, in8, o8, 4, 2, (const int64_t[]){2, 2}));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(o8[i], want[i]);
}

/* micro reduce_test.cc SumInt84DKeepDims (scale 1), SumInt164DKeepDims (scale 0.5),
 * SumInt164DWithoutKeepDimsDifferentScaleAndZeroPoint (0.5 -> 0.7: {36, 42, 108, 114} / 0.7). */
static void test_sum_int8_int16(void) {
  int8_t in8[24], o8[4];
  int16_t in16[24], o16[4];
  quantize_ramp(in8, NULL, k24, 24, 1.0f);
  reduce_case c = {ER_OP_SUM, EDGERT_INT8, 4, {2, 2, 3, 2}, 2, {1, 2}, true, 1.0f, 1.0f, 0, 0};
  CHECK_OK(run_reduce(&c, in8, o8, 4, 4, (const int64_t[]){2, 1, 1, 2}));
  const int sum[4] = {36, 42, 108, 114};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(o8[i], sum[i]);

  quantize_ramp(NULL, in16, k24, 24, 0.5f);
  c.dtype = EDGERT_INT16;
  c.in_scale = c.out_scale = 0.5f;
  CHECK_OK(run_reduce(&c, in16, o16, 8, 4, (const int64_t[]){2, 1, 1, 2}));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(o16[i], 2 * sum[i]);

  c.keep_dims = false;
  c.out_scale = 0.7f;
  CHECK_OK(run_reduce(&c, in16, o16, 8, 2, (const int64_t[]){2, 2}));
  const int rescaled[4] = {51, 60, 154, 163};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(o16[i], rescaled[i]);
}

/* ---- int8 / int16 cases of tensorflow/lite/kernels/reduce_test.cc ----
 * Its goldens are floats checked within (max - min) / 255 (int8) or / 65536 (int16); the exact integers
 * below are what TensorFlow Lite itself returns for the same inputs (its WebAssembly build,
 * @tensorflow/tfjs-tflite 0.0.1-alpha.10, the reference of tests/tflite_ops/test_ops_vs_tflite.py), and
 * are within those tolerances of the goldens. Inputs are quantized as TFLite's test_util does. */

static void quantize_tfl(const float *x, int n, float min, float max, edgert_dtype type, void *q,
                         float *scale, int32_t *zp) {
  int32_t v[64];
  int32_t qmin = type == EDGERT_INT8 ? -128 : -32768, qmax = type == EDGERT_INT8 ? 127 : 32767;
  tfl_quant_params(min, max, qmin, qmax, scale, zp);
  tfl_quantize(x, n, *scale, *zp, qmin, qmax, v);
  if (type == EDGERT_INT8)
    to_i8(v, n, q);
  else
    to_i16(v, n, q);
}

/* ConstInt8SumOpTest.Rescale: [-1, 1] -> [-5, 5], sums {1.2, 0.9}; TFLite's float QuantizedMeanOrSum. */
static void test_sum_int8_rescale(void) {
  const float data[6] = {0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.3f};
  int8_t in[6], out[2];
  float in_scale, out_scale, dummy[1] = {0};
  int32_t in_zp, out_zp;
  quantize_tfl(data, 6, -1.0f, 1.0f, EDGERT_INT8, in, &in_scale, &in_zp);
  quantize_tfl(dummy, 0, -5.0f, 5.0f, EDGERT_INT8, out, &out_scale, &out_zp);
  reduce_case c = {ER_OP_SUM, EDGERT_INT8, 3, {1, 3, 2}, 1, {1}, false, in_scale, out_scale, in_zp, out_zp};
  CHECK_OK(run_reduce(&c, in, out, 2, 2, (const int64_t[]){1, 2}));
  const float want[2] = {1.2f, 0.9f};
  const int tflite[2] = {31, 23};
  for (int i = 0; i < 2; i++) {
    CHECK_NEAR(out_scale * (float)(out[i] - out_zp), want[i], 10.0 / 255);
    CHECK_EQ_INT(out[i], tflite[i]);
  }
}

/* ConstMeanOpTestNonSameScale (axes {1, 3} of [1, 1, 2, 4], means {0.25, 0.65}): int8 [-1, 1] -> [-5, 5]
 * is the float QuantizedMeanOrSum; int16 (scale 1 / 32767 in and out) is the truncating integer mean. */
static void test_mean_non_same_scale(void) {
  const float data[8] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
  const float want[2] = {0.25f, 0.65f};
  int8_t in8[8], o8[2];
  float in_scale, out_scale, dummy[1] = {0};
  int32_t in_zp, out_zp;
  quantize_tfl(data, 8, -1.0f, 1.0f, EDGERT_INT8, in8, &in_scale, &in_zp);
  quantize_tfl(dummy, 0, -5.0f, 5.0f, EDGERT_INT8, o8, &out_scale, &out_zp);
  reduce_case c = {ER_OP_MEAN, EDGERT_INT8, 4,         {1, 1, 2, 4}, 2,     {1, 3},
                   false,      in_scale,    out_scale, in_zp,        out_zp};
  CHECK_OK(run_reduce(&c, in8, o8, 2, 2, (const int64_t[]){1, 2}));
  const int tflite8[2] = {6, 17};
  for (int i = 0; i < 2; i++) {
    CHECK_NEAR(out_scale * (float)(o8[i] - out_zp), want[i], 10.0 / 255);
    CHECK_EQ_INT(o8[i], tflite8[i]);
  }

  const float scale16 = 1 / 32767.f;
  int16_t in16[8], o16[2];
  int32_t q[8];
  tfl_quantize(data, 8, scale16, 0, -32768, 32767, q);
  to_i16(q, 8, in16);
  reduce_case c16 = {ER_OP_MEAN, EDGERT_INT16, 4, {1, 1, 2, 4}, 2, {1, 3}, false, scale16, scale16, 0, 0};
  CHECK_OK(run_reduce(&c16, in16, o16, 4, 2, (const int64_t[]){1, 2}));
  const int tflite16[2] = {8191, 21298}; /* 32767 / 4 = 8191.75 truncates */
  for (int i = 0; i < 2; i++) {
    CHECK_NEAR(scale16 * (float)o16[i], want[i], 10.0 / 65536);
    CHECK_EQ_INT(o16[i], tflite16[i]);
  }
}

static const float k36[36] = {0.1f, 0.2f, 0.3f, 0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.1f, 0.1f, 0.1f, 0.1f,
                              0.4f, 0.2f, 0.2f, 0.2f, 0.9f, 0.9f, 0.9f, 0.9f, 0.2f, 0.3f, 0.7f, 0.7f,
                              0.1f, 0.1f, 0.3f, 0.3f, 0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f};
static const float k36_mean[9] = {0.35f, 0.325f, 0.2f, 0.35f, 0.375f, 0.325f, 0.225f, 0.45f, 0.425f};

/* MeanOpTestQuantizedDifferentScale, int16 (scale 1 / 32767 in and out): axes {1, 2} of a 4-D input with
 * keep_dims, but TFLite's int16 MEAN has no spatial special case, so equal scales truncate. */
static void test_mean_4d_int16_truncates(void) {
  const float scale16 = 1 / 32767.f;
  int16_t in[36], out[9];
  int32_t q[36];
  tfl_quantize(k36, 36, scale16, 0, -32768, 32767, q);
  to_i16(q, 36, in);
  reduce_case c = {ER_OP_MEAN, EDGERT_INT16, 4, {1, 2, 2, 9}, 2, {1, 2}, true, scale16, scale16, 0, 0};
  CHECK_OK(run_reduce(&c, in, out, sizeof out, 4, (const int64_t[]){1, 1, 1, 9}));
  const int tflite[9] = {11468, 10649, 6553, 11468, 12287, 10649, 7372, 14745, 13926};
  for (int i = 0; i < 9; i++) {
    CHECK_NEAR(scale16 * (float)out[i], k36_mean[i], 10.0 / 65536);
    CHECK_EQ_INT(out[i], tflite[i]);
  }
}

/* MeanOpTestQuantizedDifferentScale ([-1, 1] -> [-4, 4]) and KeepDims4DMeanLargeDepthInt8-style same
 * scale ([-1, 1]), int8: TFLite's spatial integer Mean. Its WebAssembly build hands these to XNNPACK, so
 * only the test's tolerance, 10 / 255, is checked. */
static void test_mean_4d_int8(void) {
  int8_t in[36], out[9];
  float in_scale, out_scale, dummy[1] = {0};
  int32_t in_zp, out_zp;
  quantize_tfl(k36, 36, -1.0f, 1.0f, EDGERT_INT8, in, &in_scale, &in_zp);
  const float out_max[2] = {4.0f, 1.0f};
  for (int k = 0; k < 2; k++) {
    quantize_tfl(dummy, 0, -out_max[k], out_max[k], EDGERT_INT8, out, &out_scale, &out_zp);
    reduce_case c = {ER_OP_MEAN, EDGERT_INT8, 4,         {1, 2, 2, 9}, 2,     {1, 2},
                     true,       in_scale,    out_scale, in_zp,        out_zp};
    CHECK_OK(run_reduce(&c, in, out, sizeof out, 4, (const int64_t[]){1, 1, 1, 9}));
    for (int i = 0; i < 9; i++)
      CHECK_NEAR(out_scale * (float)(out[i] - out_zp), k36_mean[i], 10.0 / 255);
  }
}

/* reduce_test.cc Const{Int8,Int16}MaxOpTest/MinOpTest KeepDims pattern: raw compares over axis 1 of
 * {0.4, 0.2, 0.3, 0.4, 0.5, 0.6} as [3, 2] give {0.4, 0.4, 0.6} / {0.2, 0.3, 0.5}; micro
 * Int8MaxOpTestKeepDims uses scale 2/255. */
static void test_max_min_int8_int16(void) {
  const float data[6] = {0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
  const float scale = 2.0f / 255.0f;
  int8_t in8[6], o8[3];
  int16_t in16[6], o16[3];
  quantize_ramp(in8, NULL, data, 6, scale);
  reduce_case c = {ER_OP_REDUCE_MIN, EDGERT_INT8, 2, {3, 2}, 1, {1}, true, scale, scale, 0, 0};
  CHECK_OK(run_reduce(&c, in8, o8, 3, 2, (const int64_t[]){3, 1}));
  CHECK_EQ_INT(o8[0], in8[1]);
  CHECK_EQ_INT(o8[1], in8[2]);
  CHECK_EQ_INT(o8[2], in8[4]);
  c.op = ER_OP_REDUCE_MAX;
  CHECK_OK(run_reduce(&c, in8, o8, 3, 2, (const int64_t[]){3, 1}));
  CHECK_EQ_INT(o8[0], in8[0]);
  CHECK_EQ_INT(o8[1], in8[3]);
  CHECK_EQ_INT(o8[2], in8[5]);

  /* micro Int8MaxOpTestWithoutKeepDims: [1, 3, 2] over axis 1 -> {0.5, 0.6} */
  reduce_case w = {ER_OP_REDUCE_MAX, EDGERT_INT8, 3, {1, 3, 2}, 1, {1}, false, scale, scale, 0, 0};
  int8_t two[2];
  CHECK_OK(run_reduce(&w, in8, two, 2, 2, (const int64_t[]){1, 2}));
  CHECK_EQ_INT(two[0], in8[4]);
  CHECK_EQ_INT(two[1], in8[5]);

  quantize_ramp(NULL, in16, data, 6, 1.0f / 32768);
  c.dtype = EDGERT_INT16;
  c.in_scale = c.out_scale = 1.0f / 32768;
  CHECK_OK(run_reduce(&c, in16, o16, 6, 2, (const int64_t[]){3, 1}));
  CHECK_EQ_INT(o16[0], in16[0]);
  CHECK_EQ_INT(o16[1], in16[3]);
  CHECK_EQ_INT(o16[2], in16[5]);
}

/* micro reduce_test.cc ProdInt84DKeepDims: scale 1, products of 1..24 far beyond int8 saturate at 127.
 * reduce_test.cc ConstInt16ProdOpTest.NotKeepDimsSmall: 24 values in [-1.3, 1.3] (int16 symmetric scale
 * 1.3/32767), product over axes {1, 0, -3, -3} = -+0.0062270208, the output range itself (+-32767). TFLite
 * rescales after every multiply and its test allows 2 steps per reduced element (24 steps); that
 * tolerance is kept here since no exact TFLite output is published. */
static void test_prod_quantized(void) {
  int8_t in8[24], o8[4];
  quantize_ramp(in8, NULL, k24, 24, 1.0f);
  reduce_case c = {ER_OP_REDUCE_PROD, EDGERT_INT8, 4, {2, 2, 3, 2}, 2, {1, 2}, true, 1.0f, 1.0f, 0, 0};
  CHECK_OK(run_reduce(&c, in8, o8, 4, 4, (const int64_t[]){2, 1, 1, 2}));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(o8[i], 127);

  const float small[24] = {-1.3f, -1.2f, -1.1f, -1.0f, -0.9f, -0.8f, -0.7f, -0.6f, -0.5f, -0.4f, -0.3f, -0.2f,
                           -0.2f, 0.3f,  0.4f,  0.5f,  0.6f,  0.7f,  0.8f,  0.9f,  1.0f,  1.1f,  1.2f,  1.3f};
  const float in_scale = 1.3f / 32767, out_scale = 0.0062270208f / 32767;
  int16_t in16[24], o16[2];
  quantize_ramp(NULL, in16, small, 24, in_scale);
  reduce_case p = {ER_OP_REDUCE_PROD, EDGERT_INT16, 3, {4, 3, 2}, 4, {1, 0, -3, -3}, false,
                   in_scale,          out_scale,    0, 0};
  CHECK_OK(run_reduce(&p, in16, o16, 4, 1, (const int64_t[]){2}));
  CHECK_NEAR(o16[0], -32767, 24);
  CHECK_NEAR(o16[1], 32767, 24);
}

/* ---- uint8 ---- */

/* A uint8 reduction of float data quantized on [in_min, in_max] into [out_min, out_max]; checks the
 * dequantized output against want within GetTolerance(tol_min, tol_max). */
static void run_uint8(reduce_case c, float in_min, float in_max, float out_min, float out_max,
                      const float *data, int n_out, int want_ndim, const int64_t *want_dims,
                      const float *want, float tol_min, float tol_max) {
  u8_range in_r = u8_of(in_min, in_max), out_r = u8_of(out_min, out_max);
  int n_in = 1;
  for (int i = 0; i < c.ndim; i++)
    n_in *= (int)c.dims[i];
  uint8_t in[72], out[18];
  quantize_u8(data, n_in, in_r, in);
  c.dtype = EDGERT_UINT8;
  c.in_scale = in_r.scale;
  c.in_zp = in_r.zp;
  c.out_scale = out_r.scale;
  c.out_zp = out_r.zp;
  CHECK_OK(run_reduce(&c, in, out, (size_t)n_out, want_ndim, want_dims));
  const float tol = (tol_max - tol_min) / 255.0f;
  for (int i = 0; i < n_out; i++)
    CHECK_NEAR(dequantize_u8(out[i], out_r), want[i], tol);
}

static const float k_six[6] = {0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};

/* ConstUint8MeanOpTest NotKeepDims / KeepDims (same quantization: the truncating integer mean) and
 * QuantizedKeepDims ([0, 1] -> [-5, 5]: QuantizedMeanOrSum). */
static void test_mean_uint8(void) {
  reduce_case c = {ER_OP_MEAN, EDGERT_UINT8, 3, {1, 3, 2}, 1, {1}, false, 0, 0, 0, 0};
  run_uint8(c, -1, 1, -1, 1, k_six, 2, 2, (const int64_t[]){1, 2}, (const float[]){0.4f, 0.4f}, -1, 1);
  reduce_case k = {ER_OP_MEAN, EDGERT_UINT8, 2, {3, 2}, 1, {1}, true, 0, 0, 0, 0};
  const float want[3] = {0.3f, 0.35f, 0.55f};
  run_uint8(k, -1, 1, -1, 1, k_six, 3, 2, (const int64_t[]){3, 1}, want, -1, 1);
  run_uint8(k, 0, 1, -5, 5, k_six, 3, 2, (const int64_t[]){3, 1}, want, -5, 5);
}

/* ConstUint8MeanOpTest Rounding: [-1, 1] -> [-1.1, 1.1], quantized outputs given exactly. */
static void test_mean_uint8_rounding(void) {
  u8_range in_r = u8_of(-1, 1), out_r = u8_of(-1.1f, 1.1f);
  uint8_t in[6], out[3];
  quantize_u8(k_six, 6, in_r, in);
  reduce_case c = {ER_OP_MEAN, EDGERT_UINT8, 2,           {3, 2},  1,       {1},
                   true,       in_r.scale,   out_r.scale, in_r.zp, out_r.zp};
  CHECK_OK(run_reduce(&c, in, out, 3, 2, (const int64_t[]){3, 1}));
  expect_u8(out, (const uint8_t[]){163, 168, 192}, 3);
}

/* ConstFloatMeanOpTest KeepDims4DMeanUInt8, KeepDims4DMeanLargeDepthUInt8 (same quantization) and
 * KeepDims4DMeanQuantized ([0, 1] -> [-5, 5]): axes {1, 2} of a 4-D input, uint8's own reference Mean. */
static void test_mean_uint8_4d(void) {
  const float twelve[12] = {0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f};
  reduce_case c = {ER_OP_MEAN, EDGERT_UINT8, 4, {1, 2, 2, 3}, 2, {1, 2}, true, 0, 0, 0, 0};
  run_uint8(c, -1, 1, -1, 1, twelve, 3, 4, (const int64_t[]){1, 1, 1, 3},
            (const float[]){0.25098f, 0.25098f, 0.25098f}, -1, 1);

  const float deep[72] = {0.1f, 0.2f, 0.3f, 0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.1f, 0.1f, 0.1f, 0.1f,
                          0.4f, 0.2f, 0.2f, 0.2f, 0.9f, 0.9f, 0.9f, 0.9f, 0.2f, 0.3f, 0.7f, 0.7f,
                          0.1f, 0.1f, 0.3f, 0.3f, 0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f,
                          0.1f, 0.2f, 0.3f, 0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.1f, 0.1f, 0.1f, 0.1f,
                          0.4f, 0.2f, 0.2f, 0.2f, 0.9f, 0.9f, 0.9f, 0.9f, 0.2f, 0.3f, 0.7f, 0.7f,
                          0.1f, 0.1f, 0.3f, 0.3f, 0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f};
  const float deep_want[18] = {0.5f, 0.55f, 0.25f, 0.35f, 0.45f, 0.5f,  0.25f, 0.3f, 0.2f,
                               0.2f, 0.1f,  0.15f, 0.35f, 0.3f,  0.15f, 0.2f,  0.6f, 0.65f};
  reduce_case d = {ER_OP_MEAN, EDGERT_UINT8, 4, {1, 2, 2, 18}, 2, {1, 2}, true, 0, 0, 0, 0};
  run_uint8(d, -1, 1, -1, 1, deep, 18, 4, (const int64_t[]){1, 1, 1, 18}, deep_want, -5, 5);

  reduce_case q = {ER_OP_MEAN, EDGERT_UINT8, 4, {1, 2, 3, 2}, 2, {1, 2}, true, 0, 0, 0, 0};
  run_uint8(q, 0, 1, -5, 5, twelve, 2, 4, (const int64_t[]){1, 1, 1, 2},
            (const float[]){0.235294f, 0.313726f}, -5, 5);
}

/* ConstUint8SumOpTest NotKeepDims and KeepDims: with equal quantization TFLite sums the raw uint8 values
 * wrapping at 256 (the goldens are those wrapped sums dequantized); NotKeepDimsRescaling ([0, 1] -> [0, 2])
 * goes through QuantizedMeanOrSum. */
static void test_sum_uint8(void) {
  reduce_case c = {ER_OP_SUM, EDGERT_UINT8, 3, {1, 3, 2}, 1, {1}, false, 0, 0, 0, 0};
  run_uint8(c, -1, 1, -1, 1, k_six, 2, 2, (const int64_t[]){1, 2}, (const float[]){-0.823529f, -0.815686f},
            -1, 1);
  reduce_case k = {ER_OP_SUM, EDGERT_UINT8, 2, {3, 2}, 1, {1}, true, 0, 0, 0, 0};
  run_uint8(k, -1, 1, -1, 1, k_six, 3, 2, (const int64_t[]){3, 1},
            (const float[]){-0.407843f, -0.313726f, 0.0941177f}, -1, 1);
  run_uint8(c, 0, 1, 0, 2, k_six, 2, 2, (const int64_t[]){1, 2}, (const float[]){1.2f, 1.2f}, 0, 2);
}

/* Quantized uint8 REDUCE_PROD is refused (TFLite: "Unsupported quantized data type"); unquantized uint8
 * multiplies plainly, wrapping at 256. */
static void test_prod_uint8(void) {
  const uint8_t in[6] = {2, 3, 4, 5, 16, 17};
  uint8_t out[3];
  reduce_case c = {ER_OP_REDUCE_PROD, EDGERT_UINT8, 2, {3, 2}, 1, {1}, false, 0.5f, 0.5f, 128, 128};
  CHECK(run_reduce(&c, in, out, 0, 0, NULL) == EDGERT_ERR_UNSUPPORTED);
  c.in_scale = c.out_scale = 0;
  c.in_zp = c.out_zp = 0;
  CHECK_OK(run_reduce(&c, in, out, 3, 1, (const int64_t[]){3}));
  expect_u8(out, (const uint8_t[]){6, 20, 16}, 3); /* 16 * 17 = 272 = 256 + 16 */
}

/* ---- bad input ---- */

static void test_rejects_bad_inputs(void) {
  float out[4];
  /* an axis out of range */
  reduce_case c = {ER_OP_SUM, EDGERT_FLOAT32, 2, {2, 4}, 1, {2}, false, 0, 0, 0, 0};
  CHECK(run_reduce(&c, k24, out, 0, 0, NULL) == EDGERT_ERR_SHAPE);
  c.axes[0] = -3;
  CHECK(run_reduce(&c, k24, out, 0, 0, NULL) == EDGERT_ERR_SHAPE);
  /* bool input */
  c.dtype = EDGERT_BOOL;
  c.axes[0] = 1;
  CHECK(run_reduce(&c, k24, out, 0, 0, NULL) == EDGERT_ERR_UNSUPPORTED);
  /* int8 MEAN without quantization has no rescale to apply */
  c.op = ER_OP_MEAN;
  c.dtype = EDGERT_INT8;
  CHECK(run_reduce(&c, k24, out, 0, 0, NULL) == EDGERT_ERR_UNSUPPORTED);
  /* int8 MAX between different scales */
  reduce_case m = {ER_OP_REDUCE_MAX, EDGERT_INT8, 2, {2, 4}, 1, {1}, false, 0.5f, 0.25f, 0, 0};
  CHECK(run_reduce(&m, k24, out, 0, 0, NULL) == EDGERT_ERR_UNSUPPORTED);

  /* axes fed at run time cannot fix the output shape */
  th_graph *g = th_new();
  int in = th_tensor(g, EDGERT_FLOAT32, 2, (const int64_t[]){2, 4}, NULL);
  int axes = th_tensor(g, EDGERT_INT32, 1, (const int64_t[]){1}, NULL);
  int res = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  er_reduce_attrs a = {false};
  th_node(g, ER_OP_MEAN, &a, sizeof a, 2, (int[]){in, axes}, 1, (int[]){res});
  th_io(g, 2, (int[]){in, axes}, 1, (int[]){res});
  CHECK(th_run(g, (const void *[]){k24, (const int32_t[]){1}}) == EDGERT_ERR_UNSUPPORTED);
  th_free(g);
}

void run_tests(void) {
  fill_ramps();
  RUN(test_mean_float);
  RUN(test_sum_float);
  RUN(test_max_min_float);
  RUN(test_prod_float);
  RUN(test_empty_input_float);
  RUN(test_empty_input_int32);
  RUN(test_int32_int64);
  RUN(test_mean_int8_int16_same_scale);
  RUN(test_mean_int8_truncates);
  RUN(test_mean_rescaled);
  RUN(test_sum_int8_int16);
  RUN(test_sum_int8_rescale);
  RUN(test_mean_non_same_scale);
  RUN(test_mean_4d_int16_truncates);
  RUN(test_mean_4d_int8);
  RUN(test_max_min_int8_int16);
  RUN(test_prod_quantized);
  RUN(test_mean_uint8);
  RUN(test_mean_uint8_rounding);
  RUN(test_mean_uint8_4d);
  RUN(test_sum_uint8);
  RUN(test_prod_uint8);
  RUN(test_rejects_bad_inputs);
}
