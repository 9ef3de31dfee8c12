/* Helpers shared by the convolution family (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV,
 * FULLY_CONNECTED, BATCH_MATMUL): window geometry with TFLite's padding rules, per-channel requantization
 * multipliers as TFLite's PopulateConvolutionQuantizationParams computes them, the checks on dtypes,
 * quantization parameters, uint8 weight zero points and biases that every quantized kernel of the family
 * needs, and the requantization state (er_conv_quant) with the output conversions its kernels share. */
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

/* The sliding-window geometry of a 2-D NHWC convolution (CONV_2D, DEPTHWISE_CONV_2D). */
typedef struct {
  int64_t batches, in_h, in_w, in_c;
  int64_t filter_h, filter_w;
  int64_t out_h, out_w, out_c;
  int64_t stride_h, stride_w, dil_h, dil_w, pad_h, pad_w;
} er_conv_geometry;

/* Fills g for input [n, h, w, c] (checked 4-D), a filter_h x filter_w window and out_c output channels
 * under attributes a (er_conv_window on the height with pads[0], pads[2] and on the width with pads[1],
 * pads[3]), and sets the output shape [n, out_h, out_w, out_c]. */
edgert_status er_conv_plan_2d(er_op_ctx *ctx, const er_conv_attrs *a, const er_tensor *in, int64_t filter_h,
                              int64_t filter_w, int64_t out_c, er_tensor *out, er_conv_geometry *g);

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

/* The clamp range of quantized output `out` under fused activation `act` (its dtype's range, narrowed). */
void er_conv_output_range(const er_tensor *out, er_activation act, int32_t *act_min, int32_t *act_max);

/* Dtype combinations beyond those every kernel of the family takes (float32, int8 x int8, int16 x int8,
 * uint8 x uint8): float32 input with int8 weights (TFLite's hybrid kernels), and an int16 bias with int16
 * activations (TFLM's TRANSPOSE_CONV). */
enum { ER_CONV_HYBRID = 1, ER_CONV_INT16_BIAS = 2 };

/* Checks that input, filter and output dtypes form a supported path (output type = input type) and that
 * the optional bias fits it (float32; int32 for int8 and uint8; int64 or int32, and int16 with
 * ER_CONV_INT16_BIAS, for int16) with `channels` elements. `filter_name` ("filter", "weights") is for
 * messages; `extra` holds ER_CONV_* flags. */
edgert_status er_conv_check_types(er_op_ctx *ctx, const er_tensor *in, const er_tensor *filter,
                                  const er_tensor *bias, const er_tensor *out, int64_t channels,
                                  const char *filter_name, int extra);

/* What a quantized kernel of the family needs at eval: zero-point offsets, per-channel requantization
 * multipliers and shifts, and the output clamp range of the fused activation. */
typedef struct {
  int32_t input_offset, filter_offset, output_offset; /* filter_offset: set for uint8 only, else 0 */
  const int32_t *multipliers, *shifts;                /* one per output channel */
  int32_t act_min, act_max;
} er_conv_quant;

/* Fills q for a quantized (non-float) path whose dtypes er_conv_check_types accepted: checks input and
 * output quantization (int16 tensors need zero point 0), the uint8 filter offset, and computes
 * multipliers for `channels` output channels with a per-channel filter along channel_axis. Arrays come
 * from er_persist_alloc. */
edgert_status er_conv_prepare_quant(er_op_ctx *ctx, er_conv_quant *q, er_activation activation,
                                    const er_tensor *in, const er_tensor *filter, const er_tensor *out,
                                    int32_t channel_axis, int64_t channels);

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

/* Output channel c of a kernel with TFLite's int32 accumulator (int8, uint8; int16 without an int64 bias):
 * sum (accumulated and bias added in int64) wrapped to int32, then requantized, offset and clamped. */
static inline int32_t er_conv_output_i32(const er_conv_quant *q, int64_t sum, int64_t c) {
  return er_requantize_i32(er_wrap_i32(sum), q->multipliers[c], q->shifts[c], q->output_offset, q->act_min,
                           q->act_max);
}

/* Output channel c of an int16 kernel with an int64 accumulator (bias already added): TFLite's 64-bit
 * MultiplyByQuantizedMultiplier, then the clamp; no output offset, as 16-bit outputs have zero point 0. */
static inline int32_t er_conv_output_i64(const er_conv_quant *q, int64_t sum, int64_t c) {
  return er_clamp_i32(er_multiply_by_quantized_multiplier_64(sum, q->multipliers[c], q->shifts[c]),
                      q->act_min, q->act_max);
}

#endif
