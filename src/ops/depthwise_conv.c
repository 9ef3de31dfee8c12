/* DEPTHWISE_CONV_2D: each input channel is convolved with its own depth_multiplier filters; NHWC input,
 * filter 1HW(C*M) where output channel ic * M + m reads input channel ic. Follows TFLite's reference
 * kernels (reference/depthwiseconv_float.h and reference/integer_ops/depthwise_conv.h
 * DepthwiseConvPerChannel): float32; int8 with int8 weights (per-tensor or per-channel scales on axis 3,
 * int32 bias); int16 with int8 weights (int64 bias and accumulator, no zero points); uint8 with uint8
 * weights (reference/depthwiseconv_uint8.h: one filter scale and zero point, int32 bias, the weight offset
 * added to every tap). The multiplier is taken from the channel counts (filter channels / input channels),
 * as TFLite does when a converter left the attribute inconsistent. Hybrid (float input, int8 filter,
 * float bias; TFLite depthwise_conv.cc EvalHybridPerChannel): each batch quantized asymmetrically, sums
 * scaled by channel scale times batch scale (a per-tensor filter's one scale serves every channel). */
#include "core/kernel.h"
#include "core/quant.h"
#include "ops/conv_common.h"
#include "ops/hybrid.h"

typedef struct {
  int64_t batches, in_h, in_w, in_c;
  int64_t filter_h, filter_w, multiplier;
  int64_t out_h, out_w, out_c;
  int64_t stride_h, stride_w, dil_h, dil_w, pad_h, pad_w;
  float act_min_f, act_max_f;
  int32_t act_min, act_max;
  int32_t input_offset, filter_offset, output_offset; /* filter_offset: uint8 only, else 0 */
  const int32_t *multipliers, *shifts;
  /* Hybrid (float input, int8 filter): input quantized asymmetrically per batch; per-channel scales (or
   * the one per-tensor scale for every channel). */
  bool hybrid;
  const float *channel_scales; /* NULL: per-tensor filter_scale */
  float filter_scale;
  er_hybrid_scratch scratch;
} dw_data;

static edgert_status check_types(er_op_ctx *ctx, const er_tensor *in, const er_tensor *filter,
                                 const er_tensor *bias, const er_tensor *out, int64_t out_c) {
  static const edgert_dtype f32_bias[] = {EDGERT_FLOAT32};
  static const edgert_dtype i8_bias[] = {EDGERT_INT32};
  static const edgert_dtype i16_bias[] = {EDGERT_INT64, EDGERT_INT32};
  if (out->dtype != in->dtype)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output type %s differs from input type %s",
                   edgert_dtype_name(out->dtype), edgert_dtype_name(in->dtype));
  if (in->dtype == EDGERT_FLOAT32 && (filter->dtype == EDGERT_FLOAT32 || filter->dtype == EDGERT_INT8))
    return er_conv_check_bias(ctx, bias, out_c, f32_bias, 1);
  if (in->dtype == EDGERT_INT8 && filter->dtype == EDGERT_INT8)
    return er_conv_check_bias(ctx, bias, out_c, i8_bias, 1);
  if (in->dtype == EDGERT_INT16 && filter->dtype == EDGERT_INT8)
    return er_conv_check_bias(ctx, bias, out_c, i16_bias, 2);
  if (in->dtype == EDGERT_UINT8 && filter->dtype == EDGERT_UINT8)
    return er_conv_check_bias(ctx, bias, out_c, i8_bias, 1);
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input %s with filter %s is not supported",
                 edgert_dtype_name(in->dtype), edgert_dtype_name(filter->dtype));
}

static edgert_status prepare_quant(er_op_ctx *ctx, dw_data *d, const er_conv_attrs *a, const er_tensor *in,
                                   const er_tensor *filter, const er_tensor *out) {
  bool is_16 = in->dtype == EDGERT_INT16;
  edgert_status st = er_conv_check_act_quant(ctx, in, "input", is_16);
  if (st == EDGERT_OK) st = er_conv_check_act_quant(ctx, out, "output", is_16);
  int32_t *mult = NULL, *shift = NULL;
  if (st == EDGERT_OK && in->dtype == EDGERT_UINT8)
    st = er_conv_uint8_filter_offset(ctx, filter, &d->filter_offset);
  if (st == EDGERT_OK) st = er_conv_multipliers(ctx, in, filter, out, 3, d->out_c, &mult, &shift);
  if (st != EDGERT_OK) return st;
  d->multipliers = mult;
  d->shifts = shift;
  d->input_offset = -in->q.zero_point;
  d->output_offset = out->q.zero_point;
  int32_t qmin, qmax;
  er_dtype_range(out->dtype, &qmin, &qmax);
  er_activation_range_quantized(a->activation, er_conv_tensor_scale(out), out->q.zero_point, qmin, qmax,
                                &d->act_min, &d->act_max);
  return EDGERT_OK;
}

static edgert_status prepare_hybrid(er_op_ctx *ctx, dw_data *d, const er_tensor *filter) {
  edgert_status st = er_hybrid_check_weights(ctx, filter, "filter", true, 3, d->out_c);
  if (st != EDGERT_OK) return st;
  d->hybrid = true;
  d->channel_scales = filter->q.channels > 1 ? filter->q.scales : NULL;
  d->filter_scale = er_hybrid_weight_scale(filter);
  if (!er_hybrid_scratch_plan(0, d->batches * d->in_h * d->in_w * d->in_c, d->batches, &d->scratch))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "hybrid scratch is too large");
  ctx->scratch_bytes = d->scratch.bytes;
  return EDGERT_OK;
}

static edgert_status dw_prepare(er_op_ctx *ctx) {
  const er_conv_attrs *a = er_attrs(ctx);
  edgert_status st = er_conv_check_attrs(ctx, a, true);
  if (st == EDGERT_OK) st = er_check_io(ctx, 2, 3, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *filter = er_input(ctx, 1), *bias = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  if ((st = er_conv_check_4d(ctx, in, "input")) != EDGERT_OK) return st;
  if ((st = er_conv_check_4d(ctx, filter, "filter")) != EDGERT_OK) return st;
  if (filter->dims[0] != 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "filter dim 0 is %lld, expected 1 (layout 1HWC)",
                   (long long)filter->dims[0]);
  if ((st = check_types(ctx, in, filter, bias, out, filter->dims[3])) != EDGERT_OK) return st;

  dw_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->batches = in->dims[0];
  d->in_h = in->dims[1];
  d->in_w = in->dims[2];
  d->in_c = in->dims[3];
  d->filter_h = filter->dims[1];
  d->filter_w = filter->dims[2];
  d->out_c = filter->dims[3];
  if (d->out_c % d->in_c != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "filter channels %lld are not a multiple of input channels %lld",
                   (long long)d->out_c, (long long)d->in_c);
  d->multiplier = d->out_c / d->in_c;
  d->stride_h = a->stride_h;
  d->stride_w = a->stride_w;
  d->dil_h = a->dilation_h;
  d->dil_w = a->dilation_w;
  er_conv_dim h, w;
  st = er_conv_window(ctx, a->padding, d->in_h, d->filter_h, a->stride_h, a->dilation_h, a->pads[0],
                      a->pads[2], "height", &h);
  if (st == EDGERT_OK)
    st = er_conv_window(ctx, a->padding, d->in_w, d->filter_w, a->stride_w, a->dilation_w, a->pads[1],
                        a->pads[3], "width", &w);
  if (st != EDGERT_OK) return st;
  d->out_h = h.out;
  d->out_w = w.out;
  d->pad_h = h.pad;
  d->pad_w = w.pad;
  int64_t dims[4] = {d->batches, d->out_h, d->out_w, d->out_c};
  if ((st = er_set_output_shape(ctx, out, 4, dims)) != EDGERT_OK) return st;

  er_activation_range_float(a->activation, &d->act_min_f, &d->act_max_f);
  if (in->dtype == EDGERT_FLOAT32 && filter->dtype == EDGERT_INT8 &&
      (st = prepare_hybrid(ctx, d, filter)) != EDGERT_OK)
    return st;
  if (in->dtype != EDGERT_FLOAT32 && (st = prepare_quant(ctx, d, a, in, filter, out)) != EDGERT_OK) return st;
  ctx->op_data = d;
  return EDGERT_OK;
}

/* Output pixels and channels in NHWC order; for each, the filter taps inside the image (padding is
 * skipped, i.e. zero). Input channel of output channel oc is oc / multiplier. */
#define DW_LOOPS(ACC_T, MAC, STORE)                                                                          \
  for (int64_t b = 0; b < d->batches; b++)                                                                   \
    for (int64_t oy = 0; oy < d->out_h; oy++)                                                                \
      for (int64_t ox = 0; ox < d->out_w; ox++)                                                              \
        for (int64_t oc = 0; oc < d->out_c; oc++) {                                                          \
          const int64_t ic = oc / d->multiplier;                                                             \
          ACC_T acc = 0;                                                                                     \
          for (int64_t fy = 0; fy < d->filter_h; fy++) {                                                     \
            int64_t iy = oy * d->stride_h - d->pad_h + fy * d->dil_h;                                        \
            if (iy < 0 || iy >= d->in_h) continue;                                                           \
            for (int64_t fx = 0; fx < d->filter_w; fx++) {                                                   \
              int64_t ix = ox * d->stride_w - d->pad_w + fx * d->dil_w;                                      \
              if (ix < 0 || ix >= d->in_w) continue;                                                         \
              const int64_t ip = ((b * d->in_h + iy) * d->in_w + ix) * d->in_c + ic;                         \
              const int64_t fp = (fy * d->filter_w + fx) * d->out_c + oc;                                    \
              MAC;                                                                                           \
            }                                                                                                \
          }                                                                                                  \
          STORE;                                                                                             \
        }

static void dw_f32(const dw_data *d, const float *in, const float *filter, const float *bias, float *out) {
  int64_t o = 0;
  DW_LOOPS(float, acc += in[ip] * filter[fp],
           out[o++] = er_clamp_f(acc + (bias ? bias[oc] : 0.0f), d->act_min_f, d->act_max_f))
}

static void dw_i8(const dw_data *d, const int8_t *in, const int8_t *filter, const int32_t *bias,
                  int8_t *out) {
  int64_t o = 0;
  /* int64 sum reduced mod 2^32: TFLite's wrapping int32 accumulator without undefined behaviour. */
  DW_LOOPS(int64_t, acc += (int32_t)filter[fp] * ((int32_t)in[ip] + d->input_offset),
           out[o++] = (int8_t)er_requantize_i32(er_wrap_i32(acc + (bias ? bias[oc] : 0)), d->multipliers[oc],
                                                d->shifts[oc], d->output_offset, d->act_min, d->act_max))
}

/* uint8: TFLite's DepthwiseConvBasicKernel; its output rounding is MultiplyByQuantizedMultiplier. */
static void dw_u8(const dw_data *d, const uint8_t *in, const uint8_t *filter, const int32_t *bias,
                  uint8_t *out) {
  int64_t o = 0;
  DW_LOOPS(int64_t, acc += ((int32_t)filter[fp] + d->filter_offset) * ((int32_t)in[ip] + d->input_offset),
           out[o++] = (uint8_t)er_requantize_i32(er_wrap_i32(acc + (bias ? bias[oc] : 0)), d->multipliers[oc],
                                                 d->shifts[oc], d->output_offset, d->act_min, d->act_max))
}

static void dw_i16(const dw_data *d, const int16_t *in, const int8_t *filter, const er_tensor *bias,
                   int16_t *out) {
  int64_t o = 0;
  DW_LOOPS(int64_t, acc += (int32_t)filter[fp] * (int32_t)in[ip],
           out[o++] = (int16_t)er_clamp_i32(
               er_multiply_by_quantized_multiplier_64(er_add_wrap_i64(acc, er_conv_bias_at(bias, oc)),
                                                      d->multipliers[oc], d->shifts[oc]),
               d->act_min, d->act_max))
}

/* Hybrid (TFLite EvalHybridPerChannel, reference_integer_ops::DepthwiseConvHybridPerChannel): each batch
 * quantized asymmetrically; taps inside the image add filter * (q - zero point); the sum is scaled by
 * channel scale * batch scale, the bias added, then clamped. */
static void dw_hybrid(const dw_data *d, const float *in, const int8_t *filter, const float *bias, float *out,
                      unsigned char *scratch) {
  int8_t *q = (int8_t *)(scratch + d->scratch.q_offset);
  float *scales = (float *)(void *)(scratch + d->scratch.scales_offset);
  int32_t *zero_points = (int32_t *)(void *)(scratch + d->scratch.zero_points_offset);
  er_hybrid_quantize_rows(in, d->batches, d->in_h * d->in_w * d->in_c, true, q, scales, zero_points);
  int64_t o = 0;
  DW_LOOPS(int64_t, acc += (int32_t)filter[fp] * ((int32_t)q[ip] - zero_points[b]), {
    float channel_scale = d->channel_scales ? d->channel_scales[oc] : d->filter_scale;
    float v = (float)er_wrap_i32(acc);
    v *= channel_scale * scales[b];
    out[o++] = er_clamp_f(v + (bias ? bias[oc] : 0.0f), d->act_min_f, d->act_max_f);
  })
}

static edgert_status dw_eval(er_op_ctx *ctx) {
  const dw_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0), *filter = er_input(ctx, 1), *bias = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  switch (in->dtype) {
  case EDGERT_FLOAT32:
    if (d->hybrid)
      dw_hybrid(d, in->data, filter->data, bias ? bias->data : NULL, out->data, ctx->scratch);
    else
      dw_f32(d, in->data, filter->data, bias ? bias->data : NULL, out->data);
    break;
  case EDGERT_INT8: dw_i8(d, in->data, filter->data, bias ? bias->data : NULL, out->data); break;
  case EDGERT_INT16: dw_i16(d, in->data, filter->data, bias, out->data); break;
  case EDGERT_UINT8: dw_u8(d, in->data, filter->data, bias ? bias->data : NULL, out->data); break;
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "unexpected input type");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_depthwise_conv_2d = {dw_prepare, dw_eval};
