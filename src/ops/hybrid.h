/* Arithmetic of TensorFlow Lite's hybrid ("dynamic range quantized") kernels, shared by FULLY_CONNECTED,
 * CONV_2D, DEPTHWISE_CONV_2D, BATCH_MATMUL, SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM: float32 activations,
 * int8 weights with float scales. At each invoke the float input is quantized to int8, one scale (and, for
 * asymmetric quantization, one zero point) per row, the dot products run in int32, and each sum is scaled
 * back to float. The rounding follows tensorflow/lite/kernels/internal/reference/portable_tensor_utils.cc
 * (SymmetricQuantizeFloats, AsymmetricQuantizeFloats, MatrixBatchVectorMultiplyAccumulate) so that the
 * int8 values, and therefore the sums, are TFLite's exactly. */
#ifndef EDGERT_OPS_HYBRID_H
#define EDGERT_OPS_HYBRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kernel.h"

/* Symmetric quantization of n floats: scale = max|x| / 127, q = round(x / scale) in [-127, 127]. An
 * all-zero row gives zeros and scale 1. */
void er_hybrid_quantize_symmetric(const float *x, int64_t n, int8_t *q, float *scale);

/* Asymmetric quantization of n floats over [min(x, 0), max(x, 0)] to [-128, 127]: the scale, and the zero
 * point TFLite nudges onto the integer grid. An all-zero row gives zeros, scale 1 and zero point 0. */
void er_hybrid_quantize_asymmetric(const float *x, int64_t n, int8_t *q, float *scale, int32_t *zero_point);

/* rows rows of n floats each, quantized row by row (TFLite BatchQuantizeFloats). zero_points may be NULL
 * when !asymmetric. */
void er_hybrid_quantize_rows(const float *x, int64_t rows, int64_t n, bool asymmetric, int8_t *q,
                             float *scales, int32_t *zero_points);

/* result[b * rows + r] += (sum_c w[r][c] * (q[b][c] - zp[b])) * scale, for each of `batches` quantized
 * rows q[b] of `cols` values and each of the `rows` weight rows. The int32 sum is TFLite's: the dot
 * product, minus the weight row's sum times the row's zero point (zero_points NULL: symmetric). scale is
 * scales[b], times per_channel[r] when per_channel is not NULL. */
void er_hybrid_matmul_accumulate(const int8_t *w, int64_t rows, int64_t cols, const int8_t *q,
                                 const float *scales, const int32_t *zero_points, const float *per_channel,
                                 int64_t batches, float *result);

/* Scratch of a hybrid kernel: `elements` quantized int8 values and, for `rows` rows, a float scale and an
 * int32 zero point each. */
typedef struct {
  size_t q_offset, scales_offset, zero_points_offset, bytes;
} er_hybrid_scratch;

/* Lays out the scratch after `base` bytes the kernel already uses; false when the sizes overflow. */
bool er_hybrid_scratch_plan(size_t base, int64_t elements, int64_t rows, er_hybrid_scratch *plan);

/* A kernel's whole scratch as one hybrid plan from offset 0, declared in ctx->scratch_bytes; fails with a
 * message when it is too large. */
edgert_status er_hybrid_prepare_scratch(er_op_ctx *ctx, int64_t elements, int64_t rows,
                                        er_hybrid_scratch *plan);

/* The parts of the scratch that `plan` lays out, inside the kernel's scratch memory. */
typedef struct {
  int8_t *q;
  float *scales;
  int32_t *zero_points;
} er_hybrid_buffers;

static inline er_hybrid_buffers er_hybrid_buffers_at(const er_hybrid_scratch *plan, unsigned char *scratch) {
  er_hybrid_buffers b = {(int8_t *)(scratch + plan->q_offset),
                         (float *)(void *)(scratch + plan->scales_offset),
                         (int32_t *)(void *)(scratch + plan->zero_points_offset)};
  return b;
}

/* The float a quantized weight tensor's int8 values are scaled by: its per-tensor scale (TFLite reads
 * params.scale, the first scale of a per-channel tensor). */
float er_hybrid_weight_scale(const er_tensor *w);

/* Checks the weights of a hybrid kernel: int8, with a finite positive per-tensor scale, or `channels`
 * finite non-negative per-channel scales along `axis` when per_channel_ok (channels 0: none allowed). */
edgert_status er_hybrid_check_weights(er_op_ctx *ctx, const er_tensor *w, const char *what,
                                      bool per_channel_ok, int32_t axis, int64_t channels);

/* Applies a fused activation to a float, as TFLite's ApplyActivationToVector. */
float er_hybrid_activate(er_activation act, float x);

#endif
