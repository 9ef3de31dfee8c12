/* The TensorFlow Lite importer: reads a .tflite FlatBuffer (schema version 3) and builds the IR graph of
 * its subgraph 0. Constant weights stay where they are in the model bytes (zero-copy), so the bytes must
 * outlive the graph. Every offset, index and size in the file is checked; any input, however corrupt,
 * gives either a graph or an error message naming what is wrong and where. */
#ifndef EDGERT_FORMATS_TFLITE_IMPORT_H
#define EDGERT_FORMATS_TFLITE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/graph.h"
#include "edgert.h"

/* True when the bytes carry the TFLite file identifier "TFL3" at bytes 4..8. */
bool er_tflite_is_model(const uint8_t *data, size_t size);

/* Builds *graph from the model bytes, refusing more operators than limits allow (NULL: the defaults)
 * before allocating for them. *graph is overwritten (not freed first). On success the graph owns
 * its memory (free with er_graph_free) and its constant tensors point into `data`. On failure the graph
 * is freed and left empty, and err (when err_len > 0) holds one line naming what failed and where. */
edgert_status er_tflite_import(const uint8_t *data, size_t size, const edgert_limits *limits, er_graph *graph,
                               char *err, size_t err_len);

#endif
