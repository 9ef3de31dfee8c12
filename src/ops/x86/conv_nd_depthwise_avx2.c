/* AVX2 micro-kernels of the NCHW float32 depthwise convolution (conv_nd_depthwise.h), 8 output columns
 * per vector. Rows of up to 8 columns are computed four at a time and rows of up to 16 two at a time, so
 * that four independent FMA chains hide the FMA latency; wider rows go one at a time, two vectors per
 * step. Every output is one FMA chain over the taps in order, however its row is grouped, so the
 * result does not depend on the band split (the thread count). Partial vectors are stored under a mask. */
#include <immintrin.h>

#include "ops/conv_nd_depthwise.h"

static inline __m256 clamp8(__m256 v, __m256 lo, __m256 hi) {
  /* max(lo, v) and min(hi, v) return v when v is NaN, as the scalar clamp does. */
  return _mm256_min_ps(hi, _mm256_max_ps(lo, v));
}

static inline __m256i mask8(int64_t left) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(left >= 8 ? 8 : (int)left),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

#define DEFINE_DWCONV_AVX2(NAME, N_TAPS)                                                                     \
  void NAME(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps, const float *w,          \
            float bias, float lo, float hi, float *out, int64_t ow, int64_t rows) {                          \
    (void)taps;                                                                                              \
    int64_t off[N_TAPS];                                                                                     \
    for (int t = 0; t < N_TAPS; t++)                                                                         \
      off[t] = tap_off[t];                                                                                   \
    const __m256 vb = _mm256_set1_ps(bias), vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);              \
    const __m256i last = mask8(ow - (ow - 1) / 8 * 8);                                                       \
    int64_t r = 0;                                                                                           \
    if (ow <= 8) {                                                                                           \
      for (; r + 4 <= rows; r += 4, in += 4 * in_step, out += 4 * ow) {                                      \
        __m256 a0 = vb, a1 = vb, a2 = vb, a3 = vb;                                                           \
        for (int t = 0; t < N_TAPS; t++) {                                                                   \
          const float *s = in + off[t];                                                                      \
          __m256 k = _mm256_broadcast_ss(w + t);                                                             \
          a0 = _mm256_fmadd_ps(_mm256_loadu_ps(s), k, a0);                                                   \
          a1 = _mm256_fmadd_ps(_mm256_loadu_ps(s + in_step), k, a1);                                         \
          a2 = _mm256_fmadd_ps(_mm256_loadu_ps(s + 2 * in_step), k, a2);                                     \
          a3 = _mm256_fmadd_ps(_mm256_loadu_ps(s + 3 * in_step), k, a3);                                     \
        }                                                                                                    \
        _mm256_maskstore_ps(out, last, clamp8(a0, vlo, vhi));                                                \
        _mm256_maskstore_ps(out + ow, last, clamp8(a1, vlo, vhi));                                           \
        _mm256_maskstore_ps(out + 2 * ow, last, clamp8(a2, vlo, vhi));                                       \
        _mm256_maskstore_ps(out + 3 * ow, last, clamp8(a3, vlo, vhi));                                       \
      }                                                                                                      \
    } else if (ow <= 16) {                                                                                   \
      for (; r + 2 <= rows; r += 2, in += 2 * in_step, out += 2 * ow) {                                      \
        __m256 a0 = vb, a1 = vb, a2 = vb, a3 = vb;                                                           \
        for (int t = 0; t < N_TAPS; t++) {                                                                   \
          const float *s = in + off[t];                                                                      \
          __m256 k = _mm256_broadcast_ss(w + t);                                                             \
          a0 = _mm256_fmadd_ps(_mm256_loadu_ps(s), k, a0);                                                   \
          a1 = _mm256_fmadd_ps(_mm256_loadu_ps(s + 8), k, a1);                                               \
          a2 = _mm256_fmadd_ps(_mm256_loadu_ps(s + in_step), k, a2);                                         \
          a3 = _mm256_fmadd_ps(_mm256_loadu_ps(s + in_step + 8), k, a3);                                     \
        }                                                                                                    \
        _mm256_storeu_ps(out, clamp8(a0, vlo, vhi));                                                         \
        _mm256_maskstore_ps(out + 8, last, clamp8(a1, vlo, vhi));                                            \
        _mm256_storeu_ps(out + ow, clamp8(a2, vlo, vhi));                                                    \
        _mm256_maskstore_ps(out + ow + 8, last, clamp8(a3, vlo, vhi));                                       \
      }                                                                                                      \
    }                                                                                                        \
    for (; r < rows; r++, in += in_step, out += ow) {                                                        \
      int64_t j = 0;                                                                                         \
      for (; j + 16 <= ow; j += 16) {                                                                        \
        __m256 a0 = vb, a1 = vb;                                                                             \
        for (int t = 0; t < N_TAPS; t++) {                                                                   \
          __m256 k = _mm256_broadcast_ss(w + t);                                                             \
          a0 = _mm256_fmadd_ps(_mm256_loadu_ps(in + off[t] + j), k, a0);                                     \
          a1 = _mm256_fmadd_ps(_mm256_loadu_ps(in + off[t] + j + 8), k, a1);                                 \
        }                                                                                                    \
        _mm256_storeu_ps(out + j, clamp8(a0, vlo, vhi));                                                     \
        _mm256_storeu_ps(out + j + 8, clamp8(a1, vlo, vhi));                                                 \
      }                                                                                                      \
      for (; j < ow; j += 8) {                                                                               \
        __m256 a0 = vb;                                                                                      \
        for (int t = 0; t < N_TAPS; t++)                                                                     \
          a0 = _mm256_fmadd_ps(_mm256_loadu_ps(in + off[t] + j), _mm256_broadcast_ss(w + t), a0);            \
        _mm256_maskstore_ps(out + j, mask8(ow - j), clamp8(a0, vlo, vhi));                                   \
      }                                                                                                      \
    }                                                                                                        \
  }

DEFINE_DWCONV_AVX2(er_f32_dwconv_nchw_3x3__avx2, 9)
DEFINE_DWCONV_AVX2(er_f32_dwconv_nchw_5x5__avx2, 25)

/* Any tap count: taps outer over a block of up to four vectors kept in registers, one row at a time. */
void er_f32_dwconv_nchw_any__avx2(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                  const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                  int64_t rows) {
  const __m256 vb = _mm256_set1_ps(bias), vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  for (int64_t r = 0; r < rows; r++, in += in_step, out += ow) {
    for (int64_t j = 0; j < ow; j += 32) {
      __m256 a0 = vb, a1 = vb, a2 = vb, a3 = vb;
      for (int64_t t = 0; t < taps; t++) {
        const float *src = in + tap_off[t] + j;
        __m256 k = _mm256_broadcast_ss(w + t);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(src), k, a0);
        if (ow - j > 8) a1 = _mm256_fmadd_ps(_mm256_loadu_ps(src + 8), k, a1);
        if (ow - j > 16) a2 = _mm256_fmadd_ps(_mm256_loadu_ps(src + 16), k, a2);
        if (ow - j > 24) a3 = _mm256_fmadd_ps(_mm256_loadu_ps(src + 24), k, a3);
      }
      _mm256_maskstore_ps(out + j, mask8(ow - j), clamp8(a0, vlo, vhi));
      if (ow - j > 8) _mm256_maskstore_ps(out + j + 8, mask8(ow - j - 8), clamp8(a1, vlo, vhi));
      if (ow - j > 16) _mm256_maskstore_ps(out + j + 16, mask8(ow - j - 16), clamp8(a2, vlo, vhi));
      if (ow - j > 24) _mm256_maskstore_ps(out + j + 24, mask8(ow - j - 24), clamp8(a3, vlo, vhi));
    }
  }
}

/* Direct micro-kernels (er_f32_dwconv_nchw_direct_fn): the input rows are read in place. The masks are
 * those of 16-column vectors, done here as two halves of 8. A vector whose taps all lie inside the row
 * (the bulk of a row) uses plain loads; the others load under their column masks (maskload faults on no
 * masked-off float), so the padding reads as zero. A stride-2 half loads the 15 floats its 8 outputs span
 * and keeps the even ones with a shuffle and a permute. */
static inline __m256i lanes_of(uint32_t bits) {
  const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)(bits & 0xffu)), bit), bit);
}

/* Outputs 8h .. 8h + 7 of a 16-column vector whose tap starts at p; `full`: every lane is inside. */
static inline __m256 load_half_s1(const float *p, uint32_t mask, int h, bool full) {
  if (full) return _mm256_loadu_ps(p + 8 * h);
  return _mm256_maskload_ps(p + 8 * h, lanes_of(mask >> (8 * h)));
}

static inline __m256 load_half_s2(const float *p, uint32_t mask, int h, bool full) {
  __m256 lo, hi;
  if (full) {
    /* Float 31 lies past the last one read (30), maybe past the input: leave it out. */
    lo = _mm256_loadu_ps(p + 16 * h);
    hi = h ? _mm256_maskload_ps(p + 24, _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, -1, 0))
           : _mm256_loadu_ps(p + 8);
  } else {
    lo = _mm256_maskload_ps(p + 16 * h, lanes_of(mask >> (16 * h)));
    hi = _mm256_maskload_ps(p + 16 * h + 8, lanes_of(mask >> (16 * h + 8)));
  }
  __m256 even = _mm256_shuffle_ps(lo, hi, 0x88); /* lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6 */
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(even), 0xD8));
}

/* One 16-column vector of R (1 or 2) output rows: a0, a1 the halves of the first, b0, b1 of the second.
 * Each output is one FMA chain over the taps in order either way. */
#define DWCONV_DIRECT_AVX2_VECTOR(KH, KW, STRIDE, LOAD, FULL, R)                                             \
  _Pragma("GCC unroll 5") for (int ky = 0; ky < KH; ky++) {                                                  \
    const float *row = in_rows[ky * dil_h] + j * STRIDE;                                                     \
    const float *row2 = R == 2 ? in_rows[row_step + ky * dil_h] + j * STRIDE : row;                          \
    _Pragma("GCC unroll 5") for (int kx = 0; kx < KW; kx++) {                                                \
      __m256 k = _mm256_broadcast_ss(w + ky * KW + kx);                                                      \
      a0 = _mm256_fmadd_ps(LOAD(row + coff[kx], mask[kx], 0, FULL), k, a0);                                  \
      a1 = _mm256_fmadd_ps(LOAD(row + coff[kx], mask[kx], 1, FULL), k, a1);                                  \
      if (R == 2) {                                                                                          \
        b0 = _mm256_fmadd_ps(LOAD(row2 + coff[kx], mask[kx], 0, FULL), k, b0);                               \
        b1 = _mm256_fmadd_ps(LOAD(row2 + coff[kx], mask[kx], 1, FULL), k, b1);                               \
      }                                                                                                      \
    }                                                                                                        \
  }

/* R output rows (1 or 2) starting at in_rows, out. */
#define DWCONV_DIRECT_AVX2_ROWS(KH, KW, STRIDE, LOAD, R)                                                     \
  {                                                                                                          \
    const uint32_t *mask = col_mask;                                                                         \
    for (int64_t j = 0; j < ow; j += 16, mask += KW) {                                                       \
      __m256 a0 = vb, a1 = vb, b0 = vb, b1 = vb;                                                             \
      uint32_t all = full_mask;                                                                              \
      _Pragma("GCC unroll 5") for (int kx = 0; kx < KW; kx++) all &= mask[kx];                               \
      if (all == full_mask) {                                                                                \
        DWCONV_DIRECT_AVX2_VECTOR(KH, KW, STRIDE, LOAD, true, R)                                             \
      } else {                                                                                               \
        DWCONV_DIRECT_AVX2_VECTOR(KH, KW, STRIDE, LOAD, false, R)                                            \
      }                                                                                                      \
      _mm256_maskstore_ps(out + j, mask8(ow - j), clamp8(a0, vlo, vhi));                                     \
      if (ow - j > 8) _mm256_maskstore_ps(out + j + 8, mask8(ow - j - 8), clamp8(a1, vlo, vhi));             \
      if (R == 2) {                                                                                          \
        _mm256_maskstore_ps(out + ow + j, mask8(ow - j), clamp8(b0, vlo, vhi));                              \
        if (ow - j > 8) _mm256_maskstore_ps(out + ow + j + 8, mask8(ow - j - 8), clamp8(b1, vlo, vhi));      \
      }                                                                                                      \
    }                                                                                                        \
  }

#define DEFINE_DWCONV_DIRECT_AVX2(NAME, KH, KW, STRIDE, LOAD)                                                \
  void NAME(const float *const *in_rows, int64_t row_step, int64_t dil_h, const int64_t *col_off,            \
            const uint32_t *col_mask, const float *w, float bias, float lo, float hi, float *out,            \
            int64_t ow, int64_t rows) {                                                                      \
    int64_t coff[KW];                                                                                        \
    _Pragma("GCC unroll 5") for (int kx = 0; kx < KW; kx++) coff[kx] = col_off[kx];                          \
    const uint32_t full_mask = STRIDE == 1 ? 0xffffu : 0x55555555u;                                          \
    const __m256 vb = _mm256_set1_ps(bias), vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);              \
    int64_t r = 0;                                                                                           \
    for (; r + 2 <= rows; r += 2, in_rows += 2 * row_step, out += 2 * ow)                                    \
      DWCONV_DIRECT_AVX2_ROWS(KH, KW, STRIDE, LOAD, 2)                                                       \
    for (; r < rows; r++, in_rows += row_step, out += ow)                                                    \
      DWCONV_DIRECT_AVX2_ROWS(KH, KW, STRIDE, LOAD, 1)                                                       \
  }

DEFINE_DWCONV_DIRECT_AVX2(er_f32_dwconv_nchw_direct_3x3s1__avx2, 3, 3, 1, load_half_s1)
DEFINE_DWCONV_DIRECT_AVX2(er_f32_dwconv_nchw_direct_3x3s2__avx2, 3, 3, 2, load_half_s2)
DEFINE_DWCONV_DIRECT_AVX2(er_f32_dwconv_nchw_direct_5x5s1__avx2, 5, 5, 1, load_half_s1)
DEFINE_DWCONV_DIRECT_AVX2(er_f32_dwconv_nchw_direct_5x5s2__avx2, 5, 5, 2, load_half_s2)
