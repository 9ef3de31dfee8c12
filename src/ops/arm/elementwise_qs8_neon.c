/* int8 ADD / SUB / MUL micro-kernels for AArch64 NEON (see ops/elementwise_qs8.h), bit-exact with the
 * reference: 8 elements per step as two vectors of 4 int32, tails through an 8-byte buffer.
 *
 * SQRDMULH computes (2 a m + 2^31) >> 32 with saturation, which is gemmlowp's doubling high multiply
 * exactly (both equal floor((a m + 2^30) / 2^31), and both saturate only for a = m = INT32_MIN). */
#include <arm_neon.h>
#include <string.h>

#include "ops/elementwise_qs8.h"

/* gemmlowp RoundingDivideByPOT for an exponent in [0, 31]: round half away from zero. */
static inline int32x4_t rdbpot4(int32x4_t x, int exponent) {
  const int32x4_t mask = vdupq_n_s32((int32_t)(((int64_t)1 << exponent) - 1));
  const int32x4_t remainder = vandq_s32(x, mask);
  const int32x4_t threshold =
      vaddq_s32(vshrq_n_s32(mask, 1), vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_s32(x), 31)));
  const int32x4_t shifted = vshlq_s32(x, vdupq_n_s32(-exponent));
  /* vcgtq gives all ones (-1) where the remainder is above the threshold: subtracting it adds 1 */
  return vsubq_s32(shifted, vreinterpretq_s32_u32(vcgtq_s32(remainder, threshold)));
}

static inline int right_shift_of(int32_t shift) { return shift >= 0 ? 0 : (shift < -31 ? 31 : -shift); }

typedef struct {
  int32x4_t offset;
  int32_t multiplier;
  int right;
} rescale4;

static inline rescale4 rescale4_of(const er_qs8_rescale *r) {
  return (rescale4){vdupq_n_s32(r->offset), r->multiplier, right_shift_of(r->shift)};
}

/* ((q + offset) << left_shift) rescaled below one */
static inline int32x4_t add_input4(int32x4_t q, const rescale4 *r, int left_shift) {
  const int32x4_t shifted = vshlq_s32(vaddq_s32(q, r->offset), vdupq_n_s32(left_shift));
  return rdbpot4(vqrdmulhq_n_s32(shifted, r->multiplier), r->right);
}

static inline int32x4_t clamp4(int32x4_t v, int32x4_t lo, int32x4_t hi) {
  return vminq_s32(vmaxq_s32(v, lo), hi);
}

static inline int32x4_t add_output4(int32x4_t raw, const er_qs8_add_params *p, int32x4_t offset, int32x4_t lo,
                                    int32x4_t hi) {
  const int32x4_t out = rdbpot4(vqrdmulhq_n_s32(raw, p->out_multiplier), right_shift_of(p->out_shift));
  return clamp4(vaddq_s32(out, offset), lo, hi);
}

/* 8 int8 values widened to two vectors of int32. */
static inline void load8(const int8_t *x, int32x4_t *lo, int32x4_t *hi) {
  const int16x8_t w = vmovl_s8(vld1_s8(x));
  *lo = vmovl_s16(vget_low_s16(w));
  *hi = vmovl_s16(vget_high_s16(w));
}

/* Values already clamped into int8's range: narrowing with saturation changes nothing. */
static inline void store8(int8_t *y, int32x4_t lo, int32x4_t hi) {
  vst1_s8(y, vqmovn_s16(vcombine_s16(vqmovn_s32(lo), vqmovn_s32(hi))));
}

static void er_qs8_vadd__neon(size_t n, const int8_t *a, const int8_t *b, int8_t *y,
                              const er_qs8_add_params *p) {
  const rescale4 ra = rescale4_of(&p->a), rb = rescale4_of(&p->b);
  const int32x4_t offset = vdupq_n_s32(p->out_offset), lo = vdupq_n_s32(p->min), hi = vdupq_n_s32(p->max);
  while (n > 0) {
    int8_t ta[8] = {0}, tb[8] = {0}, ty[8];
    const size_t m = n < 8 ? n : 8;
    if (m < 8) memcpy(ta, a, m), memcpy(tb, b, m);
    int32x4_t a0, a1, b0, b1;
    load8(m < 8 ? ta : a, &a0, &a1);
    load8(m < 8 ? tb : b, &b0, &b1);
    const int32x4_t r0 =
        vmlaq_n_s32(add_input4(a0, &ra, p->left_shift), add_input4(b0, &rb, p->left_shift), p->b_sign);
    const int32x4_t r1 =
        vmlaq_n_s32(add_input4(a1, &ra, p->left_shift), add_input4(b1, &rb, p->left_shift), p->b_sign);
    store8(m < 8 ? ty : y, add_output4(r0, p, offset, lo, hi), add_output4(r1, p, offset, lo, hi));
    if (m < 8) memcpy(y, ty, m);
    a += m, b += m, y += m, n -= m;
  }
}

static void er_qs8_vaddc__neon(size_t n, const int8_t *x, const er_qs8_rescale *r, int32_t sign,
                               int32_t addend, int8_t *y, const er_qs8_add_params *p) {
  const rescale4 rx = rescale4_of(r);
  const int32x4_t offset = vdupq_n_s32(p->out_offset), lo = vdupq_n_s32(p->min), hi = vdupq_n_s32(p->max);
  const int32x4_t vaddend = vdupq_n_s32(addend);
  while (n > 0) {
    int8_t tx[8] = {0}, ty[8];
    const size_t m = n < 8 ? n : 8;
    if (m < 8) memcpy(tx, x, m);
    int32x4_t x0, x1;
    load8(m < 8 ? tx : x, &x0, &x1);
    const int32x4_t r0 = vmlaq_n_s32(vaddend, add_input4(x0, &rx, p->left_shift), sign);
    const int32x4_t r1 = vmlaq_n_s32(vaddend, add_input4(x1, &rx, p->left_shift), sign);
    store8(m < 8 ? ty : y, add_output4(r0, p, offset, lo, hi), add_output4(r1, p, offset, lo, hi));
    if (m < 8) memcpy(y, ty, m);
    x += m, y += m, n -= m;
  }
}

/* er_multiply_by_quantized_multiplier: a left shift (wrapping; 32 or more gives 0) or a right one. */
static inline int32x4_t mul_output4(int32x4_t product, const er_qs8_mul_params *p, int32x4_t offset,
                                    int32x4_t lo, int32x4_t hi) {
  const int left = p->shift > 0 ? p->shift : 0;
  const int32x4_t shifted =
      left >= 32 ? vdupq_n_s32(0)
                 : vreinterpretq_s32_u32(vshlq_u32(vreinterpretq_u32_s32(product), vdupq_n_s32(left)));
  const int32x4_t out = rdbpot4(vqrdmulhq_n_s32(shifted, p->multiplier), right_shift_of(p->shift));
  return clamp4(vaddq_s32(out, offset), lo, hi);
}

static void er_qs8_vmul__neon(size_t n, const int8_t *a, const int8_t *b, int8_t *y,
                              const er_qs8_mul_params *p) {
  const int32x4_t offset = vdupq_n_s32(p->out_offset), lo = vdupq_n_s32(p->min), hi = vdupq_n_s32(p->max);
  const int32x4_t oa = vdupq_n_s32(p->a_offset), ob = vdupq_n_s32(p->b_offset);
  while (n > 0) {
    int8_t ta[8] = {0}, tb[8] = {0}, ty[8];
    const size_t m = n < 8 ? n : 8;
    if (m < 8) memcpy(ta, a, m), memcpy(tb, b, m);
    int32x4_t a0, a1, b0, b1;
    load8(m < 8 ? ta : a, &a0, &a1);
    load8(m < 8 ? tb : b, &b0, &b1);
    const int32x4_t p0 = vmulq_s32(vaddq_s32(a0, oa), vaddq_s32(b0, ob));
    const int32x4_t p1 = vmulq_s32(vaddq_s32(a1, oa), vaddq_s32(b1, ob));
    store8(m < 8 ? ty : y, mul_output4(p0, p, offset, lo, hi), mul_output4(p1, p, offset, lo, hi));
    if (m < 8) memcpy(y, ty, m);
    a += m, b += m, y += m, n -= m;
  }
}

static void er_qs8_vmulc__neon(size_t n, const int8_t *x, int32_t x_offset, int32_t factor, int8_t *y,
                               const er_qs8_mul_params *p) {
  const int32x4_t offset = vdupq_n_s32(p->out_offset), lo = vdupq_n_s32(p->min), hi = vdupq_n_s32(p->max);
  const int32x4_t ox = vdupq_n_s32(x_offset);
  while (n > 0) {
    int8_t tx[8] = {0}, ty[8];
    const size_t m = n < 8 ? n : 8;
    if (m < 8) memcpy(tx, x, m);
    int32x4_t x0, x1;
    load8(m < 8 ? tx : x, &x0, &x1);
    const int32x4_t p0 = vmulq_n_s32(vaddq_s32(x0, ox), factor);
    const int32x4_t p1 = vmulq_n_s32(vaddq_s32(x1, ox), factor);
    store8(m < 8 ? ty : y, mul_output4(p0, p, offset, lo, hi), mul_output4(p1, p, offset, lo, hi));
    if (m < 8) memcpy(y, ty, m);
    x += m, y += m, n -= m;
  }
}

const er_qs8_elementwise_isa er_qs8_elementwise__neon = {"neon", er_qs8_vadd__neon, er_qs8_vaddc__neon,
                                                         er_qs8_vmul__neon, er_qs8_vmulc__neon};
