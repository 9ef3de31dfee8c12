/* ONNX's shape-only ops: Reshape (a 0 entry copies the input's dim unless allowzero), Flatten (two dims
 * split at axis), Squeeze and Unsqueeze (axes from a constant input). As for TFLite's RESHAPE the element
 * order is unchanged, so eval is one copy (none when the planner shares the buffer). Semantics from the
 * ONNX operator spec (docs/Operators.md, Reshape-14, Flatten-13, Squeeze-13, Unsqueeze-13).
 *
 * The shape or axes input is read at prepare when constant. When it is computed at run time, the output
 * shape the model declares is used at prepare and eval checks that the input's values give that shape. */
#include <string.h>

#include "ops/movement.h"

static edgert_status check_same_dtype(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out) {
  if (in->dtype != out->dtype)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input is %s but output is %s", edgert_dtype_name(in->dtype),
                   edgert_dtype_name(out->dtype));
  return EDGERT_OK;
}

/* An index vector (or scalar) of at most ER_MAX_DIMS entries into values. */
static edgert_status read_index_vector(er_op_ctx *ctx, const er_tensor *t, const char *what, int32_t *count,
                                       int64_t *values) {
  edgert_status st = mv_check_index(ctx, t, what);
  if (st != EDGERT_OK) return st;
  if (t->ndim > 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "%s must be a vector", what);
  int64_t n = er_tensor_elements(t);
  if (n > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s has %lld entries, more than %d", what, (long long)n,
                   ER_MAX_DIMS);
  *count = (int32_t)n;
  for (int32_t i = 0; i < *count; i++)
    values[i] = mv_index_at(t, i);
  return EDGERT_OK;
}

/* Computes an output shape from the input values (at prepare or, deferred, at eval). */
typedef edgert_status (*shape_fn)(er_op_ctx *ctx, int32_t *ndim, int64_t *dims);

/* Sets the output shape now from `compute` when `decider` (the shape-deciding input, or NULL) is constant,
 * else from the model's declaration, remembering in op_data that eval must check it. */
static edgert_status prepare_shape(er_op_ctx *ctx, const er_tensor *decider, const char *what,
                                   shape_fn compute) {
  er_tensor *in = er_input(ctx, 0), *out = er_output(ctx, 0);
  edgert_status st = check_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  bool *deferred = er_persist_alloc(ctx, sizeof *deferred);
  if (!deferred) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = deferred;
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  *deferred = decider && !mv_is_const(decider);
  if (!*deferred) {
    if ((st = compute(ctx, &ndim, dims)) != EDGERT_OK) return st;
  } else {
    if ((st = mv_check_index(ctx, decider, what)) != EDGERT_OK) return st;
    if (!mv_declared_shape(out, &ndim, dims))
      return er_need_value(ctx, decider, what);
    if (er_shape_elements(ndim, dims) != er_tensor_elements(in))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "the declared output shape does not hold the input's elements");
  }
  return er_set_output_shape(ctx, out, ndim, dims);
}

static edgert_status reshape_shape(er_op_ctx *ctx, int32_t *out_ndim, int64_t *dims) {
  const er_onnx_reshape_attrs *attrs = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0);
  int32_t ndim;
  edgert_status st = read_index_vector(ctx, er_input(ctx, 1), "shape (input 1)", &ndim, dims);
  if (st != EDGERT_OK) return st;
  bool allow_zero = attrs && attrs->allow_zero;
  int64_t known = 1;
  int32_t stretch = -1;
  for (int32_t i = 0; i < ndim; i++) {
    if (dims[i] == 0 && !allow_zero) {
      if (i >= in->ndim)
        return er_fail(ctx, EDGERT_ERR_SHAPE, "shape[%d] = 0 copies a dim the input (rank %d) lacks", (int)i,
                       (int)in->ndim);
      dims[i] = in->dims[i];
    }
    if (dims[i] == -1) {
      if (stretch >= 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "shape has more than one -1");
      stretch = i;
      continue;
    }
    if (dims[i] < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "shape[%d] is %lld", (int)i, (long long)dims[i]);
    if (dims[i] != 0 && known > INT64_MAX / dims[i]) return er_fail(ctx, EDGERT_ERR_LIMIT, "shape overflows");
    known *= dims[i];
  }
  int64_t in_elements = er_tensor_elements(in);
  if (stretch >= 0) {
    if (known == 0 || in_elements % known != 0)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "cannot infer the -1 dim: %lld elements over %lld",
                     (long long)in_elements, (long long)known);
    dims[stretch] = in_elements / known;
  }
  if (er_shape_elements(ndim, dims) != in_elements) {
    char a[128], b[128];
    return er_fail(ctx, EDGERT_ERR_SHAPE, "cannot reshape %s to %s",
                   er_shape_str(in->ndim, in->dims, a, sizeof a), er_shape_str(ndim, dims, b, sizeof b));
  }
  *out_ndim = ndim;
  return EDGERT_OK;
}

static edgert_status onnx_reshape_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  return prepare_shape(ctx, er_input(ctx, 1), "shape (input 1)", reshape_shape);
}

static edgert_status flatten_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st != EDGERT_OK) return st;
  const er_flatten_attrs *attrs = er_attrs(ctx);
  er_tensor *in = er_input(ctx, 0), *out = er_output(ctx, 0);
  if ((st = check_same_dtype(ctx, in, out)) != EDGERT_OK) return st;
  int32_t axis = attrs ? attrs->axis : 1;
  if (axis < -in->ndim || axis > in->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "axis %d is outside [-%d, %d]", (int)axis, (int)in->ndim,
                   (int)in->ndim);
  if (axis < 0) axis += in->ndim;
  int64_t dims[2] = {mv_dims_product(in->dims, 0, axis), mv_dims_product(in->dims, axis, in->ndim)};
  return er_set_output_shape(ctx, out, 2, dims);
}

static edgert_status squeeze_shape(er_op_ctx *ctx, int32_t *out_ndim, int64_t *dims) {
  const er_tensor *in = er_input(ctx, 0), *axes_t = er_input(ctx, 1);
  edgert_status st;
  bool squeeze[ER_MAX_DIMS] = {false};
  if (!axes_t) {
    for (int32_t i = 0; i < in->ndim; i++)
      squeeze[i] = in->dims[i] == 1;
  } else {
    int32_t count;
    int64_t axes[ER_MAX_DIMS];
    if ((st = read_index_vector(ctx, axes_t, "axes (input 1)", &count, axes)) != EDGERT_OK) return st;
    for (int32_t k = 0; k < count; k++) {
      int32_t axis;
      if ((st = mv_normalize_axis(ctx, axes[k], in->ndim, &axis)) != EDGERT_OK) return st;
      if (in->dims[axis] != 1)
        return er_fail(ctx, EDGERT_ERR_SHAPE, "cannot squeeze dim %d of size %lld", (int)axis,
                       (long long)in->dims[axis]);
      squeeze[axis] = true;
    }
  }
  int32_t ndim = 0;
  for (int32_t i = 0; i < in->ndim; i++)
    if (!squeeze[i]) dims[ndim++] = in->dims[i];
  *out_ndim = ndim;
  return EDGERT_OK;
}

static edgert_status squeeze_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 2, 1);
  if (st != EDGERT_OK) return st;
  return prepare_shape(ctx, er_input(ctx, 1), "axes (input 1)", squeeze_shape);
}

/* Axes name positions in the output: rank + count places. */
static edgert_status unsqueeze_shape(er_op_ctx *ctx, int32_t *out_ndim, int64_t *dims) {
  const er_tensor *in = er_input(ctx, 0);
  edgert_status st;
  int32_t count;
  int64_t axes[ER_MAX_DIMS];
  if ((st = read_index_vector(ctx, er_input(ctx, 1), "axes (input 1)", &count, axes)) != EDGERT_OK) return st;
  int32_t ndim = in->ndim + count;
  if (ndim > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output rank %d is beyond %d", (int)ndim, ER_MAX_DIMS);
  bool inserted[ER_MAX_DIMS] = {false};
  for (int32_t k = 0; k < count; k++) {
    int32_t axis;
    if ((st = mv_normalize_axis(ctx, axes[k], ndim, &axis)) != EDGERT_OK) return st;
    if (inserted[axis]) return er_fail(ctx, EDGERT_ERR_SHAPE, "axis %d is repeated", (int)axis);
    inserted[axis] = true;
  }
  for (int32_t i = 0, j = 0; i < ndim; i++)
    dims[i] = inserted[i] ? 1 : in->dims[j++];
  *out_ndim = ndim;
  return EDGERT_OK;
}

static edgert_status unsqueeze_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  return prepare_shape(ctx, er_input(ctx, 1), "axes (input 1)", unsqueeze_shape);
}

static edgert_status copy(er_op_ctx *ctx) {
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (out->data != in->data && out->bytes) memmove(out->data, in->data, out->bytes);
  return EDGERT_OK;
}

/* Eval of the ops with a deferred shape: recompute it from the input values and check it first. */
static edgert_status checked_copy(er_op_ctx *ctx, shape_fn compute) {
  const bool *deferred = ctx->op_data;
  if (*deferred) {
    int32_t ndim;
    int64_t dims[ER_MAX_DIMS];
    edgert_status st = compute(ctx, &ndim, dims);
    if (st == EDGERT_OK) st = mv_check_deferred_shape(ctx, er_output(ctx, 0), ndim, dims);
    if (st != EDGERT_OK) return st;
  }
  return copy(ctx);
}

static edgert_status onnx_reshape_eval(er_op_ctx *ctx) { return checked_copy(ctx, reshape_shape); }
static edgert_status squeeze_eval(er_op_ctx *ctx) { return checked_copy(ctx, squeeze_shape); }
static edgert_status unsqueeze_eval(er_op_ctx *ctx) { return checked_copy(ctx, unsqueeze_shape); }

const er_kernel er_kernel_onnx_reshape = {.prepare = onnx_reshape_prepare, .eval = onnx_reshape_eval};
const er_kernel er_kernel_flatten = {.prepare = flatten_prepare, .eval = copy};
const er_kernel er_kernel_onnx_squeeze = {.prepare = squeeze_prepare, .eval = squeeze_eval};
const er_kernel er_kernel_unsqueeze = {.prepare = unsqueeze_prepare, .eval = unsqueeze_eval};
