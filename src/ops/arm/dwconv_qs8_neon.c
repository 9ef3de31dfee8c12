/* qs8 NHWC depthwise convolution, NEON, for depth multiplier 1 or one input channel (others run the
 * scalar kernel): 16 channels at a time, each tap's x + input_offset widened to int16 and multiplied
 * into int32 accumulators with vmlal (exact), then TFLite's requantization with the same bits as
 * er_requantize_i32: vqrdmulh is gemmlowp's saturating rounding doubling high multiply (both round
 * a*b / 2^31 half up, and saturate INT32_MIN * INT32_MIN), and the rounding divide by 2^right subtracts
 * 1 from negative values before vrshl's round-half-up shift, which rounds ties away from zero as gemmlowp
 * does. Eight channels for the next block, scalar for the last few. */
#include <arm_neon.h>
#include <stdbool.h>

#include "ops/depthwise_conv_nhwc.h"

typedef struct {
  int32x4_t output_offset, act_min, act_max;
} epilogue;

static inline int32x4_t requantize_4(const er_qs8_dwconv_args *a, const epilogue *e, int32x4_t acc,
                                     int64_t c) {
  const int32x4_t zero = vdupq_n_s32(0);
  const int32x4_t shift = vld1q_s32(a->shifts + c);
  const int32x4_t left = vmaxq_s32(shift, zero);
  /* minus the right shift, at most 31 */
  const int32x4_t neg_right = vmaxq_s32(vminq_s32(shift, zero), vdupq_n_s32(-31));
  int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, left), vld1q_s32(a->multipliers + c));
  /* x - 1 where x < 0 and the shift is non-zero: the sign bit of x & neg_right */
  x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, neg_right), 31));
  x = vaddq_s32(vrshlq_s32(x, neg_right), e->output_offset);
  return vminq_s32(vmaxq_s32(x, e->act_min), e->act_max);
}

/* int8 of 8 requantized channels (truncating narrow; the values are in range) */
static inline int8x8_t output_8(const er_qs8_dwconv_args *a, const epilogue *e, int32x4_t lo, int32x4_t hi,
                                int64_t c) {
  int16x8_t v16 =
      vcombine_s16(vmovn_s32(requantize_4(a, e, lo, c)), vmovn_s32(requantize_4(a, e, hi, c + 4)));
  return vmovn_s16(v16);
}

static inline int32x4_t load_bias_4(const int32_t *bias, int64_t c) {
  return bias ? vld1q_s32(bias + c) : vdupq_n_s32(0);
}

typedef struct {
  const int8_t *in;     /* input at the first tap inside the image, channel 0 */
  const int8_t *filter; /* filter at that tap, channel 0 */
  int64_t taps_y, taps_x;
  int64_t in_step_y, in_step_x, filter_step_y, filter_step_x;
} pixel_window;

/* Output channels of one pixel. one_input: the input has one channel, which every output channel reads
 * (broadcast); otherwise output channel c reads input channel c. */
static inline void dwconv_pixel_channels(const er_qs8_dwconv_args *a, const epilogue *e,
                                         const pixel_window *p_in, int8_t *out, bool one_input) {
  const int64_t channels = a->g.out_c;
  const pixel_window p = *p_in; /* a local copy: stores through int8_t * may alias *p_in */
  const int16x8_t offset = vdupq_n_s16((int16_t)a->input_offset);
  int64_t c = 0;
  for (; c + 16 <= channels; c += 16) {
    int32x4_t acc0 = load_bias_4(a->bias, c), acc1 = load_bias_4(a->bias, c + 4);
    int32x4_t acc2 = load_bias_4(a->bias, c + 8), acc3 = load_bias_4(a->bias, c + 12);
    for (int64_t ty = 0; ty < p.taps_y; ty++) {
      const int8_t *in = p.in + ty * p.in_step_y + (one_input ? 0 : c);
      const int8_t *w = p.filter + ty * p.filter_step_y + c;
      for (int64_t tx = 0; tx < p.taps_x; tx++, in += p.in_step_x, w += p.filter_step_x) {
        int16x8_t x_lo, x_hi;
        if (one_input) {
          x_lo = x_hi = vdupq_n_s16((int16_t)(*in + a->input_offset));
        } else {
          int8x16_t x = vld1q_s8(in);
          x_lo = vaddq_s16(vmovl_s8(vget_low_s8(x)), offset);
          x_hi = vaddq_s16(vmovl_s8(vget_high_s8(x)), offset);
        }
        int8x16_t wv = vld1q_s8(w);
        int16x8_t w_lo = vmovl_s8(vget_low_s8(wv)), w_hi = vmovl_s8(vget_high_s8(wv));
        acc0 = vmlal_s16(acc0, vget_low_s16(x_lo), vget_low_s16(w_lo));
        acc1 = vmlal_s16(acc1, vget_high_s16(x_lo), vget_high_s16(w_lo));
        acc2 = vmlal_s16(acc2, vget_low_s16(x_hi), vget_low_s16(w_hi));
        acc3 = vmlal_s16(acc3, vget_high_s16(x_hi), vget_high_s16(w_hi));
      }
    }
    vst1q_s8(out + c, vcombine_s8(output_8(a, e, acc0, acc1, c), output_8(a, e, acc2, acc3, c + 8)));
  }
  if (c + 8 <= channels) {
    int32x4_t acc0 = load_bias_4(a->bias, c), acc1 = load_bias_4(a->bias, c + 4);
    for (int64_t ty = 0; ty < p.taps_y; ty++) {
      const int8_t *in = p.in + ty * p.in_step_y + (one_input ? 0 : c);
      const int8_t *w = p.filter + ty * p.filter_step_y + c;
      for (int64_t tx = 0; tx < p.taps_x; tx++, in += p.in_step_x, w += p.filter_step_x) {
        int16x8_t x = one_input ? vdupq_n_s16((int16_t)(*in + a->input_offset))
                                : vaddq_s16(vmovl_s8(vld1_s8(in)), offset);
        int16x8_t wv = vmovl_s8(vld1_s8(w));
        acc0 = vmlal_s16(acc0, vget_low_s16(x), vget_low_s16(wv));
        acc1 = vmlal_s16(acc1, vget_high_s16(x), vget_high_s16(wv));
      }
    }
    vst1_s8(out + c, output_8(a, e, acc0, acc1, c));
    c += 8;
  }
  for (; c < channels; c++) {
    uint32_t acc = a->bias ? (uint32_t)a->bias[c] : 0u;
    for (int64_t ty = 0; ty < p.taps_y; ty++) {
      const int8_t *in = p.in + ty * p.in_step_y + (one_input ? 0 : c);
      const int8_t *w = p.filter + ty * p.filter_step_y + c;
      for (int64_t tx = 0; tx < p.taps_x; tx++, in += p.in_step_x, w += p.filter_step_x)
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

void er_qs8_dwconv_nhwc__neon(const er_qs8_dwconv_args *a, int64_t row_begin, int64_t row_end) {
  const er_conv_geometry *g = &a->g;
  const int64_t in_c = g->in_c, out_c = g->out_c;
  if (in_c != out_c && in_c != 1) {
    er_qs8_dwconv_nhwc__scalar(a, row_begin, row_end);
    return;
  }
  const epilogue e = {vdupq_n_s32(a->output_offset), vdupq_n_s32(a->act_min), vdupq_n_s32(a->act_max)};
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
      if (in_c == out_c)
        dwconv_pixel(a, &e, &p, out);
      else
        dwconv_pixel_one_input(a, &e, &p, out);
    }
  }
}
