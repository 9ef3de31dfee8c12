/* LOGICAL_AND and LOGICAL_OR kernels. Vectors from TensorFlow Lite Micro's
 * tensorflow/lite/micro/kernels/logical_test.cc. */
#include "binary_test.h"

static void check(er_op op, bt_tensor a, const bool *x, bt_tensor b, const bool *y, const bool *want) {
  bool out[4];
  CHECK_OK(bt_run(op, NULL, 0, 2, (bt_tensor[]){a, b}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_BOOL, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static const bool input1[] = {true, false, false, true};

static void logical_or_same_shape_and_broadcast(void) {
  bt_tensor t = {.dtype = EDGERT_BOOL, BT_SHAPE(1, 1, 1, 4)},
            one = {.dtype = EDGERT_BOOL, BT_SHAPE(1, 1, 1, 1)};
  check(ER_OP_LOGICAL_OR, t, input1, t, (const bool[]){true, false, true, false},
        (const bool[]){true, false, true, true});
  check(ER_OP_LOGICAL_OR, t, input1, one, (const bool[]){false}, (const bool[]){true, false, false, true});
}

static void logical_and_same_shape_and_broadcast(void) {
  bt_tensor t = {.dtype = EDGERT_BOOL, BT_SHAPE(1, 1, 1, 4)},
            one = {.dtype = EDGERT_BOOL, BT_SHAPE(1, 1, 1, 1)};
  check(ER_OP_LOGICAL_AND, t, input1, t, (const bool[]){true, false, true, false},
        (const bool[]){true, false, false, false});
  check(ER_OP_LOGICAL_AND, t, input1, one, (const bool[]){true}, (const bool[]){true, false, false, true});
}

static void rejects_non_bool_inputs(void) {
  bt_tensor t = {.dtype = EDGERT_INT8, BT_SHAPE(4)};
  int8_t x[4] = {0}, out[4];
  edgert_status st = bt_run_ex(ER_OP_LOGICAL_AND, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, x},
                               (bt_tensor){.dtype = EDGERT_BOOL, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

/* LOGICAL_XOR (ONNX Xor): the truth table of the ONNX 1.12 node tests test_xor2d etc. (numpy's
 * logical_xor), with a broadcast row. */
static void xor_truth_table_and_broadcast(void) {
  bt_tensor t = {.dtype = EDGERT_BOOL, BT_SHAPE(4)};
  const bool x[] = {true, false, false, true}, y[] = {true, false, true, false};
  const bool want[] = {false, false, true, true};
  check(ER_OP_LOGICAL_XOR, t, x, t, y, want);
  bt_tensor a = {.dtype = EDGERT_BOOL, BT_SHAPE(2, 2)}, b = {.dtype = EDGERT_BOOL, BT_SHAPE(2)};
  const bool row[] = {false, true}, want_row[] = {true, true, false, false};
  check(ER_OP_LOGICAL_XOR, a, x, b, row, want_row);
}

void run_tests(void) {
  RUN(logical_or_same_shape_and_broadcast);
  RUN(logical_and_same_shape_and_broadcast);
  RUN(rejects_non_bool_inputs);
  RUN(xor_truth_table_and_broadcast);
}
