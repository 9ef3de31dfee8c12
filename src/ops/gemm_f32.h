/* The float32 GEMM core shared by GEMM, MatMul, FULLY_CONNECTED and the convolutions:
 *
 *   C[M x N] = act(A[M x K] · B[K x N] + bias)
 *
 * with bias per row (ONNX NCHW conv: weights on the left) or per column (NHWC conv and FULLY_CONNECTED:
 * weights on the right), and act a fused activation (ReLU/ReLU6/Clip in registers, the others in a pass
 * over each finished block of C: whole rows of a cache block, which cost half as much as a pass per
 * micro-tile row with SiLU).
 *
 * Work is done by register-blocked micro-kernels (one per ISA: scalar, AVX2+FMA, AVX-512, NEON) that
 * multiply MR rows of A by an NR-column panel of B packed k-major. A constant operand (weights) is packed
 * once at prepare into memory the caller owns (er_persist_alloc); at each run a plain B is packed block by
 * block into scratch, or read in place when few row tiles would reuse the packed copy
 * (er_f32_gemm_reads_b_in_place), and a plain A is read in place (as stored or transposed, any ld). C is
 * stored row-major or transposed (an NCHW conv computed as X^T · W^T). The run is cache
 * blocked (KC along K, MC along M, NC along N) and split over threads with er_parallel_for. K may be 0
 * (C = act(bias)); M or N 0 does nothing.
 *
 * Typical use in a kernel (NHWC conv or FULLY_CONNECTED: weights w given as [N x K]):
 *   prepare:
 *     d->uk = er_f32_gemm_select(er_cpu_detect());
 *     er_f32_gemm_packed_b_bytes(d->uk, K, N, &bytes);
 *     d->w = er_persist_alloc(ctx, bytes);
 *     er_f32_gemm_pack_b(ctx, d->uk, K, N, (er_f32_matrix){w, K, true}, 1.0f, d->w);
 *     er_f32_gemm_scratch_bytes(d->uk, M, N, K, false, true, er_num_threads(ctx), &ctx->scratch_bytes);
 *   eval:
 *     er_f32_gemm_args g = {.m = M, .n = N, .k = K, .a = {x, K, false}, .b_packed = d->w, .c = y,
 *                           .ldc = N, .bias = bias, .bias_kind = ER_F32_BIAS_PER_COL, .act = d->act};
 *     er_f32_gemm_run(ctx, d->uk, &g, ctx->scratch);
 * (ONNX NCHW conv: pack the weights [Cout x K] with er_f32_gemm_pack_a, give im2col [K x HW] as plain b
 * with ld HW, bias per row.)
 * (Conv kernels that need their own scratch too place the GEMM's at an offset of theirs; the GEMM's must
 * be 16-byte aligned.) */
#ifndef EDGERT_OPS_GEMM_F32_H
#define EDGERT_OPS_GEMM_F32_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/cpu.h"
#include "core/kernel.h"
#include "ops/fused_activation.h"

/* What one micro-kernel call does besides the products. */
typedef struct {
  const float *bias_row; /* mr values added to the rows, or NULL (read only when !accumulate) */
  const float *bias_col; /* nr values added to the columns, or NULL (read only when !accumulate) */
  float min, max;        /* clamp applied when clamp is set (NaN passes through) */
  bool accumulate;       /* add the products to C (a later K block) instead of storing them (+ bias) */
  bool clamp;
  /* 0, 0: a is a packed panel, A(i, k) = a[k * mr + i]. Else A is read in place from a plain matrix:
   * A(i, k) = a[i * a_row_stride + k * a_k_stride] (ld, 1 as stored; 1, ld when stored transposed), its
   * floats at any byte address (er_f32_load). */
  size_t a_row_stride, a_k_stride;
  bool c_transposed; /* C(i, j) at c[j * ldc + i] (also when accumulating), else at c[i * ldc + j] */
  /* 0: b is a packed panel, B(k, j) = b[k * NR + j]. Else B is read in place from a plain matrix, B(k, j) =
   * b[k * b_k_stride + j], of which only the nr columns are read. */
  size_t b_k_stride;
} er_f32_gemm_tile;

/* C[mr x nr] (ldc elements between rows, or between columns when t->c_transposed) = or += A · B over kc,
 * 1 <= mr <= MR, 1 <= nr <= NR, kc >= 0.
 * A and B as t says (packed panels, NR-wide even for a tail, or plain matrices read in place). A is given
 * as bytes: a plain A may be weights read where they lie in the model file, which ONNX does not align. */
typedef void (*er_f32_gemm_ukernel_fn)(size_t mr, size_t nr, size_t kc, const void *a, const float *b,
                                       float *c, size_t ldc, const er_f32_gemm_tile *t);

/* Float i of floats that start at any byte address: a memcpy, which compilers make one plain load (or a
 * broadcast from memory). */
static inline float er_f32_load(const void *floats, size_t i) {
  float v;
  memcpy(&v, (const unsigned char *)floats + i * sizeof v, sizeof v);
  return v;
}

/* How far ahead of its loads a dot_row kernel prefetches W: the hardware's prefetch of the one stream
 * ran short of memory's latency (a 1280 x 1000 classifier from DRAM: 4 KiB ahead took 25% off, hot
 * caches 10%, on Zen 5; 12 KiB no better cold and slower hot). */
#define ER_F32_DOT_PREFETCH_BYTES 4096

/* A micro-kernel and its tile. A pointer to one of these (static const) is what a kernel stores in its
 * op data; packed operands are only valid for the variant that packed them. */
typedef struct {
  const char *name; /* e.g. "f32_gemm_12x32__avx512" */
  uint32_t mr, nr;
  er_f32_gemm_ukernel_fn ukernel;
  uint32_t nr_step; /* a column tail costs whole multiples of this many columns (nr, or a vector width
                       where the kernel specializes narrow tiles): for callers' cost models */
  /* Optional (NULL: scalar loops): packing a transposed B 16 x 16 at a time, dst[k * dst_ld + j] = scale *
   * float k of row j, the rows src_ld floats apart from src (any byte address). */
  void (*transpose_16x16)(const void *src, size_t src_ld, float scale, float *dst, size_t dst_ld);
  /* Optional (NULL: none): y[j] = sum over k of x[k] * W[j][k] for j < n, W's rows ldw floats apart from w
   * (any byte address), each sum a fixed order of vector partial sums: one row times weights stored
   * [N x K] (a classifier on one image) without packing them. */
  void (*dot_row)(size_t n, size_t k, const float *x, const void *w, size_t ldw, float *y);
} er_f32_gemm_ukernels;

/* The fastest variant this CPU runs (call at prepare, with er_cpu_detect()). Never NULL: the scalar
 * variant runs anywhere. */
const er_f32_gemm_ukernels *er_f32_gemm_select(er_cpu_features f);

/* The i-th variant this CPU runs (0 is scalar), or NULL past the last: for tests and benchmarks. */
const er_f32_gemm_ukernels *er_f32_gemm_variant(er_cpu_features f, int i);

/* A matrix operand as stored: row-major with `ld` elements between rows. transposed: the operand is stored
 * as its transpose, i.e. A [M x K] given as [K x M], or B [K x N] given as [N x K] (as FULLY_CONNECTED and
 * NHWC conv weights are). data may be at any byte address (weights in an ONNX file): the packers and a
 * plain A read it through er_f32_load, and a plain B not aligned to a float is packed at run time rather
 * than read in place. */
typedef struct {
  const void *data;
  int64_t ld;
  bool transposed;
} er_f32_matrix;

/* Bytes of the packed form of A [M x K] / B [K x N] for variant uk; false when it overflows size_t. */
bool er_f32_gemm_packed_a_bytes(const er_f32_gemm_ukernels *uk, int64_t m, int64_t k, size_t *bytes);
bool er_f32_gemm_packed_b_bytes(const er_f32_gemm_ukernels *uk, int64_t k, int64_t n, size_t *bytes);

/* The packed layouts (stable, so that a producer such as im2col may write B straight into them):
 *   A: panels of MR rows, panel p at p * MR * K, its element (i, k) at k * mr_p + i, where mr_p = MR except
 *      for a last, shorter panel (no padding: M * K floats in all);
 *   B: panels of NR columns, panel q at q * NR * K, its element (k, j) at k * NR + j, columns past N zero
 *      (ceil(N / NR) * NR * K floats). */

/* Packs A [M x K] (or B [K x N]) times `scale` (e.g. ONNX Gemm's alpha; 1 for none) into `packed`, which
 * holds er_f32_gemm_packed_*_bytes and is 4-byte aligned (16 or more is better). For constant operands at
 * prepare. B's panels are split over ctx's threads (NULL: the calling thread), as packing (with the
 * page faults of fresh memory) is most of a model's load; the bits do not depend on the threads. */
void er_f32_gemm_pack_a(const er_f32_gemm_ukernels *uk, int64_t m, int64_t k, er_f32_matrix a, float scale,
                        float *packed);
void er_f32_gemm_pack_b(er_op_ctx *ctx, const er_f32_gemm_ukernels *uk, int64_t k, int64_t n, er_f32_matrix b,
                        float scale, float *packed);

typedef enum { ER_F32_BIAS_NONE = 0, ER_F32_BIAS_PER_ROW, ER_F32_BIAS_PER_COL } er_f32_bias_kind;

/* The rows a micro-kernel call over `rows` rows costs, for callers' cost models of how work is split: full
 * tiles of MR, and a tail that still loads every B panel (about 3 rows more than it has, at most MR). */
double er_f32_gemm_rows_cost(const er_f32_gemm_ukernels *uk, int64_t rows);

/* How a run cuts C among threads: m_items row pieces times n_blocks column pieces (er_f32_gemm_plan_split).
 */
typedef struct {
  int32_t m_items, n_blocks;
} er_f32_gemm_split;

/* At prepare, for a product run often on `threads` threads: the cut whose slowest thread (its home share of
 * er_parallel_for) costs least by a model of the micro-kernel's tiles and tails, the packing of a B that
 * is not packed (b_packed) or read in place, and the cache lines of C that two threads would write (a cut
 * across C's stored rows, which c_transposed says). Searching costs a few microseconds, too much for every
 * run. */
void er_f32_gemm_plan_split(const er_f32_gemm_ukernels *uk, int64_t m, int64_t n, int64_t k, bool b_packed,
                            bool b_transposed, bool c_transposed, int32_t threads, er_f32_gemm_split *split);

/* One product. Each operand is given either packed (a_packed / b_packed, from er_f32_gemm_pack_* with the
 * same uk, m, n, k) or plain (a / b, used when the packed pointer is NULL). */
typedef struct {
  int64_t m, n, k;
  const float *a_packed;
  er_f32_matrix a;
  const float *b_packed;
  er_f32_matrix b;
  float *c;          /* output, row-major (C(i, j) at c[i * ldc + j]); must not overlap A or B */
  int64_t ldc;       /* >= n; >= m when c_transposed */
  const float *bias; /* M values (per row) or N values (per column), as bias_kind says; NULL for none */
  er_f32_bias_kind bias_kind;
  er_fused_act act;
  /* C stored as its transpose: C(i, j) at c[j * ldc + i] (an NCHW conv computed as X^T · W^T writes its
   * [HW x Cout] product into the [Cout x HW] output). Same sums, same bias and activation. */
  bool c_transposed;
  /* Every row summed as a lone row (as with M = 1), so that a row's bits do not depend on M: for a batch
   * of independent rows (FULLY_CONNECTED) in one call, each panel of B read once for all of them. Ignored
   * when A is packed. */
  bool rows_alone;
  /* The cut planned at prepare (er_f32_gemm_plan_split with these sizes and the run's threads), or NULL
   * for a quick rule: balanced pieces, 4 per thread. */
  const er_f32_gemm_split *split;
} er_f32_gemm_args;

/* True when er_f32_gemm_run reads a plain, untransposed B in place (strided rows, masked tails) rather than
 * packing it: when M is a few row tiles, which would reuse the packed copy too little to pay for it
 * (measured on the NCHW 1x1 convs of the torchvision nets: up to 18% faster there; packing stays ahead
 * with K < 64 from 7 row tiles on). */
bool er_f32_gemm_reads_b_in_place(const er_f32_gemm_ukernels *uk, int64_t m, int64_t k);

/* Scratch bytes er_f32_gemm_run needs for this shape with `threads` threads (er_num_threads(ctx) at
 * prepare; the run uses er_num_threads(ctx) copies), given which operands are packed; false when it
 * overflows size_t or a dim exceeds INT32_MAX. May be 0 (nothing to pack at run time). */
bool er_f32_gemm_scratch_bytes(const er_f32_gemm_ukernels *uk, int64_t m, int64_t n, int64_t k, bool a_packed,
                               bool b_packed, int32_t threads, size_t *bytes);

/* Computes args->c. ctx supplies the threads (er_parallel_for); NULL runs on the calling thread alone (then
 * scratch needs the size for 1 thread). scratch: er_f32_gemm_scratch_bytes, 16-byte aligned. Does not
 * allocate and cannot fail on arguments that match the sizes above. Sums are float32 in K order within each
 * K block, except in a lone row (M = 1, a one-row tail, or every row with rows_alone), which sums four
 * interleaved chains to hide the FMA latency: a row's last bits may depend on M (unless rows_alone) and
 * the variant, never on the threads. */
void er_f32_gemm_run(er_op_ctx *ctx, const er_f32_gemm_ukernels *uk, const er_f32_gemm_args *args,
                     void *scratch);

/* Micro-kernels (for er_f32_gemm_ukernels tables and tests); the ones named after an ISA exist only in
 * builds for that architecture. */
void er_f32_gemm_4x8__scalar(size_t mr, size_t nr, size_t kc, const void *a, const float *b, float *c,
                             size_t ldc, const er_f32_gemm_tile *t);
#if defined(ER_SIMD_X86)
void er_f32_gemm_6x16__avx2(size_t mr, size_t nr, size_t kc, const void *a, const float *b, float *c,
                            size_t ldc, const er_f32_gemm_tile *t);
void er_f32_gemm_12x32__avx512(size_t mr, size_t nr, size_t kc, const void *a, const float *b, float *c,
                               size_t ldc, const er_f32_gemm_tile *t);
void er_f32_gemm_dot_row__avx2(size_t n, size_t k, const float *x, const void *w, size_t ldw, float *y);
void er_f32_gemm_dot_row__avx512(size_t n, size_t k, const float *x, const void *w, size_t ldw, float *y);
void er_f32_gemm_transpose_16x16__avx512(const void *src, size_t src_ld, float scale, float *dst,
                                         size_t dst_ld);
#endif
#if defined(ER_SIMD_ARM)
void er_f32_gemm_8x8__neon(size_t mr, size_t nr, size_t kc, const void *a, const float *b, float *c,
                           size_t ldc, const er_f32_gemm_tile *t);
#endif

#endif
