/* int8 NHWC average and max pooling, NEON (see pooling_nhwc.h). The average sums 8 channels in int32
 * lanes and divides each sum in scalar code (NEON has no integer division); the max runs over 16
 * channels at a time in int8 lanes. Scalar for the last few channels. */
#include <arm_neon.h>

#include "ops/pooling_nhwc.h"

static inline int8_t clamp_i8(const er_pool_nhwc_args *a, int32_t v) {
  int32_t above = v > a->act_min ? v : a->act_min;
  return (int8_t)(above < a->act_max ? above : a->act_max);
}

void er_s8_avgpool_nhwc__neon(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end) {
  const int64_t channels = a->channels;
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
        int32x4_t lo = vdupq_n_s32(0), hi = vdupq_n_s32(0);
        for (int64_t y = y0; y < y1; y++) {
          const int8_t *in = image + (y * a->in_w + x0) * channels + c;
          for (int64_t x = x0; x < x1; x++, in += channels) {
            int16x8_t v = vmovl_s8(vld1_s8(in));
            lo = vaddw_s16(lo, vget_low_s16(v));
            hi = vaddw_s16(hi, vget_high_s16(v));
          }
        }
        int32_t sums[8];
        vst1q_s32(sums, lo);
        vst1q_s32(sums + 4, hi);
        for (int k = 0; k < 8; k++)
          out[c + k] = clamp_i8(a, er_pool_average_i32(sums[k], count));
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

void er_s8_maxpool_nhwc__neon(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end) {
  const int64_t channels = a->channels;
  const int8x16_t lo = vdupq_n_s8((int8_t)a->act_min), hi = vdupq_n_s8((int8_t)a->act_max);
  for (int64_t row = row_begin; row < row_end; row++) {
    const int64_t b = row / a->out_h, oy = row % a->out_h;
    const int8_t *image = (const int8_t *)a->input + b * a->in_h * a->in_w * channels;
    int8_t *out = (int8_t *)a->output + row * a->out_w * channels;
    for (int64_t ox = 0; ox < a->out_w; ox++, out += channels) {
      int64_t y0, y1, x0, x1;
      er_pool_nhwc_window(a, oy, ox, &y0, &y1, &x0, &x1);
      int64_t c = 0;
      for (; c + 16 <= channels; c += 16) {
        int8x16_t max = vdupq_n_s8(INT8_MIN);
        for (int64_t y = y0; y < y1; y++) {
          const int8_t *in = image + (y * a->in_w + x0) * channels + c;
          for (int64_t x = x0; x < x1; x++, in += channels)
            max = vmaxq_s8(max, vld1q_s8(in));
        }
        vst1q_s8(out + c, vminq_s8(vmaxq_s8(max, lo), hi));
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
