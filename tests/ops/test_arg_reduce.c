/* ARG_REDUCE (ONNX ArgMax / ArgMin) against the ONNX 1.12 backend test data (node/test_argmax_*,
 * test_argmin_*, test_data_set_0): keepdims, negative axis, select_last_index; a float16 output refused. */
#include "linalg_test.h"

/* node/test_argmax_keepdims_example */
/* amax_in0: EDGERT_FLOAT32 [2, 2] */
#define AMAX_IN0_SHAPE                                                                                       \
  2, { 2, 2 }
static const float amax_in0[4] = {2.0f, 1.0f, 3.0f, 10.0f};
/* amax_out0: EDGERT_INT64 [2, 1] */
#define AMAX_OUT0_SHAPE                                                                                      \
  2, { 2, 1 }
static const int64_t amax_out0[2] = {0LL, 1LL};
/* node/test_argmin_no_keepdims_example */
/* amin_in0: EDGERT_FLOAT32 [2, 2] */
#define AMIN_IN0_SHAPE                                                                                       \
  2, { 2, 2 }
static const float amin_in0[4] = {2.0f, 1.0f, 3.0f, 10.0f};
/* amin_out0: EDGERT_INT64 [2] */
#define AMIN_OUT0_SHAPE                                                                                      \
  1, { 2 }
static const int64_t amin_out0[2] = {1LL, 0LL};
/* node/test_argmax_negative_axis_keepdims_example_select_last_index */
/* alast_in0: EDGERT_FLOAT32 [2, 2] */
#define ALAST_IN0_SHAPE                                                                                      \
  2, { 2, 2 }
static const float alast_in0[4] = {2.0f, 2.0f, 3.0f, 10.0f};
/* alast_out0: EDGERT_INT64 [2, 1] */
#define ALAST_OUT0_SHAPE                                                                                     \
  2, { 2, 1 }
static const int64_t alast_out0[2] = {1LL, 1LL};

static void run_arg(bool want_max, int32_t axis, bool keepdims, bool last, lt_tensor in, lt_tensor want) {
  er_arg_reduce_attrs a = {
      .want_max = want_max, .axis = axis, .keepdims = keepdims, .select_last_index = last};
  CHECK_EQ_INT(lt_run(ER_OP_ARG_REDUCE, &a, sizeof a, 1, &in, 1, &want, false), EDGERT_OK);
}

static void test_argmax_keepdims(void) {
  run_arg(true, 1, true, false, LT_IN(EDGERT_FLOAT32, AMAX_IN0_SHAPE, amax_in0),
          LT_IN(EDGERT_INT64, AMAX_OUT0_SHAPE, amax_out0));
}

static void test_argmin_no_keepdims(void) {
  run_arg(false, 1, false, false, LT_IN(EDGERT_FLOAT32, AMIN_IN0_SHAPE, amin_in0),
          LT_IN(EDGERT_INT64, AMIN_OUT0_SHAPE, amin_out0));
}

static void test_argmax_select_last_index(void) {
  run_arg(true, -1, true, true, LT_IN(EDGERT_FLOAT32, ALAST_IN0_SHAPE, alast_in0),
          LT_IN(EDGERT_INT64, ALAST_OUT0_SHAPE, alast_out0));
}

static void test_bad_output_dtype(void) {
  static const float out[2] = {0};
  er_arg_reduce_attrs a = {.want_max = true, .axis = 1, .keepdims = true};
  lt_tensor in = LT_IN(EDGERT_FLOAT32, AMAX_IN0_SHAPE, amax_in0),
            want = LT_IN(EDGERT_FLOAT32, 2, {2, 1}, out);
  CHECK(lt_run(ER_OP_ARG_REDUCE, &a, sizeof a, 1, &in, 1, &want, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(test_argmax_keepdims);
  RUN(test_argmin_no_keepdims);
  RUN(test_argmax_select_last_index);
  RUN(test_bad_output_dtype);
}
