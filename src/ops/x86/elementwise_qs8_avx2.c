/* int8 ADD / SUB / MUL micro-kernels for AVX2 (see ops/elementwise_qs8.h), bit-exact with the reference:
 * 8 lanes of int32 arithmetic, tails through an 8-byte buffer.
 *
 * The doubling high multiply of gemmlowp, (a * m + nudge) / 2^31 truncated toward zero with nudge 2^30
 * or 1 - 2^30 by the product's sign, equals floor((a * m + 2^30) / 2^31) for every product: for a negative
 * one, truncation is floor((v + 2^31 - 1) / 2^31) and v + 2^31 - 1 = a * m + 2^30. The result fits 32
 * bits, so a logical 64-bit shift gives its low half. */
#include <immintrin.h>
#include <string.h>

#include "ops/elementwise_qs8.h"

/* gemmlowp SaturatingRoundingDoublingHighMul for a multiplier m > 0 broadcast in every lane. */
static inline __m256i srdhm8(__m256i a, __m256i m) {
  const __m256i nudge = _mm256_set1_epi64x((int64_t)1 << 30);
  const __m256i even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(a, m), nudge), 31);
  const __m256i odd =
      _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(a, 32), m), nudge), 31);
  return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

/* gemmlowp RoundingDivideByPOT for an exponent in [0, 31]: round half away from zero. */
static inline __m256i rdbpot8(__m256i x, int exponent) {
  const __m128i count = _mm_cvtsi32_si128(exponent);
  const __m256i mask = _mm256_set1_epi32((int32_t)(((int64_t)1 << exponent) - 1));
  const __m256i remainder = _mm256_and_si256(x, mask);
  const __m256i threshold = _mm256_add_epi32(_mm256_srai_epi32(mask, 1), _mm256_srli_epi32(x, 31));
  /* cmpgt gives -1 where the remainder is above the threshold: subtracting it adds 1 */
  return _mm256_sub_epi32(_mm256_sra_epi32(x, count), _mm256_cmpgt_epi32(remainder, threshold));
}

static inline int right_shift_of(int32_t shift) { return shift >= 0 ? 0 : (shift < -31 ? 31 : -shift); }

/* er_multiply_by_quantized_multiplier_smaller_than_one */
static inline __m256i rescale_below_one8(__m256i x, __m256i m, int right) {
  return rdbpot8(srdhm8(x, m), right);
}

static inline __m256i load8(const int8_t *x) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)x));
}

static inline void store8(int8_t *y, __m256i v) {
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  _mm_storel_epi64((__m128i *)y, _mm_packs_epi16(w, w));
}

static inline __m256i clamp8(__m256i v, __m256i lo, __m256i hi) {
  return _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
}

typedef struct {
  __m256i offset, multiplier;
  int right;
} rescale8;

static inline rescale8 rescale8_of(const er_qs8_rescale *r) {
  return (rescale8){_mm256_set1_epi32(r->offset), _mm256_set1_epi32(r->multiplier), right_shift_of(r->shift)};
}

static inline __m256i add_input8(__m256i q, const rescale8 *r, int left_shift) {
  const __m256i shifted = _mm256_slli_epi32(_mm256_add_epi32(q, r->offset), left_shift);
  return rescale_below_one8(shifted, r->multiplier, r->right);
}

typedef struct {
  __m256i multiplier, offset, lo, hi;
  int right;
} output8;

static inline __m256i add_output8(__m256i raw, const output8 *o) {
  const __m256i out = _mm256_add_epi32(rescale_below_one8(raw, o->multiplier, o->right), o->offset);
  return clamp8(out, o->lo, o->hi);
}

static inline output8 add_output8_of(const er_qs8_add_params *p) {
  return (output8){_mm256_set1_epi32(p->out_multiplier), _mm256_set1_epi32(p->out_offset),
                   _mm256_set1_epi32(p->min), _mm256_set1_epi32(p->max), right_shift_of(p->out_shift)};
}

/* Each kernel handles the last n < 8 elements through zeroed 8-byte buffers. */
static void er_qs8_vadd__avx2(size_t n, const int8_t *a, const int8_t *b, int8_t *y,
                              const er_qs8_add_params *p) {
  const rescale8 ra = rescale8_of(&p->a), rb = rescale8_of(&p->b);
  const output8 o = add_output8_of(p);
  const __m256i sign = _mm256_set1_epi32(p->b_sign);
  for (;; n -= 8, a += 8, b += 8, y += 8) {
    int8_t ta[8], tb[8], ty[8];
    const bool tail = n < 8;
    if (n == 0) break;
    if (tail) {
      memset(ta, 0, sizeof ta), memset(tb, 0, sizeof tb);
      memcpy(ta, a, n), memcpy(tb, b, n);
    }
    const __m256i xa = add_input8(load8(tail ? ta : a), &ra, p->left_shift);
    const __m256i xb = _mm256_mullo_epi32(add_input8(load8(tail ? tb : b), &rb, p->left_shift), sign);
    store8(tail ? ty : y, add_output8(_mm256_add_epi32(xa, xb), &o));
    if (tail) {
      memcpy(y, ty, n);
      break;
    }
  }
}

static void er_qs8_vaddc__avx2(size_t n, const int8_t *x, const er_qs8_rescale *r, int32_t sign,
                               int32_t addend, int8_t *y, const er_qs8_add_params *p) {
  const rescale8 rx = rescale8_of(r);
  const output8 o = add_output8_of(p);
  const __m256i vsign = _mm256_set1_epi32(sign), vaddend = _mm256_set1_epi32(addend);
  for (;; n -= 8, x += 8, y += 8) {
    int8_t tx[8], ty[8];
    const bool tail = n < 8;
    if (n == 0) break;
    if (tail) {
      memset(tx, 0, sizeof tx);
      memcpy(tx, x, n);
    }
    const __m256i v = _mm256_mullo_epi32(add_input8(load8(tail ? tx : x), &rx, p->left_shift), vsign);
    store8(tail ? ty : y, add_output8(_mm256_add_epi32(vaddend, v), &o));
    if (tail) {
      memcpy(y, ty, n);
      break;
    }
  }
}

/* er_multiply_by_quantized_multiplier: a left shift (wrapping; 32 or more gives 0) or a right one. */
static inline __m256i mul_output8(__m256i product, const er_qs8_mul_params *p, __m256i m, __m256i offset,
                                  __m256i lo, __m256i hi) {
  const int left = p->shift > 0 ? p->shift : 0;
  const __m256i shifted = _mm256_sll_epi32(product, _mm_cvtsi32_si128(left));
  const __m256i out = _mm256_add_epi32(rdbpot8(srdhm8(shifted, m), right_shift_of(p->shift)), offset);
  return clamp8(out, lo, hi);
}

static void er_qs8_vmul__avx2(size_t n, const int8_t *a, const int8_t *b, int8_t *y,
                              const er_qs8_mul_params *p) {
  const __m256i m = _mm256_set1_epi32(p->multiplier), offset = _mm256_set1_epi32(p->out_offset);
  const __m256i lo = _mm256_set1_epi32(p->min), hi = _mm256_set1_epi32(p->max);
  const __m256i oa = _mm256_set1_epi32(p->a_offset), ob = _mm256_set1_epi32(p->b_offset);
  for (;; n -= 8, a += 8, b += 8, y += 8) {
    int8_t ta[8], tb[8], ty[8];
    const bool tail = n < 8;
    if (n == 0) break;
    if (tail) {
      memset(ta, 0, sizeof ta), memset(tb, 0, sizeof tb);
      memcpy(ta, a, n), memcpy(tb, b, n);
    }
    const __m256i product = _mm256_mullo_epi32(_mm256_add_epi32(load8(tail ? ta : a), oa),
                                               _mm256_add_epi32(load8(tail ? tb : b), ob));
    store8(tail ? ty : y, mul_output8(product, p, m, offset, lo, hi));
    if (tail) {
      memcpy(y, ty, n);
      break;
    }
  }
}

static void er_qs8_vmulc__avx2(size_t n, const int8_t *x, int32_t x_offset, int32_t factor, int8_t *y,
                               const er_qs8_mul_params *p) {
  const __m256i m = _mm256_set1_epi32(p->multiplier), offset = _mm256_set1_epi32(p->out_offset);
  const __m256i lo = _mm256_set1_epi32(p->min), hi = _mm256_set1_epi32(p->max);
  const __m256i ox = _mm256_set1_epi32(x_offset), f = _mm256_set1_epi32(factor);
  for (;; n -= 8, x += 8, y += 8) {
    int8_t tx[8], ty[8];
    const bool tail = n < 8;
    if (n == 0) break;
    if (tail) {
      memset(tx, 0, sizeof tx);
      memcpy(tx, x, n);
    }
    const __m256i product = _mm256_mullo_epi32(_mm256_add_epi32(load8(tail ? tx : x), ox), f);
    store8(tail ? ty : y, mul_output8(product, p, m, offset, lo, hi));
    if (tail) {
      memcpy(y, ty, n);
      break;
    }
  }
}

const er_qs8_elementwise_isa er_qs8_elementwise__avx2 = {"avx2", er_qs8_vadd__avx2, er_qs8_vaddc__avx2,
                                                         er_qs8_vmul__avx2, er_qs8_vmulc__avx2};
