/* VARIADIC_MAX, VARIADIC_MIN, VARIADIC_SUM and VARIADIC_MEAN (ONNX Max, Min, Sum, Mean). Vectors from the
 * ONNX 1.12 backend node tests (onnx/backend/test/case/node/max.py, min.py, sum.py, mean.py:
 * test_max_example, test_min_example, test_sum_example, test_mean_example, test_min_uint8, test_max_int64);
 * the broadcast and NaN cases follow numpy's maximum / add, which those tests' reference uses. */
#include <math.h>

#include "binary_test.h"

static void run3(er_op op, bt_tensor t, const void *a, const void *b, const void *c, void *out,
                 size_t bytes) {
  bt_tensor o = {.dtype = t.dtype, .ndim = -1};
  CHECK_OK(bt_run(op, NULL, 0, 3, (bt_tensor[]){t, t, t}, (const void *[]){a, b, c}, o, out, bytes));
}

static void float_three_inputs(void) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, BT_SHAPE(3)};
  const float mx0[] = {3, 2, 1}, mx1[] = {1, 4, 4}, mx2[] = {2, 5, 3};
  float out[3];
  run3(ER_OP_VARIADIC_MAX, t, mx0, mx1, mx2, out, sizeof out);
  const float want_max[] = {3, 5, 4}, want_min[] = {1, 2, 1};
  for (int i = 0; i < 3; i++)
    CHECK_NEAR(out[i], want_max[i], 0);
  run3(ER_OP_VARIADIC_MIN, t, mx0, mx1, mx2, out, sizeof out);
  for (int i = 0; i < 3; i++)
    CHECK_NEAR(out[i], want_min[i], 0);
  const float s0[] = {3, 0, 2}, s1[] = {1, 3, 4}, s2[] = {2, 6, 6};
  const float want_sum[] = {6, 9, 12}, want_mean[] = {2, 3, 4};
  run3(ER_OP_VARIADIC_SUM, t, s0, s1, s2, out, sizeof out);
  for (int i = 0; i < 3; i++)
    CHECK_NEAR(out[i], want_sum[i], 0);
  run3(ER_OP_VARIADIC_MEAN, t, s0, s1, s2, out, sizeof out);
  for (int i = 0; i < 3; i++)
    CHECK_NEAR(out[i], want_mean[i], 0);
}

static void integer_dtypes(void) {
  bt_tensor t8 = {.dtype = EDGERT_UINT8, BT_SHAPE(3)};
  const uint8_t a8[] = {3, 2, 1}, b8[] = {1, 4, 4};
  uint8_t out8[3];
  CHECK_OK(bt_run(ER_OP_VARIADIC_MIN, NULL, 0, 2, (bt_tensor[]){t8, t8}, (const void *[]){a8, b8},
                  (bt_tensor){.dtype = EDGERT_UINT8, .ndim = -1}, out8, sizeof out8));
  const uint8_t want8[] = {1, 2, 1};
  for (int i = 0; i < 3; i++)
    CHECK_EQ_INT(out8[i], want8[i]);
  bt_tensor t64 = {.dtype = EDGERT_INT64, BT_SHAPE(3)};
  const int64_t a64[] = {3, 2, 1}, b64[] = {1, 4, 4};
  int64_t out64[3];
  CHECK_OK(bt_run(ER_OP_VARIADIC_MAX, NULL, 0, 2, (bt_tensor[]){t64, t64}, (const void *[]){a64, b64},
                  (bt_tensor){.dtype = EDGERT_INT64, .ndim = -1}, out64, sizeof out64));
  const int64_t want64[] = {3, 4, 4};
  for (int i = 0; i < 3; i++)
    CHECK_EQ_INT(out64[i], want64[i]);
}

/* Three inputs of shapes [2, 1], [3] and [1]: a [2, 3] output; a NaN wins Max; float64 Sum. */
static void broadcast_nan_and_float64(void) {
  bt_tensor a = {.dtype = EDGERT_FLOAT64, BT_SHAPE(2, 1)}, b = {.dtype = EDGERT_FLOAT64, BT_SHAPE(3)},
            c = {.dtype = EDGERT_FLOAT64, BT_SHAPE(1)};
  const double x[] = {1, 10}, y[] = {0.5, 2, NAN}, z[] = {100};
  double out[6];
  bt_tensor o = {.dtype = EDGERT_FLOAT64, .ndim = -1};
  CHECK_OK(bt_run(ER_OP_VARIADIC_SUM, NULL, 0, 3, (bt_tensor[]){a, b, c}, (const void *[]){x, y, z}, o, out,
                  sizeof out));
  const double want_sum[] = {101.5, 103, NAN, 110.5, 112, NAN};
  for (int i = 0; i < 6; i++)
    CHECK(isnan(want_sum[i]) ? isnan(out[i]) : out[i] == want_sum[i]);
  CHECK_OK(bt_run(ER_OP_VARIADIC_MAX, NULL, 0, 2, (bt_tensor[]){a, b}, (const void *[]){x, y}, o, out,
                  sizeof out));
  const double want_max[] = {1, 2, NAN, 10, 10, NAN};
  for (int i = 0; i < 6; i++)
    CHECK(isnan(want_max[i]) ? isnan(out[i]) : out[i] == want_max[i]);
}

static void one_input_is_copied(void) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, BT_SHAPE(3)};
  const float x[] = {3, 0, 2};
  float out[3];
  CHECK_OK(bt_run(ER_OP_VARIADIC_MEAN, NULL, 0, 1, (bt_tensor[]){t}, (const void *[]){x},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 3; i++)
    CHECK_NEAR(out[i], x[i], 0);
}

static void rejects_int_sum_and_bad_shapes(void) {
  bt_tensor t = {.dtype = EDGERT_INT32, BT_SHAPE(3)};
  const int32_t x[3] = {0};
  int32_t out[3];
  edgert_status st = bt_run_ex(ER_OP_VARIADIC_SUM, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, x},
                               (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
  bt_tensor a = {.dtype = EDGERT_FLOAT32, BT_SHAPE(3)}, b = {.dtype = EDGERT_FLOAT32, BT_SHAPE(2)};
  const float f[3] = {0};
  float fout[3];
  st = bt_run_ex(ER_OP_VARIADIC_MAX, NULL, 0, 2, (bt_tensor[]){a, b}, (const void *[]){f, f},
                 (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, fout, sizeof fout, true);
  CHECK_EQ_INT(st, EDGERT_ERR_SHAPE);
}

void run_tests(void) {
  RUN(float_three_inputs);
  RUN(integer_dtypes);
  RUN(broadcast_nan_and_float64);
  RUN(one_input_is_copied);
  RUN(rejects_int_sum_and_bad_shapes);
}
