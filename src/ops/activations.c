/* Clamping activations RELU, RELU6 and RELU_N1_TO_1 (float32; int8, uint8 and int16 requantized from the
 * input's scale to the output's as TFLite's QuantizedReluX does), and the smooth activations ELU and
 * GELU (float32). LEAKY_RELU, PRELU and HARD_SWISH live in their own files. */
#include <math.h>

#include "core/quant.h"
#include "ops/activation_common.h"

typedef struct {
  float min, max; /* float clamp range */
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
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st == EDGERT_OK) st = act_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  relu_data *d = ACT_ALLOC_OP_DATA(ctx, relu_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->min = min;
  d->max = max;
  ctx->op_data = d;
  switch (in->dtype) {
  case EDGERT_FLOAT32: return EDGERT_OK;
  case EDGERT_INT8:
  case EDGERT_UINT8:
  case EDGERT_INT16: break;
  default: return act_unsupported_dtype(ctx, in, "float32, int8, uint8, int16");
  }
  if ((st = act_require_scale(ctx, in, "input")) != EDGERT_OK) return st;
  if ((st = act_require_scale(ctx, out, "output")) != EDGERT_OK) return st;
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

static edgert_status relu_eval(er_op_ctx *ctx) {
  const relu_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  switch (in->dtype) {
  case EDGERT_FLOAT32: {
    const float *x = in->data;
    float *y = out->data;
    for (int64_t i = 0; i < n; i++) {
      float v = x[i] < d->min ? d->min : x[i];
      y[i] = v > d->max ? d->max : v;
    }
    break;
  }
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

/* ELU and GELU: float32 only. */
static edgert_status float_unary_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st == EDGERT_OK) st = act_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  if (in->dtype != EDGERT_FLOAT32) return act_unsupported_dtype(ctx, in, "float32");
  return EDGERT_OK;
}

static edgert_status elu_eval(er_op_ctx *ctx) {
  const er_tensor *in = er_input(ctx, 0);
  const float *x = in->data;
  float *y = er_output(ctx, 0)->data;
  int64_t n = er_tensor_elements(in);
  for (int64_t i = 0; i < n; i++)
    y[i] = x[i] < 0.0f ? expm1f(x[i]) : x[i];
  return EDGERT_OK;
}

/* sqrt(2 / pi), as TFLite's kSqrt2dPi. */
static const float gelu_sqrt_2_over_pi = 0.7978845608028654f;
static const float gelu_sqrt_half = 0.7071067811865476f;

static edgert_status gelu_eval(er_op_ctx *ctx) {
  const er_gelu_attrs *attrs = er_attrs(ctx);
  bool approximate = attrs ? attrs->approximate : false;
  const er_tensor *in = er_input(ctx, 0);
  const float *x = in->data;
  float *y = er_output(ctx, 0)->data;
  int64_t n = er_tensor_elements(in);
  if (approximate) {
    for (int64_t i = 0; i < n; i++) {
      float v = x[i];
      y[i] = 0.5f * v * (1.0f + tanhf(gelu_sqrt_2_over_pi * (v + 0.044715f * v * v * v)));
    }
  } else {
    /* erfc form: 0.5 x (1 + erf(x / sqrt 2)) loses all precision for large negative x. */
    for (int64_t i = 0; i < n; i++)
      y[i] = 0.5f * x[i] * erfcf(x[i] * -gelu_sqrt_half);
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_relu = {relu_prepare, relu_eval};
const er_kernel er_kernel_relu6 = {relu6_prepare, relu_eval};
const er_kernel er_kernel_relu_n1_to_1 = {relu_n1_to_1_prepare, relu_eval};
const er_kernel er_kernel_elu = {float_unary_prepare, elu_eval};
const er_kernel er_kernel_gelu = {float_unary_prepare, gelu_eval};
