/* Outputs whose size only eval knows (NonMaxSuppression's selected rows). The IR has no data-dependent
 * shapes, so such a kernel plans the largest size the output can take at prepare (er_set_output_shape)
 * and, at eval, cuts the leading dim to the rows it wrote with er_shrink_leading_dim. That is sound only
 * for a tensor no node reads, since a consumer was prepared for the planned size: a graph output of the
 * main graph (subgraph outputs feed their parent op). er_output_is_terminal tells, at prepare. The caller
 * then sees the shrunk shape through edgert_interpreter_output_info; the arena keeps the planned size,
 * and the next prepare plans the largest size again. */
#ifndef EDGERT_CORE_DYNAMIC_OUTPUT_H
#define EDGERT_CORE_DYNAMIC_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kernel.h"

/* True when t (one of the node's outputs) is an output of the main graph that no node reads. */
bool er_output_is_terminal(const er_op_ctx *ctx, const er_tensor *t);

/* At eval: sets t's leading dim to rows (at most the planned one) and its byte size to match. Fails
 * (with a message) when rows is negative or above what prepare planned. */
edgert_status er_shrink_leading_dim(er_op_ctx *ctx, er_tensor *t, int64_t rows, int64_t planned_rows);

#endif
