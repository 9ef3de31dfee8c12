/* ONNX ops that make tensors from shapes and counts (docs/Operators.md): Shape-15 (dims[start:end)),
 * Size-13, ConstantOfShape-9, Range-11, EyeLike-9 and OneHot-11. Shapes and counts that decide an
 * output's shape (ConstantOfShape's shape, Range's bounds, OneHot's depth) are read at prepare when
 * constant; when they are computed at run time, the model's declared output shape is used at prepare and
 * eval checks that the values give it (mv_prepare_shape). OneHot's values, which do not decide shapes,
 * are read at eval. */
#include <math.h>
#include <string.h>

#include "ops/movement.h"
#include "ops/onnx_number.h"

static bool is_numeric(edgert_dtype t) { return t < EDGERT_DTYPE_COUNT; }

/* ---- Shape and Size: int64 facts about the input, computed at prepare, written at eval. */

typedef struct {
  int32_t count;
  int64_t values[ER_MAX_DIMS];
} int64_values;

static edgert_status shape_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st != EDGERT_OK) return st;
  const er_shape_slice_attrs *attrs = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if ((st = er_check_dtype(ctx, out, EDGERT_INT64, "output")) != EDGERT_OK) return st;
  int64_t rank = in->ndim, start = attrs ? attrs->start : 0, end = attrs ? attrs->end : INT64_MAX;
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = start < 0 ? 0 : (start > rank ? rank : start);
  end = end < 0 ? 0 : (end > rank ? rank : end);
  int64_values *v = er_persist_alloc(ctx, sizeof *v);
  if (!v) return EDGERT_ERR_NO_MEMORY;
  v->count = end > start ? (int32_t)(end - start) : 0;
  for (int32_t i = 0; i < v->count; i++)
    v->values[i] = in->dims[start + i];
  ctx->op_data = v;
  int64_t n = v->count;
  return er_set_output_shape(ctx, out, 1, &n);
}

static edgert_status size_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st != EDGERT_OK) return st;
  er_tensor *out = er_output(ctx, 0);
  if ((st = er_check_dtype(ctx, out, EDGERT_INT64, "output")) != EDGERT_OK) return st;
  int64_values *v = er_persist_alloc(ctx, sizeof *v);
  if (!v) return EDGERT_ERR_NO_MEMORY;
  v->count = 1;
  v->values[0] = er_tensor_elements(er_input(ctx, 0));
  ctx->op_data = v;
  return er_set_output_shape(ctx, out, 0, NULL);
}

static edgert_status values_eval(er_op_ctx *ctx) {
  const int64_values *v = ctx->op_data;
  if (v->count) memcpy(er_output(ctx, 0)->data, v->values, sizeof(int64_t) * (size_t)v->count);
  return EDGERT_OK;
}

/* ---- ConstantOfShape */

static edgert_status constant_of_shape_dims(er_op_ctx *ctx, void *plan, int32_t *ndim, int64_t *dims) {
  const er_tensor *shape = er_input(ctx, 0);
  edgert_status st = mv_check_index(ctx, shape, "shape (input 0)");
  if (st != EDGERT_OK) return st;
  int64_t n = er_tensor_elements(shape);
  if (shape->ndim > 1 || n > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "shape must be a vector of at most %d dims", ER_MAX_DIMS);
  for (int32_t i = 0; i < (int32_t)n; i++) {
    dims[i] = mv_index_at(shape, i);
    if (dims[i] < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "shape[%d] is negative", (int)i);
  }
  *ndim = (int32_t)n;
  return EDGERT_OK;
}

static edgert_status constant_of_shape_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *value = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if ((st = mv_check_index(ctx, er_input(ctx, 0), "shape (input 0)")) != EDGERT_OK) return st;
  if (value && (value->dtype != out->dtype || er_tensor_elements(value) != 1))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "value must be one element of the output's dtype");
  if (!value && out->dtype != EDGERT_FLOAT32)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "without a value the output must be float32");
  return mv_prepare_shape(ctx, 0, 0, sizeof(mv_deferred), constant_of_shape_dims);
}

static edgert_status constant_of_shape_eval(er_op_ctx *ctx) {
  const er_tensor *value = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  edgert_status st = mv_eval_deferred_shape(ctx, constant_of_shape_dims);
  if (st != EDGERT_OK) return st;
  if (!value) {
    if (out->bytes) memset(out->data, 0, out->bytes);
    return EDGERT_OK;
  }
  mv_fill(out->data, value->data, er_tensor_elements(out), edgert_dtype_size(out->dtype));
  return EDGERT_OK;
}

/* ---- Range: start + i * delta for i < max(ceil((limit - start) / delta), 0), in the output's type. */

static bool range_dtype(edgert_dtype t) {
  return t == EDGERT_FLOAT32 || t == EDGERT_FLOAT64 || t == EDGERT_INT16 || t == EDGERT_INT32 ||
         t == EDGERT_INT64;
}

static edgert_status range_dims(er_op_ctx *ctx, void *plan, int32_t *ndim, int64_t *dims) {
  double v[3];
  for (int i = 0; i < 3; i++)
    v[i] = number_at(er_input(ctx, i), 0);
  if (v[2] == 0 || !isfinite(v[0]) || !isfinite(v[1]) || !isfinite(v[2]))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "delta is zero or a bound is not finite");
  double count = ceil((v[1] - v[0]) / v[2]);
  if (count < 0) count = 0;
  if (count > 1e15) return er_fail(ctx, EDGERT_ERR_LIMIT, "Range of %g elements", count);
  *ndim = 1;
  dims[0] = (int64_t)count;
  return EDGERT_OK;
}

static edgert_status range_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 3, 3, 1);
  if (st != EDGERT_OK) return st;
  er_tensor *out = er_output(ctx, 0);
  if (!range_dtype(out->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "output is %s; supported: float32, float64, int16, int32, int64",
                   edgert_dtype_name(out->dtype));
  for (int i = 0; i < 3; i++) {
    const er_tensor *t = er_input(ctx, i);
    if (t->dtype != out->dtype || er_tensor_elements(t) != 1)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "input %d must be one element of the output's dtype", i);
  }
  return mv_prepare_shape(ctx, 0, 2, sizeof(mv_deferred), range_dims);
}

static edgert_status range_eval(er_op_ctx *ctx) {
  const er_tensor *start = er_input(ctx, 0), *delta = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  edgert_status st = mv_eval_deferred_shape(ctx, range_dims);
  if (st != EDGERT_OK) return st;
  int64_t n = out->dims[0];
  switch (out->dtype) {
  case EDGERT_FLOAT32: {
    float s, d, *o = out->data;
    memcpy(&s, start->data, 4);
    memcpy(&d, delta->data, 4);
    for (int64_t i = 0; i < n; i++)
      o[i] = s + (float)i * d;
    break;
  }
  case EDGERT_FLOAT64: {
    double s, d, *o = out->data;
    memcpy(&s, start->data, 8);
    memcpy(&d, delta->data, 8);
    for (int64_t i = 0; i < n; i++)
      o[i] = s + (double)i * d;
    break;
  }
  default: {
    /* Integers: exact, wrapping as the output's type would. */
    int64_t s = (int64_t)number_at(start, 0), d = (int64_t)number_at(delta, 0);
    size_t es = edgert_dtype_size(out->dtype);
    for (int64_t i = 0; i < n; i++) {
      int64_t v = (int64_t)((uint64_t)s + (uint64_t)i * (uint64_t)d);
      store_number((unsigned char *)out->data + (size_t)i * es, out->dtype, (double)v);
    }
    break;
  }
  }
  return EDGERT_OK;
}

/* ---- EyeLike: a 2-D tensor of zeros with ones on diagonal k, in the output's dtype. */

static edgert_status eye_like_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (in->ndim != 2) return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be 2-D, not rank %d", (int)in->ndim);
  if (!is_numeric(out->dtype)) return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "bad output dtype");
  return er_set_output_shape(ctx, out, 2, in->dims);
}

static edgert_status eye_like_eval(er_op_ctx *ctx) {
  const er_trilu_attrs *attrs = er_attrs(ctx);
  er_tensor *out = er_output(ctx, 0);
  int64_t k = attrs ? attrs->k : 0, rows = out->dims[0], cols = out->dims[1];
  size_t es = edgert_dtype_size(out->dtype);
  if (out->bytes) memset(out->data, 0, out->bytes);
  for (int64_t i = 0; i < rows; i++) {
    int64_t j = i + k;
    if (j >= 0 && j < cols)
      store_number((unsigned char *)out->data + (size_t)(i * cols + j) * es, out->dtype, 1);
  }
  return EDGERT_OK;
}

/* ---- OneHot: indices (any numeric dtype) get a new dim of size depth at axis; position index holds
 * values[1], the rest values[0]. Negative indices count from depth; others outside [0, depth) give an
 * all-off row. */

typedef struct {
  mv_deferred flag;
  int64_t outer, depth, inner;
} one_hot_plan;

static edgert_status one_hot_dims(er_op_ctx *ctx, void *plan, int32_t *ndim, int64_t *dims) {
  const er_one_hot_attrs *attrs = er_attrs(ctx);
  const er_tensor *indices = er_input(ctx, 0), *depth_t = er_input(ctx, 1);
  edgert_status st;
  double depth = number_at(depth_t, 0);
  if (!(depth >= 1 && depth < 1e12)) return er_fail(ctx, EDGERT_ERR_SHAPE, "depth %g is not positive", depth);
  if (indices->ndim >= ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "indices rank %d is at the limit", (int)indices->ndim);
  int32_t axis;
  if ((st = mv_normalize_axis(ctx, attrs ? attrs->axis : -1, indices->ndim + 1, &axis)) != EDGERT_OK)
    return st;
  one_hot_plan *p = plan;
  p->depth = (int64_t)depth;
  p->outer = mv_dims_product(indices->dims, 0, axis);
  p->inner = mv_dims_product(indices->dims, axis, indices->ndim);
  for (int32_t i = 0, j = 0; i <= indices->ndim; i++)
    dims[i] = i == axis ? p->depth : indices->dims[j++];
  *ndim = indices->ndim + 1;
  return EDGERT_OK;
}

static edgert_status one_hot_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 3, 3, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *indices = er_input(ctx, 0), *depth_t = er_input(ctx, 1), *values = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  if (values->dtype != out->dtype || er_tensor_elements(values) != 2)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "values must be [off, on] of the output's dtype");
  if (!is_numeric(indices->dtype) || !is_numeric(depth_t->dtype) || er_tensor_elements(depth_t) != 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "depth must hold one number");
  return mv_prepare_shape(ctx, 1, 1, sizeof(one_hot_plan), one_hot_dims);
}

static edgert_status one_hot_eval(er_op_ctx *ctx) {
  edgert_status st = mv_eval_deferred_shape(ctx, one_hot_dims);
  if (st != EDGERT_OK) return st;
  const one_hot_plan *p = ctx->op_data;
  const er_tensor *indices = er_input(ctx, 0), *values = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  size_t es = edgert_dtype_size(out->dtype);
  const unsigned char *off = values->data, *on = off + es;
  unsigned char *dst = out->data;
  for (int64_t o = 0; o < p->outer; o++) {
    for (int64_t d = 0; d < p->depth; d++) {
      for (int64_t i = 0; i < p->inner; i++, dst += es) {
        double index = number_at(indices, o * p->inner + i);
        if (index < 0) index += (double)p->depth;
        /* Range first: the cast is only defined for values that fit (NaN fails both tests). */
        bool hot = index >= 0 && index < (double)p->depth && (int64_t)index == d;
        memcpy(dst, hot ? on : off, es);
      }
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_onnx_shape = {.prepare = shape_prepare, .eval = values_eval};
const er_kernel er_kernel_size = {.prepare = size_prepare, .eval = values_eval};
const er_kernel er_kernel_constant_of_shape = {.prepare = constant_of_shape_prepare,
                                               .eval = constant_of_shape_eval};
const er_kernel er_kernel_range = {.prepare = range_prepare, .eval = range_eval};
const er_kernel er_kernel_eye_like = {.prepare = eye_like_prepare, .eval = eye_like_eval};
const er_kernel er_kernel_one_hot = {.prepare = one_hot_prepare, .eval = one_hot_eval};
