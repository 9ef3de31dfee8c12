/* ATAN2: elementwise atan2(y, x) of two float32 tensors of one shape (TFLite atan2.cc). TFLite does not
 * broadcast here; it walks both inputs by the first one's element count, so we require equal shapes
 * rather than read past the smaller one. */
#include <math.h>

#include "core/kernel.h"

static edgert_status atan2_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *y = er_input(ctx, 0), *x = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if ((st = er_check_dtype(ctx, y, EDGERT_FLOAT32, "input y")) != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, x, EDGERT_FLOAT32, "input x")) != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, out, EDGERT_FLOAT32, "output")) != EDGERT_OK) return st;
  if (!er_same_shape(y, x)) {
    char ys[128], xs[128];
    return er_fail(ctx, EDGERT_ERR_SHAPE, "y %s and x %s must have the same shape",
                   er_shape_str(y->ndim, y->dims, ys, sizeof ys),
                   er_shape_str(x->ndim, x->dims, xs, sizeof xs));
  }
  return er_set_output_shape(ctx, out, y->ndim, y->dims);
}

static edgert_status atan2_eval(er_op_ctx *ctx) {
  const er_tensor *y = er_input(ctx, 0), *x = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  const float *yd = y->data, *xd = x->data;
  float *od = out->data;
  int64_t n = er_tensor_elements(y);
  for (int64_t i = 0; i < n; i++)
    od[i] = atan2f(yd[i], xd[i]);
  return EDGERT_OK;
}

const er_kernel er_kernel_atan2 = {.prepare = atan2_prepare, .eval = atan2_eval};
