/* Graph memory lives in one pool so the whole graph is released in one call. */
#include "core/graph.h"

#include <stdint.h>
#include <string.h>

void *er_graph_alloc(er_graph *g, size_t bytes) { return er_pool_alloc(&g->pool, bytes); }

void *er_graph_alloc_array(er_graph *g, size_t count, size_t elem) {
  if (elem && count > SIZE_MAX / elem) return NULL;
  return er_graph_alloc(g, count * elem);
}

char *er_graph_strdup(er_graph *g, const char *s, size_t len) {
  if (len == SIZE_MAX) return NULL;
  char *d = er_graph_alloc(g, len + 1);
  if (d) memcpy(d, s, len);
  return d;
}

int32_t er_graph_add_tensors(er_graph *g, int32_t count) {
  if (count < 0 || g->n_tensors > INT32_MAX - count) return -1;
  er_tensor *grown = er_graph_alloc_array(g, (size_t)g->n_tensors + (size_t)count, sizeof(er_tensor));
  if (!grown) return -1;
  if (g->n_tensors) memcpy(grown, g->tensors, (size_t)g->n_tensors * sizeof(er_tensor));
  int32_t first = g->n_tensors;
  g->tensors = grown;
  g->n_tensors += count;
  return first;
}

void er_graph_free(er_graph *g) {
  er_pool_free(&g->pool);
  memset(g, 0, sizeof *g);
}
