/* Portable micro-kernels of NHWC depthwise convolution, any depth multiplier (see depthwise_conv_nhwc.h),
 * and the choice of variant from the CPU's features. The scalar kernels are what an MCU build runs: the
 * tap range of each output pixel is clamped once, so the tap loops carry no bounds checks, and the
 * innermost loop runs over contiguous channels into stack accumulators. */
#include "ops/depthwise_conv_nhwc.h"

#include "core/cpu.h"

/* Channels per pass of the scalar kernels: the accumulators live on the stack, and each tap's inner loop
 * runs over contiguous channels. */
enum { SCALAR_CHUNK = 64 };

void er_qs8_dwconv_nhwc__scalar(const er_qs8_dwconv_args *a, int64_t row_begin, int64_t row_end) {
  const er_conv_geometry *g = &a->g;
  const int64_t in_c = g->in_c, out_c = g->out_c, multiplier = out_c / in_c;
  for (int64_t row = row_begin; row < row_end; row++) {
    const int64_t b = row / g->out_h, oy = row % g->out_h;
    const int64_t iy0 = oy * g->stride_h - g->pad_h;
    int64_t fy0, fy1;
    er_dwconv_tap_range(iy0, g->dil_h, g->filter_h, g->in_h, &fy0, &fy1);
    const int8_t *image = a->input + b * g->in_h * g->in_w * in_c;
    int8_t *out = a->output + row * g->out_w * out_c;
    for (int64_t ox = 0; ox < g->out_w; ox++, out += out_c) {
      const int64_t ix0 = ox * g->stride_w - g->pad_w;
      int64_t fx0, fx1;
      er_dwconv_tap_range(ix0, g->dil_w, g->filter_w, g->in_w, &fx0, &fx1);
      for (int64_t c0 = 0; c0 < out_c; c0 += SCALAR_CHUNK) {
        const int64_t n = out_c - c0 < SCALAR_CHUNK ? out_c - c0 : SCALAR_CHUNK;
        uint32_t acc[SCALAR_CHUNK]; /* unsigned: TFLite's int32 accumulator wraps */
        for (int64_t k = 0; k < n; k++)
          acc[k] = a->bias ? (uint32_t)a->bias[c0 + k] : 0u;
        for (int64_t fy = fy0; fy < fy1; fy++) {
          for (int64_t fx = fx0; fx < fx1; fx++) {
            const int8_t *x = image + ((iy0 + fy * g->dil_h) * g->in_w + ix0 + fx * g->dil_w) * in_c;
            const int8_t *w = a->filter + (fy * g->filter_w + fx) * out_c + c0;
            if (multiplier == 1) {
              for (int64_t k = 0; k < n; k++)
                acc[k] += (uint32_t)(((int32_t)x[c0 + k] + a->input_offset) * (int32_t)w[k]);
            } else {
              for (int64_t k = 0; k < n; k++)
                acc[k] += (uint32_t)(((int32_t)x[(c0 + k) / multiplier] + a->input_offset) * (int32_t)w[k]);
            }
          }
        }
        for (int64_t k = 0; k < n; k++)
          out[c0 + k] = er_qs8_dwconv_output(a, (int32_t)acc[k], c0 + k);
      }
    }
  }
}

void er_f32_dwconv_nhwc__scalar(const er_f32_dwconv_args *a, int64_t row_begin, int64_t row_end) {
  const er_conv_geometry *g = &a->g;
  const int64_t in_c = g->in_c, out_c = g->out_c, multiplier = out_c / in_c;
  for (int64_t row = row_begin; row < row_end; row++) {
    const int64_t b = row / g->out_h, oy = row % g->out_h;
    const int64_t iy0 = oy * g->stride_h - g->pad_h;
    int64_t fy0, fy1;
    er_dwconv_tap_range(iy0, g->dil_h, g->filter_h, g->in_h, &fy0, &fy1);
    const float *image = a->input + b * g->in_h * g->in_w * in_c;
    float *out = a->output + row * g->out_w * out_c;
    for (int64_t ox = 0; ox < g->out_w; ox++, out += out_c) {
      const int64_t ix0 = ox * g->stride_w - g->pad_w;
      int64_t fx0, fx1;
      er_dwconv_tap_range(ix0, g->dil_w, g->filter_w, g->in_w, &fx0, &fx1);
      for (int64_t c0 = 0; c0 < out_c; c0 += SCALAR_CHUNK) {
        const int64_t n = out_c - c0 < SCALAR_CHUNK ? out_c - c0 : SCALAR_CHUNK;
        float acc[SCALAR_CHUNK];
        for (int64_t k = 0; k < n; k++)
          acc[k] = 0.0f;
        for (int64_t fy = fy0; fy < fy1; fy++) {
          for (int64_t fx = fx0; fx < fx1; fx++) {
            const float *x = image + ((iy0 + fy * g->dil_h) * g->in_w + ix0 + fx * g->dil_w) * in_c;
            const float *w = a->filter + (fy * g->filter_w + fx) * out_c + c0;
            if (multiplier == 1) {
              for (int64_t k = 0; k < n; k++)
                acc[k] += x[c0 + k] * w[k];
            } else {
              for (int64_t k = 0; k < n; k++)
                acc[k] += x[(c0 + k) / multiplier] * w[k];
            }
          }
        }
        for (int64_t k = 0; k < n; k++)
          out[c0 + k] = er_clamp_f(acc[k] + (a->bias ? a->bias[c0 + k] : 0.0f), a->act_min, a->act_max);
      }
    }
  }
}

er_qs8_dwconv_fn er_qs8_dwconv_nhwc_select(void) {
  er_cpu_features cpu = er_cpu_detect();
  (void)cpu;
#if defined(ER_SIMD_X86)
  if (cpu.avx512) return er_qs8_dwconv_nhwc__avx512;
  if (cpu.avx2_fma) return er_qs8_dwconv_nhwc__avx2;
#endif
#if defined(ER_SIMD_ARM)
  if (cpu.neon) return er_qs8_dwconv_nhwc__neon;
#endif
  return er_qs8_dwconv_nhwc__scalar;
}

er_f32_dwconv_fn er_f32_dwconv_nhwc_select(void) {
  er_cpu_features cpu = er_cpu_detect();
  (void)cpu;
#if defined(ER_SIMD_X86)
  if (cpu.avx512) return er_f32_dwconv_nhwc__avx512;
  if (cpu.avx2_fma) return er_f32_dwconv_nhwc__avx2;
#endif
#if defined(ER_SIMD_ARM)
  if (cpu.neon) return er_f32_dwconv_nhwc__neon;
#endif
  return er_f32_dwconv_nhwc__scalar;
}
