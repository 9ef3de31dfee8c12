/* QUANTIZE: float32 -> int8, uint8 or int16 (q = round half away from zero of x / scale, plus zero point,
 * clamped; per-tensor, or per-channel along the output's quantized axis), and requantization between
 * int8, uint8, int16 and int32 (per-tensor, with TFLite's multiplier from in/out scale and double
 * rounding), as TFLite Micro's quantize_common.cc with reference_ops::AffineQuantize, PerChannelQuantize
 * and Requantize. */
#include "core/quant.h"
#include "ops/activation_common.h"

typedef struct {
  int32_t qmin, qmax;
  /* requantize */
  int32_t multiplier;
  int shift;
  int32_t input_zero_point;
  /* per-channel float quantization: the channel of element i is (i / inner) % channels */
  int64_t inner;
  int32_t channels;
} quantize_data;

static bool is_integer_dtype(edgert_dtype t) {
  return t == EDGERT_INT8 || t == EDGERT_UINT8 || t == EDGERT_INT16 || t == EDGERT_INT32;
}

static edgert_status quantize_per_channel(er_op_ctx *ctx, const er_tensor *out, quantize_data *d) {
  const er_quant *q = &out->q;
  if (q->axis < 0 || q->axis >= out->ndim)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "quantized axis %d is outside the output's rank %d",
                   (int)q->axis, (int)out->ndim);
  if (q->channels != out->dims[q->axis] || !q->scales || !q->zero_points)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "%d channel scales for an axis of %lld", (int)q->channels,
                   (long long)out->dims[q->axis]);
  for (int32_t c = 0; c < q->channels; c++)
    if (!(q->scales[c] > 0.0f) || !isfinite(q->scales[c]))
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "channel %d scale %g is not positive", (int)c,
                     (double)q->scales[c]);
  d->channels = q->channels;
  d->inner = 1;
  for (int i = q->axis + 1; i < out->ndim; i++)
    d->inner *= out->dims[i];
  return EDGERT_OK;
}

static edgert_status quantize_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st != EDGERT_OK) return st;
  quantize_data *d = ACT_ALLOC_OP_DATA(ctx, quantize_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = d;
  er_dtype_range(out->dtype, &d->qmin, &d->qmax);
  if (in->dtype == EDGERT_FLOAT32) {
    if (out->dtype != EDGERT_INT8 && out->dtype != EDGERT_UINT8 && out->dtype != EDGERT_INT16)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "float32 -> %s is not supported (int8, uint8, int16 are)",
                     edgert_dtype_name(out->dtype));
    if (out->q.channels > 0) return quantize_per_channel(ctx, out, d);
    return act_require_scale(ctx, out, "output");
  }
  if (!is_integer_dtype(in->dtype) || !is_integer_dtype(out->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "%s -> %s is not supported (float32 or int8/uint8/int16/int32 "
                   "input, int8/uint8/int16/int32 output)",
                   edgert_dtype_name(in->dtype), edgert_dtype_name(out->dtype));
  if (out->q.channels > 0 || in->q.channels > 0)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "requantization is per-tensor only");
  if ((st = act_require_scale(ctx, in, "input")) != EDGERT_OK) return st;
  if ((st = act_require_scale(ctx, out, "output")) != EDGERT_OK) return st;
  er_quantize_multiplier((double)in->q.scale / (double)out->q.scale, &d->multiplier, &d->shift);
  d->input_zero_point = in->q.zero_point;
  return EDGERT_OK;
}

/* Reads element i of an integer tensor as int32. */
static inline int32_t load_int(const void *data, edgert_dtype t, int64_t i) {
  switch (t) {
  case EDGERT_INT8: return ((const int8_t *)data)[i];
  case EDGERT_UINT8: return ((const uint8_t *)data)[i];
  case EDGERT_INT16: return ((const int16_t *)data)[i];
  default: return ((const int32_t *)data)[i];
  }
}

/* Stores v, already clamped to the dtype's range, as element i. */
static inline void store_int(void *data, edgert_dtype t, int64_t i, int32_t v) {
  switch (t) {
  case EDGERT_INT8: ((int8_t *)data)[i] = (int8_t)v; break;
  case EDGERT_UINT8: ((uint8_t *)data)[i] = (uint8_t)v; break;
  case EDGERT_INT16: ((int16_t *)data)[i] = (int16_t)v; break;
  default: ((int32_t *)data)[i] = v; break;
  }
}

static void quantize_float(const quantize_data *d, const er_tensor *in, er_tensor *out, int64_t n) {
  const float *x = in->data;
  const er_quant *q = &out->q;
  if (q->channels > 0) {
    for (int64_t i = 0; i < n; i++) {
      int64_t c = (i / d->inner) % d->channels;
      store_int(out->data, out->dtype, i,
                er_quantize_value(x[i], q->scales[c], q->zero_points[c], d->qmin, d->qmax));
    }
  } else {
    for (int64_t i = 0; i < n; i++)
      store_int(out->data, out->dtype, i, er_quantize_value(x[i], q->scale, q->zero_point, d->qmin, d->qmax));
  }
}

static void requantize(const quantize_data *d, const er_tensor *in, er_tensor *out, int64_t n) {
  const int32_t output_zero_point = out->q.zero_point;
  for (int64_t i = 0; i < n; i++) {
    /* int32 inputs far from the zero point wrap here as in TFLite's int32 arithmetic. */
    int32_t x = (int32_t)((uint32_t)load_int(in->data, in->dtype, i) - (uint32_t)d->input_zero_point);
    int64_t y = (int64_t)er_multiply_by_quantized_multiplier(x, d->multiplier, d->shift) + output_zero_point;
    store_int(out->data, out->dtype, i, (int32_t)(y < d->qmin ? d->qmin : (y > d->qmax ? d->qmax : y)));
  }
}

static edgert_status quantize_eval(er_op_ctx *ctx) {
  const quantize_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  if (in->dtype == EDGERT_FLOAT32)
    quantize_float(d, in, out, n);
  else
    requantize(d, in, out, n);
  return EDGERT_OK;
}

const er_kernel er_kernel_quantize = {.prepare = quantize_prepare, .eval = quantize_eval};
