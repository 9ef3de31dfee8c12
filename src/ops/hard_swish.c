/* HARD_SWISH: y = x * relu6(x + 3) / 6. float32, and int8 / uint8 exactly as TFLite's reference
 * integer path (reference/hard_swish.h): all arithmetic in 16-bit fixed point, the input moved onto a
 * 7-bit finer "hires" scale, a "reluish" factor in [0, 1] from x on the scale where 3.0 is 32768, and a
 * truncating (not rounding) doubling multiply that cancels the rounding biases of the other steps. */
#include "core/cpu.h"
#include "core/quant.h"
#include "ops/activation_common.h"
#include "ops/elementwise_f32.h"
#include "ops/elementwise_types.h"

typedef struct {
  er_f32_vunary_fn f32; /* float32: x * clamp(x + 3, 0, 6) / 6, chosen for this CPU */
  int32_t input_zero_point, output_zero_point;
  int16_t output_multiplier, reluish_multiplier;
  int output_exponent, reluish_exponent;
} hard_swish_data;

/* Rounds a Q31 multiplier to Q15, saturating (TFLite DownScaleInt32ToInt16Multiplier). */
static int16_t hard_swish_q15_multiplier(int32_t multiplier) {
  const int32_t rounding = 1 << 15;
  if (multiplier >= INT32_MAX - rounding) return INT16_MAX;
  return (int16_t)((multiplier + rounding) >> 16);
}

static edgert_status hard_swish_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_same_dtype(ctx, &in, &out);
  if (st != EDGERT_OK) return st;
  if (!er_is_float(in->dtype) && in->dtype != EDGERT_INT8 && in->dtype != EDGERT_UINT8)
    return act_unsupported_dtype(ctx, in, "float32, int8, uint8");
  hard_swish_data *d = ACT_ALLOC_OP_DATA(ctx, hard_swish_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = d;
  d->f32 = er_f32_elementwise_select(er_cpu_detect())->unary[ER_F32_VHARD_SWISH];
  if (in->dtype == EDGERT_FLOAT32) er_output_may_overwrite(ctx, 0);
  if (er_is_float(in->dtype)) return EDGERT_OK; /* float64, float16, bfloat16: ONNX models */
  if ((st = act_require_scales(ctx, in, out)) != EDGERT_OK) return st;
  d->input_zero_point = in->q.zero_point;
  d->output_zero_point = out->q.zero_point;
  /* As TFLite: the scale ratios are formed in float, then quantized. */
  const float hires_input_scale = (1.0f / 128.0f) * in->q.scale;
  const float reluish_scale = 3.0f / 32768.0f;
  int32_t multiplier;
  er_quantize_multiplier((double)(hires_input_scale / out->q.scale), &multiplier, &d->output_exponent);
  d->output_multiplier = hard_swish_q15_multiplier(multiplier);
  if (d->output_exponent > 0)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input scale %g over output scale %g is too large (>= 128)",
                   (double)in->q.scale, (double)out->q.scale);
  er_quantize_multiplier((double)(hires_input_scale / reluish_scale), &multiplier, &d->reluish_exponent);
  d->reluish_multiplier = hard_swish_q15_multiplier(multiplier);
  return EDGERT_OK;
}

/* Two's-complement narrowing to 16 bits, as the C++ reference's implicit int16_t conversions do. */
static inline int16_t wrap_i16(int32_t v) { return (int16_t)(uint16_t)(uint32_t)v; }

/* gemmlowp SaturatingRoundingDoublingHighMul on int16. */
static inline int16_t srdhm16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  int32_t ab = (int32_t)a * (int32_t)b;
  int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return wrap_i16((ab + nudge) / (1 << 15));
}

/* The same without rounding (ARM SQDMULH). */
static inline int16_t sdhm16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return wrap_i16(((int32_t)a * (int32_t)b) / (1 << 15));
}

static inline int16_t rounding_divide_by_pot16(int16_t x, int exponent) {
  return wrap_i16(er_rounding_divide_by_pot(x, exponent));
}

static inline int16_t saturating_left_shift16(int16_t value, int amount) {
  int64_t result = (int64_t)value * ((int64_t)1 << amount);
  return (int16_t)(result > INT16_MAX ? INT16_MAX : (result < INT16_MIN ? INT16_MIN : result));
}

static int32_t hard_swish_quantized(const hard_swish_data *d, int32_t q, int32_t qmin, int32_t qmax) {
  const int16_t input_value = wrap_i16(q - d->input_zero_point);
  const int16_t hires = wrap_i16(input_value * (1 << 7));
  const int16_t preshift_output_scale = srdhm16(hires, d->output_multiplier);
  int16_t reluish = hires;
  /* Shift left one bit less than needed so saturation here cannot change the result; the last bit
   * after the multiply saturates for real. */
  if (d->reluish_exponent > 0) reluish = saturating_left_shift16(reluish, d->reluish_exponent - 1);
  reluish = srdhm16(reluish, d->reluish_multiplier);
  if (d->reluish_exponent > 0) reluish = saturating_left_shift16(reluish, 1);
  if (d->reluish_exponent < 0) reluish = rounding_divide_by_pot16(reluish, -d->reluish_exponent);
  /* From [-1, 1] to [0, 1]. */
  reluish = wrap_i16((reluish + (1 << 15)) >> 1);
  const int16_t preshift_output = sdhm16(reluish, preshift_output_scale);
  int16_t output = rounding_divide_by_pot16(preshift_output, -d->output_exponent);
  output = wrap_i16(output + d->output_zero_point);
  return er_clamp_i32(output, qmin, qmax);
}

static double hard_swish_d(double x, const void *unused) {
  (void)unused;
  return x * fmin(fmax(x + 3.0, 0.0), 6.0) / 6.0;
}

static edgert_status hard_swish_eval(er_op_ctx *ctx) {
  const hard_swish_data *d = ctx->op_data;
  if (act_map_extra_float(ctx, hard_swish_d, NULL)) return EDGERT_OK;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  switch (in->dtype) {
  case EDGERT_FLOAT32: er_f32_vunary_run(ctx, d->f32, n, in->data, out->data, NULL); break;
  case EDGERT_INT8: {
    const int8_t *x = in->data;
    int8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = (int8_t)hard_swish_quantized(d, x[i], INT8_MIN, INT8_MAX);
    break;
  }
  case EDGERT_UINT8: {
    const uint8_t *x = in->data;
    uint8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = (uint8_t)hard_swish_quantized(d, x[i], 0, UINT8_MAX);
    break;
  }
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype changed after prepare");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_hard_swish = {.prepare = hard_swish_prepare, .eval = hard_swish_eval};
