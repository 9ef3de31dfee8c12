/* L2_NORMALIZATION over the last axis: y = x / max(||x||, 1e-6). float32, and int8 as TFLite's
 * reference_integer_ops::L2Normalization: the inverse square root of the sum of squares as a quantized
 * multiplier found by Newton-Raphson (GetInvSqrtQuantizedMultiplierExp), output on a 2^-7 scale with
 * zero point 0 (assumed by TFLite Micro, not checked). uint8 as reference_ops::L2Normalization for uint8:
 * the same multiplier applied to 128 * (x - zero point) in one rounding step, output scale 1/128 and zero
 * point 128, which TFLite checks and so do we. No fused activation, as in TFLite Micro. */
#include <math.h>

#include "ops/activation_common.h"
#include "ops/fixedpoint_math.h"

typedef struct {
  int64_t outer, depth;
  int32_t input_zero_point;
} l2norm_data;

static edgert_status l2norm_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st == EDGERT_OK) st = act_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  if (in->ndim < 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "input is a scalar; it needs at least one dim");
  const er_l2norm_attrs *attrs = er_attrs(ctx);
  if (attrs && attrs->activation != ER_ACT_NONE)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "fused activation %d is not supported",
                   (int)attrs->activation);
  if (in->dtype != EDGERT_FLOAT32 && in->dtype != EDGERT_INT8 && in->dtype != EDGERT_UINT8)
    return act_unsupported_dtype(ctx, in, "float32, int8, uint8");
  if (in->dtype != EDGERT_FLOAT32 && (st = act_require_scale(ctx, in, "input")) != EDGERT_OK) return st;
  if (in->dtype == EDGERT_UINT8 && (out->q.scale != 1.0f / 128.0f || out->q.zero_point != 128))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "uint8 output must have scale 1/128 and zero point 128, has %g and %d",
                   (double)out->q.scale, (int)out->q.zero_point);
  l2norm_data *d = ACT_ALLOC_OP_DATA(ctx, l2norm_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = d;
  d->depth = er_dim(in, -1);
  d->outer = d->depth > 0 ? er_tensor_elements(in) / d->depth : 0;
  d->input_zero_point = in->dtype == EDGERT_FLOAT32 ? 0 : in->q.zero_point;
  return EDGERT_OK;
}

/* 1/sqrt(input) as multiplier * 2^shift (shift positive to the left). The input is normalised into
 * [2^27, 2^29) by an even shift so its square root shifts exactly; five Newton-Raphson steps on Q3.28
 * refine x = 1/sqrt(input) from 1. Inputs 0 and 1 give the largest multiplier. */
static void inv_sqrt_multiplier(int32_t input, int32_t *multiplier, int *shift) {
  if (input <= 1) {
    *multiplier = INT32_MAX;
    *shift = 0;
    return;
  }
  int right_shift = 11;
  while (input >= (1 << 29)) {
    input /= 4;
    ++right_shift;
  }
  const int max_left_shift_bits = fx_count_leading_zeros((uint32_t)input) - 1;
  const int left_shift_bit_pairs = max_left_shift_bits / 2 - 1;
  right_shift -= left_shift_bit_pairs;
  input <<= 2 * left_shift_bit_pairs;
  const int32_t half_input = er_rounding_divide_by_pot(input >> 1, 1); /* Q3.28 */
  const int32_t three_halves = (1 << 28) + (1 << 27);
  int32_t x = 1 << 28; /* 1.0 on Q3.28 */
  for (int i = 0; i < 5; i++) {
    int32_t x3 = fx_rescale(fx_mul(fx_mul(x, x), x), 9, 3);
    x = fx_rescale(fx_sub(fx_mul(three_halves, x), fx_mul(half_input, x3)), 6, 3);
  }
  const int32_t half_sqrt_2 = 1518500250;
  x = fx_mul(x, half_sqrt_2);
  if (right_shift < 0) {
    x = (int32_t)((uint32_t)x << -right_shift);
    right_shift = 0;
  }
  *multiplier = x;
  *shift = -right_shift;
}

static void l2norm_int8(const l2norm_data *d, const int8_t *x, int8_t *y) {
  for (int64_t i = 0; i < d->outer; i++, x += d->depth, y += d->depth) {
    uint32_t sum_of_squares = 0; /* wraps like TFLite's int32 for absurd depths */
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t v = x[c] - d->input_zero_point;
      sum_of_squares += (uint32_t)(v * v);
    }
    int32_t multiplier;
    int shift;
    inv_sqrt_multiplier((int32_t)sum_of_squares, &multiplier, &shift);
    for (int64_t c = 0; c < d->depth; c++) {
      /* The 2^7 of the output scale folds into the shift. */
      int32_t v = er_multiply_by_quantized_multiplier(x[c] - d->input_zero_point, multiplier, shift + 7);
      y[c] = (int8_t)er_clamp_i32(v, INT8_MIN, INT8_MAX);
    }
  }
}

/* uint8 rescales 128 * (x - zero point) with one rounding (MultiplyByQuantizedMultiplierSmallerThanOneExp)
 * where int8 folds the 128 into the shift; the two can differ by one step. */
static void l2norm_uint8(const l2norm_data *d, const uint8_t *x, uint8_t *y) {
  for (int64_t i = 0; i < d->outer; i++, x += d->depth, y += d->depth) {
    uint32_t sum_of_squares = 0; /* wraps like TFLite's int32 for absurd depths */
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t v = x[c] - d->input_zero_point;
      sum_of_squares += (uint32_t)(v * v);
    }
    int32_t multiplier;
    int shift;
    inv_sqrt_multiplier((int32_t)sum_of_squares, &multiplier, &shift);
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t diff = x[c] - d->input_zero_point;
      int32_t v = er_multiply_by_quantized_multiplier_smaller_than_one(128 * diff, multiplier, shift);
      y[c] = (uint8_t)er_clamp_i32(128 + v, 0, UINT8_MAX);
    }
  }
}

static void l2norm_float(const l2norm_data *d, const float *x, float *y) {
  const float epsilon = 1e-6f;
  for (int64_t i = 0; i < d->outer; i++, x += d->depth, y += d->depth) {
    float squared = 0.0f;
    for (int64_t c = 0; c < d->depth; c++)
      squared += x[c] * x[c];
    float norm = sqrtf(squared);
    if (norm < epsilon) norm = epsilon;
    for (int64_t c = 0; c < d->depth; c++)
      y[c] = x[c] / norm;
  }
}

static edgert_status l2norm_eval(er_op_ctx *ctx) {
  const l2norm_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype == EDGERT_FLOAT32)
    l2norm_float(d, in->data, out->data);
  else if (in->dtype == EDGERT_UINT8)
    l2norm_uint8(d, in->data, out->data);
  else
    l2norm_int8(d, in->data, out->data);
  return EDGERT_OK;
}

const er_kernel er_kernel_l2norm = {.prepare = l2norm_prepare, .eval = l2norm_eval};
