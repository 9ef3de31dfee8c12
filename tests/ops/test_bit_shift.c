/* BIT_SHIFT (ONNX BitShift). Vectors from the ONNX 1.12 backend node tests
 * (onnx/backend/test/case/node/bitshift.py: test_bitshift_left_uint8, test_bitshift_right_uint64,
 * test_bitshift_left_uint16). */
#include "binary_test.h"

static void left_uint8_and_uint16(void) {
  er_bit_shift_attrs left = {.left = true};
  bt_tensor t = {.dtype = EDGERT_UINT8, BT_SHAPE(3)};
  const uint8_t x[] = {16, 4, 1}, y[] = {1, 2, 3}, want[] = {32, 16, 8};
  uint8_t out[3];
  CHECK_OK(bt_run(ER_OP_BIT_SHIFT, &left, sizeof left, 2, (bt_tensor[]){t, t}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_UINT8, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 3; i++)
    CHECK_EQ_INT(out[i], want[i]);
  bt_tensor t16 = {.dtype = EDGERT_UINT16, BT_SHAPE(3)};
  const uint16_t x16[] = {16, 4, 1}, y16[] = {1, 2, 3};
  uint16_t out16[3];
  CHECK_OK(bt_run(ER_OP_BIT_SHIFT, &left, sizeof left, 2, (bt_tensor[]){t16, t16}, (const void *[]){x16, y16},
                  (bt_tensor){.dtype = EDGERT_UINT16, .ndim = -1}, out16, sizeof out16));
  for (int i = 0; i < 3; i++)
    CHECK_EQ_INT(out16[i], want[i]);
}

static void right_uint64_and_wide_shift(void) {
  er_bit_shift_attrs right = {.left = false};
  bt_tensor t = {.dtype = EDGERT_UINT64, BT_SHAPE(4)};
  const uint64_t x[] = {16, 4, 1, 1}, y[] = {1, 2, 3, 64}, want[] = {8, 1, 0, 0};
  uint64_t out[4];
  CHECK_OK(bt_run(ER_OP_BIT_SHIFT, &right, sizeof right, 2, (bt_tensor[]){t, t}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_UINT64, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void rejects_signed(void) {
  er_bit_shift_attrs left = {.left = true};
  bt_tensor t = {.dtype = EDGERT_INT32, BT_SHAPE(1)};
  const int32_t x[] = {1};
  int32_t out[1];
  edgert_status st =
      bt_run_ex(ER_OP_BIT_SHIFT, &left, sizeof left, 2, (bt_tensor[]){t, t}, (const void *[]){x, x},
                (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

void run_tests(void) {
  RUN(left_uint8_and_uint16);
  RUN(right_uint64_and_wide_shift);
  RUN(rejects_signed);
}
