/* SOFTMAX and LOG_SOFTMAX over the last axis, matching TFLite Micro.
 * SOFTMAX: float32; int8 -> int8 (output scale 1/256, zero point -128), int8 -> int16 (1/65536, -32768)
 * and uint8 -> uint8 (1/256, 0) through gemmlowp fixed point (reference_ops::Softmax<InputT, OutputT>:
 * input differences from the row maximum on Q5.26, exp on negative values, sum on Q12.19, reciprocal);
 * int16 -> int16 (1/32768, 0) through the exp and 1/(1+x) lookup tables of reference_ops::SoftmaxInt16.
 * LOG_SOFTMAX: float32; int8 -> int8 (output scale 16/256, zero point 127) and uint8 -> uint8 (16/256,
 * 255) as reference_ops::LogSoftmaxQuantized, with gemmlowp's fixed-point log.
 * (TFLite's own interpreter runs uint8 softmax through float lookup tables in its optimized kernels; the
 * fixed-point reference computed here can differ from those by one step.) */
#include <float.h>
#include <math.h>

#include "ops/activation_common.h"
#include "ops/fixedpoint_math.h"

/* Integer bits of the Q5.26 scaled differences and of the Q12.19 sum of exponentials. */
enum { SCALED_DIFF_BITS = 5, ACCUM_BITS = 12, LOG_OUTPUT_BITS = 4 };

typedef struct {
  float beta;
  int64_t outer, depth;
  int32_t input_multiplier;
  int input_left_shift;
  int32_t diff_min;
  int32_t reverse_scaling_divisor; /* log-softmax only */
  int reverse_scaling_right_shift;
  int16_t exp_lut[FX_LUT_SIZE]; /* int16 softmax only */
  int16_t one_over_one_plus_x_lut[FX_LUT_SIZE];
} softmax_data;

static edgert_status softmax_common_prepare(er_op_ctx *ctx, er_tensor **in, er_tensor **out,
                                            softmax_data **d) {
  edgert_status st = act_unary_io(ctx, in, out);
  if (st != EDGERT_OK) return st;
  if ((*in)->ndim < 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "input is a scalar; it needs at least one dim");
  *d = ACT_ALLOC_OP_DATA(ctx, softmax_data);
  if (!*d) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = *d;
  (*d)->depth = er_dim(*in, -1);
  int64_t n = er_tensor_elements(*in);
  (*d)->outer = (*d)->depth > 0 ? n / (*d)->depth : 0;
  return EDGERT_OK;
}

/* Multiplier taking an input difference to Q5.26 with beta folded in, capped as TFLite caps it
 * (PreprocessSoftmaxScaling); it must exceed 1 since it is applied as a pure left shift. */
static edgert_status softmax_scaling(er_op_ctx *ctx, double beta, float input_scale, softmax_data *d) {
  double real = beta * (double)input_scale * (double)(1 << (31 - SCALED_DIFF_BITS));
  if (real > 2147483647.0) real = 2147483647.0;
  if (!(real > 1.0))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "beta %g times input scale %g is too small for int8", beta,
                   (double)input_scale);
  er_quantize_multiplier(real, &d->input_multiplier, &d->input_left_shift);
  d->diff_min = -fx_input_radius(SCALED_DIFF_BITS, d->input_left_shift, 31);
  return EDGERT_OK;
}

static edgert_status check_output_quant(er_op_ctx *ctx, const er_tensor *out, int32_t zero_point, float scale,
                                        float tolerance) {
  if (out->q.zero_point == zero_point && fabsf(out->q.scale - scale) <= tolerance) return EDGERT_OK;
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s output must have scale %g and zero point %d, has %g and %d",
                 edgert_dtype_name(out->dtype), (double)scale, (int)zero_point, (double)out->q.scale,
                 (int)out->q.zero_point);
}

static float exp_f(float v) { return expf(v); }
static float one_over_one_plus_x_f(float v) { return 1.0f / (1.0f + v); }

static edgert_status softmax_prepare_int16(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out,
                                           softmax_data *d) {
  edgert_status st = check_output_quant(ctx, out, 0, 1.0f / 32768.0f, 0.001f / 32768.0f);
  if (st != EDGERT_OK) return st;
  /* exp(-10) is taken as negligible, so the exp table covers [-10, 0]. */
  fx_fill_int16_lut(exp_f, -10.0f, 0.0f, -1.0f, 1.0f, d->exp_lut);
  fx_fill_int16_lut(one_over_one_plus_x_f, 0.0f, 1.0f, -1.0f, 1.0f, d->one_over_one_plus_x_lut);
  /* Differences are scaled so that [-65535, 0] covers [-10, 0]. */
  double real = (double)in->q.scale * (double)d->beta / (10.0 / 65535.0);
  er_quantize_multiplier(real, &d->input_multiplier, &d->input_left_shift);
  return EDGERT_OK;
}

static edgert_status softmax_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  softmax_data *d;
  edgert_status st = softmax_common_prepare(ctx, &in, &out, &d);
  if (st != EDGERT_OK) return st;
  const er_softmax_attrs *attrs = er_attrs(ctx);
  if (!attrs) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no beta attribute");
  d->beta = attrs->beta;
  if (in->dtype == EDGERT_FLOAT32 && out->dtype == EDGERT_FLOAT32) return EDGERT_OK;
  bool int8_in = in->dtype == EDGERT_INT8 && (out->dtype == EDGERT_INT8 || out->dtype == EDGERT_INT16);
  bool uint8_in = in->dtype == EDGERT_UINT8 && out->dtype == EDGERT_UINT8;
  bool int16_in = in->dtype == EDGERT_INT16 && out->dtype == EDGERT_INT16;
  if (!int8_in && !uint8_in && !int16_in)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "%s -> %s is not supported (float32 -> float32, int8 -> int8, "
                   "int8 -> int16, uint8 -> uint8, int16 -> int16 are)",
                   edgert_dtype_name(in->dtype), edgert_dtype_name(out->dtype));
  if ((st = act_require_scale(ctx, in, "input")) != EDGERT_OK) return st;
  if ((st = act_require_scale(ctx, out, "output")) != EDGERT_OK) return st;
  if (int16_in) return softmax_prepare_int16(ctx, in, out, d);
  if (out->dtype == EDGERT_INT8)
    st = check_output_quant(ctx, out, -128, 1.0f / 256.0f, 0.0f);
  else if (out->dtype == EDGERT_UINT8)
    st = check_output_quant(ctx, out, 0, 1.0f / 256.0f, 0.0f);
  else
    st = check_output_quant(ctx, out, -32768, 1.0f / 65536.0f, 0.001f / 65536.0f);
  if (st != EDGERT_OK) return st;
  return softmax_scaling(ctx, (double)d->beta, in->q.scale, d);
}

static void softmax_float(const softmax_data *d, const float *x, float *y) {
  for (int64_t i = 0; i < d->outer; i++, x += d->depth, y += d->depth) {
    float max = -FLT_MAX;
    for (int64_t c = 0; c < d->depth; c++)
      max = x[c] > max ? x[c] : max;
    float sum = 0.0f;
    for (int64_t c = 0; c < d->depth; c++) {
      y[c] = expf((x[c] - max) * d->beta);
      sum += y[c];
    }
    for (int64_t c = 0; c < d->depth; c++)
      y[c] = y[c] / sum;
  }
}

/* exp of a non-positive input difference, with 0 integer bits. */
static inline int32_t softmax_exp(const softmax_data *d, int32_t diff) {
  int32_t shifted = (int32_t)((uint32_t)diff << d->input_left_shift);
  int32_t scaled_diff = er_saturating_rounding_doubling_high_mul(shifted, d->input_multiplier);
  return fx_exp_on_negative_values(scaled_diff, SCALED_DIFF_BITS);
}

/* Element k of 8-bit data, int8 or uint8. */
static inline int32_t load_8bit(const void *x, edgert_dtype type, int64_t k) {
  return type == EDGERT_UINT8 ? (int32_t)((const uint8_t *)x)[k] : (int32_t)((const int8_t *)x)[k];
}

static inline void store_quantized(void *out, edgert_dtype type, int64_t k, int32_t v) {
  switch (type) {
  case EDGERT_INT8: ((int8_t *)out)[k] = (int8_t)v; break;
  case EDGERT_UINT8: ((uint8_t *)out)[k] = (uint8_t)v; break;
  default: ((int16_t *)out)[k] = (int16_t)v; break;
  }
}

/* int8 or uint8 input; output int8, uint8 or int16, each with its dtype minimum as zero point. */
static void softmax_8bit(const softmax_data *d, const void *in, edgert_dtype in_type, void *out,
                         edgert_dtype out_type) {
  int32_t in_min, in_max, out_min, out_max;
  er_dtype_range(in_type, &in_min, &in_max);
  er_dtype_range(out_type, &out_min, &out_max);
  const int out_bits = out_type == EDGERT_INT16 ? 16 : 8;
  for (int64_t i = 0; i < d->outer; i++) {
    const int64_t row = i * d->depth;
    int32_t max = in_min;
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t v = load_8bit(in, in_type, row + c);
      max = v > max ? v : max;
    }
    int32_t sum_of_exps = 0; /* Q12.19 */
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t diff = load_8bit(in, in_type, row + c) - max;
      if (diff >= d->diff_min)
        sum_of_exps = fx_add(sum_of_exps, fx_rescale(softmax_exp(d, diff), 0, ACCUM_BITS));
    }
    int num_bits_over_unit;
    int32_t shifted_scale = fx_reciprocal(sum_of_exps, ACCUM_BITS, &num_bits_over_unit);
    int exponent = num_bits_over_unit + 31 - out_bits;
    exponent = exponent < 0 ? 0 : (exponent > 31 ? 31 : exponent); /* TFLite aborts outside [0, 31] */
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t diff = load_8bit(in, in_type, row + c) - max;
      int32_t v = out_min;
      if (diff >= d->diff_min) {
        int32_t unsat = er_rounding_divide_by_pot(fx_mul(shifted_scale, softmax_exp(d, diff)), exponent);
        v = er_clamp_i32(unsat + out_min, out_min, out_max);
      }
      store_quantized(out, out_type, row + c, v);
    }
  }
}

/* int16 softmax; the output row doubles as storage for the exponentials. */
static void softmax_int16(const softmax_data *d, const int16_t *x, int16_t *y) {
  for (int64_t i = 0; i < d->outer; i++, x += d->depth, y += d->depth) {
    int16_t max = INT16_MIN;
    for (int64_t c = 0; c < d->depth; c++)
      max = x[c] > max ? x[c] : max;
    int32_t sum_of_exps = 0; /* Q16.15 */
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t scaled_diff =
          er_multiply_by_quantized_multiplier(x[c] - max, d->input_multiplier, d->input_left_shift);
      /* Recentred from [-65535, 0] onto the table's int16 input range. */
      int32_t sym_scaled_diff = er_clamp_i32(scaled_diff + 32767, INT16_MIN, INT16_MAX);
      y[c] = fx_lut_lookup((int16_t)sym_scaled_diff, d->exp_lut);
      sum_of_exps += y[c];
    }
    int headroom_plus_one = fx_count_leading_zeros((uint32_t)sum_of_exps);
    int32_t shifted_sum = (int32_t)((((int64_t)sum_of_exps << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
    /* The table computes 1/(1+x): x = sum - 1, recentred from [0, 65535] onto [-32768, 32767]. */
    int32_t sym_shifted_sum = er_clamp_i32(shifted_sum - ((1 << 15) + (1 << 16)), INT16_MIN, INT16_MAX);
    int16_t reciprocal_q015 = fx_lut_lookup((int16_t)sym_shifted_sum, d->one_over_one_plus_x_lut);
    int right_shift = 31 - headroom_plus_one;
    int64_t round = (int64_t)1 << (right_shift - 1);
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t v = (int32_t)(((int64_t)y[c] * reciprocal_q015 + round) >> right_shift);
      y[c] = (int16_t)er_clamp_i32(v, 0, INT16_MAX);
    }
  }
}

static edgert_status softmax_eval(er_op_ctx *ctx) {
  const softmax_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype == EDGERT_FLOAT32)
    softmax_float(d, in->data, out->data);
  else if (in->dtype == EDGERT_INT8 || in->dtype == EDGERT_UINT8)
    softmax_8bit(d, in->data, in->dtype, out->data, out->dtype);
  else
    softmax_int16(d, in->data, out->data);
  return EDGERT_OK;
}

/* log(x) for x >= 1 given with ACCUM_BITS integer bits; result with SCALED_DIFF_BITS integer bits
 * (TFLite log_x_for_x_greater_than_or_equal_to_1_impl<5, 12>). The power of two of x is found from
 * leading zeros, twice (x and x * sqrt(1/2)) to centre the remainder r in [sqrt(1/2), 1), and log(r) comes
 * from a rational approximation around 2^-1/4. Sums use one extra integer bit of headroom. */
static int32_t log_x_ge_1(int32_t x) {
  enum { accum_bits = SCALED_DIFF_BITS + 1 };
  const int32_t log_2 = 1488522236, sqrt_sqrt_half = 1805811301, sqrt_half = 1518500250;
  const int32_t one_quarter = 536870912;
  const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769, alpha_f = 638450708;
  const int32_t shifted_quarter = fx_rescale(one_quarter, 0, accum_bits);

  int z_a_headroom_plus_1 = fx_count_leading_zeros((uint32_t)x);
  int32_t r_a_tmp = fx_mul_pot(x, z_a_headroom_plus_1 - 1);
  int32_t r_a = fx_mul_pot(fx_mul(r_a_tmp, sqrt_half), 1);
  int64_t z_a_pow2 = (int64_t)fx_mul_pot(ACCUM_BITS - z_a_headroom_plus_1, 31 - accum_bits) + shifted_quarter;

  int32_t z_b = fx_mul(x, sqrt_half);
  int z_b_headroom = fx_count_leading_zeros((uint32_t)z_b) - 1;
  int32_t r_b = fx_mul_pot(x, z_b_headroom);
  int64_t z_b_pow2 = (int64_t)fx_mul_pot(ACCUM_BITS - z_b_headroom, 31 - accum_bits) - shifted_quarter;

  /* Saturating add and subtract, as TFLite's SaturatingAddNonGemmlowp / SaturatingSub. */
  z_a_pow2 = z_a_pow2 > INT32_MAX ? INT32_MAX : (z_a_pow2 < INT32_MIN ? INT32_MIN : z_a_pow2);
  z_b_pow2 = z_b_pow2 > INT32_MAX ? INT32_MAX : (z_b_pow2 < INT32_MIN ? INT32_MIN : z_b_pow2);
  int32_t r = r_a < r_b ? r_a : r_b;
  int32_t z_pow2_adj = (int32_t)(z_a_pow2 > z_b_pow2 ? z_a_pow2 : z_b_pow2);

  int32_t p = fx_rounding_half_sum(r, sqrt_sqrt_half);
  int32_t q = fx_sub(r, sqrt_sqrt_half);
  q = fx_add(q, q);
  int32_t common_sq = fx_mul(q, q);
  int32_t num = fx_add(fx_mul(q, r), fx_mul(fx_mul(q, common_sq), alpha_n));
  int32_t denom_minus_one =
      fx_add(fx_mul(p, fx_add(fx_add(alpha_i, q), fx_mul(alpha_d, common_sq))), fx_mul(alpha_f, q));
  int32_t recip_denom = fx_one_over_one_plus_x_for_x_in_0_1(denom_minus_one);
  int32_t num_scaled = fx_rescale(num, 0, accum_bits);
  return fx_rescale(fx_add(fx_mul(z_pow2_adj, log_2), fx_mul(num_scaled, recip_denom)), accum_bits,
                    SCALED_DIFF_BITS);
}

static edgert_status log_softmax_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  softmax_data *d;
  edgert_status st = softmax_common_prepare(ctx, &in, &out, &d);
  if (st == EDGERT_OK) st = act_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  if (in->dtype == EDGERT_FLOAT32) return EDGERT_OK;
  if (in->dtype != EDGERT_INT8 && in->dtype != EDGERT_UINT8)
    return act_unsupported_dtype(ctx, in, "float32, int8, uint8");
  if ((st = act_require_scale(ctx, in, "input")) != EDGERT_OK) return st;
  /* The output's zero point is its dtype maximum: log-probabilities are never above 0. */
  int32_t out_zp = in->dtype == EDGERT_UINT8 ? 255 : 127;
  if ((st = check_output_quant(ctx, out, out_zp, 16.0f / 256.0f, 0.0f)) != EDGERT_OK) return st;
  if ((st = softmax_scaling(ctx, 1.0, in->q.scale, d)) != EDGERT_OK) return st;
  /* The inverse of the input scaling, to bring the log of the sum back onto input differences. */
  double reverse = ldexp(1.0, 31 - d->input_left_shift) / (double)d->input_multiplier;
  int reverse_left_shift;
  if (!(reverse > 0.0 && reverse < 1.0))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input scale %g gives no reverse scaling",
                   (double)in->q.scale);
  er_quantize_multiplier(reverse, &d->reverse_scaling_divisor, &reverse_left_shift);
  d->reverse_scaling_right_shift = -reverse_left_shift;
  return EDGERT_OK;
}

static void log_softmax_float(const softmax_data *d, const float *x, float *y) {
  for (int64_t i = 0; i < d->outer; i++, x += d->depth, y += d->depth) {
    float max = -FLT_MAX;
    for (int64_t c = 0; c < d->depth; c++)
      max = x[c] > max ? x[c] : max;
    float sum = 0.0f;
    for (int64_t c = 0; c < d->depth; c++)
      sum += expf(x[c] - max);
    const float log_sum = logf(sum);
    for (int64_t c = 0; c < d->depth; c++)
      y[c] = x[c] - max - log_sum;
  }
}

/* int8 or uint8 in and out; the output zero point is the dtype maximum. */
static void log_softmax_8bit(const softmax_data *d, const void *x, void *y, edgert_dtype type) {
  int32_t type_min, type_max;
  er_dtype_range(type, &type_min, &type_max);
  for (int64_t i = 0; i < d->outer; i++) {
    const int64_t row = i * d->depth;
    int32_t max = type_min;
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t v = load_8bit(x, type, row + c);
      max = v > max ? v : max;
    }
    int32_t sum_of_exps = 0; /* Q12.19 */
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t diff = load_8bit(x, type, row + c) - max;
      if (diff < d->diff_min) continue;
      int32_t diff_q5 = er_multiply_by_quantized_multiplier(diff, d->input_multiplier, d->input_left_shift);
      sum_of_exps = fx_add(sum_of_exps,
                           fx_rescale(fx_exp_on_negative_values(diff_q5, SCALED_DIFF_BITS), 0, ACCUM_BITS));
    }
    const int32_t log_sum_q5 = log_x_ge_1(sum_of_exps);
    /* Differences at or below this map below the output's range. */
    const int32_t shifted_log_sum = fx_add(log_sum_q5, INT32_MIN);
    int32_t adjusted_diff_min = er_multiply_by_quantized_multiplier(
        shifted_log_sum, d->reverse_scaling_divisor, -d->reverse_scaling_right_shift);
    if (d->diff_min - 1 > adjusted_diff_min) adjusted_diff_min = d->diff_min - 1;
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t diff = load_8bit(x, type, row + c) - max;
      int32_t v = type_min;
      if (diff > adjusted_diff_min) {
        int32_t diff_q5 = er_multiply_by_quantized_multiplier(diff, d->input_multiplier, d->input_left_shift);
        v = er_rounding_divide_by_pot(fx_sub(diff_q5, log_sum_q5), 31 - SCALED_DIFF_BITS - LOG_OUTPUT_BITS) +
            type_max;
        v = er_clamp_i32(v, type_min, type_max);
      }
      store_quantized(y, type, row + c, v);
    }
  }
}

static edgert_status log_softmax_eval(er_op_ctx *ctx) {
  const softmax_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype == EDGERT_FLOAT32)
    log_softmax_float(d, in->data, out->data);
  else
    log_softmax_8bit(d, in->data, out->data, in->dtype);
  return EDGERT_OK;
}

const er_kernel er_kernel_softmax = {softmax_prepare, softmax_eval};
const er_kernel er_kernel_log_softmax = {log_softmax_prepare, log_softmax_eval};
