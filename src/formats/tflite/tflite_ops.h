/* TFLite operators -> IR ops: the builtin code of each TFLite operator, the er_op it becomes, and the
 * parsing of its builtin options into the op's attrs struct (core/attrs.h). Used by tflite_import.c. */
#ifndef EDGERT_FORMATS_TFLITE_OPS_H
#define EDGERT_FORMATS_TFLITE_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "core/graph.h"
#include "formats/tflite/flatbuf.h"

/* The TFLite builtin code of a custom operator (BuiltinOperator CUSTOM). */
#define ER_TFLITE_CUSTOM 32

/* What the mapping needs to know about one operator. The node's op, inputs and outputs are filled and
 * checked against the graph's tensors before er_tflite_map_op runs. */
typedef struct {
  er_fb *fb;
  er_graph *graph;
  er_node *node;     /* node->op and node->attrs are set by er_tflite_map_op */
  int32_t builtin;   /* BuiltinOperator code */
  int32_t index;     /* operator index in the subgraph, for messages */
  er_fb_table table; /* the Operator table */
  char *err;
  size_t err_len;
} er_tflite_op;

/* The schema's name of a builtin code ("CONV_2D"), or "UNKNOWN" when the code is not in the schema. */
const char *er_tflite_builtin_name(int32_t code);

/* True when the builtin code maps to an IR op. */
bool er_tflite_builtin_supported(int32_t code);

/* True for the custom operator names edgert runs (TFLite_Detection_PostProcess); the importer refuses
 * every other custom op by name. */
bool er_tflite_custom_supported(const char *name, size_t len);

/* Sets node->op and node->attrs for the operator. Fails with EDGERT_ERR_UNSUPPORTED (message "unsupported
 * builtin op NAME (code N, operator K)") when edgert has no such op, or with a message naming the op
 * and option when the options are malformed or use a feature edgert does not run. */
edgert_status er_tflite_map_op(er_tflite_op *op);

/* TFLite TensorType -> edgert dtype; false for types edgert does not hold (STRING, COMPLEX64, ...). */
bool er_tflite_dtype(int8_t type, edgert_dtype *out);
/* The schema's name of a TensorType ("COMPLEX64"), or "UNKNOWN". */
const char *er_tflite_type_name(int8_t type);

#endif
