/* Fixed-point math shared by the activation family (logistic, tanh, softmax, log-softmax, l2norm):
 * gemmlowp's FixedPoint<int32_t, IntegerBits> functions (exp on negative values, 1/(1+x), logistic,
 * tanh), TFLite's int16 lookup tables and their interpolated lookup, and the small prepare-time helpers
 * (input radius, log2 check) that go with them. A fixed-point value is a raw int32_t whose number of
 * integer bits the caller tracks; every function here reproduces gemmlowp / TFLite bit for bit.
 * Wrapping adds go through unsigned arithmetic so that overflow is defined in C. */
#ifndef EDGERT_OPS_FIXEDPOINT_MATH_H
#define EDGERT_OPS_FIXEDPOINT_MATH_H

#include <math.h>
#include <stdint.h>

#include "core/quant.h"

static inline int32_t fx_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t fx_sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
static inline int32_t fx_neg(int32_t a) { return (int32_t)(0u - (uint32_t)a); }
static inline int32_t fx_mul(int32_t a, int32_t b) { return er_saturating_rounding_doubling_high_mul(a, b); }

/* x * 2^exponent: saturating for exponent > 0, rounding to nearest for exponent < 0
 * (gemmlowp SaturatingRoundingMultiplyByPOT). */
static inline int32_t fx_mul_pot(int32_t x, int exponent) {
  if (exponent > 0) {
    const int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return (int32_t)((uint32_t)x << exponent);
  }
  if (exponent < 0) return er_rounding_divide_by_pot(x, -exponent);
  return x;
}

/* Changes a value's integer bits from src_bits to dst_bits (gemmlowp Rescale). */
static inline int32_t fx_rescale(int32_t x, int src_bits, int dst_bits) {
  return fx_mul_pot(x, src_bits - dst_bits);
}

/* (a + b) / 2 rounded half away from zero (gemmlowp RoundingHalfSum). */
static inline int32_t fx_rounding_half_sum(int32_t a, int32_t b) {
  int64_t sum = (int64_t)a + (int64_t)b;
  int64_t sign = sum >= 0 ? 1 : -1;
  return (int32_t)((sum + sign) / 2);
}

/* exp(a) for a in [-1/4, 0), a and result with 0 integer bits: Taylor series around -1/8. */
static inline int32_t fx_exp_on_interval_near_zero(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668;
  const int32_t one_third = 715827883;
  int32_t x = fx_add(a, 1 << 28);
  int32_t x2 = fx_mul(x, x);
  int32_t x3 = fx_mul(x2, x);
  int32_t x4 = fx_mul(x2, x2);
  int32_t x4_over_4 = fx_mul_pot(x4, -2);
  int32_t poly = fx_mul_pot(fx_add(fx_mul(fx_add(x4_over_4, x3), one_third), x2), -1);
  return fx_add(exp_minus_one_eighth, fx_mul(exp_minus_one_eighth, fx_add(x, poly)));
}

/* exp(a) for a <= 0 with `integer_bits` integer bits; the result has 0 integer bits. The input is split
 * into a part in [-1/4, 0) and multiples of powers of two whose exponentials are constants. */
static inline int32_t fx_exp_on_negative_values(int32_t a, int integer_bits) {
  static const int32_t barrel_multipliers[7] = {1672461947, 1302514674, 790015084, 290630308,
                                                39332535,   720401,     242};
  const int fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = (int32_t)(1u << (fractional_bits - 2));
  const int32_t mask = one_quarter - 1;
  int32_t a_mod_quarter_minus_quarter = fx_sub(a & mask, one_quarter);
  int32_t result = fx_exp_on_interval_near_zero(fx_rescale(a_mod_quarter_minus_quarter, integer_bits, 0));
  int32_t remainder = fx_sub(a_mod_quarter_minus_quarter, a);
  for (int exponent = -2; exponent <= 4; exponent++) {
    if (integer_bits <= exponent) continue;
    int shift = fractional_bits + exponent;
    if (remainder & (int32_t)(1u << shift)) result = fx_mul(result, barrel_multipliers[exponent + 2]);
  }
  if (integer_bits > 5) {
    const int32_t clamp = -(int32_t)(1u << (36 - integer_bits)); /* -32.0 */
    if (a < clamp) result = 0;
  }
  if (a == 0) result = INT32_MAX;
  return result;
}

/* Newton-Raphson division shared by 1/(1+a) and (1-a)/(1+a) for a in [0, 1): returns 1/((1+a)/2) with 2
 * integer bits, the form gemmlowp iterates on (start 48/17 - 32/17 d, three steps). */
static inline int32_t fx_reciprocal_half_denominator_f2(int32_t a) {
  const int32_t forty_eight_over_17 = 1515870810;
  const int32_t neg_thirty_two_over_17 = -1010580540;
  const int32_t one_f2 = 1 << 29;
  int32_t half_denominator = fx_rounding_half_sum(a, INT32_MAX);
  int32_t x = fx_add(forty_eight_over_17, fx_mul(half_denominator, neg_thirty_two_over_17));
  for (int i = 0; i < 3; i++) {
    int32_t half_denominator_times_x = fx_mul(half_denominator, x);
    int32_t one_minus = fx_sub(one_f2, half_denominator_times_x);
    x = fx_add(x, fx_rescale(fx_mul(x, one_minus), 4, 2));
  }
  return x;
}

/* 1 / (1 + a) for a in [0, 1), both with 0 integer bits. */
static inline int32_t fx_one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  return fx_rescale(fx_reciprocal_half_denominator_f2(a), 1, 0);
}

/* (1 - a) / (1 + a) for a in [0, 1), both with 0 integer bits. */
static inline int32_t fx_one_minus_x_over_one_plus_x_for_x_in_0_1(int32_t a) {
  return fx_rescale(fx_sub(fx_reciprocal_half_denominator_f2(a), 1 << 29), 2, 0);
}

/* tanh(a), a with `integer_bits` integer bits, result with 0. */
static inline int32_t fx_tanh(int32_t a, int integer_bits) {
  if (a == 0) return 0;
  int32_t negative_part = a < 0 ? a : fx_neg(a);
  /* exp(2n) reinterprets n with one more integer bit: an exact multiply by two. */
  int32_t t =
      fx_one_minus_x_over_one_plus_x_for_x_in_0_1(fx_exp_on_negative_values(negative_part, integer_bits + 1));
  return a < 0 ? fx_neg(t) : t;
}

/* logistic(a) = 1 / (1 + exp(-a)), a with `integer_bits` integer bits, result with 0. */
static inline int32_t fx_logistic(int32_t a, int integer_bits) {
  if (a == 0) return 1 << 30;
  int32_t abs_a = a > 0 ? a : fx_neg(a);
  int32_t if_positive =
      fx_one_over_one_plus_x_for_x_in_0_1(fx_exp_on_negative_values(fx_neg(abs_a), integer_bits));
  return a > 0 ? if_positive : fx_sub(INT32_MAX, if_positive);
}

/* Leading zero bits of x; 32 for 0. */
static inline int fx_count_leading_zeros(uint32_t x) {
  if (x == 0) return 32;
  int n = 0;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    n++;
  }
  return n;
}

/* 1 / x for a positive x with x_integer_digits integer bits: returns 1/x scaled into [0.5, 1) with 0
 * integer bits and the power of two removed in *num_bits_over_unit (TFLite GetReciprocal). */
static inline int32_t fx_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit) {
  int headroom_plus_one = fx_count_leading_zeros((uint32_t)x);
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  uint32_t shifted = headroom_plus_one < 32 ? (uint32_t)x << headroom_plus_one : 0u;
  int32_t shifted_sum_minus_one = (int32_t)(shifted - (1u << 31));
  return fx_one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
}

/* The largest input magnitude that stays representable after rescaling (TFLite CalculateInputRadius). */
static inline int32_t fx_input_radius(int input_integer_bits, int input_left_shift, int total_signed_bits) {
  double max_input_rescaled = 1.0 * (double)((1 << input_integer_bits) - 1) *
                              (double)(1LL << (total_signed_bits - input_integer_bits)) /
                              (double)(1LL << input_left_shift);
  return (int32_t)floor(max_input_rescaled);
}

/* Whether x is a power of two within 1e-3 in log2, with the rounded log2 in *log2_result
 * (TFLite CheckedLog2, computed in float as TFLite does). */
static inline int fx_checked_log2(float x, int *log2_result) {
  const float x_log2 = logf(x) * (1.0f / logf(2.0f));
  const float x_log2_rounded = roundf(x_log2);
  *log2_result = (int)x_log2_rounded;
  return fabsf(x_log2 - x_log2_rounded) < 1e-3f;
}

/* Input rescaling of the int8 logistic and tanh: multiplier and left shift taking (q - zero_point) to
 * a Q4.27 value, and the radius beyond which the output saturates (TFLM logistic_common.cc, tanh.cc). */
static inline void fx_q4_input_params(float input_scale, int32_t *multiplier, int *left_shift,
                                      int32_t *radius) {
  const double real = (double)input_scale * (double)(1 << 27);
  const double q = frexp(real, left_shift);
  int64_t q_fixed = (int64_t)round(q * (double)(1LL << 31));
  if (q_fixed == (1LL << 31)) { /* q rounded up to 1.0: keep it representable */
    q_fixed /= 2;
    ++*left_shift;
  }
  *multiplier = (int32_t)q_fixed;
  *radius = fx_input_radius(4, *left_shift, 31);
}

/* Input rescaling of the int16 logistic and tanh, which index fx_sigmoid_table_uint16 with an input on
 * the scale 1/(3*4096): a multiplier of 0 means "power-of-two scale, use 3 << left_shift"; otherwise
 * multiplier in [2^14, 2^15) and a right shift (TFLM logistic_common.cc, tanh.cc). max_pot_shift is the
 * largest power-of-two shift the kernel's table indexing absorbs (0 for logistic, 1 for tanh). Returns 0
 * when the scale is too large for a 16-bit multiplier. */
static inline int fx_int16_table_input_params(float input_scale, int max_pot_shift, int32_t *multiplier,
                                              int *left_shift) {
  int log2_scale;
  int is_pot = fx_checked_log2(input_scale, &log2_scale);
  *left_shift = 12 + log2_scale; /* 15 - 3 integer bits */
  if (is_pot && *left_shift >= 0 && *left_shift <= max_pot_shift) {
    *multiplier = 0;
    return 1;
  }
  double m = (double)input_scale * 4096.0 * 3.0;
  *left_shift = 0;
  while (m <= 32767.0 / 2.0 && *left_shift <= 30) {
    ++*left_shift;
    m *= 2.0;
  }
  if (!(m <= 32767.0)) return 0;
  *multiplier = (int32_t)m;
  return 1;
}

/* Entries of an int16 lookup table: 512 samples plus one for the last slope. */
#define FX_LUT_SIZE 513

/* Fills a 513-entry int16 table of func over [input_min, input_max] with outputs in
 * [output_min, output_max], biasing each sample so linear interpolation errs least at the midpoint
 * (TFLM gen_lut<float, int16_t, int16_t>). */
static inline void fx_fill_int16_lut(float (*func)(float), float input_min, float input_max, float output_min,
                                     float output_max, int16_t *lut) {
  const int steps = 512;
  const float step = (input_max - input_min) / (float)steps;
  const float half_step = step / 2.0f;
  const float output_scaling_inv = 65536.0f / (output_max - output_min);
  for (int i = 0; i < steps; i++) {
    float val = func(input_min + (float)i * step);
    float val_midpoint = func(input_min + (float)i * step + half_step);
    float val_next = func(input_min + (float)(i + 1) * step);
    float sample_val = roundf(val * output_scaling_inv);
    float midpoint_interp_val =
        roundf((val_next * output_scaling_inv + roundf(val * output_scaling_inv)) / 2.0f);
    float midpoint_val = roundf(val_midpoint * output_scaling_inv);
    float midpoint_err = midpoint_interp_val - midpoint_val;
    float bias = roundf(midpoint_err / 2.0f);
    lut[i] = (int16_t)er_clamp_f(sample_val - bias, -32768.0f, 32767.0f);
  }
  lut[steps] = (int16_t)er_clamp_f(roundf(func(input_max) * output_scaling_inv), -32768.0f, 32767.0f);
}

/* Interpolated lookup of an int16 value in a 513-entry table: the top 9 bits pick the entry, the low 7
 * interpolate towards the next (TFLite LUTLookup). */
static inline int16_t fx_lut_lookup(int16_t value, const int16_t *lut) {
  const int index = 256 + (value >> 7);
  const int offset = value & 0x7f;
  const int base = lut[index];
  const int16_t slope = (int16_t)(lut[index + 1] - lut[index]);
  const int delta = (slope * offset + 64) >> 7;
  return (int16_t)(base + delta);
}

/* sigmoid(i / 24) for i in [0, 256) in unsigned 0.16 format, shared by the int16 logistic and tanh
 * (tanh(x) = 2 sigmoid(2x) - 1). These are TFLite's published table values
 * (tensorflow/lite/kernels/internal/common.h, sigmoid_table_uint16): not a plain rounding of the
 * formula, so they are kept as data. */
static inline const uint16_t *fx_sigmoid_table_uint16(void) {
  static const uint16_t table[256] = {
      32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064,
      42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464,
      50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503,
      56823, 57133, 57433, 57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
      60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666,
      62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968,
      64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687,
      64721, 64754, 64786, 64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
      65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258, 65269, 65280, 65291,
      65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404,
      65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465,
      65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
      65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516,
      65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525, 65525,
      65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530,
      65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
      65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
      65535};
  return table;
}

#endif
