/* Fused float activations over rows; see fused_activation.h. */
#include "ops/fused_activation.h"

#include "ops/elementwise_f32.h"

bool er_fused_act_as_clamp(const er_fused_act *a, float *lo, float *hi) {
  *lo = -INFINITY, *hi = INFINITY;
  switch (a->kind) {
  case ER_ACT_NONE: return true;
  case ER_ACT_RELU: *lo = 0.0f; return true;
  case ER_ACT_RELU6: *lo = 0.0f, *hi = 6.0f; return true;
  case ER_ACT_RELU_N1_TO_1: *lo = -1.0f, *hi = 1.0f; return true;
  case ER_ACT_CLIP:
    *lo = a->min, *hi = a->max;
    return a->min <= a->max;
  default: return false;
  }
}

void er_fused_act_vectorize(er_fused_act *a, er_cpu_features cpu) { a->isa = er_f32_elementwise_select(cpu); }

/* The vector kernel computing the activation exactly as er_fused_act_apply does, or -1. */
static int vector_kind(const er_fused_act *a, er_f32_elementwise_params *p) {
  p->min = -INFINITY, p->max = INFINITY, p->alpha = 0.0f, p->beta = 0.0f;
  switch (a->kind) {
  case ER_ACT_SIGMOID: return ER_F32_VSIGMOID;
  case ER_ACT_HARD_SWISH: return ER_F32_VHARD_SWISH;
  case ER_ACT_SILU: return ER_F32_VSILU;
  default: return er_fused_act_as_clamp(a, &p->min, &p->max) ? ER_F32_VCLAMP : -1;
  }
}

void er_fused_act_apply_n(const er_fused_act *a, float *y, int64_t n) {
  if (a->kind == ER_ACT_NONE || n <= 0) return;
  er_f32_elementwise_params p;
  int kind = a->isa ? vector_kind(a, &p) : -1;
  if (kind >= 0) {
    a->isa->unary[kind]((size_t)n, y, y, &p);
    return;
  }
  for (int64_t i = 0; i < n; i++) y[i] = er_fused_act_apply(a, y[i]);
}
