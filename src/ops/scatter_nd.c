/* SCATTER_ND: a zero tensor of the constant shape `shape` with each slice of `updates` added at the
 * coordinates given by the matching row of `indices` (TFLite scatter_nd.cc, reference_ops::ScatterNd);
 * slices that land on the same place are summed. updates: float32, int8, uint8, int32 or int64 (integer
 * sums wrap); indices and shape: int32 or int64, one dtype. Indices come at run time, so each coordinate
 * is checked at eval and one outside the output fails the invoke. */
#include <string.h>

#include "ops/movement.h"

typedef struct {
  int32_t nd;        /* coordinates per index */
  int64_t n_slices;  /* rows of indices */
  int64_t slice_len; /* elements per slice */
  int64_t strides[ER_MAX_DIMS];
} scatter_data;

/* The output shape from the constant shape input, checked. */
static edgert_status read_shape(er_op_ctx *ctx, const er_tensor *shape, int32_t *ndim, int64_t *dims) {
  edgert_status st = mv_check_const_index(ctx, shape, "shape");
  if (st != EDGERT_OK) return st;
  if (shape->ndim != 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "shape must be 1-D, is %d-D", (int)shape->ndim);
  if (shape->dims[0] > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output rank %lld is beyond %d", (long long)shape->dims[0],
                   ER_MAX_DIMS);
  *ndim = (int32_t)shape->dims[0];
  for (int32_t i = 0; i < *ndim; i++) {
    dims[i] = mv_index_at(shape, i);
    if (dims[i] < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "shape dim %d is negative", (int)i);
  }
  return EDGERT_OK;
}

/* TFLite's CheckShapes: indices [outer..., nd], updates [outer..., shape[nd:]...]. */
static edgert_status check_shapes(er_op_ctx *ctx, const er_tensor *indices, const er_tensor *updates,
                                  int32_t ndim, const int64_t *dims) {
  if (indices->ndim < 1 || updates->ndim < 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "indices and updates must be at least 1-D");
  int32_t outer = indices->ndim - 1;
  int64_t nd = indices->dims[outer];
  if (nd < 0 || nd > ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "indices hold %lld coordinates for a rank-%d output", (long long)nd,
                   (int)ndim);
  if (updates->ndim < outer || updates->ndim - outer != ndim - nd)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "updates rank %d does not fit indices rank %d and output rank %d",
                   (int)updates->ndim, (int)indices->ndim, (int)ndim);
  for (int32_t i = 0; i < outer; i++)
    if (updates->dims[i] != indices->dims[i])
      return er_fail(ctx, EDGERT_ERR_SHAPE, "updates dim %d is %lld; indices have %lld", (int)i,
                     (long long)updates->dims[i], (long long)indices->dims[i]);
  for (int32_t i = 0; i + outer < updates->ndim; i++)
    if (updates->dims[outer + i] != dims[nd + i])
      return er_fail(ctx, EDGERT_ERR_SHAPE, "updates dim %d is %lld; the output has %lld", (int)(outer + i),
                     (long long)updates->dims[outer + i], (long long)dims[nd + i]);
  return EDGERT_OK;
}

static edgert_status scatter_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 3, 3, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *indices = er_input(ctx, 0), *updates = er_input(ctx, 1), *shape = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  switch (updates->dtype) {
  case EDGERT_FLOAT32:
  case EDGERT_INT8:
  case EDGERT_UINT8:
  case EDGERT_INT32:
  case EDGERT_INT64: break;
  default:
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "updates are %s; supported: float32, int8, uint8, int32, int64",
                   edgert_dtype_name(updates->dtype));
  }
  if (out->dtype != updates->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "updates and output dtypes differ");
  if (!mv_is_index_dtype(indices) || indices->dtype != shape->dtype)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "indices (%s) and shape (%s) must both be int32 or both int64",
                   edgert_dtype_name(indices->dtype), edgert_dtype_name(shape->dtype));
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  if ((st = read_shape(ctx, shape, &ndim, dims)) != EDGERT_OK) return st;
  if ((st = check_shapes(ctx, indices, updates, ndim, dims)) != EDGERT_OK) return st;
  if ((st = er_set_output_shape(ctx, out, ndim, dims)) != EDGERT_OK) return st;
  scatter_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->nd = (int32_t)indices->dims[indices->ndim - 1];
  d->n_slices = mv_dims_product(indices->dims, 0, indices->ndim - 1);
  d->slice_len = mv_dims_product(dims, d->nd, ndim);
  int64_t stride = d->slice_len;
  for (int32_t k = d->nd - 1; k >= 0; k--) {
    d->strides[k] = stride;
    stride *= dims[k];
  }
  ctx->op_data = d;
  return EDGERT_OK;
}

#define SCATTER_ADD(T, ACC_T, out_data, upd_data, offset, src, len)                                          \
  do {                                                                                                       \
    T *o_ = (T *)(out_data) + (offset);                                                                      \
    const T *u_ = (const T *)(upd_data) + (src);                                                             \
    for (int64_t j_ = 0; j_ < (len); j_++)                                                                   \
      o_[j_] = (T)((ACC_T)o_[j_] + (ACC_T)u_[j_]);                                                           \
  } while (0)

static edgert_status scatter_eval(er_op_ctx *ctx) {
  const scatter_data *d = ctx->op_data;
  const er_tensor *indices = er_input(ctx, 0), *updates = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (out->bytes) memset(out->data, 0, out->bytes);
  for (int64_t s = 0; s < d->n_slices; s++) {
    int64_t offset = 0;
    for (int32_t k = 0; k < d->nd; k++) {
      int64_t coord = mv_index_at(indices, s * d->nd + k);
      if (coord < 0 || coord >= out->dims[k])
        return er_fail(ctx, EDGERT_ERR_RUNTIME,
                       "index %lld (coordinate %d of index %lld) is outside [0, %lld)", (long long)coord,
                       (int)k, (long long)s, (long long)out->dims[k]);
      offset += coord * d->strides[k];
    }
    int64_t src = s * d->slice_len;
    switch (out->dtype) {
    case EDGERT_FLOAT32:
      SCATTER_ADD(float, float, out->data, updates->data, offset, src, d->slice_len);
      break;
    case EDGERT_INT8:
      SCATTER_ADD(int8_t, uint8_t, out->data, updates->data, offset, src, d->slice_len);
      break;
    case EDGERT_UINT8:
      SCATTER_ADD(uint8_t, uint8_t, out->data, updates->data, offset, src, d->slice_len);
      break;
    case EDGERT_INT32:
      SCATTER_ADD(int32_t, uint32_t, out->data, updates->data, offset, src, d->slice_len);
      break;
    default: SCATTER_ADD(int64_t, uint64_t, out->data, updates->data, offset, src, d->slice_len); break;
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_scatter_nd = {.prepare = scatter_prepare, .eval = scatter_eval};
