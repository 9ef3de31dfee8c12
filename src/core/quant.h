/* Integer arithmetic shared by every quantized kernel, reproducing TensorFlow Lite's reference
 * fixed-point rules exactly (tensorflow/lite/kernels/internal/common.h, gemmlowp fixedpoint), with
 * TFLite's default double rounding. Keep all such math here so every kernel rounds the same way. */
#ifndef EDGERT_CORE_QUANT_H
#define EDGERT_CORE_QUANT_H

#include <stdint.h>

#include "core/attrs.h"

/* A real multiplier as a Q31 value and a power-of-two exponent: real ≈ multiplier * 2^(shift - 31).
 * shift > 0 shifts left. As TFLite's QuantizeMultiplier: multipliers below 2^-32 flush to (0, 0); negative
 * multipliers give negative Q31 values; NaN or infinity (never valid) give (0, 0). */
void er_quantize_multiplier(double real, int32_t *multiplier, int *shift);
/* For multipliers below 1 (shift <= 0) and above 1 (shift >= 0) as TFLite's variants require. */
void er_quantize_multiplier_smaller_than_one(double real, int32_t *multiplier, int *shift);

int32_t er_saturating_rounding_doubling_high_mul(int32_t a, int32_t b);
int32_t er_rounding_divide_by_pot(int32_t x, int exponent);
int64_t er_rounding_divide_by_pot_64(int64_t x, int exponent);
/* x * multiplier * 2^shift with TFLite's rounding (MultiplyByQuantizedMultiplier). */
int32_t er_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift);
/* The int64-accumulator variant used by int16x8 kernels. */
int32_t er_multiply_by_quantized_multiplier_64(int64_t x, int32_t multiplier, int shift);
/* For multipliers < 1 known to have shift <= 0 (…SmallerThanOneExp) */
int32_t er_multiply_by_quantized_multiplier_smaller_than_one(int32_t x, int32_t multiplier, int shift);

/* max with lo, then min with hi, in TFLite's order: when lo > hi (an output zero point outside the type's
 * range) the result is hi, as TFLite gives. */
static inline int32_t er_clamp_i32(int32_t v, int32_t lo, int32_t hi) {
  int32_t above = v > lo ? v : lo;
  return above < hi ? above : hi;
}

/* Quantized range of an activation on an output with scale/zero point, clipped to [qmin, qmax]
 * (TFLite CalculateActivationRangeQuantized). */
void er_activation_range_quantized(er_activation act, float scale, int32_t zero_point, int32_t qmin,
                                   int32_t qmax, int32_t *act_min, int32_t *act_max);
/* Float range of an activation (TFLite CalculateActivationRange); NONE gives [-inf, inf]. */
void er_activation_range_float(er_activation act, float *act_min, float *act_max);
static inline float er_clamp_f(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* Round half away from zero, as std::round (TfLiteRound). */
float er_round_f(float x);

/* Quantize one float into dtype range (TFLite's AffineQuantize: round, add zero point, clamp). */
int32_t er_quantize_value(float x, float scale, int32_t zero_point, int32_t qmin, int32_t qmax);

/* The representable range of an integer dtype (int8, uint8, int16, int32). */
void er_dtype_range(edgert_dtype dtype, int32_t *qmin, int32_t *qmax);

#endif
