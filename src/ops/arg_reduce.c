/* ARG_REDUCE: ONNX ArgMax / ArgMin. The int64 index of the largest (smallest) value along `axis`, that
 * dim kept as 1 when keepdims, else dropped. Ties go to the first index, or to the last with
 * select_last_index. A NaN wins over numbers, as numpy's argmax/argmin (ONNX's reference) has it. */
#include <math.h>

#include "core/kernel.h"
#include "ops/linalg_values.h"

typedef struct {
  bool want_max, last, is_float;
  edgert_dtype dtype;
  int64_t outer, axis_size, inner;
} arg_data;

static edgert_status arg_prepare(er_op_ctx *ctx) {
  const er_arg_reduce_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st) return st;
  er_tensor *in = er_input(ctx, 0), *out = er_output(ctx, 0);
  if (!lv_is_float(in->dtype) && !lv_is_integer(in->dtype) && in->dtype != EDGERT_BOOL)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input dtype %s is not supported",
                   edgert_dtype_name(in->dtype));
  if ((st = er_check_dtype(ctx, out, EDGERT_INT64, "output"))) return st;
  if (in->ndim < 1 || er_tensor_elements(in) < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must have at least one dim and a valid shape");
  int32_t axis = a->axis < 0 ? a->axis + in->ndim : a->axis;
  if (axis < 0 || axis >= in->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "axis %d is out of range for rank %d", (int)a->axis, (int)in->ndim);
  arg_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->want_max = a->want_max;
  d->last = a->select_last_index;
  d->dtype = in->dtype;
  d->is_float = lv_is_float(in->dtype);
  d->axis_size = in->dims[axis];
  d->outer = er_shape_elements(axis, in->dims);
  d->inner = er_shape_elements(in->ndim - axis - 1, in->dims + axis + 1);
  if (d->outer < 0 || d->inner < 0 || d->axis_size < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input shape is invalid");
  if (d->axis_size == 0 && d->outer * d->inner > 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "cannot take an arg over an empty axis");
  ctx->op_data = d;
  int64_t dims[ER_MAX_DIMS];
  int32_t n = 0;
  for (int32_t i = 0; i < in->ndim; i++) {
    if (i != axis) {
      dims[n++] = in->dims[i];
    } else if (a->keepdims) {
      dims[n++] = 1;
    }
  }
  return er_set_output_shape(ctx, out, n, dims);
}

/* Whether v replaces best: strictly better, or equal when the last index is wanted. */
static bool better(const arg_data *d, double v, double best) {
  if (best != best) return d->last && v != v; /* a NaN holds its place against numbers */
  if (v != v) return true;
  if (v == best) return d->last;
  return d->want_max ? v > best : v < best;
}

static bool better_int(const arg_data *d, int64_t v, int64_t best) {
  if (v == best) return d->last;
  return d->want_max ? v > best : v < best;
}

static edgert_status arg_eval(er_op_ctx *ctx) {
  const arg_data *d = ctx->op_data;
  const void *in = er_input(ctx, 0)->data;
  int64_t *out = er_output(ctx, 0)->data;
  for (int64_t o = 0; o < d->outer; o++) {
    for (int64_t j = 0; j < d->inner; j++) {
      int64_t first = o * d->axis_size * d->inner + j, best_i = 0;
      if (d->is_float) {
        double best = lv_load(in, d->dtype, first);
        for (int64_t i = 1; i < d->axis_size; i++) {
          double v = lv_load(in, d->dtype, first + i * d->inner);
          if (better(d, v, best)) best = v, best_i = i;
        }
      } else {
        int64_t best = lv_load_i64(in, d->dtype, first);
        for (int64_t i = 1; i < d->axis_size; i++) {
          int64_t v = lv_load_i64(in, d->dtype, first + i * d->inner);
          if (better_int(d, v, best)) best = v, best_i = i;
        }
      }
      out[o * d->inner + j] = best_i;
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_arg_reduce = {.prepare = arg_prepare, .eval = arg_eval};
