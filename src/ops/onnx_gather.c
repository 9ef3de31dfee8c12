/* ONNX's indexing ops (docs/Operators.md): Gather-13, GatherElements-13, ScatterElements-16 (and
 * Scatter-9/11, the same op), GatherND-13 with batch_dims, ScatterND-16. Unlike TFLite's kernels they
 * accept negative indices, counting from the end of the indexed dim. Indices arrive at run time, so each
 * one is checked at eval: one outside [-dim, dim) fails the invoke instead of touching memory outside the
 * tensors. Data moves by element size, so any dtype works; reductions (add, mul, max, min) work on
 * float32, float64, int32 and int64. */
#include <string.h>

#include "ops/movement.h"

typedef struct {
  int64_t outer, inner, axis_size, idx_axis, n_indices;
  int32_t ndim;
  int64_t idx_dims[ER_MAX_DIMS];
} index_plan;

static edgert_status index_fail(er_op_ctx *ctx, int64_t index, int64_t size) {
  return er_fail(ctx, EDGERT_ERR_RUNTIME, "index %lld is outside [-%lld, %lld)", (long long)index,
                 (long long)size, (long long)size);
}

/* Index i of t made non-negative for a dim of `size`; false when out of range. */
static bool wrap_index(const er_tensor *t, int64_t i, int64_t size, int64_t *out) {
  int64_t v = mv_index_at(t, i);
  if (v < 0) v += size;
  *out = v;
  return v >= 0 && v < size;
}

static edgert_status check_indices_dtype(er_op_ctx *ctx, const er_tensor *indices) {
  if (!mv_is_index_dtype(indices))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "indices are %s, expected int32 or int64",
                   edgert_dtype_name(indices->dtype));
  return EDGERT_OK;
}

/* Gather: output = data[:axis] + indices.shape + data[axis+1:]. */
static edgert_status gather_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_index_attrs *attrs = er_attrs(ctx);
  const er_tensor *data = er_input(ctx, 0), *indices = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (data->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "data and output dtypes differ");
  if ((st = check_indices_dtype(ctx, indices)) != EDGERT_OK) return st;
  int32_t axis;
  if ((st = mv_normalize_axis(ctx, attrs ? attrs->axis : 0, data->ndim, &axis)) != EDGERT_OK) return st;
  int32_t ndim = data->ndim - 1 + indices->ndim;
  if (ndim > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output rank %d is beyond %d", ndim, ER_MAX_DIMS);
  int64_t dims[ER_MAX_DIMS];
  int32_t n = 0;
  for (int32_t i = 0; i < axis; i++)
    dims[n++] = data->dims[i];
  for (int32_t i = 0; i < indices->ndim; i++)
    dims[n++] = indices->dims[i];
  for (int32_t i = axis + 1; i < data->ndim; i++)
    dims[n++] = data->dims[i];
  if ((st = er_set_output_shape(ctx, out, ndim, dims)) != EDGERT_OK) return st;
  index_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  p->outer = mv_dims_product(data->dims, 0, axis);
  p->inner = mv_dims_product(data->dims, axis + 1, data->ndim);
  p->axis_size = data->dims[axis];
  p->n_indices = er_tensor_elements(indices);
  ctx->op_data = p;
  return EDGERT_OK;
}

static edgert_status gather_eval(er_op_ctx *ctx) {
  const index_plan *p = ctx->op_data;
  const er_tensor *data = er_input(ctx, 0), *indices = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  size_t row = (size_t)p->inner * edgert_dtype_size(data->dtype);
  const unsigned char *src = data->data;
  unsigned char *dst = out->data;
  for (int64_t o = 0; o < p->outer; o++) {
    const unsigned char *block = src + (size_t)(o * p->axis_size) * row;
    for (int64_t c = 0; c < p->n_indices; c++) {
      int64_t index;
      if (!wrap_index(indices, c, p->axis_size, &index))
        return index_fail(ctx, mv_index_at(indices, c), p->axis_size);
      if (row) memcpy(dst, block + (size_t)index * row, row);
      dst += row;
    }
  }
  return EDGERT_OK;
}

/* GatherElements and ScatterElements: indices has data's rank; element (i0..in) of indices addresses data
 * at the same position with the axis coordinate replaced by the index value. */
static edgert_status elements_plan(er_op_ctx *ctx, const er_tensor *data, const er_tensor *indices) {
  const er_index_attrs *attrs = er_attrs(ctx);
  edgert_status st = check_indices_dtype(ctx, indices);
  if (st != EDGERT_OK) return st;
  if (indices->ndim != data->ndim || data->ndim == 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "indices rank %d differs from data rank %d", (int)indices->ndim,
                   (int)data->ndim);
  int32_t axis;
  if ((st = mv_normalize_axis(ctx, attrs ? attrs->axis : 0, data->ndim, &axis)) != EDGERT_OK) return st;
  index_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  p->ndim = data->ndim;
  p->idx_axis = axis;
  p->axis_size = data->dims[axis];
  memcpy(p->idx_dims, indices->dims, sizeof(int64_t) * (size_t)indices->ndim);
  p->n_indices = er_tensor_elements(indices);
  ctx->op_data = p;
  return EDGERT_OK;
}

/* Data element offset for indices element number i (odometer-free: decompose i by indices' dims). A
 * position beyond data's own dims (indices larger than data in a non-axis dim) is refused. */
static bool element_offset(const index_plan *p, const er_tensor *data, const er_tensor *indices, int64_t i,
                           int64_t *offset) {
  int64_t idx;
  if (!wrap_index(indices, i, p->axis_size, &idx)) return false;
  int64_t off = 0, stride = 1, rest = i;
  for (int32_t d = p->ndim - 1; d >= 0; d--) {
    int64_t coord = rest % p->idx_dims[d];
    rest /= p->idx_dims[d];
    if (d == p->idx_axis) coord = idx;
    if (coord >= data->dims[d]) return false;
    off += coord * stride;
    stride *= data->dims[d];
  }
  *offset = off;
  return true;
}

static edgert_status gather_elements_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *data = er_input(ctx, 0), *indices = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (data->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "data and output dtypes differ");
  if ((st = elements_plan(ctx, data, indices)) != EDGERT_OK) return st;
  return er_set_output_shape(ctx, out, indices->ndim, indices->dims);
}

static edgert_status gather_elements_eval(er_op_ctx *ctx) {
  const index_plan *p = ctx->op_data;
  const er_tensor *data = er_input(ctx, 0), *indices = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  size_t es = edgert_dtype_size(data->dtype);
  for (int64_t i = 0; i < p->n_indices; i++) {
    int64_t off;
    if (!element_offset(p, data, indices, i, &off))
      return index_fail(ctx, mv_index_at(indices, i), p->axis_size);
    memcpy((unsigned char *)out->data + (size_t)i * es, (const unsigned char *)data->data + (size_t)off * es,
           es);
  }
  return EDGERT_OK;
}

static bool reducible_dtype(edgert_dtype t) {
  return t == EDGERT_FLOAT32 || t == EDGERT_FLOAT64 || t == EDGERT_INT32 || t == EDGERT_INT64;
}

/* Combines one update element into dst by the reduction (plain copy for none). Integer arithmetic goes
 * through unsigned types so overflow wraps instead of being undefined. */
static void combine(er_reduction r, edgert_dtype t, unsigned char *dst, const unsigned char *src, size_t es) {
  if (r == ER_REDUCE_NONE) {
    memcpy(dst, src, es);
    return;
  }
#define ER_COMBINE(type, add, mul)                                                                           \
  do {                                                                                                       \
    type a, b;                                                                                               \
    memcpy(&a, dst, sizeof a);                                                                               \
    memcpy(&b, src, sizeof b);                                                                               \
    switch (r) {                                                                                             \
    case ER_REDUCE_ADD: a = add; break;                                                                      \
    case ER_REDUCE_MUL: a = mul; break;                                                                      \
    case ER_REDUCE_MAX: a = a > b ? a : b; break;                                                            \
    default: a = a < b ? a : b; break;                                                                       \
    }                                                                                                        \
    memcpy(dst, &a, sizeof a);                                                                               \
  } while (0)
  switch (t) {
  case EDGERT_FLOAT32: ER_COMBINE(float, a + b, a * b); break;
  case EDGERT_FLOAT64: ER_COMBINE(double, a + b, a * b); break;
  case EDGERT_INT32:
    ER_COMBINE(int32_t, (int32_t)((uint32_t)a + (uint32_t)b), (int32_t)((uint32_t)a * (uint32_t)b));
    break;
  default:
    ER_COMBINE(int64_t, (int64_t)((uint64_t)a + (uint64_t)b), (int64_t)((uint64_t)a * (uint64_t)b));
    break;
  }
#undef ER_COMBINE
}

static edgert_status check_reduction(er_op_ctx *ctx, const er_tensor *data) {
  const er_index_attrs *attrs = er_attrs(ctx);
  if (attrs && attrs->reduction != ER_REDUCE_NONE && !reducible_dtype(data->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "reduction on %s; supported: float32, float64, int32, int64",
                   edgert_dtype_name(data->dtype));
  return EDGERT_OK;
}

static edgert_status scatter_elements_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 3, 3, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *data = er_input(ctx, 0), *indices = er_input(ctx, 1), *updates = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  if (data->dtype != out->dtype || updates->dtype != data->dtype)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "data, updates and output dtypes differ");
  if (!er_same_shape(indices, updates))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "indices and updates differ in shape");
  if ((st = check_reduction(ctx, data)) != EDGERT_OK) return st;
  if ((st = elements_plan(ctx, data, indices)) != EDGERT_OK) return st;
  return er_set_output_shape(ctx, out, data->ndim, data->dims);
}

static edgert_status scatter_elements_eval(er_op_ctx *ctx) {
  const index_plan *p = ctx->op_data;
  const er_index_attrs *attrs = er_attrs(ctx);
  const er_tensor *data = er_input(ctx, 0), *indices = er_input(ctx, 1), *updates = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  size_t es = edgert_dtype_size(data->dtype);
  er_reduction r = attrs ? attrs->reduction : ER_REDUCE_NONE;
  if (out->data != data->data && out->bytes) memmove(out->data, data->data, out->bytes);
  for (int64_t i = 0; i < p->n_indices; i++) {
    int64_t off;
    if (!element_offset(p, data, indices, i, &off))
      return index_fail(ctx, mv_index_at(indices, i), p->axis_size);
    combine(r, data->dtype, (unsigned char *)out->data + (size_t)off * es,
            (const unsigned char *)updates->data + (size_t)i * es, es);
  }
  return EDGERT_OK;
}

/* GatherND and ScatterND: the last dim of indices (length nd) addresses data's dims [batch_dims,
 * batch_dims + nd); each index tuple picks one slice of the remaining dims. */
typedef struct {
  int32_t nd, batch_dims;
  int64_t batch, tuples, slice_len, batch_stride;
  int64_t dims[ER_MAX_DIMS], strides[ER_MAX_DIMS]; /* of the addressed dims, in elements */
} nd_plan;

static edgert_status nd_plan_make(er_op_ctx *ctx, const er_tensor *data, const er_tensor *indices,
                                  int32_t batch_dims, nd_plan **out_plan) {
  edgert_status st = check_indices_dtype(ctx, indices);
  if (st != EDGERT_OK) return st;
  if (indices->ndim < 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "indices must have rank >= 1");
  int64_t nd = indices->dims[indices->ndim - 1];
  if (batch_dims < 0 || batch_dims >= indices->ndim || batch_dims > data->ndim || nd < 0 ||
      nd > data->ndim - batch_dims)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "indices last dim %lld and batch_dims %d do not fit data rank %d",
                   (long long)nd, (int)batch_dims, (int)data->ndim);
  for (int32_t i = 0; i < batch_dims; i++)
    if (data->dims[i] != indices->dims[i])
      return er_fail(ctx, EDGERT_ERR_SHAPE, "batch dim %d differs between data and indices", (int)i);
  nd_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  p->nd = (int32_t)nd;
  p->batch_dims = batch_dims;
  p->batch = mv_dims_product(data->dims, 0, batch_dims);
  p->tuples = mv_dims_product(indices->dims, batch_dims, indices->ndim - 1);
  p->slice_len = mv_dims_product(data->dims, batch_dims + p->nd, data->ndim);
  p->batch_stride = mv_dims_product(data->dims, batch_dims, data->ndim);
  for (int32_t k = 0; k < p->nd; k++) {
    p->dims[k] = data->dims[batch_dims + k];
    p->strides[k] = mv_dims_product(data->dims, batch_dims + k + 1, data->ndim);
  }
  ctx->op_data = p;
  *out_plan = p;
  return EDGERT_OK;
}

/* Element offset in data of index tuple t of batch b; false when a coordinate is out of range. */
static bool tuple_offset(const nd_plan *p, const er_tensor *indices, int64_t b, int64_t t, int64_t *offset,
                         int64_t *bad) {
  int64_t off = b * p->batch_stride, base = (b * p->tuples + t) * p->nd;
  for (int32_t k = 0; k < p->nd; k++) {
    int64_t v;
    if (!wrap_index(indices, base + k, p->dims[k], &v)) {
      *bad = mv_index_at(indices, base + k);
      return false;
    }
    off += v * p->strides[k];
  }
  *offset = off;
  return true;
}

static edgert_status gather_nd_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_index_attrs *attrs = er_attrs(ctx);
  const er_tensor *data = er_input(ctx, 0), *indices = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (data->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "data and output dtypes differ");
  nd_plan *p;
  if ((st = nd_plan_make(ctx, data, indices, attrs ? attrs->batch_dims : 0, &p)) != EDGERT_OK) return st;
  int64_t dims[ER_MAX_DIMS];
  int32_t ndim = 0;
  if (indices->ndim - 1 + data->ndim - p->batch_dims - p->nd > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output rank is beyond %d", ER_MAX_DIMS);
  for (int32_t i = 0; i < indices->ndim - 1; i++)
    dims[ndim++] = indices->dims[i];
  for (int32_t i = p->batch_dims + p->nd; i < data->ndim; i++)
    dims[ndim++] = data->dims[i];
  return er_set_output_shape(ctx, out, ndim, dims);
}

static edgert_status gather_nd_eval(er_op_ctx *ctx) {
  const nd_plan *p = ctx->op_data;
  const er_tensor *data = er_input(ctx, 0), *indices = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  size_t es = edgert_dtype_size(data->dtype), slice = (size_t)p->slice_len * es;
  unsigned char *dst = out->data;
  for (int64_t b = 0; b < p->batch; b++) {
    for (int64_t t = 0; t < p->tuples; t++) {
      int64_t off, bad;
      if (!tuple_offset(p, indices, b, t, &off, &bad)) return index_fail(ctx, bad, p->dims[0]);
      if (slice) memcpy(dst, (const unsigned char *)data->data + (size_t)off * es, slice);
      dst += slice;
    }
  }
  return EDGERT_OK;
}

/* ScatterND: updates has shape indices.shape[:-1] + data.shape[nd:]. */
static edgert_status scatter_nd_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 3, 3, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *data = er_input(ctx, 0), *indices = er_input(ctx, 1), *updates = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  if (data->dtype != out->dtype || updates->dtype != data->dtype)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "data, updates and output dtypes differ");
  if ((st = check_reduction(ctx, data)) != EDGERT_OK) return st;
  nd_plan *p;
  if ((st = nd_plan_make(ctx, data, indices, 0, &p)) != EDGERT_OK) return st;
  if (er_tensor_elements(updates) != p->tuples * p->slice_len)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "updates hold %lld elements, expected %lld",
                   (long long)er_tensor_elements(updates), (long long)(p->tuples * p->slice_len));
  return er_set_output_shape(ctx, out, data->ndim, data->dims);
}

static edgert_status scatter_nd_eval(er_op_ctx *ctx) {
  const nd_plan *p = ctx->op_data;
  const er_index_attrs *attrs = er_attrs(ctx);
  const er_tensor *data = er_input(ctx, 0), *indices = er_input(ctx, 1), *updates = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  er_reduction r = attrs ? attrs->reduction : ER_REDUCE_NONE;
  size_t es = edgert_dtype_size(data->dtype);
  if (out->data != data->data && out->bytes) memmove(out->data, data->data, out->bytes);
  const unsigned char *src = updates->data;
  for (int64_t t = 0; t < p->tuples; t++) {
    int64_t off, bad;
    if (!tuple_offset(p, indices, 0, t, &off, &bad)) return index_fail(ctx, bad, p->dims[0]);
    unsigned char *dst = (unsigned char *)out->data + (size_t)off * es;
    for (int64_t j = 0; j < p->slice_len; j++)
      combine(r, data->dtype, dst + (size_t)j * es, src + (size_t)j * es, es);
    src += (size_t)p->slice_len * es;
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_onnx_gather = {.prepare = gather_prepare, .eval = gather_eval};
const er_kernel er_kernel_gather_elements = {.prepare = gather_elements_prepare,
                                             .eval = gather_elements_eval};
const er_kernel er_kernel_scatter_elements = {.prepare = scatter_elements_prepare,
                                              .eval = scatter_elements_eval};
const er_kernel er_kernel_onnx_gather_nd = {.prepare = gather_nd_prepare, .eval = gather_nd_eval};
const er_kernel er_kernel_onnx_scatter_nd = {.prepare = scatter_nd_prepare, .eval = scatter_nd_eval};
