/* ONNX_GATHER, GATHER_ELEMENTS, SCATTER_ELEMENTS, ONNX_GATHER_ND and ONNX_SCATTER_ND against the ONNX
 * backend test data (onnx/backend/test/data/node/test_gather_elements_negative_indices,
 * test_scatter_elements_with_duplicate_indices, test_gathernd_example_int32_batch_dim1, test_scatternd
 * (Operators.md ScatterND example 2 values, first slice), test_gather_negative_indices). */
#include "onnx_test.h"

static void gather_elements_negative_indices(void) {
  er_index_attrs a = {.axis = 0};
  ot_tensor in[2] = {{EDGERT_FLOAT32, 2, {3, 3}, (const double[]){1, 2, 3, 4, 5, 6, 7, 8, 9}, false, false},
                     {EDGERT_INT64, 2, {2, 3}, (const double[]){-1, -2, 0, -2, 0, 0}, false, false}};
  ot_output out = {EDGERT_FLOAT32, 2, {2, 3}, (const double[]){7, 5, 3, 4, 2, 3}, false};
  ot_run(ER_OP_GATHER_ELEMENTS, &a, sizeof a, 2, in, 1, &out, 0, true);
}

static void gather_negative_indices_and_out_of_range(void) {
  /* test_gather_negative_indices: data arange(10), indices [0, -9, -10] -> [0, 1, 0]. */
  er_index_attrs a = {.axis = 0};
  const double ten[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  ot_tensor in[2] = {{EDGERT_FLOAT32, 1, {10}, ten, false, false},
                     {EDGERT_INT64, 1, {3}, (const double[]){0, -9, -10}, false, false}};
  ot_output out = {EDGERT_FLOAT32, 1, {3}, (const double[]){0, 1, 0}, false};
  ot_run(ER_OP_ONNX_GATHER, &a, sizeof a, 2, in, 1, &out, 0, true);
  in[1].values = (const double[]){0, 10, 1};
  CHECK(ot_run(ER_OP_ONNX_GATHER, &a, sizeof a, 2, in, 1, &out, 0, false) == EDGERT_ERR_RUNTIME);
}

static void scatter_elements_duplicate_indices_add(void) {
  er_index_attrs a = {.axis = 1, .reduction = ER_REDUCE_ADD};
  ot_tensor in[3] = {{EDGERT_FLOAT32, 2, {1, 5}, (const double[]){1, 2, 3, 4, 5}, false, false},
                     {EDGERT_INT64, 2, {1, 2}, (const double[]){1, 1}, false, false},
                     {EDGERT_FLOAT32, 2, {1, 2}, (const double[]){1.1, 2.1}, false, false}};
  ot_output out = {EDGERT_FLOAT32, 2, {1, 5}, (const double[]){1, 5.2, 3, 4, 5}, false};
  ot_run(ER_OP_SCATTER_ELEMENTS, &a, sizeof a, 3, in, 1, &out, 1e-6, true);
  in[1].values = (const double[]){1, 5};
  CHECK(ot_run(ER_OP_SCATTER_ELEMENTS, &a, sizeof a, 3, in, 1, &out, 0, false) == EDGERT_ERR_RUNTIME);
}

static void gather_nd_batch_dims(void) {
  er_index_attrs a = {.batch_dims = 1};
  ot_tensor in[2] = {{EDGERT_INT32, 3, {2, 2, 2}, (const double[]){0, 1, 2, 3, 4, 5, 6, 7}, false, false},
                     {EDGERT_INT64, 2, {2, 1}, (const double[]){1, 0}, false, false}};
  ot_output out = {EDGERT_INT32, 2, {2, 2}, (const double[]){2, 3, 4, 5}, false};
  ot_run(ER_OP_ONNX_GATHER_ND, &a, sizeof a, 2, in, 1, &out, 0, true);
}

/* ScatterND, Operators.md example 1: data [1..8], indices [[4], [3], [1], [7]], updates [9, 10, 11, 12]
 * -> [1, 11, 3, 10, 9, 6, 7, 12]; with reduction mul the same places multiply. */
static void scatter_nd_none_and_mul(void) {
  er_index_attrs a = {.reduction = ER_REDUCE_NONE};
  ot_tensor in[3] = {{EDGERT_FLOAT32, 1, {8}, (const double[]){1, 2, 3, 4, 5, 6, 7, 8}, false, false},
                     {EDGERT_INT64, 2, {4, 1}, (const double[]){4, 3, 1, 7}, false, false},
                     {EDGERT_FLOAT32, 1, {4}, (const double[]){9, 10, 11, 12}, false, false}};
  ot_output out = {EDGERT_FLOAT32, 1, {8}, (const double[]){1, 11, 3, 10, 9, 6, 7, 12}, false};
  ot_run(ER_OP_ONNX_SCATTER_ND, &a, sizeof a, 3, in, 1, &out, 0, true);
  er_index_attrs mul = {.reduction = ER_REDUCE_MUL};
  ot_output mul_out = {EDGERT_FLOAT32, 1, {8}, (const double[]){1, 22, 3, 40, 45, 6, 7, 96}, false};
  ot_run(ER_OP_ONNX_SCATTER_ND, &mul, sizeof mul, 3, in, 1, &mul_out, 0, true);
  in[0].dtype = in[2].dtype = EDGERT_BOOL; /* no reductions on bool */
  CHECK(ot_run(ER_OP_ONNX_SCATTER_ND, &mul, sizeof mul, 3, in, 1, &mul_out, 0, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(gather_elements_negative_indices);
  RUN(gather_negative_indices_and_out_of_range);
  RUN(scatter_elements_duplicate_indices_add);
  RUN(gather_nd_batch_dims);
  RUN(scatter_nd_none_and_mul);
}
