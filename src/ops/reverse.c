/* REVERSE_V2: reverse the order of elements along the axes listed in input 1 (TFLite reverse.cc,
 * reference_ops::Reverse), for every dtype (elements are moved by size, never looked at). Axes are int32
 * or int64, negative counting from the back, each at most once; they are read and checked at eval,
 * since a model may compute them. */
#include <stdbool.h>
#include <string.h>

#include "ops/movement.h"

static edgert_status reverse_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *axes = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (out->dtype != in->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if (!mv_is_index_dtype(axes))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "axis is %s, expected int32 or int64",
                   edgert_dtype_name(axes->dtype));
  if (axes->ndim != 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "axis must be 1-D, is %d-D", (int)axes->ndim);
  if (axes->dims[0] > in->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "%lld axes for a rank-%d input", (long long)axes->dims[0],
                   (int)in->ndim);
  return er_set_output_shape(ctx, out, in->ndim, in->dims);
}

static edgert_status reverse_eval(er_op_ctx *ctx) {
  const er_tensor *in = er_input(ctx, 0), *axes = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  bool reversed[ER_MAX_DIMS] = {false};
  int64_t n_axes = axes->dims[0];
  for (int64_t i = 0; i < n_axes; i++) {
    int32_t axis;
    edgert_status st = mv_normalize_axis(ctx, mv_index_at(axes, i), in->ndim, &axis);
    if (st != EDGERT_OK) return st;
    if (reversed[axis]) return er_fail(ctx, EDGERT_ERR_RUNTIME, "axis %d is listed twice", (int)axis);
    reversed[axis] = true;
  }
  if (er_tensor_elements(in) == 0) return EDGERT_OK;
  /* Walk the output in order; a reversed dim reads the input backwards from its last index. */
  int64_t strides[ER_MAX_DIMS];
  mv_strides(in->ndim, in->dims, strides);
  int64_t start = 0;
  for (int32_t d = 0; d < in->ndim; d++) {
    if (!reversed[d]) continue;
    start += (in->dims[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  size_t elem = edgert_dtype_size(in->dtype);
  mv_copy_strided(out->data, (const unsigned char *)in->data + (size_t)start * elem, in->ndim, in->dims,
                  strides, elem);
  return EDGERT_OK;
}

const er_kernel er_kernel_reverse_v2 = {.prepare = reverse_prepare, .eval = reverse_eval};
