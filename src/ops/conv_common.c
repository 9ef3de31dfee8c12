/* Geometry, quantization and bias checks shared by the convolution family; see conv_common.h. */
#include "ops/conv_common.h"

#include <math.h>

/* Dims and attributes beyond this are refused so that every index product stays far inside int64. */
#define CONV_DIM_LIMIT ((int64_t)1 << 30)

edgert_status er_conv_window(er_op_ctx *ctx, er_padding padding, int64_t in, int64_t filter, int32_t stride,
                             int32_t dilation, int32_t pad_before, int32_t pad_after, const char *name,
                             er_conv_dim *dim) {
  int64_t effective = (filter - 1) * dilation + 1; /* filter span with holes; < 2^61 by the limits */
  int64_t total;
  switch (padding) {
  case ER_PAD_VALID:
    dim->out = in >= effective ? (in - effective) / stride + 1 : 0;
    dim->pad = 0;
    break;
  case ER_PAD_SAME:
  case ER_PAD_SAME_LOWER:
    dim->out = (in + stride - 1) / stride;
    total = (dim->out - 1) * stride + effective - in;
    if (total < 0) total = 0;
    dim->pad = padding == ER_PAD_SAME ? total / 2 : (total + 1) / 2;
    break;
  case ER_PAD_EXPLICIT:
    if (pad_before < 0 || pad_after < 0 || pad_before > CONV_DIM_LIMIT || pad_after > CONV_DIM_LIMIT)
      return er_fail(ctx, EDGERT_ERR_MALFORMED, "%s padding %d/%d is out of range", name, (int)pad_before,
                     (int)pad_after);
    dim->out =
        in + pad_before + pad_after >= effective ? (in + pad_before + pad_after - effective) / stride + 1 : 0;
    dim->pad = pad_before;
    break;
  default: return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "padding mode %d is not supported", (int)padding);
  }
  if (dim->out < 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "%s: filter span %lld does not fit input size %lld", name,
                   (long long)effective, (long long)in);
  return EDGERT_OK;
}

edgert_status er_conv_plan_2d(er_op_ctx *ctx, const er_conv_attrs *a, const er_tensor *in, int64_t filter_h,
                              int64_t filter_w, int64_t out_c, er_tensor *out, er_conv_geometry *g) {
  g->batches = in->dims[0];
  g->in_h = in->dims[1];
  g->in_w = in->dims[2];
  g->in_c = in->dims[3];
  g->filter_h = filter_h;
  g->filter_w = filter_w;
  g->out_c = out_c;
  g->stride_h = a->stride_h;
  g->stride_w = a->stride_w;
  g->dil_h = a->dilation_h;
  g->dil_w = a->dilation_w;
  er_conv_dim h, w;
  edgert_status st = er_conv_window(ctx, a->padding, g->in_h, filter_h, a->stride_h, a->dilation_h,
                                    a->pads[0], a->pads[2], "height", &h);
  if (st == EDGERT_OK)
    st = er_conv_window(ctx, a->padding, g->in_w, filter_w, a->stride_w, a->dilation_w, a->pads[1],
                        a->pads[3], "width", &w);
  if (st != EDGERT_OK) return st;
  g->out_h = h.out;
  g->out_w = w.out;
  g->pad_h = h.pad;
  g->pad_w = w.pad;
  const int64_t dims[4] = {g->batches, g->out_h, g->out_w, g->out_c};
  return er_set_output_shape(ctx, out, 4, dims);
}

edgert_status er_conv_check_attrs(er_op_ctx *ctx, const er_conv_attrs *a, bool uses_dilation) {
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "convolution attributes are missing");
  if (a->layout != ER_LAYOUT_NHWC)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "only NHWC layout is supported (got layout %d)",
                   (int)a->layout);
  if (a->stride_h < 1 || a->stride_w < 1 || a->stride_h > CONV_DIM_LIMIT || a->stride_w > CONV_DIM_LIMIT)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "stride %dx%d is out of range", (int)a->stride_h,
                   (int)a->stride_w);
  if (uses_dilation && (a->dilation_h < 1 || a->dilation_w < 1 || a->dilation_h > CONV_DIM_LIMIT ||
                        a->dilation_w > CONV_DIM_LIMIT))
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "dilation %dx%d is out of range", (int)a->dilation_h,
                   (int)a->dilation_w);
  if (a->activation == ER_ACT_TANH || a->activation == ER_ACT_SIGMOID)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "fused tanh/sigmoid activation is not supported");
  return EDGERT_OK;
}

edgert_status er_conv_check_4d(er_op_ctx *ctx, const er_tensor *t, const char *what) {
  if (t->ndim != 4) return er_fail(ctx, EDGERT_ERR_SHAPE, "%s must be 4-D, has rank %d", what, (int)t->ndim);
  for (int i = 0; i < 4; i++)
    if (t->dims[i] < 1 || t->dims[i] > CONV_DIM_LIMIT)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "%s dim %d is %lld, expected 1 to 2^30", what, i,
                     (long long)t->dims[i]);
  return EDGERT_OK;
}

float er_conv_tensor_scale(const er_tensor *t) {
  if (t->q.scale == 0.0f && t->q.channels == 1 && t->q.scales) return t->q.scales[0];
  return t->q.scale;
}

static bool valid_scale(float s) { return isfinite(s) && s > 0.0f; }

edgert_status er_conv_check_act_quant(er_op_ctx *ctx, const er_tensor *t, const char *what,
                                      bool zero_point_must_be_zero) {
  float scale = er_conv_tensor_scale(t);
  if (!valid_scale(scale))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s '%s' needs a positive finite quantization scale (has %g)",
                   what, t->name ? t->name : "", (double)scale);
  if (t->q.channels > 1)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s '%s' must be quantized per tensor, not per channel", what,
                   t->name ? t->name : "");
  int32_t qmin, qmax;
  er_dtype_range(t->dtype, &qmin, &qmax);
  if (t->q.zero_point < qmin || t->q.zero_point > qmax)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "%s zero point %d is outside the %s range", what,
                   (int)t->q.zero_point, edgert_dtype_name(t->dtype));
  if (zero_point_must_be_zero && t->q.zero_point != 0)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s zero point is %d; 16-bit activations need 0", what,
                   (int)t->q.zero_point);
  return EDGERT_OK;
}

edgert_status er_conv_multipliers(er_op_ctx *ctx, const er_tensor *input, const er_tensor *filter,
                                  const er_tensor *output, int32_t channel_axis, int64_t channels,
                                  int32_t **multipliers, int32_t **shifts) {
  bool per_channel = filter->q.channels > 1;
  if (per_channel) {
    if (!filter->q.scales || filter->q.channels != channels || filter->q.axis != channel_axis)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                     "filter has %d scales on axis %d; expected 1, or %lld on axis %d",
                     (int)filter->q.channels, (int)filter->q.axis, (long long)channels, (int)channel_axis);
  } else if (!valid_scale(er_conv_tensor_scale(filter))) {
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "filter needs a positive finite quantization scale");
  }
  int32_t *m = er_persist_alloc(ctx, sizeof(int32_t) * (size_t)channels);
  int32_t *s = er_persist_alloc(ctx, sizeof(int32_t) * (size_t)channels);
  if (!m || !s) return EDGERT_ERR_NO_MEMORY;
  double input_scale = er_conv_tensor_scale(input), output_scale = er_conv_tensor_scale(output);
  for (int64_t c = 0; c < channels; c++) {
    float filter_scale = per_channel ? filter->q.scales[c] : er_conv_tensor_scale(filter);
    /* A zero scale is a channel of all-zero weights; TFLite accepts it (multiplier 0). */
    if (!isfinite(filter_scale) || filter_scale < 0.0f)
      return er_fail(ctx, EDGERT_ERR_MALFORMED, "filter scale %g of channel %lld is invalid",
                     (double)filter_scale, (long long)c);
    int shift;
    er_quantize_multiplier(input_scale * (double)filter_scale / output_scale, &m[c], &shift);
    s[c] = shift;
  }
  *multipliers = m;
  *shifts = s;
  return EDGERT_OK;
}

edgert_status er_conv_uint8_filter_offset(er_op_ctx *ctx, const er_tensor *filter, int32_t *offset) {
  if (filter->q.channels > 1)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "uint8 filter '%s' has %d per-channel scales; uint8 kernels take one scale per tensor",
                   filter->name ? filter->name : "", (int)filter->q.channels);
  if (filter->q.zero_point < 0 || filter->q.zero_point > 255)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "uint8 filter zero point %d is outside [0, 255]",
                   (int)filter->q.zero_point);
  *offset = -filter->q.zero_point;
  return EDGERT_OK;
}

edgert_status er_conv_check_bias(er_op_ctx *ctx, const er_tensor *bias, int64_t channels,
                                 const edgert_dtype *allowed, int n_allowed) {
  if (!bias) return EDGERT_OK;
  bool ok = false;
  for (int i = 0; i < n_allowed; i++)
    ok = ok || bias->dtype == allowed[i];
  if (!ok)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "bias '%s' of type %s is not supported with these inputs",
                   bias->name ? bias->name : "", edgert_dtype_name(bias->dtype));
  if (er_tensor_elements(bias) != channels)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "bias has %lld elements, expected %lld output channels",
                   (long long)er_tensor_elements(bias), (long long)channels);
  return EDGERT_OK;
}

void er_conv_output_range(const er_tensor *out, er_activation act, int32_t *act_min, int32_t *act_max) {
  int32_t qmin, qmax;
  er_dtype_range(out->dtype, &qmin, &qmax);
  er_activation_range_quantized(act, er_conv_tensor_scale(out), out->q.zero_point, qmin, qmax, act_min,
                                act_max);
}

edgert_status er_conv_check_types(er_op_ctx *ctx, const er_tensor *in, const er_tensor *filter,
                                  const er_tensor *bias, const er_tensor *out, int64_t channels,
                                  const char *filter_name, int extra) {
  static const edgert_dtype f32_bias[] = {EDGERT_FLOAT32};
  static const edgert_dtype i32_bias[] = {EDGERT_INT32};
  static const edgert_dtype i16_bias[] = {EDGERT_INT64, EDGERT_INT32, EDGERT_INT16};
  if (out->dtype != in->dtype)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output type %s differs from input type %s",
                   edgert_dtype_name(out->dtype), edgert_dtype_name(in->dtype));
  const bool hybrid = (extra & ER_CONV_HYBRID) && filter->dtype == EDGERT_INT8;
  if (in->dtype == EDGERT_FLOAT32 && (filter->dtype == EDGERT_FLOAT32 || hybrid))
    return er_conv_check_bias(ctx, bias, channels, f32_bias, 1);
  if (in->dtype == EDGERT_INT8 && filter->dtype == EDGERT_INT8)
    return er_conv_check_bias(ctx, bias, channels, i32_bias, 1);
  if (in->dtype == EDGERT_INT16 && filter->dtype == EDGERT_INT8)
    return er_conv_check_bias(ctx, bias, channels, i16_bias, (extra & ER_CONV_INT16_BIAS) ? 3 : 2);
  if (in->dtype == EDGERT_UINT8 && filter->dtype == EDGERT_UINT8)
    return er_conv_check_bias(ctx, bias, channels, i32_bias, 1);
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input %s with %s %s is not supported",
                 edgert_dtype_name(in->dtype), filter_name, edgert_dtype_name(filter->dtype));
}

edgert_status er_conv_prepare_quant(er_op_ctx *ctx, er_conv_quant *q, er_activation activation,
                                    const er_tensor *in, const er_tensor *filter, const er_tensor *out,
                                    int32_t channel_axis, int64_t channels) {
  edgert_status st = er_conv_check_act_quant(ctx, in, "input", in->dtype == EDGERT_INT16);
  /* Every int16 output has zero point 0, also the one FULLY_CONNECTED makes from uint8 (TFLite DCHECKs). */
  if (st == EDGERT_OK) st = er_conv_check_act_quant(ctx, out, "output", out->dtype == EDGERT_INT16);
  q->filter_offset = 0;
  if (st == EDGERT_OK && in->dtype == EDGERT_UINT8)
    st = er_conv_uint8_filter_offset(ctx, filter, &q->filter_offset);
  int32_t *multipliers = NULL, *shifts = NULL;
  if (st == EDGERT_OK)
    st = er_conv_multipliers(ctx, in, filter, out, channel_axis, channels, &multipliers, &shifts);
  if (st != EDGERT_OK) return st;
  q->multipliers = multipliers;
  q->shifts = shifts;
  q->input_offset = -in->q.zero_point;
  q->output_offset = out->q.zero_point;
  er_conv_output_range(out, activation, &q->act_min, &q->act_max);
  return EDGERT_OK;
}
