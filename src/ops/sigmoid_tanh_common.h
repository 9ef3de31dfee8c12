/* What LOGISTIC and TANH share, both as TFLite Micro does them (logistic_common.cc, tanh.cc): the same op
 * data and prepare checks, int8 / uint8 inputs rescaled from (q - zero point) to Q4.27 with saturation
 * beyond the input radius, int16 inputs rescaled onto the 1/(3*4096) scale of the sigmoid table, and one
 * eval that runs each dtype's element function over the tensor. */
#ifndef EDGERT_OPS_SIGMOID_TANH_COMMON_H
#define EDGERT_OPS_SIGMOID_TANH_COMMON_H

#include "ops/activation_common.h"
#include "ops/elementwise_types.h"
#include "ops/fixedpoint_math.h"

typedef struct {
  int32_t input_zero_point;
  int32_t input_range_radius;
  int32_t input_multiplier;
  int input_left_shift;
} sigmoid_tanh_data;

/* The checks common to both ops: one input and one output of the same dtype; float dtypes need nothing
 * more and leave *d NULL; int8, uint8 and int16 need usable scales and get zeroed op data in *d. */
static inline edgert_status sigmoid_tanh_prepare_common(er_op_ctx *ctx, er_tensor **in, er_tensor **out,
                                                        sigmoid_tanh_data **d) {
  *d = NULL;
  edgert_status st = act_unary_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  const edgert_dtype dtype = (*in)->dtype;
  if (er_is_float(dtype)) return EDGERT_OK; /* float64, float16, bfloat16: ONNX models */
  if (dtype != EDGERT_INT8 && dtype != EDGERT_UINT8 && dtype != EDGERT_INT16)
    return act_unsupported_dtype(ctx, *in, "float32, int8, uint8, int16");
  if ((st = act_require_scales(ctx, *in, *out)) != EDGERT_OK) return st;
  *d = ACT_ALLOC_OP_DATA(ctx, sigmoid_tanh_data);
  if (!*d) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = *d;
  return EDGERT_OK;
}

/* The uint8 references rescale the input with QuantizeMultiplierGreaterThanOne, so the multiplier taking
 * it to Q4.27 must be above 1. */
static inline edgert_status sigmoid_tanh_check_uint8_input(er_op_ctx *ctx, const er_tensor *in) {
  if ((double)in->q.scale * (double)(1 << 27) > 1.0) return EDGERT_OK;
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "uint8 input scale %g is too small", (double)in->q.scale);
}

/* int8 and uint8: the rescaling of (q - zero point) to Q4.27 and the radius where the output saturates. */
static inline void sigmoid_tanh_prepare_q4_input(const er_tensor *in, sigmoid_tanh_data *d) {
  d->input_zero_point = in->q.zero_point;
  fx_q4_input_params(in->q.scale, &d->input_multiplier, &d->input_left_shift, &d->input_range_radius);
}

/* int16 is symmetric (zero points 0) with an output scale of exactly 2^-15, as TFLM requires.
 * max_pot_shift: see fx_int16_table_input_params. */
static inline edgert_status sigmoid_tanh_prepare_int16(er_op_ctx *ctx, const er_tensor *in,
                                                       const er_tensor *out, int max_pot_shift,
                                                       sigmoid_tanh_data *d) {
  if (in->q.zero_point != 0 || out->q.zero_point != 0)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int16 zero points must be 0 (input %d, output %d)",
                   (int)in->q.zero_point, (int)out->q.zero_point);
  int out_log2;
  if (!fx_checked_log2(out->q.scale, &out_log2) || out_log2 != -15)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int16 output scale is %g, must be 2^-15",
                   (double)out->q.scale);
  if (!fx_int16_table_input_params(in->q.scale, max_pot_shift, &d->input_multiplier, &d->input_left_shift))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int16 input scale %g is too large", (double)in->q.scale);
  return EDGERT_OK;
}

/* An int8 / uint8 input as Q4.27 in *x_q4; returns -1 or +1 instead when it lies beyond the radius, where
 * the output saturates to the low or high end. */
static inline int sigmoid_tanh_q4_input(const sigmoid_tanh_data *d, int32_t q, int32_t *x_q4) {
  const int32_t x = q - d->input_zero_point;
  if (x <= -d->input_range_radius) return -1;
  if (x >= d->input_range_radius) return 1;
  *x_q4 = er_multiply_by_quantized_multiplier(x, d->input_multiplier, d->input_left_shift);
  return 0;
}

/* An int16 input on the table's scale 1/(3*4096), rounded; multiplier and left_shift as sigmoid_tanh_eval
 * resolves them from the op data. */
static inline int32_t sigmoid_tanh_int16_input(int32_t multiplier, int left_shift, int16_t q) {
  const int64_t round = left_shift > 0 ? (int64_t)1 << (left_shift - 1) : 0;
  return (int32_t)(((int64_t)q * multiplier + round) >> left_shift);
}

/* Each op's element function per dtype. */
typedef struct {
  float (*f32)(float);
  er_double_fn extra_float;
  int8_t (*i8)(const sigmoid_tanh_data *, int8_t);
  uint8_t (*u8)(const sigmoid_tanh_data *, uint8_t);
  int16_t (*i16)(int32_t multiplier, int left_shift, int16_t);
} sigmoid_tanh_fns;

/* Static inline and called with a constant table, so the compiler can inline each element function. */
static inline edgert_status sigmoid_tanh_eval(er_op_ctx *ctx, const sigmoid_tanh_fns *fn) {
  if (act_map_extra_float(ctx, fn->extra_float, NULL)) return EDGERT_OK;
  const sigmoid_tanh_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  switch (in->dtype) {
  case EDGERT_FLOAT32: {
    const float *x = in->data;
    float *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = fn->f32(x[i]);
    break;
  }
  case EDGERT_INT8: {
    const int8_t *x = in->data;
    int8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = fn->i8(d, x[i]);
    break;
  }
  case EDGERT_UINT8: {
    const uint8_t *x = in->data;
    uint8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = fn->u8(d, x[i]);
    break;
  }
  case EDGERT_INT16: {
    const int16_t *x = in->data;
    int16_t *y = out->data;
    /* A zero multiplier marks a power-of-two input scale: 3 << shift folds the 1/3 scaling in. */
    int32_t multiplier = d->input_multiplier ? d->input_multiplier : 3 << d->input_left_shift;
    int left_shift = d->input_multiplier ? d->input_left_shift : 0;
    for (int64_t i = 0; i < n; i++)
      y[i] = fn->i16(multiplier, left_shift, x[i]);
    break;
  }
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype changed after prepare");
  }
  return EDGERT_OK;
}

#endif
