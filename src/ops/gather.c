/* GATHER: pick slices of params along `axis` by an int32/int64 index tensor (TFLite gather.cc,
 * reference_ops::Gather). Output shape: params[:axis] + indices[batch_dims:] + params[axis+1:]. The
 * indices may be computed at run time, so eval checks each one: an index outside [0, axis size) fails
 * the invoke instead of reading outside params. */
#include <string.h>

#include "ops/movement.h"

typedef struct {
  int64_t batch, outer, inner, coords, axis_size;
} gather_data;

static edgert_status gather_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_axis_attrs *attrs = er_attrs(ctx);
  const er_tensor *params = er_input(ctx, 0), *indices = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (params->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "params and output dtypes differ");
  if (!mv_is_index_dtype(indices))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "indices are %s, expected int32 or int64",
                   edgert_dtype_name(indices->dtype));
  int32_t axis, batch_dims = attrs ? attrs->batch_dims : 0;
  if ((st = mv_normalize_axis(ctx, attrs ? attrs->axis : 0, params->ndim, &axis)) != EDGERT_OK) return st;
  if (batch_dims < 0) batch_dims += indices->ndim;
  if (batch_dims < 0 || batch_dims > indices->ndim || batch_dims > axis)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "batch_dims %d does not fit axis %d and indices rank %d",
                   (int)(attrs ? attrs->batch_dims : 0), (int)axis, (int)indices->ndim);
  for (int32_t i = 0; i < batch_dims; i++)
    if (params->dims[i] != indices->dims[i])
      return er_fail(ctx, EDGERT_ERR_SHAPE, "batch dim %d differs between params and indices", (int)i);
  int32_t ndim = params->ndim - 1 + indices->ndim - batch_dims;
  if (ndim > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output rank %d is beyond %d", ndim, ER_MAX_DIMS);
  int64_t dims[ER_MAX_DIMS];
  int32_t n = 0;
  for (int32_t i = 0; i < axis; i++)
    dims[n++] = params->dims[i];
  for (int32_t i = batch_dims; i < indices->ndim; i++)
    dims[n++] = indices->dims[i];
  for (int32_t i = axis + 1; i < params->ndim; i++)
    dims[n++] = params->dims[i];
  if ((st = er_set_output_shape(ctx, out, ndim, dims)) != EDGERT_OK) return st;
  gather_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->batch = mv_dims_product(params->dims, 0, batch_dims);
  d->outer = mv_dims_product(params->dims, batch_dims, axis);
  d->inner = mv_dims_product(params->dims, axis + 1, params->ndim);
  d->coords = mv_dims_product(indices->dims, batch_dims, indices->ndim);
  d->axis_size = params->dims[axis];
  ctx->op_data = d;
  return EDGERT_OK;
}

static edgert_status gather_eval(er_op_ctx *ctx) {
  const gather_data *d = ctx->op_data;
  const er_tensor *params = er_input(ctx, 0), *indices = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  size_t row = (size_t)d->inner * edgert_dtype_size(params->dtype);
  const unsigned char *src = params->data;
  unsigned char *dst = out->data;
  for (int64_t b = 0; b < d->batch; b++) {
    for (int64_t o = 0; o < d->outer; o++) {
      const unsigned char *block = src + (size_t)((b * d->outer + o) * d->axis_size) * row;
      for (int64_t c = 0; c < d->coords; c++) {
        int64_t index = mv_index_at(indices, b * d->coords + c);
        if (index < 0 || index >= d->axis_size)
          return er_fail(ctx, EDGERT_ERR_RUNTIME, "index %lld is outside [0, %lld)", (long long)index,
                         (long long)d->axis_size);
        if (row) memcpy(dst, block + (size_t)index * row, row);
        dst += row;
      }
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_gather = {.prepare = gather_prepare, .eval = gather_eval};
