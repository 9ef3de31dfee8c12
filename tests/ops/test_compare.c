/* Comparison kernels (EQUAL ... GREATER_EQUAL). Vectors from TensorFlow Lite Micro's
 * tensorflow/lite/micro/kernels/comparisons_test.cc: bool, float, int32, broadcasts, and int8 with
 * different input scales and zero points. int16 and int64 reuse the int32 vectors. */
#include "binary_test.h"

static const er_op ops[6] = {ER_OP_EQUAL,         ER_OP_NOT_EQUAL, ER_OP_GREATER,
                             ER_OP_GREATER_EQUAL, ER_OP_LESS,      ER_OP_LESS_EQUAL};

static void check(er_op op, bt_tensor a, const void *x, bt_tensor b, const void *y, int n, const bool *want,
                  const char *what) {
  bool out[8];
  CHECK_OK(bt_run(op, NULL, 0, 2, (bt_tensor[]){a, b}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_BOOL, .ndim = -1}, out, (size_t)n));
  for (int i = 0; i < n; i++)
    CHECK_MSG(out[i] == want[i], "%s %s element %d", what, er_op_name(op), i);
}

static void float_all_ops(void) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, BT_SHAPE(1, 1, 1, 4)};
  const float x[] = {0.1f, 0.9f, 0.7f, 0.3f}, y[] = {0.1f, 0.2f, 0.6f, 0.5f};
  static const bool want[6][4] = {{true, false, false, false}, {false, true, true, true},
                                  {false, true, true, false},  {true, true, true, false},
                                  {false, false, false, true}, {true, false, false, true}};
  for (int k = 0; k < 6; k++)
    check(ops[k], t, x, t, y, 4, want[k], "float");
}

static void int32_int16_int64_all_ops(void) {
  const int32_t x[] = {-1, 9, 7, 3}, y[] = {1, 2, 7, 5};
  static const bool want[6][4] = {{false, false, true, false}, {true, true, false, true},
                                  {false, true, false, false}, {false, true, true, false},
                                  {true, false, false, true},  {true, false, true, true}};
  bt_tensor t32 = {.dtype = EDGERT_INT32, BT_SHAPE(1, 1, 1, 4)};
  int16_t x16[4], y16[4];
  int64_t x64[4], y64[4];
  for (int i = 0; i < 4; i++)
    x16[i] = (int16_t)x[i], y16[i] = (int16_t)y[i], x64[i] = x[i], y64[i] = y[i];
  bt_tensor t16 = t32, t64 = t32;
  t16.dtype = EDGERT_INT16;
  t64.dtype = EDGERT_INT64;
  for (int k = 0; k < 6; k++) {
    /* LessInt in the source uses {1, 2, 6, 5}: with 7 vs 6 LESS stays false, as with 7 vs 7. */
    check(ops[k], t32, x, t32, y, 4, want[k], "int32");
    check(ops[k], t16, x16, t16, y16, 4, want[k], "int16");
    check(ops[k], t64, x64, t64, y64, 4, want[k], "int64");
  }
}

static void int32_broadcasts(void) {
  bt_tensor a = {.dtype = EDGERT_INT32, BT_SHAPE(1, 1, 1, 4)},
            scalar = {.dtype = EDGERT_INT32, BT_SHAPE(1, 1, 1, 1)};
  const int32_t x[] = {-1, 9, 7, 3}, seven[] = {7};
  static const bool want_scalar[6][4] = {{false, false, true, false}, {true, true, false, true},
                                         {false, true, false, false}, {false, true, true, false},
                                         {true, false, false, true},  {true, false, true, true}};
  for (int k = 0; k < 6; k++)
    check(ops[k], a, x, scalar, seven, 4, want_scalar[k], "scalar broadcast");

  bt_tensor a2 = {.dtype = EDGERT_INT32, BT_SHAPE(1, 1, 2, 4)},
            row = {.dtype = EDGERT_INT32, BT_SHAPE(1, 1, 1, 4)};
  const int32_t x2[] = {-1, 9, 7, 3, 2, 4, 2, 8}, y2[] = {7, 1, 2, 4};
  static const bool want_2d[6][8] = {{false, false, false, false, false, false, true, false},
                                     {true, true, true, true, true, true, false, true},
                                     {false, true, true, false, false, true, false, true},
                                     {false, true, true, false, false, true, true, true},
                                     {true, false, false, true, true, false, false, false},
                                     {true, false, false, true, true, false, true, false}};
  for (int k = 0; k < 6; k++) {
    /* LessBroadcastTwoD in the source has 6 in place of the second 2; the expectation is the same. */
    check(ops[k], a2, x2, row, y2, 8, want_2d[k], "2-d broadcast");
  }
}

static void bool_equal_not_equal(void) {
  bt_tensor t = {.dtype = EDGERT_BOOL, BT_SHAPE(1, 1, 1, 4)};
  const bool x[] = {true, false, true, false}, y[] = {true, true, false, false};
  check(ER_OP_EQUAL, t, x, t, y, 4, (const bool[]){true, false, false, true}, "bool");
  check(ER_OP_NOT_EQUAL, t, x, t, y, 4, (const bool[]){false, true, true, false}, "bool");
}

static void int8_different_scales(void) {
  bt_tensor a = {.dtype = EDGERT_INT8, BT_SHAPE(1, 2, 2, 1), .scale = 0.5f, .zero_point = -5};
  bt_tensor b = {.dtype = EDGERT_INT8, BT_SHAPE(1, 2, 2, 1), .scale = 0.25f, .zero_point = 5};
  int8_t qx[4], qy[4];
  bt_quantize_i8((const float[]){1, -9, 7, 3}, 4, 0.5f, -5, qx);
  bt_quantize_i8((const float[]){-1, 2, 7, 5}, 4, 0.25f, 5, qy);
  check(ER_OP_EQUAL, a, qx, b, qy, 4, (const bool[]){false, false, true, false}, "int8");
  bt_quantize_i8((const float[]){1, 2, 7, 5}, 4, 0.25f, 5, qy);
  check(ER_OP_NOT_EQUAL, a, qx, b, qy, 4, (const bool[]){false, true, false, true}, "int8");
}

static void int8_scalar_broadcast(void) {
  static const int64_t shapes[4][4] = {{6}, {2, 3}, {2, 1, 3}, {1, 3, 1, 2}};
  static const int ranks[4] = {1, 2, 3, 4};
  static const struct {
    er_op op;
    bool want[6];
  } cases[] = {{ER_OP_NOT_EQUAL, {true, true, true, false, true, true}},
               {ER_OP_GREATER, {true, false, false, false, true, true}},
               {ER_OP_GREATER_EQUAL, {true, false, false, true, true, true}},
               {ER_OP_LESS, {false, true, true, false, false, false}}};
  int8_t qx[6], qy[1];
  bt_quantize_i8((const float[]){20, -2, -71, 8, 11, 20}, 6, 0.5f, -9, qx);
  bt_quantize_i8((const float[]){8}, 1, 0.5f, -9, qy);
  bt_tensor b = {.dtype = EDGERT_INT8, BT_SHAPE(1), .scale = 0.5f, .zero_point = -9};
  for (int s = 0; s < 4; s++) {
    bt_tensor a = {.dtype = EDGERT_INT8, .ndim = ranks[s], .scale = 0.5f, .zero_point = -9};
    for (int d = 0; d < ranks[s]; d++)
      a.dims[d] = shapes[s][d];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
      check(cases[c].op, a, qx, b, qy, 6, cases[c].want, "int8 broadcast");
  }
}

static void nan_is_only_not_equal(void) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, BT_SHAPE(1)};
  const float nan_value[] = {NAN}, one[] = {1.0f};
  for (int k = 0; k < 6; k++) {
    const bool want[1] = {ops[k] == ER_OP_NOT_EQUAL};
    check(ops[k], t, nan_value, t, one, 1, want, "NaN");
  }
}

static void rejects_bool_ordering_and_non_bool_output(void) {
  bt_tensor t = {.dtype = EDGERT_BOOL, BT_SHAPE(2)};
  bool x[2] = {true, false}, out[2];
  edgert_status st = bt_run_ex(ER_OP_LESS, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, x},
                               (bt_tensor){.dtype = EDGERT_BOOL, .ndim = -1}, out, 2, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
  bt_tensor f = {.dtype = EDGERT_FLOAT32, BT_SHAPE(2)};
  float y[2] = {0}, fout[2];
  st = bt_run_ex(ER_OP_EQUAL, NULL, 0, 2, (bt_tensor[]){f, f}, (const void *[]){y, y},
                 (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, fout, sizeof fout, true);
  CHECK(st != EDGERT_OK);
}

/* ONNX's dtypes: float64 and unquantized int8 / uint16 compared by value (ONNX 1.12 node tests
 * test_greater, test_less_equal: numpy's comparisons). */
static void onnx_float64_and_raw_integers(void) {
  bt_tensor d = {.dtype = EDGERT_FLOAT64, BT_SHAPE(4)};
  const double x[] = {1, 2, 3, -1}, y[] = {2, 2, 2, -2};
  const bool want_greater[] = {false, false, true, true}, want_less_equal[] = {true, true, false, false};
  check(ER_OP_GREATER, d, x, d, y, 4, want_greater, "float64 GREATER");
  check(ER_OP_LESS_EQUAL, d, x, d, y, 4, want_less_equal, "float64 LESS_EQUAL");
  bt_tensor i8 = {.dtype = EDGERT_INT8, BT_SHAPE(4)};
  const int8_t x8[] = {1, 2, 3, -1}, y8[] = {2, 2, 2, -2};
  check(ER_OP_GREATER, i8, x8, i8, y8, 4, want_greater, "int8 GREATER");
  bt_tensor u16 = {.dtype = EDGERT_UINT16, BT_SHAPE(4)};
  const uint16_t x16[] = {1, 2, 3, 65535}, y16[] = {2, 2, 2, 1};
  check(ER_OP_GREATER, u16, x16, u16, y16, 4, want_greater, "uint16 GREATER");
}

void run_tests(void) {
  RUN(float_all_ops);
  RUN(int32_int16_int64_all_ops);
  RUN(int32_broadcasts);
  RUN(bool_equal_not_equal);
  RUN(int8_different_scales);
  RUN(int8_scalar_broadcast);
  RUN(nan_is_only_not_equal);
  RUN(rejects_bool_ordering_and_non_bool_output);
  RUN(onnx_float64_and_raw_integers);
}
