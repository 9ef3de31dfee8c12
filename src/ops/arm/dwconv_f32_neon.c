/* f32 NHWC depthwise convolution, NEON, for depth multiplier 1 or one input channel (others run the
 * scalar kernel): 4 channels per vector, the taps summed with FMA from zero, then the bias and the clamp
 * as in the reference (compare-and-select, so a NaN passes as er_clamp_f lets it); scalar for the last
 * few channels. */
#include <arm_neon.h>
#include <stdbool.h>

#include "ops/depthwise_conv_nhwc.h"

typedef struct {
  const float *in;     /* input at the first tap inside the image, channel 0 */
  const float *filter; /* filter at that tap, channel 0 */
  int64_t taps_y, taps_x;
  int64_t in_step_y, in_step_x, filter_step_y, filter_step_x;
} pixel_window;

static inline float32x4_t clamp_4(float32x4_t v, float32x4_t lo, float32x4_t hi) {
  float32x4_t upper = vbslq_f32(vcgtq_f32(v, hi), hi, v);
  return vbslq_f32(vcltq_f32(v, lo), lo, upper);
}

/* Output channels of one pixel. one_input: the input has one channel, which every output channel reads
 * (broadcast); otherwise output channel c reads input channel c. */
static inline void dwconv_pixel_channels(const er_f32_dwconv_args *a, const pixel_window *p_in, float *out,
                                         bool one_input) {
  const int64_t channels = a->g.out_c;
  const pixel_window p = *p_in;
  const float32x4_t lo = vdupq_n_f32(a->act_min), hi = vdupq_n_f32(a->act_max);
  int64_t c = 0;
  for (; c + 4 <= channels; c += 4) {
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int64_t ty = 0; ty < p.taps_y; ty++) {
      const float *in = p.in + ty * p.in_step_y + (one_input ? 0 : c);
      const float *w = p.filter + ty * p.filter_step_y + c;
      for (int64_t tx = 0; tx < p.taps_x; tx++, in += p.in_step_x, w += p.filter_step_x)
        acc = vfmaq_f32(acc, one_input ? vdupq_n_f32(*in) : vld1q_f32(in), vld1q_f32(w));
    }
    if (a->bias) acc = vaddq_f32(acc, vld1q_f32(a->bias + c));
    vst1q_f32(out + c, clamp_4(acc, lo, hi));
  }
  for (; c < channels; c++) {
    float acc = 0.0f;
    for (int64_t ty = 0; ty < p.taps_y; ty++) {
      const float *in = p.in + ty * p.in_step_y + (one_input ? 0 : c);
      const float *w = p.filter + ty * p.filter_step_y + c;
      for (int64_t tx = 0; tx < p.taps_x; tx++, in += p.in_step_x, w += p.filter_step_x)
        acc += *in * *w;
    }
    out[c] = er_clamp_f(acc + (a->bias ? a->bias[c] : 0.0f), a->act_min, a->act_max);
  }
}

static void dwconv_pixel(const er_f32_dwconv_args *a, const pixel_window *p, float *out) {
  dwconv_pixel_channels(a, p, out, false);
}

static void dwconv_pixel_one_input(const er_f32_dwconv_args *a, const pixel_window *p, float *out) {
  dwconv_pixel_channels(a, p, out, true);
}

void er_f32_dwconv_nhwc__neon(const er_f32_dwconv_args *a, int64_t row_begin, int64_t row_end) {
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
