/* AVX-512 micro-kernels of the NCHW float32 depthwise convolution (conv_nd_depthwise.h), 16 output
 * columns per vector. Rows of up to 16 columns are computed four at a time and rows of up to 32 two at a
 * time, so that four independent FMA chains hide the FMA latency; wider rows go one at a time, two vectors
 * per step. Every output is one FMA chain over the taps in order, however its row is grouped, so the
 * result does not depend on the band split (the thread count). Partial vectors are stored under a mask. */
#include <immintrin.h>

#include "ops/conv_nd_depthwise.h"

static inline __m512 clamp16(__m512 v, __m512 lo, __m512 hi) {
  /* max(lo, v) and min(hi, v) return v when v is NaN, as the scalar clamp does. */
  return _mm512_min_ps(hi, _mm512_max_ps(lo, v));
}

static inline __mmask16 mask16(int64_t left) {
  return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
}

#define DEFINE_DWCONV_AVX512(NAME, N_TAPS)                                                                   \
  void NAME(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps, const float *w,          \
            float bias, float lo, float hi, float *out, int64_t ow, int64_t rows) {                          \
    (void)taps;                                                                                              \
    __m512 k[N_TAPS];                                                                                        \
    int64_t off[N_TAPS];                                                                                     \
    for (int t = 0; t < N_TAPS; t++) {                                                                       \
      k[t] = _mm512_set1_ps(w[t]);                                                                           \
      off[t] = tap_off[t];                                                                                   \
    }                                                                                                        \
    const __m512 vb = _mm512_set1_ps(bias), vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);              \
    const __mmask16 last = mask16(ow - (ow - 1) / 16 * 16);                                                  \
    int64_t r = 0;                                                                                           \
    if (ow <= 16) {                                                                                          \
      for (; r + 4 <= rows; r += 4, in += 4 * in_step, out += 4 * ow) {                                      \
        __m512 a0 = vb, a1 = vb, a2 = vb, a3 = vb;                                                           \
        for (int t = 0; t < N_TAPS; t++) {                                                                   \
          const float *s = in + off[t];                                                                      \
          a0 = _mm512_fmadd_ps(_mm512_loadu_ps(s), k[t], a0);                                                \
          a1 = _mm512_fmadd_ps(_mm512_loadu_ps(s + in_step), k[t], a1);                                      \
          a2 = _mm512_fmadd_ps(_mm512_loadu_ps(s + 2 * in_step), k[t], a2);                                  \
          a3 = _mm512_fmadd_ps(_mm512_loadu_ps(s + 3 * in_step), k[t], a3);                                  \
        }                                                                                                    \
        _mm512_mask_storeu_ps(out, last, clamp16(a0, vlo, vhi));                                             \
        _mm512_mask_storeu_ps(out + ow, last, clamp16(a1, vlo, vhi));                                        \
        _mm512_mask_storeu_ps(out + 2 * ow, last, clamp16(a2, vlo, vhi));                                    \
        _mm512_mask_storeu_ps(out + 3 * ow, last, clamp16(a3, vlo, vhi));                                    \
      }                                                                                                      \
    } else if (ow <= 32) {                                                                                   \
      for (; r + 2 <= rows; r += 2, in += 2 * in_step, out += 2 * ow) {                                      \
        __m512 a0 = vb, a1 = vb, a2 = vb, a3 = vb;                                                           \
        for (int t = 0; t < N_TAPS; t++) {                                                                   \
          const float *s = in + off[t];                                                                      \
          a0 = _mm512_fmadd_ps(_mm512_loadu_ps(s), k[t], a0);                                                \
          a1 = _mm512_fmadd_ps(_mm512_loadu_ps(s + 16), k[t], a1);                                           \
          a2 = _mm512_fmadd_ps(_mm512_loadu_ps(s + in_step), k[t], a2);                                      \
          a3 = _mm512_fmadd_ps(_mm512_loadu_ps(s + in_step + 16), k[t], a3);                                 \
        }                                                                                                    \
        _mm512_storeu_ps(out, clamp16(a0, vlo, vhi));                                                        \
        _mm512_mask_storeu_ps(out + 16, last, clamp16(a1, vlo, vhi));                                        \
        _mm512_storeu_ps(out + ow, clamp16(a2, vlo, vhi));                                                   \
        _mm512_mask_storeu_ps(out + ow + 16, last, clamp16(a3, vlo, vhi));                                   \
      }                                                                                                      \
    }                                                                                                        \
    for (; r < rows; r++, in += in_step, out += ow) {                                                        \
      int64_t j = 0;                                                                                         \
      for (; j + 32 <= ow; j += 32) {                                                                        \
        __m512 a0 = vb, a1 = vb;                                                                             \
        for (int t = 0; t < N_TAPS; t++) {                                                                   \
          a0 = _mm512_fmadd_ps(_mm512_loadu_ps(in + off[t] + j), k[t], a0);                                  \
          a1 = _mm512_fmadd_ps(_mm512_loadu_ps(in + off[t] + j + 16), k[t], a1);                             \
        }                                                                                                    \
        _mm512_storeu_ps(out + j, clamp16(a0, vlo, vhi));                                                    \
        _mm512_storeu_ps(out + j + 16, clamp16(a1, vlo, vhi));                                               \
      }                                                                                                      \
      for (; j < ow; j += 16) {                                                                              \
        __m512 a0 = vb;                                                                                      \
        for (int t = 0; t < N_TAPS; t++)                                                                     \
          a0 = _mm512_fmadd_ps(_mm512_loadu_ps(in + off[t] + j), k[t], a0);                                  \
        _mm512_mask_storeu_ps(out + j, mask16(ow - j), clamp16(a0, vlo, vhi));                               \
      }                                                                                                      \
    }                                                                                                        \
  }

DEFINE_DWCONV_AVX512(er_f32_dwconv_nchw_3x3__avx512, 9)
DEFINE_DWCONV_AVX512(er_f32_dwconv_nchw_5x5__avx512, 25)

/* Any tap count: taps outer over a block of up to four vectors kept in registers, one row at a time. */
void er_f32_dwconv_nchw_any__avx512(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                    const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                    int64_t rows) {
  const __m512 vb = _mm512_set1_ps(bias), vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  for (int64_t r = 0; r < rows; r++, in += in_step, out += ow) {
    for (int64_t j = 0; j < ow; j += 64) {
      __m512 a0 = vb, a1 = vb, a2 = vb, a3 = vb;
      for (int64_t t = 0; t < taps; t++) {
        const float *src = in + tap_off[t] + j;
        __m512 k = _mm512_set1_ps(w[t]);
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(src), k, a0);
        if (ow - j > 16) a1 = _mm512_fmadd_ps(_mm512_loadu_ps(src + 16), k, a1);
        if (ow - j > 32) a2 = _mm512_fmadd_ps(_mm512_loadu_ps(src + 32), k, a2);
        if (ow - j > 48) a3 = _mm512_fmadd_ps(_mm512_loadu_ps(src + 48), k, a3);
      }
      _mm512_mask_storeu_ps(out + j, mask16(ow - j), clamp16(a0, vlo, vhi));
      if (ow - j > 16) _mm512_mask_storeu_ps(out + j + 16, mask16(ow - j - 16), clamp16(a1, vlo, vhi));
      if (ow - j > 32) _mm512_mask_storeu_ps(out + j + 32, mask16(ow - j - 32), clamp16(a2, vlo, vhi));
      if (ow - j > 48) _mm512_mask_storeu_ps(out + j + 48, mask16(ow - j - 48), clamp16(a3, vlo, vhi));
    }
  }
}

/* Direct micro-kernels: the input rows are read in place (er_f32_dwconv_nchw_direct_fn). Every load is
 * masked by the column mask of its tap and vector, so the left and right padding read as zero and no
 * float outside the row is touched. A stride-2 tap loads the 31 floats its 16 outputs span and keeps the
 * even ones with one permute. The rows' FMA chains are independent, so the out-of-order core overlaps
 * consecutive vectors and rows. */
static inline __m512 load_taps_s1(const float *p, uint32_t mask, __m512i even) {
  (void)even;
  return _mm512_maskz_loadu_ps((__mmask16)mask, p);
}

static inline __m512 load_taps_s2(const float *p, uint32_t mask, __m512i even) {
  __m512 lo = _mm512_maskz_loadu_ps((__mmask16)mask, p);
  __m512 hi = _mm512_maskz_loadu_ps((__mmask16)(mask >> 16), p + 16);
  return _mm512_permutex2var_ps(lo, even, hi);
}

/* One output vector (16 columns from j) of GROUP consecutive output rows. Input row d of the group
 * (in_rows[d], d up to STRIDE * (GROUP - 1) + KH - 1) feeds output row i through tap row ky = d - STRIDE * i,
 * so each of its KW loads serves every row of the group that reads it: 4 rows of a 3x3 stride-1 conv take
 * 18 loads instead of 36 (unaligned loads split across cache lines, so loads are what limits this kernel).
 * Output row i keeps two FMA chains (even and odd taps) and adds every tap in increasing order, as the
 * one-row loop does, so the grouping never changes a result. */
#define DWCONV_DIRECT_GROUP(GROUP, KH, KW, STRIDE, LOAD)                                                     \
  do {                                                                                                       \
    __m512 acc[GROUP][2];                                                                                    \
    _Pragma("GCC unroll 4") for (int i = 0; i < GROUP; i++) {                                                \
      acc[i][0] = vb;                                                                                        \
      acc[i][1] = _mm512_setzero_ps();                                                                       \
    }                                                                                                        \
    _Pragma("GCC unroll 16") for (int d = 0; d < STRIDE * (GROUP - 1) + KH; d++) {                           \
      const float *row = in_rows[d] + j * STRIDE;                                                            \
      _Pragma("GCC unroll 5") for (int kx = 0; kx < KW; kx++) {                                              \
        __m512 x = LOAD(row + coff[kx], mask[kx], even);                                                     \
        _Pragma("GCC unroll 4") for (int i = 0; i < GROUP; i++) {                                            \
          const int ky = d - STRIDE * i;                                                                     \
          if (ky >= 0 && ky < KH) {                                                                          \
            const int t = ky * KW + kx;                                                                      \
            acc[i][t % 2] = _mm512_fmadd_ps(x, k[t], acc[i][t % 2]);                                         \
          }                                                                                                  \
        }                                                                                                    \
      }                                                                                                      \
    }                                                                                                        \
    _Pragma("GCC unroll 4") for (int i = 0; i < GROUP; i++)                                                  \
      _mm512_mask_storeu_ps(out + i * ow + j, mask16(ow - j),                                                \
                            clamp16(_mm512_add_ps(acc[i][0], acc[i][1]), vlo, vhi));                         \
  } while (0)

/* Rows go four at a time, then two, while the band's rows are consecutive tap rows (row_step == STRIDE, no
 * vertical dilation: every net's case), then one at a time. */
#define DEFINE_DWCONV_DIRECT_AVX512(NAME, KH, KW, STRIDE, LOAD)                                              \
  void NAME(const float *const *in_rows, int64_t row_step, int64_t dil_h, const int64_t *col_off,            \
            const uint32_t *col_mask, const float *w, float bias, float lo, float hi, float *out,            \
            int64_t ow, int64_t rows) {                                                                      \
    __m512 k[KH * KW];                                                                                       \
    _Pragma("GCC unroll 25") for (int t = 0; t < KH * KW; t++) k[t] = _mm512_set1_ps(w[t]);                  \
    int64_t coff[KW];                                                                                        \
    _Pragma("GCC unroll 5") for (int kx = 0; kx < KW; kx++) coff[kx] = col_off[kx];                          \
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);        \
    const __m512 vb = _mm512_set1_ps(bias), vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);              \
    int64_t r = 0;                                                                                           \
    if (row_step == STRIDE && dil_h == 1) {                                                                  \
      for (; r + 4 <= rows; r += 4, in_rows += 4 * STRIDE, out += 4 * ow) {                                  \
        const uint32_t *mask = col_mask;                                                                     \
        for (int64_t j = 0; j < ow; j += 16, mask += KW)                                                     \
          DWCONV_DIRECT_GROUP(4, KH, KW, STRIDE, LOAD);                                                      \
      }                                                                                                      \
      if (r + 2 <= rows) {                                                                                   \
        const uint32_t *mask = col_mask;                                                                     \
        for (int64_t j = 0; j < ow; j += 16, mask += KW)                                                     \
          DWCONV_DIRECT_GROUP(2, KH, KW, STRIDE, LOAD);                                                      \
        r += 2, in_rows += 2 * STRIDE, out += 2 * ow;                                                        \
      }                                                                                                      \
    }                                                                                                        \
    for (; r < rows; r++, in_rows += row_step, out += ow) {                                                  \
      const uint32_t *mask = col_mask;                                                                       \
      for (int64_t j = 0; j < ow; j += 16, mask += KW) {                                                     \
        __m512 a0 = vb, a1 = _mm512_setzero_ps();                                                            \
        _Pragma("GCC unroll 5") for (int ky = 0; ky < KH; ky++) {                                            \
          const float *row = in_rows[ky * dil_h] + j * STRIDE;                                               \
          _Pragma("GCC unroll 5") for (int kx = 0; kx < KW; kx++) {                                          \
            __m512 x = LOAD(row + coff[kx], mask[kx], even);                                                 \
            if ((ky * KW + kx) % 2 == 0)                                                                     \
              a0 = _mm512_fmadd_ps(x, k[ky * KW + kx], a0);                                                  \
            else                                                                                             \
              a1 = _mm512_fmadd_ps(x, k[ky * KW + kx], a1);                                                  \
          }                                                                                                  \
        }                                                                                                    \
        _mm512_mask_storeu_ps(out + j, mask16(ow - j), clamp16(_mm512_add_ps(a0, a1), vlo, vhi));            \
      }                                                                                                      \
    }                                                                                                        \
  }

DEFINE_DWCONV_DIRECT_AVX512(er_f32_dwconv_nchw_direct_3x3s1__avx512, 3, 3, 1, load_taps_s1)
DEFINE_DWCONV_DIRECT_AVX512(er_f32_dwconv_nchw_direct_3x3s2__avx512, 3, 3, 2, load_taps_s2)
DEFINE_DWCONV_DIRECT_AVX512(er_f32_dwconv_nchw_direct_5x5s1__avx512, 5, 5, 1, load_taps_s1)
DEFINE_DWCONV_DIRECT_AVX512(er_f32_dwconv_nchw_direct_5x5s2__avx512, 5, 5, 2, load_taps_s2)

/* A whole small plane (conv_nd_depthwise.h): four vectors of 16 outputs, each tap a masked load and an
 * FMA per vector. Addresses go through integers: a tap's vector may start before the plane (its lanes
 * there are masked off and never read). */
void er_f32_dwconv_nchw_plane__avx512(const float *in, const int64_t *tap_off, const uint16_t *mask,
                                      int64_t taps, const float *w, float bias, float lo, float hi,
                                      float *out, int64_t size) {
  const __m512 vb = _mm512_set1_ps(bias);
  __m512 a0 = vb, a1 = vb, a2 = vb, a3 = vb;
  const uintptr_t base = (uintptr_t)in;
  for (int64_t t = 0; t < taps; t++, mask += 4) {
    const __m512 k = _mm512_set1_ps(w[t]);
    const uintptr_t at = base + (uintptr_t)(tap_off[t] * (int64_t)sizeof(float));
    a0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask[0], (const void *)at), k, a0);
    a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask[1], (const void *)(at + 64)), k, a1);
    a2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask[2], (const void *)(at + 128)), k, a2);
    a3 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask[3], (const void *)(at + 192)), k, a3);
  }
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  _mm512_mask_storeu_ps(out, mask16(size), clamp16(a0, vlo, vhi));
  if (size > 16) _mm512_mask_storeu_ps(out + 16, mask16(size - 16), clamp16(a1, vlo, vhi));
  if (size > 32) _mm512_mask_storeu_ps(out + 32, mask16(size - 32), clamp16(a2, vlo, vhi));
  if (size > 48) _mm512_mask_storeu_ps(out + 48, mask16(size - 48), clamp16(a3, vlo, vhi));
}

void er_f32_dwconv_nchw_phases__avx512(const float *in, int64_t in_h, int64_t in_w, int64_t rows,
                                       int64_t width, float *dst) {
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  const __mmask16 lo_mask = mask16(in_w), hi_mask = in_w > 16 ? mask16(in_w - 16) : 0;
  const int64_t phase = er_dwconv_phase_floats(rows, width), end = in_h < 2 * rows ? in_h : 2 * rows;
  for (int64_t iy = 0; iy < end; iy++) {
    const float *row = in + iy * in_w;
    const __m512 lo = _mm512_maskz_loadu_ps(lo_mask, row);
    const __m512 hi = in_w > 16 ? _mm512_maskz_loadu_ps(hi_mask, row + 16) : _mm512_setzero_ps();
    float *d = dst + 2 * (iy & 1) * phase + (iy >> 1) * width;
    /* Whole vectors (a masked store costs several times more on AMD): the lanes past `width` land on the
     * phase's next row, written after this one, or on the slack after its last. */
    _mm512_storeu_ps(d, _mm512_permutex2var_ps(lo, even, hi));
    _mm512_storeu_ps(d + phase, _mm512_permutex2var_ps(lo, odd, hi));
  }
}
