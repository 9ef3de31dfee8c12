/* What the graph passes share: who uses each tensor (nodes and graph outputs), the node producing it,
 * replacing a node's inputs, outputs or attrs (they are const in the graph, so edits allocate copies in
 * the graph's pool), and removing nodes. A pass builds one er_graph_uses, edits, marks nodes removed and
 * compacts at the end; the uses stay right for the tensors a pass has not yet touched. */
#ifndef EDGERT_OPT_GRAPH_EDIT_H
#define EDGERT_OPT_GRAPH_EDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/graph.h"

typedef struct {
  int32_t n_tensors, n_nodes;
  int32_t *use_count;     /* [n_tensors]: node inputs reading the tensor (a node reading it twice counts 2) */
  int32_t *use_start;     /* [n_tensors + 1]: offsets into use_nodes */
  int32_t *use_nodes;     /* the reading nodes, in graph order, one entry per input slot */
  int32_t *producer;      /* [n_tensors]: node writing the tensor, or -1 */
  unsigned char *pinned;  /* [n_tensors]: a graph output or captured by a subgraph: must keep its value */
  unsigned char *removed; /* [n_nodes]: nodes dropped at er_graph_compact */
} er_graph_uses;

/* Fills *u for g (malloc'ed; er_graph_uses_free releases). false when out of memory. */
bool er_graph_uses_build(const er_graph *g, er_graph_uses *u);
void er_graph_uses_free(er_graph_uses *u);

/* The only node reading t (through exactly one input slot), or -1 when t has another use or is pinned. */
int32_t er_graph_sole_user(const er_graph_uses *u, int32_t t);

/* A constant float32 tensor id (t >= 0) whose element count is count; NULL otherwise. */
const float *er_graph_const_f32(const er_graph *g, int32_t t, int64_t count);
/* The same, first copying a constant that stays in the model file (tensor.h: file_bytes) into memory of
 * the graph, for passes that read whole weights. NULL also when out of memory. */
const float *er_graph_load_const_f32(er_graph *g, int32_t t, int64_t count);

/* Replaces node->outputs[k] (or inputs[k]) with t in a fresh array owned by the graph. */
bool er_graph_set_output(er_graph *g, er_node *node, int32_t k, int32_t t);
bool er_graph_set_input(er_graph *g, er_node *node, int32_t k, int32_t t);

/* A writable copy of node->attrs (bytes long) owned by the graph, installed as the node's attrs. */
void *er_graph_own_attrs(er_graph *g, er_node *node, size_t bytes);

/* Constants a pass creates, staged and appended to the graph in one step (growing the tensor array once
 * per pass, not once per tensor). Ids are handed out as they will be after the commit; nothing may read
 * them from g->tensors before it. */
typedef struct {
  er_tensor *items; /* malloc'ed; freed by commit */
  int32_t count, capacity;
  int32_t first_id; /* g->n_tensors when staging began */
} er_new_tensors;

void er_new_tensors_begin(const er_graph *g, er_new_tensors *nt);
/* Stages a constant float32 tensor of the given shape whose zeroed data the graph owns; returns its future
 * id and its data in *data, or -1 when out of memory. name is copied. */
int32_t er_new_const_f32(er_graph *g, er_new_tensors *nt, const char *name, int32_t ndim, const int64_t *dims,
                         float **data);
/* Appends the staged tensors to g (see er_graph_add_tensors) and frees the list; false when out of memory. */
bool er_new_tensors_commit(er_graph *g, er_new_tensors *nt);

/* Drops the nodes u->removed marks, keeping order, and renumbers node indices. */
void er_graph_compact(er_graph *g, const er_graph_uses *u);

#endif
