/* REDUCE: ONNX's Reduce* ops (Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare) over the
 * axes given as an attribute or, in later opsets, as input 1, keeping reduced dims as 1 when keepdims.
 * Semantics are those of ONNX's reference implementation (onnx/reference/ops/op_reduce_*.py, numpy):
 * floats fold in double and are rounded once on store; integer sums and products fold in int64 and
 * wrap to the dtype; means, norms and logs of integers are computed in double and truncated (numpy's
 * astype). Max and Min propagate NaN as numpy does.
 *
 * Axes given as a graph input are read at eval. The output shape must then be known before: the model's
 * declared output shape is used at prepare, and eval refuses axes that would give another shape. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "core/kernel.h"
#include "ops/linalg_values.h"

typedef struct {
  er_fold_kind kind;
  edgert_dtype dtype;
  bool keepdims, noop_with_empty_axes;
  bool axes_at_eval; /* axes come from a non-constant input 1 */
  uint32_t mask;     /* reduced dims, when known at prepare */
  bool passthrough;  /* empty axes with noop_with_empty_axes */
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
} reduce_data;

static bool dtype_supported(edgert_dtype dt) { return lv_is_float(dt) || lv_is_integer(dt); }

/* Turns axis values into a dim mask; false (message in err) for an axis out of range. */
static bool axes_to_mask(const int64_t *axes, int64_t n, int32_t rank, uint32_t *mask, int64_t *bad) {
  *mask = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (a < 0 || a >= rank) {
      *bad = axes[i];
      return false;
    }
    *mask |= 1u << a;
  }
  return true;
}

static void output_shape(const reduce_data *d, uint32_t mask, int32_t *ndim, int64_t *dims) {
  *ndim = 0;
  for (int32_t i = 0; i < d->ndim; i++) {
    if (!(mask & (1u << i))) {
      dims[(*ndim)++] = d->dims[i];
    } else if (d->keepdims) {
      dims[(*ndim)++] = 1;
    }
  }
}

/* Mask of the axes in tensor t (int64 or int32); an empty tensor gives the mask of all dims or none. */
static edgert_status mask_from_tensor(er_op_ctx *ctx, const reduce_data *d, const er_tensor *t,
                                      uint32_t *mask, bool *passthrough) {
  if (t->dtype != EDGERT_INT64 && t->dtype != EDGERT_INT32)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "axes dtype %s is not int64 or int32",
                   edgert_dtype_name(t->dtype));
  int64_t n = er_tensor_elements(t);
  size_t need;
  if (n < 0 || n > ER_MAX_DIMS || !er_bytes_for(t->dtype, n, &need) || need > t->bytes || (n && !t->data))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "axes tensor holds %lld values; at most %d allowed", (long long)n,
                   ER_MAX_DIMS);
  int64_t axes[ER_MAX_DIMS], bad = 0;
  for (int64_t i = 0; i < n; i++)
    axes[i] = lv_load_i64(t->data, t->dtype, i);
  *passthrough = n == 0 && d->noop_with_empty_axes;
  if (n == 0) {
    *mask = d->ndim >= 32 ? 0xffffffffu : (1u << d->ndim) - 1u;
    return EDGERT_OK;
  }
  if (!axes_to_mask(axes, n, d->ndim, mask, &bad))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "axis %lld is out of range for rank %d", (long long)bad,
                   (int)d->ndim);
  return EDGERT_OK;
}

static edgert_status reduce_prepare(er_op_ctx *ctx) {
  const er_onnx_reduce_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  edgert_status st = er_check_io(ctx, 1, 2, 1);
  if (st) return st;
  er_tensor *in = er_input(ctx, 0), *axes = er_input(ctx, 1), *out = er_output(ctx, 0);
  if (!dtype_supported(in->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input dtype %s is not supported",
                   edgert_dtype_name(in->dtype));
  if ((st = er_check_dtype(ctx, out, in->dtype, "output"))) return st;
  if (in->ndim < 0 || er_tensor_elements(in) < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input shape is invalid");
  reduce_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->kind = a->kind;
  d->dtype = in->dtype;
  d->keepdims = a->keepdims;
  d->noop_with_empty_axes = a->noop_with_empty_axes;
  d->ndim = in->ndim;
  memcpy(d->dims, in->dims, sizeof d->dims);
  ctx->op_data = d;
  int64_t bad = 0;
  if (a->n_axes >= 0) {
    if (a->n_axes > ER_MAX_DIMS) return er_fail(ctx, EDGERT_ERR_SHAPE, "too many axes");
    if (a->n_axes == 0) {
      d->passthrough = a->noop_with_empty_axes;
      d->mask = (1u << d->ndim) - 1u;
    } else if (!axes_to_mask(a->axes, a->n_axes, d->ndim, &d->mask, &bad)) {
      return er_fail(ctx, EDGERT_ERR_SHAPE, "axis %lld is out of range for rank %d", (long long)bad,
                     (int)d->ndim);
    }
  } else if (!axes) {
    d->passthrough = a->noop_with_empty_axes;
    d->mask = (1u << d->ndim) - 1u;
  } else if (axes->kind == ER_TENSOR_CONST || er_tensor_elements(axes) == 0) {
    if ((st = mask_from_tensor(ctx, d, axes, &d->mask, &d->passthrough))) return st;
  } else {
    /* Axes known only at eval: trust the declared output shape now, check it then. */
    d->axes_at_eval = true;
    if (out->ndim <= 0 && !(out->ndim == 0 && !a->keepdims))
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                     "axes (input 1) are not constant and the model declares no output shape");
    for (int32_t i = 0; i < out->ndim; i++)
      if (out->dims[i] < 0)
        return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                       "axes are not constant and the output shape is not static");
    int64_t dims[ER_MAX_DIMS];
    memcpy(dims, out->dims, sizeof dims);
    return er_set_output_shape(ctx, out, out->ndim, dims);
  }
  if (d->passthrough) return er_set_output_shape(ctx, out, in->ndim, in->dims);
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  output_shape(d, d->mask, &ndim, dims);
  return er_set_output_shape(ctx, out, ndim, dims);
}

/* ---- folding ---- */

/* The dims split into kept (outer, walked per output element) and reduced (inner, folded). */
typedef struct {
  int32_t n_kept, n_red;
  int64_t kept_dims[ER_MAX_DIMS], kept_strides[ER_MAX_DIMS];
  int64_t red_dims[ER_MAX_DIMS], red_strides[ER_MAX_DIMS];
  int64_t count; /* elements folded per output */
} fold_plan;

static void make_plan(const reduce_data *d, uint32_t mask, fold_plan *p) {
  int64_t strides[ER_MAX_DIMS], s = 1;
  for (int32_t i = d->ndim - 1; i >= 0; i--) {
    strides[i] = s;
    s *= d->dims[i];
  }
  p->n_kept = p->n_red = 0;
  p->count = 1;
  for (int32_t i = 0; i < d->ndim; i++) {
    if (mask & (1u << i)) {
      p->red_dims[p->n_red] = d->dims[i];
      p->red_strides[p->n_red++] = strides[i];
      p->count *= d->dims[i];
    } else {
      p->kept_dims[p->n_kept] = d->dims[i];
      p->kept_strides[p->n_kept++] = strides[i];
    }
  }
}

/* Offset of the index-th element of a row-major walk over dims with the given strides. */
static int64_t walk_offset(int32_t n, const int64_t *dims, const int64_t *strides, int64_t index) {
  int64_t off = 0;
  for (int32_t i = n - 1; i >= 0; i--) {
    off += (index % dims[i]) * strides[i];
    index /= dims[i];
  }
  return off;
}

static double fold_float(const reduce_data *d, const fold_plan *p, const void *in, int64_t base) {
  double acc, max = -INFINITY;
  if (d->kind == ER_FOLD_LOG_SUM_EXP) {
    /* subtracting the max keeps exp in range; it is added back after the log */
    for (int64_t r = 0; r < p->count; r++) {
      double v = lv_load(in, d->dtype, base + walk_offset(p->n_red, p->red_dims, p->red_strides, r));
      if (v > max || v != v) max = v;
    }
    if (!isfinite(max)) max = 0;
  }
  switch (d->kind) {
  case ER_FOLD_MAX: acc = -INFINITY; break;
  case ER_FOLD_MIN: acc = INFINITY; break;
  case ER_FOLD_PROD: acc = 1; break;
  default: acc = 0; break;
  }
  for (int64_t r = 0; r < p->count; r++) {
    double v = lv_load(in, d->dtype, base + walk_offset(p->n_red, p->red_dims, p->red_strides, r));
    switch (d->kind) {
    case ER_FOLD_MAX:
      if (v > acc || v != v) acc = acc != acc ? acc : v;
      break;
    case ER_FOLD_MIN:
      if (v < acc || v != v) acc = acc != acc ? acc : v;
      break;
    case ER_FOLD_PROD: acc *= v; break;
    case ER_FOLD_L1: acc += fabs(v); break;
    case ER_FOLD_L2:
    case ER_FOLD_SUM_SQUARE: acc += v * v; break;
    case ER_FOLD_LOG_SUM_EXP: acc += exp(v - max); break;
    default: acc += v; break;
    }
  }
  switch (d->kind) {
  case ER_FOLD_MEAN: return acc / (double)p->count;
  case ER_FOLD_L2: return sqrt(acc);
  case ER_FOLD_LOG_SUM: return log(acc);
  case ER_FOLD_LOG_SUM_EXP: return log(acc) + max;
  default: return acc;
  }
}

/* Sums and products of integers wrap as numpy's do (in uint64, then narrowed on store). */
static int64_t fold_int(const reduce_data *d, const fold_plan *p, const void *in, int64_t base) {
  uint64_t acc = d->kind == ER_FOLD_PROD ? 1 : 0;
  int64_t best = 0;
  for (int64_t r = 0; r < p->count; r++) {
    int64_t v = lv_load_i64(in, d->dtype, base + walk_offset(p->n_red, p->red_dims, p->red_strides, r));
    switch (d->kind) {
    case ER_FOLD_MAX: best = r == 0 || v > best ? v : best; break;
    case ER_FOLD_MIN: best = r == 0 || v < best ? v : best; break;
    case ER_FOLD_PROD: acc *= (uint64_t)v; break;
    case ER_FOLD_L1: acc += (uint64_t)(v < 0 ? -v : v); break;
    case ER_FOLD_SUM_SQUARE: acc += (uint64_t)v * (uint64_t)v; break;
    default: acc += (uint64_t)v; break;
    }
  }
  if (d->kind == ER_FOLD_MAX || d->kind == ER_FOLD_MIN) return best;
  return (int64_t)acc;
}

static bool integer_folds(const reduce_data *d) {
  if (!lv_is_integer(d->dtype)) return false;
  switch (d->kind) {
  case ER_FOLD_SUM:
  case ER_FOLD_MAX:
  case ER_FOLD_MIN:
  case ER_FOLD_PROD:
  case ER_FOLD_L1:
  case ER_FOLD_SUM_SQUARE: return true;
  default: return false;
  }
}

static edgert_status reduce_eval(er_op_ctx *ctx) {
  const reduce_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  uint32_t mask = d->mask;
  bool passthrough = d->passthrough;
  if (d->axes_at_eval) {
    edgert_status st = mask_from_tensor(ctx, d, er_input(ctx, 1), &mask, &passthrough);
    if (st) return st;
    int32_t ndim = in->ndim;
    int64_t dims[ER_MAX_DIMS];
    if (!passthrough)
      output_shape(d, mask, &ndim, dims);
    else
      memcpy(dims, in->dims, sizeof dims);
    if (ndim != out->ndim || (ndim && memcmp(dims, out->dims, sizeof(int64_t) * (size_t)ndim)))
      return er_fail(ctx, EDGERT_ERR_RUNTIME,
                     "axes given at run time change the output shape the model declares");
  }
  if (passthrough) {
    if (out->data != in->data) memcpy(out->data, in->data, out->bytes);
    return EDGERT_OK;
  }
  fold_plan p;
  make_plan(d, mask, &p);
  int64_t outputs = er_shape_elements(p.n_kept, p.kept_dims);
  bool ints = integer_folds(d);
  for (int64_t o = 0; o < outputs; o++) {
    int64_t base = walk_offset(p.n_kept, p.kept_dims, p.kept_strides, o);
    if (ints)
      lv_store_i64(out->data, d->dtype, o, fold_int(d, &p, in->data, base));
    else
      lv_store(out->data, d->dtype, o, fold_float(d, &p, in->data, base));
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_onnx_reduce = {.prepare = reduce_prepare, .eval = reduce_eval};
