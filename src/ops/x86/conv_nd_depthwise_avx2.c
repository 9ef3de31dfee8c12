/* AVX2 micro-kernels of the NCHW float32 depthwise convolution (conv_nd_depthwise.h), 8 output columns
 * per vector. Rows of up to 8 columns are computed four at a time and rows of up to 16 two at a time, so
 * that four independent FMA chains hide the FMA latency; wider rows go one at a time, two vectors per
 * step, a lone last vector splitting its taps over two accumulators. Partial vectors are stored under a
 * mask. */
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
        __m256 a0 = vb, a1 = _mm256_setzero_ps();                                                            \
        int t = 0;                                                                                           \
        for (; t + 2 <= N_TAPS; t += 2) {                                                                    \
          a0 = _mm256_fmadd_ps(_mm256_loadu_ps(in + off[t] + j), _mm256_broadcast_ss(w + t), a0);            \
          a1 = _mm256_fmadd_ps(_mm256_loadu_ps(in + off[t + 1] + j), _mm256_broadcast_ss(w + t + 1), a1);    \
        }                                                                                                    \
        if (t < N_TAPS)                                                                                      \
          a0 = _mm256_fmadd_ps(_mm256_loadu_ps(in + off[t] + j), _mm256_broadcast_ss(w + t), a0);            \
        _mm256_maskstore_ps(out + j, mask8(ow - j), clamp8(_mm256_add_ps(a0, a1), vlo, vhi));                \
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
