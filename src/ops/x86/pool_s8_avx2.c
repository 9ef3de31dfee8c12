/* int8 NHWC average and max pooling, AVX2 (see pooling_nhwc.h). The average sums 8 channels in int32
 * lanes and divides in double: numerator (|n| < 2^31) and count are exact there and the quotient's
 * rounding error is below the distance 1/count of any non-integer quotient from an integer, so
 * truncating it gives C's integer division. The max runs over 32 channels at a time in int8 lanes. */
#include <immintrin.h>

#include "ops/pooling_nhwc.h"

static inline int8_t clamp_i8(const er_pool_nhwc_args *a, int32_t v) {
  int32_t above = v > a->act_min ? v : a->act_min;
  return (int8_t)(above < a->act_max ? above : a->act_max);
}

/* sum / count of 8 int32 lanes, rounding half away from zero */
static inline __m256i average_8(__m256i sum, int32_t count) {
  const __m256i half = _mm256_set1_epi32(count / 2);
  const __m256i positive = _mm256_cmpgt_epi32(sum, _mm256_setzero_si256());
  const __m256i n = _mm256_blendv_epi8(_mm256_sub_epi32(sum, half), _mm256_add_epi32(sum, half), positive);
  const __m256d divisor = _mm256_set1_pd((double)count);
  __m128i lo = _mm256_cvttpd_epi32(_mm256_div_pd(_mm256_cvtepi32_pd(_mm256_castsi256_si128(n)), divisor));
  __m128i hi =
      _mm256_cvttpd_epi32(_mm256_div_pd(_mm256_cvtepi32_pd(_mm256_extracti128_si256(n, 1)), divisor));
  return _mm256_set_m128i(hi, lo);
}

void er_s8_avgpool_nhwc__avx2(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end) {
  const int64_t channels = a->channels;
  const __m256i lo = _mm256_set1_epi32(a->act_min), hi = _mm256_set1_epi32(a->act_max);
  for (int64_t row = row_begin; row < row_end; row++) {
    const int64_t b = row / a->out_h, oy = row % a->out_h;
    const int8_t *image = (const int8_t *)a->input + b * a->in_h * a->in_w * channels;
    int8_t *out = (int8_t *)a->output + row * a->out_w * channels;
    for (int64_t ox = 0; ox < a->out_w; ox++, out += channels) {
      int64_t y0, y1, x0, x1;
      er_pool_nhwc_window(a, oy, ox, &y0, &y1, &x0, &x1);
      const int32_t count = (int32_t)((y1 - y0) * (x1 - x0));
      int64_t c = 0;
      for (; c + 8 <= channels; c += 8) {
        __m256i sum = _mm256_setzero_si256();
        for (int64_t y = y0; y < y1; y++) {
          const int8_t *in = image + (y * a->in_w + x0) * channels + c;
          for (int64_t x = x0; x < x1; x++, in += channels)
            sum = _mm256_add_epi32(sum, _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)in)));
        }
        __m256i v = _mm256_min_epi32(_mm256_max_epi32(average_8(sum, count), lo), hi);
        __m128i v16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        _mm_storel_epi64((__m128i *)(out + c), _mm_packs_epi16(v16, v16));
      }
      for (; c < channels; c++) {
        int32_t sum = 0;
        for (int64_t y = y0; y < y1; y++)
          for (int64_t x = x0; x < x1; x++)
            sum += image[(y * a->in_w + x) * channels + c];
        out[c] = clamp_i8(a, er_pool_average_i32(sum, count));
      }
    }
  }
}

void er_s8_maxpool_nhwc__avx2(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end) {
  const int64_t channels = a->channels;
  const __m256i lo = _mm256_set1_epi8((int8_t)a->act_min), hi = _mm256_set1_epi8((int8_t)a->act_max);
  for (int64_t row = row_begin; row < row_end; row++) {
    const int64_t b = row / a->out_h, oy = row % a->out_h;
    const int8_t *image = (const int8_t *)a->input + b * a->in_h * a->in_w * channels;
    int8_t *out = (int8_t *)a->output + row * a->out_w * channels;
    for (int64_t ox = 0; ox < a->out_w; ox++, out += channels) {
      int64_t y0, y1, x0, x1;
      er_pool_nhwc_window(a, oy, ox, &y0, &y1, &x0, &x1);
      int64_t c = 0;
      for (; c + 32 <= channels; c += 32) {
        __m256i max = _mm256_set1_epi8(INT8_MIN);
        for (int64_t y = y0; y < y1; y++) {
          const int8_t *in = image + (y * a->in_w + x0) * channels + c;
          for (int64_t x = x0; x < x1; x++, in += channels)
            max = _mm256_max_epi8(max, _mm256_loadu_si256((const __m256i *)in));
        }
        _mm256_storeu_si256((__m256i *)(out + c), _mm256_min_epi8(_mm256_max_epi8(max, lo), hi));
      }
      for (; c + 16 <= channels; c += 16) {
        __m128i max = _mm_set1_epi8(INT8_MIN);
        for (int64_t y = y0; y < y1; y++) {
          const int8_t *in = image + (y * a->in_w + x0) * channels + c;
          for (int64_t x = x0; x < x1; x++, in += channels)
            max = _mm_max_epi8(max, _mm_loadu_si128((const __m128i *)in));
        }
        max = _mm_min_epi8(_mm_max_epi8(max, _mm256_castsi256_si128(lo)), _mm256_castsi256_si128(hi));
        _mm_storeu_si128((__m128i *)(out + c), max);
      }
      for (; c < channels; c++) {
        int32_t max = INT8_MIN;
        for (int64_t y = y0; y < y1; y++)
          for (int64_t x = x0; x < x1; x++) {
            int32_t v = image[(y * a->in_w + x) * channels + c];
            max = v > max ? v : max;
          }
        out[c] = clamp_i8(a, max);
      }
    }
  }
}
