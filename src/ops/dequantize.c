/* DEQUANTIZE to float32: int8, uint8, int16 and int32 as scale * (q - zero_point) computed in float
 * (TFLite reference_ops::Dequantize / PerChannelDequantize), per-tensor or per-channel along the input's
 * quantized axis; float16 by exact widening. */
#include "ops/activation_common.h"

typedef struct {
  int64_t inner; /* per-channel: the channel of element i is (i / inner) % channels */
} dequantize_data;

static edgert_status dequantize_per_channel(er_op_ctx *ctx, const er_tensor *in, dequantize_data *d) {
  const er_quant *q = &in->q;
  if (q->axis < 0 || q->axis >= in->ndim)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "quantized axis %d is outside the input's rank %d",
                   (int)q->axis, (int)in->ndim);
  if (q->channels != in->dims[q->axis] || !q->scales || !q->zero_points)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "%d channel scales for an axis of %lld", (int)q->channels,
                   (long long)in->dims[q->axis]);
  d->inner = 1;
  for (int i = q->axis + 1; i < in->ndim; i++)
    d->inner *= in->dims[i];
  return EDGERT_OK;
}

static edgert_status dequantize_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, out, EDGERT_FLOAT32, "output")) != EDGERT_OK) return st;
  dequantize_data *d = ACT_ALLOC_OP_DATA(ctx, dequantize_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = d;
  switch (in->dtype) {
  case EDGERT_FLOAT16: return EDGERT_OK;
  case EDGERT_INT8:
  case EDGERT_UINT8:
  case EDGERT_INT16:
  case EDGERT_INT32:
    if (in->q.channels > 0) return dequantize_per_channel(ctx, in, d);
    /* A zero scale is legal here (an all-zero tensor); only NaN or infinity is refused. */
    if (!isfinite(in->q.scale))
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input scale %g is not finite", (double)in->q.scale);
    return EDGERT_OK;
  default: return act_unsupported_dtype(ctx, in, "int8, uint8, int16, int32, float16");
  }
}

static inline int32_t load_quantized(const er_tensor *t, int64_t i) {
  switch (t->dtype) {
  case EDGERT_INT8: return ((const int8_t *)t->data)[i];
  case EDGERT_UINT8: return ((const uint8_t *)t->data)[i];
  case EDGERT_INT16: return ((const int16_t *)t->data)[i];
  default: return ((const int32_t *)t->data)[i];
  }
}

static edgert_status dequantize_eval(er_op_ctx *ctx) {
  const dequantize_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  float *y = er_output(ctx, 0)->data;
  const er_quant *q = &in->q;
  int64_t n = er_tensor_elements(in);
  if (in->dtype == EDGERT_FLOAT16) {
    const uint16_t *x = in->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = er_half_to_float(x[i]);
  } else if (q->channels > 0) {
    for (int64_t i = 0; i < n; i++) {
      int64_t c = (i / d->inner) % q->channels;
      y[i] = q->scales[c] * (float)((int64_t)load_quantized(in, i) - q->zero_points[c]);
    }
  } else {
    for (int64_t i = 0; i < n; i++)
      y[i] = q->scale * (float)((int64_t)load_quantized(in, i) - q->zero_point);
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_dequantize = {.prepare = dequantize_prepare, .eval = dequantize_eval};
