/* No-op removal: nodes that provably hand their input on unchanged go, and their readers read the input.
 * Identity and inference Dropout never reach the graph (the ONNX importer forwards them); what is left is
 * reshapes to the shape their input already has (by static_shapes.h: numbers from weights, the same
 * symbol for the same unknown size), squeezes with nothing to squeeze, and casts to the same type. */
#include <string.h>

#include "opt/graph_edit.h"
#include "opt/opt.h"
#include "opt/static_shapes.h"

static bool same_dim(int64_t a, int64_t b) { return a == b; }

/* Target dims of RESHAPE (TFLite: input 1 or the options) or ONNX_RESHAPE (input 1). */
static bool reshape_target(const er_graph *g, const er_node *node, int32_t *count, int64_t *dims) {
  if (node->n_inputs >= 2 && node->inputs[1] >= 0)
    return er_const_index_vector(g, node->inputs[1], count, dims);
  const er_reshape_attrs *a = node->attrs;
  if (node->op != ER_OP_RESHAPE || !a || a->ndim < 0 || a->ndim > ER_MAX_DIMS) return false;
  if (a->ndim == 1 && a->new_shape[0] == 0) return false; /* old converters' way of writing a scalar */
  *count = a->ndim;
  memcpy(dims, a->new_shape, sizeof(int64_t) * (size_t)a->ndim);
  return true;
}

/* Every target dim equals the input's: a number equal to it, ONNX's 0 (copy), or the one -1 (inferred:
 * the others being equal, it is too). */
static bool reshape_is_noop(const er_graph *g, const er_node *node, const er_static_shape *x) {
  int32_t count;
  int64_t target[ER_MAX_DIMS];
  if (!reshape_target(g, node, &count, target) || x->ndim != count) return false;
  const er_onnx_reshape_attrs *onnx = node->op == ER_OP_ONNX_RESHAPE ? node->attrs : NULL;
  bool zero_copies = node->op == ER_OP_ONNX_RESHAPE && !(onnx && onnx->allow_zero);
  int32_t stretched = 0;
  for (int32_t i = 0; i < count; i++) {
    if (target[i] == -1)
      stretched++;
    else if (target[i] == 0 && zero_copies)
      continue;
    else if (target[i] < 0 || !same_dim(target[i], x->dims[i]))
      return false;
  }
  return stretched <= 1;
}

static bool flatten_is_noop(const er_node *node, const er_static_shape *x) {
  const er_flatten_attrs *a = node->attrs;
  int32_t axis = a ? a->axis : 1;
  if (x->ndim != 2) return false;
  if (axis < 0) axis += 2;
  return axis == 1 || (axis == 0 && x->dims[0] == 1) || (axis == 2 && x->dims[1] == 1);
}

/* Squeezing every dim of size 1 when no dim can be 1. */
static bool squeeze_all_is_noop(const er_static_shape *x) {
  if (x->ndim < 0) return false;
  for (int32_t i = 0; i < x->ndim; i++)
    if (x->dims[i] < 0 || x->dims[i] == 1) return false;
  return true;
}

static bool squeeze_is_noop(const er_graph *g, const er_node *node, const er_static_shape *x) {
  if (node->op == ER_OP_SQUEEZE) {
    const er_squeeze_attrs *a = node->attrs;
    return (!a || a->count == 0) && squeeze_all_is_noop(x);
  }
  if (node->n_inputs < 2 || node->inputs[1] < 0) return squeeze_all_is_noop(x);
  int32_t count;
  int64_t axes[ER_MAX_DIMS];
  return er_const_index_vector(g, node->inputs[1], &count, axes) && count == 0;
}

static bool same_quant(const er_tensor *a, const er_tensor *b) {
  return a->q.scale == b->q.scale && a->q.zero_point == b->q.zero_point && a->q.channels == 0 &&
         b->q.channels == 0;
}

static bool is_noop(const er_graph *g, const er_node *node, const er_static_shapes *s) {
  if (node->n_inputs < 1 || node->n_outputs != 1 || node->inputs[0] < 0) return false;
  const er_tensor *in = &g->tensors[node->inputs[0]], *out = &g->tensors[node->outputs[0]];
  if (in->dtype != out->dtype || !same_quant(in, out)) return false;
  const er_static_shape *x = &s->shapes[node->inputs[0]];
  switch (node->op) {
  case ER_OP_RESHAPE:
  case ER_OP_ONNX_RESHAPE: return reshape_is_noop(g, node, x);
  case ER_OP_FLATTEN: return flatten_is_noop(node, x);
  case ER_OP_SQUEEZE:
  case ER_OP_ONNX_SQUEEZE: return squeeze_is_noop(g, node, x);
  case ER_OP_CAST: return node->n_inputs == 1;
  default: return false;
  }
}

/* Every reader of `from` reads `to` instead. */
static bool rewire(er_graph *g, const er_graph_uses *u, int32_t from, int32_t to) {
  for (int32_t i = u->use_start[from]; i < u->use_start[from + 1]; i++) {
    er_node *reader = &g->nodes[u->use_nodes[i]];
    for (int32_t k = 0; k < reader->n_inputs; k++)
      if (reader->inputs[k] == from && !er_graph_set_input(g, reader, k, to)) return false;
  }
  return true;
}

edgert_status er_opt_remove_noops(er_graph *g, int32_t *changed) {
  *changed = 0;
  er_graph_uses u;
  er_static_shapes s;
  if (!er_graph_uses_build(g, &u)) return EDGERT_ERR_NO_MEMORY;
  if (!er_static_shapes_init(g, &s)) {
    er_graph_uses_free(&u);
    return EDGERT_ERR_NO_MEMORY;
  }
  edgert_status st = EDGERT_OK;
  for (int32_t n = 0; n < g->n_nodes; n++) {
    const er_node *node = &g->nodes[n];
    er_static_shapes_node(g, node, &s);
    if (!is_noop(g, node, &s)) continue;
    int32_t x = node->inputs[0], y = node->outputs[0];
    s.shapes[y] = s.shapes[x];
    if (u.pinned[y]) continue;
    if (!rewire(g, &u, y, x)) {
      st = EDGERT_ERR_NO_MEMORY;
      break;
    }
    u.removed[n] = 1;
    (*changed)++;
  }
  er_graph_compact(g, &u);
  er_static_shapes_free(&s);
  er_graph_uses_free(&u);
  return st;
}
