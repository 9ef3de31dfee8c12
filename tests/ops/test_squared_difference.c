/* SQUARED_DIFFERENCE kernel. Vectors from TensorFlow Lite's
 * tensorflow/lite/kernels/squared_difference_test.cc: float and int32 exactly (float within that test's 10
 * epsilon), int8 within its two-step tolerance, with scales and zero points derived from the test's float
 * ranges as TFLite's test helper does. */
#include "binary_test.h"

static const int64_t shapes[4][4] = {{6}, {2, 3}, {2, 1, 3}, {1, 3, 1, 2}};
static const int ranks[4] = {1, 2, 3, 4};

static bt_tensor shaped(edgert_dtype dtype, int s) {
  bt_tensor t = {.dtype = dtype, .ndim = ranks[s]};
  for (int d = 0; d < ranks[s]; d++)
    t.dims[d] = shapes[s][d];
  return t;
}

static void run_float(bt_tensor a, const float *x, bt_tensor b, const float *y, int n, const float *want) {
  float out[6];
  CHECK_OK(bt_run(ER_OP_SQUARED_DIFFERENCE, NULL, 0, 2, (bt_tensor[]){a, b}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof(float) * (size_t)n));
  for (int i = 0; i < n; i++)
    CHECK_NEAR(out[i], want[i], 10 * 1.1920929e-7);
}

static void float_cases(void) {
  bt_tensor t4 = {.dtype = EDGERT_FLOAT32, BT_SHAPE(1, 2, 2, 1)};
  run_float(t4, (const float[]){-0.2f, 0.2f, -1.2f, 0.8f}, t4, (const float[]){0.5f, 0.2f, -1.5f, 0.5f}, 4,
            (const float[]){0.49f, 0.0f, 0.09f, 0.09f});
  for (int s = 0; s < 4; s++) {
    bt_tensor t = shaped(EDGERT_FLOAT32, s);
    run_float(t, (const float[]){-2.0f, 0.2f, 0.3f, 0.8f, 1.1f, -2.0f}, t,
              (const float[]){1.0f, 0.2f, 0.6f, 0.4f, -1.0f, -0.0f}, 6,
              (const float[]){9.0f, 0.0f, 0.09f, 0.16f, 4.41f, 4.0f});
    run_float(t, (const float[]){-0.2f, 0.2f, 0.5f, 0.8f, 0.11f, 1.1f},
              (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = 0}, (const float[]){0.1f}, 6,
              (const float[]){0.09f, 0.01f, 0.16f, 0.49f, 0.0001f, 1.0f});
  }
}

static void run_int32(bt_tensor a, const int32_t *x, bt_tensor b, const int32_t *y, int n,
                      const int32_t *want) {
  int32_t out[6];
  CHECK_OK(bt_run(ER_OP_SQUARED_DIFFERENCE, NULL, 0, 2, (bt_tensor[]){a, b}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof(int32_t) * (size_t)n));
  for (int i = 0; i < n; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void int32_cases(void) {
  bt_tensor t4 = {.dtype = EDGERT_INT32, BT_SHAPE(1, 2, 2, 1)};
  run_int32(t4, (const int32_t[]){-2, 2, -15, 8}, t4, (const int32_t[]){5, -2, -3, 5}, 4,
            (const int32_t[]){49, 16, 144, 9});
  for (int s = 0; s < 4; s++) {
    bt_tensor t = shaped(EDGERT_INT32, s);
    run_int32(t, (const int32_t[]){-20, 2, 3, 8, 11, -20}, t, (const int32_t[]){1, 2, 6, 5, -5, -20}, 6,
              (const int32_t[]){441, 0, 9, 9, 256, 0});
    run_int32(t, (const int32_t[]){-20, 10, 7, 3, 1, 13}, (bt_tensor){.dtype = EDGERT_INT32, .ndim = 0},
              (const int32_t[]){3}, 6, (const int32_t[]){529, 49, 16, 0, 4, 100});
  }
}

typedef struct {
  float min, max;
} range;

static void run_int8(bt_tensor a, range ra, const float *x, bt_tensor b, range rb, const float *y, range ro,
                     int n, const float *want, float tolerance) {
  int32_t zp;
  bt_qparams_from_range(ra.min, ra.max, -128, 127, &a.scale, &zp);
  a.zero_point = zp;
  bt_qparams_from_range(rb.min, rb.max, -128, 127, &b.scale, &zp);
  b.zero_point = zp;
  bt_tensor o = {.dtype = EDGERT_INT8, .ndim = -1};
  bt_qparams_from_range(ro.min, ro.max, -128, 127, &o.scale, &zp);
  o.zero_point = zp;
  int8_t qa[6], qb[6], out[6];
  const int nb = b.ndim == 0 ? 1 : n;
  bt_quantize_i8(x, n, a.scale, a.zero_point, qa);
  bt_quantize_i8(y, nb, b.scale, b.zero_point, qb);
  CHECK_OK(bt_run(ER_OP_SQUARED_DIFFERENCE, NULL, 0, 2, (bt_tensor[]){a, b}, (const void *[]){qa, qb}, o, out,
                  (size_t)n));
  for (int i = 0; i < n; i++)
    CHECK_NEAR((out[i] - o.zero_point) * o.scale, want[i], tolerance);
}

static void int8_cases(void) {
  bt_tensor t4 = {.dtype = EDGERT_INT8, BT_SHAPE(1, 2, 2, 1)};
  run_int8(t4, (range){-1.2f, 0.8f}, (const float[]){-0.2f, 0.2f, -1.2f, 0.8f}, t4, (range){-1.5f, 0.5f},
           (const float[]){0.5f, 0.2f, -1.5f, 0.5f}, (range){0.0f, 0.5f}, 4,
           (const float[]){0.49f, 0.0f, 0.09f, 0.09f}, 2.0f / 255.0f);
  for (int s = 0; s < 4; s++) {
    bt_tensor t = shaped(EDGERT_INT8, s);
    run_int8(t, (range){-2.0f, 1.7f}, (const float[]){-2.0f, 0.2f, 0.3f, 0.8f, 1.1f, -2.0f}, t,
             (range){-1.0f, 1.0f}, (const float[]){1.0f, 0.2f, 0.6f, 0.4f, -1.0f, -0.0f}, (range){0.0f, 9.0f},
             6, (const float[]){9.0f, 0.0f, 0.09f, 0.16f, 4.41f, 4.0f}, 2.0f * 9.0f / 255.0f);
    run_int8(t, (range){-0.2f, 1.1f}, (const float[]){-0.2f, 0.2f, 0.5f, 0.8f, 0.11f, 1.1f},
             (bt_tensor){.dtype = EDGERT_INT8, .ndim = 0}, (range){0.0f, 0.1f}, (const float[]){0.1f},
             (range){0.0f, 1.0f}, 6, (const float[]){0.09f, 0.01f, 0.16f, 0.49f, 0.0001f, 1.0f},
             2.0f / 255.0f);
  }
}

static void rejects_int16(void) {
  bt_tensor t = {.dtype = EDGERT_INT16, BT_SHAPE(2), .scale = 1.0f};
  int16_t x[2] = {0}, out[2];
  edgert_status st =
      bt_run_ex(ER_OP_SQUARED_DIFFERENCE, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, x},
                (bt_tensor){.dtype = EDGERT_INT16, .ndim = -1, .scale = 1.0f}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

void run_tests(void) {
  RUN(float_cases);
  RUN(int32_cases);
  RUN(int8_cases);
  RUN(rejects_int16);
}
