/* The sum of a __m256's 8 lanes as a tree ((0+4, 1+5, 2+6, 3+7), then pairs, then the last two), for the
 * AVX2 kernels that reduce a vector of partial sums (a dot product, a row's sum). Include only from files
 * built with AVX2. */
#ifndef EDGERT_OPS_X86_SUM8_AVX2_H
#define EDGERT_OPS_X86_SUM8_AVX2_H

#include <immintrin.h>

static inline float er_sum8_avx2(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

#endif
