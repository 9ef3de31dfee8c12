/* ONNX_DEPTH_TO_SPACE and ONNX_SPACE_TO_DEPTH on NCHW tensors (ONNX DepthToSpace-13 with modes DCR and CRD,
 * SpaceToDepth-13). The spec defines both as reshape to 6 dims, transpose, reshape; here the output is
 * walked as those 6 transposed dims with the input strides each one maps to, in one strided copy. */
#include "ops/movement.h"

typedef struct {
  int64_t dims[6], strides[6];
} depth_space_plan;

static edgert_status common(er_op_ctx *ctx, const er_tensor **in, er_tensor **out, int64_t *block) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st != EDGERT_OK) return st;
  const er_depth_space_attrs *attrs = er_attrs(ctx);
  *in = er_input(ctx, 0);
  *out = er_output(ctx, 0);
  if ((*in)->dtype != (*out)->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if ((*in)->ndim != 4)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be NCHW, not rank %d", (int)(*in)->ndim);
  *block = attrs ? attrs->block_size : 0;
  if (*block < 1 || *block > 65536)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "blocksize %lld is not positive", (long long)*block);
  return EDGERT_OK;
}

/* Sets the plan's strides: output dim k reads the 6-d input dim order[k]. */
static void map_strides(depth_space_plan *p, const int64_t *in6, const int *order) {
  int64_t s[6];
  mv_strides(6, in6, s);
  for (int k = 0; k < 6; k++) {
    p->dims[k] = in6[order[k]];
    p->strides[k] = s[order[k]];
  }
}

static edgert_status depth_to_space_prepare(er_op_ctx *ctx) {
  const er_tensor *in;
  er_tensor *out;
  int64_t b;
  edgert_status st = common(ctx, &in, &out, &b);
  if (st != EDGERT_OK) return st;
  const er_depth_space_attrs *attrs = er_attrs(ctx);
  int64_t n = in->dims[0], c = in->dims[1], h = in->dims[2], w = in->dims[3];
  if (c % (b * b) != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "channels %lld do not divide by blocksize squared", (long long)c);
  depth_space_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  int64_t oc = c / (b * b);
  if (attrs->crd) {
    const int64_t in6[6] = {n, oc, b, b, h, w};
    map_strides(p, in6, (const int[]){0, 1, 4, 2, 5, 3});
  } else {
    const int64_t in6[6] = {n, b, b, oc, h, w};
    map_strides(p, in6, (const int[]){0, 3, 4, 1, 5, 2});
  }
  ctx->op_data = p;
  return er_set_output_shape(ctx, out, 4, (const int64_t[]){n, oc, h * b, w * b});
}

static edgert_status space_to_depth_prepare(er_op_ctx *ctx) {
  const er_tensor *in;
  er_tensor *out;
  int64_t b;
  edgert_status st = common(ctx, &in, &out, &b);
  if (st != EDGERT_OK) return st;
  int64_t n = in->dims[0], c = in->dims[1], h = in->dims[2], w = in->dims[3];
  if (h % b != 0 || w % b != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "height %lld and width %lld must divide by blocksize %lld",
                   (long long)h, (long long)w, (long long)b);
  depth_space_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  const int64_t in6[6] = {n, c, h / b, b, w / b, b};
  map_strides(p, in6, (const int[]){0, 3, 5, 1, 2, 4});
  ctx->op_data = p;
  return er_set_output_shape(ctx, out, 4, (const int64_t[]){n, c * b * b, h / b, w / b});
}

static edgert_status depth_space_eval(er_op_ctx *ctx) {
  const depth_space_plan *p = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (out->bytes == 0) return EDGERT_OK;
  mv_copy_strided(out->data, in->data, 6, p->dims, p->strides, edgert_dtype_size(in->dtype));
  return EDGERT_OK;
}

const er_kernel er_kernel_onnx_depth_to_space = {.prepare = depth_to_space_prepare, .eval = depth_space_eval};
const er_kernel er_kernel_onnx_space_to_depth = {.prepare = space_to_depth_prepare, .eval = depth_space_eval};
