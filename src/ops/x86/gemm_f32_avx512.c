/* AVX-512 float32 GEMM micro-kernel: 12 rows x 32 columns (24 zmm accumulators, two B vectors, one
 * broadcast). Row tails and tiles of at most 16 columns run specializations that compute only what is
 * there; a single row (GEMV) splits its sum over K into four chains to hide the FMA latency. Column tails
 * are masked. */
#include <immintrin.h>

#include "ops/gemm_f32.h"

enum { AVX512_MR = 12, AVX512_NR = 32 };

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Bias, accumulation, clamp and masked store of `rows` rows of `nv` (1 or 2) vectors; constants where
 * inlined. */
static ALWAYS_INLINE void store_rows(size_t rows, size_t nv, __m512 *acc0, __m512 *acc1, size_t nr, float *c,
                                     size_t ldc, const er_f32_gemm_tile *t) {
  const __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
  const __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : 0;
  __m512 bias0 = _mm512_setzero_ps(), bias1 = _mm512_setzero_ps();
  if (!t->accumulate && t->bias_col) {
    bias0 = _mm512_maskz_loadu_ps(m0, t->bias_col);
    if (nv == 2) bias1 = _mm512_maskz_loadu_ps(m1, t->bias_col + 16);
  }
  const __m512 lo = _mm512_set1_ps(t->min), hi = _mm512_set1_ps(t->max);
#pragma GCC unroll 12
  for (size_t i = 0; i < rows; i++) {
    float *ci = c + i * ldc;
    __m512 v0 = acc0[i], v1 = nv == 2 ? acc1[i] : _mm512_setzero_ps();
    if (t->accumulate) {
      v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, ci));
      if (nv == 2) v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, ci + 16));
    } else {
      v0 = _mm512_add_ps(v0, bias0), v1 = _mm512_add_ps(v1, bias1);
      if (t->bias_row) {
        const __m512 br = _mm512_set1_ps(t->bias_row[i]);
        v0 = _mm512_add_ps(v0, br), v1 = _mm512_add_ps(v1, br);
      }
    }
    if (t->clamp) {
      /* max(lo, v) and min(hi, v) return v when it is NaN */
      v0 = _mm512_min_ps(hi, _mm512_max_ps(lo, v0));
      v1 = _mm512_min_ps(hi, _mm512_max_ps(lo, v1));
    }
    _mm512_mask_storeu_ps(ci, m0, v0);
    if (nv == 2) _mm512_mask_storeu_ps(ci + 16, m1, v1);
  }
}

/* `rows` rows and `nv` vectors of columns; constants where inlined, so the accumulators live in
 * registers. */
static ALWAYS_INLINE void tile_rows(size_t rows, size_t nv, size_t rs, size_t ks, size_t nr, size_t kc,
                                    const float *a, const float *b, float *c, size_t ldc,
                                    const er_f32_gemm_tile *t) {
  __m512 acc0[AVX512_MR], acc1[AVX512_MR];
#pragma GCC unroll 12
  for (size_t i = 0; i < rows; i++)
    acc0[i] = _mm512_setzero_ps(), acc1[i] = _mm512_setzero_ps();
  for (size_t k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = nv == 2 ? _mm512_loadu_ps(b + 16) : b0;
#pragma GCC unroll 12
    for (size_t i = 0; i < rows; i++) {
      const __m512 av = _mm512_set1_ps(a[i * rs]);
      acc0[i] = _mm512_fmadd_ps(av, b0, acc0[i]);
      if (nv == 2) acc1[i] = _mm512_fmadd_ps(av, b1, acc1[i]);
    }
    a += ks;
    b += AVX512_NR;
  }
  store_rows(rows, nv, acc0, acc1, nr, c, ldc, t);
}

/* One row: four partial sums per vector, over k = 0, 1, 2, 3 mod 4. */
static ALWAYS_INLINE void tile_row(size_t nv, size_t ks, size_t nr, size_t kc, const float *a, const float *b,
                                   float *c, const er_f32_gemm_tile *t) {
  __m512 p0[4], p1[4];
#pragma GCC unroll 4
  for (int u = 0; u < 4; u++)
    p0[u] = _mm512_setzero_ps(), p1[u] = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 4 <= kc; k += 4) {
#pragma GCC unroll 4
    for (int u = 0; u < 4; u++) {
      const __m512 av = _mm512_set1_ps(a[(k + u) * ks]);
      p0[u] = _mm512_fmadd_ps(av, _mm512_loadu_ps(b + (k + u) * AVX512_NR), p0[u]);
      if (nv == 2) p1[u] = _mm512_fmadd_ps(av, _mm512_loadu_ps(b + (k + u) * AVX512_NR + 16), p1[u]);
    }
  }
  for (; k < kc; k++) {
    const __m512 av = _mm512_set1_ps(a[k * ks]);
    p0[0] = _mm512_fmadd_ps(av, _mm512_loadu_ps(b + k * AVX512_NR), p0[0]);
    if (nv == 2) p1[0] = _mm512_fmadd_ps(av, _mm512_loadu_ps(b + k * AVX512_NR + 16), p1[0]);
  }
  __m512 acc0[1] = {_mm512_add_ps(_mm512_add_ps(p0[0], p0[1]), _mm512_add_ps(p0[2], p0[3]))};
  __m512 acc1[1] = {_mm512_add_ps(_mm512_add_ps(p1[0], p1[1]), _mm512_add_ps(p1[2], p1[3]))};
  store_rows(1, nv, acc0, acc1, nr, c, 0, t);
}

/* Rows in place with a row stride (A untransposed) or packed/transposed (row stride 1, a constant here). */
#define TILE_CASE(rows)                                                                                      \
  case rows:                                                                                                 \
    if (rs != 1 && nr > 16)                                                                                  \
      tile_rows(rows, 2, rs, ks, nr, kc, a, b, c, ldc, t);                                                   \
    else if (rs != 1)                                                                                        \
      tile_rows(rows, 1, rs, ks, nr, kc, a, b, c, ldc, t);                                                   \
    else if (nr > 16)                                                                                        \
      tile_rows(rows, 2, 1, ks, nr, kc, a, b, c, ldc, t);                                                    \
    else                                                                                                     \
      tile_rows(rows, 1, 1, ks, nr, kc, a, b, c, ldc, t);                                                    \
    break;

void er_f32_gemm_12x32__avx512(size_t mr, size_t nr, size_t kc, const float *a, const float *b, float *c,
                               size_t ldc, const er_f32_gemm_tile *t) {
  const size_t rs = t->a_row_stride ? t->a_row_stride : 1, ks = t->a_row_stride ? t->a_k_stride : mr;
  switch (mr) {
  case 1:
    if (nr > 16)
      tile_row(2, ks, nr, kc, a, b, c, t);
    else
      tile_row(1, ks, nr, kc, a, b, c, t);
    break;
    TILE_CASE(2)
    TILE_CASE(3)
    TILE_CASE(4)
    TILE_CASE(5)
    TILE_CASE(6)
    TILE_CASE(7)
    TILE_CASE(8)
    TILE_CASE(9)
    TILE_CASE(10)
    TILE_CASE(11)
  default: TILE_CASE(12)
  }
}
