/* float32 elementwise micro-kernels (XNNPACK-style vbinary / vunary) and the drivers that run them over a
 * broadcast plan or a whole tensor, split with er_parallel_for.
 *
 * Binary kernels take n elements: "op" reads a[i] and b[i], "opc" reads a[i] and the single value b[0],
 * "ropc" computes b[0] op a[i] (for SUB and DIV, whose operands do not commute). Every result is clamped
 * to [min, max] as er_clamp_f does (NaN passes through), so a fused activation costs nothing extra (its
 * bounds have min <= max; without one they are +-FLT_MAX, as TFLite's). Each kernel computes exactly what the
 * reference kernels' scalar expressions compute (same operations, same order), so results are bit-identical
 * to them, except the exp-based ones (sigmoid, SiLU, softmax), which agree to about 2 ulp.
 *
 * Variants: __scalar (portable, always present), __avx2, __avx512 (src/ops/x86/), __neon (src/ops/arm/);
 * er_f32_elementwise_select picks the fastest set for er_cpu_detect()'s features. */
#ifndef EDGERT_OPS_ELEMENTWISE_F32_H
#define EDGERT_OPS_ELEMENTWISE_F32_H

#include <stddef.h>

#include "core/cpu.h"
#include "core/kernel.h"
#include "ops/broadcast.h"

typedef struct er_f32_elementwise_params {
  float min, max;    /* clamp of the result */
  float alpha, beta; /* HARD_SIGMOID: max(0, min(1, alpha x + beta)) computed in double; LEAKY_RELU: alpha;
                        softmax: beta */
} er_f32_elementwise_params;

typedef void (*er_f32_vbinary_fn)(size_t n, const float *a, const float *b, float *y,
                                  const er_f32_elementwise_params *p);
typedef void (*er_f32_vunary_fn)(size_t n, const float *x, float *y, const er_f32_elementwise_params *p);

typedef enum { ER_F32_VADD, ER_F32_VSUB, ER_F32_VMUL, ER_F32_VDIV, ER_F32_VBINARY_COUNT } er_f32_vbinary_kind;

typedef struct {
  er_f32_vbinary_fn op, opc, ropc;
} er_f32_vbinary_ukernels;

typedef enum {
  ER_F32_VCLAMP,        /* x < min ? min : x, then > max ? max: RELU, RELU6, CLIP (min > max gives max) */
  ER_F32_VSIGMOID,      /* the reference logistic with er_exp_f32 */
  ER_F32_VHARD_SIGMOID, /* ONNX HardSigmoid, in double as unary_float.c computes it */
  ER_F32_VHARD_SWISH,   /* x * clamp(x + 3, 0, 6) / 6 */
  ER_F32_VLEAKY_RELU,   /* x > 0 ? x : x * alpha */
  ER_F32_VSILU,         /* x / (1 + exp(-x)), as er_fused_act_apply's ER_ACT_SILU, with er_exp_f32 */
  ER_F32_VUNARY_COUNT
} er_f32_vunary_kind;

/* One ISA's full set of micro-kernels. */
typedef struct er_f32_elementwise_isa {
  const char *isa;
  er_f32_vbinary_ukernels binary[ER_F32_VBINARY_COUNT];
  er_f32_vunary_fn unary[ER_F32_VUNARY_COUNT];
  /* Softmax row pieces: the maximum of x[0..n), n >= 1; and y[i] = exp((x[i] - max) * beta) (beta from
   * p->beta) returning the sum of the y[i]. */
  float (*rmax)(size_t n, const float *x);
  float (*raddstoreexpminusmax)(size_t n, const float *x, float max, float *y,
                                const er_f32_elementwise_params *p);
} er_f32_elementwise_isa;

extern const er_f32_elementwise_isa er_f32_elementwise__scalar;
#if defined(ER_SIMD_X86)
extern const er_f32_elementwise_isa er_f32_elementwise__avx2;
extern const er_f32_elementwise_isa er_f32_elementwise__avx512;
#endif
#if defined(ER_SIMD_ARM)
extern const er_f32_elementwise_isa er_f32_elementwise__neon;
#endif

/* The fastest set this CPU runs (call at prepare with er_cpu_detect()). Never NULL. */
const er_f32_elementwise_isa *er_f32_elementwise_select(er_cpu_features cpu);

/* Runs y = a op b over a broadcast plan (operand 1 = a, 2 = b): rows where both step by 1 use op, rows
 * where one input is broadcast use opc / ropc; rows are split over threads (and a single long row into
 * chunks). */
void er_f32_vbinary_run(er_op_ctx *ctx, const er_bcast *plan, const er_f32_vbinary_ukernels *uk,
                        const float *a, const float *b, float *y, const er_f32_elementwise_params *p);

/* Runs y[i] = fn(x[i]) over n elements, split over threads. */
void er_f32_vunary_run(er_op_ctx *ctx, er_f32_vunary_fn fn, int64_t n, const float *x, float *y,
                       const er_f32_elementwise_params *p);

/* Softmax of `rows` rows of `depth` contiguous elements with the isa's row pieces:
 * y = exp((x - max) * beta) / sum, rows split over threads. */
void er_f32_softmax_run(er_op_ctx *ctx, const er_f32_elementwise_isa *isa, int64_t rows, int64_t depth,
                        const float *x, float *y, float beta);

#endif
