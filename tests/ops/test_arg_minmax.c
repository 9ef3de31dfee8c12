/* ARG_MAX and ARG_MIN against tensorflow/lite/kernels/arg_min_max_test.cc: float, uint8, int8 and int32
 * inputs, int32 and int64 axes and outputs, negative axes, and ties (the first index wins). */
#include <string.h>

#include "op_harness.h"

typedef struct {
  er_op op;
  edgert_dtype in_dtype, axis_dtype, out_dtype;
  int64_t dims[4];
  int64_t axis;
} arg_case;

/* Runs one op on a [dims] input; copies n outputs (as int64) into out and checks the output shape. */
static edgert_status run_arg(const arg_case *c, const void *input, int64_t *out, int n, int want_ndim,
                             const int64_t *want_dims) {
  th_graph *g = th_new();
  int32_t axis32 = (int32_t)c->axis;
  const void *axis_data = c->axis_dtype == EDGERT_INT64 ? (const void *)&c->axis : (const void *)&axis32;
  int in = th_tensor(g, c->in_dtype, 4, c->dims, NULL);
  int axis = th_tensor(g, c->axis_dtype, 1, (const int64_t[]){1}, axis_data);
  int res = th_tensor(g, c->out_dtype, -1, NULL, NULL);
  er_arg_attrs a = {c->out_dtype};
  th_node(g, c->op, &a, sizeof a, 2, (int[]){in, axis}, 1, (int[]){res});
  th_io(g, 1, (int[]){in}, 1, (int[]){res});
  edgert_status st = th_run(g, (const void *[]){input});
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.ndim, want_ndim);
    for (int i = 0; i < want_ndim && i < info.ndim; i++)
      CHECK_EQ_INT(info.dims[i], want_dims[i]);
    CHECK_EQ_INT(info.bytes, (size_t)n * edgert_dtype_size(c->out_dtype));
    const void *data = th_output(g, 0);
    for (int i = 0; i < n; i++)
      out[i] = c->out_dtype == EDGERT_INT64 ? ((const int64_t *)data)[i] : ((const int32_t *)data)[i];
  }
  th_free(g);
  return st;
}

static void check_ints(const int64_t *got, const int64_t *want, int n) {
  for (int i = 0; i < n; i++)
    CHECK_EQ_INT(got[i], want[i]);
}

static const int64_t kShape111[3] = {1, 1, 1};
static const int64_t kShape112[3] = {1, 1, 2};

/* GetMaxArgFloat, GetMaxArgUInt8, GetMaxArgInt8, GetMaxArgInt */
static void test_argmax_dtypes(void) {
  int64_t out[1];
  arg_case c = {ER_OP_ARG_MAX, EDGERT_FLOAT32, EDGERT_INT32, EDGERT_INT32, {1, 1, 1, 4}, 3};
  CHECK_OK(run_arg(&c, (const float[]){0.1f, 0.9f, 0.7f, 0.3f}, out, 1, 3, kShape111));
  CHECK_EQ_INT(out[0], 1);
  c.in_dtype = EDGERT_UINT8;
  CHECK_OK(run_arg(&c, (const uint8_t[]){1, 9, 7, 3}, out, 1, 3, kShape111));
  CHECK_EQ_INT(out[0], 1);
  c.in_dtype = EDGERT_INT8;
  CHECK_OK(run_arg(&c, (const int8_t[]){-1, -9, 7, 3}, out, 1, 3, kShape111));
  CHECK_EQ_INT(out[0], 2);
  c.in_dtype = EDGERT_INT32;
  CHECK_OK(run_arg(&c, (const int32_t[]){1, 9, 7, 3}, out, 1, 3, kShape111));
  CHECK_EQ_INT(out[0], 1);
}

/* GetMaxArgMulDimensions, GetMaxArgNegativeAxis (the tie 7/7 keeps index 0), GetMaxArgOutput64,
 * GetMaxArgAxis64 */
static void test_argmax_axes_and_outputs(void) {
  int64_t out[4];
  const int32_t data[8] = {1, 2, 7, 8, 1, 9, 7, 3};
  arg_case c = {ER_OP_ARG_MAX, EDGERT_INT32, EDGERT_INT32, EDGERT_INT32, {1, 1, 2, 4}, 3};
  CHECK_OK(run_arg(&c, data, out, 2, 3, kShape112));
  check_ints(out, (const int64_t[]){3, 1}, 2);

  c.axis = -2;
  CHECK_OK(run_arg(&c, data, out, 4, 3, (const int64_t[]){1, 1, 4}));
  check_ints(out, (const int64_t[]){0, 1, 0, 0}, 4);

  const int32_t data10[8] = {10, 2, 7, 8, 1, 9, 7, 3};
  c.axis = 3;
  c.out_dtype = EDGERT_INT64;
  CHECK_OK(run_arg(&c, data10, out, 2, 3, kShape112));
  check_ints(out, (const int64_t[]){0, 1}, 2);
  c.axis_dtype = EDGERT_INT64;
  CHECK_OK(run_arg(&c, data10, out, 2, 3, kShape112));
  check_ints(out, (const int64_t[]){0, 1}, 2);

  const int8_t data8[8] = {10, 2, 7, 8, 1, 9, 7, 3};
  c.in_dtype = EDGERT_INT8;
  c.out_dtype = EDGERT_INT32;
  CHECK_OK(run_arg(&c, data8, out, 2, 3, kShape112));
  check_ints(out, (const int64_t[]){0, 1}, 2);
  c.out_dtype = EDGERT_INT64;
  CHECK_OK(run_arg(&c, data8, out, 2, 3, kShape112));
  check_ints(out, (const int64_t[]){0, 1}, 2);
}

/* GetMinArgFloat, GetMinArgInt, GetMinArgMulDimensions, GetMinArgNegativeAxis (tie 1/1 keeps index 0),
 * GetMinArgOutput64, GetMinArgAxis64 */
static void test_argmin(void) {
  int64_t out[4];
  arg_case c = {ER_OP_ARG_MIN, EDGERT_FLOAT32, EDGERT_INT32, EDGERT_INT32, {1, 1, 1, 4}, 3};
  CHECK_OK(run_arg(&c, (const float[]){0.1f, 0.9f, 0.7f, 0.3f}, out, 1, 3, kShape111));
  CHECK_EQ_INT(out[0], 0);
  c.in_dtype = EDGERT_INT32;
  CHECK_OK(run_arg(&c, (const int32_t[]){1, 9, 7, 3}, out, 1, 3, kShape111));
  CHECK_EQ_INT(out[0], 0);

  const int32_t data[8] = {1, 2, 7, 8, 1, 9, 7, 3};
  memcpy(c.dims, (const int64_t[]){1, 1, 2, 4}, sizeof c.dims);
  CHECK_OK(run_arg(&c, data, out, 2, 3, kShape112));
  check_ints(out, (const int64_t[]){0, 0}, 2);
  c.axis = -2;
  CHECK_OK(run_arg(&c, data, out, 4, 3, (const int64_t[]){1, 1, 4}));
  check_ints(out, (const int64_t[]){0, 0, 0, 1}, 4);

  const int32_t data10[8] = {10, 2, 7, 8, 1, 9, 7, 3};
  c.axis = 3;
  c.out_dtype = EDGERT_INT64;
  CHECK_OK(run_arg(&c, data10, out, 2, 3, kShape112));
  check_ints(out, (const int64_t[]){1, 0}, 2);
  const int8_t data8[8] = {10, 2, 7, 8, 1, 9, 7, 3};
  c.in_dtype = EDGERT_INT8;
  c.axis_dtype = EDGERT_INT64;
  CHECK_OK(run_arg(&c, data8, out, 2, 3, kShape112));
  check_ints(out, (const int64_t[]){1, 0}, 2);
}

static void test_rejects_bad_inputs(void) {
  int64_t out[4];
  const int32_t data[8] = {1, 2, 7, 8, 1, 9, 7, 3};
  /* axis out of range */
  arg_case c = {ER_OP_ARG_MAX, EDGERT_INT32, EDGERT_INT32, EDGERT_INT32, {1, 1, 2, 4}, 4};
  CHECK(run_arg(&c, data, out, 0, 0, NULL) == EDGERT_ERR_SHAPE);
  c.axis = -5;
  CHECK(run_arg(&c, data, out, 0, 0, NULL) == EDGERT_ERR_SHAPE);
  /* float output */
  c.axis = 3;
  c.out_dtype = EDGERT_FLOAT32;
  CHECK(run_arg(&c, data, out, 0, 0, NULL) == EDGERT_ERR_UNSUPPORTED);
  /* float axis */
  c.out_dtype = EDGERT_INT32;
  c.axis_dtype = EDGERT_FLOAT32;
  CHECK(run_arg(&c, data, out, 0, 0, NULL) == EDGERT_ERR_UNSUPPORTED);
}

void run_tests(void) {
  RUN(test_argmax_dtypes);
  RUN(test_argmax_axes_and_outputs);
  RUN(test_argmin);
  RUN(test_rejects_bad_inputs);
}
