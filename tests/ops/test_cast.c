/* CAST against tensorflow/lite/micro/kernels/cast_test.cc: float -> int8 and float -> int16 truncate toward
 * zero ({100, 1, 0, 0.4, 1.999, 1.1} -> {100, 1, 0, 0, 1, 1}); int8 -> float and int16 -> float are exact. */
#include "activation_test.h"

static const float kFloats[6] = {100.f, 1.0f, 0.f, 0.4f, 1.999f, 1.1f};
static const int32_t kTruncated[6] = {100, 1, 0, 0, 1, 1};

static void test_float_to_int8_and_int16(void) {
  int8_t out8[6];
  int16_t out16[6];
  act_case c = {
      .op = ER_OP_CAST, .in_type = EDGERT_FLOAT32, .out_type = EDGERT_INT8, .ndim = 2, .dims = {3, 2}};
  CHECK_OK(act_run(&c, kFloats, out8, sizeof out8));
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out8[i], kTruncated[i]);
  c.out_type = EDGERT_INT16;
  CHECK_OK(act_run(&c, kFloats, out16, sizeof out16));
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out16[i], kTruncated[i]);
}

static void test_int8_and_int16_to_float(void) {
  const int8_t in8[6] = {123, 0, 1, 2, 3, 4};
  const int16_t in16[6] = {123, 0, 1, 2, 3, 4};
  const float want[6] = {123.f, 0.f, 1.f, 2.f, 3.f, 4.f};
  float out[6];
  act_case c = {
      .op = ER_OP_CAST, .in_type = EDGERT_INT8, .out_type = EDGERT_FLOAT32, .ndim = 2, .dims = {3, 2}};
  CHECK_OK(act_run(&c, in8, out, sizeof out));
  check_floats_near(out, want, 6, 0.0);
  c.in_type = EDGERT_INT16;
  CHECK_OK(act_run(&c, in16, out, sizeof out));
  check_floats_near(out, want, 6, 0.0);
}

/* A node with two inputs is malformed for CAST. */
static void test_bad_arity_refused(void) {
  th_graph *g = th_new();
  int a = th_tensor(g, EDGERT_FLOAT32, 1, (int64_t[]){2}, NULL);
  int b = th_tensor(g, EDGERT_FLOAT32, 1, (int64_t[]){2}, (float[]){1, 2});
  int o = th_tensor(g, EDGERT_INT32, -1, NULL, NULL);
  th_node(g, ER_OP_CAST, NULL, 0, 2, (int[]){a, b}, 1, (int[]){o});
  th_io(g, 1, (int[]){a}, 1, (int[]){o});
  float x[2] = {1, 2};
  CHECK(th_run(g, (const void *[]){x}) != EDGERT_OK);
  th_free(g);
}

void run_tests(void) {
  RUN(test_float_to_int8_and_int16);
  RUN(test_int8_and_int16_to_float);
  RUN(test_bad_arity_refused);
}
