/* ADD_N kernel. Vectors from TensorFlow Lite's tensorflow/lite/kernels/add_n_test.cc (AddMultipleTensors,
 * float and int32). */
#include "binary_test.h"

static void float_three_tensors(void) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, BT_SHAPE(1, 2, 2, 1)};
  float out[4];
  CHECK_OK(bt_run(ER_OP_ADD_N, NULL, 0, 3, (bt_tensor[]){t, t, t},
                  (const void *[]){(const float[]){-2.0f, 0.2f, 0.7f, 0.8f},
                                   (const float[]){0.1f, 0.2f, 0.3f, 0.5f},
                                   (const float[]){0.5f, 0.1f, 0.1f, 0.2f}},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out));
  const float want[] = {-1.4f, 0.5f, 1.1f, 1.5f};
  for (int i = 0; i < 4; i++)
    CHECK_NEAR(out[i], want[i], 1e-6);
}

static void int32_three_tensors(void) {
  bt_tensor t = {.dtype = EDGERT_INT32, BT_SHAPE(1, 2, 2, 1)};
  int32_t out[4];
  CHECK_OK(bt_run(ER_OP_ADD_N, NULL, 0, 3, (bt_tensor[]){t, t, t},
                  (const void *[]){(const int32_t[]){-20, 2, 7, 8}, (const int32_t[]){1, 2, 3, 5},
                                   (const int32_t[]){10, -5, 1, -2}},
                  (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out));
  const int32_t want[] = {-9, -1, 11, 11};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void rejects_shape_mismatch_and_int8(void) {
  bt_tensor a = {.dtype = EDGERT_FLOAT32, BT_SHAPE(4)}, b = {.dtype = EDGERT_FLOAT32, BT_SHAPE(2, 2)};
  float x[4] = {0}, out[4];
  edgert_status st = bt_run_ex(ER_OP_ADD_N, NULL, 0, 2, (bt_tensor[]){a, b}, (const void *[]){x, x},
                               (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_SHAPE);
  bt_tensor q = {.dtype = EDGERT_INT8, BT_SHAPE(4), .scale = 1.0f};
  int8_t y[4] = {0}, qout[4];
  st = bt_run_ex(ER_OP_ADD_N, NULL, 0, 2, (bt_tensor[]){q, q}, (const void *[]){y, y},
                 (bt_tensor){.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f}, qout, sizeof qout, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

void run_tests(void) {
  RUN(float_three_tensors);
  RUN(int32_three_tensors);
  RUN(rejects_shape_mismatch_and_int8);
}
