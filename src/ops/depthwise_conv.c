/* DEPTHWISE_CONV_2D: each input channel is convolved with its own depth_multiplier filters; NHWC input,
 * filter 1HW(C*M) where output channel ic * M + m reads input channel ic. Follows TFLite's reference
 * kernels (reference/depthwiseconv_float.h and reference/integer_ops/depthwise_conv.h
 * DepthwiseConvPerChannel): float32; int8 with int8 weights (per-tensor or per-channel scales on axis 3,
 * int32 bias); int16 with int8 weights (int64 bias and accumulator, no zero points); uint8 with uint8
 * weights (reference/depthwiseconv_uint8.h: one filter scale and zero point, int32 bias, the weight offset
 * added to every tap). The multiplier is taken from the channel counts (filter channels / input channels),
 * as TFLite does when a converter left the attribute inconsistent. Hybrid (float input, int8 filter,
 * float bias; TFLite depthwise_conv.cc EvalHybridPerChannel): each batch quantized asymmetrically, sums
 * scaled by channel scale times batch scale (a per-tensor filter's one scale serves every channel).
 * int8 (int8 weights) and float run the micro-kernels of depthwise_conv_nhwc.h instead, chosen from the
 * CPU's features at prepare, with the output rows split across threads; the kernels below stay the
 * reference they are tested against. */
#include "core/kernel.h"
#include "core/quant.h"
#include "ops/conv_common.h"
#include "ops/depthwise_conv_nhwc.h"
#include "ops/hybrid.h"

typedef struct {
  er_conv_geometry g;
  int64_t multiplier; /* output channels per input channel */
  float act_min_f, act_max_f;
  er_conv_quant q;
  /* Hybrid (float input, int8 filter): input quantized asymmetrically per batch; per-channel scales (or
   * the one per-tensor scale for every channel). */
  bool hybrid;
  const float *channel_scales; /* NULL: per-tensor filter_scale */
  float filter_scale;
  er_hybrid_scratch scratch;
  /* Micro-kernels; NULL where the reference kernel runs. */
  er_qs8_dwconv_fn qs8;
  er_f32_dwconv_fn f32;
} dw_data;

static edgert_status prepare_hybrid(er_op_ctx *ctx, dw_data *d, const er_tensor *filter) {
  edgert_status st = er_hybrid_check_weights(ctx, filter, "filter", true, 3, d->g.out_c);
  if (st != EDGERT_OK) return st;
  d->hybrid = true;
  d->channel_scales = filter->q.channels > 1 ? filter->q.scales : NULL;
  d->filter_scale = er_hybrid_weight_scale(filter);
  return er_hybrid_prepare_scratch(ctx, d->g.batches * d->g.in_h * d->g.in_w * d->g.in_c, d->g.batches,
                                   &d->scratch);
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
  st = er_conv_check_types(ctx, in, filter, bias, out, filter->dims[3], "filter", ER_CONV_HYBRID);
  if (st != EDGERT_OK) return st;

  dw_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  const int64_t in_c = in->dims[3], out_c = filter->dims[3];
  if (out_c % in_c != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "filter channels %lld are not a multiple of input channels %lld",
                   (long long)out_c, (long long)in_c);
  d->multiplier = out_c / in_c;
  if ((st = er_conv_plan_2d(ctx, a, in, filter->dims[1], filter->dims[2], out_c, out, &d->g)) != EDGERT_OK)
    return st;

  er_activation_range_float(a->activation, &d->act_min_f, &d->act_max_f);
  if (in->dtype == EDGERT_FLOAT32 && filter->dtype == EDGERT_INT8 &&
      (st = prepare_hybrid(ctx, d, filter)) != EDGERT_OK)
    return st;
  if (in->dtype != EDGERT_FLOAT32 &&
      (st = er_conv_prepare_quant(ctx, &d->q, a->activation, in, filter, out, 3, d->g.out_c)) != EDGERT_OK)
    return st;
  if (!d->hybrid) {
    if (in->dtype == EDGERT_INT8) d->qs8 = er_qs8_dwconv_nhwc_select();
    if (in->dtype == EDGERT_FLOAT32) d->f32 = er_f32_dwconv_nhwc_select();
  }
  ctx->op_data = d;
  return EDGERT_OK;
}

/* Output pixels and channels in NHWC order; for each, the filter taps inside the image (padding is
 * skipped, i.e. zero). Input channel of output channel oc is oc / multiplier. */
#define DW_LOOPS(ACC_T, MAC, STORE)                                                                          \
  for (int64_t b = 0; b < d->g.batches; b++)                                                                 \
    for (int64_t oy = 0; oy < d->g.out_h; oy++)                                                              \
      for (int64_t ox = 0; ox < d->g.out_w; ox++)                                                            \
        for (int64_t oc = 0; oc < d->g.out_c; oc++) {                                                        \
          const int64_t ic = oc / d->multiplier;                                                             \
          ACC_T acc = 0;                                                                                     \
          for (int64_t fy = 0; fy < d->g.filter_h; fy++) {                                                   \
            int64_t iy = oy * d->g.stride_h - d->g.pad_h + fy * d->g.dil_h;                                  \
            if (iy < 0 || iy >= d->g.in_h) continue;                                                         \
            for (int64_t fx = 0; fx < d->g.filter_w; fx++) {                                                 \
              int64_t ix = ox * d->g.stride_w - d->g.pad_w + fx * d->g.dil_w;                                \
              if (ix < 0 || ix >= d->g.in_w) continue;                                                       \
              const int64_t ip = ((b * d->g.in_h + iy) * d->g.in_w + ix) * d->g.in_c + ic;                   \
              const int64_t fp = (fy * d->g.filter_w + fx) * d->g.out_c + oc;                                \
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
  DW_LOOPS(int64_t, acc += (int32_t)filter[fp] * ((int32_t)in[ip] + d->q.input_offset),
           out[o++] = (int8_t)er_conv_output_i32(&d->q, acc + (bias ? bias[oc] : 0), oc))
}

/* uint8: TFLite's DepthwiseConvBasicKernel; its output rounding is MultiplyByQuantizedMultiplier. */
static void dw_u8(const dw_data *d, const uint8_t *in, const uint8_t *filter, const int32_t *bias,
                  uint8_t *out) {
  int64_t o = 0;
  DW_LOOPS(int64_t, acc += ((int32_t)filter[fp] + d->q.filter_offset) * ((int32_t)in[ip] + d->q.input_offset),
           out[o++] = (uint8_t)er_conv_output_i32(&d->q, acc + (bias ? bias[oc] : 0), oc))
}

static void dw_i16(const dw_data *d, const int16_t *in, const int8_t *filter, const er_tensor *bias,
                   int16_t *out) {
  int64_t o = 0;
  DW_LOOPS(int64_t, acc += (int32_t)filter[fp] * (int32_t)in[ip],
           out[o++] = (int16_t)er_conv_output_i64(&d->q, er_add_wrap_i64(acc, er_conv_bias_at(bias, oc)), oc))
}

/* Hybrid (TFLite EvalHybridPerChannel, reference_integer_ops::DepthwiseConvHybridPerChannel): each batch
 * quantized asymmetrically; taps inside the image add filter * (q - zero point); the sum is scaled by
 * channel scale * batch scale, the bias added, then clamped. */
static void dw_hybrid(const dw_data *d, const float *in, const int8_t *filter, const float *bias, float *out,
                      unsigned char *scratch) {
  er_hybrid_buffers buf = er_hybrid_buffers_at(&d->scratch, scratch);
  er_hybrid_quantize_rows(in, d->g.batches, d->g.in_h * d->g.in_w * d->g.in_c, true, buf.q, buf.scales,
                          buf.zero_points);
  int64_t o = 0;
  DW_LOOPS(int64_t, acc += (int32_t)filter[fp] * ((int32_t)buf.q[ip] - buf.zero_points[b]), {
    float channel_scale = d->channel_scales ? d->channel_scales[oc] : d->filter_scale;
    float v = (float)er_wrap_i32(acc);
    v *= channel_scale * buf.scales[b];
    out[o++] = er_clamp_f(v + (bias ? bias[oc] : 0.0f), d->act_min_f, d->act_max_f);
  })
}

/* Rows per task: enough multiply-adds that a task outweighs its dispatch. */
static int64_t rows_per_task(const er_conv_geometry *g) {
  const int64_t row_work = g->out_w * g->out_c * g->filter_h * g->filter_w;
  return row_work >= 16384 ? 1 : 16384 / (row_work > 0 ? row_work : 1);
}

typedef struct {
  er_qs8_dwconv_fn fn;
  er_qs8_dwconv_args args;
} qs8_task;

static void qs8_rows(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  const qs8_task *t = arg;
  t->fn(&t->args, begin, end);
}

static void dw_qs8(er_op_ctx *ctx, const dw_data *d, const int8_t *in, const int8_t *filter,
                   const int32_t *bias, int8_t *out) {
  qs8_task t = {d->qs8,
                {d->g, d->q.input_offset, d->q.output_offset, d->q.act_min, d->q.act_max, d->q.multipliers,
                 d->q.shifts, in, filter, bias, out}};
  er_parallel_for(ctx, d->g.batches * d->g.out_h, rows_per_task(&d->g), qs8_rows, &t);
}

typedef struct {
  er_f32_dwconv_fn fn;
  er_f32_dwconv_args args;
} f32_task;

static void f32_rows(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  const f32_task *t = arg;
  t->fn(&t->args, begin, end);
}

static void dw_f32_fast(er_op_ctx *ctx, const dw_data *d, const float *in, const float *filter,
                        const float *bias, float *out) {
  f32_task t = {d->f32, {d->g, d->act_min_f, d->act_max_f, in, filter, bias, out}};
  er_parallel_for(ctx, d->g.batches * d->g.out_h, rows_per_task(&d->g), f32_rows, &t);
}

static edgert_status dw_eval(er_op_ctx *ctx) {
  const dw_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0), *filter = er_input(ctx, 1), *bias = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  switch (in->dtype) {
  case EDGERT_FLOAT32:
    if (d->hybrid)
      dw_hybrid(d, in->data, filter->data, bias ? bias->data : NULL, out->data, ctx->scratch);
    else if (d->f32)
      dw_f32_fast(ctx, d, in->data, filter->data, bias ? bias->data : NULL, out->data);
    else
      dw_f32(d, in->data, filter->data, bias ? bias->data : NULL, out->data);
    break;
  case EDGERT_INT8:
    if (d->qs8)
      dw_qs8(ctx, d, in->data, filter->data, bias ? bias->data : NULL, out->data);
    else
      dw_i8(d, in->data, filter->data, bias ? bias->data : NULL, out->data);
    break;
  case EDGERT_INT16: dw_i16(d, in->data, filter->data, bias, out->data); break;
  case EDGERT_UINT8: dw_u8(d, in->data, filter->data, bias ? bias->data : NULL, out->data); break;
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "unexpected input type");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_depthwise_conv_2d = {.prepare = dw_prepare, .eval = dw_eval};
