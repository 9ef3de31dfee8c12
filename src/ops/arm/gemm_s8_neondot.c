/* int8 GEMM micro-kernel for NEON with the dot product (SDOT): a 4 x 8 tile, four depth steps per
 * instruction, each row's four activations taken by lane. The requantization is the NEON one. See
 * ops/gemm_s8.h. */
#include <arm_neon.h>

#include "ops/gemm_s8.h"

void er_s8_gemm_4x8c4__neondot(int64_t k_groups, const void *a, const void *w, int32_t *c) {
  const int8_t *pa = a;
  const int8_t *pw = w;
  int32x4_t acc0l = vdupq_n_s32(0), acc0h = acc0l, acc1l = acc0l, acc1h = acc0l;
  int32x4_t acc2l = acc0l, acc2h = acc0l, acc3l = acc0l, acc3h = acc0l;
  for (int64_t g = 0; g < k_groups; g++, pa += 16, pw += 32) {
    const int8x16_t av = vld1q_s8(pa);
    const int8x16_t wl = vld1q_s8(pw), wh = vld1q_s8(pw + 16);
    acc0l = vdotq_laneq_s32(acc0l, wl, av, 0);
    acc0h = vdotq_laneq_s32(acc0h, wh, av, 0);
    acc1l = vdotq_laneq_s32(acc1l, wl, av, 1);
    acc1h = vdotq_laneq_s32(acc1h, wh, av, 1);
    acc2l = vdotq_laneq_s32(acc2l, wl, av, 2);
    acc2h = vdotq_laneq_s32(acc2h, wh, av, 2);
    acc3l = vdotq_laneq_s32(acc3l, wl, av, 3);
    acc3h = vdotq_laneq_s32(acc3h, wh, av, 3);
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
