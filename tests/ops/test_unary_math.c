/* Unary math against TFLite's kernel tests:
 *   tensorflow/lite/micro/kernels/elementwise_test.cc  (Abs, Sin, Cos, Log, Sqrt, Rsqrt, Square within 1e-5;
 *                                                      LogicalNot exact)
 *   tensorflow/lite/kernels/round_test.cc              (SingleDim, MultiDims: half to even, exact)
 *   tensorflow/lite/micro/kernels/floor_test.cc, ceil_test.cc, neg_test.cc (single-dim cases). */
#include "activation_test.h"

static void run_f(er_op op, const float *in, const float *want, int n, double tol) {
  float out[16];
  act_case c = {.op = op, .in_type = EDGERT_FLOAT32, .out_type = EDGERT_FLOAT32, .ndim = 1, .dims = {n}};
  CHECK_OK(act_run(&c, in, out, (size_t)n * sizeof(float)));
  check_floats_near(out, want, n, tol);
}

static void test_elementwise_micro(void) {
  run_f(ER_OP_ABS, (float[]){0.01f, -0.01f, 10, -10}, (float[]){0.01f, 0.01f, 10, 10}, 4, 1e-5);
  run_f(ER_OP_SIN, (float[]){0, 3.1415926f, -3.1415926f, 1}, (float[]){0, 0, 0, 0.84147f}, 4, 1e-5);
  run_f(ER_OP_COS, (float[]){0, 3.1415926f, -3.1415926f, 1}, (float[]){1, -1, -1, 0.54030f}, 4, 1e-5);
  run_f(ER_OP_LOG, (float[]){1, 2.7182818f, 0.5f, 2}, (float[]){0, 1, -0.6931472f, 0.6931472f}, 4, 1e-5);
  run_f(ER_OP_SQRT, (float[]){0, 1, 2, 4}, (float[]){0, 1, 1.41421f, 2}, 4, 1e-5);
  run_f(ER_OP_RSQRT, (float[]){1, 2, 4, 9}, (float[]){1, 0.7071f, 0.5f, 0.33333f}, 4, 1e-5);
  run_f(ER_OP_SQUARE, (float[]){1, 2, 0.5f, -3.0f}, (float[]){1, 4, 0.25f, 9}, 4, 1e-5);
}

static void test_logical_not(void) {
  const uint8_t in[4] = {1, 0, 0, 1}, want[4] = {0, 1, 1, 0};
  uint8_t out[4];
  act_case c = {
      .op = ER_OP_LOGICAL_NOT, .in_type = EDGERT_BOOL, .out_type = EDGERT_BOOL, .ndim = 2, .dims = {2, 2}};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void test_round_half_to_even(void) {
  run_f(ER_OP_ROUND, (float[]){8.5f, 0.0f, 3.5f, 4.2f, -3.5f, -4.5f}, (float[]){8, 0, 4, 4, -4, -4}, 6, 0.0);
  run_f(ER_OP_ROUND,
        (float[]){0.0001f, 8.0001f, 0.9999f, 9.9999f, 0.5f, -0.0001f, -8.0001f, -0.9999f, -9.9999f, -0.5f,
                  -2.5f, 1.5f},
        (float[]){0, 8, 1, 10, 0, 0, -8, -1, -10, -0.0f, -2, 2}, 12, 0.0);
}

static void test_floor_ceil_neg(void) {
  run_f(ER_OP_FLOOR, (float[]){8.5f, 0.0f}, (float[]){8, 0}, 2, 1e-5);
  run_f(ER_OP_FLOOR, (float[]){0.0001f, 8.0001f, 0.9999f, 9.9999f, 0.5f}, (float[]){0, 8, 0, 9, 0}, 5, 1e-5);
  run_f(ER_OP_CEIL, (float[]){8.5f, 0.0f}, (float[]){9, 0}, 2, 1e-5);
  run_f(ER_OP_NEG, (float[]){8.5f, 0.0f}, (float[]){-8.5f, 0.0f}, 2, 0.0);
  run_f(ER_OP_NEG, (float[]){-2.0f, -1.0f, 0.f, 1.0f, 2.0f, 3.0f},
        (float[]){2.0f, 1.0f, -0.f, -1.0f, -2.0f, -3.0f}, 6, 0.0);
}

/* SIN on int8, LOGICAL_NOT on float, and ABS with a float output for int32 input are refused. */
static void test_bad_inputs_refused(void) {
  int32_t in[4] = {0}, out[4];
  act_case sin8 = {.op = ER_OP_SIN, .in_type = EDGERT_INT8, .out_type = EDGERT_INT8, .ndim = 1, .dims = {4}};
  CHECK(act_run(&sin8, in, out, 4) == EDGERT_ERR_UNSUPPORTED);
  act_case not_f = {
      .op = ER_OP_LOGICAL_NOT, .in_type = EDGERT_FLOAT32, .out_type = EDGERT_FLOAT32, .ndim = 1, .dims = {4}};
  CHECK(act_run(&not_f, in, out, sizeof out) == EDGERT_ERR_UNSUPPORTED);
  act_case abs_mixed = {
      .op = ER_OP_ABS, .in_type = EDGERT_INT32, .out_type = EDGERT_FLOAT32, .ndim = 1, .dims = {4}};
  CHECK(act_run(&abs_mixed, in, out, sizeof out) != EDGERT_OK);
}

void run_tests(void) {
  RUN(test_elementwise_micro);
  RUN(test_logical_not);
  RUN(test_round_half_to_even);
  RUN(test_floor_ceil_neg);
  RUN(test_bad_inputs_refused);
}
