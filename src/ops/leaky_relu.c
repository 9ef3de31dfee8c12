/* LEAKY_RELU: y = x for x >= 0, alpha * x otherwise. float32, and int8 / int16 as TFLite Micro's
 * QuantizeLeakyRelu: two requantizations from the input's scale to the output's, one with alpha folded
 * in for negative inputs, one plain for the rest. */
#include "core/cpu.h"
#include "core/quant.h"
#include "ops/activation_common.h"
#include "ops/elementwise_f32.h"
#include "ops/elementwise_types.h"

typedef struct {
  float alpha;
  er_f32_vunary_fn f32;                 /* float32: the vectorized kernel chosen for this CPU */
  er_f32_elementwise_params f32_params; /* its alpha */
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier_alpha, multiplier_identity;
  int shift_alpha, shift_identity;
} leaky_relu_data;

static edgert_status leaky_relu_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_same_dtype(ctx, &in, &out);
  if (st != EDGERT_OK) return st;
  const er_leaky_relu_attrs *attrs = er_attrs(ctx);
  if (!attrs) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no alpha attribute");
  leaky_relu_data *d = ACT_ALLOC_OP_DATA(ctx, leaky_relu_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->alpha = attrs->alpha;
  d->f32 = er_f32_elementwise_select(er_cpu_detect())->unary[ER_F32_VLEAKY_RELU];
  d->f32_params.alpha = attrs->alpha;
  ctx->op_data = d;
  if (in->dtype == EDGERT_FLOAT32) er_output_may_overwrite(ctx, 0);
  if (er_is_float(in->dtype)) return EDGERT_OK; /* float64, float16, bfloat16: ONNX models */
  if (in->dtype != EDGERT_INT8 && in->dtype != EDGERT_INT16)
    return act_unsupported_dtype(ctx, in, "float32, int8, int16");
  if ((st = act_require_scales(ctx, in, out)) != EDGERT_OK) return st;
  d->input_zero_point = in->q.zero_point;
  d->output_zero_point = out->q.zero_point;
  /* TFLM forms both ratios in float before widening to double; the golden outputs depend on it. */
  float alpha_ratio = in->q.scale * attrs->alpha / out->q.scale;
  float identity_ratio = in->q.scale / out->q.scale;
  er_quantize_multiplier((double)alpha_ratio, &d->multiplier_alpha, &d->shift_alpha);
  er_quantize_multiplier((double)identity_ratio, &d->multiplier_identity, &d->shift_identity);
  return EDGERT_OK;
}

static inline int32_t leaky_relu_quantized(const leaky_relu_data *d, int32_t q, int32_t qmin, int32_t qmax) {
  int32_t x = q - d->input_zero_point;
  int32_t scaled = x >= 0 ? er_multiply_by_quantized_multiplier(x, d->multiplier_identity, d->shift_identity)
                          : er_multiply_by_quantized_multiplier(x, d->multiplier_alpha, d->shift_alpha);
  return er_clamp_i32(d->output_zero_point + scaled, qmin, qmax);
}

static double leaky_relu_d(double x, const void *alpha) { return x < 0 ? *(const float *)alpha * x : x; }

static edgert_status leaky_relu_eval(er_op_ctx *ctx) {
  const leaky_relu_data *d = ctx->op_data;
  if (act_map_extra_float(ctx, leaky_relu_d, &d->alpha)) return EDGERT_OK;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  switch (in->dtype) {
  /* x > 0 ? x : x * alpha (alpha may exceed 1 or be negative, so this is not max(x, alpha x)) */
  case EDGERT_FLOAT32: er_f32_vunary_run(ctx, d->f32, n, in->data, out->data, &d->f32_params); break;
  case EDGERT_INT8: {
    const int8_t *x = in->data;
    int8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = (int8_t)leaky_relu_quantized(d, x[i], INT8_MIN, INT8_MAX);
    break;
  }
  case EDGERT_INT16: {
    const int16_t *x = in->data;
    int16_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = (int16_t)leaky_relu_quantized(d, x[i], INT16_MIN, INT16_MAX);
    break;
  }
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype changed after prepare");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_leaky_relu = {.prepare = leaky_relu_prepare, .eval = leaky_relu_eval};
