/* The broadcasting plan shared by the elementwise kernels (src/ops/broadcast.c): numpy shape rules, the
 * merging of dims into long rows, and a walk over high-rank shapes (6 and 8 dims) through a real ADD,
 * checked element by element against numpy's indexing rule (each input index is the output index with
 * broadcast dims pinned to 0). */
#include <stdlib.h>

#include "binary_test.h"
#include "core/attrs.h"
#include "ops/broadcast.h"

static er_tensor tensor_of(int ndim, const int64_t *dims) {
  er_tensor t = {.dtype = EDGERT_FLOAT32, .ndim = ndim};
  for (int i = 0; i < ndim; i++)
    t.dims[i] = dims[i];
  return t;
}

static void shapes_follow_numpy_rules(void) {
  er_tensor a = tensor_of(4, (const int64_t[]){8, 1, 6, 1}), b = tensor_of(3, (const int64_t[]){7, 1, 5});
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  CHECK(er_broadcast_shape(2, (const er_tensor *const[]){&a, &b}, &ndim, dims));
  CHECK_EQ_INT(ndim, 4);
  const int64_t want[4] = {8, 7, 6, 5};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(dims[i], want[i]);
  er_tensor c = tensor_of(1, (const int64_t[]){3}), d = tensor_of(1, (const int64_t[]){4});
  CHECK(!er_broadcast_shape(2, (const er_tensor *const[]){&c, &d}, &ndim, dims));
  er_tensor scalar = tensor_of(0, NULL), zero = tensor_of(2, (const int64_t[]){0, 3});
  CHECK(er_broadcast_shape(2, (const er_tensor *const[]){&scalar, &zero}, &ndim, dims));
  CHECK_EQ_INT(ndim, 2);
  CHECK_EQ_INT(dims[0], 0);
}

static void plan_merges_dims_into_rows(void) {
  er_bcast plan;
  /* same shapes collapse to one row */
  er_tensor a = tensor_of(4, (const int64_t[]){1, 2, 3, 4});
  er_bcast_plan(&plan, 4, a.dims, 2, (const er_tensor *const[]){&a, &a});
  CHECK_EQ_INT(plan.ndim, 1);
  CHECK_EQ_INT(er_bcast_row_len(&plan), 24);
  /* a per-channel vector against NHWC: rows of C, the vector restarting each row */
  er_tensor channels = tensor_of(1, (const int64_t[]){4});
  er_bcast_plan(&plan, 4, a.dims, 2, (const er_tensor *const[]){&a, &channels});
  CHECK_EQ_INT(plan.ndim, 2);
  CHECK_EQ_INT(er_bcast_row_len(&plan), 4);
  CHECK_EQ_INT(er_bcast_row_step(&plan, 2), 1);
  CHECK_EQ_INT(plan.strides[2][0], 0);
  /* a scalar steps 0 along the one row */
  er_tensor scalar = tensor_of(0, NULL);
  er_bcast_plan(&plan, 4, a.dims, 2, (const er_tensor *const[]){&a, &scalar});
  CHECK_EQ_INT(plan.ndim, 1);
  CHECK_EQ_INT(er_bcast_row_step(&plan, 2), 0);
}

/* Runs ADD on a[i] = i and b[j] = 1000 * j and checks every output against numpy indexing. */
static void check_add_broadcast(int nd_a, const int64_t *da, int nd_b, const int64_t *db) {
  er_tensor ta = tensor_of(nd_a, da), tb = tensor_of(nd_b, db);
  int32_t nd_o;
  int64_t dout[ER_MAX_DIMS];
  CHECK(er_broadcast_shape(2, (const er_tensor *const[]){&ta, &tb}, &nd_o, dout));
  int64_t na = er_tensor_elements(&ta), nb = er_tensor_elements(&tb), no = er_shape_elements(nd_o, dout);
  float *a = malloc(sizeof(float) * (size_t)na), *b = malloc(sizeof(float) * (size_t)nb);
  float *out = malloc(sizeof(float) * (size_t)no);
  for (int64_t i = 0; i < na; i++)
    a[i] = (float)i;
  for (int64_t i = 0; i < nb; i++)
    b[i] = 1000.0f * (float)i;
  bt_tensor in[2] = {{.dtype = EDGERT_FLOAT32, .ndim = nd_a}, {.dtype = EDGERT_FLOAT32, .ndim = nd_b}};
  for (int i = 0; i < nd_a; i++)
    in[0].dims[i] = da[i];
  for (int i = 0; i < nd_b; i++)
    in[1].dims[i] = db[i];
  er_binary_attrs attrs = {.activation = ER_ACT_NONE};
  CHECK_OK(bt_run(ER_OP_ADD, &attrs, sizeof attrs, 2, in, (const void *[]){a, b},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof(float) * (size_t)no));
  int64_t bad = 0;
  for (int64_t flat = 0; flat < no; flat++) {
    int64_t idx[ER_MAX_DIMS], rest = flat;
    for (int d = nd_o - 1; d >= 0; d--) {
      idx[d] = rest % dout[d];
      rest /= dout[d];
    }
    int64_t ia = 0, ib = 0;
    for (int d = 0; d < nd_o; d++) {
      int la = d - (nd_o - nd_a), lb = d - (nd_o - nd_b);
      if (la >= 0) ia = ia * da[la] + (da[la] == 1 ? 0 : idx[d]);
      if (lb >= 0) ib = ib * db[lb] + (db[lb] == 1 ? 0 : idx[d]);
    }
    bad += out[flat] != (float)ia + 1000.0f * (float)ib;
  }
  CHECK_EQ_INT(bad, 0);
  free(a);
  free(b);
  free(out);
}

static void six_and_eight_dim_broadcasts(void) {
  check_add_broadcast(6, (const int64_t[]){2, 1, 3, 1, 2, 3}, 5, (const int64_t[]){4, 1, 2, 1, 3});
  check_add_broadcast(8, (const int64_t[]){1, 2, 1, 2, 1, 3, 1, 2}, 8,
                      (const int64_t[]){2, 1, 2, 1, 2, 1, 3, 1});
  check_add_broadcast(3, (const int64_t[]){5, 1, 7}, 3, (const int64_t[]){1, 6, 1});
}

static void empty_output_writes_nothing(void) {
  float x[1] = {1}, out[1];
  bt_tensor in[2] = {{.dtype = EDGERT_FLOAT32, BT_SHAPE(0, 3)}, {.dtype = EDGERT_FLOAT32, BT_SHAPE(1, 3)}};
  er_binary_attrs attrs = {.activation = ER_ACT_NONE};
  CHECK_OK(bt_run(ER_OP_ADD, &attrs, sizeof attrs, 2, in, (const void *[]){x, (const float[]){1, 2, 3}},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, 0));
}

void run_tests(void) {
  RUN(shapes_follow_numpy_rules);
  RUN(plan_merges_dims_into_rows);
  RUN(six_and_eight_dim_broadcasts);
  RUN(empty_output_writes_nothing);
}
