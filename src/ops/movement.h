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
