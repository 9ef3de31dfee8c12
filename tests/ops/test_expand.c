/* EXPAND against the ONNX backend test data (onnx/backend/test/data/node/test_expand_dim_changed:
 * [3, 1] expanded by [2, 1, 6] to [2, 3, 6]), with the shape constant and fed at run time. */
#include "onnx_test.h"

static void expand_dim_changed(void) {
  static double want[36];
  for (int i = 0; i < 36; i++)
    want[i] = (i / 6) % 3 + 1;
  for (int c = 0; c < 2; c++) {
    ot_tensor in[2] = {{EDGERT_FLOAT32, 2, {3, 1}, (const double[]){1, 2, 3}, false, false},
                       {EDGERT_INT64, 1, {3}, (const double[]){2, 1, 6}, c, false}};
    ot_output out = {EDGERT_FLOAT32, 3, {2, 3, 6}, want, !c};
    ot_run(ER_OP_EXPAND, NULL, 0, 2, in, 1, &out, 0, true);
  }
  ot_tensor bad[2] = {{EDGERT_FLOAT32, 2, {3, 1}, (const double[]){1, 2, 3}, false, false},
                      {EDGERT_INT64, 1, {2}, (const double[]){2, 6}, true, false}};
  ot_output out = {EDGERT_FLOAT32, 0, {0}, NULL, false};
  CHECK(ot_run(ER_OP_EXPAND, NULL, 0, 2, bad, 1, &out, 0, false) != EDGERT_OK);
}

void run_tests(void) { RUN(expand_dim_changed); }
