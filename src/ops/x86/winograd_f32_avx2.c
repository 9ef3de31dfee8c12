/* AVX2 Winograd transforms for conv_nd_winograd.c, F(2x2, 3x3) and F(4x4, 3x3), the 8-lane forms of
 * winograd_f32_avx512.c. The input transform runs over 8 tiles of one tile row at a time (one per lane)
 * and gathers their columns (tile l's column s is float l * m + s of the row), the padding by the gather
 * mask. The output transform runs over 8 output channels and turns each channel's tile rows into 4 or 2
 * floats with in-lane shuffles before storing them; edge tiles and activations that are not clamps go
 * through memory. */
#include <immintrin.h>
#include <stdint.h>

#include "ops/conv_nd_winograd.h"
#include "ops/winograd_weights.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* B^T along one axis: out[i] = sum_k BT[i][k] z[k]. */
static ALWAYS_INLINE void bt4(const __m256 *z, __m256 *out) {
  const __m256 four = _mm256_set1_ps(4.0f), five = _mm256_set1_ps(5.0f), two = _mm256_set1_ps(2.0f);
  __m256 a = _mm256_fnmadd_ps(four, z[2], z[4]), b = _mm256_fnmadd_ps(four, z[1], z[3]);
  __m256 c = _mm256_sub_ps(z[4], z[2]), e = _mm256_mul_ps(two, _mm256_sub_ps(z[3], z[1]));
  out[0] = _mm256_fmadd_ps(four, z[0], _mm256_fnmadd_ps(five, z[2], z[4]));
  out[1] = _mm256_add_ps(a, b);
  out[2] = _mm256_sub_ps(a, b);
  out[3] = _mm256_add_ps(c, e);
  out[4] = _mm256_sub_ps(c, e);
  out[5] = _mm256_fmadd_ps(four, z[1], _mm256_fnmadd_ps(five, z[3], z[5]));
}

static ALWAYS_INLINE void bt2(const __m256 *z, __m256 *out) {
  out[0] = _mm256_sub_ps(z[0], z[2]);
  out[1] = _mm256_add_ps(z[1], z[2]);
  out[2] = _mm256_sub_ps(z[2], z[1]);
  out[3] = _mm256_sub_ps(z[1], z[3]);
}

/* V of `lanes` tiles (tx0 .. of tile row ty) for every input channel; m, alpha constants when inlined. */
static ALWAYS_INLINE void input_run(const er_f32_conv_winograd_plan *p, int m, const float *x, int64_t ty,
                                    int64_t tx0, int64_t lanes, float *v) {
  enum { A = 6 };
  const int alpha = m + 2;
  const int64_t in_size = p->in_h * p->in_w, iy0 = ty * m - p->pad_top, x0 = tx0 * m - p->pad_left;
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i store_mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)lanes), lane);
  /* column s of the tiles: floats x0 + l * m + s of a row, those inside it */
  __m256i idx[A], inside[A];
#pragma GCC unroll 6
  for (int s = 0; s < alpha; s++) {
    idx[s] =
        _mm256_add_epi32(_mm256_set1_epi32((int)(x0 + s)), _mm256_mullo_epi32(lane, _mm256_set1_epi32(m)));
    __m256i ge0 = _mm256_cmpgt_epi32(idx[s], _mm256_set1_epi32(-1));
    __m256i below = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)p->in_w), idx[s]);
    inside[s] = _mm256_and_si256(_mm256_and_si256(ge0, below), store_mask);
  }
  for (int64_t c = 0; c < p->cin; c++) {
    const float *xc = x + c * in_size;
    __m256 t[A][A]; /* t[r][j]: row r of the patch, B^T along the columns */
#pragma GCC unroll 6
    for (int r = 0; r < alpha; r++) {
      int64_t iy = iy0 + r;
      if (iy < 0 || iy >= p->in_h) {
#pragma GCC unroll 6
        for (int j = 0; j < alpha; j++)
          t[r][j] = _mm256_setzero_ps();
        continue;
      }
      const float *row = xc + iy * p->in_w;
      __m256 z[A];
#pragma GCC unroll 6
      for (int s = 0; s < alpha; s++)
        z[s] = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), row, idx[s], _mm256_castsi256_ps(inside[s]), 4);
      if (m == 4)
        bt4(z, t[r]);
      else
        bt2(z, t[r]);
    }
    float *vc = v + c * p->v_ld;
#pragma GCC unroll 6
    for (int j = 0; j < alpha; j++) {
      __m256 z[A], out[A];
#pragma GCC unroll 6
      for (int r = 0; r < alpha; r++)
        z[r] = t[r][j];
      if (m == 4)
        bt4(z, out);
      else
        bt2(z, out);
#pragma GCC unroll 6
      for (int i = 0; i < alpha; i++)
        _mm256_maskstore_ps(vc + (i * alpha + j) * p->v_xi_floats, store_mask, out[i]);
    }
  }
}

void er_f32_winograd_input__avx2(const er_f32_conv_winograd_plan *p, const float *x, int64_t t0,
                                 int64_t count, float *v) {
  for (int64_t i = 0; i < count;) {
    int64_t t = t0 + i, ty = t / p->tiles_w, tx = t % p->tiles_w;
    int64_t lanes = p->tiles_w - tx;
    if (lanes > 8) lanes = 8;
    if (lanes > count - i) lanes = count - i;
    if (p->tile == 4)
      input_run(p, 4, x, ty, tx, lanes, v + i);
    else
      input_run(p, 2, x, ty, tx, lanes, v + i);
    i += lanes;
  }
}

/* A^T along one axis: out[i] = sum_k AT[i][k] z[k]. */
static ALWAYS_INLINE void at4(const __m256 *z, __m256 *out) {
  __m256 a = _mm256_add_ps(z[1], z[2]), b = _mm256_sub_ps(z[1], z[2]);
  __m256 c = _mm256_add_ps(z[3], z[4]), d = _mm256_sub_ps(z[3], z[4]);
  out[0] = _mm256_add_ps(_mm256_add_ps(z[0], a), c);
  out[1] = _mm256_fmadd_ps(_mm256_set1_ps(2.0f), d, b);
  out[2] = _mm256_fmadd_ps(_mm256_set1_ps(4.0f), c, a);
  out[3] = _mm256_add_ps(_mm256_fmadd_ps(_mm256_set1_ps(8.0f), d, b), z[5]);
}

static ALWAYS_INLINE void at2(const __m256 *z, __m256 *out) {
  out[0] = _mm256_add_ps(_mm256_add_ps(z[0], z[1]), z[2]);
  out[1] = _mm256_sub_ps(_mm256_sub_ps(z[1], z[2]), z[3]);
}

/* Stores row r of a full-width tile for the `nc` channels: y_j = y + j * out_size. In-lane shuffles put
 * each channel's m floats in one 128-bit half (m == 4) or a quarter of one. */
static ALWAYS_INLINE void store_row4(const __m256 *yr, int64_t nc, float *y, int64_t out_size) {
  __m256 t0 = _mm256_unpacklo_ps(yr[0], yr[1]), t1 = _mm256_unpackhi_ps(yr[0], yr[1]);
  __m256 t2 = _mm256_unpacklo_ps(yr[2], yr[3]), t3 = _mm256_unpackhi_ps(yr[2], yr[3]);
  __m256 u[4];
  u[0] = _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(t0), _mm256_castps_pd(t2)));
  u[1] = _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(t0), _mm256_castps_pd(t2)));
  u[2] = _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(t1), _mm256_castps_pd(t3)));
  u[3] = _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(t1), _mm256_castps_pd(t3)));
  /* channel j = 4k + q sits in half k of u[q] */
#pragma GCC unroll 8
  for (int j = 0; j < 8; j++) {
    if (j >= nc) break;
    __m128 h = j < 4 ? _mm256_castps256_ps128(u[j & 3]) : _mm256_extractf128_ps(u[j & 3], 1);
    _mm_storeu_ps(y + j * out_size, h);
  }
}

static ALWAYS_INLINE void store_row2(const __m256 *yr, int64_t nc, float *y, int64_t out_size) {
  __m256 u[2] = {_mm256_unpacklo_ps(yr[0], yr[1]), _mm256_unpackhi_ps(yr[0], yr[1])};
  /* channel j = 4k + 2h + e sits in half k of u[h], floats 2e, 2e + 1 */
#pragma GCC unroll 8
  for (int j = 0; j < 8; j++) {
    if (j >= nc) break;
    __m128 h = j < 4 ? _mm256_castps256_ps128(u[(j >> 1) & 1]) : _mm256_extractf128_ps(u[(j >> 1) & 1], 1);
    if (j & 1)
      _mm_storeh_pi((__m64 *)(void *)(y + j * out_size), h);
    else
      _mm_storel_pi((__m64 *)(void *)(y + j * out_size), h);
  }
}

/* One tile, output channels [c, c + nc), nc <= 8; m constant when inlined. */
static ALWAYS_INLINE void output_tile(const er_f32_conv_winograd_plan *p, int m, const float *mt, int64_t c,
                                      int64_t nc, const float *bias, int64_t oy0, int64_t ox0, float *y) {
  enum { A = 6 };
  const int alpha = m + 2;
  const int64_t out_size = p->out_h * p->out_w;
  const __m256i mask =
      _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nc), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  __m256 t[4][A]; /* rows of A^T M */
#pragma GCC unroll 6
  for (int s = 0; s < alpha; s++) {
    __m256 z[A], out[4];
#pragma GCC unroll 6
    for (int k = 0; k < alpha; k++)
      z[k] = _mm256_maskload_ps(mt + (k * alpha + s) * p->m_xi_floats + c, mask);
    if (m == 4)
      at4(z, out);
    else
      at2(z, out);
#pragma GCC unroll 4
    for (int r = 0; r < m; r++)
      t[r][s] = out[r];
  }
  const __m256 b = bias ? _mm256_maskload_ps(bias + c, mask) : _mm256_setzero_ps();
  const __m256 lo = _mm256_set1_ps(p->act_lo), hi = _mm256_set1_ps(p->act_hi);
  __m256 yt[4][4];
#pragma GCC unroll 4
  for (int r = 0; r < m; r++) {
    if (m == 4)
      at4(t[r], yt[r]);
    else
      at2(t[r], yt[r]);
#pragma GCC unroll 4
    for (int q = 0; q < m; q++) {
      yt[r][q] = _mm256_add_ps(yt[r][q], b);
      /* max(lo, v) and min(hi, v) pass NaN through, as the scalar clamps do */
      if (p->act_clamp) yt[r][q] = _mm256_min_ps(hi, _mm256_max_ps(lo, yt[r][q]));
    }
  }
  int64_t rows = p->out_h - oy0 < m ? p->out_h - oy0 : m, cols = p->out_w - ox0 < m ? p->out_w - ox0 : m;
  float *yc = y + c * out_size + oy0 * p->out_w + ox0;
  if (p->act_clamp && cols == m) {
#pragma GCC unroll 4
    for (int r = 0; r < m; r++) {
      if (r >= rows) break;
      if (m == 4)
        store_row4(yt[r], nc, yc + r * p->out_w, out_size);
      else
        store_row2(yt[r], nc, yc + r * p->out_w, out_size);
    }
    return;
  }
  /* edge tiles and activations that are not clamps: through memory, one float at a time */
  float staged[4][4][8];
  for (int r = 0; r < m; r++)
    for (int q = 0; q < m; q++)
      _mm256_storeu_ps(staged[r][q], yt[r][q]);
  for (int64_t j = 0; j < nc; j++)
    for (int64_t r = 0; r < rows; r++)
      for (int64_t q = 0; q < cols; q++)
        yc[j * out_size + r * p->out_w + q] = er_fused_act_apply(&p->act, staged[r][q][j]);
}

void er_f32_winograd_output__avx2(const er_f32_conv_winograd_plan *p, const float *m, int64_t t0,
                                  int64_t count, int64_t c0, int64_t c1, const float *bias, float *y) {
  for (int64_t i = 0; i < count; i++) {
    int64_t t = t0 + i, oy0 = (t / p->tiles_w) * p->tile, ox0 = (t % p->tiles_w) * p->tile;
    const float *mt = m + i * p->m_ld;
    for (int64_t c = c0; c < c1; c += 8) {
      int64_t nc = c1 - c < 8 ? c1 - c : 8;
      if (p->tile == 4)
        output_tile(p, 4, mt, c, nc, bias, oy0, ox0, y);
      else
        output_tile(p, 2, mt, c, nc, bias, oy0, ox0, y);
    }
  }
}

void er_f32_winograd_weights__avx2(const er_f32_conv_winograd_plan *p, const float *w, int64_t grp,
                                   float *u) {
  er_winograd_weights(p, w, grp, u);
}
