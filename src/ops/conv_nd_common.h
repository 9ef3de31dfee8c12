/* Shapes shared by the N-d NCHW convolutions that read X [N, C, D...] with weights W [M, C / group,
 * k...] (CONV_ND, CONV_INTEGER, QLINEAR_CONV): group checks, the window geometry and the output shape; and
 * the dtype check of the float convolutions (CONV_ND, CONV_TRANSPOSE_ND). */
#ifndef EDGERT_OPS_CONV_ND_COMMON_H
#define EDGERT_OPS_CONV_ND_COMMON_H

#include "ops/fused_activation.h"
#include "ops/window_nd.h"

typedef struct {
  er_window_nd win;
  int64_t out_channels, group, in_per_group, out_per_group;
} er_conv_nd_geometry;

/* The float convolutions' dtypes: X float32 or float64, and W, the optional bias B and Y of X's dtype. */
edgert_status er_conv_nd_check_float_dtypes(er_op_ctx *ctx, const er_tensor *x, const er_tensor *w,
                                            const er_tensor *b, const er_tensor *y);
/* Checks W against X and the attrs (rank, group, kernel_shape) and the bias (NULL or [M]); fills d. */
edgert_status er_conv_nd_geometry_init(er_op_ctx *ctx, const er_tensor *x, const er_tensor *w,
                                       const er_tensor *bias, er_conv_nd_geometry *d);
/* Sets y's shape to [N, M, out...]. */
edgert_status er_conv_nd_set_output(er_op_ctx *ctx, const er_conv_nd_geometry *d, er_tensor *y);
/* Scratch for the taps of one output pixel: offsets and kernel indices, kernel_size each. */
size_t er_conv_nd_scratch_bytes(const er_conv_nd_geometry *d);

/* CONV_ND's fused activation from its attrs. */
er_fused_act er_conv_nd_fused_act(const er_conv_nd_attrs *a);

#endif
