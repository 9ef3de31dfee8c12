/* DIV kernel. Vectors from TensorFlow Lite Micro's tensorflow/lite/micro/kernels/div_test.cc: float and
 * int32 exactly as there, int8 within that test's tolerance (2 steps + step^2 of the [min, max] range,
 * scale (max - min) / 255, zero point 0). */
#include "binary_test.h"
#include "core/attrs.h"

static const int64_t multi_shapes[4][4] = {{6}, {2, 3}, {2, 1, 3}, {1, 3, 1, 2}};
static const int multi_ranks[4] = {1, 2, 3, 4};
static const int64_t bcast_shapes[5][5] = {{8}, {2, 4}, {2, 1, 4}, {1, 4, 1, 2}, {1, 2, 1, 2, 2}};
static const int bcast_ranks[5] = {1, 2, 3, 4, 5};

static bt_tensor shaped(edgert_dtype dtype, int ndim, const int64_t *dims, float scale) {
  bt_tensor t = {.dtype = dtype, .ndim = ndim, .scale = scale};
  for (int i = 0; i < ndim; i++)
    t.dims[i] = dims[i];
  return t;
}

static void run_f32(er_activation act, bt_tensor a, const float *x, bt_tensor b, const float *y, int n,
                    const float *want) {
  er_binary_attrs attrs = {.activation = act};
  float out[8];
  CHECK_OK(bt_run(ER_OP_DIV, &attrs, sizeof attrs, 2, (bt_tensor[]){a, b}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof(float) * (size_t)n));
  for (int i = 0; i < n; i++)
    CHECK_NEAR(out[i], want[i], 1e-5);
}

static void float_cases(void) {
  const int64_t d4[4] = {1, 2, 2, 1};
  bt_tensor t4 = shaped(EDGERT_FLOAT32, 4, d4, 0);
  run_f32(ER_ACT_NONE, t4, (const float[]){-0.2f, 0.2f, -1.2f, 0.8f}, t4,
          (const float[]){0.5f, 0.2f, -1.5f, 0.5f}, 4, (const float[]){-0.4f, 1.0f, 0.8f, 1.6f});
  run_f32(ER_ACT_RELU_N1_TO_1, t4, (const float[]){-0.2f, 0.2f, -1.2f, 0.8f}, t4,
          (const float[]){0.1f, 0.2f, -1.5f, 0.5f}, 4, (const float[]){-1.0f, 1.0f, 0.8f, 1.0f});
  for (int s = 0; s < 4; s++) {
    bt_tensor t = shaped(EDGERT_FLOAT32, multi_ranks[s], multi_shapes[s], 0);
    run_f32(ER_ACT_NONE, t, (const float[]){-2.0f, 0.2f, 0.3f, 0.8f, 1.1f, -2.0f}, t,
            (const float[]){0.1f, 0.2f, 0.6f, 0.5f, -1.1f, -0.1f}, 6,
            (const float[]){-20.0f, 1.0f, 0.5f, 1.6f, -1.0f, 20.0f});
  }
  const int64_t scalar_dims[1] = {1};
  for (int s = 0; s < 5; s++)
    run_f32(ER_ACT_NONE, shaped(EDGERT_FLOAT32, bcast_ranks[s], bcast_shapes[s], 0),
            (const float[]){-0.2f, 0.2f, 0.07f, 0.08f, 0.11f, -0.123f, -0.32f, 0.54f},
            shaped(EDGERT_FLOAT32, 1, scalar_dims, 0), (const float[]){0.1f}, 8,
            (const float[]){-2.0f, 2.0f, 0.7f, 0.8f, 1.1f, -1.23f, -3.2f, 5.4f});
}

static void run_i32(er_activation act, bt_tensor a, const int32_t *x, bt_tensor b, const int32_t *y, int n,
                    const int32_t *want) {
  er_binary_attrs attrs = {.activation = act};
  int32_t out[8];
  CHECK_OK(bt_run(ER_OP_DIV, &attrs, sizeof attrs, 2, (bt_tensor[]){a, b}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof(int32_t) * (size_t)n));
  for (int i = 0; i < n; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void int32_cases(void) {
  const int64_t d4[4] = {1, 2, 2, 1};
  bt_tensor t4 = shaped(EDGERT_INT32, 4, d4, 0);
  run_i32(ER_ACT_NONE, t4, (const int32_t[]){-2, 2, -15, 8}, t4, (const int32_t[]){5, -2, -3, 5}, 4,
          (const int32_t[]){0, -1, 5, 1});
  run_i32(ER_ACT_RELU_N1_TO_1, t4, (const int32_t[]){-2, 2, -12, 8}, t4, (const int32_t[]){1, 2, -15, 5}, 4,
          (const int32_t[]){-1, 1, 0, 1});
  for (int s = 0; s < 4; s++) {
    bt_tensor t = shaped(EDGERT_INT32, multi_ranks[s], multi_shapes[s], 0);
    run_i32(ER_ACT_NONE, t, (const int32_t[]){-20, 2, 3, 8, 11, -20}, t,
            (const int32_t[]){1, 2, 6, 5, -11, -1}, 6, (const int32_t[]){-20, 1, 0, 1, -1, 20});
  }
  const int64_t scalar_dims[1] = {1};
  for (int s = 0; s < 5; s++)
    run_i32(ER_ACT_NONE, shaped(EDGERT_INT32, bcast_ranks[s], bcast_shapes[s], 0),
            (const int32_t[]){-20, 21, 7, 8, 11, -123, -42, -48}, shaped(EDGERT_INT32, 1, scalar_dims, 0),
            (const int32_t[]){3}, 8, (const int32_t[]){-6, 7, 2, 2, 3, -41, -14, -16});
}

static void run_int8(er_activation act, float min, float max, bt_tensor a, const float *x, bt_tensor b,
                     const float *y, int n, const float *want) {
  er_binary_attrs attrs = {.activation = act};
  const float scale = (max - min) / 255.0f, tolerance = 2.0f * scale + scale * scale;
  int8_t qa[8], qb[8], out[8];
  a.scale = b.scale = scale;
  bt_quantize_i8(x, n, scale, 0, qa);
  bt_quantize_i8(y, b.ndim == 1 && b.dims[0] == 1 ? 1 : n, scale, 0, qb);
  CHECK_OK(bt_run(ER_OP_DIV, &attrs, sizeof attrs, 2, (bt_tensor[]){a, b}, (const void *[]){qa, qb},
                  (bt_tensor){.dtype = EDGERT_INT8, .ndim = -1, .scale = scale}, out, (size_t)n));
  for (int i = 0; i < n; i++)
    CHECK_NEAR(out[i] * scale, want[i], tolerance);
}

static void int8_cases(void) {
  const int64_t d4[4] = {1, 2, 2, 1};
  bt_tensor t4 = shaped(EDGERT_INT8, 4, d4, 0);
  run_int8(ER_ACT_NONE, -1, 1, t4, (const float[]){-0.8f, -0.2f, 0.3f, 0.7f}, t4,
           (const float[]){-0.8f, 0.4f, 0.8f, 1.0f}, 4, (const float[]){1.0f, -0.5f, 0.375f, 0.7f});
  run_int8(ER_ACT_RELU_N1_TO_1, -1, 1, t4, (const float[]){-0.8f, 0.2f, 0.9f, 0.7f}, t4,
           (const float[]){0.6f, 0.4f, 0.9f, -0.8f}, 4, (const float[]){-1.0f, 0.5f, 1.0f, -0.875f});
  run_int8(ER_ACT_RELU_N1_TO_1, -1, 1, t4, (const float[]){-0.5f, 0.2f, 0.6f, 0.3f}, t4,
           (const float[]){0.6f, 0.5f, -0.8f, 0.5f}, 4, (const float[]){-0.833f, 0.4f, -0.75f, 0.6f});
  for (int s = 0; s < 4; s++) {
    bt_tensor t = shaped(EDGERT_INT8, multi_ranks[s], multi_shapes[s], 0);
    run_int8(ER_ACT_NONE, -3, 3, t, (const float[]){-2.0f, 0.2f, 1.7f, 0.9f, 0.4f, 2.0f}, t,
             (const float[]){1.3f, 0.3f, 1.1f, 0.4f, -1.1f, 1.9f}, 6,
             (const float[]){-1.538f, 0.667f, 1.545f, 2.25f, -0.364f, 1.053f});
  }
  const int64_t scalar_dims[1] = {1};
  for (int s = 0; s < 5; s++)
    run_int8(ER_ACT_NONE, -3, 3, shaped(EDGERT_INT8, bcast_ranks[s], bcast_shapes[s], 0),
             (const float[]){-2.0f, 0.2f, 0.7f, 0.8f, -0.5f, 1.1f, -1.3f, 1.2f},
             shaped(EDGERT_INT8, 1, scalar_dims, 0), (const float[]){0.7f}, 8,
             (const float[]){-2.857f, 0.286f, 1.0f, 1.143f, -0.714f, 1.571f, -1.857f, 1.714f});
}

/* A zero dividend has the most headroom and so the largest rescaling shift; the quotient must be 0. */
static void int8_zero_dividend_gives_zero(void) {
  er_binary_attrs attrs = {.activation = ER_ACT_NONE};
  const int64_t d[1] = {3};
  const float scale = 2.0f / 255.0f;
  int8_t x[3] = {0, 0, 0}, y[3] = {1, -1, 127}, out[3];
  CHECK_OK(bt_run(ER_OP_DIV, &attrs, sizeof attrs, 2,
                  (bt_tensor[]){shaped(EDGERT_INT8, 1, d, scale), shaped(EDGERT_INT8, 1, d, scale)},
                  (const void *[]){x, y}, (bt_tensor){.dtype = EDGERT_INT8, .ndim = -1, .scale = scale}, out,
                  3));
  for (int i = 0; i < 3; i++)
    CHECK_EQ_INT(out[i], 0);
}

static void rejects_division_by_zero_and_int16(void) {
  er_binary_attrs attrs = {.activation = ER_ACT_NONE};
  const int64_t d[1] = {2};
  int32_t out[2];
  edgert_status st = bt_run_ex(ER_OP_DIV, &attrs, sizeof attrs, 2,
                               (bt_tensor[]){shaped(EDGERT_INT32, 1, d, 0), shaped(EDGERT_INT32, 1, d, 0)},
                               (const void *[]){(const int32_t[]){4, 5}, (const int32_t[]){2, 0}},
                               (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_RUNTIME);
  int8_t q[2] = {1, 2}, qout[2];
  st = bt_run_ex(ER_OP_DIV, &attrs, sizeof attrs, 2,
                 (bt_tensor[]){shaped(EDGERT_INT8, 1, d, 0.1f),
                               {.dtype = EDGERT_INT8, BT_SHAPE(2), .scale = 0.1f, .zero_point = 2}},
                 (const void *[]){q, q}, (bt_tensor){.dtype = EDGERT_INT8, .ndim = -1, .scale = 0.1f}, qout,
                 2, true);
  CHECK_EQ_INT(st, EDGERT_ERR_RUNTIME);
  int16_t h[2] = {1, 2}, hout[2];
  st = bt_run_ex(ER_OP_DIV, &attrs, sizeof attrs, 2,
                 (bt_tensor[]){shaped(EDGERT_INT16, 1, d, 0.1f), shaped(EDGERT_INT16, 1, d, 0.1f)},
                 (const void *[]){h, h}, (bt_tensor){.dtype = EDGERT_INT16, .ndim = -1, .scale = 0.1f}, hout,
                 sizeof hout, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

/* ONNX's plain integer division truncates: uint8 from the ONNX 1.12 node test test_div_uint8 (first
 * values); int64 truncates toward zero as ONNX Runtime's C++ division does. */
static void onnx_uint8_and_int64_truncate(void) {
  bt_tensor t = {.dtype = EDGERT_UINT8, BT_SHAPE(5)};
  const uint8_t x[] = {16, 6, 0, 12, 18}, y[] = {11, 5, 23, 23, 23}, want[] = {1, 1, 0, 0, 0};
  uint8_t out[5];
  CHECK_OK(bt_run(ER_OP_DIV, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_UINT8, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 5; i++)
    CHECK_EQ_INT(out[i], want[i]);
  bt_tensor l = {.dtype = EDGERT_INT64, BT_SHAPE(3)};
  const int64_t xl[] = {-7, 7, INT64_MIN}, yl[] = {2, -2, -1}, wantl[] = {-3, -3, INT64_MIN};
  int64_t outl[3];
  CHECK_OK(bt_run(ER_OP_DIV, NULL, 0, 2, (bt_tensor[]){l, l}, (const void *[]){xl, yl},
                  (bt_tensor){.dtype = EDGERT_INT64, .ndim = -1}, outl, sizeof outl));
  for (int i = 0; i < 3; i++)
    CHECK_EQ_INT(outl[i], wantl[i]);
  const uint8_t zero[] = {1, 1, 0, 1, 1};
  edgert_status st = bt_run_ex(ER_OP_DIV, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, zero},
                               (bt_tensor){.dtype = EDGERT_UINT8, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_RUNTIME);
}

void run_tests(void) {
  RUN(float_cases);
  RUN(int32_cases);
  RUN(int8_cases);
  RUN(int8_zero_dividend_gives_zero);
  RUN(rejects_division_by_zero_and_int16);
  RUN(onnx_uint8_and_int64_truncate);
}
