/* Prepare-time folding: a node whose inputs are all constant runs once at prepare, its output becomes a
 * constant that later kernels can read while preparing (here a RESHAPE whose shape is computed by an
 * ADD), and invoke no longer runs it. */
#include <string.h>

#include "core/attrs.h"
#include "op_harness.h"

static void computed_shape_feeds_reshape(void) {
  th_graph *g = th_new();
  const int32_t half[2] = {1, 1}, rest[2] = {1, 2};
  int a = th_tensor(g, EDGERT_INT32, 1, (const int64_t[]){2}, half);
  int b = th_tensor(g, EDGERT_INT32, 1, (const int64_t[]){2}, rest);
  int shape = th_tensor(g, EDGERT_INT32, -1, NULL, NULL);
  int x = th_tensor(g, EDGERT_FLOAT32, 1, (const int64_t[]){6}, NULL);
  int y = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  const er_binary_attrs add = {.activation = ER_ACT_NONE};
  const er_reshape_attrs reshape = {.ndim = -1};
  th_node(g, ER_OP_ADD, &add, sizeof add, 2, (int[]){a, b}, 1, (int[]){shape});
  th_node(g, ER_OP_RESHAPE, &reshape, sizeof reshape, 2, (int[]){x, shape}, 1, (int[]){y});
  th_io(g, 1, (int[]){x}, 1, (int[]){y});
  const float xs[6] = {1, 2, 3, 4, 5, 6};
  CHECK_OK(th_run(g, (const void *[]){xs}));
  edgert_tensor_info info = th_output_info(g, 0);
  CHECK_EQ_INT(info.ndim, 2);
  CHECK_EQ_INT(info.dims[0], 2);
  CHECK_EQ_INT(info.dims[1], 3);
  const float *ys = th_output(g, 0);
  CHECK(ys && memcmp(ys, xs, sizeof xs) == 0);
  th_free(g);
}



/* Value mode: TILE's multiples come from a graph input and the model declares no output shape, so the
 * interpreter plans at invoke with the input's value, and plans again when that value changes. */
static void input_value_decides_shape(void) {
  th_graph *g = th_new();
  int x = th_tensor(g, EDGERT_FLOAT32, 1, (const int64_t[]){2}, NULL);
  int m = th_tensor(g, EDGERT_INT32, 1, (const int64_t[]){1}, NULL);
  int y = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  th_node(g, ER_OP_TILE, NULL, 0, 2, (int[]){x, m}, 1, (int[]){y});
  th_io(g, 2, (int[]){x, m}, 1, (int[]){y});
  const float xs[2] = {1.5f, -2.0f};
  const int32_t three = 3, two = 2;
  CHECK_OK(th_run(g, (const void *[]){xs, &three}));
  edgert_tensor_info info = th_output_info(g, 0);
  CHECK_EQ_INT(info.ndim, 1);
  CHECK_EQ_INT(info.dims[0], 6);
  const float *ys = th_output(g, 0);
  CHECK(ys && ys[4] == 1.5f && ys[5] == -2.0f);
  CHECK_OK(th_run(g, (const void *[]){xs, &two}));
  info = th_output_info(g, 0);
  CHECK_EQ_INT(info.dims[0], 4);
  th_free(g);
}

/* A value input is also read as data at eval: TILE(m, m) with m = [3] gives [3, 3, 3]. */
static void value_input_read_as_data(void) {
  th_graph *g = th_new();
  int m = th_tensor(g, EDGERT_INT32, 1, (const int64_t[]){1}, NULL);
  int y = th_tensor(g, EDGERT_INT32, -1, NULL, NULL);
  th_node(g, ER_OP_TILE, NULL, 0, 2, (int[]){m, m}, 1, (int[]){y});
  th_io(g, 1, (int[]){m}, 1, (int[]){y});
  const int32_t three = 3;
  CHECK_OK(th_run(g, (const void *[]){&three}));
  edgert_tensor_info info = th_output_info(g, 0);
  CHECK_EQ_INT(info.dims[0], 3);
  const int32_t *ys = th_output(g, 0);
  CHECK(ys && ys[0] == 3 && ys[1] == 3 && ys[2] == 3);
  th_free(g);
}

void run_tests(void) {
  RUN(value_input_read_as_data);
  RUN(computed_shape_feeds_reshape);
  RUN(input_value_decides_shape);
}
