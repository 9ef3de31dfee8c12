/* PRELU: y = x for x >= 0, alpha * x otherwise, with alpha (input 1) broadcast onto x's shape.
 * float32, int8 (int8 alpha) and int16 (int8 alpha) as TFLite's BroadcastPrelu4DSlow: the positive side
 * is requantized by in/out scale, the negative side by in*alpha/out scale applied to the product of the
 * zero-point-corrected input and alpha. Broadcasting is done for any rank up to ER_MAX_DIMS. For ONNX
 * models also float64, float16 and bfloat16 (alpha of the input's dtype), computed in double. */
#include <string.h>

#include "core/quant.h"
#include "ops/activation_common.h"
#include "ops/elementwise_types.h"

typedef struct {
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  int64_t alpha_strides[ER_MAX_DIMS]; /* per input dim; 0 where alpha is broadcast */
  int32_t input_offset, alpha_offset, output_offset;
  int32_t multiplier_identity, multiplier_alpha;
  int shift_identity, shift_alpha;
} prelu_data;

/* Right-aligns alpha's dims against the input's; each must be 1 or equal. */
static edgert_status prelu_broadcast(er_op_ctx *ctx, const er_tensor *in, const er_tensor *alpha,
                                     prelu_data *d) {
  if (alpha->ndim > in->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "alpha has rank %d, above the input's %d", (int)alpha->ndim,
                   (int)in->ndim);
  d->ndim = in->ndim;
  memcpy(d->dims, in->dims, sizeof(int64_t) * (size_t)in->ndim);
  int64_t stride = 1;
  for (int i = in->ndim - 1; i >= 0; i--) {
    int ai = i - (in->ndim - alpha->ndim);
    int64_t alpha_dim = ai >= 0 ? alpha->dims[ai] : 1;
    if (alpha_dim != 1 && alpha_dim != in->dims[i])
      return er_fail(ctx, EDGERT_ERR_SHAPE, "alpha dim %d (%lld) does not broadcast to input dim %d (%lld)",
                     ai, (long long)alpha_dim, i, (long long)in->dims[i]);
    d->alpha_strides[i] = alpha_dim == 1 ? 0 : stride;
    stride *= alpha_dim;
  }
  return EDGERT_OK;
}

static edgert_status prelu_quant_params(er_op_ctx *ctx, const er_tensor *in, const er_tensor *alpha,
                                        const er_tensor *out, prelu_data *d) {
  edgert_status st;
  if ((st = act_require_scale(ctx, in, "input")) != EDGERT_OK) return st;
  if ((st = act_require_scale(ctx, alpha, "alpha")) != EDGERT_OK) return st;
  if ((st = act_require_scale(ctx, out, "output")) != EDGERT_OK) return st;
  double identity = (double)in->q.scale / (double)out->q.scale;
  double with_alpha = (double)in->q.scale * (double)alpha->q.scale / (double)out->q.scale;
  er_quantize_multiplier(identity, &d->multiplier_identity, &d->shift_identity);
  er_quantize_multiplier(with_alpha, &d->multiplier_alpha, &d->shift_alpha);
  d->input_offset = -in->q.zero_point;
  d->alpha_offset = -alpha->q.zero_point;
  d->output_offset = out->q.zero_point;
  return EDGERT_OK;
}

static edgert_status prelu_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *alpha = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (!out) return er_fail(ctx, EDGERT_ERR_MALFORMED, "output 0 is missing");
  if ((st = act_same_dtype(ctx, in, out)) != EDGERT_OK) return st;
  prelu_data *d = ACT_ALLOC_OP_DATA(ctx, prelu_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = d;
  if ((st = prelu_broadcast(ctx, in, alpha, d)) != EDGERT_OK) return st;
  if ((st = er_set_output_shape(ctx, out, in->ndim, in->dims)) != EDGERT_OK) return st;
  switch (in->dtype) {
  case EDGERT_FLOAT32:
  case EDGERT_FLOAT64:
  case EDGERT_FLOAT16:
  case EDGERT_BFLOAT16: return er_check_dtype(ctx, alpha, in->dtype, "alpha");
  case EDGERT_INT8:
  case EDGERT_INT16:
    if ((st = er_check_dtype(ctx, alpha, EDGERT_INT8, "alpha")) != EDGERT_OK) return st;
    return prelu_quant_params(ctx, in, alpha, out, d);
  default: return act_unsupported_dtype(ctx, in, "float32, float64, float16, bfloat16, int8, int16");
  }
}

static inline int32_t prelu_quantized(const prelu_data *d, int32_t q, int32_t a, int32_t qmin, int32_t qmax) {
  int32_t x = d->input_offset + q;
  int32_t y = x >= 0 ? er_multiply_by_quantized_multiplier(x, d->multiplier_identity, d->shift_identity)
                     : er_multiply_by_quantized_multiplier(x * (d->alpha_offset + a), d->multiplier_alpha,
                                                           d->shift_alpha);
  return er_clamp_i32(y + d->output_offset, qmin, qmax);
}

/* Advances a row-major multi-index over dims and returns the change of the alpha offset. */
static inline int64_t prelu_next_index(const prelu_data *d, int64_t *index) {
  int64_t delta = 0;
  for (int i = d->ndim - 1; i >= 0; i--) {
    index[i]++;
    delta += d->alpha_strides[i];
    if (index[i] < d->dims[i]) return delta;
    delta -= d->alpha_strides[i] * d->dims[i];
    index[i] = 0;
  }
  return delta;
}

static edgert_status prelu_eval(er_op_ctx *ctx) {
  const prelu_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0), *alpha = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  int64_t index[ER_MAX_DIMS] = {0};
  int64_t a = 0;
  switch (in->dtype) {
  case EDGERT_FLOAT32: {
    const float *x = in->data, *alpha_data = alpha->data;
    float *y = out->data;
    for (int64_t i = 0; i < n; i++, a += prelu_next_index(d, index))
      y[i] = x[i] >= 0.0f ? x[i] : x[i] * alpha_data[a];
    break;
  }
  case EDGERT_INT8: {
    const int8_t *x = in->data, *alpha_data = alpha->data;
    int8_t *y = out->data;
    for (int64_t i = 0; i < n; i++, a += prelu_next_index(d, index))
      y[i] = (int8_t)prelu_quantized(d, x[i], alpha_data[a], INT8_MIN, INT8_MAX);
    break;
  }
  case EDGERT_INT16: {
    const int16_t *x = in->data;
    const int8_t *alpha_data = alpha->data;
    int16_t *y = out->data;
    for (int64_t i = 0; i < n; i++, a += prelu_next_index(d, index))
      y[i] = (int16_t)prelu_quantized(d, x[i], alpha_data[a], INT16_MIN, INT16_MAX);
    break;
  }
  case EDGERT_FLOAT64:
  case EDGERT_FLOAT16:
  case EDGERT_BFLOAT16:
    for (int64_t i = 0; i < n; i++, a += prelu_next_index(d, index)) {
      const double v = er_load_float(in->data, in->dtype, i);
      er_store_float(out->data, out->dtype, i, v >= 0 ? v : v * er_load_float(alpha->data, alpha->dtype, a));
    }
    break;
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype changed after prepare");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_prelu = {.prepare = prelu_prepare, .eval = prelu_eval};
