/* int8 GEMM micro-kernel for AVX2: a 4 x 16 tile (two vectors of 8 columns), operands widened to int16 pairs
 * so that vpmaddwd (which cannot saturate on int8 values, unlike vpmaddubsw) gives two products per int32
 * lane; and the 8-lane requantization shared with the AVX-VNNI kernel. See ops/gemm_s8.h. */
#include <immintrin.h>
#include <string.h>

#include "ops/gemm_s8.h"

static inline __m256i broadcast_pair(const int16_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return _mm256_set1_epi32(v);
}

void er_s8_gemm_4x16c2__avx2(int64_t k_groups, const void *a, const void *w, int32_t *c) {
  const int16_t *pa = a;
  const int16_t *pw = w;
  __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  __m256i acc4 = acc0, acc5 = acc0, acc6 = acc0, acc7 = acc0;
  for (int64_t g = 0; g < k_groups; g++, pa += 8, pw += 32) {
    const __m256i w0 = _mm256_loadu_si256((const __m256i *)pw);
    const __m256i w1 = _mm256_loadu_si256((const __m256i *)(pw + 16));
    const __m256i a0 = broadcast_pair(pa + 0), a1 = broadcast_pair(pa + 2);
    const __m256i a2 = broadcast_pair(pa + 4), a3 = broadcast_pair(pa + 6);
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(a0, w0));
    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(a0, w1));
    acc2 = _mm256_add_epi32(acc2, _mm256_madd_epi16(a1, w0));
    acc3 = _mm256_add_epi32(acc3, _mm256_madd_epi16(a1, w1));
    acc4 = _mm256_add_epi32(acc4, _mm256_madd_epi16(a2, w0));
    acc5 = _mm256_add_epi32(acc5, _mm256_madd_epi16(a2, w1));
    acc6 = _mm256_add_epi32(acc6, _mm256_madd_epi16(a3, w0));
    acc7 = _mm256_add_epi32(acc7, _mm256_madd_epi16(a3, w1));
  }
  _mm256_storeu_si256((__m256i *)(c + 0), acc0);
  _mm256_storeu_si256((__m256i *)(c + 8), acc1);
  _mm256_storeu_si256((__m256i *)(c + 16), acc2);
  _mm256_storeu_si256((__m256i *)(c + 24), acc3);
  _mm256_storeu_si256((__m256i *)(c + 32), acc4);
  _mm256_storeu_si256((__m256i *)(c + 40), acc5);
  _mm256_storeu_si256((__m256i *)(c + 48), acc6);
  _mm256_storeu_si256((__m256i *)(c + 56), acc7);
}

/* TFLite's MultiplyByQuantizedMultiplier on 8 lanes. The rounding doubling high multiply
 * (ab + nudge) / 2^31, truncated, equals floor((ab + 2^30) / 2^31) for either sign of ab, which is bits
 * 31..62 of the 64-bit sum: a logical shift gives them without a 64-bit arithmetic shift. */
static inline __m256i multiply_by_quantized_multiplier(__m256i x, __m256i multiplier, __m256i left,
                                                       __m256i right) {
  const __m256i one = _mm256_set1_epi32(1), round = _mm256_set1_epi64x((int64_t)1 << 30);
  x = _mm256_sllv_epi32(x, left);
  __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, multiplier), round);
  __m256i odd =
      _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(multiplier, 32)), round);
  __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  /* Rounding divide by 2^right, ties away from zero (gemmlowp RoundingDivideByPOT). */
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
  const __m256i remainder = _mm256_and_si256(high, mask);
  const __m256i threshold =
      _mm256_sub_epi32(_mm256_srai_epi32(mask, 1), _mm256_cmpgt_epi32(_mm256_setzero_si256(), high));
  return _mm256_sub_epi32(_mm256_srav_epi32(high, right), _mm256_cmpgt_epi32(remainder, threshold));
}

void er_s8_requant__avx2(const int32_t *c, int32_t nr, int32_t rows, const er_s8_requant *rq, int64_t column,
                         int32_t count, int8_t *out, int64_t out_stride) {
  const __m256i offset = _mm256_set1_epi32(rq->output_offset);
  const __m256i lo = _mm256_set1_epi32(rq->act_min), hi = _mm256_set1_epi32(rq->act_max);
  /* Low byte of each int32 (a truncating cast, as the reference's), 4 per 128-bit lane. */
  const __m256i low_bytes = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0,
                                             4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  for (int32_t j = 0; j < count; j += 8) {
    const int64_t n = column + j;
    const __m256i add = _mm256_loadu_si256((const __m256i *)(rq->column_add + n));
    const __m256i multiplier = _mm256_loadu_si256((const __m256i *)(rq->multipliers + n));
    const __m256i left = _mm256_loadu_si256((const __m256i *)(rq->left_shifts + n));
    const __m256i right = _mm256_loadu_si256((const __m256i *)(rq->right_shifts + n));
    for (int32_t r = 0; r < rows; r++) {
      __m256i x = _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(c + r * nr + j)), add);
      x = multiply_by_quantized_multiplier(x, multiplier, left, right);
      x = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(x, offset), lo), hi);
      const __m256i bytes = _mm256_shuffle_epi8(x, low_bytes);
      const __m128i eight =
          _mm_unpacklo_epi32(_mm256_castsi256_si128(bytes), _mm256_extracti128_si256(bytes, 1));
      int8_t *dst = out + r * out_stride + j;
      if (count - j >= 8) {
        _mm_storel_epi64((__m128i *)dst, eight);
      } else {
        int8_t tail[16];
        _mm_storeu_si128((__m128i *)tail, eight);
        memcpy(dst, tail, (size_t)(count - j));
      }
    }
  }
}
