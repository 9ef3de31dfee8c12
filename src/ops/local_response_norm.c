/* LOCAL_RESPONSE_NORMALIZATION on float32 4-D tensors (TFLite local_response_norm.cc): each element is
 * divided by (bias + alpha * sum of squares of its channel neighbourhood) ^ beta, the neighbourhood being
 * channels [c - radius, c + radius] of the last dim clipped to the tensor. The window includes both ends,
 * as TensorFlow's op and TFLite's registered (optimized) kernel do; TFLite's own unit test
 * (SmallRadius) pins that down. */
#include <math.h>

#include "ops/activation_common.h"

typedef struct {
  int64_t outer, depth;
} lrn_data;

static edgert_status lrn_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st == EDGERT_OK) st = act_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  const er_lrn_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  if (in->dtype != EDGERT_FLOAT32) return act_unsupported_dtype(ctx, in, "float32");
  if (in->ndim != 4) return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be 4-D, is %d-D", (int)in->ndim);
  if (a->radius < 0) return er_fail(ctx, EDGERT_ERR_MALFORMED, "radius %d is negative", (int)a->radius);
  lrn_data *d = ACT_ALLOC_OP_DATA(ctx, lrn_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->depth = in->dims[3];
  d->outer = in->dims[0] * in->dims[1] * in->dims[2];
  ctx->op_data = d;
  return EDGERT_OK;
}

static edgert_status lrn_eval(er_op_ctx *ctx) {
  const er_lrn_attrs *a = er_attrs(ctx);
  const lrn_data *d = ctx->op_data;
  const float *x = er_input(ctx, 0)->data;
  float *y = er_output(ctx, 0)->data;
  for (int64_t i = 0; i < d->outer; i++) {
    const float *row = x + i * d->depth;
    for (int64_t c = 0; c < d->depth; c++) {
      int64_t begin = c - a->radius < 0 ? 0 : c - a->radius;
      int64_t end = c + a->radius + 1 > d->depth ? d->depth : c + a->radius + 1;
      float sum_squares = 0.0f;
      for (int64_t k = begin; k < end; k++)
        sum_squares += row[k] * row[k];
      float multiplier = powf(a->bias + a->alpha * sum_squares, -a->beta);
      y[i * d->depth + c] = row[c] * multiplier;
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_local_response_norm = {.prepare = lrn_prepare, .eval = lrn_eval};
