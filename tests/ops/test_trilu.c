/* TRILU against the ONNX backend test data (onnx/backend/test/data/node/test_tril_neg: lower triangle
 * with k = -1 fed at run time). */
#include "onnx_test.h"

static double zeros[4];

static void trilu_lower_negative_k(void) {
  er_trilu_attrs a = {.upper = false};
  ot_tensor in[2] = {{EDGERT_INT64,
                      2,
                      {4, 5},
                      (const double[]){5, 0, 3, 3, 7, 9, 3, 5, 2, 4, 7, 6, 8, 8, 1, 6, 7, 7, 8, 1},
                      false,
                      false},
                     {EDGERT_INT64, 0, {0}, (const double[]){-1}, false, false}};
  ot_output out = {EDGERT_INT64,
                   2,
                   {4, 5},
                   (const double[]){0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 7, 6, 0, 0, 0, 6, 7, 7, 0, 0},
                   false};
  ot_run(ER_OP_TRILU, &a, sizeof a, 2, in, 1, &out, 0, true);
  ot_tensor vec[1] = {{EDGERT_INT64, 1, {4}, zeros, false, false}};
  CHECK(ot_run(ER_OP_TRILU, &a, sizeof a, 1, vec, 1, &out, 0, false) != EDGERT_OK);
}

void run_tests(void) { RUN(trilu_lower_negative_k); }
