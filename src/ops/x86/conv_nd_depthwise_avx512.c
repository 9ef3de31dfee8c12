/* AVX-512 micro-kernels of the NCHW float32 depthwise convolution (conv_nd_depthwise.h), 16 output
 * columns per vector. Rows of up to 16 columns are computed four at a time and rows of up to 32 two at a
 * time, so that four independent FMA chains hide the FMA latency; wider rows go one at a time, two vectors
 * per step. Every output is one FMA chain over the taps in order, however its row is grouped, so the
 * result does not depend on the band split (the thread count). Partial vectors are stored under a mask. */
#include <immintrin.h>
#include <stdbool.h>

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
 * masked, so the left and right padding read as zero and no float outside the row is touched. A stride-1
 * tap is one load. Stride 2 with adjacent tap columns (no dilation) loads the 32 floats the row's taps
 * span from the first one (and up to 3 more) once, and makes each tap's vector by one shuffle: the even
 * floats, the odd ones, or those shifted on by a lane or two. Loads are what limits these kernels (most
 * cross a cache line): a row of a 5x5 window takes 3 loads this way where loading each tap's 31 floats
 * took 10 (mobilenet_v2's 112 -> 56 layer 21% faster). With dilation each stride-2 tap still loads its
 * own 31 floats and keeps the even ones. The rows' FMA chains are independent, so the out-of-order core
 * overlaps consecutive vectors and rows. */
typedef struct {
  __mmask16 lo, hi, next; /* floats 0-15, 16-31 and 32-47 from the first tap's first float */
} span_masks;

/* The floats a vector's adjacent stride-2 taps read, from its column masks: tap kx's bit 2l is float
 * 2l + kx of the span. None where the taps load on their own (stride 1, dilation). */
static inline span_masks span_of(const uint32_t *mask, int kw, int stride, bool adjacent) {
  if (stride != 2 || !adjacent) return (span_masks){0, 0, 0};
  uint64_t span = 0;
#pragma GCC unroll 5
  for (int kx = 0; kx < kw; kx++)
    span |= (uint64_t)mask[kx] << kx;
  return (span_masks){(__mmask16)span, (__mmask16)(span >> 16), (__mmask16)(span >> 32)};
}

typedef struct {
  __m512i even, odd, odd_1, even_2; /* floats 2l, 2l + 1, 2l + 3, 2l + 4 of a span */
} s2_picks;

static inline s2_picks s2_picks_make(void) {
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  /* indexes past 15 in a shifted pick take the third vector's float (index - 16) */
  return (s2_picks){even, _mm512_add_epi32(even, _mm512_set1_epi32(1)),
                    _mm512_set_epi32(17, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1),
                    _mm512_set_epi32(18, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2)};
}

/* x[kx] = tap kx's 16 lanes for output columns j.. of one input row (row = its float j * STRIDE). */
static inline __attribute__((always_inline)) void row_taps(const float *row, const int64_t *coff,
                                                           const uint32_t *mask, int kw, int stride,
                                                           bool adjacent, span_masks span,
                                                           const s2_picks *pick, __m512 *x) {
  if (stride == 1) {
#pragma GCC unroll 5
    for (int kx = 0; kx < kw; kx++)
      x[kx] = _mm512_maskz_loadu_ps((__mmask16)mask[kx], row + coff[kx]);
    return;
  }
  if (!adjacent) {
#pragma GCC unroll 5
    for (int kx = 0; kx < kw; kx++) {
      const float *p = row + coff[kx];
      x[kx] = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps((__mmask16)mask[kx], p), pick->even,
                                     _mm512_maskz_loadu_ps((__mmask16)(mask[kx] >> 16), p + 16));
    }
    return;
  }
  const float *p = row + coff[0];
  const __m512 lo = _mm512_maskz_loadu_ps(span.lo, p), hi = _mm512_maskz_loadu_ps(span.hi, p + 16);
  x[0] = _mm512_permutex2var_ps(lo, pick->even, hi);
  x[1] = _mm512_permutex2var_ps(lo, pick->odd, hi);
  if (kw < 3) return;
  const __m512 next = _mm512_maskz_loadu_ps(span.next, p + 32);
  /* floats 2l + 2: the even ones on by a lane */
  x[2] = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(next), _mm512_castps_si512(x[0]), 1));
  if (kw < 4) return;
  x[3] = _mm512_permutex2var_ps(x[1], pick->odd_1, next);
  if (kw < 5) return;
  x[4] = _mm512_permutex2var_ps(x[0], pick->even_2, next);
}

/* One output vector (16 columns from j) of GROUP consecutive output rows. Input row d of the group
 * (in_rows[d], d up to STRIDE * (GROUP - 1) + KH - 1) feeds output row i through tap row ky = d - STRIDE * i,
 * so each row's loads serve every row of the group that reads it: 4 rows of a 3x3 stride-1 conv take
 * 18 loads instead of 36. Output row i keeps two FMA chains (even and odd taps) and adds every tap in
 * increasing order, as the one-row loop does, so the grouping never changes a result. */
#define DWCONV_DIRECT_GROUP(GROUP, KH, KW, STRIDE)                                                           \
  do {                                                                                                       \
    __m512 acc[GROUP][2];                                                                                    \
    _Pragma("GCC unroll 4") for (int i = 0; i < GROUP; i++) {                                                \
      acc[i][0] = vb;                                                                                        \
      acc[i][1] = _mm512_setzero_ps();                                                                       \
    }                                                                                                        \
    const span_masks span = span_of(mask, KW, STRIDE, adjacent);                                             \
    _Pragma("GCC unroll 16") for (int d = 0; d < STRIDE * (GROUP - 1) + KH; d++) {                           \
      __m512 x[KW];                                                                                          \
      row_taps(in_rows[d] + j * STRIDE, coff, mask, KW, STRIDE, adjacent, span, &pick, x);                   \
      _Pragma("GCC unroll 5") for (int kx = 0; kx < KW; kx++) {                                              \
        _Pragma("GCC unroll 4") for (int i = 0; i < GROUP; i++) {                                            \
          const int ky = d - STRIDE * i;                                                                     \
          if (ky >= 0 && ky < KH) {                                                                          \
            const int t = ky * KW + kx;                                                                      \
            acc[i][t % 2] = _mm512_fmadd_ps(x[kx], k[t], acc[i][t % 2]);                                     \
          }                                                                                                  \
        }                                                                                                    \
      }                                                                                                      \
    }                                                                                                        \
    _Pragma("GCC unroll 4") for (int i = 0; i < GROUP; i++) _mm512_mask_storeu_ps(                           \
        out + i * ow + j, mask16(ow - j), clamp16(_mm512_add_ps(acc[i][0], acc[i][1]), vlo, vhi));           \
  } while (0)

/* Rows go four at a time, then two, while the band's rows are consecutive tap rows (row_step == STRIDE, no
 * vertical dilation: every net's case), then one at a time. */
#define DEFINE_DWCONV_DIRECT_AVX512(NAME, KH, KW, STRIDE)                                                    \
  void NAME(const float *const *in_rows, int64_t row_step, int64_t dil_h, const int64_t *col_off,            \
            const uint32_t *col_mask, const float *w, float bias, float lo, float hi, float *out,            \
            int64_t ow, int64_t rows) {                                                                      \
    __m512 k[KH * KW];                                                                                       \
    _Pragma("GCC unroll 25") for (int t = 0; t < KH * KW; t++) k[t] = _mm512_set1_ps(w[t]);                  \
    int64_t coff[KW];                                                                                        \
    _Pragma("GCC unroll 5") for (int kx = 0; kx < KW; kx++) coff[kx] = col_off[kx];                          \
    const bool adjacent = coff[KW - 1] - coff[0] == KW - 1;                                                  \
    const s2_picks pick = s2_picks_make();                                                                   \
    const __m512 vb = _mm512_set1_ps(bias), vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);              \
    int64_t r = 0;                                                                                           \
    if (row_step == STRIDE && dil_h == 1) {                                                                  \
      for (; r + 4 <= rows; r += 4, in_rows += 4 * STRIDE, out += 4 * ow) {                                  \
        const uint32_t *mask = col_mask;                                                                     \
        for (int64_t j = 0; j < ow; j += 16, mask += KW)                                                     \
          DWCONV_DIRECT_GROUP(4, KH, KW, STRIDE);                                                            \
      }                                                                                                      \
      if (r + 2 <= rows) {                                                                                   \
        const uint32_t *mask = col_mask;                                                                     \
        for (int64_t j = 0; j < ow; j += 16, mask += KW)                                                     \
          DWCONV_DIRECT_GROUP(2, KH, KW, STRIDE);                                                            \
        r += 2, in_rows += 2 * STRIDE, out += 2 * ow;                                                        \
      }                                                                                                      \
    }                                                                                                        \
    for (; r < rows; r++, in_rows += row_step, out += ow) {                                                  \
      const uint32_t *mask = col_mask;                                                                       \
      for (int64_t j = 0; j < ow; j += 16, mask += KW) {                                                     \
        __m512 a0 = vb, a1 = _mm512_setzero_ps();                                                            \
        const span_masks span = span_of(mask, KW, STRIDE, adjacent);                                         \
        _Pragma("GCC unroll 5") for (int ky = 0; ky < KH; ky++) {                                            \
          __m512 x[KW];                                                                                      \
          row_taps(in_rows[ky * dil_h] + j * STRIDE, coff, mask, KW, STRIDE, adjacent, span, &pick, x);      \
          _Pragma("GCC unroll 5") for (int kx = 0; kx < KW; kx++) {                                          \
            if ((ky * KW + kx) % 2 == 0)                                                                     \
              a0 = _mm512_fmadd_ps(x[kx], k[ky * KW + kx], a0);                                              \
            else                                                                                             \
              a1 = _mm512_fmadd_ps(x[kx], k[ky * KW + kx], a1);                                              \
          }                                                                                                  \
        }                                                                                                    \
        _mm512_mask_storeu_ps(out + j, mask16(ow - j), clamp16(_mm512_add_ps(a0, a1), vlo, vhi));            \
      }                                                                                                      \
    }                                                                                                        \
  }

DEFINE_DWCONV_DIRECT_AVX512(er_f32_dwconv_nchw_direct_3x3s1__avx512, 3, 3, 1)
DEFINE_DWCONV_DIRECT_AVX512(er_f32_dwconv_nchw_direct_3x3s2__avx512, 3, 3, 2)
DEFINE_DWCONV_DIRECT_AVX512(er_f32_dwconv_nchw_direct_5x5s1__avx512, 5, 5, 1)
DEFINE_DWCONV_DIRECT_AVX512(er_f32_dwconv_nchw_direct_5x5s2__avx512, 5, 5, 2)

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
  const s2_picks pick = s2_picks_make();
  const __mmask16 lo_mask = mask16(in_w), hi_mask = in_w > 16 ? mask16(in_w - 16) : 0;
  const int64_t phase = er_dwconv_phase_floats(rows, width), end = in_h < 2 * rows ? in_h : 2 * rows;
  for (int64_t iy = 0; iy < end; iy++) {
    const float *row = in + iy * in_w;
    const __m512 lo = _mm512_maskz_loadu_ps(lo_mask, row);
    const __m512 hi = in_w > 16 ? _mm512_maskz_loadu_ps(hi_mask, row + 16) : _mm512_setzero_ps();
    float *d = dst + 2 * (iy & 1) * phase + (iy >> 1) * width;
    /* Whole vectors (a masked store costs several times more on AMD): the lanes past `width` land on the
     * phase's next row, written after this one, or on the slack after its last. */
    _mm512_storeu_ps(d, _mm512_permutex2var_ps(lo, pick.even, hi));
    _mm512_storeu_ps(d + phase, _mm512_permutex2var_ps(lo, pick.odd, hi));
  }
}
