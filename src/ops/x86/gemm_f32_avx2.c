/* AVX2+FMA float32 GEMM micro-kernel: 6 rows x 16 columns (12 ymm accumulators, two B vectors, one
 * broadcast), row tails by a specialization per row count, column tails by masked loads and stores. */
#include <immintrin.h>

#include "ops/gemm_f32.h"

enum { AVX2_MR = 6, AVX2_NR = 16 };

/* Lanes below n set. */
static inline __m256i lanes_below(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* `rows` (and rs = 1 for packed or transposed A) are constants where this is inlined, so the accumulators
 * live in registers. */
static inline __attribute__((always_inline)) void tile_6x16(size_t rows, size_t rs, size_t ks, size_t nr,
                                                            size_t kc, const float *a, const float *b,
                                                            float *c, size_t ldc, const er_f32_gemm_tile *t) {
  __m256 acc0[AVX2_MR], acc1[AVX2_MR];
#pragma GCC unroll 6
  for (size_t i = 0; i < rows; i++)
    acc0[i] = _mm256_setzero_ps(), acc1[i] = _mm256_setzero_ps();
  for (size_t k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (size_t i = 0; i < rows; i++) {
      const __m256 av = _mm256_broadcast_ss(a + i * rs);
      acc0[i] = _mm256_fmadd_ps(av, b0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(av, b1, acc1[i]);
    }
    a += ks;
    b += AVX2_NR;
  }
  const __m256i m0 = lanes_below((int)nr), m1 = lanes_below((int)nr - 8);
  __m256 bias0 = _mm256_setzero_ps(), bias1 = _mm256_setzero_ps();
  if (!t->accumulate && t->bias_col) {
    bias0 = _mm256_maskload_ps(t->bias_col, m0);
    bias1 = _mm256_maskload_ps(t->bias_col + 8, m1);
  }
  const __m256 lo = _mm256_set1_ps(t->min), hi = _mm256_set1_ps(t->max);
#pragma GCC unroll 6
  for (size_t i = 0; i < rows; i++) {
    float *ci = c + i * ldc;
    __m256 v0 = acc0[i], v1 = acc1[i];
    if (t->accumulate) {
      v0 = _mm256_add_ps(v0, _mm256_maskload_ps(ci, m0));
      v1 = _mm256_add_ps(v1, _mm256_maskload_ps(ci + 8, m1));
    } else {
      v0 = _mm256_add_ps(v0, bias0), v1 = _mm256_add_ps(v1, bias1);
      if (t->bias_row) {
        const __m256 br = _mm256_broadcast_ss(t->bias_row + i);
        v0 = _mm256_add_ps(v0, br), v1 = _mm256_add_ps(v1, br);
      }
    }
    if (t->clamp) {
      /* max(lo, v) and min(hi, v) return v when it is NaN */
      v0 = _mm256_min_ps(hi, _mm256_max_ps(lo, v0));
      v1 = _mm256_min_ps(hi, _mm256_max_ps(lo, v1));
    }
    if (nr >= AVX2_NR) {
      _mm256_storeu_ps(ci, v0);
      _mm256_storeu_ps(ci + 8, v1);
    } else {
      _mm256_maskstore_ps(ci, m0, v0);
      _mm256_maskstore_ps(ci + 8, m1, v1);
    }
  }
}

#define TILE_CASE(rows)                                                                                      \
  case rows:                                                                                                 \
    if (rs != 1)                                                                                             \
      tile_6x16(rows, rs, ks, nr, kc, a, b, c, ldc, t);                                                      \
    else                                                                                                     \
      tile_6x16(rows, 1, ks, nr, kc, a, b, c, ldc, t);                                                       \
    break;

void er_f32_gemm_6x16__avx2(size_t mr, size_t nr, size_t kc, const float *a, const float *b, float *c,
                            size_t ldc, const er_f32_gemm_tile *t) {
  const size_t rs = t->a_row_stride ? t->a_row_stride : 1, ks = t->a_row_stride ? t->a_k_stride : mr;
  switch (mr) {
    TILE_CASE(1)
    TILE_CASE(2)
    TILE_CASE(3)
    TILE_CASE(4)
    TILE_CASE(5)
  default: TILE_CASE(6)
  }
}
