/* SPLIT, SPLIT_V and UNPACK against TFLite's kernel tests:
 *   tensorflow/lite/kernels/split_test.cc (FourDimensional on axes 0, 1, 3 and -4)
 *   tensorflow/lite/kernels/split_v_test.cc (TwoDimensional with sizes {1, 1, 2} and a -1 size)
 *   tensorflow/lite/kernels/unpack_test.cc (ThreeOutputs, ThreeOutputsAxisOne) */
#include "movement_test.h"
#include "onnx_test.h"

/* Runs a multi-output op; inputs: consts placed around the activation at data_pos. */
static edgert_status run_multi(er_op op, const void *attrs, size_t attrs_size, edgert_dtype t, int ndim,
                               const int64_t *dims, const double *in, int data_pos, int n_consts,
                               const mt_const *consts, int n_out, const int64_t (*out_dims)[4], int out_ndim,
                               const double (*want)[8]) {
  th_graph *g = th_new();
  int x = th_tensor(g, t, ndim, dims, NULL);
  int inputs[4], outs[4], n = 0;
  for (int k = 0; k < n_consts + 1; k++)
    inputs[n++] = k == data_pos ? x : mt_const_tensor(g, &consts[k < data_pos ? k : k - 1]);
  for (int k = 0; k < n_out; k++)
    outs[k] = th_tensor(g, t, -1, NULL, NULL);
  th_node(g, op, attrs, attrs_size, n, inputs, n_out, outs);
  th_io(g, 1, (int[]){x}, n_out, outs);
  int64_t count = mt_count(ndim, dims);
  void *buf = calloc((size_t)count, 8);
  for (int64_t i = 0; i < count; i++)
    mt_store(buf, i, t, in[i]);
  edgert_status st = th_run(g, (const void *[]){buf});
  if (st == EDGERT_OK && want) {
    for (int k = 0; k < n_out; k++) {
      edgert_tensor_info info = th_output_info(g, k);
      CHECK_EQ_INT(info.ndim, out_ndim);
      for (int i = 0; i < out_ndim; i++)
        CHECK_EQ_INT(info.dims[i], out_dims[k][i]);
      for (int64_t i = 0; i < mt_count(out_ndim, out_dims[k]); i++)
        CHECK_NEAR(mt_load(th_output(g, k), i, t), want[k][i], 0);
    }
  } else if (want) {
    fprintf(stderr, "%s\n", th_error(g));
    CHECK_OK(st);
  }
  free(buf);
  th_free(g);
  return st;
}

static void split_four_dimensional(void) {
  double in[16];
  for (int i = 0; i < 16; i++)
    in[i] = i + 1;
  const int64_t axes[4] = {0, 1, 3, -4};
  const int64_t shapes[4][2][4] = {{{1, 2, 2, 2}, {1, 2, 2, 2}},
                                   {{2, 1, 2, 2}, {2, 1, 2, 2}},
                                   {{2, 2, 2, 1}, {2, 2, 2, 1}},
                                   {{1, 2, 2, 2}, {1, 2, 2, 2}}};
  const double want[4][2][8] = {{{1, 2, 3, 4, 5, 6, 7, 8}, {9, 10, 11, 12, 13, 14, 15, 16}},
                                {{1, 2, 3, 4, 9, 10, 11, 12}, {5, 6, 7, 8, 13, 14, 15, 16}},
                                {{1, 3, 5, 7, 9, 11, 13, 15}, {2, 4, 6, 8, 10, 12, 14, 16}},
                                {{1, 2, 3, 4, 5, 6, 7, 8}, {9, 10, 11, 12, 13, 14, 15, 16}}};
  for (int d = 0; d < MT_N_DTYPES; d++)
    for (int k = 0; k < 4; k++) {
      er_axis_attrs a = {.count = 2};
      mt_const axis = {EDGERT_INT32, 0, {0}, &axes[k]};
      run_multi(ER_OP_SPLIT, &a, sizeof a, mt_all_dtypes[d], 4, (int64_t[]){2, 2, 2, 2}, in, 1, 1, &axis, 2,
                shapes[k], 4, want[k]);
    }
}

static void split_v_two_dimensional(void) {
  double in[12];
  for (int i = 0; i < 12; i++)
    in[i] = i + 1;
  const int64_t shapes[3][4] = {{1, 3}, {1, 3}, {2, 3}};
  const double want[3][8] = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9, 10, 11, 12}};
  for (int d = 0; d < MT_N_DTYPES; d++) {
    er_axis_attrs a = {.count = 3};
    mt_const consts[2] = {{EDGERT_INT32, 1, {3}, (const int64_t[]){1, 1, 2}},
                          {EDGERT_INT32, 0, {0}, (const int64_t[]){0}}};
    run_multi(ER_OP_SPLIT_V, &a, sizeof a, mt_all_dtypes[d], 2, (int64_t[]){4, 3}, in, 0, 2, consts, 3,
              shapes, 2, want);
    consts[0].values = (const int64_t[]){1, 1, -1};
    run_multi(ER_OP_SPLIT_V, &a, sizeof a, mt_all_dtypes[d], 2, (int64_t[]){4, 3}, in, 0, 2, consts, 3,
              shapes, 2, want);
  }
}

static void unpack_three_outputs_on_axes_0_and_1(void) {
  const double in[6] = {1, 2, 3, 4, 5, 6};
  for (int d = 0; d < MT_N_DTYPES; d++) {
    er_axis_attrs a0 = {.axis = 0, .count = 3}, a1 = {.axis = 1, .count = 2};
    const int64_t s0[3][4] = {{2}, {2}, {2}}, s1[2][4] = {{3}, {3}};
    const double w0[3][8] = {{1, 2}, {3, 4}, {5, 6}}, w1[2][8] = {{1, 3, 5}, {2, 4, 6}};
    run_multi(ER_OP_UNPACK, &a0, sizeof a0, mt_all_dtypes[d], 2, (int64_t[]){3, 2}, in, 0, 0, NULL, 3, s0, 1,
              w0);
    run_multi(ER_OP_UNPACK, &a1, sizeof a1, mt_all_dtypes[d], 2, (int64_t[]){3, 2}, in, 0, 0, NULL, 2, s1, 1,
              w1);
  }
}

static void split_rejects_uneven_split_and_bad_sizes(void) {
  const double in[6] = {1, 2, 3, 4, 5, 6};
  er_axis_attrs a = {.count = 2};
  mt_const axis = {EDGERT_INT32, 0, {0}, (const int64_t[]){0}};
  CHECK(run_multi(ER_OP_SPLIT, &a, sizeof a, EDGERT_FLOAT32, 2, (int64_t[]){3, 2}, in, 1, 1, &axis, 2, NULL,
                  0, NULL) != EDGERT_OK);
  mt_const consts[2] = {{EDGERT_INT32, 1, {2}, (const int64_t[]){2, 2}},
                        {EDGERT_INT32, 0, {0}, (const int64_t[]){0}}};
  CHECK(run_multi(ER_OP_SPLIT_V, &a, sizeof a, EDGERT_FLOAT32, 2, (int64_t[]){3, 2}, in, 0, 2, consts, 2,
                  NULL, 0, NULL) != EDGERT_OK);
}

/* ONNX Split with sizes fed at run time (onnx/backend/test/data/node/test_split_variable_parts_1d: [1..6]
 * split [2, 4]): the outputs' declared shapes give the sizes and eval checks the values. */
static void split_v_run_time_sizes_use_declared_shapes(void) {
  ot_tensor in[3] = {{EDGERT_FLOAT32, 1, {6}, (const double[]){1, 2, 3, 4, 5, 6}, false, false},
                     {EDGERT_INT64, 1, {2}, (const double[]){2, 4}, false, false},
                     {EDGERT_INT64, 0, {0}, (const double[]){0}, true, false}};
  ot_output out[2] = {{EDGERT_FLOAT32, 1, {2}, (const double[]){1, 2}, true},
                      {EDGERT_FLOAT32, 1, {4}, (const double[]){3, 4, 5, 6}, true}};
  ot_run(ER_OP_SPLIT_V, NULL, 0, 3, in, 2, out, 0, true);
  in[1].values = (const double[]){3, 3};
  CHECK(ot_run(ER_OP_SPLIT_V, NULL, 0, 3, in, 2, out, 0, false) == EDGERT_ERR_RUNTIME);
}

void run_tests(void) {
  RUN(split_four_dimensional);
  RUN(split_v_two_dimensional);
  RUN(unpack_three_outputs_on_axes_0_and_1);
  RUN(split_rejects_uneven_split_and_bad_sizes);
  RUN(split_v_run_time_sizes_use_declared_shapes);
}
