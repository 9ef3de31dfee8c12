/* MAX_UNPOOL_ND: ONNX MaxUnpool, the partial inverse of MaxPool with indices. Inputs X [N, C, D...],
 * I (int64, X's shape: flat indices into the output, as MaxPool's indices output gives them) and an
 * optional output_shape (int64, the full output shape). The indices address the inferred shape, each
 * spatial dim (in - 1) * stride + kernel - pad_begin - pad_end (ONNX spec): the result is zero except
 * Z.flat[I[j]] = X.flat[j] in that shape, and a larger output_shape holds Z in its leading corner (ONNX's
 * reference op_max_unpool.py). output_shape's value must be known at prepare (a constant, or a graph input
 * through the interpreter's value mode). Any dtype works (elements are copied bytewise); an index outside
 * the inferred shape fails the invoke. */
#include <string.h>

#include "ops/window_nd.h"

static edgert_status shape_from_attrs(er_op_ctx *ctx, const er_conv_nd_attrs *a, const er_tensor *x,
                                      int64_t *dims) {
  int32_t rank = x->ndim - 2;
  edgert_status st;
  if (a->n_kernel != rank || (a->n_strides && a->n_strides != rank) || (a->n_pads && a->n_pads != 2 * rank))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "kernel_shape, strides and pads do not match %d spatial dims",
                   (int)rank);
  dims[0] = x->dims[0];
  dims[1] = x->dims[1];
  for (int i = 0; i < rank; i++) {
    int64_t in = x->dims[2 + i], k = a->kernel[i], s = a->n_strides ? a->strides[i] : 1;
    int64_t pb = a->n_pads ? a->pads[i] : 0, pe = a->n_pads ? a->pads[rank + i] : 0;
    if ((st = er_window_nd_check_value(ctx, "input spatial dim", in, 1))) return st;
    if ((st = er_window_nd_check_value(ctx, "kernel size", k, 1))) return st;
    if ((st = er_window_nd_check_value(ctx, "stride", s, 1))) return st;
    if ((st = er_window_nd_check_value(ctx, "pad", pb, 0))) return st;
    if ((st = er_window_nd_check_value(ctx, "pad", pe, 0))) return st;
    dims[2 + i] = (in - 1) * s + k - pb - pe;
    if ((st = er_window_nd_check_value(ctx, "output spatial size", dims[2 + i], 1))) return st;
  }
  return EDGERT_OK;
}

static edgert_status shape_from_input(er_op_ctx *ctx, const er_tensor *x, const er_tensor *shape,
                                      int64_t *dims) {
  if (shape->kind != ER_TENSOR_CONST || !shape->data)
    return er_need_value(ctx, shape, "output_shape (input 2)");
  edgert_status st = er_check_dtype(ctx, shape, EDGERT_INT64, "output_shape");
  if (st) return st;
  if (er_tensor_elements(shape) != x->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "output_shape has %lld values, expected %d",
                   (long long)er_tensor_elements(shape), (int)x->ndim);
  memcpy(dims, shape->data, (size_t)x->ndim * sizeof *dims);
  for (int i = 0; i < x->ndim; i++)
    if ((st = er_window_nd_check_value(ctx, "output_shape value", dims[i], 0))) return st;
  return EDGERT_OK;
}

static edgert_status unpool_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 3, 1);
  if (st) return st;
  const er_conv_nd_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "MaxUnpool attributes are missing");
  er_tensor *x = er_input(ctx, 0), *idx = er_input(ctx, 1), *shape = er_input(ctx, 2), *y = er_output(ctx, 0);
  if (x->ndim < 3 || x->ndim > 2 + ER_NN_MAX_SPATIAL || er_tensor_elements(x) < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be NCHW with 1 to %d spatial dims", ER_NN_MAX_SPATIAL);
  if ((st = er_check_dtype(ctx, idx, EDGERT_INT64, "indices"))) return st;
  if (!er_same_shape(x, idx)) return er_fail(ctx, EDGERT_ERR_SHAPE, "indices must have the input's shape");
  if ((st = er_check_dtype(ctx, y, x->dtype, "output"))) return st;
  int64_t *inferred = er_persist_alloc(ctx, sizeof(int64_t) * ER_MAX_DIMS);
  if (!inferred) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = inferred;
  if ((st = shape_from_attrs(ctx, a, x, inferred))) return st;
  int64_t dims[ER_MAX_DIMS];
  memcpy(dims, inferred, sizeof dims);
  if (shape && (st = shape_from_input(ctx, x, shape, dims))) return st;
  for (int i = 0; i < x->ndim; i++)
    if (dims[i] < inferred[i])
      return er_fail(ctx, EDGERT_ERR_SHAPE, "output_shape dim %d is %lld, smaller than the unpooled %lld", i,
                     (long long)dims[i], (long long)inferred[i]);
  return er_set_output_shape(ctx, y, x->ndim, dims);
}

/* Flat index in the inferred shape -> flat index in the (possibly larger) output. */
static int64_t output_index(int64_t at, const int64_t *inferred, const er_tensor *y) {
  int64_t out = 0, out_stride = 1;
  for (int d = y->ndim - 1; d >= 0; d--) {
    out += (at % inferred[d]) * out_stride;
    at /= inferred[d];
    out_stride *= y->dims[d];
  }
  return out;
}

static edgert_status unpool_eval(er_op_ctx *ctx) {
  const er_tensor *x = er_input(ctx, 0), *idx = er_input(ctx, 1);
  er_tensor *y = er_output(ctx, 0);
  const int64_t *inferred = ctx->op_data;
  size_t elem = edgert_dtype_size(x->dtype);
  int64_t n = er_tensor_elements(x), inferred_n = er_shape_elements(y->ndim, inferred);
  const int64_t *at = idx->data;
  memset(y->data, 0, y->bytes);
  for (int64_t j = 0; j < n; j++) {
    if (at[j] < 0 || at[j] >= inferred_n)
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "index %lld at %lld is outside the unpooled %lld elements",
                     (long long)at[j], (long long)j, (long long)inferred_n);
    int64_t to = output_index(at[j], inferred, y);
    memcpy((char *)y->data + (size_t)to * elem, (const char *)x->data + (size_t)j * elem, elem);
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_max_unpool_nd = {.prepare = unpool_prepare, .eval = unpool_eval};
