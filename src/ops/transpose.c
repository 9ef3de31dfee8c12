/* TRANSPOSE: output dim i is input dim perm[i] (tensorflow/lite/kernels/transpose.cc). perm is a constant
 * int32/int64 vector holding each of 0..rank-1 once; without it (ONNX Transpose with no perm attribute)
 * the dims are reversed. Eval is one strided walk over the input. */
#include "ops/movement.h"

typedef struct {
  int32_t ndim;
  int64_t in_strides[ER_MAX_DIMS]; /* input stride of the dim that lands at output dim i */
} transpose_data;

static edgert_status transpose_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 2, 1);
  if (st != EDGERT_OK) return st;
  er_tensor *in = er_input(ctx, 0), *perm = er_input(ctx, 1), *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if (perm && (st = mv_check_const_index(ctx, perm, "perm (input 1)")) != EDGERT_OK) return st;
  if (perm && (perm->ndim != 1 || perm->dims[0] != in->ndim))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "perm must be a vector of %d values", (int)in->ndim);
  transpose_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  int64_t strides[ER_MAX_DIMS], dims[ER_MAX_DIMS];
  bool used[ER_MAX_DIMS] = {false};
  mv_strides(in->ndim, in->dims, strides);
  d->ndim = in->ndim;
  for (int32_t i = 0; i < in->ndim; i++) {
    int64_t p = perm ? mv_index_at(perm, i) : in->ndim - 1 - i;
    if (p < 0) p += in->ndim; /* TFLite accepts negative entries */
    if (p < 0 || p >= in->ndim || used[p])
      return er_fail(ctx, EDGERT_ERR_SHAPE, "perm[%d] = %lld is out of range or repeated", (int)i,
                     (long long)p);
    used[p] = true;
    dims[i] = in->dims[p];
    d->in_strides[i] = strides[p];
  }
  ctx->op_data = d;
  return er_set_output_shape(ctx, out, in->ndim, dims);
}

static edgert_status transpose_eval(er_op_ctx *ctx) {
  const transpose_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  mv_copy_strided(out->data, in->data, d->ndim, out->dims, d->in_strides, edgert_dtype_size(in->dtype));
  return EDGERT_OK;
}

const er_kernel er_kernel_transpose = {.prepare = transpose_prepare, .eval = transpose_eval};
