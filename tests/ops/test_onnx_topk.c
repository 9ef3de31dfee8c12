/* ONNX_TOPK against the ONNX backend test data (onnx/backend/test/data/node/test_top_k,
 * test_top_k_smallest): values and int64 indices along axis 1, k from a constant or a run-time input. */
#include "onnx_test.h"

static const double x[12] = {0, 1, 2, 3, 4, 5, 6, 7, 11, 10, 9, 8};

static void top_k_largest_and_smallest(void) {
  er_topk_attrs largest = {1, true, true}, smallest = {1, false, true};
  for (int c = 0; c < 2; c++) {
    ot_tensor in[2] = {{EDGERT_FLOAT32, 2, {3, 4}, x, false, false},
                       {EDGERT_INT64, 1, {1}, (const double[]){3}, c, false}};
    ot_output out[2] = {{EDGERT_FLOAT32, 2, {3, 3}, (const double[]){3, 2, 1, 7, 6, 5, 11, 10, 9}, !c},
                        {EDGERT_INT64, 2, {3, 3}, (const double[]){3, 2, 1, 3, 2, 1, 0, 1, 2}, !c}};
    ot_run(ER_OP_ONNX_TOPK, &largest, sizeof largest, 2, in, 2, out, 0, true);
    ot_output low[2] = {{EDGERT_FLOAT32, 2, {3, 3}, (const double[]){0, 1, 2, 4, 5, 6, 8, 9, 10}, !c},
                        {EDGERT_INT64, 2, {3, 3}, (const double[]){0, 1, 2, 0, 1, 2, 3, 2, 1}, !c}};
    ot_run(ER_OP_ONNX_TOPK, &smallest, sizeof smallest, 2, in, 2, low, 0, true);
  }
}

/* Equal values keep the lower index first (ONNX TopK spec). */
static void top_k_ties_prefer_lower_index(void) {
  er_topk_attrs a = {-1, true, true};
  ot_tensor in[2] = {{EDGERT_INT32, 1, {5}, (const double[]){2, 5, 2, 5, 1}, false, false},
                     {EDGERT_INT64, 1, {1}, (const double[]){4}, true, false}};
  ot_output out[2] = {{EDGERT_INT32, 1, {4}, (const double[]){5, 5, 2, 2}, false},
                      {EDGERT_INT64, 1, {4}, (const double[]){1, 3, 0, 2}, false}};
  ot_run(ER_OP_ONNX_TOPK, &a, sizeof a, 2, in, 2, out, 0, true);
  in[1].values = (const double[]){6};
  CHECK(ot_run(ER_OP_ONNX_TOPK, &a, sizeof a, 2, in, 2, out, 0, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(top_k_largest_and_smallest);
  RUN(top_k_ties_prefer_lower_index);
}
