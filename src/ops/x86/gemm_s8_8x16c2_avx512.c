/* int8 GEMM micro-kernel for AVX-512 without VNNI: an 8 x 16 tile on int16-widened operands (vpmaddwd,
 * two products per int32 lane); and the 16-lane requantization shared with the AVX-512 VNNI kernel. See
 * ops/gemm_s8.h. */
#include <immintrin.h>
#include <string.h>

#include "ops/gemm_s8.h"

static inline __m512i broadcast_pair(const int16_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return _mm512_set1_epi32(v);
}

void er_s8_gemm_8x16c2__avx512(int64_t k_groups, const void *a, const void *w, int32_t *c) {
  const int16_t *pa = a;
  const int16_t *pw = w;
  __m512i acc0 = _mm512_setzero_si512(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  __m512i acc4 = acc0, acc5 = acc0, acc6 = acc0, acc7 = acc0;
  for (int64_t g = 0; g < k_groups; g++, pa += 16, pw += 32) {
    const __m512i wv = _mm512_loadu_si512(pw);
    acc0 = _mm512_add_epi32(acc0, _mm512_madd_epi16(broadcast_pair(pa + 0), wv));
    acc1 = _mm512_add_epi32(acc1, _mm512_madd_epi16(broadcast_pair(pa + 2), wv));
    acc2 = _mm512_add_epi32(acc2, _mm512_madd_epi16(broadcast_pair(pa + 4), wv));
    acc3 = _mm512_add_epi32(acc3, _mm512_madd_epi16(broadcast_pair(pa + 6), wv));
    acc4 = _mm512_add_epi32(acc4, _mm512_madd_epi16(broadcast_pair(pa + 8), wv));
    acc5 = _mm512_add_epi32(acc5, _mm512_madd_epi16(broadcast_pair(pa + 10), wv));
    acc6 = _mm512_add_epi32(acc6, _mm512_madd_epi16(broadcast_pair(pa + 12), wv));
    acc7 = _mm512_add_epi32(acc7, _mm512_madd_epi16(broadcast_pair(pa + 14), wv));
  }
  _mm512_storeu_si512(c + 0, acc0);
  _mm512_storeu_si512(c + 16, acc1);
  _mm512_storeu_si512(c + 32, acc2);
  _mm512_storeu_si512(c + 48, acc3);
  _mm512_storeu_si512(c + 64, acc4);
  _mm512_storeu_si512(c + 80, acc5);
  _mm512_storeu_si512(c + 96, acc6);
  _mm512_storeu_si512(c + 112, acc7);
}

/* TFLite's MultiplyByQuantizedMultiplier on 16 lanes; the same arithmetic as the AVX2 form (see
 * gemm_s8_4x16c2_avx2.c): the high multiply is bits 31..62 of ab + 2^30, then a rounding divide with ties
 * away from zero. */
static inline __m512i multiply_by_quantized_multiplier(__m512i x, __m512i multiplier, __m512i left,
                                                       __m512i right) {
  const __m512i one = _mm512_set1_epi32(1), round = _mm512_set1_epi64((int64_t)1 << 30);
  x = _mm512_sllv_epi32(x, left);
  __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, multiplier), round);
  __m512i odd =
      _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(multiplier, 32)), round);
  __m512i high = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));
  const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);
  const __m512i remainder = _mm512_and_si512(high, mask);
  __m512i threshold = _mm512_srai_epi32(mask, 1);
  threshold =
      _mm512_mask_add_epi32(threshold, _mm512_cmplt_epi32_mask(high, _mm512_setzero_si512()), threshold, one);
  const __m512i shifted = _mm512_srav_epi32(high, right);
  return _mm512_mask_add_epi32(shifted, _mm512_cmpgt_epi32_mask(remainder, threshold), shifted, one);
}

void er_s8_requant__avx512(const int32_t *c, int32_t nr, int32_t rows, const er_s8_requant *rq,
                           int64_t column, int32_t count, int8_t *out, int64_t out_stride) {
  const __m512i offset = _mm512_set1_epi32(rq->output_offset);
  const __m512i lo = _mm512_set1_epi32(rq->act_min), hi = _mm512_set1_epi32(rq->act_max);
  for (int32_t j = 0; j < count; j += 16) {
    const int64_t n = column + j;
    const __m512i add = _mm512_loadu_si512(rq->column_add + n),
                  multiplier = _mm512_loadu_si512(rq->multipliers + n);
    const __m512i left = _mm512_loadu_si512(rq->left_shifts + n),
                  right = _mm512_loadu_si512(rq->right_shifts + n);
    const int32_t remaining = count - j;
    const __mmask16 store = remaining >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << remaining) - 1u);
    for (int32_t r = 0; r < rows; r++) {
      __m512i x = _mm512_add_epi32(_mm512_loadu_si512(c + r * nr + j), add);
      x = multiply_by_quantized_multiplier(x, multiplier, left, right);
      x = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(x, offset), lo), hi);
      _mm_mask_storeu_epi8(out + r * out_stride + j, store, _mm512_cvtepi32_epi8(x)); /* vpmovdb truncates */
    }
  }
}
