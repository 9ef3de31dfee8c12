/* SHAPE, FILL and ZEROS_LIKE: outputs made from shapes rather than from input values (TFLite shape.cc,
 * fill.cc, zeros_like.cc). SHAPE writes the input's dims as int32 or int64 (the output's dtype says
 * which); FILL repeats a scalar over a constant shape; ZEROS_LIKE writes zero bytes (TFLite's value 0,
 * not a zero point). */
#include <string.h>

#include "ops/movement.h"

static edgert_status shape_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (!mv_is_index_dtype(out))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output is %s, expected int32 or int64",
                   edgert_dtype_name(out->dtype));
  int64_t n = in->ndim;
  return er_set_output_shape(ctx, out, 1, &n);
}

static edgert_status shape_eval(er_op_ctx *ctx) {
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  for (int32_t i = 0; i < in->ndim; i++) {
    if (out->dtype == EDGERT_INT64) {
      ((int64_t *)out->data)[i] = in->dims[i];
    } else {
      ((int32_t *)out->data)[i] = (int32_t)in->dims[i];
    }
  }
  return EDGERT_OK;
}

static bool is_quantized_dtype(edgert_dtype t) {
  return t == EDGERT_INT8 || t == EDGERT_UINT8 || t == EDGERT_INT16;
}

static edgert_status fill_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *shape = er_input(ctx, 0), *value = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if ((st = mv_check_const_index(ctx, shape, "dims (input 0)")) != EDGERT_OK) return st;
  if (shape->ndim != 1 || shape->dims[0] > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "dims must be a vector of at most %d values", ER_MAX_DIMS);
  if (value->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "value and output dtypes differ");
  if (er_tensor_elements(value) != 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "value must be a scalar");
  if (is_quantized_dtype(out->dtype) &&
      (value->q.scale != out->q.scale || value->q.zero_point != out->q.zero_point))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "value quantization differs from the output's");
  int64_t dims[ER_MAX_DIMS];
  int32_t ndim = (int32_t)shape->dims[0];
  for (int32_t i = 0; i < ndim; i++) {
    dims[i] = mv_index_at(shape, i);
    if (dims[i] < 0)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "dims[%d] = %lld is negative", (int)i, (long long)dims[i]);
  }
  return er_set_output_shape(ctx, out, ndim, dims);
}

static edgert_status fill_eval(er_op_ctx *ctx) {
  const er_tensor *value = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  mv_fill(out->data, value->data, er_tensor_elements(out), edgert_dtype_size(out->dtype));
  return EDGERT_OK;
}

static edgert_status zeros_like_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  return er_set_output_shape(ctx, out, in->ndim, in->dims);
}

static edgert_status zeros_like_eval(er_op_ctx *ctx) {
  er_tensor *out = er_output(ctx, 0);
  if (out->bytes) memset(out->data, 0, out->bytes);
  return EDGERT_OK;
}

const er_kernel er_kernel_shape = {.prepare = shape_prepare, .eval = shape_eval};
const er_kernel er_kernel_fill = {.prepare = fill_prepare, .eval = fill_eval};
const er_kernel er_kernel_zeros_like = {.prepare = zeros_like_prepare, .eval = zeros_like_eval};
