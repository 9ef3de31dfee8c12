/* Float32 NCHW 3x3 convolution (stride 1, dilation 1, any pads, groups, batch) by Winograd's minimal
 * filtering F(m x m, 3 x 3), m = 2 or 4 (Lavin & Gray, "Fast Algorithms for Convolutional Neural
 * Networks", 2015): each m x m output tile is A^T [(G g G^T) .* (B^T d B)] A for the (m+2) x (m+2) input
 * patch d it reads, so a tile costs (m+2)^2 products per input/output channel pair instead of 9 m^2
 * (2.25x fewer for m = 2, 4x for m = 4).
 *
 * Per group, the transformed weights U = G g G^T are stored per frequency xi ((m+2)^2 of them) as the
 * packed B [Cin x Cout] of the float GEMM (gemm_f32.h), once at prepare. A run takes the tiles of an
 * image in blocks of a count chosen at prepare, with Cout in chunks, to balance the threads (no tile's
 * arithmetic depends on its block, so results do not depend on the thread count): the input transform writes
 * V = B^T d B of every tile of the block and input channel as (m+2)^2 matrices [Cin x tiles], which the GEMM
 * reads in place as A [tiles x Cin] (transposed); one GEMM per xi gives M [tiles x Cout]; the output
 * transform A^T M A adds the bias, applies the fused activation and writes the NCHW output, clipping the
 * right and bottom edge tiles. Tiles on the GEMM's M leave no lanes idle on small maps: its NR columns run
 * over Cout.
 *
 * The transforms have a portable scalar form (this file's .c, the truth and the MCU fallback) and vector
 * forms (x86/winograd_f32_avx2.c, x86/winograd_f32_avx512.c) chosen at prepare. A CPU whose GEMM is
 * vectorized but whose transforms are not (NEON: no such forms yet) keeps the GEMM path, which is as
 * fast there; a CPU without SIMD takes Winograd with the scalar transforms (2-2.7x faster than its
 * scalar GEMM path on resnet18's layers).
 *
 * F(4x4) rounds more than F(2x2) (its A^T rows sum to 19 in magnitude, F(2x2)'s to 3): on the torchvision
 * nets the outputs stay within about 1e-6 of PyTorch's, relative to max |y|. */
#ifndef EDGERT_OPS_CONV_ND_WINOGRAD_H
#define EDGERT_OPS_CONV_ND_WINOGRAD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "core/kernel.h"
#include "ops/conv_nd_common.h"
#include "ops/gemm_f32.h"

typedef struct er_f32_conv_winograd_plan er_f32_conv_winograd_plan;

/* V for tiles [t0, t0 + count) of one image and group (x: its first input channel): V_xi (at
 * v + xi * p->v_xi_floats) holds tile t0 + i of input channel c at [c * p->v_ld + i]. */
typedef void (*er_f32_winograd_input_fn)(const er_f32_conv_winograd_plan *p, const float *x, int64_t t0,
                                         int64_t count, float *v);
/* Output channels [c0, c1) of tiles [t0, t0 + count) from M (M_xi at m + xi * p->m_xi_floats, tile t0 + i
 * of channel c at [i * p->m_ld + c]) into y (the image and group's first output channel), with bias[c]
 * (bias NULL: none) and the fused activation. */
typedef void (*er_f32_winograd_output_fn)(const er_f32_conv_winograd_plan *p, const float *m, int64_t t0,
                                          int64_t count, int64_t c0, int64_t c1, const float *bias, float *y);

/* U of group grp from w ([Cout, Cin / group, 3, 3]) into u (see the plan's u). */
typedef void (*er_f32_winograd_weights_fn)(const er_f32_conv_winograd_plan *p, const float *w, int64_t grp,
                                           float *u);

/* Limits of the transforms' stack buffers: alpha of F(4x4), the widest GEMM panel (NR) of any variant. */
enum { ER_WINOGRAD_MAX_ALPHA = 6, ER_WINOGRAD_MAX_NR = 32 };

struct er_f32_conv_winograd_plan {
  const er_f32_gemm_ukernels *uk;
  er_f32_winograd_input_fn input;
  er_f32_winograd_output_fn output;
  int64_t tile, alpha, xis;         /* m outputs per tile side, m + 2 inputs, alpha^2 frequencies */
  int64_t batch, groups, cin, cout; /* channels per group */
  int64_t in_h, in_w, out_h, out_w, pad_top, pad_left;
  int64_t tiles_h, tiles_w, tiles; /* per image */
  int64_t block_tiles, blocks;     /* tiles per work block (the last may be shorter), blocks per image */
  int64_t cout_chunk, cout_chunks; /* the split of Cout into work items (threads), multiples of NR */
  const float *u;                  /* U of group g, frequency xi at u + (g * xis + xi) * u_xi_floats */
  int64_t u_xi_floats;
  int64_t v_ld, v_xi_floats; /* V_xi: [cin][v_ld] */
  int64_t m_ld, m_xi_floats; /* M_xi: [block_tiles][m_ld] */
  int64_t thread_floats;     /* per-thread scratch: V, then M */
  er_fused_act act;
  bool act_clamp; /* the activation is the clamp [act_lo, act_hi] (none included) */
  float act_lo, act_hi;
};

/* True when the Winograd path can run the conv: float32, constant weights, 2-D, kernel 3x3, stride 1,
 * dilation 1, non-empty, sizes the GEMM takes. */
bool er_f32_conv_winograd_applies(const er_conv_nd_geometry *d, const er_tensor *x, const er_tensor *w);

/* The tile size that pays for this conv on cpu (2 or 4), or 0 when the GEMM path is faster or the
 * transformed weights would take too much memory. */
int er_f32_conv_winograd_choose_tile(const er_conv_nd_geometry *d, er_cpu_features cpu);

/* Fills p for tile size `tile` (2 or 4) and GEMM variant uk, with the transforms for cpu: transforms w
 * ([Cout, Cin / group, 3, 3]) into er_persist_alloc memory and sets *scratch_bytes. */
edgert_status er_f32_conv_winograd_prepare(er_op_ctx *ctx, const er_conv_nd_geometry *d, const float *w,
                                           const er_fused_act *act, int tile, const er_f32_gemm_ukernels *uk,
                                           er_cpu_features cpu, er_f32_conv_winograd_plan *p,
                                           size_t *scratch_bytes);

/* y = act(conv(x) + bias); bias [Cout] or NULL; scratch as prepare asked, 16-byte aligned. */
void er_f32_conv_winograd_run(er_op_ctx *ctx, const er_f32_conv_winograd_plan *p, const float *x,
                              const float *bias, float *y, void *scratch);

/* The portable transforms, for any tile size (tables and tests). */
void er_f32_winograd_input__scalar(const er_f32_conv_winograd_plan *p, const float *x, int64_t t0,
                                   int64_t count, float *v);
void er_f32_winograd_output__scalar(const er_f32_conv_winograd_plan *p, const float *m, int64_t t0,
                                    int64_t count, int64_t c0, int64_t c1, const float *bias, float *y);
/* The weight transform (winograd_weights.h), portable and compiled for AVX2 and AVX-512: the same bits. */
void er_f32_winograd_weights__scalar(const er_f32_conv_winograd_plan *p, const float *w, int64_t grp,
                                     float *u);
#if defined(ER_SIMD_X86)
void er_f32_winograd_weights__avx2(const er_f32_conv_winograd_plan *p, const float *w, int64_t grp, float *u);
void er_f32_winograd_weights__avx512(const er_f32_conv_winograd_plan *p, const float *w, int64_t grp,
                                     float *u);
/* AVX2 transforms: input over 8 tiles of a tile row, output over 8 output channels. */
void er_f32_winograd_input__avx2(const er_f32_conv_winograd_plan *p, const float *x, int64_t t0,
                                 int64_t count, float *v);
void er_f32_winograd_output__avx2(const er_f32_conv_winograd_plan *p, const float *m, int64_t t0,
                                  int64_t count, int64_t c0, int64_t c1, const float *bias, float *y);
/* AVX-512 transforms: input over 16 tiles of a tile row, output over 16 output channels. */
void er_f32_winograd_input__avx512(const er_f32_conv_winograd_plan *p, const float *x, int64_t t0,
                                   int64_t count, float *v);
void er_f32_winograd_output__avx512(const er_f32_conv_winograd_plan *p, const float *m, int64_t t0,
                                    int64_t count, int64_t c0, int64_t c1, const float *bias, float *y);
#endif

#endif
