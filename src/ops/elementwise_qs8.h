/* int8 ADD / SUB / MUL micro-kernels, bit-exact with the reference kernels (TFLite's integer arithmetic
 * through src/core/quant.c), and the driver that runs them over a broadcast plan.
 *
 * ADD / SUB: each input q becomes ((q + offset) << left_shift) * multiplier * 2^-shift on a common scale
 * (er_multiply_by_quantized_multiplier_smaller_than_one), the second one signed (-1 for SUB), the sum is
 * rescaled onto the output, offset and clamped. A row where one input is broadcast rescales that input
 * once and hands it to the "c" kernel as a constant addend.
 * MUL: (x + x_offset) * (y + y_offset), rescaled by er_multiply_by_quantized_multiplier, offset and
 * clamped; a broadcast input becomes a constant factor.
 *
 * Variants: __scalar (portable, the reference arithmetic itself), __avx2 (src/ops/x86/), __neon
 * (src/ops/arm/). */
#ifndef EDGERT_OPS_ELEMENTWISE_QS8_H
#define EDGERT_OPS_ELEMENTWISE_QS8_H

#include <stddef.h>
#include <stdint.h>

#include "core/cpu.h"
#include "core/kernel.h"
#include "core/quant.h"
#include "ops/broadcast.h"

typedef struct {
  int32_t offset, multiplier, shift; /* shift <= 0, as er_multiply_by_quantized_multiplier_smaller_than_one */
} er_qs8_rescale;

typedef struct {
  er_qs8_rescale a, b; /* input 0, input 1 */
  int32_t b_sign;      /* +1 for ADD, -1 for SUB */
  int32_t left_shift;
  int32_t out_multiplier, out_shift, out_offset;
  int32_t min, max;
} er_qs8_add_params;

typedef struct {
  int32_t a_offset, b_offset;
  int32_t multiplier, shift; /* er_multiply_by_quantized_multiplier's */
  int32_t out_offset;
  int32_t min, max;
} er_qs8_mul_params;

/* One input's contribution to an ADD / SUB sum. */
static inline int32_t er_qs8_add_rescale(int32_t q, const er_qs8_rescale *r, int32_t left_shift) {
  return er_multiply_by_quantized_multiplier_smaller_than_one((q + r->offset) * (1 << left_shift),
                                                              r->multiplier, r->shift);
}

/* A sum of contributions onto the output. */
static inline int32_t er_qs8_add_output(int32_t raw, const er_qs8_add_params *p) {
  const int32_t out =
      er_multiply_by_quantized_multiplier_smaller_than_one(raw, p->out_multiplier, p->out_shift) +
      p->out_offset;
  return er_clamp_i32(out, p->min, p->max);
}

static inline int32_t er_qs8_mul_output(int32_t product, const er_qs8_mul_params *p) {
  const int32_t out = er_multiply_by_quantized_multiplier(product, p->multiplier, p->shift) + p->out_offset;
  return er_clamp_i32(out, p->min, p->max);
}

/* y[i] = out(rescale_a(a[i]) + b_sign * rescale_b(b[i])) */
typedef void (*er_qs8_vadd_fn)(size_t n, const int8_t *a, const int8_t *b, int8_t *y,
                               const er_qs8_add_params *p);
/* y[i] = out(sign * rescale(x[i]) + addend): one input broadcast, already rescaled (and signed) in addend */
typedef void (*er_qs8_vaddc_fn)(size_t n, const int8_t *x, const er_qs8_rescale *r, int32_t sign,
                                int32_t addend, int8_t *y, const er_qs8_add_params *p);
/* y[i] = out((a[i] + a_offset) * (b[i] + b_offset)) */
typedef void (*er_qs8_vmul_fn)(size_t n, const int8_t *a, const int8_t *b, int8_t *y,
                               const er_qs8_mul_params *p);
/* y[i] = out((x[i] + x_offset) * factor) */
typedef void (*er_qs8_vmulc_fn)(size_t n, const int8_t *x, int32_t x_offset, int32_t factor, int8_t *y,
                                const er_qs8_mul_params *p);

typedef struct {
  const char *isa;
  er_qs8_vadd_fn vadd;
  er_qs8_vaddc_fn vaddc;
  er_qs8_vmul_fn vmul;
  er_qs8_vmulc_fn vmulc;
} er_qs8_elementwise_isa;

extern const er_qs8_elementwise_isa er_qs8_elementwise__scalar;
#if defined(ER_SIMD_X86)
extern const er_qs8_elementwise_isa er_qs8_elementwise__avx2;
#endif
#if defined(ER_SIMD_ARM)
extern const er_qs8_elementwise_isa er_qs8_elementwise__neon;
#endif

/* The fastest set this CPU runs (call at prepare with er_cpu_detect()). Never NULL. The vector variants
 * need multipliers above 0, as er_quantize_multiplier gives; er_qs8_*_params_vectorizable says whether p
 * qualifies (otherwise use __scalar). */
const er_qs8_elementwise_isa *er_qs8_elementwise_select(er_cpu_features cpu);
bool er_qs8_add_params_vectorizable(const er_qs8_add_params *p);
bool er_qs8_mul_params_vectorizable(const er_qs8_mul_params *p);

/* Run ADD / SUB or MUL over a broadcast plan (operand 1 = a, 2 = b), rows split over threads. */
void er_qs8_vadd_run(er_op_ctx *ctx, const er_bcast *plan, const er_qs8_elementwise_isa *isa,
                     const er_qs8_add_params *p, const int8_t *a, const int8_t *b, int8_t *y);
void er_qs8_vmul_run(er_op_ctx *ctx, const er_bcast *plan, const er_qs8_elementwise_isa *isa,
                     const er_qs8_mul_params *p, const int8_t *a, const int8_t *b, int8_t *y);

#endif
