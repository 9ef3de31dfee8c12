/* Micro-kernels of NHWC DEPTHWISE_CONV_2D (output channel c reads input channel c / multiplier),
 * vectorized across the contiguous output channels: SIMD variants handle depth multiplier 1 and a
 * single input channel (the multiplier then equals the output channels: a common first layer) and fall
 * back on the portable scalar kernel for other multipliers. Each computes a range of output rows (row =
 * batch * out_h + y) so a caller can split the rows across threads. Window taps outside the image are
 * skipped, as in the reference kernel in depthwise_conv.c, by clamping each output pixel's tap range once;
 * the loops over taps then run without bounds checks.
 *
 * qs8 (int8 activations, int8 weights, int32 bias, per-channel requantization): the result is bit-exact
 * with the reference. Each tap adds (x + input_offset) * w, which fits int16 (|x + offset| <= 255,
 * |w| <= 128), to an int32 accumulator that starts at the bias and wraps as TFLite's does; the sum is
 * requantized with TFLite's MultiplyByQuantizedMultiplier (er_requantize_i32). f32: sum of x * w over the
 * taps, then the bias, then the clamp; SIMD variants use FMA, so they round differently from the reference
 * within a float tolerance. */
#ifndef EDGERT_OPS_DEPTHWISE_CONV_NHWC_H
#define EDGERT_OPS_DEPTHWISE_CONV_NHWC_H

#include <stdint.h>

#include "ops/conv_common.h"

typedef struct {
  er_conv_geometry g; /* out_c: a multiple of in_c */
  int32_t input_offset, output_offset, act_min, act_max;
  const int32_t *multipliers, *shifts; /* per channel, as er_conv_quant */
  const int8_t *input, *filter;        /* filter: [filter_h][filter_w][channels] */
  const int32_t *bias;                 /* NULL: none */
  int8_t *output;
} er_qs8_dwconv_args;

typedef struct {
  er_conv_geometry g;
  float act_min, act_max;
  const float *input, *filter, *bias; /* bias NULL: none */
  float *output;
} er_f32_dwconv_args;

typedef void (*er_qs8_dwconv_fn)(const er_qs8_dwconv_args *a, int64_t row_begin, int64_t row_end);
typedef void (*er_f32_dwconv_fn)(const er_f32_dwconv_args *a, int64_t row_begin, int64_t row_end);

/* The taps [*begin, *end) of a window of `taps` taps, `dilation` apart, starting at input coordinate
 * `start`, that fall inside [0, size). */
static inline void er_dwconv_tap_range(int64_t start, int64_t dilation, int64_t taps, int64_t size,
                                       int64_t *begin, int64_t *end) {
  int64_t b, e;
  if (dilation == 1) { /* the common case, without the divisions */
    b = start >= 0 ? 0 : -start;
    e = start >= size ? 0 : size - start;
  } else {
    b = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
    e = start >= size ? 0 : (size - start + dilation - 1) / dilation;
  }
  if (e > taps) e = taps;
  if (b > e) b = e;
  *begin = b;
  *end = e;
}

/* One output channel of the qs8 kernel from its int32 sum (bias included): the reference's epilogue. */
static inline int8_t er_qs8_dwconv_output(const er_qs8_dwconv_args *a, int32_t acc, int64_t c) {
  return (int8_t)er_requantize_i32(acc, a->multipliers[c], a->shifts[c], a->output_offset, a->act_min,
                                   a->act_max);
}

void er_qs8_dwconv_nhwc__scalar(const er_qs8_dwconv_args *a, int64_t row_begin, int64_t row_end);
void er_f32_dwconv_nhwc__scalar(const er_f32_dwconv_args *a, int64_t row_begin, int64_t row_end);
#if defined(ER_SIMD_X86)
void er_qs8_dwconv_nhwc__avx2(const er_qs8_dwconv_args *a, int64_t row_begin, int64_t row_end);
void er_f32_dwconv_nhwc__avx2(const er_f32_dwconv_args *a, int64_t row_begin, int64_t row_end);
void er_qs8_dwconv_nhwc__avx512(const er_qs8_dwconv_args *a, int64_t row_begin, int64_t row_end);
void er_f32_dwconv_nhwc__avx512(const er_f32_dwconv_args *a, int64_t row_begin, int64_t row_end);
#endif
#if defined(ER_SIMD_ARM)
void er_qs8_dwconv_nhwc__neon(const er_qs8_dwconv_args *a, int64_t row_begin, int64_t row_end);
void er_f32_dwconv_nhwc__neon(const er_f32_dwconv_args *a, int64_t row_begin, int64_t row_end);
#endif

/* The best qs8 / f32 micro-kernel for this CPU (er_cpu_detect, so EDGERT_ISA caps it). */
er_qs8_dwconv_fn er_qs8_dwconv_nhwc_select(void);
er_f32_dwconv_fn er_f32_dwconv_nhwc_select(void);

#endif
