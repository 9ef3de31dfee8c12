/* MINIMUM and MAXIMUM kernels. Vectors from TensorFlow Lite Micro's
 * tensorflow/lite/micro/kernels/maximum_minimum_test.cc (float, int8, float and int32 broadcast); the
 * int16 and int64 runs reuse the int8 and int32 vectors, which those dtypes hold unchanged. */
#include "binary_test.h"

static void run(er_op op, bt_tensor a, const void *x, bt_tensor b, const void *y, void *out, size_t bytes) {
  bt_tensor o = {.dtype = a.dtype, .ndim = -1, .scale = a.scale, .zero_point = a.zero_point};
  CHECK_OK(bt_run(op, NULL, 0, 2, (bt_tensor[]){a, b}, (const void *[]){x, y}, o, out, bytes));
}

static void float_same_shape(void) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, BT_SHAPE(3, 1, 2)};
  const float x[] = {1.0f, 0.0f, -1.0f, 11.0f, -2.0f, -1.44f},
              y[] = {-1.0f, 0.0f, 1.0f, 12.0f, -3.0f, -1.43f};
  const float want_max[] = {1.0f, 0.0f, 1.0f, 12.0f, -2.0f, -1.43f},
              want_min[] = {-1.0f, 0.0f, -1.0f, 11.0f, -3.0f, -1.44f};
  float out[6];
  run(ER_OP_MAXIMUM, t, x, t, y, out, sizeof out);
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i] == want_max[i], 1);
  run(ER_OP_MINIMUM, t, x, t, y, out, sizeof out);
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i] == want_min[i], 1);
}

static void float_broadcast(void) {
  bt_tensor a = {.dtype = EDGERT_FLOAT32, BT_SHAPE(3, 1, 2)}, b = {.dtype = EDGERT_FLOAT32, BT_SHAPE(2)};
  const float x[] = {1.0f, 0.0f, -1.0f, -2.0f, -1.44f, 11.0f}, y[] = {0.5f, 2.0f};
  const float want_max[] = {1.0f, 2.0f, 0.5f, 2.0f, 0.5f, 11.0f},
              want_min[] = {0.5f, 0.0f, -1.0f, -2.0f, -1.44f, 2.0f};
  float out[6];
  run(ER_OP_MAXIMUM, a, x, b, y, out, sizeof out);
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i] == want_max[i], 1);
  run(ER_OP_MINIMUM, a, x, b, y, out, sizeof out);
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i] == want_min[i], 1);
}

static void int8_and_int16_same_quantization(void) {
  bt_tensor t8 = {.dtype = EDGERT_INT8, BT_SHAPE(3, 1, 2), .scale = 1.0f};
  const int8_t x[] = {1, 0, 2, 11, 2, 23}, y[] = {0, 0, 1, 12, 127, 1};
  const int8_t want_max[] = {1, 0, 2, 12, 127, 23}, want_min[] = {0, 0, 1, 11, 2, 1};
  int8_t out[6];
  run(ER_OP_MAXIMUM, t8, x, t8, y, out, sizeof out);
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i], want_max[i]);
  run(ER_OP_MINIMUM, t8, x, t8, y, out, sizeof out);
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i], want_min[i]);

  bt_tensor t16 = {.dtype = EDGERT_INT16, BT_SHAPE(3, 1, 2), .scale = 1.0f};
  int16_t x16[6], y16[6], out16[6];
  for (int i = 0; i < 6; i++)
    x16[i] = x[i], y16[i] = y[i];
  run(ER_OP_MAXIMUM, t16, x16, t16, y16, out16, sizeof out16);
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out16[i], want_max[i]);
}

static void int32_and_int64_broadcast(void) {
  bt_tensor a = {.dtype = EDGERT_INT32, BT_SHAPE(3, 1, 2)}, b = {.dtype = EDGERT_INT32, BT_SHAPE(1)};
  const int32_t x[] = {1, 0, -1, -2, 3, 11}, y[] = {2};
  const int32_t want_max[] = {2, 2, 2, 2, 3, 11}, want_min[] = {1, 0, -1, -2, 2, 2};
  int32_t out[6];
  run(ER_OP_MAXIMUM, a, x, b, y, out, sizeof out);
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i], want_max[i]);
  run(ER_OP_MINIMUM, a, x, b, y, out, sizeof out);
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i], want_min[i]);

  bt_tensor a64 = {.dtype = EDGERT_INT64, BT_SHAPE(3, 1, 2)}, b64 = {.dtype = EDGERT_INT64, .ndim = 0};
  const int64_t x64[] = {1, 0, -1, -2, 3, 11}, y64[] = {2};
  int64_t out64[6];
  run(ER_OP_MINIMUM, a64, x64, b64, y64, out64, sizeof out64);
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out64[i], want_min[i]);
}

static void rejects_mixed_quantization(void) {
  bt_tensor a = {.dtype = EDGERT_INT8, BT_SHAPE(2), .scale = 1.0f},
            b = {.dtype = EDGERT_INT8, BT_SHAPE(2), .scale = 0.5f};
  int8_t x[2] = {0}, out[2];
  edgert_status st = bt_run_ex(ER_OP_MAXIMUM, NULL, 0, 2, (bt_tensor[]){a, b}, (const void *[]){x, x},
                               (bt_tensor){.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f}, out, 2, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

void run_tests(void) {
  RUN(float_same_shape);
  RUN(float_broadcast);
  RUN(int8_and_int16_same_quantization);
  RUN(int32_and_int64_broadcast);
  RUN(rejects_mixed_quantization);
}
