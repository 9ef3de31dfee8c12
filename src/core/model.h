/* The loaded model: the bytes it came from (mapped file or caller buffer) and the IR graph built from
 * them. Immutable after load. */
#ifndef EDGERT_CORE_MODEL_H
#define EDGERT_CORE_MODEL_H

#include "core/graph.h"
#include "core/limits.h"
#include "edgert.h"
#include "opt/opt.h"

#define ER_ERROR_LEN 512

struct edgert_model {
  er_graph graph;
  const uint8_t *bytes;
  size_t size;
  void *mapping; /* from er_map_file, released at free; NULL for caller buffers */
  size_t mapping_size;
  edgert_limits limits; /* resolved: what it was loaded under, and its interpreters' default */
  edgert_status status;
  char error[ER_ERROR_LEN];
  bool optimized;         /* the graph optimizer (src/opt/) ran at load */
  er_opt_stats opt_stats; /* what each of its passes changed */
};

/* Takes ownership of a graph built in memory (tests, later converters) and wraps it as a model.
 * On success *out owns the graph; on failure the graph is freed. */
edgert_status er_model_from_graph(er_graph *graph, edgert_model **out);

/* Finishes a graph from any importer: computes each tensor's byte size (overflow-checked) and checks
 * structure independent of format: ids in range, every activation input produced before use (so no
 * cycles), no tensor produced twice, constants big enough for their shape, every tensor and the operator
 * count (subgraphs included) within limits (NULL: the defaults). Writes a message on failure. */
edgert_status er_graph_finish(er_graph *g, const edgert_limits *limits, char *err, size_t err_len);

/* What the graph optimizer changed at load, or NULL when it did not run: turned off (environment variable
 * EDGERT_OPTIMIZE=0), a model built with er_model_from_graph, or a model that failed to load. */
const er_opt_stats *er_model_opt_stats(const edgert_model *m);

void er_tensor_info_fill(const er_tensor *t, edgert_tensor_info *info);

/* File mapping (mmap on POSIX, a read into memory elsewhere). */
edgert_status er_map_file(const char *path, void **mapping, size_t *size, char *err, size_t err_len);
void er_unmap_file(void *mapping, size_t size);

#endif
