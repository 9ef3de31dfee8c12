/* qs8 NHWC depthwise convolution, AVX2, for depth multiplier 1 or one input channel (others run the scalar
 * kernel): 16 channels at a time, each tap's (x + input_offset) * w formed exactly in int16 lanes and
 * widened into two int32 accumulators; then TFLite's per-channel requantization done in vector lanes with
 * the same bits as er_requantize_i32. Eight channels at a time for the next block, scalar for the last
 * few; with exactly 8 channels, two output pixels at a time. */
#include <immintrin.h>
#include <stdbool.h>

#include "ops/depthwise_conv_nhwc.h"

/* MultiplyByQuantizedMultiplier on 8 lanes. The saturating rounding doubling high multiply is
 * trunc((a*b + nudge) / 2^31) with nudge 2^30 or 1 - 2^30 by sign, which equals floor((a*b + 2^30) / 2^31)
 * in both cases; the low 32 bits of that are bits 31..62 of a*b + 2^30, so a logical 64-bit shift gives
 * them. Its one overflow (a = b = INT32_MIN) saturates to INT32_MAX. The rounding divide by 2^right
 * follows gemmlowp: (x >> e) + (remainder > (mask >> 1) + (x < 0)). */
static inline __m256i requantize_8(__m256i acc, __m256i multiplier, __m256i shift) {
  const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1);
  const __m256i left = _mm256_max_epi32(shift, zero);
  const __m256i right =
      _mm256_min_epi32(_mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero), _mm256_set1_epi32(31));
  const __m256i x = _mm256_sllv_epi32(acc, left); /* counts >= 32 give 0, as in the scalar code */
  const __m256i nudge = _mm256_set1_epi64x(1LL << 30);
  __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, multiplier), nudge);
  __m256i odd =
      _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(multiplier, 32)), nudge);
  even = _mm256_srli_epi64(even, 31);
  odd = _mm256_slli_epi64(_mm256_srli_epi64(odd, 31), 32);
  __m256i high = _mm256_blend_epi32(even, odd, 0xAA);
  const __m256i int_min = _mm256_set1_epi32(INT32_MIN);
  const __m256i overflow =
      _mm256_and_si256(_mm256_cmpeq_epi32(x, int_min), _mm256_cmpeq_epi32(multiplier, int_min));
  high = _mm256_blendv_epi8(high, _mm256_set1_epi32(INT32_MAX), overflow);
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
  const __m256i remainder = _mm256_and_si256(high, mask);
  const __m256i threshold = _mm256_sub_epi32(_mm256_srai_epi32(mask, 1), _mm256_cmpgt_epi32(zero, high));
  return _mm256_sub_epi32(_mm256_srav_epi32(high, right), _mm256_cmpgt_epi32(remainder, threshold));
}

typedef struct {
  __m256i output_offset, act_min, act_max;
} epilogue;

/* Requantized, offset and clamped int8 values of 8 channels starting at c, as 8 int32 lanes. */
static inline __m256i output_8(const er_qs8_dwconv_args *a, const epilogue *e, __m256i acc, int64_t c) {
  __m256i v = requantize_8(acc, _mm256_loadu_si256((const __m256i *)(a->multipliers + c)),
                           _mm256_loadu_si256((const __m256i *)(a->shifts + c)));
  v = _mm256_add_epi32(v, e->output_offset);
  return _mm256_min_epi32(_mm256_max_epi32(v, e->act_min), e->act_max);
}

static inline __m256i load_bias_8(const int32_t *bias, int64_t c) {
  return bias ? _mm256_loadu_si256((const __m256i *)(bias + c)) : _mm256_setzero_si256();
}

/* One output pixel: taps [fy0, fy1) x [fx0, fx1) whose input rows start at in_y (tap fy0) and input
 * columns at in_x (tap fx0). */
typedef struct {
  const int8_t *in;     /* input at tap (fy0, fx0), channel 0 */
  const int8_t *filter; /* filter at tap (fy0, fx0), channel 0 */
  int64_t taps_y, taps_x;
  int64_t in_step_y, in_step_x, filter_step_y, filter_step_x;
} pixel_window;

/* Output channels of one pixel. one_input: the input has one channel, which every output channel reads
 * (broadcast); otherwise output channel c reads input channel c. */
static inline void dwconv_pixel_channels(const er_qs8_dwconv_args *a, const epilogue *e,
                                         const pixel_window *p, int8_t *out, bool one_input) {
  const int64_t channels = a->g.out_c;
  const pixel_window window = *p; /* a local copy: stores through int8_t * may alias *p */
  p = &window;
  const __m256i offset16 = _mm256_set1_epi16((int16_t)a->input_offset);
  int64_t c = 0;
  for (; c + 16 <= channels; c += 16) {
    __m256i acc_lo = load_bias_8(a->bias, c), acc_hi = load_bias_8(a->bias, c + 8);
    for (int64_t ty = 0; ty < p->taps_y; ty++) {
      const int8_t *in = p->in + ty * p->in_step_y + (one_input ? 0 : c);
      const int8_t *w = p->filter + ty * p->filter_step_y + c;
      for (int64_t tx = 0; tx < p->taps_x; tx++, in += p->in_step_x, w += p->filter_step_x) {
        __m256i x = one_input ? _mm256_set1_epi16((int16_t)(*in + a->input_offset))
                              : _mm256_add_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)in)),
                                                 offset16);
        __m256i wv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)w));
        __m256i prod = _mm256_mullo_epi16(x, wv);
        acc_lo = _mm256_add_epi32(acc_lo, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(prod)));
        acc_hi = _mm256_add_epi32(acc_hi, _mm256_cvtepi16_epi32(_mm256_extracti128_si256(prod, 1)));
      }
    }
    /* packs work within 128-bit lanes: the bytes come out as channels 0-3, 8-11 (low lane) and 4-7, 12-15
     * (high lane); the dword permute puts them back in channel order */
    __m256i v16 = _mm256_packs_epi32(output_8(a, e, acc_lo, c), output_8(a, e, acc_hi, c + 8));
    __m256i v8 =
        _mm256_permutevar8x32_epi32(_mm256_packs_epi16(v16, v16), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm_storeu_si128((__m128i *)(out + c), _mm256_castsi256_si128(v8));
  }
  if (c + 8 <= channels) {
    const __m128i offset8 = _mm_set1_epi16((int16_t)a->input_offset);
    __m256i acc = load_bias_8(a->bias, c);
    for (int64_t ty = 0; ty < p->taps_y; ty++) {
      const int8_t *in = p->in + ty * p->in_step_y + (one_input ? 0 : c);
      const int8_t *w = p->filter + ty * p->filter_step_y + c;
      for (int64_t tx = 0; tx < p->taps_x; tx++, in += p->in_step_x, w += p->filter_step_x) {
        __m128i x = one_input
                        ? _mm_set1_epi16((int16_t)(*in + a->input_offset))
                        : _mm_add_epi16(_mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)in)), offset8);
        __m128i prod = _mm_mullo_epi16(x, _mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)w)));
        acc = _mm256_add_epi32(acc, _mm256_cvtepi16_epi32(prod));
      }
    }
    __m256i v = output_8(a, e, acc, c);
    __m128i v16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    _mm_storel_epi64((__m128i *)(out + c), _mm_packs_epi16(v16, v16));
    c += 8;
  }
  for (; c < channels; c++) {
    uint32_t acc = a->bias ? (uint32_t)a->bias[c] : 0u;
    for (int64_t ty = 0; ty < p->taps_y; ty++) {
      const int8_t *in = p->in + ty * p->in_step_y + (one_input ? 0 : c);
      const int8_t *w = p->filter + ty * p->filter_step_y + c;
      for (int64_t tx = 0; tx < p->taps_x; tx++, in += p->in_step_x, w += p->filter_step_x)
        acc += (uint32_t)(((int32_t)*in + a->input_offset) * (int32_t)*w);
    }
    out[c] = er_qs8_dwconv_output(a, (int32_t)acc, c);
  }
}

static void dwconv_pixel(const er_qs8_dwconv_args *a, const epilogue *e, const pixel_window *p, int8_t *out) {
  dwconv_pixel_channels(a, e, p, out, false);
}

static void dwconv_pixel_one_input(const er_qs8_dwconv_args *a, const epilogue *e, const pixel_window *p,
                                   int8_t *out) {
  dwconv_pixel_channels(a, e, p, out, true);
}

/* Two horizontally adjacent output pixels with the same tap range and exactly 8 channels (MobileNet's
 * narrow early layers), one pixel per 128-bit half: the per-pixel costs (requantization, loop control)
 * are shared. next_pixel: input elements from the first pixel's window to the second's. */
static inline void dwconv_pixel_pair_8(const er_qs8_dwconv_args *a, const epilogue *e,
                                       const pixel_window *p_in, int64_t next_pixel, int8_t *out,
                                       bool one_input) {
  const pixel_window p = *p_in;
  const __m256i offset16 = _mm256_set1_epi16((int16_t)a->input_offset);
  __m256i acc0 = load_bias_8(a->bias, 0), acc1 = acc0;
  for (int64_t ty = 0; ty < p.taps_y; ty++) {
    const int8_t *in = p.in + ty * p.in_step_y;
    const int8_t *w = p.filter + ty * p.filter_step_y;
    for (int64_t tx = 0; tx < p.taps_x; tx++, in += p.in_step_x, w += p.filter_step_x) {
      __m256i x;
      if (one_input) {
        x = _mm256_set_m128i(_mm_set1_epi16((int16_t)(in[next_pixel] + a->input_offset)),
                             _mm_set1_epi16((int16_t)(*in + a->input_offset)));
      } else {
        __m128i both = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)in),
                                          _mm_loadl_epi64((const __m128i *)(in + next_pixel)));
        x = _mm256_add_epi16(_mm256_cvtepi8_epi16(both), offset16);
      }
      __m128i w8 = _mm_loadl_epi64((const __m128i *)w);
      __m256i prod = _mm256_mullo_epi16(x, _mm256_cvtepi8_epi16(_mm_unpacklo_epi64(w8, w8)));
      acc0 = _mm256_add_epi32(acc0, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(prod)));
      acc1 = _mm256_add_epi32(acc1, _mm256_cvtepi16_epi32(_mm256_extracti128_si256(prod, 1)));
    }
  }
  /* the same dword permute as the 16-channel block: pixel 0's bytes, then pixel 1's */
  __m256i v16 = _mm256_packs_epi32(output_8(a, e, acc0, 0), output_8(a, e, acc1, 0));
  __m256i v8 =
      _mm256_permutevar8x32_epi32(_mm256_packs_epi16(v16, v16), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  _mm_storeu_si128((__m128i *)out, _mm256_castsi256_si128(v8));
}

static void dwconv_pixel_pair(const er_qs8_dwconv_args *a, const epilogue *e, const pixel_window *p,
                              int64_t next_pixel, int8_t *out) {
  if (a->g.in_c == 1)
    dwconv_pixel_pair_8(a, e, p, next_pixel, out, true);
  else
    dwconv_pixel_pair_8(a, e, p, next_pixel, out, false);
}

void er_qs8_dwconv_nhwc__avx2(const er_qs8_dwconv_args *a, int64_t row_begin, int64_t row_end) {
  const er_conv_geometry *g = &a->g;
  const int64_t in_c = g->in_c, out_c = g->out_c;
  if (in_c != out_c && in_c != 1) {
    er_qs8_dwconv_nhwc__scalar(a, row_begin, row_end);
    return;
  }
  const epilogue e = {_mm256_set1_epi32(a->output_offset), _mm256_set1_epi32(a->act_min),
                      _mm256_set1_epi32(a->act_max)};
  pixel_window p;
  p.in_step_y = g->dil_h * g->in_w * in_c;
  p.in_step_x = g->dil_w * in_c;
  p.filter_step_y = g->filter_w * out_c;
  p.filter_step_x = out_c;
  for (int64_t row = row_begin; row < row_end; row++) {
    const int64_t b = row / g->out_h, oy = row % g->out_h;
    const int64_t iy0 = oy * g->stride_h - g->pad_h;
    int64_t fy0, fy1;
    er_dwconv_tap_range(iy0, g->dil_h, g->filter_h, g->in_h, &fy0, &fy1);
    const int8_t *image = a->input + b * g->in_h * g->in_w * in_c;
    int8_t *out = a->output + row * g->out_w * out_c;
    p.taps_y = fy1 - fy0;
    for (int64_t ox = 0; ox < g->out_w; ox++, out += out_c) {
      const int64_t ix0 = ox * g->stride_w - g->pad_w;
      int64_t fx0, fx1;
      er_dwconv_tap_range(ix0, g->dil_w, g->filter_w, g->in_w, &fx0, &fx1);
      p.taps_x = fx1 - fx0;
      const bool empty = p.taps_x == 0 || p.taps_y == 0; /* a window wholly in the padding */
      p.in = empty ? image : image + ((iy0 + fy0 * g->dil_h) * g->in_w + ix0 + fx0 * g->dil_w) * in_c;
      p.filter = empty ? a->filter : a->filter + (fy0 * g->filter_w + fx0) * out_c;
      if (out_c == 8 && ox + 1 < g->out_w && !empty) {
        int64_t next_fx0, next_fx1;
        er_dwconv_tap_range(ix0 + g->stride_w, g->dil_w, g->filter_w, g->in_w, &next_fx0, &next_fx1);
        if (next_fx0 == fx0 && next_fx1 == fx1) {
          dwconv_pixel_pair(a, &e, &p, g->stride_w * in_c, out);
          ox++;
          out += out_c;
          continue;
        }
      }
      if (in_c == out_c)
        dwconv_pixel(a, &e, &p, out);
      else
        dwconv_pixel_one_input(a, &e, &p, out);
    }
  }
}
