/* CUMSUM against tensorflow/lite/kernels/cumsum_test.cc (SimpleIntTest, SimpleInt64Test,
 * SimpleIntAxis0Test, Simple1DIntTest, SimpleIntReverseTest, SimpleIntExclusiveTest, SimpleFloatTest),
 * plus a negative axis (TensorFlow counts it from the back), an out-of-range axis and a refused dtype. */
#include "extra_test.h"
#include "onnx_test.h"

static edgert_status run_cumsum(edgert_dtype t, int ndim, const int64_t *dims, const void *x, int32_t axis,
                                bool exclusive, bool reverse, th_graph **g, bool quiet) {
  er_cumsum_attrs a = {exclusive, reverse};
  xt_tensor ins[2] = {{t, ndim, {0}, x, XT_INPUT, 0, 0}, {EDGERT_INT32, 1, {1}, &axis, XT_CONST, 0, 0}};
  for (int i = 0; i < ndim; i++)
    ins[0].dims[i] = dims[i];
  return xt_run(g, ER_OP_CUMSUM, &a, sizeof a, 2, ins, 1, &(xt_out){t, 0, 0}, quiet);
}

static const int32_t ints[] = {1, 2, 3, 4, 5, 6, 7, 8};

static void check_int32(int ndim, const int64_t *dims, int32_t axis, bool exclusive, bool reverse,
                        const int64_t *want) {
  th_graph *g;
  CHECK_OK(run_cumsum(EDGERT_INT32, ndim, dims, ints, axis, exclusive, reverse, &g, false));
  xt_check_shape(g, 0, ndim, dims);
  xt_check_ints(g, 0, EDGERT_INT32, want, 8);
  th_free(g);
}

static void cumsum_int32_matches_tflite(void) {
  check_int32(2, (int64_t[]){2, 4}, 1, false, false, (int64_t[]){1, 3, 6, 10, 5, 11, 18, 26});
  check_int32(2, (int64_t[]){2, 4}, 0, false, false, (int64_t[]){1, 2, 3, 4, 6, 8, 10, 12});
  check_int32(1, (int64_t[]){8}, 0, false, false, (int64_t[]){1, 3, 6, 10, 15, 21, 28, 36});
  check_int32(2, (int64_t[]){2, 4}, 1, false, true, (int64_t[]){10, 9, 7, 4, 26, 21, 15, 8});
  check_int32(2, (int64_t[]){2, 4}, 1, true, false, (int64_t[]){0, 1, 3, 6, 0, 5, 11, 18});
  check_int32(2, (int64_t[]){2, 4}, -1, false, false, (int64_t[]){1, 3, 6, 10, 5, 11, 18, 26});
}

static void cumsum_int64_and_float_match_tflite(void) {
  const int64_t big[] = {100000000001LL, 100000000002LL, 100000000003LL, 100000000004LL,
                         100000000005LL, 100000000006LL, 100000000007LL, 100000000008LL};
  const int64_t want[] = {100000000001LL, 200000000003LL, 300000000006LL, 400000000010LL,
                          100000000005LL, 200000000011LL, 300000000018LL, 400000000026LL};
  th_graph *g;
  CHECK_OK(run_cumsum(EDGERT_INT64, 2, (int64_t[]){2, 4}, big, 1, false, false, &g, false));
  xt_check_ints(g, 0, EDGERT_INT64, want, 8);
  th_free(g);
  const float f[] = {1, 2, 3, 4, 5, 6, 7, 8};
  CHECK_OK(run_cumsum(EDGERT_FLOAT32, 2, (int64_t[]){2, 4}, f, 1, false, false, &g, false));
  xt_check_floats(g, 0, (const float[]){1, 3, 6, 10, 5, 11, 18, 26}, 8, 1e-6);
  th_free(g);
}

static void cumsum_rejects_bad_axis_and_dtype(void) {
  th_graph *g;
  CHECK(run_cumsum(EDGERT_INT32, 2, (int64_t[]){2, 4}, ints, 2, false, false, &g, true) != EDGERT_OK);
  th_free(g);
  const int8_t small[] = {1, 2};
  CHECK(run_cumsum(EDGERT_INT8, 1, (int64_t[]){2}, small, 0, false, false, &g, true) ==
        EDGERT_ERR_UNSUPPORTED);
  th_free(g);
}

/* ONNX CumSum: float64 data and an int64 axis (onnx/backend/test/data/node/test_cumsum_2d_axis_0:
 * [[1, 2, 3], [4, 5, 6]] -> [[1, 2, 3], [5, 7, 9]]; test_cumsum_1d_reverse_exclusive: [1..5] ->
 * [14, 12, 9, 5, 0]). */
static void cumsum_float64_with_int64_axis(void) {
  er_cumsum_attrs plain = {false, false}, rev_excl = {true, true};
  ot_tensor in[2] = {{EDGERT_FLOAT64, 2, {2, 3}, (const double[]){1, 2, 3, 4, 5, 6}, false, false},
                     {EDGERT_INT64, 0, {0}, (const double[]){0}, false, false}};
  ot_output out = {EDGERT_FLOAT64, 2, {2, 3}, (const double[]){1, 2, 3, 5, 7, 9}, false};
  ot_run(ER_OP_CUMSUM, &plain, sizeof plain, 2, in, 1, &out, 0, true);
  ot_tensor v[2] = {{EDGERT_FLOAT64, 1, {5}, (const double[]){1, 2, 3, 4, 5}, false, false},
                    {EDGERT_INT32, 0, {0}, (const double[]){0}, false, false}};
  ot_output vout = {EDGERT_FLOAT64, 1, {5}, (const double[]){14, 12, 9, 5, 0}, false};
  ot_run(ER_OP_CUMSUM, &rev_excl, sizeof rev_excl, 2, v, 1, &vout, 0, true);
}

void run_tests(void) {
  RUN(cumsum_int32_matches_tflite);
  RUN(cumsum_int64_and_float_match_tflite);
  RUN(cumsum_rejects_bad_axis_and_dtype);
  RUN(cumsum_float64_with_int64_axis);
}
