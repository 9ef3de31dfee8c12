/* Micro-kernels of NHWC AVERAGE_POOL_2D and MAX_POOL_2D (int8 and float), vectorized across the
 * contiguous channels. Each computes a range of output rows (row = batch * out_h + y), so a caller can
 * split rows across threads. Results are bit-exact with the reference kernels in pooling.c: padding is
 * never read or counted, float sums run over the window in the same order (row by row), the float max
 * starts at -FLT_MAX and keeps the old value unless the new one is greater, and the int8 average rounds
 * half away from zero as TFLite does. The int8 kernels need act_min and act_max inside [-128, 127] and
 * windows of at most 2^23 pixels (their int32 sum cannot overflow). */
#ifndef EDGERT_OPS_POOLING_NHWC_H
#define EDGERT_OPS_POOLING_NHWC_H

#include <stdint.h>

typedef struct {
  int64_t batches, in_h, in_w, channels, out_h, out_w;
  int64_t filter_h, filter_w, stride_h, stride_w, pad_top, pad_left;
  int32_t act_min, act_max; /* int8 */
  float act_min_f, act_max_f;
  const void *input;
  void *output;
} er_pool_nhwc_args;

typedef void (*er_pool_nhwc_fn)(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end);

/* The input rows [*y0, *y1) and columns [*x0, *x1) of the window of output pixel (oy, ox). */
static inline void er_pool_nhwc_window(const er_pool_nhwc_args *a, int64_t oy, int64_t ox, int64_t *y0,
                                       int64_t *y1, int64_t *x0, int64_t *x1) {
  const int64_t top = oy * a->stride_h - a->pad_top, left = ox * a->stride_w - a->pad_left;
  *y0 = top < 0 ? 0 : top;
  *x0 = left < 0 ? 0 : left;
  *y1 = top + a->filter_h < a->in_h ? top + a->filter_h : a->in_h;
  *x1 = left + a->filter_w < a->in_w ? left + a->filter_w : a->in_w;
}

/* TFLite's integer average: the sum divided by the count, rounding half away from zero. */
static inline int32_t er_pool_average_i32(int32_t sum, int32_t count) {
  return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

#if defined(ER_SIMD_X86)
void er_s8_avgpool_nhwc__avx2(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end);
void er_s8_maxpool_nhwc__avx2(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end);
void er_f32_avgpool_nhwc__avx2(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end);
void er_f32_maxpool_nhwc__avx2(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end);
#endif
#if defined(ER_SIMD_ARM)
void er_s8_avgpool_nhwc__neon(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end);
void er_s8_maxpool_nhwc__neon(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end);
void er_f32_avgpool_nhwc__neon(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end);
void er_f32_maxpool_nhwc__neon(const er_pool_nhwc_args *a, int64_t row_begin, int64_t row_end);
#endif

#endif
