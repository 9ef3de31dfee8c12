/* float NHWC average and max pooling, AVX2 (see pooling_nhwc.h): 8 channels per vector, the last ones
 * under a lane mask. Each lane sums its channel's window in the reference's order and divides once, and
 * the max keeps the old value unless the new one is greater, so the results are the reference's bits. */
#include <float.h>
#include <immintrin.h>

#include "ops/pooling_nhwc.h"

/* Lane masks for n = 1..8 channels: loaded from index 8 - n. */
static const int32_t k_mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

static void f32_pool_rows(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end, int is_max) {
  const int64_t channels = a->channels;
  const __m256 lo = _mm256_set1_ps(a->act_min_f), hi = _mm256_set1_ps(a->act_max_f);
  for (int64_t row = row_begin; row < row_end; row++) {
    const int64_t b = row / a->out_h, oy = row % a->out_h;
    const float *image = (const float *)a->input + b * a->in_h * a->in_w * channels;
    float *out = (float *)a->output + row * a->out_w * channels;
    for (int64_t ox = 0; ox < a->out_w; ox++, out += channels) {
      int64_t y0, y1, x0, x1;
      er_pool_nhwc_window(a, oy, ox, &y0, &y1, &x0, &x1);
      const __m256 count = _mm256_set1_ps((float)((y1 - y0) * (x1 - x0)));
      for (int64_t c = 0; c < channels; c += 8) {
        const int64_t n = channels - c < 8 ? channels - c : 8;
        const __m256i lanes = _mm256_loadu_si256((const __m256i *)(k_mask_table + 8 - n));
        __m256 acc = is_max ? _mm256_set1_ps(-FLT_MAX) : _mm256_setzero_ps();
        for (int64_t y = y0; y < y1; y++) {
          const float *in = image + (y * a->in_w + x0) * channels + c;
          for (int64_t x = x0; x < x1; x++, in += channels) {
            __m256 v = _mm256_maskload_ps(in, lanes);
            /* max_ps(v, acc) is v > acc ? v : acc, the reference's comparison, NaN included */
            acc = is_max ? _mm256_max_ps(v, acc) : _mm256_add_ps(acc, v);
          }
        }
        if (!is_max) acc = _mm256_div_ps(acc, count);
        /* max(lo, v) and min(hi, v) keep a NaN, as er_clamp_f does */
        _mm256_maskstore_ps(out + c, lanes, _mm256_min_ps(hi, _mm256_max_ps(lo, acc)));
      }
    }
  }
}

void er_f32_avgpool_nhwc__avx2(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end) {
  f32_pool_rows(a, row_begin, row_end, 0);
}

void er_f32_maxpool_nhwc__avx2(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end) {
  f32_pool_rows(a, row_begin, row_end, 1);
}
