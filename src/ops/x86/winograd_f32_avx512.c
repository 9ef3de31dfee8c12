/* AVX-512 Winograd transforms for conv_nd_winograd.c, F(2x2, 3x3) and F(4x4, 3x3). The input transform
 * runs over 16 tiles of one tile row at a time (one per lane): each input row of their patches is read
 * once in whole vectors, the padding by load masks, and the tiles' columns (tile l's column s is float
 * l * m + s) come out of them by lane permutes. The output transform runs over 16 output channels (the
 * GEMM's M rows hold a tile's channels side by side) and turns each channel's tile rows into 4 or 2
 * floats with in-lane shuffles before storing them. */
#include <immintrin.h>
#include <stdint.h>

#include "ops/conv_nd_winograd.h"
#include "ops/winograd_weights.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* p + off floats, as an address only: masked loads and stores may start before or end past an array
 * (the masked-off lanes are never touched), so the address is formed without pointer arithmetic. */
static ALWAYS_INLINE float *shifted(const float *p, int64_t off) {
  return (float *)(uintptr_t)((uintptr_t)p + (uintptr_t)(off * (int64_t)sizeof(float)));
}

/* The lanes of floats x0 + k0 .. x0 + k0 + 15 of a row that lie inside [0, width) (not in the padding). */
static ALWAYS_INLINE __mmask16 inside_mask(int64_t x0, int64_t k0, int64_t width) {
  int64_t lo = -(x0 + k0), hi = width - (x0 + k0);
  lo = lo < 0 ? 0 : (lo > 16 ? 16 : lo);
  hi = hi < 0 ? 0 : (hi > 16 ? 16 : hi);
  return (__mmask16)(((1u << hi) - 1u) & ~((1u << lo) - 1u));
}

/* Floats x0 + 16 v .. x0 + 16 v + 15 of a row, zero where masks[v] is clear (the padding). */
static ALWAYS_INLINE __m512 row_vector(const float *row, int64_t x0, const __mmask16 *masks, int v) {
  return _mm512_maskz_loadu_ps(masks[v], shifted(row, x0 + 16 * v));
}

/* B^T along one axis: out[i] = sum_k BT[i][k] z[k]. */
static ALWAYS_INLINE void bt4(const __m512 *z, __m512 *out) {
  const __m512 four = _mm512_set1_ps(4.0f), five = _mm512_set1_ps(5.0f), two = _mm512_set1_ps(2.0f);
  __m512 a = _mm512_fnmadd_ps(four, z[2], z[4]), b = _mm512_fnmadd_ps(four, z[1], z[3]);
  __m512 c = _mm512_sub_ps(z[4], z[2]), e = _mm512_mul_ps(two, _mm512_sub_ps(z[3], z[1]));
  out[0] = _mm512_fmadd_ps(four, z[0], _mm512_fnmadd_ps(five, z[2], z[4]));
  out[1] = _mm512_add_ps(a, b);
  out[2] = _mm512_sub_ps(a, b);
  out[3] = _mm512_add_ps(c, e);
  out[4] = _mm512_sub_ps(c, e);
  out[5] = _mm512_fmadd_ps(four, z[1], _mm512_fnmadd_ps(five, z[3], z[5]));
}

static ALWAYS_INLINE void bt2(const __m512 *z, __m512 *out) {
  out[0] = _mm512_sub_ps(z[0], z[2]);
  out[1] = _mm512_add_ps(z[1], z[2]);
  out[2] = _mm512_sub_ps(z[2], z[1]);
  out[3] = _mm512_sub_ps(z[1], z[3]);
}

/* The alpha columns of 16 tiles m apart in one input row, from its float x0 on: z[s] lane l = row[x0 +
 * l * m + s], by stride-2 deinterleaves of the row's vectors (twice for m = 4) and a one-lane shift for
 * the columns a tile shares with the next. */
static ALWAYS_INLINE void tile_columns(const float *row, int64_t x0, const __mmask16 *masks, int m,
                                       __m512 *z) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const __m512i next0 = _mm512_setr_epi32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
  const __m512i next1 = _mm512_setr_epi32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17);
  if (m == 2) {
    __m512 l0 = row_vector(row, x0, masks, 0), l1 = row_vector(row, x0, masks, 1);
    __m512 l2 = row_vector(row, x0, masks, 2);
    z[0] = _mm512_permutex2var_ps(l0, even, l1);
    z[1] = _mm512_permutex2var_ps(l0, odd, l1);
    z[2] = _mm512_permutex2var_ps(z[0], next0, l2);
    z[3] = _mm512_permutex2var_ps(z[1], next1, l2);
    return;
  }
  __m512 l0 = row_vector(row, x0, masks, 0), l1 = row_vector(row, x0, masks, 1);
  __m512 l2 = row_vector(row, x0, masks, 2), l3 = row_vector(row, x0, masks, 3);
  __m512 l4 = row_vector(row, x0, masks, 4);
  __m512 e01 = _mm512_permutex2var_ps(l0, even, l1), o01 = _mm512_permutex2var_ps(l0, odd, l1);
  __m512 e23 = _mm512_permutex2var_ps(l2, even, l3), o23 = _mm512_permutex2var_ps(l2, odd, l3);
  z[0] = _mm512_permutex2var_ps(e01, even, e23);
  z[1] = _mm512_permutex2var_ps(o01, even, o23);
  z[2] = _mm512_permutex2var_ps(e01, odd, e23);
  z[3] = _mm512_permutex2var_ps(o01, odd, o23);
  z[4] = _mm512_permutex2var_ps(z[0], next0, l4);
  z[5] = _mm512_permutex2var_ps(z[1], next1, l4);
}

/* V of `lanes` tiles (tx0 .. of tile row ty) for every input channel; m, alpha constants when inlined. */
static ALWAYS_INLINE void input_run(const er_f32_conv_winograd_plan *p, int m, const float *x, int64_t ty,
                                    int64_t tx0, int64_t lanes, float *v) {
  enum { A = 6 };
  const int alpha = m + 2;
  const int64_t in_size = p->in_h * p->in_w, iy0 = ty * m - p->pad_top, x0 = tx0 * m - p->pad_left;
  const __mmask16 mask = (__mmask16)((1u << lanes) - 1);
  __mmask16 masks[5]; /* of the row vectors tile_columns loads */
#pragma GCC unroll 5
  for (int q = 0; q < 5; q++)
    masks[q] = inside_mask(x0, 16 * q, p->in_w);
  for (int64_t c = 0; c < p->cin; c++) {
    const float *xc = x + c * in_size;
    __m512 t[A][A]; /* t[r][j]: row r of the patch, B^T along the columns */
#pragma GCC unroll 6
    for (int r = 0; r < alpha; r++) {
      int64_t iy = iy0 + r;
      if (iy < 0 || iy >= p->in_h) {
#pragma GCC unroll 6
        for (int j = 0; j < alpha; j++)
          t[r][j] = _mm512_setzero_ps();
        continue;
      }
      __m512 z[A];
      tile_columns(xc + iy * p->in_w, x0, masks, m, z);
      if (m == 4)
        bt4(z, t[r]);
      else
        bt2(z, t[r]);
    }
    float *vc = v + c * p->v_ld;
#pragma GCC unroll 6
    for (int j = 0; j < alpha; j++) {
      __m512 z[A], out[A];
#pragma GCC unroll 6
      for (int r = 0; r < alpha; r++)
        z[r] = t[r][j];
      if (m == 4)
        bt4(z, out);
      else
        bt2(z, out);
#pragma GCC unroll 6
      for (int i = 0; i < alpha; i++)
        _mm512_mask_storeu_ps(vc + (i * alpha + j) * p->v_xi_floats, mask, out[i]);
    }
  }
}

void er_f32_winograd_input__avx512(const er_f32_conv_winograd_plan *p, const float *x, int64_t t0,
                                   int64_t count, float *v) {
  for (int64_t i = 0; i < count;) {
    int64_t t = t0 + i, ty = t / p->tiles_w, tx = t % p->tiles_w;
    int64_t lanes = p->tiles_w - tx;
    if (lanes > 16) lanes = 16;
    if (lanes > count - i) lanes = count - i;
    if (p->tile == 4)
      input_run(p, 4, x, ty, tx, lanes, v + i);
    else
      input_run(p, 2, x, ty, tx, lanes, v + i);
    i += lanes;
  }
}

/* A^T along one axis: out[i] = sum_k AT[i][k] z[k]. */
static ALWAYS_INLINE void at4(const __m512 *z, __m512 *out) {
  __m512 a = _mm512_add_ps(z[1], z[2]), b = _mm512_sub_ps(z[1], z[2]);
  __m512 c = _mm512_add_ps(z[3], z[4]), d = _mm512_sub_ps(z[3], z[4]);
  out[0] = _mm512_add_ps(_mm512_add_ps(z[0], a), c);
  out[1] = _mm512_fmadd_ps(_mm512_set1_ps(2.0f), d, b);
  out[2] = _mm512_fmadd_ps(_mm512_set1_ps(4.0f), c, a);
  out[3] = _mm512_add_ps(_mm512_fmadd_ps(_mm512_set1_ps(8.0f), d, b), z[5]);
}

static ALWAYS_INLINE void at2(const __m512 *z, __m512 *out) {
  out[0] = _mm512_add_ps(_mm512_add_ps(z[0], z[1]), z[2]);
  out[1] = _mm512_sub_ps(_mm512_sub_ps(z[1], z[2]), z[3]);
}

/* Stores row r (the columns set in `cols` of m) of each of the `nc` channels: y_j = y + j * out_size.
 * In-lane shuffles gather each channel's m floats into one 128-bit chunk (m == 4) or half of one, which a
 * masked store puts in place. */
static ALWAYS_INLINE void store_row4(const __m512 *yr, int64_t nc, uint32_t cols, float *y,
                                     int64_t out_size) {
  __m512 t0 = _mm512_unpacklo_ps(yr[0], yr[1]), t1 = _mm512_unpackhi_ps(yr[0], yr[1]);
  __m512 t2 = _mm512_unpacklo_ps(yr[2], yr[3]), t3 = _mm512_unpackhi_ps(yr[2], yr[3]);
  __m512 u[4];
  u[0] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t2)));
  u[1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t2)));
  u[2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t1), _mm512_castps_pd(t3)));
  u[3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t1), _mm512_castps_pd(t3)));
  /* channel j = 4k + q sits in chunk k of u[q] */
#pragma GCC unroll 16
  for (int j = 0; j < 16; j++) {
    if (j >= nc) break;
    int k = j >> 2;
    _mm512_mask_storeu_ps(shifted(y, j * out_size - 4 * k), (__mmask16)(cols << (4 * k)), u[j & 3]);
  }
}

static ALWAYS_INLINE void store_row2(const __m512 *yr, int64_t nc, uint32_t cols, float *y,
                                     int64_t out_size) {
  __m512 u[2] = {_mm512_unpacklo_ps(yr[0], yr[1]), _mm512_unpackhi_ps(yr[0], yr[1])};
  /* channel j = 4k + 2h + e sits in chunk k of u[h], floats 2e, 2e + 1 */
#pragma GCC unroll 16
  for (int j = 0; j < 16; j++) {
    if (j >= nc) break;
    int lane = 4 * (j >> 2) + 2 * (j & 1);
    _mm512_mask_storeu_ps(shifted(y, j * out_size - lane), (__mmask16)(cols << lane), u[(j >> 1) & 1]);
  }
}

/* One tile, output channels [c, c + nc), nc <= 16; m constant when inlined. */
static ALWAYS_INLINE void output_tile(const er_f32_conv_winograd_plan *p, int m, const float *mt, int64_t c,
                                      int64_t nc, const float *bias, int64_t oy0, int64_t ox0, float *y) {
  enum { A = 6 };
  const int alpha = m + 2;
  const int64_t out_size = p->out_h * p->out_w;
  const __mmask16 mask = nc >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nc) - 1);
  __m512 t[4][A]; /* rows of A^T M */
#pragma GCC unroll 6
  for (int s = 0; s < alpha; s++) {
    __m512 z[A], out[4];
#pragma GCC unroll 6
    for (int k = 0; k < alpha; k++)
      z[k] = _mm512_maskz_loadu_ps(mask, mt + (k * alpha + s) * p->m_xi_floats + c);
    if (m == 4)
      at4(z, out);
    else
      at2(z, out);
#pragma GCC unroll 6
    for (int r = 0; r < m; r++)
      t[r][s] = out[r];
  }
  const __m512 b = bias ? _mm512_maskz_loadu_ps(mask, bias + c) : _mm512_setzero_ps();
  const __m512 lo = _mm512_set1_ps(p->act_lo), hi = _mm512_set1_ps(p->act_hi);
  __m512 yt[4][4];
#pragma GCC unroll 6
  for (int r = 0; r < m; r++) {
    if (m == 4)
      at4(t[r], yt[r]);
    else
      at2(t[r], yt[r]);
#pragma GCC unroll 6
    for (int q = 0; q < m; q++) {
      yt[r][q] = _mm512_add_ps(yt[r][q], b);
      /* max(lo, v) and min(hi, v) pass NaN through, as the scalar clamps do */
      if (p->act_clamp) yt[r][q] = _mm512_min_ps(hi, _mm512_max_ps(lo, yt[r][q]));
    }
  }
  int64_t rows = p->out_h - oy0 < m ? p->out_h - oy0 : m, cols = p->out_w - ox0 < m ? p->out_w - ox0 : m;
  float *yc = y + c * out_size + oy0 * p->out_w + ox0;
  if (p->act_clamp) {
    const uint32_t col_bits = (1u << cols) - 1u; /* the columns inside the map */
#pragma GCC unroll 4
    for (int r = 0; r < m; r++) {
      if (r >= rows) break;
      if (m == 4)
        store_row4(yt[r], nc, col_bits, yc + r * p->out_w, out_size);
      else
        store_row2(yt[r], nc, col_bits, yc + r * p->out_w, out_size);
    }
    return;
  }
  /* activations that are not clamps: through memory, one float at a time */
  float staged[4][4][16];
#pragma GCC unroll 6
  for (int r = 0; r < m; r++)
#pragma GCC unroll 6
    for (int q = 0; q < m; q++)
      _mm512_storeu_ps(staged[r][q], yt[r][q]);
  for (int64_t j = 0; j < nc; j++)
    for (int64_t r = 0; r < rows; r++)
      for (int64_t q = 0; q < cols; q++)
        yc[j * out_size + r * p->out_w + q] = er_fused_act_apply(&p->act, staged[r][q][j]);
}

void er_f32_winograd_output__avx512(const er_f32_conv_winograd_plan *p, const float *m, int64_t t0,
                                    int64_t count, int64_t c0, int64_t c1, const float *bias, float *y) {
  for (int64_t i = 0; i < count; i++) {
    int64_t t = t0 + i, oy0 = (t / p->tiles_w) * p->tile, ox0 = (t % p->tiles_w) * p->tile;
    const float *mt = m + i * p->m_ld;
    for (int64_t c = c0; c < c1; c += 16) {
      int64_t nc = c1 - c < 16 ? c1 - c : 16;
      if (p->tile == 4)
        output_tile(p, 4, mt, c, nc, bias, oy0, ox0, y);
      else
        output_tile(p, 2, mt, c, nc, bias, oy0, ox0, y);
    }
  }
}

void er_f32_winograd_weights__avx512(const er_f32_conv_winograd_plan *p, const float *w, int64_t grp,
                                     float *u) {
  er_winograd_weights(p, w, grp, u);
}
