/* AVX2 micro-kernels of the NCHW float32 pools (window_nd.h): max and average rows, 8 output columns per
 * vector, two vectors at a time while they last, the last partial vector stored under a mask; and the
 * plane sum of the global average pool. */
#include <immintrin.h>

#include "ops/window_nd.h"

static inline void store8(float *out, int64_t left, __m256 v) {
  if (left >= 8) {
    _mm256_storeu_ps(out, v);
    return;
  }
  __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  _mm256_maskstore_ps(out, mask, v);
}

void er_f32_maxpool_nchw_row__avx2(const float *in, const int64_t *tap_off, int64_t taps,
                                   const float *col_scale, float row_scale, float *out, int64_t ow) {
  (void)col_scale, (void)row_scale;
  int64_t j = 0;
  for (; j + 16 <= ow; j += 16) {
    __m256 m0 = _mm256_loadu_ps(in + tap_off[0] + j), m1 = _mm256_loadu_ps(in + tap_off[0] + j + 8);
    for (int64_t t = 1; t < taps; t++) {
      m0 = _mm256_max_ps(m0, _mm256_loadu_ps(in + tap_off[t] + j));
      m1 = _mm256_max_ps(m1, _mm256_loadu_ps(in + tap_off[t] + j + 8));
    }
    _mm256_storeu_ps(out + j, m0);
    _mm256_storeu_ps(out + j + 8, m1);
  }
  for (; j < ow; j += 8) {
    __m256 m = _mm256_loadu_ps(in + tap_off[0] + j);
    for (int64_t t = 1; t < taps; t++)
      m = _mm256_max_ps(m, _mm256_loadu_ps(in + tap_off[t] + j));
    store8(out + j, ow - j, m);
  }
}

void er_f32_avgpool_nchw_row__avx2(const float *in, const int64_t *tap_off, int64_t taps,
                                   const float *col_scale, float row_scale, float *out, int64_t ow) {
  const __m256 rs = _mm256_set1_ps(row_scale);
  int64_t j = 0;
  for (; j + 16 <= ow; j += 16) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    for (int64_t t = 0; t < taps; t++) {
      s0 = _mm256_add_ps(s0, _mm256_loadu_ps(in + tap_off[t] + j));
      s1 = _mm256_add_ps(s1, _mm256_loadu_ps(in + tap_off[t] + j + 8));
    }
    _mm256_storeu_ps(out + j, _mm256_mul_ps(s0, _mm256_mul_ps(rs, _mm256_loadu_ps(col_scale + j))));
    _mm256_storeu_ps(out + j + 8, _mm256_mul_ps(s1, _mm256_mul_ps(rs, _mm256_loadu_ps(col_scale + j + 8))));
  }
  for (; j < ow; j += 8) {
    __m256 s = _mm256_setzero_ps();
    for (int64_t t = 0; t < taps; t++)
      s = _mm256_add_ps(s, _mm256_loadu_ps(in + tap_off[t] + j));
    store8(out + j, ow - j, _mm256_mul_ps(s, _mm256_mul_ps(rs, _mm256_loadu_ps(col_scale + j))));
  }
}

/* Eight floats per step, widened to double in two vectors of partial sums. */
double er_f32_plane_sum__avx2(const float *x, int64_t n) {
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm_loadu_ps(x + i)));
    s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4)));
  }
  __m256d s = _mm256_add_pd(s0, s1);
  __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
  double sum = _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
  for (; i < n; i++)
    sum += x[i];
  return sum;
}
