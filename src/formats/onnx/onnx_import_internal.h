/* Internals shared by the ONNX importer's two halves: onnx_import.c (walking ModelProto and GraphProto,
 * building graphs and subgraphs) and onnx_node.c (the mapper API of onnx_map.h over one NodeProto). Not
 * for use outside src/formats/onnx. */
#ifndef EDGERT_FORMATS_ONNX_IMPORT_INTERNAL_H
#define EDGERT_FORMATS_ONNX_IMPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/graph.h"
#include "core/limits.h"
#include "formats/onnx/onnx_map.h"
#include "formats/onnx/protobuf.h"

#define MAX_GRAPH_DEPTH 8 /* If inside Loop inside If...: real models nest two or three deep */
#define MAX_OPSETS 64
#define TENSOR_CHUNK 256

/* ModelProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto field numbers (onnx/onnx.proto3). */
enum { MODEL_IR_VERSION = 1, MODEL_OPSET_IMPORT = 8, MODEL_GRAPH = 7 };
enum {
  GRAPH_NODE = 1,
  GRAPH_INITIALIZER = 5,
  GRAPH_INPUT = 11,
  GRAPH_OUTPUT = 12,
  GRAPH_VALUE_INFO = 13,
  GRAPH_SPARSE_INITIALIZER = 15
};
enum {
  NODE_INPUT = 1,
  NODE_OUTPUT = 2,
  NODE_NAME = 3,
  NODE_OP_TYPE = 4,
  NODE_ATTRIBUTE = 5,
  NODE_DOMAIN = 7
};
enum {
  ATTR_NAME = 1,
  ATTR_F = 2,
  ATTR_I = 3,
  ATTR_S = 4,
  ATTR_T = 5,
  ATTR_G = 6,
  ATTR_FLOATS = 7,
  ATTR_INTS = 8,
  ATTR_STRINGS = 9,
  ATTR_TENSORS = 10,
  ATTR_GRAPHS = 11,
  ATTR_TYPE = 20,
  ATTR_REF_ATTR_NAME = 21,
  ATTR_SPARSE_TENSOR = 22
};
/* AttributeProto.AttributeType */
enum { AT_FLOAT = 1, AT_INT = 2, AT_STRING = 3, AT_TENSOR = 4, AT_GRAPH = 5, AT_FLOATS = 6, AT_INTS = 7 };

typedef struct {
  const char *s;
  size_t len;
} span;

typedef struct {
  span key;
  int32_t id;          /* tensor id, or -1 */
  const uint8_t *type; /* declared TypeProto bytes (declared-types table) */
  size_t type_offset, type_len;
} name_entry;

typedef struct {
  name_entry *slots;
  size_t cap, used;
} name_table;

typedef struct {
  span domain;
  int64_t version;
} opset;

/* One import: the model-wide facts and where the error line goes. */
typedef struct importer {
  const char *model_dir;
  er_pb_error pb;
  er_graph *root; /* owns the pool of every graph */
  char *err;
  size_t err_len;
  opset opsets[MAX_OPSETS];
  int n_opsets;
  edgert_limits limits; /* resolved */
  int64_t nodes;        /* operators imported so far, subgraphs included (limits.max_nodes) */
} importer;

/* One graph being built (the main graph or a subgraph): its tensors, the names visible in it, nodes,
 * inputs and captures, in growable arrays that scope_to_graph copies into the root graph's pool. */
typedef struct scope scope;
struct scope {
  importer *im;
  scope *parent;
  int depth;
  er_tensor **chunks;
  int32_t n_chunks, n_tensors;
  name_table names, declared;
  er_node *nodes;
  int32_t n_nodes, cap_nodes;
  int32_t *inputs;
  int32_t n_inputs, cap_inputs, n_formal_inputs;
  int32_t *captures;
  int32_t n_captures, cap_captures;
  er_graph *subgraphs;
  int32_t n_subgraphs, cap_subgraphs;
};

/* An attribute of the node being mapped; `read` marks those a mapper asked for. */
typedef struct {
  span name;
  int64_t type;
  er_pb_reader body; /* the AttributeProto's bytes */
  bool read;
} attribute;

/* The node a mapper sees (onnx_map.h): ONNX inputs/outputs as tensor ids and what the mapper sets. */
struct er_onnx_node {
  scope *sc;
  int32_t index;
  char op_type[64], name[96], domain[64];
  int opset;
  int n_in, n_out;
  int32_t *in_ids, *out_ids;
  bool *out_declared, *out_forwarded;
  attribute *attrs;
  int n_attrs;
  bool op_set, failed;
  er_op op;
  const void *op_attrs;
  int32_t *ir_inputs;
  int n_ir_inputs;
  int32_t first_subgraph; /* subgraphs this node created: [first_subgraph, sc->n_subgraphs) */
  edgert_status status;
};

/* Formats the import's one error line; returns st. */
edgert_status er_onnx_import_fail(importer *im, edgert_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
edgert_status er_onnx_no_memory(importer *im);
/* Grows a malloc'ed array to hold `need` elements; false when out of memory. */
bool er_onnx_grow(void **array, int32_t *cap, int32_t need, size_t elem);
bool er_onnx_same_span(span a, span b);
/* Tensor id of a scope: its storage (stable while the scope grows). */
er_tensor *er_onnx_tensor_at(const scope *sc, int32_t id);
/* A new zeroed tensor named `name` (copied into the graph pool); its id, or -1 when out of memory. */
int32_t er_onnx_new_tensor(scope *sc, span name);
/* The first field `number` of an attribute's body with the given wire type. */
bool er_onnx_attr_field(const attribute *a, uint32_t number, int wire, er_pb_field *out);
edgert_status er_onnx_build_subgraph(scope *sc, er_pb_reader *body, const char *attr_name, int32_t *index);

#endif
