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

/* Subgraphs (bodies of ONNX If/Loop/Scan, from GRAPH attributes). A node with subgraphs keeps their
 * indices into its parent's `subgraphs` in its attrs struct. A subgraph is a complete er_graph of its
 * own (tensor ids are its own; er_graph_finish has checked it) with these additions:
 * - inputs: the body's formal inputs (n_formal_inputs of them, as ONNX lists them) followed by one input
 *   per captured outer-scope value; captures[k] is the PARENT graph's tensor id whose value subgraph
 *   input n_formal_inputs + k receives before each run of the body. Outer constants are not captured:
 *   they are copied into the subgraph as constants sharing the same data.
 * - the parent node owning the subgraphs lists every captured parent tensor as extra inputs after its
 *   own (ONNX) inputs, subgraph by subgraph in the order of the node's attrs, so the planner keeps those
 *   values alive until the node runs. A value from two levels up is captured by the middle graph first.
 * - memory: a subgraph's arrays live in the outermost graph's pool (its own `pool` is NULL), so
 *   er_graph_free of the outermost graph releases everything. */
typedef struct er_graph {
  int32_t n_tensors, n_nodes, n_inputs, n_outputs;
  er_tensor *tensors;
  er_node *nodes;
  const int32_t *inputs; /* graph input tensor ids */
  const int32_t *outputs;
  er_pool_block *pool;
  struct er_graph *subgraphs; /* [n_subgraphs], NULL when none */
  int32_t n_subgraphs;
  int32_t n_formal_inputs;  /* subgraphs only: inputs before the captured ones */
  int32_t n_captures;       /* subgraphs only: n_inputs - n_formal_inputs */
  const int32_t *captures;  /* subgraphs only: [n_captures] parent tensor ids */
} er_graph;

/* Zeroed memory owned by the graph; NULL when out of memory or n == 0 overflows. */
void *er_graph_alloc(er_graph *g, size_t bytes);
/* Array of count elements of elem bytes, overflow-checked; zeroed. */
void *er_graph_alloc_array(er_graph *g, size_t count, size_t elem);
char *er_graph_strdup(er_graph *g, const char *s, size_t len);
/* Appends count zeroed tensors (graph passes adding constants): the tensors array moves to a new pool
 * block, so pointers into the old one are stale afterwards (ids stay valid). Returns the first new id, or
 * -1 when out of memory or the count would overflow. */
int32_t er_graph_add_tensors(er_graph *g, int32_t count);
void er_graph_free(er_graph *g);

#endif
