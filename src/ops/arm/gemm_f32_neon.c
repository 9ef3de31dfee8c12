/* NEON (AArch64) float32 GEMM micro-kernel: 8 rows x 8 columns (16 q-register accumulators, two B
 * vectors), row tails by a specialization per row count, column tails and a transposed C through a small
 * buffer. */
#include <arm_neon.h>
#include <string.h>

#include "ops/gemm_f32.h"

enum { NEON_MR = 8, NEON_NR = 8 };

/* `rows` is a constant where this is inlined, so the accumulators live in registers. */
static inline __attribute__((always_inline)) void tile_8x8(size_t rows, size_t rs, size_t ks, size_t nr,
                                                           size_t kc, const void *a, const float *b, float *c,
                                                           size_t ldc, const er_f32_gemm_tile *t) {
  float32x4_t acc0[NEON_MR], acc1[NEON_MR];
#pragma GCC unroll 8
  for (size_t i = 0; i < rows; i++)
    acc0[i] = vdupq_n_f32(0.0f), acc1[i] = vdupq_n_f32(0.0f);
  /* B in place (t->b_k_stride) is read only in its nr columns: a narrow tile goes through b_row */
  const size_t bs = t->b_k_stride ? t->b_k_stride : NEON_NR;
  const bool b_narrow = t->b_k_stride && nr < NEON_NR;
  float b_row[NEON_NR] = {0};
  const unsigned char *ak = a; /* column k of A's rows, in bytes */
  for (size_t k = 0; k < kc; k++) {
    const float *bk = b;
    if (b_narrow) {
      memcpy(b_row, b, nr * sizeof(float));
      bk = b_row;
    }
    const float32x4_t b0 = vld1q_f32(bk), b1 = vld1q_f32(bk + 4);
#pragma GCC unroll 8
    for (size_t i = 0; i < rows; i++) {
      const float av = er_f32_load(ak, i * rs);
      acc0[i] = vfmaq_n_f32(acc0[i], b0, av);
      acc1[i] = vfmaq_n_f32(acc1[i], b1, av);
    }
    ak += ks * sizeof(float);
    b += bs;
  }
  float32x4_t bias0 = vdupq_n_f32(0.0f), bias1 = vdupq_n_f32(0.0f);
  if (!t->accumulate && t->bias_col) {
    float cols[NEON_NR] = {0};
    memcpy(cols, t->bias_col, nr * sizeof(float));
    bias0 = vld1q_f32(cols), bias1 = vld1q_f32(cols + 4);
  }
  const float32x4_t lo = vdupq_n_f32(t->min), hi = vdupq_n_f32(t->max);
  /* steps between rows and columns of C; a transposed C goes through `row` */
  const size_t row_step = t->c_transposed ? 1 : ldc, col_step = t->c_transposed ? ldc : 1;
  const bool whole_rows = nr >= NEON_NR && !t->c_transposed;
#pragma GCC unroll 8
  for (size_t i = 0; i < rows; i++) {
    float *ci = c + i * row_step;
    float row[NEON_NR];
    float32x4_t v0 = acc0[i], v1 = acc1[i];
    if (t->accumulate) {
      if (whole_rows) {
        v0 = vaddq_f32(v0, vld1q_f32(ci)), v1 = vaddq_f32(v1, vld1q_f32(ci + 4));
      } else {
        for (size_t j = 0; j < nr; j++)
          row[j] = ci[j * col_step];
        for (size_t j = nr; j < NEON_NR; j++)
          row[j] = 0.0f;
        v0 = vaddq_f32(v0, vld1q_f32(row)), v1 = vaddq_f32(v1, vld1q_f32(row + 4));
      }
    } else {
      v0 = vaddq_f32(v0, bias0), v1 = vaddq_f32(v1, bias1);
      if (t->bias_row) {
        const float32x4_t br = vdupq_n_f32(t->bias_row[i]);
        v0 = vaddq_f32(v0, br), v1 = vaddq_f32(v1, br);
      }
    }
    if (t->clamp) {
      /* select, not vmaxq/vminq (which return NaN's other operand): NaN passes through as in the
       * reference */
      v0 = vbslq_f32(vcgtq_f32(lo, v0), lo, v0), v1 = vbslq_f32(vcgtq_f32(lo, v1), lo, v1);
      v0 = vbslq_f32(vcltq_f32(hi, v0), hi, v0), v1 = vbslq_f32(vcltq_f32(hi, v1), hi, v1);
    }
    if (whole_rows) {
      vst1q_f32(ci, v0), vst1q_f32(ci + 4, v1);
    } else {
      vst1q_f32(row, v0), vst1q_f32(row + 4, v1);
      for (size_t j = 0; j < nr; j++)
        ci[j * col_step] = row[j];
    }
  }
}

#define TILE_CASE(rows)                                                                                      \
  case rows:                                                                                                 \
    if (rs != 1)                                                                                             \
      tile_8x8(rows, rs, ks, nr, kc, a, b, c, ldc, t);                                                       \
    else                                                                                                     \
      tile_8x8(rows, 1, ks, nr, kc, a, b, c, ldc, t);                                                        \
    break;

void er_f32_gemm_8x8__neon(size_t mr, size_t nr, size_t kc, const void *a, const float *b, float *c,
                           size_t ldc, const er_f32_gemm_tile *t) {
  const size_t rs = t->a_row_stride ? t->a_row_stride : 1, ks = t->a_row_stride ? t->a_k_stride : mr;
  switch (mr) {
    TILE_CASE(1)
    TILE_CASE(2)
    TILE_CASE(3)
    TILE_CASE(4)
    TILE_CASE(5)
    TILE_CASE(6)
    TILE_CASE(7)
  default: TILE_CASE(8)
  }
}
