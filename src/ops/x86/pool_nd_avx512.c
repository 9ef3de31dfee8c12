/* AVX-512 micro-kernels of the NCHW float32 pools (window_nd.h): max and average rows, 16 output columns
 * per vector, two vectors at a time while they last, the last partial vector stored under a mask; and the
 * plane sum of the global average pool. */
#include <immintrin.h>
#include <math.h>
#include <stdbool.h>

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

/* Direct max pool (window_nd.h), separable: the max down each window's rows, read in place, into a row
 * padded with -inf, then the max along that row's window columns. A 3x3 stride-2 output vector takes 10
 * plain loads this way, where a load pair per tap took 18 masked ones, and merge-masked loads (the
 * padding's -inf) cost Zen 5 two to three times a plain load. */

/* out[x] = the max of rows[k][x] over the n rows, and of out[x] itself when accumulate. */
static void column_max(const float *const *rows, int64_t n, int64_t cols, bool accumulate, float *out) {
  int64_t x = 0, first = accumulate ? 0 : 1;
  for (; x + 16 <= cols; x += 16) {
    __m512 m = _mm512_loadu_ps(accumulate ? out + x : rows[0] + x);
    for (int64_t k = first; k < n; k++)
      m = _mm512_max_ps(m, _mm512_loadu_ps(rows[k] + x));
    _mm512_storeu_ps(out + x, m);
  }
  if (x < cols) {
    __mmask16 tail = (__mmask16)((1u << (cols - x)) - 1u);
    __m512 m = _mm512_maskz_loadu_ps(tail, accumulate ? out + x : rows[0] + x);
    for (int64_t k = first; k < n; k++)
      m = _mm512_max_ps(m, _mm512_maskz_loadu_ps(tail, rows[k] + x));
    _mm512_mask_storeu_ps(out + x, tail, m);
  }
}

/* col_max[x] for the input columns: the max down output row oy's window rows inside the plane (-inf when
 * there are none), CHUNK rows per pass. */
#define CHUNK 8
static void window_rows_max(const er_window_2d *v, const float *plane, int64_t oy, int64_t cols,
                            float *col_max) {
  const float *rows[CHUNK];
  int64_t n = 0;
  bool filled = false;
  for (int64_t ky = 0, iy = oy * v->stride_h - v->pad_top; ky < v->kh; ky++, iy += v->dil_h) {
    if (iy < 0 || iy >= v->in_h) continue;
    rows[n++] = plane + iy * v->in_w;
    if (n == CHUNK) {
      column_max(rows, n, cols, filled, col_max);
      filled = true;
      n = 0;
    }
  }
  if (n)
    column_max(rows, n, cols, filled, col_max);
  else if (!filled)
    for (int64_t x = 0; x < cols; x++)
      col_max[x] = -INFINITY;
}
#undef CHUNK

/* out[j] = max over kx of padded[j * STRIDE + kx * dil_w]; stride 2 takes the even floats of two loads,
 * and with dil_w 1 one pair of loads serves two taps (even and odd floats). */
static inline void row_max(const float *padded, int64_t kw, int64_t dil_w, int64_t stride, float *out,
                           int64_t ow) {
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  for (int64_t j = 0; j < ow; j += 16) {
    const float *p = padded + j * stride;
    __m512 m = _mm512_set1_ps(-INFINITY);
    int64_t kx = 0;
    if (stride == 1) {
      for (; kx < kw; kx++)
        m = _mm512_max_ps(m, _mm512_loadu_ps(p + kx * dil_w));
    } else {
      for (; dil_w == 1 && kx + 1 < kw; kx += 2) {
        __m512 lo = _mm512_loadu_ps(p + kx), hi = _mm512_loadu_ps(p + kx + 16);
        m = _mm512_max_ps(m, _mm512_permutex2var_ps(lo, even, hi));
        m = _mm512_max_ps(m, _mm512_permutex2var_ps(lo, odd, hi));
      }
      for (; kx < kw; kx++) {
        const float *t = p + kx * dil_w;
        m = _mm512_max_ps(m, _mm512_permutex2var_ps(_mm512_loadu_ps(t), even, _mm512_loadu_ps(t + 16)));
      }
    }
    store16(out + j, ow - j, m);
  }
}

static inline void maxpool_direct(const er_window_2d *v, const float *plane, int64_t oy0, int64_t rows,
                                  float *col_max, float *out, int64_t stride) {
  int64_t floats = er_window_2d_col_max_floats(v);
  int64_t cols = v->in_w < floats - v->pad_left ? v->in_w : floats - v->pad_left;
  for (int64_t i = 0; i < floats; i += 16)
    _mm512_storeu_ps(col_max + i, _mm512_set1_ps(-INFINITY));
  for (int64_t r = 0; r < rows; r++, out += v->out_w) {
    window_rows_max(v, plane, oy0 + r, cols, col_max + v->pad_left);
    row_max(col_max, v->kw, v->dil_w, stride, out, v->out_w);
  }
}

void er_f32_maxpool_nchw_direct_s1__avx512(const er_window_2d *v, const float *plane, int64_t oy0,
                                           int64_t rows, float *col_max, float *out) {
  maxpool_direct(v, plane, oy0, rows, col_max, out, 1);
}

void er_f32_maxpool_nchw_direct_s2__avx512(const er_window_2d *v, const float *plane, int64_t oy0,
                                           int64_t rows, float *col_max, float *out) {
  maxpool_direct(v, plane, oy0, rows, col_max, out, 2);
}
