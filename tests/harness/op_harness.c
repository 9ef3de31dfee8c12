/* In-memory graphs for kernel tests, run through the real model/interpreter path. */
#include "op_harness.h"

#include <stdlib.h>
#include <string.h>

#include "core/interp.h"
#include "core/model.h"

#define TH_MAX_TENSORS 64
#define TH_MAX_NODES 16

struct th_graph {
  er_graph g;
  er_tensor tensors[TH_MAX_TENSORS];
  er_node nodes[TH_MAX_NODES];
  int32_t inputs[TH_MAX_TENSORS], outputs[TH_MAX_TENSORS];
  int n_tensors, n_nodes, n_inputs, n_outputs;
  edgert_model *model;
  edgert_interpreter *interp;
  char error[ER_ERROR_LEN];
};

th_graph *th_new(void) { return calloc(1, sizeof(th_graph)); }

int th_tensor(th_graph *g, edgert_dtype dtype, int ndim, const int64_t *dims, const void *const_data) {
  if (g->n_tensors >= TH_MAX_TENSORS) abort();
  int id = g->n_tensors++;
  er_tensor *t = &g->tensors[id];
  char name[32];
  snprintf(name, sizeof name, "t%d", id);
  t->name = er_graph_strdup(&g->g, name, strlen(name));
  t->dtype = dtype;
  t->ndim = ndim < 0 ? 0 : ndim;
  for (int i = 0; i < ndim; i++)
    t->dims[i] = dims[i];
  if (const_data) {
    size_t bytes = 0;
    er_bytes_for(dtype, er_tensor_elements(t), &bytes);
    t->data = er_graph_alloc(&g->g, bytes);
    memcpy(t->data, const_data, bytes);
    t->bytes = bytes;
    t->kind = ER_TENSOR_CONST;
  }
  return id;
}

void th_variable(th_graph *g, int tensor) { g->tensors[tensor].kind = ER_TENSOR_VARIABLE; }

void th_quant(th_graph *g, int tensor, float scale, int32_t zero_point) {
  g->tensors[tensor].q.scale = scale;
  g->tensors[tensor].q.zero_point = zero_point;
}

void th_quant_channels(th_graph *g, int tensor, int axis, int channels, const float *scales,
                       const int32_t *zero_points) {
  er_quant *q = &g->tensors[tensor].q;
  float *s = er_graph_alloc_array(&g->g, (size_t)channels, sizeof(float));
  int32_t *z = er_graph_alloc_array(&g->g, (size_t)channels, sizeof(int32_t));
  memcpy(s, scales, sizeof(float) * (size_t)channels);
  if (zero_points) memcpy(z, zero_points, sizeof(int32_t) * (size_t)channels);
  q->channels = channels;
  q->axis = axis;
  q->scales = s;
  q->zero_points = z;
  q->scale = scales[0];
  q->zero_point = z[0];
}

static const int32_t *copy_ids(th_graph *g, int count, const int *ids) {
  int32_t *d = er_graph_alloc_array(&g->g, (size_t)(count ? count : 1), sizeof(int32_t));
  for (int i = 0; i < count; i++)
    d[i] = ids[i];
  return d;
}

void th_node(th_graph *g, er_op op, const void *attrs, size_t attrs_size, int n_inputs, const int *inputs,
             int n_outputs, const int *outputs) {
  if (g->n_nodes >= TH_MAX_NODES) abort();
  er_node *n = &g->nodes[g->n_nodes];
  n->op = op;
  n->index = g->n_nodes++;
  n->n_inputs = n_inputs;
  n->n_outputs = n_outputs;
  n->inputs = copy_ids(g, n_inputs, inputs);
  n->outputs = copy_ids(g, n_outputs, outputs);
  if (attrs && attrs_size) {
    void *a = er_graph_alloc(&g->g, attrs_size);
    memcpy(a, attrs, attrs_size);
    n->attrs = a;
  }
}

void th_intermediates(th_graph *g, int count, const int *tensors) {
  er_node *n = &g->nodes[g->n_nodes - 1];
  n->n_intermediates = count;
  n->intermediates = copy_ids(g, count, tensors);
}

void th_io(th_graph *g, int n_inputs, const int *inputs, int n_outputs, const int *outputs) {
  g->n_inputs = n_inputs;
  g->n_outputs = n_outputs;
  for (int i = 0; i < n_inputs; i++)
    g->inputs[i] = inputs[i];
  for (int i = 0; i < n_outputs; i++)
    g->outputs[i] = outputs[i];
}

static edgert_status build(th_graph *g) {
  er_graph *eg = &g->g;
  eg->n_tensors = g->n_tensors;
  eg->n_nodes = g->n_nodes;
  eg->n_inputs = g->n_inputs;
  eg->n_outputs = g->n_outputs;
  eg->tensors = er_graph_alloc_array(eg, (size_t)g->n_tensors, sizeof(er_tensor));
  eg->nodes = er_graph_alloc_array(eg, (size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(er_node));
  memcpy(eg->tensors, g->tensors, sizeof(er_tensor) * (size_t)g->n_tensors);
  memcpy(eg->nodes, g->nodes, sizeof(er_node) * (size_t)g->n_nodes);
  eg->inputs = copy_ids(g, g->n_inputs, (const int[TH_MAX_TENSORS]){0});
  eg->outputs = copy_ids(g, g->n_outputs, (const int[TH_MAX_TENSORS]){0});
  memcpy((int32_t *)eg->inputs, g->inputs, sizeof(int32_t) * (size_t)g->n_inputs);
  memcpy((int32_t *)eg->outputs, g->outputs, sizeof(int32_t) * (size_t)g->n_outputs);
  edgert_status st = er_model_from_graph(eg, &g->model);
  if (st != EDGERT_OK) {
    snprintf(g->error, sizeof g->error, "%s", edgert_model_error(g->model));
    return st;
  }
  st = edgert_interpreter_create(g->model, NULL, &g->interp);
  if (st != EDGERT_OK) snprintf(g->error, sizeof g->error, "%s", edgert_interpreter_error(g->interp));
  return st;
}

edgert_status th_run(th_graph *g, const void *const *inputs) {
  if (!g->model) {
    edgert_status st = build(g);
    if (st != EDGERT_OK) return st;
  }
  for (int i = 0; i < g->n_inputs; i++) {
    edgert_tensor_info info;
    edgert_interpreter_input_info(g->interp, i, &info);
    edgert_status st = edgert_interpreter_set_input(g->interp, i, inputs[i], info.bytes);
    if (st != EDGERT_OK) {
      snprintf(g->error, sizeof g->error, "%s", edgert_interpreter_error(g->interp));
      return st;
    }
  }
  edgert_status st = edgert_interpreter_invoke(g->interp);
  if (st != EDGERT_OK) snprintf(g->error, sizeof g->error, "%s", edgert_interpreter_error(g->interp));
  return st;
}

const void *th_output(th_graph *g, int index) {
  return g->interp ? edgert_interpreter_output_data(g->interp, index) : NULL;
}

edgert_tensor_info th_output_info(th_graph *g, int index) {
  edgert_tensor_info info;
  memset(&info, 0, sizeof info);
  if (g->interp) edgert_interpreter_output_info(g->interp, index, &info);
  return info;
}

const char *th_error(th_graph *g) { return g->error; }

edgert_interpreter *th_interpreter(th_graph *g) { return g->interp; }

void th_free(th_graph *g) {
  if (!g) return;
  edgert_interpreter_free(g->interp);
  if (g->model)
    edgert_model_free(g->model);
  else
    er_graph_free(&g->g);
  free(g);
}
