/* ARG_MAX and ARG_MIN: the index of the largest or smallest value along one axis (constant input 1,
 * one int32 or int64 value, negative counts from the back), written as int32 or int64 into an output
 * that drops that axis. Ties keep the first index and NaN never wins over an earlier value, as TFLite's
 * reference ArgMinMax (a strict comparison while scanning forward). Quantized inputs compare raw
 * integers: scale is positive, so order is kept. */
#include <stdint.h>

#include "core/kernel.h"

typedef struct {
  bool want_max;
  edgert_dtype in_dtype, out_dtype;
  int64_t outer, axis_size, inner;
} arg_data;

static bool input_supported(edgert_dtype dt) {
  switch (dt) {
  case EDGERT_FLOAT32:
  case EDGERT_INT8:
  case EDGERT_UINT8:
  case EDGERT_INT16:
  case EDGERT_INT32:
  case EDGERT_INT64:
  case EDGERT_BOOL: return true;
  default: return false;
  }
}

static edgert_status read_axis(er_op_ctx *ctx, const er_tensor *axis_t, int32_t rank, int32_t *axis) {
  if (axis_t->kind != ER_TENSOR_CONST || !axis_t->data)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "axis (input 1) must be a constant tensor");
  if (er_tensor_elements(axis_t) != 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "axis must hold exactly one value");
  int64_t v;
  if (axis_t->dtype == EDGERT_INT32 && axis_t->bytes >= sizeof(int32_t)) {
    v = *(const int32_t *)axis_t->data;
  } else if (axis_t->dtype == EDGERT_INT64 && axis_t->bytes >= sizeof(int64_t)) {
    v = *(const int64_t *)axis_t->data;
  } else {
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "axis dtype %s is not int32 or int64",
                   edgert_dtype_name(axis_t->dtype));
  }
  int64_t resolved = v < 0 ? v + rank : v;
  if (resolved < 0 || resolved >= rank)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "axis %lld is out of range for rank %d", (long long)v, (int)rank);
  *axis = (int32_t)resolved;
  return EDGERT_OK;
}

static edgert_status check_output_dtype(er_op_ctx *ctx, const er_tensor *out) {
  const er_arg_attrs *a = er_attrs(ctx);
  if (out->dtype != EDGERT_INT32 && out->dtype != EDGERT_INT64)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output dtype %s is not int32 or int64",
                   edgert_dtype_name(out->dtype));
  if (a && a->output_type != out->dtype)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "output_type %s disagrees with the output tensor's %s",
                   edgert_dtype_name(a->output_type), edgert_dtype_name(out->dtype));
  return EDGERT_OK;
}

static edgert_status arg_prepare(er_op_ctx *ctx, bool want_max) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st) return st;
  er_tensor *in = er_input(ctx, 0), *axis_t = er_input(ctx, 1), *out = er_output(ctx, 0);
  if (!input_supported(in->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input dtype %s is not supported",
                   edgert_dtype_name(in->dtype));
  if ((st = check_output_dtype(ctx, out))) return st;
  if (in->ndim < 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "input must have at least one dim");
  if (er_tensor_elements(in) < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "input shape is invalid");
  int32_t axis = 0;
  if ((st = read_axis(ctx, axis_t, in->ndim, &axis))) return st;

  arg_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->want_max = want_max;
  d->in_dtype = in->dtype;
  d->out_dtype = out->dtype;
  d->axis_size = in->dims[axis];
  d->outer = er_shape_elements(axis, in->dims);
  d->inner = er_shape_elements(in->ndim - axis - 1, in->dims + axis + 1);
  if (d->outer < 0 || d->inner < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "input shape is too large");
  if (d->axis_size == 0 && d->outer > 0 && d->inner > 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "cannot take the arg %s over an empty axis",
                   want_max ? "max" : "min");
  if (out->dtype == EDGERT_INT32 && d->axis_size > INT32_MAX)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "axis of %lld elements does not fit int32 indices",
                   (long long)d->axis_size);
  ctx->op_data = d;

  int64_t dims[ER_MAX_DIMS];
  int32_t n = 0;
  for (int32_t i = 0; i < in->ndim; i++)
    if (i != axis) dims[n++] = in->dims[i];
  return er_set_output_shape(ctx, out, n, dims);
}

static int64_t load_int(const void *data, edgert_dtype dt, int64_t i) {
  switch (dt) {
  case EDGERT_INT8: return ((const int8_t *)data)[i];
  case EDGERT_UINT8: return ((const uint8_t *)data)[i];
  case EDGERT_BOOL: return ((const uint8_t *)data)[i] != 0;
  case EDGERT_INT16: return ((const int16_t *)data)[i];
  case EDGERT_INT32: return ((const int32_t *)data)[i];
  default: return ((const int64_t *)data)[i];
  }
}

static int64_t arg_of_float(const arg_data *d, const float *in, int64_t first) {
  float best = in[first];
  int64_t best_i = 0;
  for (int64_t i = 1; i < d->axis_size; i++) {
    float v = in[first + i * d->inner];
    if (d->want_max ? v > best : v < best) best = v, best_i = i;
  }
  return best_i;
}

static int64_t arg_of_int(const arg_data *d, const void *in, int64_t first) {
  int64_t best = load_int(in, d->in_dtype, first);
  int64_t best_i = 0;
  for (int64_t i = 1; i < d->axis_size; i++) {
    int64_t v = load_int(in, d->in_dtype, first + i * d->inner);
    if (d->want_max ? v > best : v < best) best = v, best_i = i;
  }
  return best_i;
}

static edgert_status arg_eval(er_op_ctx *ctx) {
  const arg_data *d = ctx->op_data;
  const void *in = er_input(ctx, 0)->data;
  void *out = er_output(ctx, 0)->data;
  for (int64_t o = 0; o < d->outer; o++) {
    for (int64_t j = 0; j < d->inner; j++) {
      int64_t first = o * d->axis_size * d->inner + j;
      int64_t idx = d->in_dtype == EDGERT_FLOAT32 ? arg_of_float(d, in, first) : arg_of_int(d, in, first);
      if (d->out_dtype == EDGERT_INT32) {
        ((int32_t *)out)[o * d->inner + j] = (int32_t)idx;
      } else {
        ((int64_t *)out)[o * d->inner + j] = idx;
      }
    }
  }
  return EDGERT_OK;
}

static edgert_status argmax_prepare(er_op_ctx *ctx) { return arg_prepare(ctx, true); }
static edgert_status argmin_prepare(er_op_ctx *ctx) { return arg_prepare(ctx, false); }

const er_kernel er_kernel_arg_max = {.prepare = argmax_prepare, .eval = arg_eval};
const er_kernel er_kernel_arg_min = {.prepare = argmin_prepare, .eval = arg_eval};
