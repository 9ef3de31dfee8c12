/* Float activations fused into an op's output (by TFLite's fused_activation_function or by the graph
 * optimizer): the one scalar definition every float kernel's epilogue uses, so that a fused activation
 * gives what the separate activation op would. */
#ifndef EDGERT_OPS_FUSED_ACTIVATION_H
#define EDGERT_OPS_FUSED_ACTIVATION_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/attrs.h"
#include "core/cpu.h"

struct er_f32_elementwise_isa;

typedef struct {
  er_activation kind;
  float min, max; /* ER_ACT_CLIP's bounds */
  /* Vector kernels for whole rows (er_fused_act_vectorize, at prepare); NULL: the scalar definition. */
  const struct er_f32_elementwise_isa *isa;
} er_fused_act;

static inline float er_fused_act_apply(const er_fused_act *a, float v) {
  switch (a->kind) {
  case ER_ACT_NONE: return v;
  case ER_ACT_RELU: return v < 0.0f ? 0.0f : v;
  case ER_ACT_RELU_N1_TO_1: return v < -1.0f ? -1.0f : (v > 1.0f ? 1.0f : v);
  case ER_ACT_RELU6: return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
  case ER_ACT_TANH: return tanhf(v);
  case ER_ACT_SIGMOID: return 1.0f / (1.0f + expf(-v));
  case ER_ACT_CLIP: return v < a->min ? a->min : (v > a->max ? a->max : v);
  case ER_ACT_HARD_SWISH: {
    float r = v + 3.0f;
    r = r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r);
    return v * r / 6.0f;
  }
  case ER_ACT_SILU: return v / (1.0f + expf(-v));
  }
  return v;
}

/* y[0..n) through the activation, in place: with the vector kernels when er_fused_act_vectorize chose
 * them (clamps bit-identical to the scalar definition, sigmoid / SiLU within about 2 ulp), else scalar. */
void er_fused_act_apply_n(const er_fused_act *a, float *y, int64_t n);

/* Chooses the vector kernels for this CPU (call at prepare). */
void er_fused_act_vectorize(er_fused_act *a, er_cpu_features cpu);

/* When the activation is a clamp to [lo, hi] (none: -inf..inf, RELU, RELU6, RELU_N1_TO_1, CLIP with
 * min <= max), sets the bounds and returns true, so kernels can clamp in registers. CLIP with min > max
 * (or NaN bounds) is not: the scalar definition's order of tests decides it. */
bool er_fused_act_as_clamp(const er_fused_act *a, float *lo, float *hi);

#endif
