/* Index-tensor reading, axis checks and the strided copy shared by the data-movement kernels. */
#include "ops/movement.h"

#include <string.h>

bool mv_is_index_dtype(const er_tensor *t) { return t->dtype == EDGERT_INT32 || t->dtype == EDGERT_INT64; }

int64_t mv_index_at(const er_tensor *t, int64_t i) {
  if (t->dtype == EDGERT_INT64) {
    int64_t v;
    memcpy(&v, (const char *)t->data + i * 8, sizeof v);
    return v;
  }
  int32_t v;
  memcpy(&v, (const char *)t->data + i * 4, sizeof v);
  return v;
}

edgert_status mv_check_const_index(er_op_ctx *ctx, const er_tensor *t, const char *what) {
  if (!mv_is_index_dtype(t))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s is %s, expected int32 or int64", what,
                   edgert_dtype_name(t->dtype));
  if (t->kind != ER_TENSOR_CONST || !t->data)
    return er_need_value(ctx, t, what);
  if (er_tensor_elements(t) < 0) return er_fail(ctx, EDGERT_ERR_MALFORMED, "%s has a bad shape", what);
  return EDGERT_OK;
}

edgert_status mv_check_index(er_op_ctx *ctx, const er_tensor *t, const char *what) {
  if (!mv_is_index_dtype(t))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s is %s, expected int32 or int64", what,
                   edgert_dtype_name(t->dtype));
  if (er_tensor_elements(t) < 0) return er_fail(ctx, EDGERT_ERR_MALFORMED, "%s has a bad shape", what);
  return EDGERT_OK;
}

bool mv_declared_shape(const er_tensor *out, int32_t *ndim, int64_t *dims) {
  if (out->ndim <= 0 || out->ndim > ER_MAX_DIMS || out->dynamic_dims) return false;
  for (int32_t i = 0; i < out->ndim; i++)
    if (out->dims[i] < 0) return false;
  *ndim = out->ndim;
  memcpy(dims, out->dims, sizeof(int64_t) * (size_t)out->ndim);
  return true;
}

edgert_status mv_check_deferred_shape(er_op_ctx *ctx, const er_tensor *out, int32_t ndim,
                                      const int64_t *dims) {
  bool same = out->ndim == ndim;
  for (int32_t i = 0; same && i < ndim; i++)
    same = out->dims[i] == dims[i];
  if (same) return EDGERT_OK;
  char want[128], got[128];
  return er_fail(ctx, EDGERT_ERR_RUNTIME, "the input values give output shape %s but the model declares %s",
                 er_shape_str(ndim, dims, got, sizeof got),
                 er_shape_str(out->ndim, out->dims, want, sizeof want));
}

edgert_status mv_prepare_shape(er_op_ctx *ctx, int first, int last, size_t plan_bytes, mv_shape_fn compute) {
  er_tensor *out = er_output(ctx, 0);
  mv_deferred *plan = er_persist_alloc(ctx, plan_bytes);
  if (!plan) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = plan;
  for (int i = first; i <= last; i++) {
    const er_tensor *t = er_input(ctx, i);
    if (t && !mv_is_const(t)) plan->deferred = true;
  }
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  edgert_status st;
  if (!plan->deferred) {
    if ((st = compute(ctx, plan, &ndim, dims)) != EDGERT_OK) return st;
  } else if (!mv_declared_shape(out, &ndim, dims)) {
    return mv_need_value(ctx, first, last, "an input deciding the output shape");
  }
  return er_set_output_shape(ctx, out, ndim, dims);
}

edgert_status mv_eval_deferred_shape(er_op_ctx *ctx, mv_shape_fn compute) {
  mv_deferred *plan = ctx->op_data;
  if (!plan->deferred) return EDGERT_OK;
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  edgert_status st = compute(ctx, plan, &ndim, dims);
  if (st == EDGERT_OK) st = mv_check_deferred_shape(ctx, er_output(ctx, 0), ndim, dims);
  return st;
}

edgert_status mv_normalize_axis(er_op_ctx *ctx, int64_t axis, int32_t rank, int32_t *out) {
  if (axis < -(int64_t)rank || axis >= rank)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "axis %lld is out of range for rank %d", (long long)axis,
                   (int)rank);
  *out = (int32_t)(axis < 0 ? axis + rank : axis);
  return EDGERT_OK;
}

int64_t mv_dims_product(const int64_t *dims, int32_t from, int32_t to) {
  int64_t n = 1;
  for (int32_t i = from; i < to; i++)
    n *= dims[i];
  return n;
}

void mv_strides(int32_t ndim, const int64_t *dims, int64_t *strides) {
  int64_t s = 1;
  for (int32_t i = ndim - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
}

void mv_fill(void *out, const void *value, int64_t count, size_t elem_size) {
  unsigned char *o = out;
  if (count <= 0) return;
  memcpy(o, value, elem_size);
  /* Doubling copies: each pass copies what is already filled. */
  size_t done = elem_size, total = (size_t)count * elem_size;
  while (done < total) {
    size_t n = done < total - done ? done : total - done;
    memcpy(o + done, o, n);
    done += n;
  }
}

/* The innermost row: contiguous rows are one memcpy; others go element by element with a fixed-size
 * copy the compiler turns into a plain load and store. */
static unsigned char *copy_row(unsigned char *o, const unsigned char *in, int64_t n, int64_t stride,
                               size_t elem_size) {
  if (stride == 1) {
    memcpy(o, in, (size_t)n * elem_size);
    return o + (size_t)n * elem_size;
  }
  ptrdiff_t step = (ptrdiff_t)(stride * (int64_t)elem_size);
  switch (elem_size) {
  case 1:
    for (int64_t i = 0; i < n; i++, o += 1, in += step)
      memcpy(o, in, 1);
    break;
  case 2:
    for (int64_t i = 0; i < n; i++, o += 2, in += step)
      memcpy(o, in, 2);
    break;
  case 4:
    for (int64_t i = 0; i < n; i++, o += 4, in += step)
      memcpy(o, in, 4);
    break;
  case 8:
    for (int64_t i = 0; i < n; i++, o += 8, in += step)
      memcpy(o, in, 8);
    break;
  default:
    for (int64_t i = 0; i < n; i++, o += elem_size, in += step)
      memcpy(o, in, elem_size);
    break;
  }
  return o;
}

void mv_copy_strided(void *out, const void *in, int32_t ndim, const int64_t *out_dims,
                     const int64_t *in_strides, size_t elem_size) {
  unsigned char *o = out;
  const unsigned char *base = in;
  if (ndim == 0) {
    memcpy(o, base, elem_size);
    return;
  }
  if (mv_dims_product(out_dims, 0, ndim) == 0) return;
  int64_t idx[ER_MAX_DIMS] = {0};
  int32_t last = ndim - 1;
  ptrdiff_t offset = 0; /* bytes into the input of the current row start */
  for (;;) {
    o = copy_row(o, base + offset, out_dims[last], in_strides[last], elem_size);
    /* Advance the outer counters like an odometer, keeping offset in step. */
    int32_t d = last - 1;
    while (d >= 0) {
      idx[d]++;
      offset += (ptrdiff_t)(in_strides[d] * (int64_t)elem_size);
      if (idx[d] < out_dims[d]) break;
      offset -= (ptrdiff_t)(in_strides[d] * idx[d] * (int64_t)elem_size);
      idx[d] = 0;
      d--;
    }
    if (d < 0) return;
  }
}

edgert_status mv_need_value(er_op_ctx *ctx, int first, int last, const char *what) {
  for (int i = first; i <= last; i++) {
    const er_tensor *t = er_input(ctx, i);
    if (t && !mv_is_const(t)) return er_need_value(ctx, t, what);
  }
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s is computed at run time", what);
}
