/* Geometry shared by the N-d NCHW window ops (ONNX Conv, ConvTranspose, pools, QLinearConv,
 * ConvInteger): defaults for absent attributes, output sizes and padding exactly as ONNX defines them,
 * and the list of input pixels ("taps") one output pixel reads. Every size from the model is checked
 * here so the kernels' index arithmetic cannot overflow or leave the tensors. */
#ifndef EDGERT_OPS_WINDOW_ND_H
#define EDGERT_OPS_WINDOW_ND_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kernel.h"

/* Attribute values and spatial dims above this are refused, which keeps every product and sum below in
 * int64 range. */
#define ER_WINDOW_ND_MAX_VALUE ((int64_t)INT32_MAX)

typedef struct {
  int32_t rank; /* spatial dims */
  int64_t batch, channels;
  int64_t in[ER_NN_MAX_SPATIAL], out[ER_NN_MAX_SPATIAL];
  int64_t kernel[ER_NN_MAX_SPATIAL], stride[ER_NN_MAX_SPATIAL], dilation[ER_NN_MAX_SPATIAL];
  int64_t pad_begin[ER_NN_MAX_SPATIAL], pad_end[ER_NN_MAX_SPATIAL];
  int64_t in_size, out_size, kernel_size; /* elements of one channel's spatial block / of the window */
} er_window_nd;

/* How output sizes are rounded: convs floor; pools floor, or ceil with ceil_mode. */
typedef enum { ER_WINDOW_FLOOR = 0, ER_WINDOW_CEIL } er_window_rounding;

/* Checks `in` is NCHW with 1..ER_NN_MAX_SPATIAL spatial dims, the attribute list lengths agree with that
 * rank, and fills w: strides and dilations default to 1, pads to 0; auto_pad SAME_UPPER/SAME_LOWER give
 * out = ceil(in / stride) with the odd padding pixel after/before; VALID gives no padding. kernel holds
 * the window size of each spatial dim. */
edgert_status er_window_nd_init(er_op_ctx *ctx, const er_conv_nd_attrs *a, const er_tensor *in,
                                const int64_t *kernel, er_window_rounding rounding, er_window_nd *w);

/* Checks one value from the model lies in [lo, ER_WINDOW_ND_MAX_VALUE]. */
edgert_status er_window_nd_check_value(er_op_ctx *ctx, const char *what, int64_t value, int64_t lo);

/* The taps of the window at output position o (spatial coordinates): for each window position inside
 * the input, its offset within one channel's spatial block (row major) in in_off[] and its index in the
 * window (row major) in k_idx[] (either may be NULL). Returns the number of taps. *padded_count (when not
 * NULL) receives how many window positions fall inside the input or its padding, the divisor of ONNX's
 * average pool with count_include_pad. */
int64_t er_window_nd_taps(const er_window_nd *w, const int64_t *o, int64_t *in_off, int64_t *k_idx,
                          int64_t *padded_count);

/* Steps a row-major coordinate over dims (the last dim fastest); wraps to all zeros after the end. */
void er_window_nd_next(int32_t rank, const int64_t *dims, int64_t *coord);

#endif
