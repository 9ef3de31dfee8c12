/* SPLIT, SPLIT_V and UNPACK: cut the input along one axis into the outputs (TFLite split.cc, split_v.cc,
 * unpack.cc). All three are the same copy: viewing the input as [outer, axis, inner], output k takes its
 * block of rows from every outer index. UNPACK is SPLIT into pieces of one with the axis removed.
 *
 * TFLite's SPLIT takes (axis, input); its axis tensor must be constant here. When the node has only the
 * data input, the axis comes from the options (an importer that folded it). SPLIT_V's sizes are read at
 * prepare when constant; when computed at run time (ONNX Split fed by a graph input), the outputs'
 * declared shapes give the sizes and eval checks the values against them. */
#include <string.h>

#include "ops/movement.h"

typedef struct {
  int32_t n_outputs;
  int64_t *deferred_sizes; /* SPLIT_V with run-time sizes: the sizes taken from the declared shapes */
  int64_t outer;
  int64_t in_row;   /* input elements per outer index: axis size * inner */
  int64_t blocks[]; /* elements per outer index that output k takes */
} split_data;

static split_data *alloc_data(er_op_ctx *ctx, int32_t n) {
  split_data *d = er_persist_alloc(ctx, sizeof(split_data) + sizeof(int64_t) * (size_t)n);
  if (d) d->n_outputs = n;
  return d;
}

/* A scalar axis from a constant tensor. */
static edgert_status axis_from_tensor(er_op_ctx *ctx, const er_tensor *t, int32_t rank, int32_t *axis) {
  edgert_status st = mv_check_const_index(ctx, t, "axis");
  if (st != EDGERT_OK) return st;
  if (er_tensor_elements(t) != 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "axis must hold one value");
  return mv_normalize_axis(ctx, mv_index_at(t, 0), rank, axis);
}

/* Sets every output's shape (input shape with sizes[k] on the axis, or the axis removed) and plans. */
static edgert_status plan_outputs(er_op_ctx *ctx, const er_tensor *in, int32_t axis, const int64_t *sizes,
                                  bool drop_axis) {
  int32_t n = ctx->node->n_outputs;
  split_data *d = alloc_data(ctx, n);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  int64_t inner = mv_dims_product(in->dims, axis + 1, in->ndim);
  d->outer = mv_dims_product(in->dims, 0, axis);
  d->in_row = in->dims[axis] * inner;
  for (int32_t k = 0; k < n; k++) {
    er_tensor *out = er_output(ctx, k);
    if (!out) return er_fail(ctx, EDGERT_ERR_MALFORMED, "output %d is missing", (int)k);
    if (out->dtype != in->dtype)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "output %d dtype differs from input", (int)k);
    int64_t dims[ER_MAX_DIMS];
    int32_t ndim = 0;
    for (int32_t i = 0; i < in->ndim; i++) {
      if (i != axis)
        dims[ndim++] = in->dims[i];
      else if (!drop_axis)
        dims[ndim++] = sizes[k];
    }
    edgert_status st = er_set_output_shape(ctx, out, ndim, dims);
    if (st != EDGERT_OK) return st;
    d->blocks[k] = sizes[k] * inner;
  }
  ctx->op_data = d;
  return EDGERT_OK;
}

static edgert_status split_prepare(er_op_ctx *ctx) {
  int32_t n = ctx->node->n_outputs;
  edgert_status st = er_check_io(ctx, 1, 2, n > 0 ? n : 1);
  if (st != EDGERT_OK) return st;
  bool axis_input = ctx->node->n_inputs == 2;
  const er_tensor *in = er_input(ctx, axis_input ? 1 : 0);
  if (!in) return er_fail(ctx, EDGERT_ERR_MALFORMED, "input is missing");
  int32_t axis;
  if (axis_input) {
    st = axis_from_tensor(ctx, er_input(ctx, 0), in->ndim, &axis);
  } else {
    const er_axis_attrs *attrs = er_attrs(ctx);
    if (!attrs) return er_fail(ctx, EDGERT_ERR_MALFORMED, "no axis: neither an axis input nor options");
    st = mv_normalize_axis(ctx, attrs->axis, in->ndim, &axis);
  }
  if (st != EDGERT_OK) return st;
  if (in->dims[axis] % n != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "dim %d of size %lld does not split into %d equal parts", (int)axis,
                   (long long)in->dims[axis], (int)n);
  int64_t sizes[ER_MAX_DIMS * 32];
  if (n > (int32_t)(sizeof sizes / sizeof sizes[0]))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "%d outputs is too many", (int)n);
  for (int32_t k = 0; k < n; k++)
    sizes[k] = in->dims[axis] / n;
  return plan_outputs(ctx, in, axis, sizes, false);
}

/* Resolves SPLIT_V's sizes (one may be -1 for the remainder) for an axis of axis_size. */
static edgert_status resolve_sizes(er_op_ctx *ctx, const er_tensor *splits, int32_t n, int32_t axis,
                                   int64_t axis_size, int64_t *sizes) {
  int64_t known = 0;
  int32_t stretch = -1;
  for (int32_t k = 0; k < n; k++) {
    sizes[k] = mv_index_at(splits, k);
    if (sizes[k] == -1) {
      if (stretch >= 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "more than one size is -1");
      stretch = k;
    } else if (sizes[k] < 0 || sizes[k] > axis_size - known) {
      return er_fail(ctx, EDGERT_ERR_SHAPE, "size_splits[%d] = %lld does not fit dim %d of size %lld", (int)k,
                     (long long)sizes[k], (int)axis, (long long)axis_size);
    } else {
      known += sizes[k];
    }
  }
  if (stretch >= 0)
    sizes[stretch] = axis_size - known;
  else if (known != axis_size)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "size_splits add up to %lld, not %lld", (long long)known,
                   (long long)axis_size);
  return EDGERT_OK;
}

/* The sizes the outputs' declared shapes give along the axis; false when one declares none. */
static bool declared_sizes(er_op_ctx *ctx, const er_tensor *in, int32_t axis, int64_t *sizes) {
  int64_t total = 0;
  for (int32_t k = 0; k < ctx->node->n_outputs; k++) {
    const er_tensor *out = er_output(ctx, k);
    int32_t ndim;
    int64_t dims[ER_MAX_DIMS];
    if (!out || !mv_declared_shape(out, &ndim, dims) || ndim != in->ndim) return false;
    sizes[k] = dims[axis];
    total += dims[axis];
  }
  return total == in->dims[axis];
}

/* SPLIT_V: (input, size_splits, axis); one size may be -1 for the remainder. */
static edgert_status split_v_prepare(er_op_ctx *ctx) {
  int32_t n = ctx->node->n_outputs;
  edgert_status st = er_check_io(ctx, 3, 3, n > 0 ? n : 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *splits = er_input(ctx, 1);
  int32_t axis;
  if ((st = axis_from_tensor(ctx, er_input(ctx, 2), in->ndim, &axis)) != EDGERT_OK) return st;
  if ((st = mv_check_index(ctx, splits, "size_splits (input 1)")) != EDGERT_OK) return st;
  if (splits->ndim != 1 || splits->dims[0] != n)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "size_splits must be a vector of %d sizes", (int)n);
  int64_t sizes[ER_MAX_DIMS * 32];
  if (n > (int32_t)(sizeof sizes / sizeof sizes[0]))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "%d outputs is too many", (int)n);
  bool deferred = !mv_is_const(splits);
  if (!deferred) {
    if ((st = resolve_sizes(ctx, splits, n, axis, in->dims[axis], sizes)) != EDGERT_OK) return st;
  } else if (!declared_sizes(ctx, in, axis, sizes)) {
    return er_need_value(ctx, splits, "size_splits");
  }
  if ((st = plan_outputs(ctx, in, axis, sizes, false)) != EDGERT_OK) return st;
  if (deferred) {
    split_data *d = ctx->op_data;
    d->deferred_sizes = er_persist_alloc(ctx, sizeof(int64_t) * (size_t)n);
    if (!d->deferred_sizes) return EDGERT_ERR_NO_MEMORY;
    memcpy(d->deferred_sizes, sizes, sizeof(int64_t) * (size_t)n);
  }
  return EDGERT_OK;
}

/* SPLIT_V with run-time sizes: the values must give the sizes planned from the declared shapes. */
static edgert_status check_deferred_sizes(er_op_ctx *ctx, const split_data *d) {
  const er_tensor *in = er_input(ctx, 0), *splits = er_input(ctx, 1);
  int64_t sizes[ER_MAX_DIMS * 32];
  int32_t axis;
  edgert_status st = axis_from_tensor(ctx, er_input(ctx, 2), in->ndim, &axis);
  if (st == EDGERT_OK) st = resolve_sizes(ctx, splits, d->n_outputs, axis, in->dims[axis], sizes);
  if (st != EDGERT_OK) return st;
  for (int32_t k = 0; k < d->n_outputs; k++)
    if (sizes[k] != d->deferred_sizes[k])
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "split %d has size %lld but the model declares %lld", (int)k,
                     (long long)sizes[k], (long long)d->deferred_sizes[k]);
  return EDGERT_OK;
}

static edgert_status unpack_prepare(er_op_ctx *ctx) {
  int32_t n = ctx->node->n_outputs;
  edgert_status st = er_check_io(ctx, 1, 1, n > 0 ? n : 1);
  if (st != EDGERT_OK) return st;
  const er_axis_attrs *attrs = er_attrs(ctx);
  if (!attrs) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing options");
  const er_tensor *in = er_input(ctx, 0);
  int32_t axis;
  if ((st = mv_normalize_axis(ctx, attrs->axis, in->ndim, &axis)) != EDGERT_OK) return st;
  if (in->dims[axis] != n)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "dim %d has size %lld but there are %d outputs", (int)axis,
                   (long long)in->dims[axis], (int)n);
  int64_t sizes[ER_MAX_DIMS * 32];
  if (n > (int32_t)(sizeof sizes / sizeof sizes[0]))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "%d outputs is too many", (int)n);
  for (int32_t k = 0; k < n; k++)
    sizes[k] = 1;
  return plan_outputs(ctx, in, axis, sizes, true);
}

static edgert_status split_eval(er_op_ctx *ctx) {
  const split_data *d = ctx->op_data;
  if (d->deferred_sizes) {
    edgert_status st = check_deferred_sizes(ctx, d);
    if (st != EDGERT_OK) return st;
  }
  /* The data input is the last input for SPLIT (axis, input) and the first for the others. */
  const er_tensor *in =
      ctx->node->op == ER_OP_SPLIT ? er_input(ctx, ctx->node->n_inputs - 1) : er_input(ctx, 0);
  size_t esize = edgert_dtype_size(in->dtype);
  const unsigned char *src = in->data;
  for (int64_t k = 0; k < d->outer; k++) {
    for (int32_t i = 0; i < d->n_outputs; i++) {
      size_t bytes = (size_t)d->blocks[i] * esize;
      if (bytes) memcpy((unsigned char *)er_output(ctx, i)->data + (size_t)k * bytes, src, bytes);
      src += bytes;
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_split = {.prepare = split_prepare, .eval = split_eval};
const er_kernel er_kernel_split_v = {.prepare = split_v_prepare, .eval = split_eval};
const er_kernel er_kernel_unpack = {.prepare = unpack_prepare, .eval = split_eval};
