/* SPACE_TO_DEPTH, DEPTH_TO_SPACE, SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND: moves between spatial
 * positions and channels or batches (TFLite space_to_depth.cc, depth_to_space.cc, space_to_batch_nd.cc,
 * batch_to_space_nd.cc). The depth ops are NHWC with a square block; depth-to-space uses TFLite's DCR
 * order (channel index = (block row * block + block col) * out channels + c). The batch ops take any
 * number M of spatial dims after the batch dim, a constant block_shape [M] and constant paddings or crops
 * [M, 2]; output batch b holds input batch b % N at block offset b / N, the last spatial dim's offset
 * varying fastest. SPACE_TO_BATCH_ND pads with the output zero point for quantized dtypes, 0 otherwise. */
#include <string.h>

#include "ops/movement.h"

typedef struct {
  int32_t ndim;
  int64_t dims[6], strides[6]; /* the output viewed as 6 dims, and the input stride of each */
} depth_data;

static edgert_status depth_common(er_op_ctx *ctx, const er_tensor **in, er_tensor **out, int32_t *block) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st != EDGERT_OK) return st;
  const er_block_attrs *attrs = er_attrs(ctx);
  *in = er_input(ctx, 0);
  *out = er_output(ctx, 0);
  if ((*in)->dtype != (*out)->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if ((*in)->ndim != 4)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be 4-D NHWC, not rank %d", (*in)->ndim);
  if (!attrs || attrs->block_size < 1 || attrs->block_size > 65536)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "block_size must be positive");
  *block = attrs->block_size;
  return EDGERT_OK;
}

static edgert_status space_to_depth_prepare(er_op_ctx *ctx) {
  const er_tensor *in;
  er_tensor *out;
  int32_t b;
  edgert_status st = depth_common(ctx, &in, &out, &b);
  if (st != EDGERT_OK) return st;
  int64_t n = in->dims[0], h = in->dims[1], w = in->dims[2], c = in->dims[3];
  if (h % b || w % b)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "height %lld and width %lld must be multiples of block %d",
                   (long long)h, (long long)w, (int)b);
  depth_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  /* Output [n, h/b, w/b, (by, bx, c)] read from input [n, h/b*b + by, w/b*b + bx, c]. */
  int64_t view[6] = {n, h / b, w / b, b, b, c};
  int64_t strides[6] = {h * w * c, b * w * c, b * c, w * c, c, 1};
  d->ndim = 6;
  memcpy(d->dims, view, sizeof view);
  memcpy(d->strides, strides, sizeof strides);
  ctx->op_data = d;
  int64_t dims[4] = {n, h / b, w / b, c * b * b};
  return er_set_output_shape(ctx, out, 4, dims);
}

static edgert_status depth_to_space_prepare(er_op_ctx *ctx) {
  const er_tensor *in;
  er_tensor *out;
  int32_t b;
  edgert_status st = depth_common(ctx, &in, &out, &b);
  if (st != EDGERT_OK) return st;
  int64_t n = in->dims[0], h = in->dims[1], w = in->dims[2], c = in->dims[3];
  if (c % ((int64_t)b * b))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "depth %lld must be a multiple of block %d squared", (long long)c,
                   (int)b);
  int64_t co = c / ((int64_t)b * b);
  depth_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  /* Output [n, (h, by), (w, bx), co] read from input [n, h, w, (by * b + bx) * co + c]. */
  int64_t view[6] = {n, h, b, w, b, co};
  int64_t strides[6] = {h * w * c, w * c, b * co, c, co, 1};
  d->ndim = 6;
  memcpy(d->dims, view, sizeof view);
  memcpy(d->strides, strides, sizeof strides);
  ctx->op_data = d;
  int64_t dims[4] = {n, h * b, w * b, co};
  return er_set_output_shape(ctx, out, 4, dims);
}

static edgert_status depth_eval(er_op_ctx *ctx) {
  const depth_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  mv_copy_strided(out->data, in->data, d->ndim, d->dims, d->strides, edgert_dtype_size(in->dtype));
  return EDGERT_OK;
}

typedef struct {
  int32_t m;                   /* spatial dims */
  int64_t batch;               /* the smaller batch: input's for S2B, output's for B2S */
  int64_t block[ER_MAX_DIMS];  /* per spatial dim */
  int64_t before[ER_MAX_DIMS]; /* padding (S2B) or crop (B2S) before each spatial dim */
  int64_t in_spatial[ER_MAX_DIMS], out_spatial[ER_MAX_DIMS];
  int64_t inner; /* elements per spatial position */
  unsigned char pad_value[8];
} batch_data;

/* Reads block_shape (input 1) and paddings/crops (input 2), checking them against the input rank. */
static edgert_status batch_common(er_op_ctx *ctx, batch_data **out_data, int64_t *after) {
  edgert_status st = er_check_io(ctx, 3, 3, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *block = er_input(ctx, 1), *pads = er_input(ctx, 2);
  const er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if ((st = mv_check_const_index(ctx, block, "block_shape (input 1)")) != EDGERT_OK) return st;
  if ((st = mv_check_const_index(ctx, pads, "paddings/crops (input 2)")) != EDGERT_OK) return st;
  if (block->ndim != 1 || block->dims[0] < 1 || block->dims[0] >= in->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "block_shape must hold 1 to %d values", (int)in->ndim - 1);
  int32_t m = (int32_t)block->dims[0];
  if (er_tensor_elements(pads) != 2 * (int64_t)m)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "paddings/crops must be [%d, 2]", (int)m);
  batch_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->m = m;
  for (int32_t i = 0; i < m; i++) {
    d->block[i] = mv_index_at(block, i);
    d->before[i] = mv_index_at(pads, 2 * i);
    after[i] = mv_index_at(pads, 2 * i + 1);
    d->in_spatial[i] = in->dims[1 + i];
    if (d->block[i] < 1 || d->block[i] > INT32_MAX || d->before[i] < 0 || after[i] < 0 ||
        d->before[i] > INT32_MAX || after[i] > INT32_MAX)
      return er_fail(ctx, EDGERT_ERR_SHAPE,
                     "block %lld or paddings (%lld, %lld) of spatial dim %d are invalid",
                     (long long)d->block[i], (long long)d->before[i], (long long)after[i], (int)i);
  }
  d->inner = mv_dims_product(in->dims, 1 + m, in->ndim);
  *out_data = d;
  ctx->op_data = d;
  return EDGERT_OK;
}

static int64_t block_count(const batch_data *d) { return mv_dims_product(d->block, 0, d->m); }

static edgert_status space_to_batch_prepare(er_op_ctx *ctx) {
  batch_data *d;
  int64_t after[ER_MAX_DIMS];
  edgert_status st = batch_common(ctx, &d, after);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t dims[ER_MAX_DIMS];
  d->batch = in->dims[0];
  if (block_count(d) > INT32_MAX || d->batch > INT64_MAX / block_count(d))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "output batch overflows");
  dims[0] = d->batch * block_count(d);
  for (int32_t i = 0; i < d->m; i++) {
    int64_t padded = d->in_spatial[i] + d->before[i] + after[i];
    if (padded % d->block[i])
      return er_fail(ctx, EDGERT_ERR_SHAPE, "padded spatial dim %d (%lld) is not a multiple of block %lld",
                     (int)i, (long long)padded, (long long)d->block[i]);
    d->out_spatial[i] = dims[1 + i] = padded / d->block[i];
  }
  for (int32_t i = 1 + d->m; i < in->ndim; i++)
    dims[i] = in->dims[i];
  memset(d->pad_value, 0, sizeof d->pad_value);
  if (out->dtype == EDGERT_INT8 || out->dtype == EDGERT_UINT8) {
    memset(d->pad_value, out->q.zero_point & 0xff, 1);
  } else if (out->dtype == EDGERT_INT16) {
    int16_t zp = (int16_t)out->q.zero_point;
    memcpy(d->pad_value, &zp, 2);
  }
  return er_set_output_shape(ctx, out, in->ndim, dims);
}

static edgert_status batch_to_space_prepare(er_op_ctx *ctx) {
  batch_data *d;
  int64_t after[ER_MAX_DIMS];
  edgert_status st = batch_common(ctx, &d, after);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t blocks = block_count(d), dims[ER_MAX_DIMS];
  if (blocks > INT32_MAX || in->dims[0] % blocks)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "batch %lld is not a multiple of the block count %lld",
                   (long long)in->dims[0], (long long)blocks);
  d->batch = dims[0] = in->dims[0] / blocks;
  for (int32_t i = 0; i < d->m; i++) {
    int64_t full = d->in_spatial[i] * d->block[i];
    if (d->before[i] + after[i] > full)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "crops of spatial dim %d exceed its size %lld", (int)i,
                     (long long)full);
    d->out_spatial[i] = dims[1 + i] = full - d->before[i] - after[i];
  }
  for (int32_t i = 1 + d->m; i < in->ndim; i++)
    dims[i] = in->dims[i];
  return er_set_output_shape(ctx, out, in->ndim, dims);
}

/* The block offsets of a large-batch index, last spatial dim fastest. */
static void block_offsets(const batch_data *d, int64_t big_batch, int64_t *offsets) {
  int64_t rest = big_batch / d->batch;
  for (int32_t i = d->m - 1; i >= 0; i--) {
    offsets[i] = rest % d->block[i];
    rest /= d->block[i];
  }
}

/* Walks every position of the large-spatial side's small grid (output for S2B, input for B2S) and maps it
 * to the other side; to_space selects the direction. */
static void batch_walk(const batch_data *d, const unsigned char *in, unsigned char *out, size_t es,
                       bool to_space) {
  const int64_t *grid = to_space ? d->in_spatial : d->out_spatial;  /* the [..blocked..] side */
  const int64_t *space = to_space ? d->out_spatial : d->in_spatial; /* the full-space side */
  size_t row = (size_t)d->inner * es;
  int64_t big_batches = d->batch * block_count(d);
  int64_t grid_count = mv_dims_product(grid, 0, d->m);
  for (int64_t bb = 0; bb < big_batches; bb++) {
    int64_t offsets[ER_MAX_DIMS], pos[ER_MAX_DIMS] = {0};
    block_offsets(d, bb, offsets);
    int64_t small_batch = bb % d->batch;
    for (int64_t g = 0; g < grid_count; g++) {
      /* Position in the full space, and whether it lies inside (not padding / not cropped). */
      int64_t flat = small_batch;
      bool inside = true;
      for (int32_t i = 0; i < d->m; i++) {
        int64_t p = pos[i] * d->block[i] + offsets[i] - d->before[i];
        if (p < 0 || p >= space[i]) inside = false;
        flat = flat * space[i] + p;
      }
      int64_t grid_flat = bb * grid_count + g;
      if (to_space) {
        if (inside) memcpy(out + (size_t)flat * row, in + (size_t)grid_flat * row, row);
      } else if (inside) {
        memcpy(out + (size_t)grid_flat * row, in + (size_t)flat * row, row);
      } else {
        mv_fill(out + (size_t)grid_flat * row, d->pad_value, d->inner, es);
      }
      for (int32_t i = d->m - 1; i >= 0; i--) {
        if (++pos[i] < grid[i]) break;
        pos[i] = 0;
      }
    }
  }
}

static edgert_status space_to_batch_eval(er_op_ctx *ctx) {
  const batch_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (d->inner == 0) return EDGERT_OK;
  batch_walk(d, in->data, out->data, edgert_dtype_size(in->dtype), false);
  return EDGERT_OK;
}

static edgert_status batch_to_space_eval(er_op_ctx *ctx) {
  const batch_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (d->inner == 0) return EDGERT_OK;
  batch_walk(d, in->data, out->data, edgert_dtype_size(in->dtype), true);
  return EDGERT_OK;
}

const er_kernel er_kernel_space_to_depth = {.prepare = space_to_depth_prepare, .eval = depth_eval};
const er_kernel er_kernel_depth_to_space = {.prepare = depth_to_space_prepare, .eval = depth_eval};
const er_kernel er_kernel_space_to_batch_nd = {.prepare = space_to_batch_prepare,
                                               .eval = space_to_batch_eval};
const er_kernel er_kernel_batch_to_space_nd = {.prepare = batch_to_space_prepare,
                                               .eval = batch_to_space_eval};
