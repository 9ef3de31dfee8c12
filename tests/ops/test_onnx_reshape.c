/* ONNX_RESHAPE, FLATTEN, ONNX_SQUEEZE and UNSQUEEZE against the ONNX backend test data
 * (onnx/backend/test/data/node/test_reshape_zero_and_negative_dim, test_flatten_axis2,
 * test_unsqueeze_two_axes, test_squeeze_negative_axes): shapes only, values unchanged. */
#include "onnx_test.h"

static double seq[120];

static void fill_seq(void) {
  for (int i = 0; i < 120; i++)
    seq[i] = i - 7; /* integers, exact in every dtype */
}

/* shape [2, 0, 1, -1] on [2, 3, 4]: 0 copies dim 1, -1 takes the rest -> [2, 3, 1, 4]. */
static void reshape_zero_copies_and_minus_one_infers(void) {
  fill_seq();
  er_onnx_reshape_attrs a = {false};
  for (int as_const = 0; as_const < 2; as_const++) {
    ot_tensor in[2] = {{EDGERT_FLOAT32, 3, {2, 3, 4}, seq, false, false},
                       {EDGERT_INT64, 1, {4}, (const double[]){2, 0, 1, -1}, as_const, false}};
    /* A shape fed at run time needs the declared output shape (as in the ONNX test model). */
    ot_output out = {EDGERT_FLOAT32, 4, {2, 3, 1, 4}, seq, !as_const};
    ot_run(ER_OP_ONNX_RESHAPE, &a, sizeof a, 2, in, 1, &out, 0, true);
  }
}

static void reshape_run_time_shape_must_match_declared(void) {
  fill_seq();
  er_onnx_reshape_attrs a = {false};
  ot_tensor in[2] = {{EDGERT_FLOAT32, 3, {2, 3, 4}, seq, false, false},
                     {EDGERT_INT64, 1, {2}, (const double[]){4, 6}, false, false}};
  ot_output out = {EDGERT_FLOAT32, 2, {6, 4}, seq, true};
  CHECK(ot_run(ER_OP_ONNX_RESHAPE, &a, sizeof a, 2, in, 1, &out, 0, false) != EDGERT_OK);
}

static void reshape_allowzero_keeps_zero(void) {
  er_onnx_reshape_attrs a = {true};
  ot_tensor in[2] = {{EDGERT_FLOAT32, 3, {0, 3, 4}, seq, false, false},
                     {EDGERT_INT64, 1, {3}, (const double[]){3, 4, 0}, true, false}};
  ot_output out = {EDGERT_FLOAT32, 3, {3, 4, 0}, seq, false};
  ot_run(ER_OP_ONNX_RESHAPE, &a, sizeof a, 2, in, 1, &out, 0, true);
}

static void reshape_rejects_two_inferred_dims(void) {
  er_onnx_reshape_attrs a = {false};
  ot_tensor in[2] = {{EDGERT_FLOAT32, 3, {2, 3, 4}, seq, false, false},
                     {EDGERT_INT64, 1, {2}, (const double[]){-1, -1}, true, false}};
  ot_output out = {EDGERT_FLOAT32, 0, {0}, NULL, false};
  CHECK(ot_run(ER_OP_ONNX_RESHAPE, &a, sizeof a, 2, in, 1, &out, 0, false) != EDGERT_OK);
}

static void flatten_axis2_and_negative(void) {
  fill_seq();
  ot_tensor in[1] = {{EDGERT_FLOAT32, 4, {2, 3, 4, 5}, seq, false, false}};
  er_flatten_attrs a = {2};
  ot_output out = {EDGERT_FLOAT32, 2, {6, 20}, seq, false};
  ot_run(ER_OP_FLATTEN, &a, sizeof a, 1, in, 1, &out, 0, true);
  er_flatten_attrs neg = {-4};
  ot_output all = {EDGERT_FLOAT32, 2, {1, 120}, seq, false};
  ot_run(ER_OP_FLATTEN, &neg, sizeof neg, 1, in, 1, &all, 0, true);
  er_flatten_attrs bad = {5};
  CHECK(ot_run(ER_OP_FLATTEN, &bad, sizeof bad, 1, in, 1, &all, 0, false) != EDGERT_OK);
}

static void unsqueeze_two_axes_and_squeeze_negative_axis(void) {
  fill_seq();
  ot_tensor in[2] = {{EDGERT_INT32, 3, {3, 4, 5}, seq, false, false},
                     {EDGERT_INT64, 1, {2}, (const double[]){1, 4}, true, false}};
  ot_output out = {EDGERT_INT32, 5, {3, 1, 4, 5, 1}, seq, false};
  ot_run(ER_OP_UNSQUEEZE, NULL, 0, 2, in, 1, &out, 0, true);
  ot_tensor sq[2] = {{EDGERT_INT32, 4, {1, 3, 1, 5}, seq, false, false},
                     {EDGERT_INT64, 1, {1}, (const double[]){-2}, true, false}};
  ot_output sq_out = {EDGERT_INT32, 3, {1, 3, 5}, seq, false};
  ot_run(ER_OP_ONNX_SQUEEZE, NULL, 0, 2, sq, 1, &sq_out, 0, true);
  ot_tensor all[1] = {{EDGERT_INT32, 4, {1, 3, 1, 5}, seq, false, false}};
  ot_output all_out = {EDGERT_INT32, 2, {3, 5}, seq, false};
  ot_run(ER_OP_ONNX_SQUEEZE, NULL, 0, 1, all, 1, &all_out, 0, true);
  sq[1].values = (const double[]){1}; /* dim 1 has size 3 */
  CHECK(ot_run(ER_OP_ONNX_SQUEEZE, NULL, 0, 2, sq, 1, &sq_out, 0, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(reshape_zero_copies_and_minus_one_infers);
  RUN(reshape_run_time_shape_must_match_declared);
  RUN(reshape_allowzero_keeps_zero);
  RUN(reshape_rejects_two_inferred_dims);
  RUN(flatten_axis2_and_negative);
  RUN(unsqueeze_two_axes_and_squeeze_negative_axis);
}
