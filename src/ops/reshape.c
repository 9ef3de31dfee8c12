/* RESHAPE, SQUEEZE and EXPAND_DIMS: ops that change only the shape. The element order is unchanged, so
 * eval is one copy (nothing when the planner gave input and output the same memory). Shapes follow
 * TFLite (tensorflow/lite/kernels/reshape.cc, squeeze.cc, expand_dims.cc): RESHAPE takes its shape from
 * input 1 when present, else from its options, with one -1 dim inferred from the element count. */
#include <string.h>

#include "ops/movement.h"

static edgert_status check_same_dtype(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out) {
  if (in->dtype != out->dtype)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input is %s but output is %s", edgert_dtype_name(in->dtype),
                   edgert_dtype_name(out->dtype));
  return EDGERT_OK;
}

/* The requested shape, before the -1 dim is resolved. */
static edgert_status requested_shape(er_op_ctx *ctx, int32_t *ndim, int64_t *dims) {
  const er_tensor *shape = er_input(ctx, 1);
  const er_reshape_attrs *attrs = er_attrs(ctx);
  bool shape_is_vector = shape && shape->ndim == 1 && mv_is_index_dtype(shape);
  if (shape_is_vector && (shape->kind == ER_TENSOR_CONST || !attrs || attrs->ndim < 0)) {
    edgert_status st = mv_check_const_index(ctx, shape, "shape (input 1)");
    if (st != EDGERT_OK) return st;
    if (shape->dims[0] > ER_MAX_DIMS)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "shape has %lld dims, more than %d",
                     (long long)shape->dims[0], ER_MAX_DIMS);
    *ndim = (int32_t)shape->dims[0];
    for (int32_t i = 0; i < *ndim; i++)
      dims[i] = mv_index_at(shape, i);
    return EDGERT_OK;
  }
  if (!attrs || attrs->ndim < 0)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "no shape: neither a shape input nor a new_shape option");
  if (attrs->ndim > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "new_shape has %d dims, more than %d", (int)attrs->ndim,
                   ER_MAX_DIMS);
  *ndim = attrs->ndim;
  memcpy(dims, attrs->new_shape, sizeof(int64_t) * (size_t)*ndim);
  /* Old converters wrote [0] for a scalar (TFLite keeps this reading). */
  if (*ndim == 1 && dims[0] == 0) *ndim = 0;
  return EDGERT_OK;
}

static edgert_status reshape_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 2, 1);
  if (st != EDGERT_OK) return st;
  er_tensor *in = er_input(ctx, 0), *out = er_output(ctx, 0);
  if ((st = check_same_dtype(ctx, in, out)) != EDGERT_OK) return st;
  int32_t ndim = 0;
  int64_t dims[ER_MAX_DIMS];
  if ((st = requested_shape(ctx, &ndim, dims)) != EDGERT_OK) return st;
  int64_t in_elements = er_tensor_elements(in), known = 1;
  int32_t stretch = -1;
  for (int32_t i = 0; i < ndim; i++) {
    if (dims[i] == -1) {
      if (stretch >= 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "shape has more than one -1 dim");
      stretch = i;
    } else if (dims[i] < 0) {
      return er_fail(ctx, EDGERT_ERR_SHAPE, "shape dim %d is %lld", (int)i, (long long)dims[i]);
    } else {
      if (dims[i] != 0 && known > INT64_MAX / dims[i])
        return er_fail(ctx, EDGERT_ERR_LIMIT, "shape overflows");
      known *= dims[i];
    }
  }
  if (stretch >= 0) dims[stretch] = known == 0 ? 0 : in_elements / known;
  int64_t out_elements = er_shape_elements(ndim, dims);
  if (out_elements != in_elements) {
    char a[128], b[128];
    return er_fail(ctx, EDGERT_ERR_SHAPE, "cannot reshape %s (%lld elements) to %s",
                   er_shape_str(in->ndim, in->dims, a, sizeof a), (long long)in_elements,
                   er_shape_str(ndim, dims, b, sizeof b));
  }
  return er_set_output_shape(ctx, out, ndim, dims);
}

static edgert_status squeeze_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st != EDGERT_OK) return st;
  er_tensor *in = er_input(ctx, 0), *out = er_output(ctx, 0);
  if ((st = check_same_dtype(ctx, in, out)) != EDGERT_OK) return st;
  const er_squeeze_attrs *attrs = er_attrs(ctx);
  bool squeeze[ER_MAX_DIMS] = {false};
  int32_t count = attrs ? attrs->count : 0;
  if (count < 0 || count > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "bad squeeze dim count %d", count);
  if (count == 0) {
    for (int32_t i = 0; i < in->ndim; i++)
      squeeze[i] = in->dims[i] == 1;
  }
  for (int32_t k = 0; k < count; k++) {
    int32_t axis;
    if ((st = mv_normalize_axis(ctx, attrs->dims[k], in->ndim, &axis)) != EDGERT_OK) return st;
    if (in->dims[axis] != 1)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "cannot squeeze dim %d of size %lld", (int)axis,
                     (long long)in->dims[axis]);
    squeeze[axis] = true;
  }
  int64_t dims[ER_MAX_DIMS];
  int32_t ndim = 0;
  for (int32_t i = 0; i < in->ndim; i++)
    if (!squeeze[i]) dims[ndim++] = in->dims[i];
  return er_set_output_shape(ctx, out, ndim, dims);
}

static edgert_status expand_dims_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  er_tensor *in = er_input(ctx, 0), *axis_t = er_input(ctx, 1), *out = er_output(ctx, 0);
  if ((st = check_same_dtype(ctx, in, out)) != EDGERT_OK) return st;
  if ((st = mv_check_const_index(ctx, axis_t, "axis (input 1)")) != EDGERT_OK) return st;
  if (er_tensor_elements(axis_t) != 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "axis must hold one value");
  if (in->ndim >= ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input rank %d is at the limit", in->ndim);
  int32_t axis;
  /* The new dim may go anywhere from before the first dim to after the last: rank + 1 places. */
  if ((st = mv_normalize_axis(ctx, mv_index_at(axis_t, 0), in->ndim + 1, &axis)) != EDGERT_OK) return st;
  int64_t dims[ER_MAX_DIMS];
  for (int32_t i = 0, j = 0; i <= in->ndim; i++)
    dims[i] = i == axis ? 1 : in->dims[j++];
  return er_set_output_shape(ctx, out, in->ndim + 1, dims);
}

static edgert_status copy_eval(er_op_ctx *ctx) {
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (out->data != in->data && out->bytes) memmove(out->data, in->data, out->bytes);
  return EDGERT_OK;
}

const er_kernel er_kernel_reshape = {.prepare = reshape_prepare, .eval = copy_eval};
const er_kernel er_kernel_squeeze = {.prepare = squeeze_prepare, .eval = copy_eval};
const er_kernel er_kernel_expand_dims = {.prepare = expand_dims_prepare, .eval = copy_eval};
