/* Helpers shared by the shape and data-movement kernels (reshape, transpose, concat, split, slice, pad,
 * gather, tile, fill, space/depth, resize): reading int32/int64 index tensors such as shapes, paddings
 * and axes, normalizing axes, and one strided copy that walks an output in order while reading the input
 * through arbitrary per-dim strides (transpose, broadcast, slice and the space/depth shuffles are all
 * such a walk). These kernels move elements without looking at their values, so they work for every
 * dtype by element size. */
#ifndef EDGERT_OPS_MOVEMENT_H
#define EDGERT_OPS_MOVEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kernel.h"

/* True when t holds int32 or int64 indices. */
bool mv_is_index_dtype(const er_tensor *t);

/* Element i of an int32/int64 tensor (caller checked the dtype and that i is in range). */
int64_t mv_index_at(const er_tensor *t, int64_t i);

/* Checks that an index input (shape, paddings, axis, ...) is int32/int64 and constant, so that the
 * output shape is known at prepare. `what` names it in the message. */
edgert_status mv_check_const_index(er_op_ctx *ctx, const er_tensor *t, const char *what);

/* Checks only that an index input is int32/int64 with a valid shape (its data may come at eval). */
edgert_status mv_check_index(er_op_ctx *ctx, const er_tensor *t, const char *what);

/* The first of inputs first..last that is not a constant: asks the interpreter for its value (see
 * er_need_value) and returns the error prepare returns; `what` names the inputs in the message. */
edgert_status mv_need_value(er_op_ctx *ctx, int first, int last, const char *what);

/* True when t's data is known at prepare. */
static inline bool mv_is_const(const er_tensor *t) { return t->kind == ER_TENSOR_CONST && t->data; }

/* For an ONNX input that decides an output's shape but is computed at run time (e.g. a graph input, as in
 * the ONNX test models): the shape the model declares for `out` stands in at prepare, when it declares a
 * static one. Sets *ndim and dims and returns true then; false when the model leaves the shape open. The
 * kernel must recompute the shape from the input's values at eval and fail the invoke when it differs
 * (mv_check_deferred_shape). */
bool mv_declared_shape(const er_tensor *out, int32_t *ndim, int64_t *dims);

/* At eval: fails (with a message naming the declared and the computed shape) unless out has this shape. */
edgert_status mv_check_deferred_shape(er_op_ctx *ctx, const er_tensor *out, int32_t ndim,
                                      const int64_t *dims);

/* The common form of the above for one-output ops. compute derives the output shape (and the op's plan,
 * when it has one) from the input values; plans begin with an mv_deferred. mv_prepare_shape computes now
 * when inputs first..last (those deciding the shape; absent ones count as constant) are constant, else
 * takes the declared shape and marks the plan deferred (plan_bytes >= sizeof(mv_deferred); the plan is
 * ctx->op_data). mv_eval_deferred_shape, at the start of eval, recomputes a deferred plan from the values
 * and fails unless they give the declared shape. */
typedef edgert_status (*mv_shape_fn)(er_op_ctx *ctx, void *plan, int32_t *ndim, int64_t *dims);
typedef struct {
  bool deferred;
} mv_deferred;
edgert_status mv_prepare_shape(er_op_ctx *ctx, int first, int last, size_t plan_bytes, mv_shape_fn compute);
edgert_status mv_eval_deferred_shape(er_op_ctx *ctx, mv_shape_fn compute);

/* Axis in [-rank, rank) made non-negative into *axis; fails with a message otherwise. */
edgert_status mv_normalize_axis(er_op_ctx *ctx, int64_t axis, int32_t rank, int32_t *out);

/* Product of dims[from..to); dims are already known to give a valid element count. */
int64_t mv_dims_product(const int64_t *dims, int32_t from, int32_t to);

/* Copies the output in order, element (i0..i{n-1}) taken from in + sum(ik * in_strides[k]) elements.
 * Strides may be zero (broadcast) or negative (reversal); the caller guarantees every read is in
 * bounds. ndim may be 0 (one element). */
void mv_copy_strided(void *out, const void *in, int32_t ndim, const int64_t *out_dims,
                     const int64_t *in_strides, size_t elem_size);

/* Fills count elements of elem_size bytes with the value at `value`. */
void mv_fill(void *out, const void *value, int64_t count, size_t elem_size);

/* Row-major element strides of a shape. */
void mv_strides(int32_t ndim, const int64_t *dims, int64_t *strides);

#endif
