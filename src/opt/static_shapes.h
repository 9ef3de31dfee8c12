/* Shapes known at load, for passes that must prove two shapes equal (a reshape to the shape it already
 * has). A dim is a constant (>= 0) or a symbol (< 0): the same symbol is the same unknown size, a fresh one
 * equals nothing else. Graph inputs may be resized by the caller, so all their dims are symbols; only
 * constants and weights give numbers. Ranks are taken as declared (a caller changing an input's rank is
 * not followed). Ops outside the list in static_shapes.c give an unknown rank. */
#ifndef EDGERT_OPT_STATIC_SHAPES_H
#define EDGERT_OPT_STATIC_SHAPES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/graph.h"

typedef struct {
  int32_t ndim; /* -1: unknown rank */
  int64_t dims[ER_MAX_DIMS];
} er_static_shape;

typedef struct {
  er_static_shape *shapes; /* [n_tensors], malloc'ed */
  int64_t next_symbol;     /* the next fresh symbol (counts down from -1) */
} er_static_shapes;

/* Shapes of the graph inputs and constants; node outputs unknown until er_static_shapes_node. false when
 * out of memory. */
bool er_static_shapes_init(const er_graph *g, er_static_shapes *s);
void er_static_shapes_free(er_static_shapes *s);
/* Sets the shapes of node's outputs from its inputs' (nodes in graph order). */
void er_static_shapes_node(const er_graph *g, const er_node *node, er_static_shapes *s);

/* The values of a constant int32/int64 vector of at most ER_MAX_DIMS values; false otherwise. */
bool er_const_index_vector(const er_graph *g, int32_t t, int32_t *count, int64_t *values);

#endif
