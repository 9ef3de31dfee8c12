/* TILE and BROADCAST_TO: repeat the input (TFLite tile.cc, broadcast_to.cc). TILE repeats dim i
 * multiples[i] times; BROADCAST_TO stretches size-1 dims (and adds leading ones) to a constant shape.
 * TILE copies the first repetition of each block and then duplicates it from the output; BROADCAST_TO
 * is a strided walk with stride 0 on the stretched dims. TILE's multiples are read at prepare when constant;
 * when computed at run time (ONNX Tile fed by a graph input), the declared output shape stands in and
 * eval reads the multiples and checks they give it. */
#include <string.h>

#include "ops/movement.h"

typedef struct {
  int32_t ndim;
  int64_t in_dims[ER_MAX_DIMS], multiples[ER_MAX_DIMS], in_strides[ER_MAX_DIMS];
  bool deferred;
} tile_data;

/* Reads the multiples into d and the output dims. */
static edgert_status plan_tile(er_op_ctx *ctx, tile_data *d, int64_t *dims) {
  const er_tensor *in = er_input(ctx, 0), *multiples = er_input(ctx, 1);
  d->ndim = in->ndim;
  for (int32_t i = 0; i < in->ndim; i++) {
    d->in_dims[i] = in->dims[i];
    d->multiples[i] = mv_index_at(multiples, i);
    if (d->multiples[i] < 0 || (in->dims[i] != 0 && d->multiples[i] > INT64_MAX / in->dims[i]))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "multiples[%d] = %lld is negative or too large", (int)i,
                     (long long)d->multiples[i]);
    dims[i] = in->dims[i] * d->multiples[i];
  }
  mv_strides(in->ndim, in->dims, d->in_strides);
  return EDGERT_OK;
}

static edgert_status tile_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *multiples = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if ((st = mv_check_index(ctx, multiples, "multiples (input 1)")) != EDGERT_OK) return st;
  if (multiples->ndim != 1 || multiples->dims[0] != in->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "multiples must be a vector of %d values", (int)in->ndim);
  tile_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = d;
  int64_t dims[ER_MAX_DIMS];
  int32_t ndim = in->ndim;
  d->deferred = !mv_is_const(multiples);
  if (!d->deferred) {
    if ((st = plan_tile(ctx, d, dims)) != EDGERT_OK) return st;
  } else if (!mv_declared_shape(out, &ndim, dims) || ndim != in->ndim) {
    return er_need_value(ctx, multiples, "multiples");
  }
  return er_set_output_shape(ctx, out, in->ndim, dims);
}

/* Writes the tiling of dims [dim, ndim) of `in` at `out`; returns the bytes written. */
static size_t tile_dim(const tile_data *d, int32_t dim, const unsigned char *in, unsigned char *out,
                       size_t es) {
  size_t one = 0;
  if (dim == d->ndim - 1) {
    one = (size_t)d->in_dims[dim] * es;
    if (one) memcpy(out, in, one);
  } else {
    for (int64_t i = 0; i < d->in_dims[dim]; i++)
      one += tile_dim(d, dim + 1, in + (size_t)(i * d->in_strides[dim]) * es, out + one, es);
  }
  for (int64_t m = 1; m < d->multiples[dim]; m++)
    memcpy(out + (size_t)m * one, out, one);
  return one * (size_t)d->multiples[dim];
}

static edgert_status tile_eval(er_op_ctx *ctx) {
  const tile_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  size_t es = edgert_dtype_size(in->dtype);
  if (d->deferred) {
    int64_t dims[ER_MAX_DIMS];
    edgert_status st = plan_tile(ctx, ctx->op_data, dims);
    if (st == EDGERT_OK) st = mv_check_deferred_shape(ctx, out, in->ndim, dims);
    if (st != EDGERT_OK) return st;
  }
  if (d->ndim == 0) {
    memcpy(out->data, in->data, es);
    return EDGERT_OK;
  }
  if (er_tensor_elements(out) == 0) return EDGERT_OK;
  tile_dim(d, 0, in->data, out->data, es);
  return EDGERT_OK;
}

typedef struct {
  int32_t ndim;
  int64_t in_strides[ER_MAX_DIMS]; /* 0 on stretched dims */
} broadcast_data;

static edgert_status broadcast_to_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *shape = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if ((st = mv_check_const_index(ctx, shape, "shape (input 1)")) != EDGERT_OK) return st;
  if (shape->ndim != 1 || shape->dims[0] < in->ndim || shape->dims[0] > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "shape must be a vector of %d to %d values", (int)in->ndim,
                   ER_MAX_DIMS);
  int32_t ndim = (int32_t)shape->dims[0], lead = ndim - in->ndim;
  broadcast_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  int64_t dims[ER_MAX_DIMS], strides[ER_MAX_DIMS];
  mv_strides(in->ndim, in->dims, strides);
  d->ndim = ndim;
  for (int32_t i = 0; i < ndim; i++) {
    dims[i] = mv_index_at(shape, i);
    int64_t in_dim = i < lead ? 1 : in->dims[i - lead];
    if (dims[i] < 0 || (in_dim != 1 && in_dim != dims[i]))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "input dim of size %lld cannot broadcast to %lld",
                     (long long)in_dim, (long long)dims[i]);
    d->in_strides[i] = i < lead || in_dim == 1 ? 0 : strides[i - lead];
  }
  ctx->op_data = d;
  return er_set_output_shape(ctx, out, ndim, dims);
}

static edgert_status broadcast_to_eval(er_op_ctx *ctx) {
  const broadcast_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  mv_copy_strided(out->data, in->data, d->ndim, out->dims, d->in_strides, edgert_dtype_size(in->dtype));
  return EDGERT_OK;
}

const er_kernel er_kernel_tile = {.prepare = tile_prepare, .eval = tile_eval};
const er_kernel er_kernel_broadcast_to = {.prepare = broadcast_to_prepare, .eval = broadcast_to_eval};
