/* GATHER_ND: the last dim of `indices` holds coordinates into the leading dims of `params`; each picks
 * one slice (TFLite gather_nd.cc, reference_ops::GatherNd). Output shape: indices.shape[:-1] +
 * params.shape[nd:], nd = indices.shape[-1]. Any dtype (slices are copied by size); indices int32 or int64.
 * Indices come at run time, so every coordinate is checked at eval: one outside its dim fails the invoke
 * (TFLite fails it too) instead of reading outside params. */
#include <string.h>

#include "ops/movement.h"

typedef struct {
  int32_t nd;                   /* coordinates per index */
  int64_t n_slices;             /* indices to look up */
  int64_t slice_len;            /* elements per slice */
  int64_t strides[ER_MAX_DIMS]; /* of params' leading nd dims, in elements */
} gather_nd_data;

static edgert_status gather_nd_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *params = er_input(ctx, 0), *indices = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (params->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "params and output dtypes differ");
  if (!mv_is_index_dtype(indices))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "indices are %s, expected int32 or int64",
                   edgert_dtype_name(indices->dtype));
  if (params->ndim < 1 || indices->ndim < 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "params and indices must be at least 1-D");
  int64_t nd = indices->dims[indices->ndim - 1];
  if (nd < 0 || nd > params->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "indices hold %lld coordinates for rank-%d params", (long long)nd,
                   (int)params->ndim);
  int32_t ndim = indices->ndim - 1 + params->ndim - (int32_t)nd;
  if (ndim > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output rank %d is beyond %d", (int)ndim, ER_MAX_DIMS);
  int64_t dims[ER_MAX_DIMS];
  int32_t n = 0;
  for (int32_t i = 0; i < indices->ndim - 1; i++)
    dims[n++] = indices->dims[i];
  for (int32_t i = (int32_t)nd; i < params->ndim; i++)
    dims[n++] = params->dims[i];
  if ((st = er_set_output_shape(ctx, out, ndim, dims)) != EDGERT_OK) return st;
  gather_nd_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->nd = (int32_t)nd;
  d->n_slices = mv_dims_product(indices->dims, 0, indices->ndim - 1);
  d->slice_len = mv_dims_product(params->dims, (int32_t)nd, params->ndim);
  int64_t stride = d->slice_len;
  for (int32_t k = (int32_t)nd - 1; k >= 0; k--) {
    d->strides[k] = stride;
    stride *= params->dims[k];
  }
  ctx->op_data = d;
  return EDGERT_OK;
}

static edgert_status gather_nd_eval(er_op_ctx *ctx) {
  const gather_nd_data *d = ctx->op_data;
  const er_tensor *params = er_input(ctx, 0), *indices = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  size_t elem = edgert_dtype_size(params->dtype);
  size_t slice_bytes = (size_t)d->slice_len * elem;
  for (int64_t s = 0; s < d->n_slices; s++) {
    int64_t offset = 0;
    for (int32_t k = 0; k < d->nd; k++) {
      int64_t coord = mv_index_at(indices, s * d->nd + k);
      if (coord < 0 || coord >= params->dims[k])
        return er_fail(ctx, EDGERT_ERR_RUNTIME,
                       "index %lld (coordinate %d of index %lld) is outside [0, %lld)", (long long)coord,
                       (int)k, (long long)s, (long long)params->dims[k]);
      offset += coord * d->strides[k];
    }
    if (slice_bytes)
      memcpy((unsigned char *)out->data + (size_t)s * slice_bytes,
             (const unsigned char *)params->data + (size_t)offset * elem, slice_bytes);
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_gather_nd = {.prepare = gather_nd_prepare, .eval = gather_nd_eval};
