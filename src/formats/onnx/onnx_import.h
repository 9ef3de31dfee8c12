/* The ONNX importer: reads a ModelProto (protobuf wire format, see protobuf.h) and builds the IR graph of
 * its main graph, and of the bodies of control-flow nodes as subgraphs (graph.h). Each node is handed to
 * the op family mapper chosen by its domain, op type and the model's opset for that domain
 * (onnx_map.h). Weights stored as raw_data stay in the model bytes when suitably aligned (zero-copy), so
 * the bytes must outlive the graph; other tensor encodings are decoded into graph memory. Every length,
 * index and name reference is checked; any input, however corrupt, gives a graph or one error line. */
#ifndef EDGERT_FORMATS_ONNX_IMPORT_H
#define EDGERT_FORMATS_ONNX_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/graph.h"
#include "edgert.h"

/* Cheap check: the bytes parse as the top level of a ModelProto that has a graph. */
bool er_onnx_is_model(const uint8_t *data, size_t size);

/* Builds *graph from the model bytes. model_dir is the directory of the model file, where tensors with
 * external data are looked for (NULL: external data is refused). limits (NULL: the defaults) bounds the
 * operator count as nodes are read. *graph is overwritten (not freed
 * first). On success the graph owns its memory (er_graph_free); on failure it is freed and left empty,
 * and err holds one line naming what failed and where. The caller runs er_graph_finish on the graph. */
edgert_status er_onnx_import(const uint8_t *data, size_t size, const char *model_dir,
                             const edgert_limits *limits, er_graph *graph, char *err, size_t err_len);

/* Decodes one serialized TensorProto (e.g. an ONNX test's input_0.pb) into *t: dtype, shape and data.
 * The data points into `data` when raw and aligned, else into memory from owner's pool (freed with
 * er_graph_free(owner)). External data is refused. */
edgert_status er_onnx_read_tensor(const uint8_t *data, size_t size, er_graph *owner, er_tensor *t, char *err,
                                  size_t err_len);

#endif
