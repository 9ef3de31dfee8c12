/* Running a subgraph (the body of an ONNX If, Loop or Scan) from a control-flow kernel.
 *
 * At prepare the kernel gives the body's formal inputs their dtypes and shapes; the captured outer values
 * take those of the node's capture inputs. The body then gets an interpreter of its own (planned with
 * its own arena), owned by the node's interpreter and freed with its plan. At eval the kernel binds the
 * formal inputs, the captures are copied in from the node's inputs, and the body runs.
 * When a value inside the body decides a shape (a Slice whose bounds come from the iteration number),
 * the body's interpreter plans again at run time, as the top-level interpreter does for such inputs; its
 * output shapes are then unknown at prepare (er_subgraph.planned is false). */
#ifndef EDGERT_CORE_SUBGRAPH_H
#define EDGERT_CORE_SUBGRAPH_H

#include <stdbool.h>

#include "core/kernel.h"
#include "core/model.h"

typedef struct {
  edgert_model model;         /* wraps the subgraph with input tensors carrying the actual shapes */
  edgert_interpreter *interp; /* owned by the node's interpreter */
  int32_t n_formal, n_captures;
  int32_t first_capture; /* node input holding the first captured value */
  bool planned;          /* output shapes are known from prepare */
} er_subgraph;

/* The number of captured values of subgraph `index` of the node's graph (0 when the index is bad). */
int32_t er_subgraph_capture_count(const er_op_ctx *ctx, int32_t index);
/* Number of formal inputs / outputs of subgraph `index`, or -1 when the index is bad. */
int32_t er_subgraph_formal_count(const er_op_ctx *ctx, int32_t index);
int32_t er_subgraph_output_count(const er_op_ctx *ctx, int32_t index);
/* The declared (import-time) tensor of output i of subgraph `index`, or NULL. */
const er_tensor *er_subgraph_declared_output(const er_op_ctx *ctx, int32_t index, int32_t i);

/* Subgraph `index` of the node's graph as imported, or NULL. */
const er_graph *er_subgraph_graph(const er_op_ctx *ctx, int32_t index);
/* The shape the model declares for output i of the node (import-time facts). */
const er_tensor *er_declared_output(const er_op_ctx *ctx, int32_t i);

/* Prepares subgraph `index` with formal inputs shaped as formal[0..n_formal) (dtype, ndim, dims) and its
 * captures from node inputs first_capture... For prepare only; *out lives in persistent memory. */
edgert_status er_subgraph_prepare(er_op_ctx *ctx, int32_t index, const er_tensor *formal, int32_t n_formal,
                                  int32_t first_capture, er_subgraph **out);

/* Binds the formal inputs (formal[i] holds exactly the prepared bytes of input i) and the captures, and
 * runs the body. Failures are recorded on the node's interpreter. */
edgert_status er_subgraph_run(er_op_ctx *ctx, er_subgraph *s, const void *const *formal);

/* Output i of the body after a run (or after prepare when planned): its shape and data. */
bool er_subgraph_output(const er_subgraph *s, int32_t i, edgert_tensor_info *info, const void **data);

#endif
