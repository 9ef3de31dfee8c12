/* Subgraph interpreters for control-flow kernels (see subgraph.h). The body runs through the public
 * interpreter API on a model that wraps the subgraph, so it is planned, folded and checked exactly as a
 * top-level graph is. */
#include <string.h>

#include "core/interp.h"
#include "core/subgraph.h"

static const er_graph *subgraph_at(const er_op_ctx *ctx, int32_t index) {
  const er_graph *g = ctx->interp->graph;
  if (index < 0 || index >= g->n_subgraphs || !g->subgraphs) return NULL;
  return &g->subgraphs[index];
}

const er_graph *er_subgraph_graph(const er_op_ctx *ctx, int32_t index) { return subgraph_at(ctx, index); }

const er_tensor *er_declared_output(const er_op_ctx *ctx, int32_t i) {
  return &ctx->interp->graph->tensors[ctx->node->outputs[i]];
}

int32_t er_subgraph_capture_count(const er_op_ctx *ctx, int32_t index) {
  const er_graph *sub = subgraph_at(ctx, index);
  return sub ? sub->n_captures : 0;
}

int32_t er_subgraph_formal_count(const er_op_ctx *ctx, int32_t index) {
  const er_graph *sub = subgraph_at(ctx, index);
  return sub ? sub->n_formal_inputs : -1;
}

int32_t er_subgraph_output_count(const er_op_ctx *ctx, int32_t index) {
  const er_graph *sub = subgraph_at(ctx, index);
  return sub ? sub->n_outputs : -1;
}

const er_tensor *er_subgraph_declared_output(const er_op_ctx *ctx, int32_t index, int32_t i) {
  const er_graph *sub = subgraph_at(ctx, index);
  if (!sub || i < 0 || i >= sub->n_outputs) return NULL;
  return &sub->tensors[sub->outputs[i]];
}

/* Gives the body's input tensor the dtype and shape of `from`. */
static edgert_status shape_input(er_op_ctx *ctx, er_tensor *t, const er_tensor *from, int32_t i) {
  size_t bytes;
  if (!er_bytes_for(from->dtype, er_shape_elements(from->ndim, from->dims), &bytes))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "subgraph input %d: shape is negative or too large", (int)i);
  t->dtype = from->dtype;
  t->ndim = from->ndim;
  memset(t->dims, 0, sizeof t->dims);
  if (from->ndim > 0) memcpy(t->dims, from->dims, sizeof(int64_t) * (size_t)from->ndim);
  t->dynamic_dims = 0;
  t->bytes = bytes;
  t->kind = ER_TENSOR_ACTIVATION;
  t->data = NULL;
  return EDGERT_OK;
}

/* ONNX bodies may leave inputs untyped (the Range function's loop body): the importer then typed them
 * float32 and gave each node's undeclared outputs its first input's dtype. When the actual dtype differs,
 * replay that rule so values computed from the input follow it. */
static void retype_from_inputs(const er_graph *sub, er_tensor *tensors, unsigned char *changed) {
  for (int32_t n = 0; n < sub->n_nodes; n++) {
    const er_node *node = &sub->nodes[n];
    if (node->n_inputs < 1 || node->inputs[0] < 0 || !changed[node->inputs[0]]) continue;
    edgert_dtype before = sub->tensors[node->inputs[0]].dtype, now = tensors[node->inputs[0]].dtype;
    for (int32_t k = 0; k < node->n_outputs; k++) {
      int32_t t = node->outputs[k];
      if (t < 0 || tensors[t].dtype != before || tensors[t].kind != ER_TENSOR_ACTIVATION) continue;
      tensors[t].dtype = now;
      changed[t] = 1;
    }
  }
}

edgert_status er_subgraph_prepare(er_op_ctx *ctx, int32_t index, const er_tensor *formal, int32_t n_formal,
                                  int32_t first_capture, er_subgraph **out) {
  const er_graph *sub = subgraph_at(ctx, index);
  if (!sub) return er_fail(ctx, EDGERT_ERR_MALFORMED, "subgraph %d does not exist", (int)index);
  if (sub->n_formal_inputs != n_formal)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "subgraph %d takes %d inputs, the node gives %d", (int)index,
                   (int)sub->n_formal_inputs, (int)n_formal);
  if (first_capture < 0 || first_capture + sub->n_captures > ctx->node->n_inputs)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "subgraph %d: the node lacks its %d captured values",
                   (int)index, (int)sub->n_captures);
  er_subgraph *s = er_persist_alloc(ctx, sizeof *s);
  er_tensor *tensors = er_persist_alloc(ctx, sizeof(er_tensor) * ((size_t)sub->n_tensors + 1));
  if (!s || !tensors) return EDGERT_ERR_NO_MEMORY;
  if (sub->n_tensors) memcpy(tensors, sub->tensors, sizeof(er_tensor) * (size_t)sub->n_tensors);
  edgert_status st = EDGERT_OK;
  for (int32_t i = 0; i < n_formal && st == EDGERT_OK; i++)
    st = shape_input(ctx, &tensors[sub->inputs[i]], &formal[i], i);
  for (int32_t k = 0; k < sub->n_captures && st == EDGERT_OK; k++) {
    const er_tensor *from = er_input(ctx, first_capture + k);
    if (!from) return er_fail(ctx, EDGERT_ERR_MALFORMED, "captured value %d is missing", (int)k);
    st = shape_input(ctx, &tensors[sub->inputs[n_formal + k]], from, n_formal + k);
  }
  if (st != EDGERT_OK) return st;
  unsigned char *changed = er_persist_alloc(ctx, (size_t)sub->n_tensors + 1);
  if (!changed) return EDGERT_ERR_NO_MEMORY;
  for (int32_t i = 0; i < sub->n_inputs; i++)
    changed[sub->inputs[i]] = tensors[sub->inputs[i]].dtype != sub->tensors[sub->inputs[i]].dtype;
  retype_from_inputs(sub, tensors, changed);
  s->model.graph = *sub;
  s->model.graph.tensors = tensors;
  s->model.graph.pool = NULL;
  s->model.status = EDGERT_OK;
  s->model.limits = ctx->interp->limits;
  s->n_formal = n_formal;
  s->n_captures = sub->n_captures;
  s->first_capture = first_capture;
  st = edgert_interpreter_create(&s->model, NULL, &s->interp);
  if (s->interp) { /* owned by this interpreter from now on, freed with its plan */
    s->interp->root = ctx->interp->root;
    s->interp->next_child = ctx->interp->children;
    ctx->interp->children = s->interp;
  }
  if (st != EDGERT_OK)
    return er_fail(ctx, st, "subgraph %d: %s", (int)index,
                   s->interp ? edgert_interpreter_error(s->interp) : "");
  s->planned = s->interp->arena != NULL;
  *out = s;
  return EDGERT_OK;
}

edgert_status er_subgraph_run(er_op_ctx *ctx, er_subgraph *s, const void *const *formal) {
  const er_graph *g = &s->model.graph;
  for (int32_t i = 0; i < s->n_formal + s->n_captures; i++) {
    const void *src = i < s->n_formal ? formal[i] : er_input(ctx, s->first_capture + i - s->n_formal)->data;
    size_t bytes = g->tensors[g->inputs[i]].bytes;
    void *dst = edgert_interpreter_input_data(s->interp, i);
    if (bytes && (!dst || !src))
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "subgraph input %d has no data", (int)i);
    if (bytes && dst != src) memmove(dst, src, bytes);
  }
  edgert_status st = edgert_interpreter_invoke(s->interp);
  if (st != EDGERT_OK) return er_fail(ctx, st, "subgraph: %s", edgert_interpreter_error(s->interp));
  return EDGERT_OK;
}

bool er_subgraph_output(const er_subgraph *s, int32_t i, edgert_tensor_info *info, const void **data) {
  if (edgert_interpreter_output_info(s->interp, i, info) != EDGERT_OK) return false;
  *data = edgert_interpreter_output_data(s->interp, i);
  return true;
}
