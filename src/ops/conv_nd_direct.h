/* Float32 direct convolution in NCHW for few input channels (the nets' stem: 3x3 stride 2 from 3 channels
 * to 16 or 32): the fast path of CONV_ND there, where im2col + the GEMM would spend most of its time
 * building a K = 27 column matrix and running a GEMM of a dozen rows.
 *
 * Output channels go in blocks of 16. For one output row and 16 output columns, each tap (c, ky, kx) is one
 * input vector (a stride-2 tap: two masked loads and one permute) reused by the block's 16 output channels,
 * each an accumulator fed by a broadcast weight: the kernel is bound by its FMAs. The input rows are read in
 * place: a list of row pointers (a row of zeros above and below the input) and column masks on every load
 * (er_window_2d_col_masks) stand for the padding. Every output is one FMA chain over the taps in order
 * (c, ky, kx), whatever the split into work items, so the result does not depend on the thread count.
 * AVX-512 only; elsewhere the conv stays on the GEMM path. */
#ifndef EDGERT_OPS_CONV_ND_DIRECT_H
#define EDGERT_OPS_CONV_ND_DIRECT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kernel.h"
#include "ops/conv_nd_common.h"
#include "ops/fused_activation.h"
#include "ops/window_nd.h"

/* Output channels per block (one AVX-512 vector of weights per tap). */
#define ER_CONV_DIRECT_BLOCK 16
/* Input channels this path takes (the row-pointer list lives on the stack). */
#define ER_CONV_DIRECT_MAX_CIN 4

/* One output row of a block of up to 16 output channels: out[oc * out_cstride + j] for oc < couts and j in
 * [0, ow) = clamp(bias[oc] + sum over (c, ky, kx) of w[((c * kh + ky) * kw + kx) * 16 + oc] *
 * in_rows[c * kh + ky][j * stride + col_off[kx]], lo, hi), the loads under col_mask[v * kw + kx] (vector v of
 * 16 columns; bit e: float e from the tap's first one is read, stride 2 takes the even bits of 32);
 * masked-off floats read as zero and are never touched. bias holds 16 floats (zero past couts), w zero past
 * couts. */
typedef void (*er_f32_conv_nchw_direct_fn)(const float *const *in_rows, int64_t cin, const int64_t *col_off,
                                           const uint32_t *col_mask, const float *w, const float *bias,
                                           float lo, float hi, float *out, int64_t out_cstride, int64_t couts,
                                           int64_t ow);
#if defined(ER_SIMD_X86)
void er_f32_conv_nchw_direct_3x3s1__avx512(const float *const *in_rows, int64_t cin, const int64_t *col_off,
                                           const uint32_t *col_mask, const float *w, const float *bias,
                                           float lo, float hi, float *out, int64_t out_cstride, int64_t couts,
                                           int64_t ow);
void er_f32_conv_nchw_direct_3x3s2__avx512(const float *const *in_rows, int64_t cin, const int64_t *col_off,
                                           const uint32_t *col_mask, const float *w, const float *bias,
                                           float lo, float hi, float *out, int64_t out_cstride, int64_t couts,
                                           int64_t ow);
#endif

/* Everything eval needs, computed at prepare. */
typedef struct {
  er_window_2d win;
  int64_t batch, cin, cout, cout_blocks;
  int64_t band_rows, bands; /* output rows per work item, work items per (image, block) */
  const float *weights;     /* [cout_blocks][cin][kh][kw][16], zero past cout */
  int64_t *col_off;         /* kw entries: kx - pad_left */
  uint32_t *col_mask;       /* ceil(out_w / 16) * kw entries */
  const float *zeros;       /* in_w zeros: the rows above and below the input */
  er_fused_act act;         /* applied to each finished row when it is not a clamp */
  float lo, hi;             /* the clamp the kernel applies (-inf, inf: none) */
  er_f32_conv_nchw_direct_fn kernel;
} er_f32_conv_nchw_direct_plan;

/* True when this path runs d on this CPU: float32, 2-D, constant weights, group 1, at most
 * ER_CONV_DIRECT_MAX_CIN input channels, a 3x3 window of stride 1 or 2 on both axes, no dilation, any pads,
 * and an AVX-512 CPU. */
bool er_f32_conv_nchw_direct_applies(const er_conv_nd_geometry *d, const er_tensor *x, const er_tensor *w);

/* Fills p: re-lays w into er_persist_alloc memory, the masks and the CPU's kernel. */
edgert_status er_f32_conv_nchw_direct_prepare(er_op_ctx *ctx, const er_conv_nd_geometry *d,
                                              const er_tensor *w, const er_fused_act *act,
                                              er_f32_conv_nchw_direct_plan *p);

/* y = act(conv(x) + bias); x [N, C, H, W], bias [M] or NULL, y [N, M, OH, OW]. */
void er_f32_conv_nchw_direct_run(er_op_ctx *ctx, const er_f32_conv_nchw_direct_plan *p, const float *x,
                                 const float *bias, float *y);

#endif
