/* ADD and SUB kernels. Vectors are ported from TensorFlow Lite Micro's kernel tests
 * (tensorflow/lite/micro/kernels/add_test.cc and sub_test.cc): float inputs are quantized with TFLite's
 * test Quantize, and quantized outputs must equal the quantized goldens exactly. The seanet int16 layers
 * (../shared/fixtures/tflite-micro/seanet/{add,sub}) check the int16 path against TFLite's own outputs. */
#include <stdlib.h>

#include "binary_test.h"
#include "core/attrs.h"

enum { MAX_ELEMS = 64 };

typedef struct {
  int ndim;
  int64_t dims[4];
} shape;

static int64_t shape_elems(shape s) {
  int64_t n = 1;
  for (int i = 0; i < s.ndim; i++)
    n *= s.dims[i];
  return n;
}

static bt_tensor make_tensor(edgert_dtype dtype, shape s, float scale, int32_t zp) {
  bt_tensor t = {.dtype = dtype, .ndim = s.ndim, .scale = scale, .zero_point = zp};
  for (int i = 0; i < s.ndim; i++)
    t.dims[i] = s.dims[i];
  return t;
}

static void check_float(er_op op, er_activation act, shape sa, const float *xa, shape sb, const float *xb,
                        shape so, const float *golden) {
  er_binary_attrs attrs = {.activation = act};
  bt_tensor in[2] = {make_tensor(EDGERT_FLOAT32, sa, 0, 0), make_tensor(EDGERT_FLOAT32, sb, 0, 0)};
  float out[MAX_ELEMS];
  int64_t n = shape_elems(so);
  CHECK_OK(bt_run(op, &attrs, sizeof attrs, 2, in, (const void *[]){xa, xb},
                  make_tensor(EDGERT_FLOAT32, so, 0, 0), out, (size_t)n * sizeof(float)));
  for (int64_t i = 0; i < n; i++)
    CHECK_NEAR(out[i], golden[i], 1e-5);
}

typedef struct {
  float scale;
  int32_t zero_point;
} qparams;

/* Quantizes inputs and golden with TFLite's test helper, runs the op and compares exactly. */
static void check_quantized(er_op op, er_activation act, bool pot_scale_int16, edgert_dtype dtype, shape sa,
                            const float *xa, qparams qa, shape sb, const float *xb, qparams qb, shape so,
                            const float *golden, qparams qo) {
  er_binary_attrs attrs = {.activation = act, .pot_scale_int16 = pot_scale_int16};
  int32_t qmin = dtype == EDGERT_INT8 ? -128 : -32768, qmax = dtype == EDGERT_INT8 ? 127 : 32767;
  size_t esize = dtype == EDGERT_INT8 ? 1 : 2;
  int64_t na = shape_elems(sa), nb = shape_elems(sb), no = shape_elems(so);
  unsigned char a[MAX_ELEMS * 2], b[MAX_ELEMS * 2], out[MAX_ELEMS * 2];
  int32_t want[MAX_ELEMS];
  for (int64_t i = 0; i < na; i++) {
    int32_t q = bt_quantize(xa[i], qa.scale, qa.zero_point, qmin, qmax);
    if (esize == 1)
      ((int8_t *)a)[i] = (int8_t)q;
    else
      ((int16_t *)a)[i] = (int16_t)q;
  }
  for (int64_t i = 0; i < nb; i++) {
    int32_t q = bt_quantize(xb[i], qb.scale, qb.zero_point, qmin, qmax);
    if (esize == 1)
      ((int8_t *)b)[i] = (int8_t)q;
    else
      ((int16_t *)b)[i] = (int16_t)q;
  }
  for (int64_t i = 0; i < no; i++)
    want[i] = bt_quantize(golden[i], qo.scale, qo.zero_point, qmin, qmax);
  bt_tensor in[2] = {make_tensor(dtype, sa, qa.scale, qa.zero_point),
                     make_tensor(dtype, sb, qb.scale, qb.zero_point)};
  CHECK_OK(bt_run(op, &attrs, sizeof attrs, 2, in, (const void *[]){a, b},
                  make_tensor(dtype, so, qo.scale, qo.zero_point), out, (size_t)no * esize));
  for (int64_t i = 0; i < no; i++) {
    int32_t got = esize == 1 ? ((int8_t *)out)[i] : ((int16_t *)out)[i];
    CHECK_EQ_INT(got, want[i]);
  }
}

static const shape various_shapes[4] = {{1, {6}}, {2, {2, 3}}, {3, {2, 1, 3}}, {4, {1, 3, 1, 2}}};
static const shape scalar_shape = {0, {0}};
static const shape inout_shape = {4, {1, 2, 2, 1}};

/* Mixed broadcast case of add_test.cc / sub_test.cc: [2,3,1,2] against four second shapes. */
static const shape bcast_input1_shape = {4, {2, 3, 1, 2}};
static const float bcast_input1[] = {-0.3f, 2.3f, 0.9f,  0.5f, 0.8f, -1.1f,
                                     1.2f,  2.8f, -1.6f, 0.0f, 0.7f, -2.2f};
static const float bcast_add_input2[] = {0.2f, 0.3f, -0.4f, 0.5f, 1.0f, 0.9f};
static const float bcast_sub_input2[] = {-0.2f, -0.3f, 0.4f, -0.5f, -1.0f, -0.9f};
static const shape bcast_input2_shapes[4] = {
    {4, {1, 1, 3, 2}}, {4, {1, 3, 1, 2}}, {4, {2, 1, 3, 1}}, {4, {2, 3, 1, 1}}};
static const shape bcast_output_shapes[4] = {
    {4, {2, 3, 3, 2}}, {4, {2, 3, 1, 2}}, {4, {2, 3, 3, 2}}, {4, {2, 3, 1, 2}}};
static const float bcast_goldens[4][36] = {
    {-0.1f, 2.6f,  -0.7f, 2.8f,  0.7f,  3.2f,  1.1f, 0.8f,  0.5f, 1.0f,  1.9f, 1.4f,
     1.0f,  -0.8f, 0.4f,  -0.6f, 1.8f,  -0.2f, 1.4f, 3.1f,  0.8f, 3.3f,  2.2f, 3.7f,
     -1.4f, 0.3f,  -2.0f, 0.5f,  -0.6f, 0.9f,  0.9f, -1.9f, 0.3f, -1.7f, 1.7f, -1.3f},
    {-0.1f, 2.6f, 0.5f, 1.0f, 1.8f, -0.2f, 1.4f, 3.1f, -2.0f, 0.5f, 1.7f, -1.3f},
    {-0.1f, 2.5f,  0.0f,  2.6f,  -0.7f, 1.9f,  1.1f, 0.7f,  1.2f, 0.8f,  0.5f, 0.1f,
     1.0f,  -0.9f, 1.1f,  -0.8f, 0.4f,  -1.5f, 1.7f, 3.3f,  2.2f, 3.8f,  2.1f, 3.7f,
     -1.1f, 0.5f,  -0.6f, 1.0f,  -0.7f, 0.9f,  1.2f, -1.7f, 1.7f, -1.2f, 1.6f, -1.3f},
    {-0.1f, 2.5f, 1.2f, 0.8f, 0.4f, -1.5f, 1.7f, 3.3f, -0.6f, 1.0f, 1.6f, -1.3f},
};

static void float_add_no_activation(void) {
  check_float(ER_OP_ADD, ER_ACT_NONE, inout_shape, (const float[]){-2.0f, 0.2f, 0.7f, 0.8f}, inout_shape,
              (const float[]){0.1f, 0.2f, 0.3f, 0.5f}, inout_shape, (const float[]){-1.9f, 0.4f, 1.0f, 1.3f});
}

static void float_add_relu_n1_to_1(void) {
  check_float(ER_OP_ADD, ER_ACT_RELU_N1_TO_1, inout_shape, (const float[]){-2.0f, 0.2f, 0.7f, 0.8f},
              inout_shape, (const float[]){0.1f, 0.2f, 0.3f, 0.5f}, inout_shape,
              (const float[]){-1.0f, 0.4f, 1.0f, 1.0f});
}

static void float_add_various_shapes_and_scalar(void) {
  const float x[] = {-2.0f, 0.2f, 0.7f, 0.8f, 1.1f, 2.0f};
  for (int i = 0; i < 4; i++) {
    check_float(ER_OP_ADD, ER_ACT_NONE, various_shapes[i], x, various_shapes[i],
                (const float[]){0.1f, 0.2f, 0.3f, 0.5f, 1.1f, 0.1f}, various_shapes[i],
                (const float[]){-1.9f, 0.4f, 1.0f, 1.3f, 2.2f, 2.1f});
    check_float(ER_OP_ADD, ER_ACT_NONE, various_shapes[i], x, scalar_shape, (const float[]){0.1f},
                various_shapes[i], (const float[]){-1.9f, 0.3f, 0.8f, 0.9f, 1.2f, 2.1f});
  }
}

static void float_add_mixed_broadcast(void) {
  for (int i = 0; i < 4; i++)
    check_float(ER_OP_ADD, ER_ACT_NONE, bcast_input1_shape, bcast_input1, bcast_input2_shapes[i],
                bcast_add_input2, bcast_output_shapes[i], bcast_goldens[i]);
}

static void int8_add_no_activation_and_relu1(void) {
  const float x[] = {-2.01f, -1.01f, -0.01f, 0.98f}, y[] = {1.01f, 1.99f, 2.99f, 4.02f};
  qparams qa = {0.25f, -10}, qb = {0.5f, 4}, qo = {1.0f, 13};
  check_quantized(ER_OP_ADD, ER_ACT_NONE, false, EDGERT_INT8, inout_shape, x, qa, inout_shape, y, qb,
                  inout_shape, (const float[]){-1, 1, 3, 5}, qo);
  check_quantized(ER_OP_ADD, ER_ACT_RELU_N1_TO_1, false, EDGERT_INT8, inout_shape, x, qa, inout_shape, y, qb,
                  inout_shape, (const float[]){-1, 1, 1, 1}, qo);
}

static void int8_add_various_shapes_and_scalar(void) {
  const float x[] = {-2.0f, 0.2f, 0.7f, 0.8f, 1.1f, 2.0f};
  for (int i = 0; i < 4; i++) {
    check_quantized(ER_OP_ADD, ER_ACT_NONE, false, EDGERT_INT8, various_shapes[i], x, (qparams){0.1f, -9},
                    various_shapes[i], (const float[]){0.1f, 0.2f, 0.3f, 0.5f, 1.1f, 0.1f},
                    (qparams){0.05f, 5}, various_shapes[i],
                    (const float[]){-1.9f, 0.4f, 1.0f, 1.3f, 2.2f, 2.1f}, (qparams){0.1f, 14});
    check_quantized(ER_OP_ADD, ER_ACT_NONE, false, EDGERT_INT8, various_shapes[i], x, (qparams){0.1f, -8},
                    scalar_shape, (const float[]){0.1f}, (qparams){0.05f, 4}, various_shapes[i],
                    (const float[]){-1.9f, 0.3f, 0.8f, 0.9f, 1.2f, 2.1f}, (qparams){0.05f, 12});
  }
}

static void int8_add_mixed_broadcast(void) {
  for (int i = 0; i < 4; i++)
    check_quantized(ER_OP_ADD, ER_ACT_NONE, false, EDGERT_INT8, bcast_input1_shape, bcast_input1,
                    (qparams){0.1f, -10}, bcast_input2_shapes[i], bcast_add_input2, (qparams){0.05f, -5},
                    bcast_output_shapes[i], bcast_goldens[i], (qparams){0.1f, 7});
}

/* add_test.cc's int16 cases (TFLite-Micro takes the general path for int16 whatever the model says). */
static void int16_add_general_path(void) {
  const float x[] = {-2.01f, -1.01f, -0.01f, 0.98f};
  qparams qa = {0.25f, 0}, qb = {0.5f, 0}, qo = {1.0f, 0};
  check_quantized(ER_OP_ADD, ER_ACT_NONE, false, EDGERT_INT16, inout_shape, x, qa, inout_shape,
                  (const float[]){1.01f, 2.01f, 3.01f, 4.02f}, qb, inout_shape, (const float[]){-1, 1, 3, 5},
                  qo);
  check_quantized(ER_OP_ADD, ER_ACT_RELU_N1_TO_1, false, EDGERT_INT16, inout_shape, x, qa, inout_shape,
                  (const float[]){1.01f, 1.99f, 2.99f, 4.02f}, qb, inout_shape, (const float[]){-1, 1, 1, 1},
                  qo);
}

/* The power-of-two int16 path, with TFLite's own vectors for it: tensorflow/lite/kernels/add_test.cc and
 * sub_test.cc QuantizedTestsNoActivationInt16 (range [-1, 32767/32768] gives scale 2^-15, zero point 0;
 * AddOptions/SubOptions default pot_scale_int16 to true). Those tests compare dequantized outputs within
 * one quantization step. */
static void check_pot_int16(er_op op, const float *x, const float *y, const float *want) {
  er_binary_attrs attrs = {.activation = ER_ACT_NONE, .pot_scale_int16 = true};
  const float scale = 1.0f / 32768.0f;
  int16_t a[4], b[4], out[4];
  bt_quantize_i16(x, 4, scale, 0, a);
  bt_quantize_i16(y, 4, scale, 0, b);
  bt_tensor in[2] = {make_tensor(EDGERT_INT16, inout_shape, scale, 0),
                     make_tensor(EDGERT_INT16, inout_shape, scale, 0)};
  CHECK_OK(bt_run(op, &attrs, sizeof attrs, 2, in, (const void *[]){a, b},
                  make_tensor(EDGERT_INT16, inout_shape, scale, 0), out, sizeof out));
  for (int i = 0; i < 4; i++)
    CHECK_NEAR(out[i] * scale, want[i], (2.0 - 1.0 / 32768.0) / 65535.0);
}

static void int16_pot_path(void) {
  const float add_x[3][4] = {{0.1f, 0.2f, 0.3f, 0.4f}, {-0.8f, 0.2f, 0.4f, 0.7f}, {-0.8f, 0.2f, 0.7f, 0.3f}};
  const float add_y[3][4] = {{0.6f, 0.4f, 0.3f, 0.1f}, {0.6f, 0.4f, 0.5f, -0.8f}, {0.6f, 0.4f, -0.8f, 0.5f}};
  const float add_want[3][4] = {
      {0.7f, 0.6f, 0.6f, 0.5f}, {-0.2f, 0.6f, 0.9f, -0.1f}, {-0.2f, 0.6f, -0.1f, 0.8f}};
  const float sub_x[3][4] = {
      {0.7f, 0.6f, 0.6f, 0.5f}, {-0.2f, 0.6f, 0.9f, -0.1f}, {-0.2f, 0.6f, -0.3f, 0.8f}};
  const float sub_y[3][4] = {{0.6f, 0.4f, 0.3f, 0.1f}, {0.6f, 0.4f, 0.5f, -0.8f}, {0.6f, 0.4f, 0.8f, 0.5f}};
  const float sub_want[3][4] = {
      {0.1f, 0.2f, 0.3f, 0.4f}, {-0.8f, 0.2f, 0.4f, 0.7f}, {-0.8f, 0.2f, -1.0f, 0.3f}};
  for (int i = 0; i < 3; i++) {
    check_pot_int16(ER_OP_ADD, add_x[i], add_y[i], add_want[i]);
    check_pot_int16(ER_OP_SUB, sub_x[i], sub_y[i], sub_want[i]);
  }
}

static void float_sub_cases(void) {
  check_float(ER_OP_SUB, ER_ACT_NONE, inout_shape, (const float[]){-2.0f, 0.2f, 0.7f, 0.8f}, inout_shape,
              (const float[]){0.1f, 0.2f, 0.3f, 0.5f}, inout_shape, (const float[]){-2.1f, 0.0f, 0.4f, 0.3f});
  check_float(ER_OP_SUB, ER_ACT_RELU_N1_TO_1, inout_shape, (const float[]){-2.0f, 0.2f, 2.0f, 0.8f},
              inout_shape, (const float[]){2.0f, 0.2f, 0.3f, 0.5f}, inout_shape,
              (const float[]){-1.0f, 0.0f, 1.0f, 0.3f});
  const float x[] = {-2.0f, 0.2f, 0.7f, 0.8f, 1.1f, 2.0f};
  for (int i = 0; i < 4; i++) {
    check_float(ER_OP_SUB, ER_ACT_NONE, various_shapes[i], x, various_shapes[i],
                (const float[]){0.1f, 0.2f, 0.3f, 0.5f, 1.1f, 0.1f}, various_shapes[i],
                (const float[]){-2.1f, 0.0f, 0.4f, 0.3f, 0.0f, 1.9f});
    check_float(ER_OP_SUB, ER_ACT_NONE, various_shapes[i], x, scalar_shape, (const float[]){0.1f},
                various_shapes[i], (const float[]){-2.1f, 0.1f, 0.6f, 0.7f, 1.0f, 1.9f});
    check_float(ER_OP_SUB, ER_ACT_NONE, bcast_input1_shape, bcast_input1, bcast_input2_shapes[i],
                bcast_sub_input2, bcast_output_shapes[i], bcast_goldens[i]);
  }
}

static void quantized_sub_cases(void) {
  const float x[] = {-2.01f, -1.01f, -0.01f, 0.98f}, y[] = {-1.01f, -1.99f, -2.99f, -4.02f};
  check_quantized(ER_OP_SUB, ER_ACT_NONE, false, EDGERT_INT8, inout_shape, x, (qparams){0.25f, -10},
                  inout_shape, y, (qparams){0.5f, 4}, inout_shape, (const float[]){-1, 1, 3, 5},
                  (qparams){1.0f, 13});
  check_quantized(ER_OP_SUB, ER_ACT_RELU_N1_TO_1, false, EDGERT_INT8, inout_shape, x, (qparams){0.25f, -10},
                  inout_shape, y, (qparams){0.5f, 4}, inout_shape, (const float[]){-1, 1, 1, 1},
                  (qparams){1.0f, 13});
  check_quantized(ER_OP_SUB, ER_ACT_RELU_N1_TO_1, false, EDGERT_INT16, inout_shape, x, (qparams){0.25f, 0},
                  inout_shape, y, (qparams){0.5f, 0}, inout_shape, (const float[]){-1, 1, 1, 1},
                  (qparams){1.0f, 0});
  const float x6[] = {-2.0f, 0.2f, 0.7f, 0.8f, 1.1f, 2.0f}, y6[] = {-0.1f, -0.2f, -0.3f, -0.5f, -1.1f, -0.1f};
  const float want6[] = {-1.9f, 0.4f, 1.0f, 1.3f, 2.2f, 2.1f},
              want_scalar[] = {-1.9f, 0.3f, 0.8f, 0.9f, 1.2f, 2.1f};
  for (int i = 0; i < 4; i++) {
    check_quantized(ER_OP_SUB, ER_ACT_NONE, false, EDGERT_INT8, various_shapes[i], x6, (qparams){0.1f, -9},
                    various_shapes[i], y6, (qparams){0.05f, 5}, various_shapes[i], want6,
                    (qparams){0.1f, 14});
    check_quantized(ER_OP_SUB, ER_ACT_NONE, false, EDGERT_INT16, various_shapes[i], x6, (qparams){0.1f, 0},
                    various_shapes[i], y6, (qparams){0.05f, 0}, various_shapes[i], want6, (qparams){0.1f, 0});
    check_quantized(ER_OP_SUB, ER_ACT_NONE, false, EDGERT_INT8, various_shapes[i], x6, (qparams){0.1f, -8},
                    scalar_shape, (const float[]){-0.1f}, (qparams){0.05f, 4}, various_shapes[i], want_scalar,
                    (qparams){0.05f, 12});
    check_quantized(ER_OP_SUB, ER_ACT_NONE, false, EDGERT_INT16, various_shapes[i], x6, (qparams){0.1f, 0},
                    scalar_shape, (const float[]){-0.1f}, (qparams){0.05f, 0}, various_shapes[i], want_scalar,
                    (qparams){0.05f, 0});
    check_quantized(ER_OP_SUB, ER_ACT_NONE, false, EDGERT_INT8, bcast_input1_shape, bcast_input1,
                    (qparams){0.1f, -10}, bcast_input2_shapes[i], bcast_sub_input2, (qparams){0.05f, -5},
                    bcast_output_shapes[i], bcast_goldens[i], (qparams){0.1f, 7});
    check_quantized(ER_OP_SUB, ER_ACT_NONE, false, EDGERT_INT16, bcast_input1_shape, bcast_input1,
                    (qparams){0.1f, 0}, bcast_input2_shapes[i], bcast_sub_input2, (qparams){0.05f, 0},
                    bcast_output_shapes[i], bcast_goldens[i], (qparams){0.1f, 0});
  }
}

/* tensorflow/lite/kernels/add_test.cc IntegerAddOpModel (int32 and int64 share the vectors) and
 * sub_test.cc IntegerSubOpModel. */
static void int32_and_int64_add_sub(void) {
  er_binary_attrs none = {.activation = ER_ACT_NONE}, relu1 = {.activation = ER_ACT_RELU_N1_TO_1};
  bt_tensor in32[2] = {{.dtype = EDGERT_INT32, BT_SHAPE(1, 2, 2, 1)},
                       {.dtype = EDGERT_INT32, BT_SHAPE(1, 2, 2, 1)}};
  bt_tensor out32 = {.dtype = EDGERT_INT32, .ndim = -1};
  int32_t out[4];
  CHECK_OK(bt_run(ER_OP_ADD, &none, sizeof none, 2, in32,
                  (const void *[]){(const int32_t[]){-20, 2, 7, 8}, (const int32_t[]){1, 2, 3, 5}}, out32,
                  out, sizeof out));
  const int32_t add_want[] = {-19, 4, 10, 13};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], add_want[i]);
  CHECK_OK(bt_run(ER_OP_ADD, &relu1, sizeof relu1, 2, in32,
                  (const void *[]){(const int32_t[]){-20, 2, 7, 8}, (const int32_t[]){1, 2, 3, 5}}, out32,
                  out, sizeof out));
  const int32_t add_relu1_want[] = {-1, 1, 1, 1};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], add_relu1_want[i]);
  CHECK_OK(bt_run(ER_OP_SUB, &none, sizeof none, 2, in32,
                  (const void *[]){(const int32_t[]){-20, 2, 7, 8}, (const int32_t[]){1, 2, 3, 5}}, out32,
                  out, sizeof out));
  const int32_t sub_want[] = {-21, 0, 4, 3};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], sub_want[i]);

  /* sub_test.cc IntegerSubOpModel.WithBroadcast (a scalar second input), run here on int64. */
  bt_tensor in64[2] = {{.dtype = EDGERT_INT64, BT_SHAPE(1, 3, 1, 2)}, {.dtype = EDGERT_INT64, .ndim = 0}};
  bt_tensor out64 = {.dtype = EDGERT_INT64, .ndim = -1};
  int64_t out_long[6];
  CHECK_OK(bt_run(ER_OP_SUB, &none, sizeof none, 2, in64,
                  (const void *[]){(const int64_t[]){-20, 2, 7, 8, 11, 20}, (const int64_t[]){1}}, out64,
                  out_long, sizeof out_long));
  const int64_t sub_scalar_want[] = {-21, 1, 6, 7, 10, 19};
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out_long[i], sub_scalar_want[i]);
}

static void rejects_mixed_dtypes_and_bad_shapes(void) {
  er_binary_attrs none = {.activation = ER_ACT_NONE};
  float out[6];
  bt_tensor mixed[2] = {{.dtype = EDGERT_FLOAT32, BT_SHAPE(2, 3)}, {.dtype = EDGERT_INT32, BT_SHAPE(2, 3)}};
  const float x[6] = {0};
  const int32_t y[6] = {0};
  edgert_status st = bt_run_ex(ER_OP_ADD, &none, sizeof none, 2, mixed, (const void *[]){x, y},
                               (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out, true);
  CHECK(st != EDGERT_OK);
  bt_tensor clash[2] = {{.dtype = EDGERT_FLOAT32, BT_SHAPE(2, 3)}, {.dtype = EDGERT_FLOAT32, BT_SHAPE(2, 2)}};
  st = bt_run_ex(ER_OP_SUB, &none, sizeof none, 2, clash, (const void *[]){x, x},
                 (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_SHAPE);
  bt_tensor unquantized[2] = {{.dtype = EDGERT_INT8, BT_SHAPE(6)}, {.dtype = EDGERT_INT8, BT_SHAPE(6)}};
  const int8_t z[6] = {0};
  st = bt_run_ex(ER_OP_ADD, &none, sizeof none, 2, unquantized, (const void *[]){z, z},
                 (bt_tensor){.dtype = EDGERT_INT8, .ndim = -1}, out, 6, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

/* Reads a csv of integers into a malloc'ed array; NULL when unreadable. */
static int16_t *read_csv_int16(const char *path, int64_t *count) {
  size_t size;
  unsigned char *raw = test_read_file(path, &size);
  if (!raw) return NULL;
  char *text = malloc(size + 1); /* strtol needs a terminated string */
  memcpy(text, raw, size);
  text[size] = '\0';
  free(raw);
  int16_t *values = malloc(sizeof(int16_t) * (size / 2 + 1));
  int64_t n = 0;
  for (char *p = text; *p;) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p) {
      p++;
      continue;
    }
    values[n++] = (int16_t)v;
    p = end;
  }
  free(text);
  *count = n;
  return values;
}

/* Runs one seanet layer model on its csv inputs and compares with its golden csv, value for value. */
static void check_seanet_layer(const char *op_dir, const char *name) {
  char rel[128];
  snprintf(rel, sizeof rel, "seanet/%s/%s.tflite", op_dir, name);
  edgert_model *model = NULL;
  edgert_interpreter *interp = NULL;
  edgert_status st = edgert_model_load_file(test_fixture(rel), &model);
  CHECK_MSG(st == EDGERT_OK, "%s: %s", rel, model ? edgert_model_error(model) : "no model");
  if (st == EDGERT_OK) st = edgert_interpreter_create(model, NULL, &interp);
  CHECK_MSG(st == EDGERT_OK, "%s: %s", rel, interp ? edgert_interpreter_error(interp) : "no interpreter");
  for (int i = 0; st == EDGERT_OK && i < edgert_model_input_count(model); i++) {
    snprintf(rel, sizeof rel, "seanet/%s/%s_input%d_int16.csv", op_dir, name, i);
    int64_t n = 0;
    int16_t *values = read_csv_int16(test_fixture(rel), &n);
    CHECK_MSG(values != NULL, "cannot read %s", rel);
    if (!values) break;
    st = edgert_interpreter_set_input(interp, i, values, (size_t)n * sizeof(int16_t));
    CHECK_MSG(st == EDGERT_OK, "%s: %s", rel, edgert_interpreter_error(interp));
    free(values);
  }
  if (st == EDGERT_OK) {
    st = edgert_interpreter_invoke(interp);
    CHECK_MSG(st == EDGERT_OK, "%s: %s", name, edgert_interpreter_error(interp));
  }
  if (st == EDGERT_OK) {
    snprintf(rel, sizeof rel, "seanet/%s/%s_golden_int16.csv", op_dir, name);
    int64_t n = 0;
    int16_t *golden = read_csv_int16(test_fixture(rel), &n);
    edgert_tensor_info info;
    edgert_interpreter_output_info(interp, 0, &info);
    CHECK_MSG(golden && info.bytes == (size_t)n * sizeof(int16_t), "%s: output size differs from golden",
              name);
    if (golden && info.bytes == (size_t)n * sizeof(int16_t)) {
      const int16_t *out = edgert_interpreter_output_data(interp, 0);
      int64_t mismatches = 0;
      for (int64_t i = 0; i < n; i++)
        mismatches += out[i] != golden[i];
      CHECK_MSG(mismatches == 0, "%s: %lld of %lld values differ from the golden", name,
                (long long)mismatches, (long long)n);
    }
    free(golden);
  }
  edgert_interpreter_free(interp);
  edgert_model_free(model);
}

static void seanet_int16_add_layers_match_goldens(void) {
  char name[16];
  for (int i = 0; i <= 16; i++) {
    snprintf(name, sizeof name, "add%d", i);
    check_seanet_layer("add", name);
  }
}

static void seanet_int16_sub_layers_match_goldens(void) {
  char name[16];
  for (int i = 0; i <= 4; i++) {
    snprintf(name, sizeof name, "sub%d", i);
    check_seanet_layer("sub", name);
  }
}

/* ONNX's plain dtypes. uint8 from the ONNX 1.12 node tests test_add_uint8 / test_sub_uint8 (first values;
 * the sum wraps around modulo 256 as numpy's uint8 does), float64 from pytorch-operator
 * test_operator_add_broadcast's rule (numpy broadcasting of a [3] row over [2, 3]). */
static void onnx_uint8_and_float64(void) {
  bt_tensor t = {.dtype = EDGERT_UINT8, BT_SHAPE(4)};
  const uint8_t x[] = {12, 10, 250, 15}, y[] = {6, 14, 10, 7};
  const uint8_t want_add[] = {18, 24, 4, 22}, want_sub[] = {6, 252, 240, 8};
  uint8_t out[4];
  bt_tensor o = {.dtype = EDGERT_UINT8, .ndim = -1};
  CHECK_OK(bt_run(ER_OP_ADD, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, y}, o, out, sizeof out));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want_add[i]);
  CHECK_OK(bt_run(ER_OP_SUB, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, y}, o, out, sizeof out));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want_sub[i]);
  bt_tensor a = {.dtype = EDGERT_FLOAT64, BT_SHAPE(2, 3)}, b = {.dtype = EDGERT_FLOAT64, BT_SHAPE(3)};
  const double xa[] = {1, 2, 3, 4, 5, 6}, xb[] = {0.5, 0.25, 0.125};
  const double want[] = {1.5, 2.25, 3.125, 4.5, 5.25, 6.125};
  double outd[6];
  CHECK_OK(bt_run(ER_OP_ADD, NULL, 0, 2, (bt_tensor[]){a, b}, (const void *[]){xa, xb},
                  (bt_tensor){.dtype = EDGERT_FLOAT64, .ndim = -1}, outd, sizeof outd));
  for (int i = 0; i < 6; i++)
    CHECK_NEAR(outd[i], want[i], 0);
}

void run_tests(void) {
  RUN(float_add_no_activation);
  RUN(float_add_relu_n1_to_1);
  RUN(float_add_various_shapes_and_scalar);
  RUN(float_add_mixed_broadcast);
  RUN(int8_add_no_activation_and_relu1);
  RUN(int8_add_various_shapes_and_scalar);
  RUN(int8_add_mixed_broadcast);
  RUN(int16_add_general_path);
  RUN(int16_pot_path);
  RUN(float_sub_cases);
  RUN(quantized_sub_cases);
  RUN(int32_and_int64_add_sub);
  RUN(rejects_mixed_dtypes_and_bad_shapes);
  RUN(seanet_int16_add_layers_match_goldens);
  RUN(seanet_int16_sub_layers_match_goldens);
  RUN(onnx_uint8_and_float64);
}
