/* The contract between the ONNX importer (onnx_import.c) and the op mappers (onnx_ops_<family>.c).
 *
 * The importer reads a NodeProto, finds the mapper for (domain, op_type) whose since_opset is the highest
 * not above the model's opset for that domain, and calls it with an er_onnx_node view. The mapper picks the
 * IR op kind, fills its attrs struct (from src/core/attrs*.h) and may reorder inputs. By default the IR
 * node's inputs and outputs are the ONNX node's, in order, with absent optional inputs ("" names) as -1.
 * Every failure names the node: "Conv node 'conv1' (ai.onnx opset 13): <message>". */
#ifndef EDGERT_FORMATS_ONNX_MAP_H
#define EDGERT_FORMATS_ONNX_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/graph.h"

typedef struct er_onnx_node er_onnx_node;

typedef edgert_status (*er_onnx_map_fn)(er_onnx_node *n);

typedef struct {
  const char *domain;  /* "" for the default ai.onnx domain, "com.microsoft", ... */
  const char *op_type; /* "Conv" */
  int since_opset;     /* this mapper handles opsets since_opset and later, until a higher entry */
  er_onnx_map_fn map;
} er_onnx_op_mapping;

/* Facts about the node. */
const char *er_onnx_op_type(const er_onnx_node *n);
const char *er_onnx_node_name(const er_onnx_node *n);
int er_onnx_opset(const er_onnx_node *n); /* the model's opset for the node's domain */
int er_onnx_input_count(const er_onnx_node *n);
int er_onnx_output_count(const er_onnx_node *n);
bool er_onnx_input_present(const er_onnx_node *n, int i);
/* The IR tensor of input/output i (its dtype, declared shape, and data when constant), or NULL. */
const er_tensor *er_onnx_input(const er_onnx_node *n, int i);
const er_tensor *er_onnx_output(const er_onnx_node *n, int i);
/* Input i when it is a constant known at import (initializer or Constant node), else NULL. */
const er_tensor *er_onnx_const_input(const er_onnx_node *n, int i);

/* Attributes. Each returns false when the attribute is absent (outputs untouched) and true when
 * present and of the right type; a present attribute of another type fails the import (the accessor
 * records the error and returns false; er_onnx_failed tells them apart). */
bool er_onnx_attr_int(er_onnx_node *n, const char *name, int64_t *value);
bool er_onnx_attr_float(er_onnx_node *n, const char *name, float *value);
/* The string is not NUL-terminated; it points into the model bytes. */
bool er_onnx_attr_string(er_onnx_node *n, const char *name, const char **str, size_t *len);
/* Repeated ints/floats: *count receives how many there are; at most cap are copied; more than cap fails. */
bool er_onnx_attr_ints(er_onnx_node *n, const char *name, int64_t *values, int cap, int *count);
bool er_onnx_attr_floats(er_onnx_node *n, const char *name, float *values, int cap, int *count);
/* A TensorProto attribute as a new constant tensor of the graph; *tensor_id receives its id. */
bool er_onnx_attr_tensor(er_onnx_node *n, const char *name, int32_t *tensor_id);
/* A GraphProto attribute (If/Loop/Scan bodies) as a subgraph index of the graph; see graph.h. */
bool er_onnx_attr_graph(er_onnx_node *n, const char *name, int32_t *subgraph);
/* Attribute names the mapper did not read are refused after it returns, unless it calls this. */
void er_onnx_ignore_attr(er_onnx_node *n, const char *name);
bool er_onnx_failed(const er_onnx_node *n);

/* Building the IR node. */
void er_onnx_set_op(er_onnx_node *n, er_op op);
/* Zeroed attrs storage owned by the graph, attached to the node; NULL (error recorded) on no memory. */
void *er_onnx_new_attrs(er_onnx_node *n, size_t bytes);
/* Replaces the IR node's inputs: ids[k] >= 0 is ONNX input ids[k], -1 an absent input. */
edgert_status er_onnx_set_inputs(er_onnx_node *n, int count, const int *onnx_inputs);
/* A new constant tensor owned by the graph (for values a mapper derives); returns the tensor id or -1
 * and *data receives zeroed storage of the right size. Use with er_onnx_set_input_tensor. */
int32_t er_onnx_add_const(er_onnx_node *n, edgert_dtype dtype, int ndim, const int64_t *dims, void **data);
/* Sets IR input k to tensor id (from er_onnx_add_const or er_onnx_input*). */
edgert_status er_onnx_set_input_tensor(er_onnx_node *n, int k, int32_t tensor_id);

/* The dtype of output i when the model declares none (graph output or value_info). Before a mapper
 * runs, each undeclared output takes the dtype of the node's first present input (float32 when it has
 * none); mappers of ops whose outputs differ (Shape, comparisons, Cast, ArgMax...) set it here. */
void er_onnx_set_output_dtype(er_onnx_node *n, int i, edgert_dtype dtype);
/* Output i of the node is not computed by it: its name refers to the existing tensor tensor_id (an
 * input, or a constant from er_onnx_add_const / er_onnx_attr_tensor). A mapper that never calls
 * er_onnx_set_op adds no IR node; then every output must be forwarded (Identity, Constant). */
edgert_status er_onnx_forward_output(er_onnx_node *n, int i, int32_t tensor_id);
/* The tensor id of ONNX input i (-1 when absent), for er_onnx_forward_output / set_input_tensor. */
int32_t er_onnx_input_id(const er_onnx_node *n, int i);

/* Records "<op> node '<name>' (<domain> opset N): <message>" and returns status. */
edgert_status er_onnx_fail(er_onnx_node *n, edgert_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Helpers shared by mappers. Reads an int attribute with a default; false only on a type error. */
bool er_onnx_attr_int_or(er_onnx_node *n, const char *name, int64_t fallback, int64_t *value);
bool er_onnx_attr_float_or(er_onnx_node *n, const char *name, float fallback, float *value);

/* The mapper tables of each op family (onnx_ops_<family>.c); onnx_ops.c searches them all. */
#define ER_ONNX_FAMILY(name)                                                                          \
  extern const er_onnx_op_mapping er_onnx_ops_##name[];                                               \
  extern const size_t er_onnx_ops_##name##_count;
#include "formats/onnx/onnx_families.def"
#undef ER_ONNX_FAMILY

/* The mapper for a node, or NULL. */
const er_onnx_op_mapping *er_onnx_find_mapping(const char *domain, size_t domain_len, const char *op_type,
                                               size_t op_type_len, int opset);

#endif
