/* Use lists and small edits of the IR graph for the passes in src/opt/. */
#include "opt/graph_edit.h"

#include <stdlib.h>
#include <string.h>

void er_graph_uses_free(er_graph_uses *u) {
  free(u->use_count);
  free(u->use_start);
  free(u->use_nodes);
  free(u->producer);
  free(u->pinned);
  free(u->removed);
  memset(u, 0, sizeof *u);
}

static void pin_captures(const er_graph *g, er_graph_uses *u) {
  for (int32_t s = 0; s < g->n_subgraphs; s++) {
    const er_graph *sub = &g->subgraphs[s];
    for (int32_t k = 0; k < sub->n_captures; k++) {
      int32_t t = sub->captures[k];
      if (t >= 0 && t < u->n_tensors) u->pinned[t] = 1;
    }
  }
}

bool er_graph_uses_build(const er_graph *g, er_graph_uses *u) {
  memset(u, 0, sizeof *u);
  size_t nt = (size_t)g->n_tensors + 1, nn = (size_t)g->n_nodes + 1;
  int64_t slots = 0;
  for (int32_t n = 0; n < g->n_nodes; n++)
    slots += g->nodes[n].n_inputs;
  u->n_tensors = g->n_tensors;
  u->n_nodes = g->n_nodes;
  u->use_count = calloc(nt, sizeof(int32_t));
  u->use_start = calloc(nt, sizeof(int32_t));
  u->use_nodes = calloc((size_t)slots + 1, sizeof(int32_t));
  u->producer = malloc(nt * sizeof(int32_t));
  u->pinned = calloc(nt, 1);
  u->removed = calloc(nn, 1);
  if (!u->use_count || !u->use_start || !u->use_nodes || !u->producer || !u->pinned || !u->removed) {
    er_graph_uses_free(u);
    return false;
  }
  for (int32_t t = 0; t < g->n_tensors; t++)
    u->producer[t] = -1;
  for (int32_t n = 0; n < g->n_nodes; n++) {
    const er_node *node = &g->nodes[n];
    for (int32_t k = 0; k < node->n_inputs; k++)
      if (node->inputs[k] >= 0) u->use_count[node->inputs[k]]++;
    for (int32_t k = 0; k < node->n_outputs; k++)
      u->producer[node->outputs[k]] = n;
  }
  for (int32_t t = 0; t < g->n_tensors; t++)
    u->use_start[t + 1] = u->use_start[t] + u->use_count[t];
  int32_t *fill = calloc(nt, sizeof(int32_t));
  if (!fill) {
    er_graph_uses_free(u);
    return false;
  }
  for (int32_t n = 0; n < g->n_nodes; n++) {
    const er_node *node = &g->nodes[n];
    for (int32_t k = 0; k < node->n_inputs; k++) {
      int32_t t = node->inputs[k];
      if (t >= 0) u->use_nodes[u->use_start[t] + fill[t]++] = n;
    }
  }
  free(fill);
  for (int32_t i = 0; i < g->n_outputs; i++)
    u->pinned[g->outputs[i]] = 1;
  pin_captures(g, u);
  return true;
}

int32_t er_graph_sole_user(const er_graph_uses *u, int32_t t) {
  if (t < 0 || t >= u->n_tensors || u->pinned[t] || u->use_count[t] != 1) return -1;
  return u->use_nodes[u->use_start[t]];
}

const float *er_graph_const_f32(const er_graph *g, int32_t t, int64_t count) {
  if (t < 0 || t >= g->n_tensors) return NULL;
  const er_tensor *x = &g->tensors[t];
  if (x->kind != ER_TENSOR_CONST || x->dtype != EDGERT_FLOAT32 || !x->data) return NULL;
  return er_tensor_elements(x) == count ? x->data : NULL;
}

const float *er_graph_load_const_f32(er_graph *g, int32_t t, int64_t count) {
  if (t < 0 || t >= g->n_tensors) return NULL;
  er_tensor *x = &g->tensors[t];
  if (x->kind == ER_TENSOR_CONST && !x->data && x->file_bytes) {
    void *copy = er_graph_alloc(g, x->bytes ? x->bytes : 1);
    if (!copy) return NULL;
    memcpy(copy, x->file_bytes, x->bytes);
    x->data = copy;
    x->file_bytes = NULL;
  }
  return er_graph_const_f32(g, t, count);
}

static int32_t *copy_ids(er_graph *g, const int32_t *ids, int32_t count, int32_t at_least) {
  int32_t n = count > at_least ? count : at_least;
  int32_t *copy = er_graph_alloc_array(g, (size_t)(n ? n : 1), sizeof(int32_t));
  if (!copy) return NULL;
  for (int32_t i = 0; i < n; i++)
    copy[i] = i < count ? ids[i] : -1;
  return copy;
}

bool er_graph_set_output(er_graph *g, er_node *node, int32_t k, int32_t t) {
  int32_t *outs = copy_ids(g, node->outputs, node->n_outputs, k + 1);
  if (!outs) return false;
  outs[k] = t;
  node->outputs = outs;
  if (node->n_outputs < k + 1) node->n_outputs = k + 1;
  return true;
}

bool er_graph_set_input(er_graph *g, er_node *node, int32_t k, int32_t t) {
  int32_t *ins = copy_ids(g, node->inputs, node->n_inputs, k + 1);
  if (!ins) return false;
  ins[k] = t;
  node->inputs = ins;
  if (node->n_inputs < k + 1) node->n_inputs = k + 1;
  return true;
}

void *er_graph_own_attrs(er_graph *g, er_node *node, size_t bytes) {
  void *copy = er_graph_alloc(g, bytes);
  if (!copy) return NULL;
  if (node->attrs) memcpy(copy, node->attrs, bytes);
  node->attrs = copy;
  return copy;
}

void er_new_tensors_begin(const er_graph *g, er_new_tensors *nt) {
  memset(nt, 0, sizeof *nt);
  nt->first_id = g->n_tensors;
}

int32_t er_new_const_f32(er_graph *g, er_new_tensors *nt, const char *name, int32_t ndim, const int64_t *dims,
                         float **data) {
  int64_t count = er_shape_elements(ndim, dims);
  size_t bytes;
  if (ndim < 0 || ndim > ER_MAX_DIMS || !er_bytes_for(EDGERT_FLOAT32, count, &bytes)) return -1;
  if (nt->count >= INT32_MAX - nt->first_id - 1) return -1;
  if (nt->count == nt->capacity) {
    int32_t cap = nt->capacity ? 2 * nt->capacity : 8;
    er_tensor *grown = realloc(nt->items, (size_t)cap * sizeof(er_tensor));
    if (!grown) return -1;
    nt->items = grown;
    nt->capacity = cap;
  }
  float *values = er_graph_alloc(g, bytes ? bytes : 1);
  char *copy = name ? er_graph_strdup(g, name, strlen(name)) : NULL;
  if (!values || (name && !copy)) return -1;
  er_tensor *t = &nt->items[nt->count];
  memset(t, 0, sizeof *t);
  t->name = copy;
  t->dtype = EDGERT_FLOAT32;
  t->kind = ER_TENSOR_CONST;
  t->ndim = ndim;
  for (int32_t i = 0; i < ndim; i++)
    t->dims[i] = dims[i];
  t->data = values;
  t->bytes = bytes;
  *data = values;
  return nt->first_id + nt->count++;
}

bool er_new_tensors_commit(er_graph *g, er_new_tensors *nt) {
  bool ok = true;
  if (nt->count) {
    int32_t first = er_graph_add_tensors(g, nt->count);
    ok = first == nt->first_id;
    if (ok) memcpy(&g->tensors[first], nt->items, (size_t)nt->count * sizeof(er_tensor));
  }
  free(nt->items);
  memset(nt, 0, sizeof *nt);
  return ok;
}

void er_graph_compact(er_graph *g, const er_graph_uses *u) {
  int32_t kept = 0;
  for (int32_t n = 0; n < g->n_nodes; n++) {
    if (n < u->n_nodes && u->removed[n]) continue;
    g->nodes[kept] = g->nodes[n];
    g->nodes[kept].index = kept;
    kept++;
  }
  g->n_nodes = kept;
}
