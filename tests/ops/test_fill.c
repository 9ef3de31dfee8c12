/* SHAPE, FILL and ZEROS_LIKE against tensorflow/lite/kernels/shape_test.cc (OutTypeInt, OutTypeInt64),
 * fill_test.cc (FillInt32, FillFloat, FillInt64 with a value known only at run time) and
 * zeros_like_test.cc. */
#include "movement_test.h"

static void shape_writes_dims_as_int32_and_int64(void) {
  edgert_dtype types[2] = {EDGERT_INT32, EDGERT_INT64};
  for (int k = 0; k < 2; k++) {
    th_graph *g = th_new();
    int x = th_tensor(g, EDGERT_FLOAT32, 5, (int64_t[]){1, 3, 1, 3, 5}, NULL);
    int y = th_tensor(g, types[k], -1, NULL, NULL);
    th_node(g, ER_OP_SHAPE, NULL, 0, 1, (int[]){x}, 1, (int[]){y});
    th_io(g, 1, (int[]){x}, 1, (int[]){y});
    float in[45] = {0};
    CHECK_OK(th_run(g, (const void *[]){in}));
    const double want[5] = {1, 3, 1, 3, 5};
    CHECK_EQ_INT(th_output_info(g, 0).dims[0], 5);
    for (int i = 0; i < 5 && th_output(g, 0); i++)
      CHECK_NEAR(mt_load(th_output(g, 0), i, types[k]), want[i], 0);
    th_free(g);
  }
}

/* The value is the graph input (runtime data); dims are constant. */
static edgert_status run_fill(edgert_dtype t, int n, const int64_t *dims, double value) {
  th_graph *g = th_new();
  int64_t count = 1;
  for (int i = 0; i < n; i++)
    count *= dims[i];
  int s = th_tensor(g, EDGERT_INT64, 1, (int64_t[]){n}, dims);
  unsigned char v[8];
  mt_store(v, 0, t, value);
  int val = th_tensor(g, t, 0, NULL, NULL);
  int y = th_tensor(g, t, -1, NULL, NULL);
  th_node(g, ER_OP_FILL, NULL, 0, 2, (int[]){s, val}, 1, (int[]){y});
  th_io(g, 1, (int[]){val}, 1, (int[]){y});
  edgert_status st = th_run(g, (const void *[]){v});
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.ndim, n);
    for (int64_t i = 0; i < count; i++)
      CHECK_NEAR(mt_load(th_output(g, 0), i, t), value, 0);
  }
  th_free(g);
  return st;
}

static void fill_repeats_a_runtime_scalar(void) {
  CHECK_OK(run_fill(EDGERT_INT32, 2, (int64_t[]){2, 3}, -11));
  CHECK_OK(run_fill(EDGERT_FLOAT32, 3, (int64_t[]){2, 2, 2}, 4.0));
  CHECK_OK(run_fill(EDGERT_INT64, 2, (int64_t[]){2, 3}, -(double)(1LL << 40)));
  CHECK_OK(run_fill(EDGERT_INT8, 1, (int64_t[]){5}, -7));
  CHECK_OK(run_fill(EDGERT_BOOL, 2, (int64_t[]){1, 3}, 1));
}

static void fill_rejects_negative_dims(void) {
  CHECK(run_fill(EDGERT_INT32, 1, (int64_t[]){-2}, 1) != EDGERT_OK);
}

static void zeros_like_writes_zeros(void) {
  for (int d = 0; d < MT_N_DTYPES; d++) {
    mt_case c = {.op = ER_OP_ZEROS_LIKE,
                 .dtype = mt_all_dtypes[d],
                 .ndim = 4,
                 .dims = {1, 2, 2, 1},
                 .values = (double[]){9, 1, 0, 3}};
    mt_run(&c, 4, (int64_t[]){1, 2, 2, 1}, (double[]){0, 0, 0, 0}, 0);
  }
}

void run_tests(void) {
  RUN(shape_writes_dims_as_int32_and_int64);
  RUN(fill_repeats_a_runtime_scalar);
  RUN(fill_rejects_negative_dims);
  RUN(zeros_like_writes_zeros);
}
