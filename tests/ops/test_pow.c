/* POW kernel. Vectors from TensorFlow Lite's tensorflow/lite/kernels/pow_test.cc (int32 exactly, float
 * within that test's 1e-3). */
#include "binary_test.h"

static void int32_cases(void) {
  bt_tensor t = {.dtype = EDGERT_INT32, BT_SHAPE(1, 2, 2, 1)};
  int32_t out[4];
  CHECK_OK(bt_run(ER_OP_POW, NULL, 0, 2, (bt_tensor[]){t, t},
                  (const void *[]){(const int32_t[]){12, 2, 7, 8}, (const int32_t[]){1, 2, 3, 1}},
                  (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out));
  const int32_t simple[] = {12, 4, 343, 8};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], simple[i]);
  CHECK_OK(bt_run(ER_OP_POW, NULL, 0, 2, (bt_tensor[]){t, t},
                  (const void *[]){(const int32_t[]){0, 2, -7, 8}, (const int32_t[]){1, 2, 3, 0}},
                  (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out));
  const int32_t negative_and_zero[] = {0, 4, -343, 1};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], negative_and_zero[i]);
  CHECK_OK(bt_run(ER_OP_POW, NULL, 0, 2, (bt_tensor[]){t, {.dtype = EDGERT_INT32, BT_SHAPE(1)}},
                  (const void *[]){(const int32_t[]){12, 2, 7, 8}, (const int32_t[]){4}},
                  (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out));
  const int32_t broadcast[] = {20736, 16, 2401, 4096};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], broadcast[i]);
}

static void float_cases(void) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, BT_SHAPE(1, 2, 2, 1)};
  float out[4];
  const float x[] = {0.3f, 0.4f, 0.7f, 5.8f};
  CHECK_OK(bt_run(ER_OP_POW, NULL, 0, 2, (bt_tensor[]){t, t},
                  (const void *[]){x, (const float[]){0.5f, 2.7f, 3.1f, 3.2f}},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out));
  const float want[] = {0.5477226f, 0.08424846f, 0.33098164f, 277.313f};
  for (int i = 0; i < 4; i++)
    CHECK_NEAR(out[i], want[i], 1e-3);
  CHECK_OK(bt_run(ER_OP_POW, NULL, 0, 2, (bt_tensor[]){t, t},
                  (const void *[]){x, (const float[]){0.5f, -2.7f, 3.1f, -3.2f}},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out));
  const float want_negative[] = {0.5477226f, 11.869653f, 0.33098164f, 0.003606f};
  for (int i = 0; i < 4; i++)
    CHECK_NEAR(out[i], want_negative[i], 1e-3);
}

static void rejects_negative_int_exponent_and_int8(void) {
  bt_tensor t = {.dtype = EDGERT_INT32, BT_SHAPE(2)};
  int32_t out[2];
  edgert_status st = bt_run_ex(ER_OP_POW, NULL, 0, 2, (bt_tensor[]){t, t},
                               (const void *[]){(const int32_t[]){2, 3}, (const int32_t[]){1, -1}},
                               (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_RUNTIME);
  bt_tensor q = {.dtype = EDGERT_INT8, BT_SHAPE(2), .scale = 1.0f};
  int8_t x[2] = {1, 2}, qout[2];
  st = bt_run_ex(ER_OP_POW, NULL, 0, 2, (bt_tensor[]){q, q}, (const void *[]){x, x},
                 (bt_tensor){.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f}, qout, sizeof qout, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

/* ONNX Pow with an exponent of another dtype: the ONNX 1.12 node tests test_pow_types_int64_float32
 * ({1, 2, 3} ^ {4.0, 5.0, 6.0} = {1, 32, 729} as int64) and test_pow_types_float32_uint64. */
static void onnx_mixed_types(void) {
  bt_tensor l = {.dtype = EDGERT_INT64, BT_SHAPE(3)}, f = {.dtype = EDGERT_FLOAT32, BT_SHAPE(3)};
  const int64_t xl[] = {1, 2, 3};
  const float yf[] = {4, 5, 6};
  int64_t outl[3];
  CHECK_OK(bt_run(ER_OP_POW, NULL, 0, 2, (bt_tensor[]){l, f}, (const void *[]){xl, yf},
                  (bt_tensor){.dtype = EDGERT_INT64, .ndim = -1}, outl, sizeof outl));
  const int64_t want[] = {1, 32, 729};
  for (int i = 0; i < 3; i++)
    CHECK_EQ_INT(outl[i], want[i]);
  bt_tensor u = {.dtype = EDGERT_UINT64, BT_SHAPE(3)};
  const float xf[] = {1, 2, 3};
  const uint64_t yu[] = {4, 5, 6};
  float outf[3];
  CHECK_OK(bt_run(ER_OP_POW, NULL, 0, 2, (bt_tensor[]){f, u}, (const void *[]){xf, yu},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, outf, sizeof outf));
  for (int i = 0; i < 3; i++)
    CHECK_NEAR(outf[i], (float)want[i], 0);
}

void run_tests(void) {
  RUN(int32_cases);
  RUN(float_cases);
  RUN(rejects_negative_int_exponent_and_int8);
  RUN(onnx_mixed_types);
}
