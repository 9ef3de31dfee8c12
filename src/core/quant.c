/* TFLite's fixed-point helpers, double-rounding build (TFLITE_SINGLE_ROUNDING undefined), checked line by
 * line against tensorflow/lite/kernels/internal/{common.h,common.cc,quantization_util.cc} and gemmlowp's
 * fixedpoint.h. Where TFLite relies on signed overflow wrapping (x * (1 << 31)) or on shifts the C standard
 * leaves undefined, we do the same arithmetic in unsigned types so the bits match without undefined
 * behaviour; inputs TFLite would reject with a CHECK give a defined, harmless result instead. */
#include "core/quant.h"

#include <float.h>
#include <math.h>

void er_quantize_multiplier(double real, int32_t *multiplier, int *shift) {
  /* NaN and infinities cannot come from valid scales; kernels reject them, this keeps frexp defined. */
  if (real == 0.0 || !isfinite(real)) {
    *multiplier = 0;
    *shift = 0;
    return;
  }
  int exp = 0;
  double q = frexp(real, &exp);
  int64_t q_fixed = (int64_t)round(q * (double)(1LL << 31));
  if (q_fixed == (1LL << 31)) {
    q_fixed /= 2;
    exp++;
  }
  /* Shifts below -31 would shift every bit out: TFLite flushes such multipliers to zero. There is no
   * clamp at the top in the double-rounding build: softmax really uses shift 31. */
  if (exp < -31) {
    exp = 0;
    q_fixed = 0;
  }
  *multiplier = (int32_t)q_fixed;
  *shift = exp;
}

void er_quantize_multiplier_smaller_than_one(double real, int32_t *multiplier, int *shift) {
  er_quantize_multiplier(real, multiplier, shift);
}

int32_t er_saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  /* Division truncates toward zero, as in gemmlowp; a shift would floor. */
  return (int32_t)((ab + nudge) / (1LL << 31));
}

int32_t er_rounding_divide_by_pot(int32_t x, int exponent) {
  if (exponent <= 0) return x;
  if (exponent > 31) exponent = 31; /* gemmlowp asserts exponent <= 31 */
  int32_t mask = (int32_t)((1LL << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int64_t er_rounding_divide_by_pot_64(int64_t x, int exponent) {
  if (exponent <= 0) return x;
  if (exponent > 63) exponent = 63;
  int64_t mask = (int64_t)((1ULL << exponent) - 1);
  int64_t remainder = x & mask;
  int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t er_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  int left = shift > 0 ? shift : 0;
  int right = shift > 0 ? 0 : -shift;
  /* TFLite computes x * (1 << left) in int32 and lets it wrap; shifting the unsigned bits is the same. */
  int32_t shifted = left >= 32 ? 0 : (int32_t)((uint32_t)x << left);
  return er_rounding_divide_by_pot(er_saturating_rounding_doubling_high_mul(shifted, multiplier), right);
}

int32_t er_multiply_by_quantized_multiplier_smaller_than_one(int32_t x, int32_t multiplier, int shift) {
  return er_rounding_divide_by_pot(er_saturating_rounding_doubling_high_mul(x, multiplier), -shift);
}

int32_t er_multiply_by_quantized_multiplier_64(int64_t x, int32_t multiplier, int shift) {
  /* TFLite reduces the multiplier to 16 bits so that x (|x| < 2^47) times it fits in 64 bits, then rounds
   * once (round half up) while shifting right by 15 - shift. TFLite assumes shift in [-31, 7]; larger
   * shifts are clamped here so the shift count stays positive. */
  int32_t reduced = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
  int total_shift = 15 - shift;
  if (total_shift < 1) total_shift = 1;
  if (total_shift > 62) total_shift = 62;
  uint64_t wrapped = (uint64_t)x * (uint64_t)(int64_t)reduced + ((uint64_t)1 << (total_shift - 1));
  int64_t v = (int64_t)wrapped; /* two's complement, as TFLite's int64 arithmetic gives */
  return (int32_t)(uint32_t)(uint64_t)(v >> total_shift);
}

/* TFLite's Quantize in kernel_util.cc: zero_point + (int32)round(f / scale), no clamping. */
static int32_t quantize_unclamped(float f, float scale, int32_t zero_point) {
  float r = roundf(f / scale);
  if (!(r >= -2147483648.0f && r < 2147483648.0f)) r = r > 0 ? 2147483520.0f : -2147483648.0f;
  return (int32_t)((uint32_t)zero_point + (uint32_t)(int32_t)r);
}

void er_activation_range_quantized(er_activation act, float scale, int32_t zero_point, int32_t qmin,
                                   int32_t qmax, int32_t *act_min, int32_t *act_max) {
  /* As TFLite's CalculateActivationRangeQuantizedImpl: the activation bound is quantized without
   * clamping, then max/min'ed with the type's range. With a zero point outside the type's range the result
   * can be min > max, exactly as in TFLite; kernels clamp with max-then-min (er_clamp_i32) like TFLite. */
  int32_t lo = qmin, hi = qmax;
  if (scale > 0 && isfinite(scale)) {
    if (act == ER_ACT_RELU) {
      int32_t q0 = quantize_unclamped(0.0f, scale, zero_point);
      lo = q0 > qmin ? q0 : qmin;
    } else if (act == ER_ACT_RELU6) {
      int32_t q0 = quantize_unclamped(0.0f, scale, zero_point);
      int32_t q6 = quantize_unclamped(6.0f, scale, zero_point);
      lo = q0 > qmin ? q0 : qmin;
      hi = q6 < qmax ? q6 : qmax;
    } else if (act == ER_ACT_RELU_N1_TO_1) {
      int32_t qn1 = quantize_unclamped(-1.0f, scale, zero_point);
      int32_t q1 = quantize_unclamped(1.0f, scale, zero_point);
      lo = qn1 > qmin ? qn1 : qmin;
      hi = q1 < qmax ? q1 : qmax;
    }
  }
  *act_min = lo;
  *act_max = hi;
}

void er_activation_range_float(er_activation act, float *act_min, float *act_max) {
  /* TFLite's CalculateActivationRange uses the finite float limits, so an infinite sum with no activation
   * comes out as +-FLT_MAX, as in TFLite. */
  *act_min = -FLT_MAX;
  *act_max = FLT_MAX;
  if (act == ER_ACT_RELU) {
    *act_min = 0.0f;
  } else if (act == ER_ACT_RELU6) {
    *act_min = 0.0f;
    *act_max = 6.0f;
  } else if (act == ER_ACT_RELU_N1_TO_1) {
    *act_min = -1.0f;
    *act_max = 1.0f;
  }
}

float er_round_f(float x) { return roundf(x); }

int32_t er_quantize_value(float x, float scale, int32_t zero_point, int32_t qmin, int32_t qmax) {
  float r = roundf(x / scale);
  double v = (double)r + (double)zero_point;
  if (!(v >= (double)qmin)) return qmin; /* also maps NaN to qmin */
  if (v > (double)qmax) return qmax;
  return (int32_t)v;
}

void er_dtype_range(edgert_dtype dtype, int32_t *qmin, int32_t *qmax) {
  switch (dtype) {
  case EDGERT_INT8:
    *qmin = -128;
    *qmax = 127;
    break;
  case EDGERT_UINT8:
    *qmin = 0;
    *qmax = 255;
    break;
  case EDGERT_INT16:
    *qmin = -32768;
    *qmax = 32767;
    break;
  default:
    *qmin = INT32_MIN;
    *qmax = INT32_MAX;
    break;
  }
}
