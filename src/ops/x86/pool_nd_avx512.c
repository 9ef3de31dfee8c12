/* AVX-512 micro-kernels of the NCHW float32 pools (window_nd.h): max and average rows, 16 output columns
 * per vector, two vectors at a time while they last, the last partial vector stored under a mask; and the
 * plane sum of the global average pool. */
#include <immintrin.h>
#include <math.h>

#include "ops/window_nd.h"

static inline void store16(float *out, int64_t left, __m512 v) {
  if (left >= 16)
    _mm512_storeu_ps(out, v);
  else
    _mm512_mask_storeu_ps(out, (__mmask16)((1u << left) - 1u), v);
}

void er_f32_maxpool_nchw_row__avx512(const float *in, const int64_t *tap_off, int64_t taps,
                                     const float *col_scale, float row_scale, float *out, int64_t ow) {
  (void)col_scale, (void)row_scale;
  int64_t j = 0;
  for (; j + 32 <= ow; j += 32) {
    __m512 m0 = _mm512_loadu_ps(in + tap_off[0] + j), m1 = _mm512_loadu_ps(in + tap_off[0] + j + 16);
    for (int64_t t = 1; t < taps; t++) {
      m0 = _mm512_max_ps(m0, _mm512_loadu_ps(in + tap_off[t] + j));
      m1 = _mm512_max_ps(m1, _mm512_loadu_ps(in + tap_off[t] + j + 16));
    }
    _mm512_storeu_ps(out + j, m0);
    _mm512_storeu_ps(out + j + 16, m1);
  }
  for (; j < ow; j += 16) {
    __m512 m = _mm512_loadu_ps(in + tap_off[0] + j);
    for (int64_t t = 1; t < taps; t++)
      m = _mm512_max_ps(m, _mm512_loadu_ps(in + tap_off[t] + j));
    store16(out + j, ow - j, m);
  }
}

void er_f32_avgpool_nchw_row__avx512(const float *in, const int64_t *tap_off, int64_t taps,
                                     const float *col_scale, float row_scale, float *out, int64_t ow) {
  const __m512 rs = _mm512_set1_ps(row_scale);
  int64_t j = 0;
  for (; j + 32 <= ow; j += 32) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    for (int64_t t = 0; t < taps; t++) {
      s0 = _mm512_add_ps(s0, _mm512_loadu_ps(in + tap_off[t] + j));
      s1 = _mm512_add_ps(s1, _mm512_loadu_ps(in + tap_off[t] + j + 16));
    }
    _mm512_storeu_ps(out + j, _mm512_mul_ps(s0, _mm512_mul_ps(rs, _mm512_loadu_ps(col_scale + j))));
    _mm512_storeu_ps(out + j + 16, _mm512_mul_ps(s1, _mm512_mul_ps(rs, _mm512_loadu_ps(col_scale + j + 16))));
  }
  for (; j < ow; j += 16) {
    __m512 s = _mm512_setzero_ps();
    for (int64_t t = 0; t < taps; t++)
      s = _mm512_add_ps(s, _mm512_loadu_ps(in + tap_off[t] + j));
    store16(out + j, ow - j, _mm512_mul_ps(s, _mm512_mul_ps(rs, _mm512_loadu_ps(col_scale + j))));
  }
}

/* Sixteen floats per step, widened to double in two vectors of partial sums. */
double er_f32_plane_sum__avx512(const float *x, int64_t n) {
  __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm256_loadu_ps(x + i)));
    s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8)));
  }
  double sum = _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
  for (; i < n; i++)
    sum += x[i];
  return sum;
}

/* Direct max pool (window_nd.h): masked loads fill the padding with -inf, and a row outside the input is
 * a max with -inf, so every output sees the padded copy's taps in the same order. */
static inline __m512 max_taps_s1(const float *p, uint32_t mask, __m512 pad, __m512i even) {
  (void)even;
  return _mm512_mask_loadu_ps(pad, (__mmask16)mask, p);
}

static inline __m512 max_taps_s2(const float *p, uint32_t mask, __m512 pad, __m512i even) {
  __m512 lo = _mm512_mask_loadu_ps(pad, (__mmask16)mask, p);
  __m512 hi = _mm512_mask_loadu_ps(pad, (__mmask16)(mask >> 16), p + 16);
  return _mm512_permutex2var_ps(lo, even, hi);
}

#define DEFINE_MAXPOOL_DIRECT_AVX512(NAME, STRIDE, LOAD)                                                     \
  void NAME(const float *const *in_rows, int64_t row_step, int64_t dil_h, int64_t kh, int64_t kw,            \
            const int64_t *col_off, const uint32_t *col_mask, float *out, int64_t ow, int64_t rows) {        \
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);        \
    const __m512 pad = _mm512_set1_ps(-INFINITY);                                                            \
    for (int64_t r = 0; r < rows; r++, in_rows += row_step, out += ow) {                                     \
      const uint32_t *mask = col_mask;                                                                       \
      for (int64_t j = 0; j < ow; j += 16, mask += kw) {                                                     \
        __m512 m = pad;                                                                                      \
        for (int64_t ky = 0; ky < kh; ky++) {                                                                \
          const float *row = in_rows[ky * dil_h];                                                            \
          if (!row) {                                                                                        \
            for (int64_t kx = 0; kx < kw; kx++)                                                              \
              m = _mm512_max_ps(m, pad);                                                                     \
            continue;                                                                                        \
          }                                                                                                  \
          row += j * STRIDE;                                                                                 \
          for (int64_t kx = 0; kx < kw; kx++)                                                                \
            m = _mm512_max_ps(m, LOAD(row + col_off[kx], mask[kx], pad, even));                              \
        }                                                                                                    \
        store16(out + j, ow - j, m);                                                                         \
      }                                                                                                      \
    }                                                                                                        \
  }

DEFINE_MAXPOOL_DIRECT_AVX512(er_f32_maxpool_nchw_direct_s1__avx512, 1, max_taps_s1)
DEFINE_MAXPOOL_DIRECT_AVX512(er_f32_maxpool_nchw_direct_s2__avx512, 2, max_taps_s2)
