/* ONNX_SLICE against the examples of the ONNX operator spec (docs/Operators.md, Slice: "Example 1" and
 * "Example 2") and numpy's slicing rules, which ONNX Slice-13 follows (negative steps walk backwards;
 * out-of-range bounds clamp). */
#include "onnx_test.h"

static const double data[8] = {1, 2, 3, 4, 5, 6, 7, 8}; /* [[1, 2, 3, 4], [5, 6, 7, 8]] */

/* Example 1: axes [0, 1], starts [1, 0], ends [2, 3], steps [1, 2] -> [[5, 7]]. */
static void slice_spec_example_1_every_input_kind(void) {
  for (int as_const = 0; as_const < 2; as_const++) {
    ot_tensor in[5] = {{EDGERT_FLOAT32, 2, {2, 4}, data, false, false},
                       {EDGERT_INT64, 1, {2}, (const double[]){1, 0}, as_const, false},
                       {EDGERT_INT64, 1, {2}, (const double[]){2, 3}, as_const, false},
                       {EDGERT_INT64, 1, {2}, (const double[]){0, 1}, as_const, false},
                       {EDGERT_INT64, 1, {2}, (const double[]){1, 2}, as_const, false}};
    ot_output out = {EDGERT_FLOAT32, 2, {1, 2}, (const double[]){5, 7}, !as_const};
    ot_run(ER_OP_ONNX_SLICE, NULL, 0, 5, in, 1, &out, 0, true);
  }
}

/* Example 2: starts [0, 1], ends [-1, 1000] (clamped) -> [[2, 3, 4]]. */
static void slice_spec_example_2_negative_and_huge_ends(void) {
  ot_tensor in[3] = {{EDGERT_INT32, 2, {2, 4}, data, false, false},
                     {EDGERT_INT64, 1, {2}, (const double[]){0, 1}, true, false},
                     {EDGERT_INT64, 1, {2}, (const double[]){-1, 1000}, true, false}};
  ot_output out = {EDGERT_INT32, 2, {1, 3}, (const double[]){2, 3, 4}, false};
  ot_run(ER_OP_ONNX_SLICE, NULL, 0, 3, in, 1, &out, 0, true);
}

/* numpy: x[::-1] on axis 1 is starts [-1], ends [INT64_MIN] (clamped to -1), steps [-1]; x[1:, 3:0:-2]. */
static void slice_negative_steps(void) {
  ot_tensor in[5] = {{EDGERT_FLOAT32, 2, {2, 4}, data, false, false},
                     {EDGERT_INT64, 1, {1}, (const double[]){-1}, true, false},
                     {EDGERT_INT64, 1, {1}, (const double[]){-9.2e18}, true, false},
                     {EDGERT_INT64, 1, {1}, (const double[]){1}, true, false},
                     {EDGERT_INT64, 1, {1}, (const double[]){-1}, true, false}};
  ot_output out = {EDGERT_FLOAT32, 2, {2, 4}, (const double[]){4, 3, 2, 1, 8, 7, 6, 5}, false};
  ot_run(ER_OP_ONNX_SLICE, NULL, 0, 5, in, 1, &out, 0, true);
  ot_tensor two[5] = {{EDGERT_FLOAT32, 2, {2, 4}, data, false, false},
                      {EDGERT_INT64, 1, {2}, (const double[]){1, 3}, true, false},
                      {EDGERT_INT64, 1, {2}, (const double[]){9, 0}, true, false},
                      {EDGERT_INT64, 1, {2}, (const double[]){0, 1}, true, false},
                      {EDGERT_INT64, 1, {2}, (const double[]){1, -2}, true, false}};
  ot_output two_out = {EDGERT_FLOAT32, 2, {1, 2}, (const double[]){8, 6}, false};
  ot_run(ER_OP_ONNX_SLICE, NULL, 0, 5, two, 1, &two_out, 0, true);
}

static void slice_rejects_zero_step_and_repeated_axis(void) {
  ot_tensor in[5] = {{EDGERT_FLOAT32, 2, {2, 4}, data, false, false},
                     {EDGERT_INT64, 1, {1}, (const double[]){0}, true, false},
                     {EDGERT_INT64, 1, {1}, (const double[]){2}, true, false},
                     {EDGERT_INT64, 1, {1}, (const double[]){1}, true, false},
                     {EDGERT_INT64, 1, {1}, (const double[]){0}, true, false}};
  ot_output out = {EDGERT_FLOAT32, 0, {0}, NULL, false};
  CHECK(ot_run(ER_OP_ONNX_SLICE, NULL, 0, 5, in, 1, &out, 0, false) != EDGERT_OK);
  ot_tensor rep[4] = {{EDGERT_FLOAT32, 2, {2, 4}, data, false, false},
                      {EDGERT_INT64, 1, {2}, (const double[]){0, 0}, true, false},
                      {EDGERT_INT64, 1, {2}, (const double[]){1, 1}, true, false},
                      {EDGERT_INT64, 1, {2}, (const double[]){1, -1}, true, false}};
  CHECK(ot_run(ER_OP_ONNX_SLICE, NULL, 0, 4, rep, 1, &out, 0, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(slice_spec_example_1_every_input_kind);
  RUN(slice_spec_example_2_negative_and_huge_ends);
  RUN(slice_negative_steps);
  RUN(slice_rejects_zero_step_and_repeated_axis);
}
