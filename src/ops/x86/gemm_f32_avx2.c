/* AVX2+FMA float32 GEMM micro-kernel: 6 rows x 16 columns (12 ymm accumulators, two B vectors, one
 * broadcast), row tails by a specialization per row count, column tails by masked loads and stores; a
 * transposed C is stored column by column after 8 x 8 transposes in registers. */
#include <immintrin.h>

#include "ops/gemm_f32.h"
#include "ops/x86/sum8_avx2.h"

enum { AVX2_MR = 6, AVX2_NR = 16 };

/* Lanes below n set. */
static inline __m256i lanes_below(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The 8 x 8 transpose of r[0..8): on return col[j] lane i = r[i][j]. */
static inline __attribute__((always_inline)) void transpose_8x8(const __m256 *r, __m256 *col) {
  __m256 s[8];
#pragma GCC unroll 2
  for (int g = 0; g < 2; g++) {
    const __m256 *q = r + 4 * g;
    const __m256 lo01 = _mm256_unpacklo_ps(q[0], q[1]), hi01 = _mm256_unpackhi_ps(q[0], q[1]);
    const __m256 lo23 = _mm256_unpacklo_ps(q[2], q[3]), hi23 = _mm256_unpackhi_ps(q[2], q[3]);
    /* s[4g + u], 128-bit lane l: column 4l + u, rows 4g..4g+3 */
    s[4 * g + 0] = _mm256_shuffle_ps(lo01, lo23, _MM_SHUFFLE(1, 0, 1, 0));
    s[4 * g + 1] = _mm256_shuffle_ps(lo01, lo23, _MM_SHUFFLE(3, 2, 3, 2));
    s[4 * g + 2] = _mm256_shuffle_ps(hi01, hi23, _MM_SHUFFLE(1, 0, 1, 0));
    s[4 * g + 3] = _mm256_shuffle_ps(hi01, hi23, _MM_SHUFFLE(3, 2, 3, 2));
  }
#pragma GCC unroll 4
  for (int u = 0; u < 4; u++) {
    col[u] = _mm256_permute2f128_ps(s[u], s[4 + u], 0x20);
    col[4 + u] = _mm256_permute2f128_ps(s[u], s[4 + u], 0x31);
  }
}

/* Lanes [0, rows) of v to c, rows a constant where inlined: plain 4-, 2- and 1-float stores, since masked
 * stores (vmaskmovps) are slow on AMD cores (they tripled the cost of a transposed C). */
static inline __attribute__((always_inline)) void store_lanes(size_t rows, __m256 v, float *c) {
  const __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  if (rows >= 8) {
    _mm256_storeu_ps(c, v);
    return;
  }
  __m128 rest = lo;
  if (rows >= 4) {
    _mm_storeu_ps(c, lo);
    rest = hi, c += 4;
  }
  const size_t left = rows & 3;
  if (left >= 2) {
    _mm_storel_pi((__m64 *)c, rest);
    rest = _mm_movehl_ps(rest, rest), c += 2;
  }
  if (left & 1) _mm_store_ss(c, rest);
}

/* The epilogue for a transposed C (C(i, j) at c[j * ldc + i]), 8 columns at a time through an in-register
 * transpose, in the order of the row-major one (C or bias per column, then bias per row, then clamp). */
static inline __attribute__((always_inline)) void store_transposed(size_t rows, const __m256 *acc0,
                                                                   const __m256 *acc1, size_t nr, float *c,
                                                                   size_t ldc, const er_f32_gemm_tile *t) {
  const __m256i m = lanes_below((int)rows);
  const __m256 lo = _mm256_set1_ps(t->min), hi = _mm256_set1_ps(t->max);
  __m256 bias_row = _mm256_setzero_ps();
  if (!t->accumulate && t->bias_row) bias_row = _mm256_maskload_ps(t->bias_row, m);
#pragma GCC unroll 2
  for (size_t h = 0; h < 2; h++) {
    if (8 * h >= nr) break;
    __m256 r[8], col[8];
#pragma GCC unroll 8
    for (size_t i = 0; i < 8; i++)
      r[i] = i < rows && i < AVX2_MR ? (h ? acc1[i] : acc0[i]) : _mm256_setzero_ps();
    transpose_8x8(r, col);
#pragma GCC unroll 8
    for (size_t x = 0; x < 8; x++) {
      const size_t j = 8 * h + x;
      if (j >= nr) break;
      float *cj = c + j * ldc;
      __m256 v = col[x];
      if (t->accumulate) {
        v = _mm256_add_ps(v, _mm256_maskload_ps(cj, m));
      } else {
        if (t->bias_col) v = _mm256_add_ps(v, _mm256_broadcast_ss(t->bias_col + j));
        if (t->bias_row) v = _mm256_add_ps(v, bias_row);
      }
      if (t->clamp) v = _mm256_min_ps(hi, _mm256_max_ps(lo, v));
      store_lanes(rows, v, cj);
    }
  }
}

/* `rows` (and rs = 1 for packed or transposed A) are constants where this is inlined, so the accumulators
 * live in registers. */
static inline __attribute__((always_inline)) void tile_6x16(size_t rows, size_t rs, size_t ks, bool in_place,
                                                            size_t bs, size_t nr, size_t kc, const void *a,
                                                            const float *b, float *c, size_t ldc,
                                                            const er_f32_gemm_tile *t) {
  __m256 acc0[AVX2_MR], acc1[AVX2_MR];
  const __m256i bm0 = lanes_below((int)nr), bm1 = lanes_below((int)nr - 8);
#pragma GCC unroll 6
  for (size_t i = 0; i < rows; i++)
    acc0[i] = _mm256_setzero_ps(), acc1[i] = _mm256_setzero_ps();
  const unsigned char *ak = a; /* row k of A's rows, in bytes */
  for (size_t k = 0; k < kc; k++) {
    /* a packed panel is padded with zeros; B in place is read only in its nr columns */
    const __m256 b0 = in_place ? _mm256_maskload_ps(b, bm0) : _mm256_loadu_ps(b);
    const __m256 b1 = in_place ? _mm256_maskload_ps(b + 8, bm1) : _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (size_t i = 0; i < rows; i++) {
      const __m256 av = _mm256_set1_ps(er_f32_load(ak, i * rs));
      acc0[i] = _mm256_fmadd_ps(av, b0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(av, b1, acc1[i]);
    }
    ak += ks * sizeof(float);
    b += bs;
  }
  if (t->c_transposed) {
    store_transposed(rows, acc0, acc1, nr, c, ldc, t);
    return;
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
      if (t->bias_col) v0 = _mm256_add_ps(v0, bias0), v1 = _mm256_add_ps(v1, bias1);
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

/* A in place with a row stride, or packed/transposed (row stride 1, a constant here); B packed, or in
 * place through one general case. */
#define TILE_CASE(rows)                                                                                      \
  case rows:                                                                                                 \
    if (t->b_k_stride)                                                                                       \
      tile_6x16(rows, rs, ks, true, t->b_k_stride, nr, kc, a, b, c, ldc, t);                                 \
    else if (rs != 1)                                                                                        \
      tile_6x16(rows, rs, ks, false, AVX2_NR, nr, kc, a, b, c, ldc, t);                                      \
    else                                                                                                     \
      tile_6x16(rows, 1, ks, false, AVX2_NR, nr, kc, a, b, c, ldc, t);                                       \
    break;

void er_f32_gemm_6x16__avx2(size_t mr, size_t nr, size_t kc, const void *a, const float *b, float *c,
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

/* y[j] = x · row j of W, a row at a time so that W streams in order (prefetched as the AVX-512 form),
 * in four chains over K (k = 0, 1, 2, 3 mod 4 vectors), then a tree sum of the chains and of the 8 lanes
 * (as the AVX-512 form). */
void er_f32_gemm_dot_row__avx2(size_t n, size_t k, const float *x, const void *w, size_t ldw, float *y) {
  const size_t row_bytes = ldw * sizeof(float);
  const __m256i tail = lanes_below((int)(k % 8));
  const size_t whole = k - k % 8, quads = k - k % 32;
  for (size_t j = 0; j < n; j++) {
    const unsigned char *wj = (const unsigned char *)w + j * row_bytes;
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    size_t p = 0;
    for (; p < quads; p += 32) {
#pragma GCC unroll 4
      for (size_t q = 0; q < 4; q++) {
        if (q % 2 == 0) /* a cache line is two vectors */
          _mm_prefetch((const char *)(wj + (p + 8 * q) * sizeof(float) + ER_F32_DOT_PREFETCH_BYTES),
                       _MM_HINT_T0);
        acc[q] = _mm256_fmadd_ps(_mm256_loadu_ps(x + p + 8 * q),
                                 _mm256_loadu_ps((const float *)(wj + (p + 8 * q) * sizeof(float))), acc[q]);
      }
    }
    for (size_t q = 0; p < whole; p += 8, q++)
      acc[q] = _mm256_fmadd_ps(_mm256_loadu_ps(x + p),
                               _mm256_loadu_ps((const float *)(wj + p * sizeof(float))), acc[q]);
    if (k % 8)
      acc[3] = _mm256_fmadd_ps(_mm256_maskload_ps(x + whole, tail),
                               _mm256_maskload_ps((const float *)(wj + whole * sizeof(float)), tail), acc[3]);
    y[j] = er_sum8_avx2(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
  }
}
