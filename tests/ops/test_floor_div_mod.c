/* FLOOR_DIV and FLOOR_MOD kernels. Vectors from TensorFlow Lite's tensorflow/lite/kernels/floor_div_test.cc
 * and floor_mod_test.cc. */
#include "binary_test.h"

static const bt_tensor t4_i32 = {.dtype = EDGERT_INT32, BT_SHAPE(1, 2, 2, 1)};
static const bt_tensor one_i32 = {.dtype = EDGERT_INT32, BT_SHAPE(1)};

static void check_i32(er_op op, bt_tensor b, const int32_t *x, const int32_t *y, const int32_t *want) {
  int32_t out[4];
  CHECK_OK(bt_run(op, NULL, 0, 2, (bt_tensor[]){t4_i32, b}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void floor_div_int32(void) {
  check_i32(ER_OP_FLOOR_DIV, t4_i32, (const int32_t[]){10, 9, 11, 3}, (const int32_t[]){2, 2, 3, 4},
            (const int32_t[]){5, 4, 3, 0});
  check_i32(ER_OP_FLOOR_DIV, t4_i32, (const int32_t[]){10, -9, -11, 7}, (const int32_t[]){2, 2, -3, -4},
            (const int32_t[]){5, -5, 3, -2});
  check_i32(ER_OP_FLOOR_DIV, one_i32, (const int32_t[]){10, -9, -11, 7}, (const int32_t[]){-3},
            (const int32_t[]){-4, 3, 3, -3});
}

static void floor_div_float(void) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, BT_SHAPE(1, 2, 2, 1)};
  float out[4];
  CHECK_OK(bt_run(ER_OP_FLOOR_DIV, NULL, 0, 2, (bt_tensor[]){t, t},
                  (const void *[]){(const float[]){10.05f, 9.09f, 11.9f, 3.01f},
                                   (const float[]){2.05f, 2.03f, 3.03f, 4.03f}},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out));
  const float want[] = {4.0f, 4.0f, 3.0f, 0.0f};
  for (int i = 0; i < 4; i++)
    CHECK_NEAR(out[i], want[i], 0);
}

static void floor_mod_int32_int16_int64(void) {
  check_i32(ER_OP_FLOOR_MOD, t4_i32, (const int32_t[]){10, 9, 11, 3}, (const int32_t[]){2, 2, 3, 4},
            (const int32_t[]){0, 1, 2, 3});
  check_i32(ER_OP_FLOOR_MOD, t4_i32, (const int32_t[]){10, -9, -11, 7}, (const int32_t[]){2, 2, -3, -4},
            (const int32_t[]){0, 1, -2, -1});
  check_i32(ER_OP_FLOOR_MOD, one_i32, (const int32_t[]){10, -9, -11, 7}, (const int32_t[]){-3},
            (const int32_t[]){-2, 0, -2, -2});

  bt_tensor t16 = {.dtype = EDGERT_INT16, BT_SHAPE(1, 2, 2, 1)};
  int16_t out16[4];
  CHECK_OK(bt_run(ER_OP_FLOOR_MOD, NULL, 0, 2, (bt_tensor[]){t16, {.dtype = EDGERT_INT16, BT_SHAPE(1)}},
                  (const void *[]){(const int16_t[]){10, -9, -11, 7}, (const int16_t[]){-3}},
                  (bt_tensor){.dtype = EDGERT_INT16, .ndim = -1}, out16, sizeof out16));
  const int16_t want16[] = {-2, 0, -2, -2};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out16[i], want16[i]);

  bt_tensor t64 = {.dtype = EDGERT_INT64, BT_SHAPE(1, 2, 2, 1)};
  int64_t out64[4];
  CHECK_OK(bt_run(
      ER_OP_FLOOR_MOD, NULL, 0, 2, (bt_tensor[]){t64, {.dtype = EDGERT_INT64, BT_SHAPE(1)}},
      (const void *[]){(const int64_t[]){10, -9, -11, (1LL << 34) + 9}, (const int64_t[]){-(1LL << 33)}},
      (bt_tensor){.dtype = EDGERT_INT64, .ndim = -1}, out64, sizeof out64));
  const int64_t want64[] = {-8589934582LL, -9, -11, -8589934583LL};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out64[i], want64[i]);
}

static void floor_mod_float(void) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, BT_SHAPE(1, 2, 2, 1)};
  float out[4];
  CHECK_OK(bt_run(ER_OP_FLOOR_MOD, NULL, 0, 2, (bt_tensor[]){t, t},
                  (const void *[]){(const float[]){10, -9, -11, 7}, (const float[]){2, 2, -3, -4}},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out));
  const float want[] = {0, 1, -2, -1};
  for (int i = 0; i < 4; i++)
    CHECK_NEAR(out[i], want[i], 0);
  CHECK_OK(bt_run(ER_OP_FLOOR_MOD, NULL, 0, 2, (bt_tensor[]){t, {.dtype = EDGERT_FLOAT32, BT_SHAPE(1)}},
                  (const void *[]){(const float[]){10, -9, -11, 7}, (const float[]){-3}},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out));
  const float want_broadcast[] = {-2, 0, -2, -2};
  for (int i = 0; i < 4; i++)
    CHECK_NEAR(out[i], want_broadcast[i], 0);
}

static void rejects_zero_divisor_and_bool(void) {
  int32_t out[4];
  edgert_status st = bt_run_ex(ER_OP_FLOOR_DIV, NULL, 0, 2, (bt_tensor[]){t4_i32, one_i32},
                               (const void *[]){(const int32_t[]){1, 2, 3, 4}, (const int32_t[]){0}},
                               (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_RUNTIME);
  st = bt_run_ex(ER_OP_FLOOR_MOD, NULL, 0, 2, (bt_tensor[]){t4_i32, one_i32},
                 (const void *[]){(const int32_t[]){1, 2, 3, 4}, (const int32_t[]){0}},
                 (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_RUNTIME);
  bt_tensor b = {.dtype = EDGERT_BOOL, BT_SHAPE(4)};
  bool flags[4] = {true, true, true, true}, bout[4];
  st = bt_run_ex(ER_OP_FLOOR_DIV, NULL, 0, 2, (bt_tensor[]){b, b}, (const void *[]){flags, flags},
                 (bt_tensor){.dtype = EDGERT_BOOL, .ndim = -1}, bout, sizeof bout, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

/* ONNX Mod with fmod = 0 (the divisor's sign): the ONNX 1.12 node tests test_mod_mixed_sign_int8
 * ({-4, 7, 5, 4, -7, 8} mod {2, -3, 8, -2, 3, 5} = {0, -2, 5, 0, 2, 3}) and test_mod_uint8. */
static void onnx_int8_and_uint8_mod(void) {
  bt_tensor t = {.dtype = EDGERT_INT8, BT_SHAPE(6)};
  const int8_t x[] = {-4, 7, 5, 4, -7, 8}, y[] = {2, -3, 8, -2, 3, 5}, want[] = {0, -2, 5, 0, 2, 3};
  int8_t out[6];
  CHECK_OK(bt_run(ER_OP_FLOOR_MOD, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_INT8, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i], want[i]);
  bt_tensor u = {.dtype = EDGERT_UINT8, BT_SHAPE(3)};
  const uint8_t xu[] = {4, 7, 5}, yu[] = {2, 3, 8}, wantu[] = {0, 1, 5};
  uint8_t outu[3];
  CHECK_OK(bt_run(ER_OP_FLOOR_MOD, NULL, 0, 2, (bt_tensor[]){u, u}, (const void *[]){xu, yu},
                  (bt_tensor){.dtype = EDGERT_UINT8, .ndim = -1}, outu, sizeof outu));
  for (int i = 0; i < 3; i++)
    CHECK_EQ_INT(outu[i], wantu[i]);
}

void run_tests(void) {
  RUN(floor_div_int32);
  RUN(floor_div_float);
  RUN(floor_mod_int32_int16_int64);
  RUN(floor_mod_float);
  RUN(rejects_zero_divisor_and_bool);
  RUN(onnx_int8_and_uint8_mod);
}
