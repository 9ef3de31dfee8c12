/* float32 elementwise micro-kernels for AArch64 NEON (see ops/elementwise_f32.h): 4 lanes, tails through a
 * small stack buffer. NEON's FMIN/FMAX return NaN for a NaN operand and order signed zeros, so clamps are
 * compare-and-select: v < lo ? lo : v, then v > hi ? hi : v, exactly as the reference writes them. */
#include <arm_neon.h>
#include <float.h>
#include <string.h>

#include "ops/elementwise_f32.h"
#include "ops/vector_math.h"

static inline float32x4_t clamp4(float32x4_t v, float32x4_t lo, float32x4_t hi) {
  v = vbslq_f32(vcltq_f32(v, lo), lo, v);
  return vbslq_f32(vcgtq_f32(v, hi), hi, v);
}

/* er_exp_f32 on 4 lanes (FMA for the reduction and the polynomial). */
static inline float32x4_t exp4(float32x4_t x) {
  const float32x4_t magic = vdupq_n_f32(ER_EXP_F32_ROUND_MAGIC);
  x = clamp4(x, vdupq_n_f32(ER_EXP_F32_MIN_X), vdupq_n_f32(ER_EXP_F32_MAX_X));
  const float32x4_t t = vfmaq_f32(magic, x, vdupq_n_f32(ER_EXP_F32_LOG2E));
  const float32x4_t n = vsubq_f32(t, magic);
  const int32x4_t k = vsubq_s32(vreinterpretq_s32_f32(t), vreinterpretq_s32_f32(magic));
  float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(ER_EXP_F32_LN2_HI));
  r = vfmsq_f32(r, n, vdupq_n_f32(ER_EXP_F32_LN2_LO));
  float32x4_t q = vdupq_n_f32(ER_EXP_F32_C6);
  q = vfmaq_f32(vdupq_n_f32(ER_EXP_F32_C5), q, r);
  q = vfmaq_f32(vdupq_n_f32(ER_EXP_F32_C4), q, r);
  q = vfmaq_f32(vdupq_n_f32(ER_EXP_F32_C3), q, r);
  q = vfmaq_f32(vdupq_n_f32(ER_EXP_F32_C2), q, r);
  const float32x4_t p = vaddq_f32(vdupq_n_f32(1.0f), vfmaq_f32(r, vmulq_f32(r, r), q));
  /* 2^k in two normal halves, so a subnormal result rounds once. */
  const int32x4_t k1 = vshrq_n_s32(k, 1), k2 = vsubq_s32(k, k1);
  const int32x4_t bias = vdupq_n_s32(127);
  const float32x4_t s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(k1, bias), 23));
  const float32x4_t s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(k2, bias), 23));
  return vmulq_f32(vmulq_f32(p, s1), s2);
}

static inline float32x4_t sigmoid4(float32x4_t x) {
  const float32x4_t one = vdupq_n_f32(1.0f);
  const uint32x4_t low = vcltq_f32(x, vdupq_n_f32(ER_SIGMOID_F32_LOWER));
  const uint32x4_t high = vcgtq_f32(x, vdupq_n_f32(ER_SIGMOID_F32_UPPER));
  const float32x4_t e = exp4(vbslq_f32(low, x, vnegq_f32(x)));
  float32x4_t y = vdivq_f32(one, vaddq_f32(one, e));
  y = vbslq_f32(low, e, y);
  return vbslq_f32(high, one, y);
}

/* A tail of n < 4 elements: copied in and out through 4-lane buffers (unused lanes hold zeros). */
static inline float32x4_t load_tail(const float *x, size_t n) {
  float buf[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  memcpy(buf, x, n * sizeof *x);
  return vld1q_f32(buf);
}

static inline void store_tail(float *y, float32x4_t v, size_t n) {
  float buf[4];
  vst1q_f32(buf, v);
  memcpy(y, buf, n * sizeof *y);
}

#define DEFINE_BINARY(NAME, OP)                                                                              \
  static void er_f32_v##NAME##__neon(size_t n, const float *a, const float *b, float *y,                     \
                                     const er_f32_elementwise_params *p) {                                   \
    const float32x4_t lo = vdupq_n_f32(p->min), hi = vdupq_n_f32(p->max);                                    \
    for (; n >= 4; n -= 4, a += 4, b += 4, y += 4)                                                           \
      vst1q_f32(y, clamp4(OP(vld1q_f32(a), vld1q_f32(b)), lo, hi));                                          \
    if (n) store_tail(y, clamp4(OP(load_tail(a, n), load_tail(b, n)), lo, hi), n);                           \
  }                                                                                                          \
  static void er_f32_v##NAME##c__neon(size_t n, const float *a, const float *b, float *y,                    \
                                      const er_f32_elementwise_params *p) {                                  \
    const float32x4_t lo = vdupq_n_f32(p->min), hi = vdupq_n_f32(p->max), c = vdupq_n_f32(b[0]);             \
    for (; n >= 4; n -= 4, a += 4, y += 4)                                                                   \
      vst1q_f32(y, clamp4(OP(vld1q_f32(a), c), lo, hi));                                                     \
    if (n) store_tail(y, clamp4(OP(load_tail(a, n), c), lo, hi), n);                                         \
  }                                                                                                          \
  static void er_f32_vr##NAME##c__neon(size_t n, const float *a, const float *b, float *y,                   \
                                       const er_f32_elementwise_params *p) {                                 \
    const float32x4_t lo = vdupq_n_f32(p->min), hi = vdupq_n_f32(p->max), c = vdupq_n_f32(b[0]);             \
    for (; n >= 4; n -= 4, a += 4, y += 4)                                                                   \
      vst1q_f32(y, clamp4(OP(c, vld1q_f32(a)), lo, hi));                                                     \
    if (n) store_tail(y, clamp4(OP(c, load_tail(a, n)), lo, hi), n);                                         \
  }

DEFINE_BINARY(add, vaddq_f32)
DEFINE_BINARY(sub, vsubq_f32)
DEFINE_BINARY(mul, vmulq_f32)
DEFINE_BINARY(div, vdivq_f32)
#undef DEFINE_BINARY

#define DEFINE_UNARY(NAME, F)                                                                                \
  static void er_f32_v##NAME##__neon(size_t n, const float *x, float *y,                                     \
                                     const er_f32_elementwise_params *p) {                                   \
    for (; n >= 4; n -= 4, x += 4, y += 4)                                                                   \
      vst1q_f32(y, F(vld1q_f32(x), p));                                                                      \
    if (n) store_tail(y, F(load_tail(x, n), p), n);                                                          \
  }

static inline float32x4_t clamp_of(float32x4_t v, const er_f32_elementwise_params *p) {
  return clamp4(v, vdupq_n_f32(p->min), vdupq_n_f32(p->max));
}

static inline float32x4_t sigmoid_of(float32x4_t v, const er_f32_elementwise_params *p) {
  (void)p;
  return sigmoid4(v);
}

/* In double, as the reference: alpha * x is exact there, so the FMA rounds as its multiply-add does.
 * v < 1 ? v : 1 gives 1 for NaN, as fmin does. */
static inline float64x2_t hard_sigmoid2(float64x2_t x, float64x2_t alpha, float64x2_t beta) {
  const float64x2_t v = vfmaq_f64(beta, x, alpha), one = vdupq_n_f64(1.0), zero = vdupq_n_f64(0.0);
  const float64x2_t below_one = vbslq_f64(vcltq_f64(v, one), v, one);
  return vbslq_f64(vcgtq_f64(below_one, zero), below_one, zero);
}

static inline float32x4_t hard_sigmoid_of(float32x4_t v, const er_f32_elementwise_params *p) {
  const float64x2_t alpha = vdupq_n_f64(p->alpha), beta = vdupq_n_f64(p->beta);
  const float64x2_t lo = hard_sigmoid2(vcvt_f64_f32(vget_low_f32(v)), alpha, beta);
  const float64x2_t hi = hard_sigmoid2(vcvt_high_f64_f32(v), alpha, beta);
  return vcvt_high_f32_f64(vcvt_f32_f64(lo), hi);
}

static inline float32x4_t hard_swish_of(float32x4_t v, const er_f32_elementwise_params *p) {
  (void)p;
  const float32x4_t r = clamp4(vaddq_f32(v, vdupq_n_f32(3.0f)), vdupq_n_f32(0.0f), vdupq_n_f32(6.0f));
  return vdivq_f32(vmulq_f32(v, r), vdupq_n_f32(6.0f));
}

static inline float32x4_t leaky_relu_of(float32x4_t v, const er_f32_elementwise_params *p) {
  return vbslq_f32(vcgtq_f32(v, vdupq_n_f32(0.0f)), v, vmulq_n_f32(v, p->alpha));
}

static inline float32x4_t silu_of(float32x4_t v, const er_f32_elementwise_params *p) {
  (void)p;
  return vdivq_f32(v, vaddq_f32(vdupq_n_f32(1.0f), exp4(vnegq_f32(v))));
}

DEFINE_UNARY(clamp, clamp_of)
DEFINE_UNARY(sigmoid, sigmoid_of)
DEFINE_UNARY(hard_sigmoid, hard_sigmoid_of)
DEFINE_UNARY(hard_swish, hard_swish_of)
DEFINE_UNARY(leaky_relu, leaky_relu_of)
DEFINE_UNARY(silu, silu_of)
#undef DEFINE_UNARY

/* x > m ? x : m skips NaN, as the reference does. */
static float er_f32_rmax__neon(size_t n, const float *x) {
  float32x4_t m = vdupq_n_f32(-FLT_MAX);
  for (; n >= 4; n -= 4, x += 4) {
    const float32x4_t v = vld1q_f32(x);
    m = vbslq_f32(vcgtq_f32(v, m), v, m);
  }
  float max = vmaxvq_f32(m);
  for (size_t i = 0; i < n; i++)
    max = x[i] > max ? x[i] : max;
  return max;
}

static float er_f32_raddstoreexpminusmax__neon(size_t n, const float *x, float max, float *y,
                                               const er_f32_elementwise_params *p) {
  const float32x4_t vmax = vdupq_n_f32(max), beta = vdupq_n_f32(p->beta);
  float32x4_t sum = vdupq_n_f32(0.0f);
  for (; n >= 4; n -= 4, x += 4, y += 4) {
    const float32x4_t e = exp4(vmulq_f32(vsubq_f32(vld1q_f32(x), vmax), beta));
    vst1q_f32(y, e);
    sum = vaddq_f32(sum, e);
  }
  float total = vaddvq_f32(sum);
  if (n) {
    float e[4];
    vst1q_f32(e, exp4(vmulq_f32(vsubq_f32(load_tail(x, n), vmax), beta)));
    for (size_t i = 0; i < n; i++) {
      y[i] = e[i];
      total += e[i];
    }
  }
  return total;
}

const er_f32_elementwise_isa er_f32_elementwise__neon = {
    "neon",
    {{er_f32_vadd__neon, er_f32_vaddc__neon, er_f32_vraddc__neon},
     {er_f32_vsub__neon, er_f32_vsubc__neon, er_f32_vrsubc__neon},
     {er_f32_vmul__neon, er_f32_vmulc__neon, er_f32_vrmulc__neon},
     {er_f32_vdiv__neon, er_f32_vdivc__neon, er_f32_vrdivc__neon}},
    {er_f32_vclamp__neon, er_f32_vsigmoid__neon, er_f32_vhard_sigmoid__neon, er_f32_vhard_swish__neon,
     er_f32_vleaky_relu__neon, er_f32_vsilu__neon},
    er_f32_rmax__neon,
    er_f32_raddstoreexpminusmax__neon,
};
