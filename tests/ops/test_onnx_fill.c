/* ONNX_SHAPE, SIZE, CONSTANT_OF_SHAPE, RANGE, EYE_LIKE and ONE_HOT against the ONNX backend test data
 * (onnx/backend/test/data/node/test_shape_start_1_end_negative_1, test_size, test_constantofshape_int_zeros,
 * test_range_int32_type_negative_delta, test_eyelike_populate_off_main_diagonal, test_onehot_with_axis). */
#include "onnx_test.h"

static double zeros[60];

static void shape_start_end_and_size(void) {
  er_shape_slice_attrs a = {1, -1};
  ot_tensor in[1] = {{EDGERT_FLOAT32, 3, {3, 4, 5}, zeros, false, false}};
  ot_output out = {EDGERT_INT64, 1, {1}, (const double[]){4}, false};
  ot_run(ER_OP_ONNX_SHAPE, &a, sizeof a, 1, in, 1, &out, 0, true);
  er_shape_slice_attrs all = {-10, INT64_MAX}; /* start clamps to 0 (test_shape_clip_start) */
  ot_output all_out = {EDGERT_INT64, 1, {3}, (const double[]){3, 4, 5}, false};
  ot_run(ER_OP_ONNX_SHAPE, &all, sizeof all, 1, in, 1, &all_out, 0, true);
  ot_output size = {EDGERT_INT64, 0, {0}, (const double[]){60}, false};
  ot_run(ER_OP_SIZE, NULL, 0, 1, in, 1, &size, 0, true);
  ot_output bad = {EDGERT_INT32, 0, {0}, NULL, false};
  CHECK(ot_run(ER_OP_SIZE, NULL, 0, 1, in, 1, &bad, 0, false) != EDGERT_OK);
}

static void constant_of_shape_int32_zeros(void) {
  for (int c = 0; c < 2; c++) {
    ot_tensor in[2] = {{EDGERT_INT64, 1, {2}, (const double[]){10, 6}, c, false},
                       {EDGERT_INT32, 1, {1}, (const double[]){0}, true, false}};
    ot_output out = {EDGERT_INT32, 2, {10, 6}, zeros, !c};
    ot_run(ER_OP_CONSTANT_OF_SHAPE, NULL, 0, 2, in, 1, &out, 0, true);
  }
}

static void range_int32_negative_delta(void) {
  ot_tensor in[3] = {{EDGERT_INT32, 0, {0}, (const double[]){10}, true, false},
                     {EDGERT_INT32, 0, {0}, (const double[]){6}, true, false},
                     {EDGERT_INT32, 0, {0}, (const double[]){-3}, true, false}};
  ot_output out = {EDGERT_INT32, 1, {2}, (const double[]){10, 7}, false};
  ot_run(ER_OP_RANGE, NULL, 0, 3, in, 1, &out, 0, true);
  in[2].values = (const double[]){0};
  CHECK(ot_run(ER_OP_RANGE, NULL, 0, 3, in, 1, &out, 0, false) != EDGERT_OK);
}

static void eye_like_off_main_diagonal(void) {
  er_trilu_attrs a = {.k = 1};
  ot_tensor in[1] = {{EDGERT_INT32, 2, {4, 5}, zeros, false, false}};
  ot_output out = {EDGERT_FLOAT32,
                   2,
                   {4, 5},
                   (const double[]){0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1},
                   false};
  ot_run(ER_OP_EYE_LIKE, &a, sizeof a, 1, in, 1, &out, 0, true);
}

static void one_hot_with_axis(void) {
  er_one_hot_attrs a = {1};
  static double want[40];
  const double idx[4] = {1, 9, 2, 4};
  for (int i = 0; i < 40; i++)
    want[i] = 1;
  for (int k = 0; k < 4; k++) /* output [2, 10, 2]: position (k / 2, idx[k], k % 2) is on */
    want[(k / 2) * 20 + (int)idx[k] * 2 + k % 2] = 3;
  for (int c = 0; c < 2; c++) {
    ot_tensor in[3] = {{EDGERT_FLOAT32, 2, {2, 2}, idx, false, false},
                       {EDGERT_FLOAT32, 0, {0}, (const double[]){10}, c, false},
                       {EDGERT_FLOAT32, 1, {2}, (const double[]){1, 3}, false, false}};
    ot_output out = {EDGERT_FLOAT32, 3, {2, 10, 2}, want, !c};
    ot_run(ER_OP_ONE_HOT, &a, sizeof a, 3, in, 1, &out, 0, true);
  }
}

void run_tests(void) {
  RUN(shape_start_end_and_size);
  RUN(constant_of_shape_int32_zeros);
  RUN(range_int32_negative_delta);
  RUN(eye_like_off_main_diagonal);
  RUN(one_hot_with_axis);
}
