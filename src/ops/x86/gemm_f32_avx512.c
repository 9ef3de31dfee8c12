/* AVX-512 float32 GEMM micro-kernel: 12 rows x 32 columns (24 zmm accumulators, two B vectors, one
 * broadcast). Row tails and tiles of at most 16 columns run specializations that compute only what is
 * there; a single row (GEMV) splits its sum over K into four chains to hide the FMA latency. Column tails
 * are masked. A transposed C is stored column by column after 16 x 16 transposes in registers. */
#include <immintrin.h>

#include "ops/gemm_f32.h"

enum { AVX512_MR = 12, AVX512_NR = 32 };

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Lanes below n (0..16) set. */
static inline __mmask16 lanes_below(size_t n) {
  return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}

/* The 16 x 16 transpose of r[0..4 * groups) (groups of 4 rows; the rows past them are not read and the
 * lanes they would fill are left undefined): on return col[j] holds column j, lane i = r[i][j]. Two
 * in-lane stages transpose each 4 x 4 block, two stages of 128-bit lane shuffles gather the blocks. */
static ALWAYS_INLINE void transpose_16x16(size_t groups, const __m512 *r, __m512 *col) {
  __m512 s[16];
#pragma GCC unroll 4
  for (size_t g = 0; g < groups; g++) {
    const __m512 *q = r + 4 * g;
    const __m512 lo01 = _mm512_unpacklo_ps(q[0], q[1]), hi01 = _mm512_unpackhi_ps(q[0], q[1]);
    const __m512 lo23 = _mm512_unpacklo_ps(q[2], q[3]), hi23 = _mm512_unpackhi_ps(q[2], q[3]);
    /* s[4g + u], 128-bit lane l: column 4l + u, rows 4g..4g+3 */
    s[4 * g + 0] = _mm512_shuffle_ps(lo01, lo23, _MM_SHUFFLE(1, 0, 1, 0));
    s[4 * g + 1] = _mm512_shuffle_ps(lo01, lo23, _MM_SHUFFLE(3, 2, 3, 2));
    s[4 * g + 2] = _mm512_shuffle_ps(hi01, hi23, _MM_SHUFFLE(1, 0, 1, 0));
    s[4 * g + 3] = _mm512_shuffle_ps(hi01, hi23, _MM_SHUFFLE(3, 2, 3, 2));
  }
#pragma GCC unroll 4
  for (size_t u = 0; u < 4; u++) {
    /* missing groups repeat group 0: their lanes are never stored */
    const __m512 g0 = s[u], g1 = groups > 1 ? s[4 + u] : g0, g2 = groups > 2 ? s[8 + u] : g0;
    const __m512 g3 = groups > 3 ? s[12 + u] : g0;
    const __m512 even01 = _mm512_shuffle_f32x4(g0, g1, 0x88), odd01 = _mm512_shuffle_f32x4(g0, g1, 0xDD);
    const __m512 even23 = _mm512_shuffle_f32x4(g2, g3, 0x88), odd23 = _mm512_shuffle_f32x4(g2, g3, 0xDD);
    col[u] = _mm512_shuffle_f32x4(even01, even23, 0x88);
    col[4 + u] = _mm512_shuffle_f32x4(odd01, odd23, 0x88);
    col[8 + u] = _mm512_shuffle_f32x4(even01, even23, 0xDD);
    col[12 + u] = _mm512_shuffle_f32x4(odd01, odd23, 0xDD);
  }
}

/* B given transposed, 16 x 16 at a time into a packed panel: dst[k * dst_ld + j] = scale * row j's float k,
 * the rows src_ld floats apart from src (any byte address). Unaligned loads and full-line stores where
 * the scalar transpose stored a float at a time (most of a 1x1 conv's weight packing at load). */
void er_f32_gemm_transpose_16x16__avx512(const void *src, size_t src_ld, float scale, float *dst,
                                         size_t dst_ld) {
  __m512 r[16], col[16];
  const unsigned char *row = src;
#pragma GCC unroll 16
  for (size_t j = 0; j < 16; j++)
    r[j] = _mm512_loadu_ps(row + j * src_ld * sizeof(float));
  transpose_16x16(4, r, col);
  const __m512 s = _mm512_set1_ps(scale);
#pragma GCC unroll 16
  for (size_t k = 0; k < 16; k++)
    _mm512_storeu_ps(dst + k * dst_ld, scale == 1.0f ? col[k] : _mm512_mul_ps(col[k], s));
}

/* Columns [0, cols) of a transposed tile (col[j]: lane i = C(i, j0 + j)), with the epilogue of store_rows
 * in the same order (C or bias per column, then bias per row, then clamp), masked to the rows. */
static ALWAYS_INLINE void store_cols(size_t rows, const __m512 *col, size_t cols, const float *bias_col,
                                     float *c, size_t ldc, const er_f32_gemm_tile *t) {
  const __mmask16 m = lanes_below(rows);
  const __m512 lo = _mm512_set1_ps(t->min), hi = _mm512_set1_ps(t->max);
  __m512 bias_row = _mm512_setzero_ps();
  if (!t->accumulate && t->bias_row) bias_row = _mm512_maskz_loadu_ps(m, t->bias_row);
#pragma GCC unroll 16
  for (size_t j = 0; j < 16; j++) {
    if (j >= cols) break;
    float *cj = c + j * ldc;
    __m512 v = col[j];
    if (t->accumulate) {
      v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, cj));
    } else {
      if (bias_col) v = _mm512_add_ps(v, _mm512_set1_ps(bias_col[j]));
      if (t->bias_row) v = _mm512_add_ps(v, bias_row);
    }
    if (t->clamp) v = _mm512_min_ps(hi, _mm512_max_ps(lo, v));
    _mm512_mask_storeu_ps(cj, m, v);
  }
}

/* A lone row of a transposed C, C(0, j) at c[j * ldc], one float at a time with store_cols' epilogue in
 * the same order (the clamp as max(lo, v) then min(hi, v), as the vector forms): the 16 x 16 transposes
 * of a whole tile cost a lone row several times its products (a 7x7 map's 49th row). */
static void store_row_transposed(size_t nv, const __m512 *acc0, const __m512 *acc1, size_t nr, float *c,
                                 size_t ldc, const er_f32_gemm_tile *t) {
  float row[32];
  _mm512_storeu_ps(row, acc0[0]);
  _mm512_storeu_ps(row + 16, nv == 2 ? acc1[0] : _mm512_setzero_ps());
  for (size_t j = 0; j < nr; j++) {
    float *cj = c + j * ldc, v = row[j];
    if (t->accumulate) {
      v = v + *cj;
    } else {
      if (t->bias_col) v = v + t->bias_col[j];
      if (t->bias_row) v = v + t->bias_row[0];
    }
    if (t->clamp) {
      v = t->min > v ? t->min : v;
      v = t->max < v ? t->max : v;
    }
    *cj = v;
  }
}

/* store_rows for a transposed C: C(i, j) at c[j * ldc + i], 16 columns at a time. Out of line, for any
 * row count: once per tile, it costs little next to the tile's products, and inlined into every
 * specialization it tripled the kernel's code. */
static __attribute__((noinline)) void store_rows_transposed(size_t rows, size_t nv, const __m512 *acc0,
                                                            const __m512 *acc1, size_t nr, float *c,
                                                            size_t ldc, const er_f32_gemm_tile *t) {
  if (rows == 1) {
    store_row_transposed(nv, acc0, acc1, nr, c, ldc, t);
    return;
  }
  __m512 r[16], col[16];
  for (size_t h = 0; h < nv && 16 * h < nr; h++) {
    const __m512 *acc = h ? acc1 : acc0;
#pragma GCC unroll 16
    for (size_t i = 0; i < 16; i++)
      r[i] = i < rows && i < AVX512_MR ? acc[i] : _mm512_setzero_ps();
    transpose_16x16(4, r, col);
    store_cols(rows, col, nr - 16 * h < 16 ? nr - 16 * h : 16, t->bias_col ? t->bias_col + 16 * h : NULL,
               c + 16 * h * ldc, ldc, t);
  }
}

/* Bias, accumulation, clamp and masked store of `rows` rows of `nv` (1 or 2) vectors; constants where
 * inlined. */
static ALWAYS_INLINE void store_rows(size_t rows, size_t nv, __m512 *acc0, __m512 *acc1, size_t nr, float *c,
                                     size_t ldc, const er_f32_gemm_tile *t) {
  if (t->c_transposed) {
    /* copies, so that the accumulators' address does not escape (which kept them in memory) */
    __m512 spill0[AVX512_MR], spill1[AVX512_MR];
#pragma GCC unroll 12
    for (size_t i = 0; i < rows; i++)
      spill0[i] = acc0[i], spill1[i] = nv == 2 ? acc1[i] : _mm512_setzero_ps();
    store_rows_transposed(rows, nv, spill0, spill1, nr, c, ldc, t);
    return;
  }
  const __mmask16 m0 = lanes_below(nr), m1 = lanes_below(nr > 16 ? nr - 16 : 0);
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
      if (t->bias_col) v0 = _mm512_add_ps(v0, bias0), v1 = _mm512_add_ps(v1, bias1);
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

/* Row k of B: a packed panel (bs = NR, padded with zeros: plain loads) or B in place (bs = its k stride,
 * masked to the nr columns there are). */
static ALWAYS_INLINE __m512 load_b(bool in_place, __mmask16 m, const float *b) {
  return in_place ? _mm512_maskz_loadu_ps(m, b) : _mm512_loadu_ps(b);
}

/* `rows` rows and `nv` vectors of columns; constants where inlined, so the accumulators live in
 * registers. */
static ALWAYS_INLINE void tile_rows(size_t rows, size_t nv, size_t rs, size_t ks, bool in_place, size_t bs,
                                    size_t nr, size_t kc, const void *a, const float *b, float *c, size_t ldc,
                                    const er_f32_gemm_tile *t) {
  __m512 acc0[AVX512_MR], acc1[AVX512_MR];
  const __mmask16 bm0 = lanes_below(nr), bm1 = lanes_below(nr > 16 ? nr - 16 : 0);
#pragma GCC unroll 12
  for (size_t i = 0; i < rows; i++)
    acc0[i] = _mm512_setzero_ps(), acc1[i] = _mm512_setzero_ps();
  const unsigned char *ak = a; /* column k of A's rows, in bytes */
  for (size_t k = 0; k < kc; k++) {
    const __m512 b0 = load_b(in_place, bm0, b), b1 = nv == 2 ? load_b(in_place, bm1, b + 16) : b0;
#pragma GCC unroll 12
    for (size_t i = 0; i < rows; i++) {
      const __m512 av = _mm512_set1_ps(er_f32_load(ak, i * rs));
      acc0[i] = _mm512_fmadd_ps(av, b0, acc0[i]);
      if (nv == 2) acc1[i] = _mm512_fmadd_ps(av, b1, acc1[i]);
    }
    ak += ks * sizeof(float);
    b += bs;
  }
  store_rows(rows, nv, acc0, acc1, nr, c, ldc, t);
}

/* One row: four partial sums per vector, over k = 0, 1, 2, 3 mod 4. */
static ALWAYS_INLINE void tile_row(size_t nv, size_t ks, bool in_place, size_t bs, size_t nr, size_t kc,
                                   const void *a, const float *b, float *c, size_t ldc,
                                   const er_f32_gemm_tile *t) {
  const __mmask16 bm0 = lanes_below(nr), bm1 = lanes_below(nr > 16 ? nr - 16 : 0);
  __m512 p0[4], p1[4];
#pragma GCC unroll 4
  for (int u = 0; u < 4; u++)
    p0[u] = _mm512_setzero_ps(), p1[u] = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 4 <= kc; k += 4) {
#pragma GCC unroll 4
    for (int u = 0; u < 4; u++) {
      const __m512 av = _mm512_set1_ps(er_f32_load(a, (k + u) * ks));
      p0[u] = _mm512_fmadd_ps(av, load_b(in_place, bm0, b + (k + u) * bs), p0[u]);
      if (nv == 2) p1[u] = _mm512_fmadd_ps(av, load_b(in_place, bm1, b + (k + u) * bs + 16), p1[u]);
    }
  }
  for (; k < kc; k++) {
    const __m512 av = _mm512_set1_ps(er_f32_load(a, k * ks));
    p0[0] = _mm512_fmadd_ps(av, load_b(in_place, bm0, b + k * bs), p0[0]);
    if (nv == 2) p1[0] = _mm512_fmadd_ps(av, load_b(in_place, bm1, b + k * bs + 16), p1[0]);
  }
  __m512 acc0[1] = {_mm512_add_ps(_mm512_add_ps(p0[0], p0[1]), _mm512_add_ps(p0[2], p0[3]))};
  __m512 acc1[1] = {_mm512_add_ps(_mm512_add_ps(p1[0], p1[1]), _mm512_add_ps(p1[2], p1[3]))};
  store_rows(1, nv, acc0, acc1, nr, c, ldc, t);
}

/* Rows of A in place with a row stride (A untransposed) or packed/transposed (row stride 1, a constant
 * here); B packed, or in place (bs) under A packed/transposed, else through one general case. */
#define TILE_CASE(rows)                                                                                      \
  case rows:                                                                                                 \
    if (bs && rs != 1)                                                                                       \
      tile_rows(rows, 2, rs, ks, true, bs, nr, kc, a, b, c, ldc, t);                                         \
    else if (bs && nr > 16)                                                                                  \
      tile_rows(rows, 2, 1, ks, true, bs, nr, kc, a, b, c, ldc, t);                                          \
    else if (bs)                                                                                             \
      tile_rows(rows, 1, 1, ks, true, bs, nr, kc, a, b, c, ldc, t);                                          \
    else if (rs != 1 && nr > 16)                                                                             \
      tile_rows(rows, 2, rs, ks, false, AVX512_NR, nr, kc, a, b, c, ldc, t);                                 \
    else if (rs != 1)                                                                                        \
      tile_rows(rows, 1, rs, ks, false, AVX512_NR, nr, kc, a, b, c, ldc, t);                                 \
    else if (nr > 16)                                                                                        \
      tile_rows(rows, 2, 1, ks, false, AVX512_NR, nr, kc, a, b, c, ldc, t);                                  \
    else                                                                                                     \
      tile_rows(rows, 1, 1, ks, false, AVX512_NR, nr, kc, a, b, c, ldc, t);                                  \
    break;

void er_f32_gemm_12x32__avx512(size_t mr, size_t nr, size_t kc, const void *a, const float *b, float *c,
                               size_t ldc, const er_f32_gemm_tile *t) {
  const size_t rs = t->a_row_stride ? t->a_row_stride : 1, ks = t->a_row_stride ? t->a_k_stride : mr;
  const size_t bs = t->b_k_stride;
  switch (mr) {
  case 1:
    if (bs)
      tile_row(2, ks, true, bs, nr, kc, a, b, c, ldc, t);
    else if (nr > 16)
      tile_row(2, ks, false, AVX512_NR, nr, kc, a, b, c, ldc, t);
    else
      tile_row(1, ks, false, AVX512_NR, nr, kc, a, b, c, ldc, t);
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

/* y[j] = x · row j of W, a row at a time so that W streams in order (as many rows at once ran slower:
 * each is its own stream, restarting at every page), prefetched ER_F32_DOT_PREFETCH_BYTES ahead, in four
 * chains over K (k = 0, 1, 2, 3 mod 4 vectors), then a tree sum of the chains and of the 16 lanes. */
void er_f32_gemm_dot_row__avx512(size_t n, size_t k, const float *x, const void *w, size_t ldw, float *y) {
  const size_t row_bytes = ldw * sizeof(float);
  const __mmask16 tail = lanes_below(k % 16);
  const size_t whole = k - k % 16, quads = k - k % 64;
  for (size_t j = 0; j < n; j++) {
    const unsigned char *wj = (const unsigned char *)w + j * row_bytes;
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    size_t p = 0;
    for (; p < quads; p += 64) {
#pragma GCC unroll 4
      for (size_t q = 0; q < 4; q++) {
        _mm_prefetch((const char *)(wj + (p + 16 * q) * sizeof(float) + ER_F32_DOT_PREFETCH_BYTES),
                     _MM_HINT_T0);
        acc[q] = _mm512_fmadd_ps(_mm512_loadu_ps(x + p + 16 * q),
                                 _mm512_loadu_ps(wj + (p + 16 * q) * sizeof(float)), acc[q]);
      }
    }
    for (size_t q = 0; p < whole; p += 16, q++)
      acc[q] = _mm512_fmadd_ps(_mm512_loadu_ps(x + p), _mm512_loadu_ps(wj + p * sizeof(float)), acc[q]);
    if (tail)
      acc[3] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, x + whole),
                               _mm512_maskz_loadu_ps(tail, wj + whole * sizeof(float)), acc[3]);
    y[j] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3])));
  }
}
