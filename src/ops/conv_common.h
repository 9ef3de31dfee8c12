/* Helpers shared by the convolution family (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV,
 * FULLY_CONNECTED, BATCH_MATMUL): window geometry with TFLite's padding rules, per-channel requantization
 * multipliers as TFLite's PopulateConvolutionQuantizationParams computes them, and the checks on
 * quantization parameters, uint8 weight zero points and biases that every quantized kernel of the family
 * needs. */
#ifndef EDGERT_OPS_CONV_COMMON_H
#define EDGERT_OPS_CONV_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kernel.h"
#include "core/quant.h"

/* One spatial dim of a sliding window: output size and padding before the first input pixel. */
typedef struct {
  int64_t out;
  int64_t pad;
} er_conv_dim;

/* Output size and leading pad of one spatial dim of a convolution (TFLite's ComputeOutSize and
 * ComputePaddingWithOffset): SAME gives out = ceil(in / stride) with the odd padding pixel after,
 * SAME_LOWER puts it before, VALID pads nothing, EXPLICIT takes pad_before/pad_after. `name` ("height",
 * "width") is for messages. Fails when the window does not fit or attributes are out of range. */
edgert_status er_conv_window(er_op_ctx *ctx, er_padding padding, int64_t in, int64_t filter, int32_t stride,
                             int32_t dilation, int32_t pad_before, int32_t pad_after, const char *name,
                             er_conv_dim *dim);

/* Checks stride and dilation (>= 1) and the layout (NHWC only) of conv attributes. */
edgert_status er_conv_check_attrs(er_op_ctx *ctx, const er_conv_attrs *a, bool uses_dilation);

/* Checks that a 4-D tensor has positive dims; `what` names it in messages. */
edgert_status er_conv_check_4d(er_op_ctx *ctx, const er_tensor *t, const char *what);

/* The per-tensor scale of t: q.scale, or the single per-channel scale when the importer gave an array of
 * one. */
float er_conv_tensor_scale(const er_tensor *t);

/* Checks a quantized activation tensor: a finite positive scale and a zero point inside its dtype's
 * range; when zero_point_must_be_zero (int16 tensors in TFLite's 16x8 kernels), a zero point of 0. */
edgert_status er_conv_check_act_quant(er_op_ctx *ctx, const er_tensor *t, const char *what,
                                      bool zero_point_must_be_zero);

/* Requantization multipliers and shifts for `channels` output channels, effective scale
 * input_scale * filter_scale[c] / output_scale computed in double (TFLite's
 * PopulateConvolutionQuantizationParams). The filter is per-tensor (one scale, broadcast) or per-channel
 * along channel_axis with exactly `channels` scales. Arrays come from er_persist_alloc. */
edgert_status er_conv_multipliers(er_op_ctx *ctx, const er_tensor *input, const er_tensor *filter,
                                  const er_tensor *output, int32_t channel_axis, int64_t channels,
                                  int32_t **multipliers, int32_t **shifts);

/* The weight offset (minus the zero point) of a uint8 filter. TFLite's uint8 ("asymmetric") kernels take
 * one scale and zero point for the whole filter, so per-channel quantization is refused, as is a zero
 * point outside [0, 255]. */
edgert_status er_conv_uint8_filter_offset(er_op_ctx *ctx, const er_tensor *filter, int32_t *offset);

/* Checks an optional bias (NULL passes): one of the `n_allowed` dtypes and exactly `channels` elements. */
edgert_status er_conv_check_bias(er_op_ctx *ctx, const er_tensor *bias, int64_t channels,
                                 const edgert_dtype *allowed, int n_allowed);

/* Bias element c widened to int64 (int16, int32 or int64 bias data); 0 without a bias. */
static inline int64_t er_conv_bias_at(const er_tensor *bias, int64_t c) {
  if (!bias) return 0;
  switch (bias->dtype) {
  case EDGERT_INT16: return ((const int16_t *)bias->data)[c];
  case EDGERT_INT32: return ((const int32_t *)bias->data)[c];
  case EDGERT_INT64: return ((const int64_t *)bias->data)[c];
  default: return 0;
  }
}

/* Sums in TFLite's int32 accumulators wrap on overflow (in practice; the C++ is undefined there). An
 * int64 sum reduced modulo 2^32 gives the same bits without undefined behaviour. */
static inline int32_t er_wrap_i32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }

/* a + b in int64 with two's-complement wrap instead of undefined overflow (hostile bias values). */
static inline int64_t er_add_wrap_i64(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }

/* Requantizes an int32 accumulator (int8 kernels): scale, add the output zero point, clamp. */
static inline int32_t er_requantize_i32(int32_t acc, int32_t multiplier, int32_t shift, int32_t out_offset,
                                        int32_t act_min, int32_t act_max) {
  int32_t scaled = er_multiply_by_quantized_multiplier(acc, multiplier, (int)shift);
  return er_clamp_i32(er_wrap_i32((int64_t)scaled + out_offset), act_min, act_max);
}

#endif
