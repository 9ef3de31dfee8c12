/* NEON micro-kernels of the NCHW float32 depthwise convolution (conv_nd_depthwise.h): one output row at a
 * time in vectors of 4 columns, two vectors at a time; the last partial vector goes through a small
 * buffer. */
#include <arm_neon.h>
#include <string.h>

#include "ops/conv_nd_depthwise.h"

static inline float32x4_t clamp4(float32x4_t v, float32x4_t lo, float32x4_t hi) {
  /* Compare-and-select keeps a NaN v, as the scalar clamp does (vmaxq/vminq would return NaN anyway). */
  v = vbslq_f32(vcltq_f32(v, lo), lo, v);
  return vbslq_f32(vcgtq_f32(v, hi), hi, v);
}

static inline void store4(float *out, int64_t left, float32x4_t v) {
  if (left >= 4) {
    vst1q_f32(out, v);
    return;
  }
  float tmp[4];
  vst1q_f32(tmp, v);
  memcpy(out, tmp, (size_t)left * sizeof *out);
}

#define DEFINE_DWCONV_NEON(NAME, TAPS_DECL)                                                                  \
  static void NAME##_row(const float *in, const int64_t *tap_off, int64_t taps, const float *w, float bias,  \
                         float lo, float hi, float *out, int64_t ow) {                                       \
    TAPS_DECL;                                                                                               \
    const float *src[n_taps];                                                                                \
    for (int64_t t = 0; t < n_taps; t++)                                                                     \
      src[t] = in + tap_off[t];                                                                              \
    const float32x4_t vb = vdupq_n_f32(bias), vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi);                  \
    int64_t j = 0;                                                                                           \
    for (; j + 8 <= ow; j += 8) {                                                                            \
      float32x4_t a0 = vb, a1 = vb;                                                                          \
      for (int64_t t = 0; t < n_taps; t++) {                                                                 \
        a0 = vfmaq_n_f32(a0, vld1q_f32(src[t] + j), w[t]);                                                   \
        a1 = vfmaq_n_f32(a1, vld1q_f32(src[t] + j + 4), w[t]);                                               \
      }                                                                                                      \
      vst1q_f32(out + j, clamp4(a0, vlo, vhi));                                                              \
      vst1q_f32(out + j + 4, clamp4(a1, vlo, vhi));                                                          \
    }                                                                                                        \
    for (; j < ow; j += 4) {                                                                                 \
      float32x4_t a0 = vb, a1 = vdupq_n_f32(0.0f);                                                           \
      int64_t t = 0;                                                                                         \
      for (; t + 2 <= n_taps; t += 2) {                                                                      \
        a0 = vfmaq_n_f32(a0, vld1q_f32(src[t] + j), w[t]);                                                   \
        a1 = vfmaq_n_f32(a1, vld1q_f32(src[t + 1] + j), w[t + 1]);                                           \
      }                                                                                                      \
      if (t < n_taps) a0 = vfmaq_n_f32(a0, vld1q_f32(src[t] + j), w[t]);                                     \
      store4(out + j, ow - j, clamp4(vaddq_f32(a0, a1), vlo, vhi));                                          \
    }                                                                                                        \
    (void)taps;                                                                                              \
  }

DEFINE_DWCONV_NEON(er_f32_dwconv_nchw_3x3__neon, enum {n_taps = 9})
DEFINE_DWCONV_NEON(er_f32_dwconv_nchw_5x5__neon, enum {n_taps = 25})

void er_f32_dwconv_nchw_3x3__neon(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                  const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                  int64_t rows) {
  for (int64_t r = 0; r < rows; r++, in += in_step, out += ow)
    er_f32_dwconv_nchw_3x3__neon_row(in, tap_off, taps, w, bias, lo, hi, out, ow);
}

void er_f32_dwconv_nchw_5x5__neon(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                  const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                  int64_t rows) {
  for (int64_t r = 0; r < rows; r++, in += in_step, out += ow)
    er_f32_dwconv_nchw_5x5__neon_row(in, tap_off, taps, w, bias, lo, hi, out, ow);
}

/* Any tap count: taps outer over a block of up to four vectors kept in registers. */
static void any_row(const float *in, const int64_t *tap_off, int64_t taps, const float *w, float bias,
                    float lo, float hi, float *out, int64_t ow) {
  const float32x4_t vb = vdupq_n_f32(bias), vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi);
  for (int64_t j = 0; j < ow; j += 16) {
    float32x4_t a0 = vb, a1 = vb, a2 = vb, a3 = vb;
    for (int64_t t = 0; t < taps; t++) {
      const float *src = in + tap_off[t] + j;
      a0 = vfmaq_n_f32(a0, vld1q_f32(src), w[t]);
      if (ow - j > 4) a1 = vfmaq_n_f32(a1, vld1q_f32(src + 4), w[t]);
      if (ow - j > 8) a2 = vfmaq_n_f32(a2, vld1q_f32(src + 8), w[t]);
      if (ow - j > 12) a3 = vfmaq_n_f32(a3, vld1q_f32(src + 12), w[t]);
    }
    store4(out + j, ow - j, clamp4(a0, vlo, vhi));
    if (ow - j > 4) store4(out + j + 4, ow - j - 4, clamp4(a1, vlo, vhi));
    if (ow - j > 8) store4(out + j + 8, ow - j - 8, clamp4(a2, vlo, vhi));
    if (ow - j > 12) store4(out + j + 12, ow - j - 12, clamp4(a3, vlo, vhi));
  }
}

void er_f32_dwconv_nchw_any__neon(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                  const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                  int64_t rows) {
  for (int64_t r = 0; r < rows; r++, in += in_step, out += ow)
    any_row(in, tap_off, taps, w, bias, lo, hi, out, ow);
}
