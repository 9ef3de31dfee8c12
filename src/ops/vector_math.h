/* The float32 exp that every vectorized kernel shares (sigmoid, softmax), in portable scalar form: the
 * SIMD variants in src/ops/x86/ and src/ops/arm/ evaluate the same steps with the same constants, so all
 * of them agree with each other to an ulp and with the C library's expf to about 1 ulp.
 *
 * exp(x) = 2^n * exp(r) with n = round(x / ln 2) and r = x - n ln 2 in [-ln2/2, ln2/2], the subtraction
 * done in two parts (Cody-Waite: ln2_hi has enough trailing zero bits that n * ln2_hi is exact for every n
 * used here). exp(r) = 1 + r + r^2 q(r) with q a degree-4 polynomial fitted for least maximum relative
 * error (3.8e-9 in float coefficients, far below an ulp). 2^n is applied in two halves so that results
 * in the subnormal range (x down to -104) round once and overflow (x above 88.72) gives infinity.
 * Inputs are clamped to [-104, 89] first, beyond which the result is 0 or infinity anyway; NaN stays NaN. */
#ifndef EDGERT_OPS_VECTOR_MATH_H
#define EDGERT_OPS_VECTOR_MATH_H

#include <stdint.h>
#include <string.h>

#define ER_EXP_F32_MIN_X (-104.0f)
#define ER_EXP_F32_MAX_X 89.0f
#define ER_EXP_F32_LOG2E 0x1.715476p+0f
#define ER_EXP_F32_LN2_HI 0x1.62e4p-1f
#define ER_EXP_F32_LN2_LO 0x1.7f7d1cp-20f
/* 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer, held in the low mantissa
 * bits. */
#define ER_EXP_F32_ROUND_MAGIC 0x1.8p+23f
#define ER_EXP_F32_C2 0x1.fffffcp-2f
#define ER_EXP_F32_C3 0x1.555492p-3f
#define ER_EXP_F32_C4 0x1.5558f2p-5f
#define ER_EXP_F32_C5 0x1.1239d4p-7f
#define ER_EXP_F32_C6 0x1.6a244cp-10f

/* The cutoffs of TFLite's float logistic (the reference kernel's): above the upper one the result is 1.0f,
 * below the lower one it is exp(x) to float precision. */
#define ER_SIGMOID_F32_UPPER 16.619047164916992188f
#define ER_SIGMOID_F32_LOWER (-9.0f)

static inline float er_f32_from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static inline uint32_t er_f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

/* 2^k for a k in [-126, 127]. */
static inline float er_f32_pow2i(int32_t k) { return er_f32_from_bits((uint32_t)(k + 127) << 23); }

static inline float er_exp_f32(float x) {
  if (x != x) return x + x;
  x = x > ER_EXP_F32_MAX_X ? ER_EXP_F32_MAX_X : x;
  x = x < ER_EXP_F32_MIN_X ? ER_EXP_F32_MIN_X : x;
  const float t = x * ER_EXP_F32_LOG2E + ER_EXP_F32_ROUND_MAGIC;
  const float n = t - ER_EXP_F32_ROUND_MAGIC;
  const int32_t k = (int32_t)(er_f32_bits(t) - er_f32_bits(ER_EXP_F32_ROUND_MAGIC)); /* n, in [-150, 128] */
  float r = x - n * ER_EXP_F32_LN2_HI;
  r = r - n * ER_EXP_F32_LN2_LO;
  float q = ER_EXP_F32_C6;
  q = q * r + ER_EXP_F32_C5;
  q = q * r + ER_EXP_F32_C4;
  q = q * r + ER_EXP_F32_C3;
  q = q * r + ER_EXP_F32_C2;
  const float p = 1.0f + (r + (r * r) * q);
  if (k >= -126 && k <= 127) return p * er_f32_pow2i(k);
  const int32_t k1 = k / 2; /* both halves in [-75, 64] */
  return p * er_f32_pow2i(k1) * er_f32_pow2i(k - k1);
}

/* The reference kernel's logistic with er_exp_f32 for expf: one exp per element, of x below the lower
 * cutoff and of -x elsewhere. */
static inline float er_sigmoid_f32(float x) {
  if (x > ER_SIGMOID_F32_UPPER) return 1.0f;
  if (x < ER_SIGMOID_F32_LOWER) return er_exp_f32(x);
  return 1.0f / (1.0f + er_exp_f32(-x));
}

#endif
