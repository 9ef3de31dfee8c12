/* EXPAND (ONNX Expand-13): numpy broadcasting of the input against a shape; either may have more dims,
 * and a dim of 1 on either side stretches. The shape is read at prepare when constant, else the declared
 * output shape stands in and eval checks the values give it (mv_prepare_shape). Eval is one strided walk
 * with stride 0 on stretched dims. */
#include "ops/movement.h"

typedef struct {
  mv_deferred flag;
  int32_t ndim;
  int64_t in_strides[ER_MAX_DIMS];
} expand_plan;

static edgert_status expand_dims(er_op_ctx *ctx, void *plan, int32_t *out_ndim, int64_t *dims) {
  const er_tensor *in = er_input(ctx, 0), *shape = er_input(ctx, 1);
  expand_plan *p = plan;
  edgert_status st = mv_check_index(ctx, shape, "shape (input 1)");
  if (st != EDGERT_OK) return st;
  int64_t n = er_tensor_elements(shape);
  if (shape->ndim > 1 || n > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "shape must be a vector of at most %d dims", ER_MAX_DIMS);
  int32_t ndim = (int32_t)n > in->ndim ? (int32_t)n : in->ndim;
  int64_t strides[ER_MAX_DIMS];
  mv_strides(in->ndim, in->dims, strides);
  for (int32_t i = 0; i < ndim; i++) {
    int32_t si = i - (ndim - (int32_t)n), ii = i - (ndim - in->ndim);
    int64_t a = ii >= 0 ? in->dims[ii] : 1, b = si >= 0 ? mv_index_at(shape, si) : 1;
    if (a != b && a != 1 && b != 1)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "dim %d: input %lld does not broadcast with shape %lld", (int)i,
                     (long long)a, (long long)b);
    if (b < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "shape dim %d is negative", (int)i);
    dims[i] = a == 1 ? b : a;
    p->in_strides[i] = ii >= 0 && a != 1 ? strides[ii] : 0;
  }
  p->ndim = ndim;
  *out_ndim = ndim;
  return EDGERT_OK;
}

static edgert_status expand_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  if (er_input(ctx, 0)->dtype != er_output(ctx, 0)->dtype)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  return mv_prepare_shape(ctx, 1, 1, sizeof(expand_plan), expand_dims);
}

static edgert_status expand_eval(er_op_ctx *ctx) {
  edgert_status st = mv_eval_deferred_shape(ctx, expand_dims);
  if (st != EDGERT_OK) return st;
  const expand_plan *p = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (out->bytes == 0) return EDGERT_OK;
  mv_copy_strided(out->data, in->data, p->ndim, out->dims, p->in_strides, edgert_dtype_size(in->dtype));
  return EDGERT_OK;
}

const er_kernel er_kernel_expand = {.prepare = expand_prepare, .eval = expand_eval};
