/* Float32 NCHW convolution as a GEMM with the weights on the left (the fast path of CONV_ND for constant
 * weights): per batch image and group, Y[M x OH*OW] = W[M x C*kh*kw] · col[C*kh*kw x OH*OW] + bias, with
 * the fused activation in the GEMM's epilogue. W is the GEMM's A read in place, as stored: its rows stream
 * as fast as a packed copy (resnet18 and the mobilenets timed within noise), and a copy cost load time (fresh
 * pages for every weight: 36 MB on resnet18) and memory.
 *
 * A pointwise conv (every kernel dim 1, stride 1, no padding) multiplies by X itself, any rank, in the
 * orientation a cost model picks at prepare (er_f32_conv_pointwise_transposed): as above (X packed into the
 * GEMM's B panels at each run, or read in place when M is a few row tiles), or transposed, Y^T[HW x M] = X^T
 * · W^T + bias per column, which reads X in place as the GEMM's A, packs W^T as its B at prepare and stores
 * the product transposed into Y: rows of HW come one at a time there instead of whole NR-column panels (a
 * 7x7 map fills 49 of 64 lanes of the first, 1x1 maps such as squeeze-excite convs 1 of 32). Others (1-D
 * or 2-D) build col (im2col) one block of output columns at a time in per-thread scratch, bounded to about
 * 512 KiB and written straight in the GEMM's packed B layout (so nothing repacks it), and multiply that
 * block single-threaded; the blocks (and, when there are too few for the threads, row blocks of M) are
 * the parallel work items. */
#ifndef EDGERT_OPS_CONV_ND_GEMM_H
#define EDGERT_OPS_CONV_ND_GEMM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kernel.h"
#include "ops/conv_nd_common.h"
#include "ops/gemm_f32.h"

typedef struct {
  const er_f32_gemm_ukernels *uk;
  const void *weights;   /* W [groups * m x k] as stored, the GEMM's plain A (not transposed), maybe in the
                            model file at any byte address */
  const float *packed_w; /* transposed: group g's W^T packed as B at packed_w + g * group_floats */
  int64_t group_floats;
  int64_t batch, groups, m, k, n; /* m: output channels per group; k: C/group * kernel; n: output pixels */
  int64_t in_channels, in_size;   /* of X */
  bool pointwise;                 /* no im2col: B is X */
  bool transposed;                /* pointwise as Y^T = X^T · W^T: packed_w holds W^T packed as B */
  er_f32_gemm_split split;        /* pointwise: the GEMM's cut among the threads */
  /* im2col geometry, 2-D (1-D: height 1) */
  int64_t in_h, in_w, out_w, kh, kw, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
  int64_t col_block; /* output columns per im2col block */
  int64_t col_blocks, m_block, m_blocks;
  size_t thread_floats; /* per thread: the packed im2col block, then one row of it, floats (multiple of 16) */
  size_t col_floats;    /* the packed im2col block */
  er_fused_act act;
} er_f32_conv_nchw_gemm_plan;

/* True when this path runs the conv: float32, constant weights, group < C or C == 1, and pointwise or
 * 1-D/2-D, with sizes the GEMM takes. */
bool er_f32_conv_nchw_gemm_applies(const er_conv_nd_geometry *d, const er_tensor *x, const er_tensor *w);

/* True when the pointwise conv Y[m x n] = W[m x k] · X[k x n] (n pixels) costs less as Y^T = X^T · W^T
 * with variant uk: a model of the micro-tiles each runs (MR-row tiles, columns in nr_step multiples) plus
 * the packing of X (unless the GEMM reads it in place) or the transposed store of Y, from timings of the
 * AVX-512 GEMM on the torchvision nets' layers. Always for n = 1. */
bool er_f32_conv_pointwise_transposed(const er_f32_gemm_ukernels *uk, int64_t m, int64_t n, int64_t k);

/* Fills p: packs w (in er_persist_alloc memory) for the CPU's best GEMM (er_cpu_detect) and sets
 * *scratch_bytes. */
edgert_status er_f32_conv_nchw_gemm_prepare(er_op_ctx *ctx, const er_conv_nd_geometry *d, const er_tensor *w,
                                            const er_fused_act *act, er_f32_conv_nchw_gemm_plan *p,
                                            size_t *scratch_bytes);

/* y = act(conv(x) + bias); bias [M] or NULL; scratch as prepare asked, 16-byte aligned. */
void er_f32_conv_nchw_gemm_run(er_op_ctx *ctx, const er_f32_conv_nchw_gemm_plan *p, const float *x,
                               const float *bias, float *y, void *scratch);

#endif
