/* RELU_0_TO_1: clamp to [0, 1] (TFLite activations.cc Relu0To1Eval). float32 clamps directly; int8 and
 * uint8 requantize from the input's scale to the output's and clamp to the output grid's images of 0
 * and 1, as TFLite's QuantizedReluX does. */
#include <math.h>

#include "core/quant.h"
#include "ops/activation_common.h"

typedef struct {
  int32_t multiplier;
  int shift;
  int32_t input_zero_point, output_zero_point;
  int32_t quantized_min, quantized_max;
} relu01_data;

/* TFLite rounds 0 and 1 onto the output grid with roundf and clips them to the dtype's range. */
static void quantized_bounds(relu01_data *d, const er_tensor *out) {
  int32_t qmin, qmax;
  er_dtype_range(out->dtype, &qmin, &qmax);
  float lo = roundf(0.0f / out->q.scale) + (float)out->q.zero_point;
  float hi = roundf(1.0f / out->q.scale) + (float)out->q.zero_point;
  d->quantized_min = lo > (float)qmin ? (int32_t)lo : qmin;
  d->quantized_max = hi < (float)qmax ? (int32_t)hi : qmax;
}

static edgert_status relu01_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st == EDGERT_OK) st = act_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  if (in->dtype == EDGERT_FLOAT32) return EDGERT_OK;
  if (in->dtype != EDGERT_INT8 && in->dtype != EDGERT_UINT8)
    return act_unsupported_dtype(ctx, in, "float32, int8, uint8");
  if ((st = act_require_scale(ctx, in, "input")) != EDGERT_OK) return st;
  if ((st = act_require_scale(ctx, out, "output")) != EDGERT_OK) return st;
  relu01_data *d = ACT_ALLOC_OP_DATA(ctx, relu01_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  er_quantize_multiplier((double)in->q.scale / (double)out->q.scale, &d->multiplier, &d->shift);
  d->input_zero_point = in->q.zero_point;
  d->output_zero_point = out->q.zero_point;
  quantized_bounds(d, out);
  ctx->op_data = d;
  return EDGERT_OK;
}

static inline int32_t requantize_clamped(const relu01_data *d, int32_t q) {
  int32_t v = d->output_zero_point +
              er_multiply_by_quantized_multiplier(q - d->input_zero_point, d->multiplier, d->shift);
  return er_clamp_i32(v, d->quantized_min, d->quantized_max);
}

static edgert_status relu01_eval(er_op_ctx *ctx) {
  const relu01_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  if (in->dtype == EDGERT_FLOAT32) {
    const float *x = in->data;
    float *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = er_clamp_f(x[i], 0.0f, 1.0f);
  } else if (in->dtype == EDGERT_INT8) {
    const int8_t *x = in->data;
    int8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = (int8_t)requantize_clamped(d, x[i]);
  } else {
    const uint8_t *x = in->data;
    uint8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = (uint8_t)requantize_clamped(d, x[i]);
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_relu_0_to_1 = {.prepare = relu01_prepare, .eval = relu01_eval};
