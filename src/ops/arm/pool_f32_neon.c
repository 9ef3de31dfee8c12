/* float NHWC average and max pooling, NEON (see pooling_nhwc.h): 4 channels per vector, scalar for the
 * last few. Sums run in the reference's order and divide once; the max and the clamp compare and select
 * exactly as the reference does (vmaxq_f32 would differ on NaN), so the results are the reference's bits. */
#include <arm_neon.h>
#include <float.h>

#include "core/quant.h"
#include "ops/pooling_nhwc.h"

static void f32_pool_rows(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end, int is_max) {
  const int64_t channels = a->channels;
  const float32x4_t lo = vdupq_n_f32(a->act_min_f), hi = vdupq_n_f32(a->act_max_f);
  for (int64_t row = row_begin; row < row_end; row++) {
    const int64_t b = row / a->out_h, oy = row % a->out_h;
    const float *image = (const float *)a->input + b * a->in_h * a->in_w * channels;
    float *out = (float *)a->output + row * a->out_w * channels;
    for (int64_t ox = 0; ox < a->out_w; ox++, out += channels) {
      int64_t y0, y1, x0, x1;
      er_pool_nhwc_window(a, oy, ox, &y0, &y1, &x0, &x1);
      const float count = (float)((y1 - y0) * (x1 - x0));
      int64_t c = 0;
      for (; c + 4 <= channels; c += 4) {
        float32x4_t acc = vdupq_n_f32(is_max ? -FLT_MAX : 0.0f);
        for (int64_t y = y0; y < y1; y++) {
          const float *in = image + (y * a->in_w + x0) * channels + c;
          for (int64_t x = x0; x < x1; x++, in += channels) {
            float32x4_t v = vld1q_f32(in);
            acc = is_max ? vbslq_f32(vcgtq_f32(v, acc), v, acc) : vaddq_f32(acc, v);
          }
        }
        if (!is_max) acc = vdivq_f32(acc, vdupq_n_f32(count));
        float32x4_t upper = vbslq_f32(vcgtq_f32(acc, hi), hi, acc);
        vst1q_f32(out + c, vbslq_f32(vcltq_f32(acc, lo), lo, upper));
      }
      for (; c < channels; c++) {
        float acc = is_max ? -FLT_MAX : 0.0f;
        for (int64_t y = y0; y < y1; y++)
          for (int64_t x = x0; x < x1; x++) {
            float v = image[(y * a->in_w + x) * channels + c];
            acc = is_max ? (v > acc ? v : acc) : acc + v;
          }
        if (!is_max) acc /= count;
        out[c] = er_clamp_f(acc, a->act_min_f, a->act_max_f);
      }
    }
  }
}

void er_f32_avgpool_nhwc__neon(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end) {
  f32_pool_rows(a, row_begin, row_end, 0);
}

void er_f32_maxpool_nhwc__neon(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end) {
  f32_pool_rows(a, row_begin, row_end, 1);
}
