/* CAST against tensorflow/lite/micro/kernels/cast_test.cc: float -> int8 and float -> int16 truncate toward
 * zero ({100, 1, 0, 0.4, 1.999, 1.1} -> {100, 1, 0, 0, 1, 1}); int8 -> float and int16 -> float are exact. */
#include "activation_test.h"
#include "binary_test.h"

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

/* ONNX's Cast dtypes: the ONNX 1.12 node tests test_cast_FLOAT16_to_DOUBLE (exact),
 * test_cast_FLOAT_to_BFLOAT16 (truncation: 0.4794... becomes 0.478515625, whose bits are the float's top 16)
 * and uint64 / uint32 values beyond int64 / int32 (numpy's astype). */
static void test_onnx_float16_float64_bfloat16_unsigned(void) {
  const uint16_t half[] = {er_float_to_half(0.6123046875f), er_float_to_half(-2.5f)};
  double wide[2];
  CHECK_OK(bt_run(ER_OP_CAST, NULL, 0, 1, (bt_tensor[]){{.dtype = EDGERT_FLOAT16, BT_SHAPE(2)}},
                  (const void *[]){half}, (bt_tensor){.dtype = EDGERT_FLOAT64, .ndim = -1}, wide,
                  sizeof wide));
  CHECK_NEAR(wide[0], 0.6123046875, 0);
  CHECK_NEAR(wide[1], -2.5, 0);
  const float f[] = {0.47946197f, 1.0f};
  uint16_t bf[2];
  CHECK_OK(bt_run(ER_OP_CAST, NULL, 0, 1, (bt_tensor[]){{.dtype = EDGERT_FLOAT32, BT_SHAPE(2)}},
                  (const void *[]){f}, (bt_tensor){.dtype = EDGERT_BFLOAT16, .ndim = -1}, bf, sizeof bf));
  CHECK_NEAR(er_bfloat16_to_float(bf[0]), 0.478515625, 0);
  CHECK_NEAR(er_bfloat16_to_float(bf[1]), 1.0, 0);
  const uint64_t big[] = {18446744073709551615u, 3};
  double as_double[2];
  CHECK_OK(bt_run(ER_OP_CAST, NULL, 0, 1, (bt_tensor[]){{.dtype = EDGERT_UINT64, BT_SHAPE(2)}},
                  (const void *[]){big}, (bt_tensor){.dtype = EDGERT_FLOAT64, .ndim = -1}, as_double,
                  sizeof as_double));
  CHECK_NEAR(as_double[0], 18446744073709551616.0, 0);
  CHECK_NEAR(as_double[1], 3.0, 0);
  const double d[] = {4000000000.0, 7.9};
  uint32_t u32[2];
  CHECK_OK(bt_run(ER_OP_CAST, NULL, 0, 1, (bt_tensor[]){{.dtype = EDGERT_FLOAT64, BT_SHAPE(2)}},
                  (const void *[]){d}, (bt_tensor){.dtype = EDGERT_UINT32, .ndim = -1}, u32, sizeof u32));
  CHECK_EQ_INT(u32[0], 4000000000u);
  CHECK_EQ_INT(u32[1], 7);
}

void run_tests(void) {
  RUN(test_float_to_int8_and_int16);
  RUN(test_int8_and_int16_to_float);
  RUN(test_bad_arity_refused);
  RUN(test_onnx_float16_float64_bfloat16_unsigned);
}
