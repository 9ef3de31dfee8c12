/* CONV_2D: NHWC input, OHWI filter, optional bias, fused activation. Follows TFLite's reference kernels
 * (tensorflow/lite/kernels/internal/reference/conv.h and reference/integer_ops/conv.h ConvPerChannel):
 * float32; int8 activations with int8 weights (per-tensor or per-channel scales, int32 bias, int32
 * accumulator); int16 activations with int8 weights (int64 bias, int64 accumulator, TFLite's 64-bit
 * MultiplyByQuantizedMultiplier, no zero points); uint8 activations with uint8 weights (TFLite's "v1"
 * asymmetric quantization, reference/conv.h: one filter scale and zero point, int32 bias and accumulator,
 * weight offset added to every tap). Grouped convolution is supported as TFLite does it: the input has
 * `groups` times the filter's input channels and each group of output channels reads its own slice of
 * input channels. Hybrid (float input, int8 filter, float bias; TFLite conv.cc EvalHybrid and
 * EvalHybridPerChannel): per-tensor filters quantize each batch symmetrically, per-channel ones (distinct
 * scales) asymmetrically; no groups, and no dilation with per-channel filters (TFLite ignores it there). */
#include <string.h>

#include "core/kernel.h"
#include "core/quant.h"
#include "ops/conv_common.h"
#include "ops/hybrid.h"

typedef struct {
  int64_t batches, in_h, in_w, in_c;
  int64_t filter_h, filter_w, filter_c; /* filter_c: input channels one filter reads (per group) */
  int64_t out_h, out_w, out_c;
  int64_t filters_per_group;
  int64_t stride_h, stride_w, dil_h, dil_w, pad_h, pad_w;
  float act_min_f, act_max_f;
  int32_t act_min, act_max;
  int32_t input_offset, filter_offset, output_offset; /* filter_offset: uint8 only, else 0 */
  const int32_t *multipliers, *shifts;
  /* Hybrid (float input, int8 filter): per-channel filters quantize the input asymmetrically, per-tensor
   * ones symmetrically with the filter scale folded into each batch's scale. */
  bool hybrid;
  const float *channel_scales; /* NULL: per-tensor filter */
  float filter_scale;
  er_hybrid_scratch scratch;
} conv_data;

/* Checks input/filter/output dtypes fit one of the supported paths and the bias fits it too. */
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

static edgert_status prepare_quant(er_op_ctx *ctx, conv_data *d, const er_conv_attrs *a, const er_tensor *in,
                                   const er_tensor *filter, const er_tensor *out) {
  bool is_16 = in->dtype == EDGERT_INT16;
  edgert_status st = er_conv_check_act_quant(ctx, in, "input", is_16);
  if (st == EDGERT_OK) st = er_conv_check_act_quant(ctx, out, "output", is_16);
  int32_t *mult = NULL, *shift = NULL;
  if (st == EDGERT_OK && in->dtype == EDGERT_UINT8)
    st = er_conv_uint8_filter_offset(ctx, filter, &d->filter_offset);
  if (st == EDGERT_OK) st = er_conv_multipliers(ctx, in, filter, out, 0, d->out_c, &mult, &shift);
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

/* Filters with more than one distinct channel scale take TFLite's per-channel hybrid kernel
 * (EvalHybridPerChannel); equal scales, or one, take the per-tensor one (EvalHybrid). */
static bool distinct_channel_scales(const er_tensor *filter) {
  for (int32_t c = 1; c < filter->q.channels; c++)
    if (filter->q.scales[c] != filter->q.scales[0]) return true;
  return false;
}

static edgert_status prepare_hybrid(er_op_ctx *ctx, conv_data *d, const er_tensor *filter) {
  edgert_status st = er_hybrid_check_weights(ctx, filter, "filter", true, 0, d->out_c);
  if (st != EDGERT_OK) return st;
  if (d->filters_per_group != d->out_c)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "grouped convolution is not supported with an int8 filter on "
                   "float input (TFLite has no such hybrid kernel)");
  d->hybrid = true;
  d->filter_scale = er_hybrid_weight_scale(filter);
  d->channel_scales = filter->q.channels > 1 && distinct_channel_scales(filter) ? filter->q.scales : NULL;
  /* TFLite's per-channel hybrid kernel runs with dilation 1 whatever the model says; rather than compute
   * that other function, edgert refuses it. */
  if (d->channel_scales && (d->dil_h != 1 || d->dil_w != 1))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "dilation with a per-channel int8 filter on float input is not supported (TFLite's hybrid "
                   "kernel ignores dilation)");
  if (!er_hybrid_scratch_plan(0, d->batches * d->in_h * d->in_w * d->in_c, d->batches, &d->scratch))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "hybrid scratch is too large");
  ctx->scratch_bytes = d->scratch.bytes;
  return EDGERT_OK;
}

static edgert_status conv_prepare(er_op_ctx *ctx) {
  const er_conv_attrs *a = er_attrs(ctx);
  edgert_status st = er_conv_check_attrs(ctx, a, true);
  if (st == EDGERT_OK) st = er_check_io(ctx, 2, 3, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *filter = er_input(ctx, 1), *bias = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  if ((st = er_conv_check_4d(ctx, in, "input")) != EDGERT_OK) return st;
  if ((st = er_conv_check_4d(ctx, filter, "filter")) != EDGERT_OK) return st;
  if ((st = check_types(ctx, in, filter, bias, out, filter->dims[0])) != EDGERT_OK) return st;

  conv_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->batches = in->dims[0];
  d->in_h = in->dims[1];
  d->in_w = in->dims[2];
  d->in_c = in->dims[3];
  d->out_c = filter->dims[0];
  d->filter_h = filter->dims[1];
  d->filter_w = filter->dims[2];
  d->filter_c = filter->dims[3];
  if (d->in_c % d->filter_c != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE,
                   "input channels %lld are not a multiple of filter input channels %lld", (long long)d->in_c,
                   (long long)d->filter_c);
  int64_t groups = d->in_c / d->filter_c;
  if (d->out_c % groups != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "output channels %lld do not split into %lld groups",
                   (long long)d->out_c, (long long)groups);
  d->filters_per_group = d->out_c / groups;
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

/* Offset of the first input channel the filters of output channel `oc` read at (b, y, x). */
static inline int64_t input_at(const conv_data *d, int64_t b, int64_t y, int64_t x, int64_t oc) {
  return ((b * d->in_h + y) * d->in_w + x) * d->in_c + (oc / d->filters_per_group) * d->filter_c;
}

static inline int64_t filter_at(const conv_data *d, int64_t oc, int64_t fy, int64_t fx) {
  return ((oc * d->filter_h + fy) * d->filter_w + fx) * d->filter_c;
}

/* The loops over output pixels and filter taps are the same for every dtype; only the multiply-accumulate
 * and the output conversion differ. Zero padding is done by skipping taps outside the image. */
#define CONV_LOOPS(ACC_T, INIT, MAC, STORE)                                                                  \
  for (int64_t b = 0; b < d->batches; b++)                                                                   \
    for (int64_t oy = 0; oy < d->out_h; oy++)                                                                \
      for (int64_t ox = 0; ox < d->out_w; ox++)                                                              \
        for (int64_t oc = 0; oc < d->out_c; oc++) {                                                          \
          ACC_T acc = INIT;                                                                                  \
          for (int64_t fy = 0; fy < d->filter_h; fy++) {                                                     \
            int64_t iy = oy * d->stride_h - d->pad_h + fy * d->dil_h;                                        \
            if (iy < 0 || iy >= d->in_h) continue;                                                           \
            for (int64_t fx = 0; fx < d->filter_w; fx++) {                                                   \
              int64_t ix = ox * d->stride_w - d->pad_w + fx * d->dil_w;                                      \
              if (ix < 0 || ix >= d->in_w) continue;                                                         \
              const int64_t ip = input_at(d, b, iy, ix, oc), fp = filter_at(d, oc, fy, fx);                  \
              for (int64_t ic = 0; ic < d->filter_c; ic++)                                                   \
                MAC;                                                                                         \
            }                                                                                                \
          }                                                                                                  \
          STORE;                                                                                             \
        }

static void conv_f32(const conv_data *d, const float *in, const float *filter, const float *bias,
                     float *out) {
  int64_t o = 0;
  CONV_LOOPS(float, 0.0f, acc += in[ip + ic] * filter[fp + ic],
             out[o++] = er_clamp_f(acc + (bias ? bias[oc] : 0.0f), d->act_min_f, d->act_max_f))
}

static void conv_i8(const conv_data *d, const int8_t *in, const int8_t *filter, const int32_t *bias,
                    int8_t *out) {
  int64_t o = 0;
  /* int64 sum, reduced mod 2^32 below: the same bits as TFLite's wrapping int32 accumulator. */
  CONV_LOOPS(int64_t, 0, acc += (int32_t)filter[fp + ic] * ((int32_t)in[ip + ic] + d->input_offset),
             out[o++] =
                 (int8_t)er_requantize_i32(er_wrap_i32(acc + (bias ? bias[oc] : 0)), d->multipliers[oc],
                                           d->shifts[oc], d->output_offset, d->act_min, d->act_max))
}

/* uint8 (reference/conv.h): both operands are offset by their zero points before multiplying. */
static void conv_u8(const conv_data *d, const uint8_t *in, const uint8_t *filter, const int32_t *bias,
                    uint8_t *out) {
  int64_t o = 0;
  CONV_LOOPS(int64_t, 0,
             acc += ((int32_t)filter[fp + ic] + d->filter_offset) * ((int32_t)in[ip + ic] + d->input_offset),
             out[o++] =
                 (uint8_t)er_requantize_i32(er_wrap_i32(acc + (bias ? bias[oc] : 0)), d->multipliers[oc],
                                            d->shifts[oc], d->output_offset, d->act_min, d->act_max))
}

static void conv_i16(const conv_data *d, const int16_t *in, const int8_t *filter, const er_tensor *bias,
                     int16_t *out) {
  int64_t o = 0;
  CONV_LOOPS(int64_t, 0, acc += (int32_t)filter[fp + ic] * (int32_t)in[ip + ic],
             out[o++] = (int16_t)er_clamp_i32(
                 er_multiply_by_quantized_multiplier_64(er_add_wrap_i64(acc, er_conv_bias_at(bias, oc)),
                                                        d->multipliers[oc], d->shifts[oc]),
                 d->act_min, d->act_max))
}

/* Hybrid, per-tensor filter (TFLite EvalHybrid, optimized_ops::HybridConv): each batch symmetrically
 * quantized, scale times filter scale; out = acc * scale + bias, clamped. Padding taps are skipped, as
 * TFLite's im2col fills them with the zero that symmetric quantization maps 0.0 to. */
static void conv_hybrid_per_tensor(const conv_data *d, const int8_t *in, const int8_t *filter,
                                   const float *scales, const float *bias, float *out) {
  int64_t o = 0;
  CONV_LOOPS(int64_t, 0, acc += (int32_t)filter[fp + ic] * (int32_t)in[ip + ic],
             out[o++] = er_clamp_f((float)er_wrap_i32(acc) * scales[b] + (bias ? bias[oc] : 0.0f),
                                   d->act_min_f, d->act_max_f))
}

/* Hybrid, per-channel filter (TFLite EvalHybridPerChannel, reference_ops::HybridConvPerChannel): each
 * batch asymmetrically quantized; taps inside the image add filter * (q - zero point); out = acc * channel
 * scale * batch scale + bias, clamped. */
static void conv_hybrid_per_channel(const conv_data *d, const int8_t *in, const int8_t *filter,
                                    const float *scales, const int32_t *zero_points, const float *bias,
                                    float *out) {
  int64_t o = 0;
  CONV_LOOPS(int64_t, 0, acc += (int32_t)filter[fp + ic] * ((int32_t)in[ip + ic] - zero_points[b]),
             out[o++] = er_clamp_f((float)er_wrap_i32(acc) * d->channel_scales[oc] * scales[b] +
                                       (bias ? bias[oc] : 0.0f),
                                   d->act_min_f, d->act_max_f))
}

static void conv_hybrid(const conv_data *d, const float *in, const int8_t *filter, const float *bias,
                        float *out, unsigned char *scratch) {
  int8_t *q = (int8_t *)(scratch + d->scratch.q_offset);
  float *scales = (float *)(void *)(scratch + d->scratch.scales_offset);
  int32_t *zero_points = (int32_t *)(void *)(scratch + d->scratch.zero_points_offset);
  const bool per_channel = d->channel_scales != NULL;
  er_hybrid_quantize_rows(in, d->batches, d->in_h * d->in_w * d->in_c, per_channel, q, scales, zero_points);
  if (per_channel) {
    conv_hybrid_per_channel(d, q, filter, scales, zero_points, bias, out);
    return;
  }
  for (int64_t b = 0; b < d->batches; b++)
    scales[b] *= d->filter_scale;
  conv_hybrid_per_tensor(d, q, filter, scales, bias, out);
}

static edgert_status conv_eval(er_op_ctx *ctx) {
  const conv_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0), *filter = er_input(ctx, 1), *bias = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  switch (in->dtype) {
  case EDGERT_FLOAT32:
    if (d->hybrid)
      conv_hybrid(d, in->data, filter->data, bias ? bias->data : NULL, out->data, ctx->scratch);
    else
      conv_f32(d, in->data, filter->data, bias ? bias->data : NULL, out->data);
    break;
  case EDGERT_INT8: conv_i8(d, in->data, filter->data, bias ? bias->data : NULL, out->data); break;
  case EDGERT_INT16: conv_i16(d, in->data, filter->data, bias, out->data); break;
  case EDGERT_UINT8: conv_u8(d, in->data, filter->data, bias ? bias->data : NULL, out->data); break;
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "unexpected input type");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_conv_2d = {conv_prepare, conv_eval};
