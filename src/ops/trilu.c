/* TRILU (ONNX Trilu-14): keep the upper or lower triangle of each matrix of the last two dims and zero
 * the rest; k (optional input 1, read at eval) shifts the diagonal: upper keeps j >= i + k, lower
 * j <= i + k. Elements move by size, so every dtype works. */
#include <string.h>

#include "ops/movement.h"

static edgert_status trilu_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *k = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if (in->ndim < 2) return er_fail(ctx, EDGERT_ERR_SHAPE, "input rank %d is below 2", (int)in->ndim);
  if (k && (!mv_is_index_dtype(k) || er_tensor_elements(k) != 1))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "k must be one int64");
  return er_set_output_shape(ctx, out, in->ndim, in->dims);
}

static edgert_status trilu_eval(er_op_ctx *ctx) {
  const er_trilu_attrs *attrs = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0), *k_t = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  bool upper = !attrs || attrs->upper;
  int64_t k = k_t ? mv_index_at(k_t, 0) : 0;
  int64_t rows = er_dim(in, -2), cols = er_dim(in, -1), mats = mv_dims_product(in->dims, 0, in->ndim - 2);
  size_t es = edgert_dtype_size(in->dtype);
  const unsigned char *src = in->data;
  unsigned char *dst = out->data;
  for (int64_t m = 0; m < mats; m++) {
    for (int64_t i = 0; i < rows; i++) {
      for (int64_t j = 0; j < cols; j++, src += es, dst += es) {
        bool keep = upper ? j - i >= k : j - i <= k;
        if (keep)
          memmove(dst, src, es);
        else
          memset(dst, 0, es);
      }
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_trilu = {.prepare = trilu_prepare, .eval = trilu_eval};
