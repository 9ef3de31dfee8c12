/* NON_ZERO, COMPRESS and UNIQUE against the ONNX backend test data (onnx/backend/test/data/node/
 * test_nonzero_example, test_compress_0, test_compress_default_axis, test_unique_sorted_with_axis,
 * test_unique_not_sorted_without_axis). Their inputs are fed at run time, so the outputs are declared,
 * as in those models; a run-time size other than the declared one fails the invoke. */
#include "onnx_test.h"

static void non_zero_example(void) {
  ot_tensor in[1] = {{EDGERT_BOOL, 2, {2, 2}, (const double[]){1, 0, 1, 1}, false, false}};
  ot_output out = {EDGERT_INT64, 2, {2, 3}, (const double[]){0, 1, 1, 0, 0, 1}, true};
  ot_run(ER_OP_NON_ZERO, NULL, 0, 1, in, 1, &out, 0, true);
  ot_output wrong = {EDGERT_INT64, 2, {2, 2}, NULL, true};
  CHECK(ot_run(ER_OP_NON_ZERO, NULL, 0, 1, in, 1, &wrong, 0, false) == EDGERT_ERR_RUNTIME);
  ot_output open = {EDGERT_INT64, 2, {2, 3}, NULL, false}; /* undeclared: refused at prepare */
  CHECK(ot_run(ER_OP_NON_ZERO, NULL, 0, 1, in, 1, &open, 0, false) == EDGERT_ERR_UNSUPPORTED);
}

static void compress_axis_and_flattened(void) {
  const double x[6] = {1, 2, 3, 4, 5, 6};
  er_select_axis_attrs axis0 = {true, 0, false}, flat = {false, 0, false};
  ot_tensor in[2] = {{EDGERT_FLOAT32, 2, {3, 2}, x, false, false},
                     {EDGERT_BOOL, 1, {3}, (const double[]){0, 1, 1}, false, false}};
  ot_output out = {EDGERT_FLOAT32, 2, {2, 2}, (const double[]){3, 4, 5, 6}, true};
  ot_run(ER_OP_COMPRESS, &axis0, sizeof axis0, 2, in, 1, &out, 0, true);
  ot_tensor fin[2] = {{EDGERT_FLOAT32, 2, {3, 2}, x, false, false},
                      {EDGERT_BOOL, 1, {5}, (const double[]){0, 1, 0, 0, 1}, true, false}};
  ot_output fout = {EDGERT_FLOAT32, 1, {2}, (const double[]){2, 5}, false};
  ot_run(ER_OP_COMPRESS, &flat, sizeof flat, 2, fin, 1, &fout, 0, true);
}

static void unique_sorted_with_axis_and_not_sorted(void) {
  er_select_axis_attrs a = {true, 0, true};
  ot_tensor in[1] = {{EDGERT_FLOAT32, 2, {3, 3}, (const double[]){1, 0, 0, 1, 0, 0, 2, 3, 4}, false, false}};
  ot_output out[4] = {{EDGERT_FLOAT32, 2, {2, 3}, (const double[]){1, 0, 0, 2, 3, 4}, true},
                      {EDGERT_INT64, 1, {2}, (const double[]){0, 2}, true},
                      {EDGERT_INT64, 1, {3}, (const double[]){0, 0, 1}, true},
                      {EDGERT_INT64, 1, {2}, (const double[]){2, 1}, true}};
  ot_run(ER_OP_UNIQUE, &a, sizeof a, 1, in, 4, out, 0, true);
  er_select_axis_attrs b = {false, 0, false};
  ot_tensor flat[1] = {{EDGERT_FLOAT32, 1, {6}, (const double[]){2, 1, 1, 3, 4, 3}, false, false}};
  ot_output fout[4] = {{EDGERT_FLOAT32, 1, {4}, (const double[]){2, 1, 3, 4}, true},
                       {EDGERT_INT64, 1, {4}, (const double[]){0, 1, 3, 4}, true},
                       {EDGERT_INT64, 1, {6}, (const double[]){0, 1, 1, 2, 3, 2}, true},
                       {EDGERT_INT64, 1, {4}, (const double[]){1, 2, 2, 1}, true}};
  ot_run(ER_OP_UNIQUE, &b, sizeof b, 1, flat, 4, fout, 0, true);
}

void run_tests(void) {
  RUN(non_zero_example);
  RUN(compress_axis_and_flattened);
  RUN(unique_sorted_with_axis_and_not_sorted);
}
