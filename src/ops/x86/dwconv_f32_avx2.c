/* f32 NHWC depthwise convolution, AVX2 + FMA, for depth multiplier 1 or one input channel (others run the
 * scalar kernel): 8 channels per vector, the taps summed with FMA from zero, then the bias and the clamp
 * as in the reference; the last channels under a lane mask. */
#include <immintrin.h>
#include <stdbool.h>

#include "ops/depthwise_conv_nhwc.h"

/* Lane masks for n = 0..8 channels: 8 - n entries on from index n. */
static const int32_t k_mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

typedef struct {
  const float *in;     /* input at the first tap inside the image, channel 0 */
  const float *filter; /* filter at that tap, channel 0 */
  int64_t taps_y, taps_x;
  int64_t in_step_y, in_step_x, filter_step_y, filter_step_x;
} pixel_window;

/* Output channels of one pixel. one_input: the input has one channel, which every output channel reads
 * (broadcast); otherwise output channel c reads input channel c. */
static inline void dwconv_pixel_channels(const er_f32_dwconv_args *a, const pixel_window *p, float *out,
                                         bool one_input) {
  const int64_t channels = a->g.out_c;
  const __m256 lo = _mm256_set1_ps(a->act_min), hi = _mm256_set1_ps(a->act_max);
  for (int64_t c = 0; c < channels; c += 8) {
    const int64_t n = channels - c < 8 ? channels - c : 8;
    const __m256i lanes = _mm256_loadu_si256((const __m256i *)(k_mask_table + 8 - n));
    __m256 acc = _mm256_setzero_ps();
    for (int64_t ty = 0; ty < p->taps_y; ty++) {
      const float *in = p->in + ty * p->in_step_y + (one_input ? 0 : c);
      const float *w = p->filter + ty * p->filter_step_y + c;
      for (int64_t tx = 0; tx < p->taps_x; tx++, in += p->in_step_x, w += p->filter_step_x)
        acc = _mm256_fmadd_ps(one_input ? _mm256_set1_ps(*in) : _mm256_maskload_ps(in, lanes),
                              _mm256_maskload_ps(w, lanes), acc);
    }
    if (a->bias) acc = _mm256_add_ps(acc, _mm256_maskload_ps(a->bias + c, lanes));
    /* max(lo, v) and min(hi, v) keep a NaN, as er_clamp_f does */
    acc = _mm256_min_ps(hi, _mm256_max_ps(lo, acc));
    _mm256_maskstore_ps(out + c, lanes, acc);
  }
}

static void dwconv_pixel(const er_f32_dwconv_args *a, const pixel_window *p, float *out) {
  dwconv_pixel_channels(a, p, out, false);
}

static void dwconv_pixel_one_input(const er_f32_dwconv_args *a, const pixel_window *p, float *out) {
  dwconv_pixel_channels(a, p, out, true);
}

void er_f32_dwconv_nhwc__avx2(const er_f32_dwconv_args *a, int64_t row_begin, int64_t row_end) {
  const er_conv_geometry *g = &a->g;
  const int64_t in_c = g->in_c, out_c = g->out_c;
  if (in_c != out_c && in_c != 1) {
    er_f32_dwconv_nhwc__scalar(a, row_begin, row_end);
    return;
  }
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
    const float *image = a->input + b * g->in_h * g->in_w * in_c;
    float *out = a->output + row * g->out_w * out_c;
    p.taps_y = fy1 - fy0;
    for (int64_t ox = 0; ox < g->out_w; ox++, out += out_c) {
      const int64_t ix0 = ox * g->stride_w - g->pad_w;
      int64_t fx0, fx1;
      er_dwconv_tap_range(ix0, g->dil_w, g->filter_w, g->in_w, &fx0, &fx1);
      p.taps_x = fx1 - fx0;
      const bool empty = p.taps_x == 0 || p.taps_y == 0; /* a window wholly in the padding */
      p.in = empty ? image : image + ((iy0 + fy0 * g->dil_h) * g->in_w + ix0 + fx0 * g->dil_w) * in_c;
      p.filter = empty ? a->filter : a->filter + (fy0 * g->filter_w + fx0) * out_c;
      if (in_c == out_c)
        dwconv_pixel(a, &p, out);
      else
        dwconv_pixel_one_input(a, &p, out);
    }
  }
}
