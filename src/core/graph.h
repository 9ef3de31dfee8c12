/* The IR graph: tensors and nodes in execution order, independent of the file format they came from.
 * A graph is built once by an importer and is read-only afterwards; every pointer inside it is owned by
 * the graph's pool (freed by er_graph_free) or points into the model bytes. */
#ifndef EDGERT_CORE_GRAPH_H
#define EDGERT_CORE_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "core/attrs.h"
#include "core/ops.h"
#include "core/pool.h"
#include "core/tensor.h"

typedef struct {
  er_op op;
  int32_t index; /* position in the graph, for messages */
  int32_t n_inputs, n_outputs, n_intermediates;
  const int32_t *inputs; /* tensor ids; -1 marks an absent optional input */
  const int32_t *outputs;
  const int32_t *intermediates; /* extra tensors carrying quantization facts (TFLite LSTM) */
  const void *attrs;            /* the op's attrs struct from attrs.h, or NULL */
} er_node;

typedef struct {
  int32_t n_tensors, n_nodes, n_inputs, n_outputs;
  er_tensor *tensors;
  er_node *nodes;
  const int32_t *inputs; /* graph input tensor ids */
  const int32_t *outputs;
  er_pool_block *pool;
} er_graph;

/* Zeroed memory owned by the graph; NULL when out of memory or n == 0 overflows. */
void *er_graph_alloc(er_graph *g, size_t bytes);
/* Array of count elements of elem bytes, overflow-checked; zeroed. */
void *er_graph_alloc_array(er_graph *g, size_t count, size_t elem);
char *er_graph_strdup(er_graph *g, const char *s, size_t len);
void er_graph_free(er_graph *g);

#endif
