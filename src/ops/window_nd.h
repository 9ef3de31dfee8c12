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
/* Along dim i alone, for output position o of that dim: the window positions inside the input (*real)
 * and inside the input or its padding (*padded), as er_window_nd_taps counts them. */
void er_window_nd_dim_counts(const er_window_nd *w, int i, int64_t o, int64_t *real, int64_t *padded);

/* Steps a row-major coordinate over dims (the last dim fastest); wraps to all zeros after the end. */
void er_window_nd_next(int32_t rank, const int64_t *dims, int64_t *coord);

/* The NCHW fast kernels' view of a 1-D or 2-D window (1-D: height 1) and their padded row layout. A band
 * of input rows is copied into scratch with the padding filled in and the columns split by phase modulo
 * the horizontal stride: padded column c goes to phase c % stride_w, position c / stride_w. Then tap
 * (ky, kx) of output column j reads position j + tap_off of one phase row whatever the stride, dilation
 * or padding, so the row kernels see contiguous loads and no borders. Float32 only. */
typedef struct {
  int64_t in_h, in_w, out_h, out_w, kh, kw, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
  int64_t phase_w;   /* floats in one phase of a padded row: out_w rounded up to the vector plus the
                        largest horizontal tap shift (so whole vectors can be read), itself rounded up */
  int64_t row_pitch; /* stride_w * phase_w: one padded input row */
} er_window_2d;

/* Fills v for w with vectors of `vector` floats; false when w is not 1-D or 2-D, one output row's padded
 * rows would exceed max_floats, or the window is mostly padding (the caller then uses its reference path,
 * which visits only the taps inside the input). */
bool er_window_2d_init(const er_window_nd *w, int64_t vector, int64_t max_floats, er_window_2d *v);
/* Output rows per band so that the band's padded rows take about target_floats (at least one row), and
 * there are enough bands for `threads` threads across `planes` planes. */
int64_t er_window_2d_band_rows(const er_window_2d *v, int64_t target_floats, int64_t planes, int32_t threads);
/* Padded input rows a band of out_rows output rows reads. */
int64_t er_window_2d_band_in_rows(const er_window_2d *v, int64_t out_rows);
/* tap_off[ky * kw + kx]: where tap (ky, kx) of output column 0 of an output row lies, relative to the
 * first padded row that output row reads. */
void er_window_2d_tap_offsets(const er_window_2d *v, int64_t *tap_off);
/* The padded rows of input rows first_row .. first_row + rows - 1 of plane (rows beyond the input, and
 * columns, read as pad) into buf, row_pitch floats each. */
void er_window_2d_fill_rows(const er_window_2d *v, const float *plane, int64_t first_row, int64_t rows,
                            float pad, float *buf);

/* Direct kernels read the input rows in place instead of the padded copy. col_off[kx] = kx * dil_w -
 * pad_left; col_mask[v * kw + kx], for the 16 output columns 16v .. of tap column kx, has bit l * stride_w
 * set when output column 16v + l exists and reads an input column inside the row (stride_w 1 or 2; the
 * bits index floats from the tap's first one). Fills ceil(out_w / 16) * kw masks. */
void er_window_2d_col_masks(const er_window_2d *v, const int64_t *col_off, uint32_t *col_mask);

/* Row micro-kernels of the NCHW float32 pools over that layout: out[j] for j in [0, ow) is the max of
 * in[tap_off[t] + j] over the taps (the padding holds -inf), or their sum times row_scale * col_scale[j]
 * (the padding holds 0; the scales are 1 / the divisor). They may read whole vectors of 16 past ow. */
typedef void (*er_f32_pool_nchw_row_fn)(const float *in, const int64_t *tap_off, int64_t taps,
                                        const float *col_scale, float row_scale, float *out, int64_t ow);
void er_f32_maxpool_nchw_row__scalar(const float *in, const int64_t *tap_off, int64_t taps,
                                     const float *col_scale, float row_scale, float *out, int64_t ow);
void er_f32_avgpool_nchw_row__scalar(const float *in, const int64_t *tap_off, int64_t taps,
                                     const float *col_scale, float row_scale, float *out, int64_t ow);
/* The sum of n floats in double (global average pool). */
typedef double (*er_f32_plane_sum_fn)(const float *x, int64_t n);
double er_f32_plane_sum__scalar(const float *x, int64_t n);
/* Direct max pool of `rows` output rows from output row oy0 of one plane, in place (no padded copy;
 * out_w floats per output row): each output row's max down its window rows goes into col_max, a row of
 * er_window_2d_col_max_floats floats (64-byte aligned) with its padding at -inf, then the max along its
 * window columns into out. Outside the input counts as -inf, as in the padded copy. */
typedef void (*er_f32_maxpool_nchw_direct_fn)(const er_window_2d *v, const float *plane, int64_t oy0,
                                              int64_t rows, float *col_max, float *out);
/* Floats of the direct max pool's padded row: the columns its last vector of output columns reads. */
int64_t er_window_2d_col_max_floats(const er_window_2d *v);
#if defined(ER_SIMD_X86)
void er_f32_maxpool_nchw_direct_s1__avx512(const er_window_2d *v, const float *plane, int64_t oy0,
                                           int64_t rows, float *col_max, float *out);
void er_f32_maxpool_nchw_direct_s2__avx512(const er_window_2d *v, const float *plane, int64_t oy0,
                                           int64_t rows, float *col_max, float *out);
#endif
#if defined(ER_SIMD_X86)
double er_f32_plane_sum__avx2(const float *x, int64_t n);
double er_f32_plane_sum__avx512(const float *x, int64_t n);
void er_f32_maxpool_nchw_row__avx2(const float *in, const int64_t *tap_off, int64_t taps,
                                   const float *col_scale, float row_scale, float *out, int64_t ow);
void er_f32_avgpool_nchw_row__avx2(const float *in, const int64_t *tap_off, int64_t taps,
                                   const float *col_scale, float row_scale, float *out, int64_t ow);
void er_f32_maxpool_nchw_row__avx512(const float *in, const int64_t *tap_off, int64_t taps,
                                     const float *col_scale, float row_scale, float *out, int64_t ow);
void er_f32_avgpool_nchw_row__avx512(const float *in, const int64_t *tap_off, int64_t taps,
                                     const float *col_scale, float row_scale, float *out, int64_t ow);
#endif

#endif
