/* int8 GEMM micro-kernel for NEON without the dot product: a 4 x 8 tile on int16-widened operands, one
 * depth step at a time with vmlal (widening, wrapping multiply-accumulate) by each row's lane; and the NEON
 * requantization shared with the dot-product kernel. See ops/gemm_s8.h. */
#include <arm_neon.h>
#include <string.h>

#include "ops/gemm_s8.h"

void er_s8_gemm_4x8c1__neon(int64_t k_groups, const void *a, const void *w, int32_t *c) {
  const int16_t *pa = a;
  const int16_t *pw = w;
  int32x4_t acc0l = vdupq_n_s32(0), acc0h = acc0l, acc1l = acc0l, acc1h = acc0l;
  int32x4_t acc2l = acc0l, acc2h = acc0l, acc3l = acc0l, acc3h = acc0l;
  for (int64_t g = 0; g < k_groups; g++, pa += 4, pw += 8) {
    const int16x4_t av = vld1_s16(pa);
    const int16x8_t wv = vld1q_s16(pw);
    const int16x4_t wl = vget_low_s16(wv), wh = vget_high_s16(wv);
    acc0l = vmlal_lane_s16(acc0l, wl, av, 0);
    acc0h = vmlal_lane_s16(acc0h, wh, av, 0);
    acc1l = vmlal_lane_s16(acc1l, wl, av, 1);
    acc1h = vmlal_lane_s16(acc1h, wh, av, 1);
    acc2l = vmlal_lane_s16(acc2l, wl, av, 2);
    acc2h = vmlal_lane_s16(acc2h, wh, av, 2);
    acc3l = vmlal_lane_s16(acc3l, wl, av, 3);
    acc3h = vmlal_lane_s16(acc3h, wh, av, 3);
  }
  vst1q_s32(c + 0, acc0l);
  vst1q_s32(c + 4, acc0h);
  vst1q_s32(c + 8, acc1l);
  vst1q_s32(c + 12, acc1h);
  vst1q_s32(c + 16, acc2l);
  vst1q_s32(c + 20, acc2h);
  vst1q_s32(c + 24, acc3l);
  vst1q_s32(c + 28, acc3h);
}

/* TFLite's MultiplyByQuantizedMultiplier on 4 lanes: vqrdmulh is gemmlowp's saturating rounding doubling
 * high multiply exactly; the rounding divide by 2^right nudges negative values down by one first so that
 * vrshl's round-half-up becomes round-half-away-from-zero (gemmlowp's NEON RoundingDivideByPOT). */
static inline int32x4_t requantize4(int32x4_t x, const er_s8_requant *rq, int64_t n) {
  x = vaddq_s32(x, vld1q_s32(rq->column_add + n));
  x = vshlq_s32(x, vld1q_s32(rq->left_shifts + n));
  x = vqrdmulhq_s32(x, vld1q_s32(rq->multipliers + n));
  const int32x4_t right = vnegq_s32(vld1q_s32(rq->right_shifts + n));
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, right), 31);
  x = vrshlq_s32(vqaddq_s32(x, fixup), right);
  x = vaddq_s32(x, vdupq_n_s32(rq->output_offset));
  return vminq_s32(vmaxq_s32(x, vdupq_n_s32(rq->act_min)), vdupq_n_s32(rq->act_max));
}

void er_s8_requant__neon(const int32_t *c, int32_t nr, int32_t rows, const er_s8_requant *rq, int64_t column,
                         int32_t count, int8_t *out, int64_t out_stride) {
  for (int32_t r = 0; r < rows; r++)
    for (int32_t j = 0; j < count; j += 8) {
      const int64_t n = column + j;
      const int32x4_t lo = requantize4(vld1q_s32(c + r * nr + j), rq, n);
      const int32x4_t hi = requantize4(vld1q_s32(c + r * nr + j + 4), rq, n + 4);
      /* Truncating narrows, as the reference's cast. */
      const int8x8_t eight = vmovn_s16(vcombine_s16(vmovn_s32(lo), vmovn_s32(hi)));
      int8_t *dst = out + r * out_stride + j;
      if (count - j >= 8) {
        vst1_s8(dst, eight);
      } else {
        int8_t tail[8];
        vst1_s8(tail, eight);
        memcpy(dst, tail, (size_t)(count - j));
      }
    }
}
