/* Activation fusion: a float32 CONV_ND or GEMM followed by an activation its kernels can apply to each
 * output as it is written (src/ops/fused_activation.h) takes that activation into its attrs, and the
 * activation node goes: one pass over the output instead of two and one buffer less. Patterns: RELU,
 * CLIP with constant bounds (ReLU6 is Clip(0, 6)), HARD_SWISH, and SiLU and hard swish written as MUL(x,
 * LOGISTIC(x)) and MUL(x, HARD_SIGMOID(x)). */
#include <math.h>
#include <string.h>

#include "opt/graph_edit.h"
#include "opt/opt.h"

typedef struct {
  er_activation kind;
  float min, max;
  int32_t output;     /* the tensor the fused op now writes */
  int32_t removed[2]; /* nodes that go, -1 when unused */
} fusion;

static bool is_f32(const er_graph *g, int32_t t) { return t >= 0 && g->tensors[t].dtype == EDGERT_FLOAT32; }

static bool one_in_one_out(const er_node *node, int32_t x) {
  return node->n_inputs == 1 && node->inputs[0] == x && node->n_outputs == 1;
}

/* A bound of CLIP: absent (-1 or beyond n_inputs) is unbounded; otherwise a one-value float32 constant. */
static bool clip_bound(const er_graph *g, const er_node *clip, int32_t k, float unbounded, float *v) {
  int32_t t = clip->n_inputs > k ? clip->inputs[k] : -1;
  if (t < 0) {
    *v = unbounded;
    return true;
  }
  const float *value = er_graph_const_f32(g, t, 1);
  if (!value || isnan(*value)) return false;
  *v = *value;
  return true;
}

/* CLIP(x, lo, hi) with constant bounds. lo > hi is left alone: the op gives hi there, the fused form lo. */
static bool match_clip(const er_graph *g, const er_node *clip, int32_t x, fusion *f) {
  if (clip->n_inputs < 1 || clip->n_inputs > 3 || clip->inputs[0] != x || clip->n_outputs != 1) return false;
  for (int32_t k = 1; k < clip->n_inputs; k++)
    if (clip->inputs[k] == x) return false;
  if (!clip_bound(g, clip, 1, -INFINITY, &f->min) || !clip_bound(g, clip, 2, INFINITY, &f->max)) return false;
  if (f->min > f->max) return false;
  f->kind = f->min == 0.0f && f->max == INFINITY ? ER_ACT_RELU : ER_ACT_CLIP;
  return true;
}

/* The activation x * gate(x) that a gate node computes with a MUL: SiLU for LOGISTIC, hard swish for
 * HARD_SIGMOID(alpha = 1/6, beta = 1/2) (PyTorch's export of Hardswish before opset 14). */
static bool gate_activation(const er_node *gate, er_activation *kind) {
  if (gate->op == ER_OP_LOGISTIC) {
    *kind = ER_ACT_SILU;
    return true;
  }
  const er_unary_params_attrs *a = gate->attrs;
  if (gate->op != ER_OP_HARD_SIGMOID || !a || fabsf(a->alpha - 1.0f / 6.0f) > 1e-6f || a->beta != 0.5f)
    return false;
  *kind = ER_ACT_HARD_SWISH;
  return true;
}

/* MUL(x, s) or MUL(s, x) with s = gate(x) read only there. */
static bool match_gated(const er_graph *g, const er_graph_uses *u, int32_t x, fusion *f) {
  if (u->pinned[x] || u->use_count[x] != 2) return false;
  int32_t first = u->use_nodes[u->use_start[x]], second = u->use_nodes[u->use_start[x] + 1];
  const er_node *gate = &g->nodes[first], *mul = &g->nodes[second];
  if (!one_in_one_out(gate, x) || !gate_activation(gate, &f->kind) || mul->op != ER_OP_MUL) return false;
  int32_t s = gate->outputs[0];
  if (er_graph_sole_user(u, s) != second || mul->n_inputs != 2 || mul->n_outputs != 1) return false;
  if (!((mul->inputs[0] == x && mul->inputs[1] == s) || (mul->inputs[0] == s && mul->inputs[1] == x)))
    return false;
  const er_binary_attrs *a = mul->attrs;
  if ((a && a->activation != ER_ACT_NONE) || !is_f32(g, s) || !is_f32(g, mul->outputs[0])) return false;
  f->output = mul->outputs[0];
  f->removed[0] = first;
  f->removed[1] = second;
  return true;
}

/* The activation reading x, the output of a CONV_ND or GEMM; false when there is none to fuse. */
static bool match_activation(const er_graph *g, const er_graph_uses *u, int32_t x, fusion *f) {
  memset(f, 0, sizeof *f);
  f->removed[0] = f->removed[1] = -1;
  int32_t user = er_graph_sole_user(u, x);
  if (user < 0) return match_gated(g, u, x, f);
  const er_node *act = &g->nodes[user];
  f->removed[0] = user;
  switch (act->op) {
  case ER_OP_RELU:
    if (!one_in_one_out(act, x)) return false;
    f->kind = ER_ACT_RELU;
    break;
  case ER_OP_HARD_SWISH:
    if (!one_in_one_out(act, x)) return false;
    f->kind = ER_ACT_HARD_SWISH;
    break;
  case ER_OP_CLIP:
    if (!match_clip(g, act, x, f)) return false;
    break;
  default: return false;
  }
  f->output = act->outputs[0];
  return is_f32(g, f->output);
}

/* Writes the activation into a copy of the node's attrs and makes the activation's output its own. */
static bool install(er_graph *g, er_node *node, const fusion *f) {
  er_activation *kind;
  float *lo, *hi;
  if (node->op == ER_OP_CONV_ND) {
    er_conv_nd_attrs *a = er_graph_own_attrs(g, node, sizeof *a);
    if (!a) return false;
    kind = &a->activation, lo = &a->act_min, hi = &a->act_max;
  } else {
    er_gemm_attrs *a = er_graph_own_attrs(g, node, sizeof *a);
    if (!a) return false;
    kind = &a->activation, lo = &a->act_min, hi = &a->act_max;
  }
  *kind = f->kind;
  *lo = f->kind == ER_ACT_CLIP ? f->min : 0.0f;
  *hi = f->kind == ER_ACT_CLIP ? f->max : 0.0f;
  return er_graph_set_output(g, node, 0, f->output);
}

er_fusion_choice er_opt_default_fusions(void) {
  return (er_fusion_choice){ER_OPT_FUSE_INTO_GEMM != 0, ER_OPT_FUSE_SMOOTH != 0};
}

static bool allowed(const er_fusion_choice *choice, er_activation kind) {
  return choice->smooth || (kind != ER_ACT_HARD_SWISH && kind != ER_ACT_SILU);
}

static bool fusable_anchor(const er_graph *g, const er_fusion_choice *choice, const er_node *node) {
  if (node->op != ER_OP_CONV_ND && (node->op != ER_OP_GEMM || !choice->into_gemm)) return false;
  if (!node->attrs || node->n_outputs != 1 || node->n_inputs < 1 || !is_f32(g, node->inputs[0]) ||
      !is_f32(g, node->outputs[0]))
    return false;
  er_activation current = node->op == ER_OP_CONV_ND ? ((const er_conv_nd_attrs *)node->attrs)->activation
                                                    : ((const er_gemm_attrs *)node->attrs)->activation;
  return current == ER_ACT_NONE;
}

edgert_status er_opt_fuse_activations(er_graph *g, const er_fusion_choice *choice, int32_t *changed) {
  *changed = 0;
  er_fusion_choice defaults = er_opt_default_fusions();
  if (!choice) choice = &defaults;
  er_graph_uses u;
  if (!er_graph_uses_build(g, &u)) return EDGERT_ERR_NO_MEMORY;
  edgert_status st = EDGERT_OK;
  for (int32_t n = 0; n < g->n_nodes; n++) {
    er_node *node = &g->nodes[n];
    fusion f;
    if (!fusable_anchor(g, choice, node) || !match_activation(g, &u, node->outputs[0], &f) ||
        !allowed(choice, f.kind))
      continue;
    if (!install(g, node, &f)) {
      st = EDGERT_ERR_NO_MEMORY;
      break;
    }
    for (int k = 0; k < 2; k++)
      if (f.removed[k] >= 0) u.removed[f.removed[k]] = 1;
    u.producer[f.output] = n;
    (*changed)++;
  }
  er_graph_compact(g, &u);
  er_graph_uses_free(&u);
  return st;
}
