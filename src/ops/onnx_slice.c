/* ONNX_SLICE: ONNX Slice-10/13 (docs/Operators.md): inputs data, starts, ends, axes (optional, default
 * 0..n-1), steps (optional, default 1), all constant at prepare. Per sliced axis: a negative start or end
 * counts from the end of the dim; then with a positive step start and end are clamped to [0, dim], with a
 * negative step start to [0, dim - 1] and end to [-1, dim - 1]. The output dim is the number of steps
 * from start towards end. Eval is one strided walk (negative strides for negative steps). When starts,
 * ends, axes or steps are computed at run time, the model's declared output shape is used at prepare and
 * eval plans the walk from the values, checking they give that shape. */
#include "ops/movement.h"

typedef struct {
  int32_t ndim;
  int64_t counts[ER_MAX_DIMS], in_strides[ER_MAX_DIMS];
  int64_t base;
  bool deferred;
} onnx_slice_plan;

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* Reads an optional constant index vector of `n` entries; absent: NULL. */
static edgert_status check_vector(er_op_ctx *ctx, const er_tensor *t, const char *what, int64_t n) {
  edgert_status st = mv_check_index(ctx, t, what);
  if (st != EDGERT_OK) return st;
  if (t->ndim > 1 || er_tensor_elements(t) != n)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "%s must be a vector of %lld values", what, (long long)n);
  return EDGERT_OK;
}

/* Steps of `step` from start that stay before end. */
static int64_t step_count(int64_t start, int64_t end, int64_t step) {
  int64_t span = step > 0 ? end - start : start - end, s = step > 0 ? step : -step;
  if (span <= 0) return 0;
  return span / s + (span % s != 0);
}

/* Plans the walk from the inputs' values into p; dims receives the output shape. */
static edgert_status plan_slice(er_op_ctx *ctx, onnx_slice_plan *p, int64_t *dims) {
  edgert_status st;
  const er_tensor *in = er_input(ctx, 0), *starts = er_input(ctx, 1), *ends = er_input(ctx, 2);
  const er_tensor *axes = er_input(ctx, 3), *steps = er_input(ctx, 4);
  if ((st = mv_check_index(ctx, starts, "starts (input 1)")) != EDGERT_OK) return st;
  int64_t n = er_tensor_elements(starts);
  if (starts->ndim > 1 || n > in->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "starts must be a vector of at most %d values", (int)in->ndim);
  if ((st = check_vector(ctx, ends, "ends (input 2)", n)) != EDGERT_OK) return st;
  if (axes && (st = check_vector(ctx, axes, "axes (input 3)", n)) != EDGERT_OK) return st;
  if (steps && (st = check_vector(ctx, steps, "steps (input 4)", n)) != EDGERT_OK) return st;
  int64_t start[ER_MAX_DIMS], step[ER_MAX_DIMS], strides[ER_MAX_DIMS];
  bool seen[ER_MAX_DIMS] = {false};
  for (int32_t i = 0; i < in->ndim; i++) {
    start[i] = 0;
    step[i] = 1;
    dims[i] = in->dims[i];
  }
  for (int64_t k = 0; k < n; k++) {
    int32_t axis = (int32_t)k;
    if (axes && (st = mv_normalize_axis(ctx, mv_index_at(axes, k), in->ndim, &axis)) != EDGERT_OK) return st;
    if (seen[axis]) return er_fail(ctx, EDGERT_ERR_SHAPE, "axis %d is sliced twice", (int)axis);
    seen[axis] = true;
    int64_t dim = in->dims[axis], s = steps ? mv_index_at(steps, k) : 1;
    int64_t b = mv_index_at(starts, k), e = mv_index_at(ends, k);
    if (s == 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "step of axis %d is 0", (int)axis);
    /* A step longer than the dim takes one element, as a step of exactly the dim does; clamping keeps
     * step * stride from overflowing for hostile steps. */
    if (s > dim) s = dim > 0 ? dim : 1;
    if (s < -dim) s = dim > 0 ? -dim : -1;
    if (b < 0) b = b < -dim ? -1 : b + dim; /* below -dim: clamped below anyway */
    if (e < 0) e = e < -dim ? -1 : e + dim;
    if (s > 0) {
      b = clamp64(b, 0, dim);
      e = clamp64(e, 0, dim);
    } else {
      b = clamp64(b, 0, dim - 1);
      e = clamp64(e, -1, dim - 1);
    }
    start[axis] = b;
    step[axis] = s;
    dims[axis] = dim == 0 ? 0 : step_count(b, e, s);
  }
  mv_strides(in->ndim, in->dims, strides);
  p->ndim = in->ndim;
  p->base = 0;
  for (int32_t i = 0; i < in->ndim; i++) {
    p->counts[i] = dims[i];
    p->in_strides[i] = step[i] * strides[i];
    p->base += start[i] * strides[i];
  }
  if (er_shape_elements(in->ndim, dims) == 0) p->base = 0;
  return EDGERT_OK;
}

static bool is_const_or_absent(const er_tensor *t) { return !t || mv_is_const(t); }

static edgert_status onnx_slice_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 3, 5, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  onnx_slice_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  int64_t dims[ER_MAX_DIMS];
  int32_t ndim = in->ndim;
  p->deferred = false;
  for (int i = 1; i <= 4; i++)
    if (!is_const_or_absent(er_input(ctx, i))) p->deferred = true;
  if (!p->deferred) {
    if ((st = plan_slice(ctx, p, dims)) != EDGERT_OK) return st;
  } else if (!mv_declared_shape(out, &ndim, dims) || ndim != in->ndim) {
    return mv_need_value(ctx, 1, 4, "starts/ends/axes/steps");
  }
  return er_set_output_shape(ctx, out, ndim, dims);
}

static edgert_status onnx_slice_eval(er_op_ctx *ctx) {
  const onnx_slice_plan *p = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  size_t esize = edgert_dtype_size(in->dtype);
  if (p->deferred) {
    int64_t dims[ER_MAX_DIMS];
    edgert_status st = plan_slice(ctx, ctx->op_data, dims);
    if (st == EDGERT_OK) st = mv_check_deferred_shape(ctx, out, in->ndim, dims);
    if (st != EDGERT_OK) return st;
  }
  if (out->bytes == 0) return EDGERT_OK;
  mv_copy_strided(out->data, (const unsigned char *)in->data + (size_t)p->base * esize, p->ndim, p->counts,
                  p->in_strides, esize);
  return EDGERT_OK;
}

const er_kernel er_kernel_onnx_slice = {.prepare = onnx_slice_prepare, .eval = onnx_slice_eval};
