/* Clamping activations RELU, RELU6 and RELU_N1_TO_1 (float32; int8, uint8 and int16 requantized from the
 * input's scale to the output's as TFLite's QuantizedReluX does), and the smooth activations ELU (float32,
 * int8) and GELU (float32, int8, uint8). The 8-bit smooth activations look each input byte up in a
 * 256-entry table that prepare fills from the float function exactly as TFLite does (activations.cc
 * PopulateLookupTable, gelu.cc LUTPopulate). LEAKY_RELU, PRELU and HARD_SWISH live in their own files. */
#include <math.h>

#include "core/cpu.h"
#include "core/quant.h"
#include "ops/activation_common.h"
#include "ops/elementwise_f32.h"
#include "ops/elementwise_types.h"

typedef struct {
  float min, max;             /* float clamp range */
  er_f32_vunary_fn f32_clamp; /* float32: the vectorized clamp chosen for this CPU */
  er_f32_elementwise_params f32_params;
  int32_t output_multiplier;
  int output_shift;
  int32_t input_zero_point, output_zero_point;
  int32_t quantized_min, quantized_max;
} relu_data;

/* TFLite rounds the clamp bounds onto the output grid with roundf and clips them to the dtype range. */
static void relu_quantized_range(relu_data *d, const er_tensor *out) {
  int32_t qmin, qmax;
  er_dtype_range(out->dtype, &qmin, &qmax);
  float lo = roundf(d->min / out->q.scale) + (float)out->q.zero_point;
  d->quantized_min = lo > (float)qmin ? (int32_t)lo : qmin;
  if (isinf(d->max)) {
    d->quantized_max = qmax;
  } else {
    float hi = roundf(d->max / out->q.scale) + (float)out->q.zero_point;
    d->quantized_max = hi < (float)qmax ? (int32_t)hi : qmax;
  }
}

static edgert_status relu_prepare_range(er_op_ctx *ctx, float min, float max) {
  er_tensor *in, *out;
  edgert_status st = act_unary_same_dtype(ctx, &in, &out);
  if (st != EDGERT_OK) return st;
  relu_data *d = ACT_ALLOC_OP_DATA(ctx, relu_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->min = min;
  d->max = max;
  d->f32_clamp = er_f32_elementwise_select(er_cpu_detect())->unary[ER_F32_VCLAMP];
  d->f32_params.min = min;
  d->f32_params.max = max;
  ctx->op_data = d;
  switch (in->dtype) {
  case EDGERT_FLOAT32: er_output_may_overwrite(ctx, 0); return EDGERT_OK;
  case EDGERT_FLOAT64:
  case EDGERT_FLOAT16:
  case EDGERT_BFLOAT16: return EDGERT_OK;
  case EDGERT_INT8:
  case EDGERT_UINT8:
  case EDGERT_INT16: break;
  default: return act_unsupported_dtype(ctx, in, "float32, int8, uint8, int16");
  }
  if ((st = act_require_scales(ctx, in, out)) != EDGERT_OK) return st;
  er_quantize_multiplier((double)in->q.scale / (double)out->q.scale, &d->output_multiplier, &d->output_shift);
  d->input_zero_point = in->q.zero_point;
  d->output_zero_point = out->q.zero_point;
  relu_quantized_range(d, out);
  return EDGERT_OK;
}

static edgert_status relu_prepare(er_op_ctx *ctx) { return relu_prepare_range(ctx, 0.0f, INFINITY); }
static edgert_status relu6_prepare(er_op_ctx *ctx) { return relu_prepare_range(ctx, 0.0f, 6.0f); }
static edgert_status relu_n1_to_1_prepare(er_op_ctx *ctx) { return relu_prepare_range(ctx, -1.0f, 1.0f); }

static inline int32_t relu_requantize(const relu_data *d, int32_t q) {
  int32_t v = d->output_zero_point + er_multiply_by_quantized_multiplier(
                                         q - d->input_zero_point, d->output_multiplier, d->output_shift);
  return er_clamp_i32(v, d->quantized_min, d->quantized_max);
}

static double relu_d(double x, const void *arg) {
  const relu_data *d = arg;
  const double v = x < d->min ? d->min : x;
  return v > d->max ? d->max : v;
}

static edgert_status relu_eval(er_op_ctx *ctx) {
  const relu_data *d = ctx->op_data;
  if (act_map_extra_float(ctx, relu_d, d)) return EDGERT_OK;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  switch (in->dtype) {
  case EDGERT_FLOAT32: er_f32_vunary_run(ctx, d->f32_clamp, n, in->data, out->data, &d->f32_params); break;
  case EDGERT_INT8: {
    const int8_t *x = in->data;
    int8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = (int8_t)relu_requantize(d, x[i]);
    break;
  }
  case EDGERT_UINT8: {
    const uint8_t *x = in->data;
    uint8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = (uint8_t)relu_requantize(d, x[i]);
    break;
  }
  case EDGERT_INT16: {
    const int16_t *x = in->data;
    int16_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = (int16_t)relu_requantize(d, x[i]);
    break;
  }
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype changed after prepare");
  }
  return EDGERT_OK;
}

/* --- ELU and GELU --- */

typedef float (*activation_fn)(float);

/* The 8-bit path: output byte = table[input byte]. */
typedef struct {
  uint8_t table[256];
} lut8_data;

/* TFLite's table for an 8-bit activation (PopulateLookupTable, LUTPopulateInt8): each input level is
 * dequantized in float, mapped through fn, divided onto the output grid by multiplying with the float
 * reciprocal of its scale, rounded half away from zero, shifted by the zero point and clamped. The
 * index is the input's raw byte, so int8 -1 sits at 255. */
static void lut8_populate(activation_fn fn, const er_tensor *in, const er_tensor *out, uint8_t table[256]) {
  int32_t qmin, qmax;
  er_dtype_range(in->dtype, &qmin, &qmax);
  const float inverse_scale = 1.0f / out->q.scale;
  for (int32_t v = qmin; v <= qmax; v++) {
    const float dequantized = in->q.scale * (float)(v - in->q.zero_point);
    const float shifted = roundf(fn(dequantized) * inverse_scale) + (float)out->q.zero_point;
    /* Clamped in float first: the same result as TFLite's int conversion for every finite in-range
     * value, without its undefined conversion of out-of-range floats. */
    int32_t q = !(shifted > (float)qmin) ? qmin : (shifted >= (float)qmax ? qmax : (int32_t)shifted);
    table[v & 0xFF] = (uint8_t)q;
  }
}

/* One input, one output of the same dtype: float32, or int8 (and uint8 where allowed) with a table built
 * from fn. */
static edgert_status smooth_prepare(er_op_ctx *ctx, activation_fn fn, bool uint8_ok) {
  er_tensor *in, *out;
  edgert_status st = act_unary_same_dtype(ctx, &in, &out);
  if (st != EDGERT_OK) return st;
  if (er_is_float(in->dtype)) return EDGERT_OK;
  if (in->dtype != EDGERT_INT8 && !(uint8_ok && in->dtype == EDGERT_UINT8))
    return act_unsupported_dtype(ctx, in, uint8_ok ? "float32, int8, uint8" : "float32, int8");
  if ((st = act_require_scales(ctx, in, out)) != EDGERT_OK) return st;
  lut8_data *d = ACT_ALLOC_OP_DATA(ctx, lut8_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  lut8_populate(fn, in, out, d->table);
  ctx->op_data = d;
  return EDGERT_OK;
}

static void lut8_eval(const lut8_data *d, const er_tensor *in, er_tensor *out) {
  const uint8_t *x = in->data;
  uint8_t *y = out->data;
  int64_t n = er_tensor_elements(in);
  for (int64_t i = 0; i < n; i++)
    y[i] = d->table[x[i]];
}

/* TFLite's table function for ELU: exp(x) - 1 in float, not expm1, so the table matches bit for bit. */
static float elu_table_fn(float x) { return x < 0.0f ? expf(x) - 1.0f : x; }

/* ONNX models give ELU an alpha (er_unary_params_attrs; TFLite's ELU has none and means alpha 1); only
 * float32 takes one other than 1. */
static float elu_alpha(const er_op_ctx *ctx) {
  const er_unary_params_attrs *attrs = er_attrs(ctx);
  return attrs ? attrs->alpha : 1.0f;
}

static edgert_status elu_prepare(er_op_ctx *ctx) {
  edgert_status st = smooth_prepare(ctx, elu_table_fn, false);
  if (st == EDGERT_OK && elu_alpha(ctx) != 1.0f && !er_is_float(er_input(ctx, 0)->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "alpha other than 1 needs a float dtype");
  return st;
}

static double elu_d(double x, const void *alpha) { return x < 0 ? *(const float *)alpha * expm1(x) : x; }

static edgert_status elu_eval(er_op_ctx *ctx) {
  const float alpha = elu_alpha(ctx);
  if (act_map_extra_float(ctx, elu_d, &alpha)) return EDGERT_OK;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != EDGERT_FLOAT32) {
    lut8_eval(ctx->op_data, in, out);
    return EDGERT_OK;
  }
  const float *x = in->data;
  float *y = out->data;
  int64_t n = er_tensor_elements(in);
  if (alpha == 1.0f) {
    for (int64_t i = 0; i < n; i++)
      y[i] = x[i] < 0.0f ? expm1f(x[i]) : x[i];
  } else {
    for (int64_t i = 0; i < n; i++)
      y[i] = x[i] < 0.0f ? alpha * expm1f(x[i]) : x[i];
  }
  return EDGERT_OK;
}

/* sqrt(2 / pi), as TFLite's kSqrt2dPi. */
static const float gelu_sqrt_2_over_pi = 0.7978845608028654f;
static const float gelu_sqrt_half = 0.7071067811865476f;

/* reference_ops::GeluTransform and GeluTransformApproximate, the functions TFLite's tables sample; the
 * float kernel below evaluates the same expressions. The exact form is written with erfc because
 * 0.5 x (1 + erf(x / sqrt 2)) loses all precision for large negative x. */
static float gelu_exact(float x) { return 0.5f * x * erfcf(x * -gelu_sqrt_half); }
static float gelu_approximate(float x) {
  return 0.5f * x * (1.0f + tanhf(gelu_sqrt_2_over_pi * (x + 0.044715f * x * x * x)));
}

static bool gelu_is_approximate(const er_op_ctx *ctx) {
  const er_gelu_attrs *attrs = er_attrs(ctx);
  return attrs ? attrs->approximate : false;
}

static edgert_status gelu_prepare(er_op_ctx *ctx) {
  return smooth_prepare(ctx, gelu_is_approximate(ctx) ? gelu_approximate : gelu_exact, true);
}

static double gelu_d(double x, const void *approximate) {
  if (*(const bool *)approximate)
    return 0.5 * x * (1.0 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
  return 0.5 * x * erfc(x * -0.7071067811865476);
}

static edgert_status gelu_eval(er_op_ctx *ctx) {
  const bool approximate = gelu_is_approximate(ctx);
  if (act_map_extra_float(ctx, gelu_d, &approximate)) return EDGERT_OK;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != EDGERT_FLOAT32) {
    lut8_eval(ctx->op_data, in, out);
    return EDGERT_OK;
  }
  activation_fn fn = approximate ? gelu_approximate : gelu_exact;
  const float *x = in->data;
  float *y = out->data;
  int64_t n = er_tensor_elements(in);
  for (int64_t i = 0; i < n; i++)
    y[i] = fn(x[i]);
  return EDGERT_OK;
}

const er_kernel er_kernel_relu = {.prepare = relu_prepare, .eval = relu_eval};
const er_kernel er_kernel_relu6 = {.prepare = relu6_prepare, .eval = relu_eval};
const er_kernel er_kernel_relu_n1_to_1 = {.prepare = relu_n1_to_1_prepare, .eval = relu_eval};
const er_kernel er_kernel_elu = {.prepare = elu_prepare, .eval = elu_eval};
const er_kernel er_kernel_gelu = {.prepare = gelu_prepare, .eval = gelu_eval};
