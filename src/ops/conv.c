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
#include "core/kernel.h"
#include "core/quant.h"
#include "ops/conv_common.h"
#include "ops/hybrid.h"

typedef struct {
  er_conv_geometry g;
  int64_t filter_c; /* input channels one filter reads (per group) */
  int64_t filters_per_group;
  float act_min_f, act_max_f;
  er_conv_quant q;
  /* Hybrid (float input, int8 filter): per-channel filters quantize the input asymmetrically, per-tensor
   * ones symmetrically with the filter scale folded into each batch's scale. */
  bool hybrid;
  const float *channel_scales; /* NULL: per-tensor filter */
  float filter_scale;
  er_hybrid_scratch scratch;
} conv_data;

/* Filters with more than one distinct channel scale take TFLite's per-channel hybrid kernel
 * (EvalHybridPerChannel); equal scales, or one, take the per-tensor one (EvalHybrid). */
static bool distinct_channel_scales(const er_tensor *filter) {
  for (int32_t c = 1; c < filter->q.channels; c++)
    if (filter->q.scales[c] != filter->q.scales[0]) return true;
  return false;
}

static edgert_status prepare_hybrid(er_op_ctx *ctx, conv_data *d, const er_tensor *filter) {
  edgert_status st = er_hybrid_check_weights(ctx, filter, "filter", true, 0, d->g.out_c);
  if (st != EDGERT_OK) return st;
  if (d->filters_per_group != d->g.out_c)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "grouped convolution is not supported with an int8 filter on "
                   "float input (TFLite has no such hybrid kernel)");
  d->hybrid = true;
  d->filter_scale = er_hybrid_weight_scale(filter);
  d->channel_scales = filter->q.channels > 1 && distinct_channel_scales(filter) ? filter->q.scales : NULL;
  /* TFLite's per-channel hybrid kernel runs with dilation 1 whatever the model says; rather than compute
   * that other function, edgert refuses it. */
  if (d->channel_scales && (d->g.dil_h != 1 || d->g.dil_w != 1))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "dilation with a per-channel int8 filter on float input is not supported (TFLite's hybrid "
                   "kernel ignores dilation)");
  return er_hybrid_prepare_scratch(ctx, d->g.batches * d->g.in_h * d->g.in_w * d->g.in_c, d->g.batches,
                                   &d->scratch);
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
  st = er_conv_check_types(ctx, in, filter, bias, out, filter->dims[0], "filter", ER_CONV_HYBRID);
  if (st != EDGERT_OK) return st;

  conv_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  const int64_t in_c = in->dims[3], out_c = filter->dims[0];
  d->filter_c = filter->dims[3];
  if (in_c % d->filter_c != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE,
                   "input channels %lld are not a multiple of filter input channels %lld", (long long)in_c,
                   (long long)d->filter_c);
  int64_t groups = in_c / d->filter_c;
  if (out_c % groups != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "output channels %lld do not split into %lld groups",
                   (long long)out_c, (long long)groups);
  d->filters_per_group = out_c / groups;
  if ((st = er_conv_plan_2d(ctx, a, in, filter->dims[1], filter->dims[2], out_c, out, &d->g)) != EDGERT_OK)
    return st;

  er_activation_range_float(a->activation, &d->act_min_f, &d->act_max_f);
  if (in->dtype == EDGERT_FLOAT32 && filter->dtype == EDGERT_INT8 &&
      (st = prepare_hybrid(ctx, d, filter)) != EDGERT_OK)
    return st;
  if (in->dtype != EDGERT_FLOAT32 &&
      (st = er_conv_prepare_quant(ctx, &d->q, a->activation, in, filter, out, 0, d->g.out_c)) != EDGERT_OK)
    return st;
  ctx->op_data = d;
  return EDGERT_OK;
}

/* Offset of the first input channel the filters of output channel `oc` read at (b, y, x). */
static inline int64_t input_at(const conv_data *d, int64_t b, int64_t y, int64_t x, int64_t oc) {
  return ((b * d->g.in_h + y) * d->g.in_w + x) * d->g.in_c + (oc / d->filters_per_group) * d->filter_c;
}

static inline int64_t filter_at(const conv_data *d, int64_t oc, int64_t fy, int64_t fx) {
  return ((oc * d->g.filter_h + fy) * d->g.filter_w + fx) * d->filter_c;
}

/* The loops over output pixels and filter taps are the same for every dtype; only the multiply-accumulate
 * and the output conversion differ. Zero padding is done by skipping taps outside the image. */
#define CONV_LOOPS(ACC_T, INIT, MAC, STORE)                                                                  \
  for (int64_t b = 0; b < d->g.batches; b++)                                                                 \
    for (int64_t oy = 0; oy < d->g.out_h; oy++)                                                              \
      for (int64_t ox = 0; ox < d->g.out_w; ox++)                                                            \
        for (int64_t oc = 0; oc < d->g.out_c; oc++) {                                                        \
          ACC_T acc = INIT;                                                                                  \
          for (int64_t fy = 0; fy < d->g.filter_h; fy++) {                                                   \
            int64_t iy = oy * d->g.stride_h - d->g.pad_h + fy * d->g.dil_h;                                  \
            if (iy < 0 || iy >= d->g.in_h) continue;                                                         \
            for (int64_t fx = 0; fx < d->g.filter_w; fx++) {                                                 \
              int64_t ix = ox * d->g.stride_w - d->g.pad_w + fx * d->g.dil_w;                                \
              if (ix < 0 || ix >= d->g.in_w) continue;                                                       \
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
  CONV_LOOPS(int64_t, 0, acc += (int32_t)filter[fp + ic] * ((int32_t)in[ip + ic] + d->q.input_offset),
             out[o++] = (int8_t)er_conv_output_i32(&d->q, acc + (bias ? bias[oc] : 0), oc))
}

/* uint8 (reference/conv.h): both operands are offset by their zero points before multiplying. */
static void conv_u8(const conv_data *d, const uint8_t *in, const uint8_t *filter, const int32_t *bias,
                    uint8_t *out) {
  int64_t o = 0;
  CONV_LOOPS(int64_t, 0,
             acc +=
             ((int32_t)filter[fp + ic] + d->q.filter_offset) * ((int32_t)in[ip + ic] + d->q.input_offset),
             out[o++] = (uint8_t)er_conv_output_i32(&d->q, acc + (bias ? bias[oc] : 0), oc))
}

static void conv_i16(const conv_data *d, const int16_t *in, const int8_t *filter, const er_tensor *bias,
                     int16_t *out) {
  int64_t o = 0;
  CONV_LOOPS(int64_t, 0, acc += (int32_t)filter[fp + ic] * (int32_t)in[ip + ic],
             out[o++] =
                 (int16_t)er_conv_output_i64(&d->q, er_add_wrap_i64(acc, er_conv_bias_at(bias, oc)), oc))
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
  er_hybrid_buffers buf = er_hybrid_buffers_at(&d->scratch, scratch);
  const bool per_channel = d->channel_scales != NULL;
  er_hybrid_quantize_rows(in, d->g.batches, d->g.in_h * d->g.in_w * d->g.in_c, per_channel, buf.q, buf.scales,
                          buf.zero_points);
  if (per_channel) {
    conv_hybrid_per_channel(d, buf.q, filter, buf.scales, buf.zero_points, bias, out);
    return;
  }
  for (int64_t b = 0; b < d->g.batches; b++)
    buf.scales[b] *= d->filter_scale;
  conv_hybrid_per_tensor(d, buf.q, filter, buf.scales, bias, out);
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
