/* int8 GEMM with TFLite's requantization fused: out[m, n] = requantize(sum_k A[m, k] * B[n, k] + bias[n] +
 * input_offset * sum_k B[n, k]) for int8 activation rows A (M x K) and constant int8 weights B (N x K, the
 * layout of a CONV_2D OHWI filter or a FULLY_CONNECTED weight matrix). The weights are packed once, at
 * prepare, into the layout of the micro-kernel chosen from the CPU's features; the per-column constant
 * (bias, the input zero point times the column's weight sum) is folded in then too, so the inner loop only
 * multiplies raw int8 values. Integer sums wrap modulo 2^32 exactly as TFLite's int32 accumulator does, and
 * the requantization is TFLite's MultiplyByQuantizedMultiplier (double rounding), so every variant gives the
 * reference kernels' bits.
 *
 * Micro-kernels compute an MR x NR tile of int32 sums over packed operands: A packed per tile as
 * [K / KR][MR][KR] and B per panel as [K / KR][NR][KR], K padded with zero weights. Names follow XNNPACK:
 * er_s8_gemm_<MR>x<NR>c<KR>__<isa>. "Widened" variants take both operands as int16 (vpmaddwd, vmlal);
 * VNNI variants take activations as uint8 (x + 128, vpdpbusd), the 128 * sum_w it adds being taken off in
 * the column constant. */
#ifndef EDGERT_OPS_GEMM_S8_H
#define EDGERT_OPS_GEMM_S8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kernel.h"

/* c[r * nr + j] = sum over k_groups * KR of a * w for the tile (wrapping int32). */
typedef void (*er_s8_gemm_ukernel_fn)(int64_t k_groups, const void *packed_a, const void *packed_w,
                                      int32_t *c);

/* Per-column requantization, padded with neutral values to a multiple of the widest NR (16). */
typedef struct {
  const int32_t *column_add;   /* bias + (input_offset - 128 if VNNI else 0) * sum_w, wrapped */
  const int32_t *multipliers;  /* Q31, never INT32_MIN */
  const int32_t *shifts;       /* TFLite's shift (> 0: left) */
  const int32_t *left_shifts;  /* max(shift, 0), at most 32 */
  const int32_t *right_shifts; /* max(-shift, 0), at most 31 */
  int32_t output_offset, act_min, act_max;
} er_s8_requant;

/* out[r * out_stride + j] = requantize(c[r * nr + j] + column_add[column + j]) for rows r < rows and columns
 * j < count of a tile of sums nr wide. Parameters are read in whole vectors (they are padded); only
 * `count` outputs a row are written. */
typedef void (*er_s8_requant_fn)(const int32_t *c, int32_t nr, int32_t rows, const er_s8_requant *rq,
                                 int64_t column, int32_t count, int8_t *out, int64_t out_stride);

/* One micro-kernel and how its operands are laid out. */
typedef struct {
  int32_t mr, nr, kr;
  int32_t element_bytes;  /* 1: int8 operands; 2: widened to int16 */
  uint8_t activation_xor; /* 0x80 for VNNI (uint8 activations), else 0 */
  er_s8_gemm_ukernel_fn ukernel;
  er_s8_requant_fn requant;
  const char *name;
} er_s8_gemm_arch;

/* The fastest micro-kernel this CPU runs (er_cpu_detect, capped by EDGERT_ISA); at prepare only. */
const er_s8_gemm_arch *er_s8_gemm_select(void);
/* The portable micro-kernel, always available. */
const er_s8_gemm_arch *er_s8_gemm_scalar(void);
/* Every micro-kernel this CPU can run, scalar first (tests); returns how many, at most `max`. */
int er_s8_gemm_available(const er_s8_gemm_arch **archs, int max);

/* Everything the GEMM needs at eval: packed weights and the requantization. */
typedef struct {
  const er_s8_gemm_arch *arch;
  int64_t n, k, k_groups; /* k_groups * kr >= k */
  const void *packed_w;   /* [ceil(n / nr)][k_groups][nr][kr] elements */
  er_s8_requant rq;
} er_s8_gemm;

/* Whether the fused requantization reproduces TFLite for these multipliers: all but INT32_MIN (where the
 * saturating high multiply is special; no valid scale gives it). Callers keep the reference path if not. */
bool er_s8_gemm_multipliers_ok(const int32_t *multipliers, int64_t n);

/* Bytes of memory er_s8_gemm_pack needs for n x k weights in arch's layout (packed weights and the
 * per-column requantization arrays). */
size_t er_s8_gemm_packed_bytes(const er_s8_gemm_arch *arch, int64_t n, int64_t k);

/* Packs int8 weights w[n x k] (row stride k) for `arch` into `memory` (er_s8_gemm_packed_bytes of it,
 * 16-byte aligned, owned by the caller and kept as long as g), folding bias (int32, NULL for none) and
 * input_offset into the column constants, with per-column multipliers and shifts (as er_conv_multipliers
 * gives them). */
void er_s8_gemm_pack(const er_s8_gemm_arch *arch, const int8_t *w, int64_t n, int64_t k, const int32_t *bias,
                     int32_t input_offset, const int32_t *multipliers, const int32_t *shifts,
                     int32_t output_offset, int32_t act_min, int32_t act_max, void *memory, er_s8_gemm *g);

/* er_s8_gemm_pack into er_persist_alloc memory (prepare). */
edgert_status er_s8_gemm_prepare(er_op_ctx *ctx, const er_s8_gemm_arch *arch, const int8_t *w, int64_t n,
                                 int64_t k, const int32_t *bias, int32_t input_offset,
                                 const int32_t *multipliers, const int32_t *shifts, int32_t output_offset,
                                 int32_t act_min, int32_t act_max, er_s8_gemm *g);

/* Weight panels: ceil(n / nr). */
int64_t er_s8_gemm_panels(const er_s8_gemm *g);

/* Bytes of per-thread scratch er_s8_gemm_tile and er_s8_gemm_rows need: one packed A tile. */
size_t er_s8_gemm_tile_bytes(const er_s8_gemm *g);

/* Computes rows [0, m) of out (row stride n): row r reads K activations at a_rows[r] (pointers, so that a
 * caller can hand im2col rows or input rows in place). m is at most the micro-kernel's MR; `tile` is
 * er_s8_gemm_tile_bytes of scratch. */
void er_s8_gemm_tile(const er_s8_gemm *g, int32_t m, const int8_t *const *a_rows, int8_t *out, void *tile);

/* er_s8_gemm_tile for the columns of weight panels [panel_begin, panel_end) only (NR columns each): lets
 * threads split the columns when there are few rows. */
void er_s8_gemm_tile_panels(const er_s8_gemm *g, int32_t m, const int8_t *const *a_rows, int64_t panel_begin,
                            int64_t panel_end, int8_t *out, void *tile);

/* Rows [begin, end) of a plain GEMM whose row m starts at a + m * lda (FULLY_CONNECTED, 1x1 convolution),
 * written at out + m * n. */
void er_s8_gemm_rows(const er_s8_gemm *g, const int8_t *a, int64_t lda, int64_t begin, int64_t end,
                     int8_t *out, void *tile);

/* The variants (defined under src/ops/x86/ and src/ops/arm/). */
void er_s8_gemm_4x4c1__scalar(int64_t k_groups, const void *a, const void *w, int32_t *c);
void er_s8_requant__scalar(const int32_t *c, int32_t nr, int32_t rows, const er_s8_requant *rq,
                           int64_t column, int32_t count, int8_t *out, int64_t out_stride);
#if defined(ER_SIMD_X86)
void er_s8_gemm_4x16c2__avx2(int64_t k_groups, const void *a, const void *w, int32_t *c);
void er_s8_requant__avx2(const int32_t *c, int32_t nr, int32_t rows, const er_s8_requant *rq, int64_t column,
                         int32_t count, int8_t *out, int64_t out_stride);
void er_s8_gemm_4x8c4__avxvnni(int64_t k_groups, const void *a, const void *w, int32_t *c);
void er_s8_gemm_8x16c2__avx512(int64_t k_groups, const void *a, const void *w, int32_t *c);
void er_s8_requant__avx512(const int32_t *c, int32_t nr, int32_t rows, const er_s8_requant *rq,
                           int64_t column, int32_t count, int8_t *out, int64_t out_stride);
void er_s8_gemm_8x16c4__avx512vnni(int64_t k_groups, const void *a, const void *w, int32_t *c);
#endif
#if defined(ER_SIMD_ARM)
void er_s8_gemm_4x8c1__neon(int64_t k_groups, const void *a, const void *w, int32_t *c);
void er_s8_requant__neon(const int32_t *c, int32_t nr, int32_t rows, const er_s8_requant *rq, int64_t column,
                         int32_t count, int8_t *out, int64_t out_stride);
void er_s8_gemm_4x8c4__neondot(int64_t k_groups, const void *a, const void *w, int32_t *c);
#endif

#endif
