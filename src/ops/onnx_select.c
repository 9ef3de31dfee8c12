/* Ops whose output size depends on the input values (ONNX NonZero-13, Compress-11, Unique-11). edgert
 * plans memory before invoke, so the output shapes come from the values when the inputs are constant
 * (folded at prepare) and otherwise from the shapes the model declares for the outputs; eval computes
 * the real sizes and fails the invoke when they differ from the declared ones. Models that leave these
 * shapes open are refused at prepare with a message saying so.
 *
 * NonZero writes the coordinates of the nonzero elements in row-major order as int64 [rank, count].
 * Compress keeps the slices along axis (or elements of the flattened input) whose condition is true; a
 * condition shorter than the axis leaves the rest out. Unique finds the distinct slices along axis (or
 * elements), in order of first occurrence or sorted ascending (lexicographically for slices), with the
 * index of each one's first occurrence, the inverse map and the counts. Values compare as double. */
#include <string.h>

#include "ops/movement.h"
#include "ops/onnx_number.h"

static bool nonzero_at(const er_tensor *t, int64_t i) { return number_at(t, i) != 0; }

/* Output shape of a value-dependent op: computed when its inputs are constant, else declared. */
static edgert_status value_dependent_shape(er_op_ctx *ctx, er_tensor *out, bool inputs_const, int32_t ndim,
                                           const int64_t *dims) {
  if (inputs_const) return er_set_output_shape(ctx, out, ndim, dims);
  int32_t declared_ndim;
  int64_t declared[ER_MAX_DIMS];
  if (!mv_declared_shape(out, &declared_ndim, declared) || declared_ndim != ndim)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "output size depends on run-time values and the model declares no static shape for it");
  return er_set_output_shape(ctx, out, declared_ndim, declared);
}

/* ---- NonZero */

static int64_t count_nonzero(const er_tensor *in) {
  int64_t n = er_tensor_elements(in), count = 0;
  for (int64_t i = 0; i < n; i++)
    count += nonzero_at(in, i);
  return count;
}

static edgert_status non_zero_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if ((st = er_check_dtype(ctx, out, EDGERT_INT64, "output")) != EDGERT_OK) return st;
  int64_t dims[2] = {in->ndim, mv_is_const(in) ? count_nonzero(in) : 0};
  return value_dependent_shape(ctx, out, mv_is_const(in), 2, dims);
}

static edgert_status non_zero_eval(er_op_ctx *ctx) {
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t count = count_nonzero(in), n = er_tensor_elements(in), k = 0, coord[ER_MAX_DIMS] = {0};
  if (count != out->dims[1])
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "%lld nonzero elements but the model declares %lld",
                   (long long)count, (long long)out->dims[1]);
  int64_t *o = out->data;
  for (int64_t i = 0; i < n; i++) {
    if (nonzero_at(in, i)) {
      for (int32_t d = 0; d < in->ndim; d++)
        o[d * count + k] = coord[d];
      k++;
    }
    for (int32_t d = in->ndim - 1; d >= 0; d--) {
      if (++coord[d] < in->dims[d]) break;
      coord[d] = 0;
    }
  }
  return EDGERT_OK;
}

/* ---- Compress */

typedef struct {
  int64_t outer, axis_len, inner;
} compress_plan;

static int64_t count_selected(const er_tensor *cond, int64_t axis_len) {
  int64_t n = er_tensor_elements(cond), count = 0;
  if (n > axis_len) n = axis_len;
  for (int64_t i = 0; i < n; i++)
    count += nonzero_at(cond, i);
  return count;
}

static edgert_status compress_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_select_axis_attrs *a = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0), *cond = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if (cond->ndim != 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "condition must be 1-D");
  compress_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  int64_t dims[ER_MAX_DIMS];
  int32_t ndim;
  if (a && a->has_axis) {
    int32_t axis;
    if ((st = mv_normalize_axis(ctx, a->axis, in->ndim, &axis)) != EDGERT_OK) return st;
    p->outer = mv_dims_product(in->dims, 0, axis);
    p->axis_len = in->dims[axis];
    p->inner = mv_dims_product(in->dims, axis + 1, in->ndim);
    ndim = in->ndim;
    memcpy(dims, in->dims, sizeof(int64_t) * (size_t)ndim);
    dims[axis] = mv_is_const(cond) ? count_selected(cond, p->axis_len) : 0;
  } else {
    p->outer = 1;
    p->axis_len = er_tensor_elements(in);
    p->inner = 1;
    ndim = 1;
    dims[0] = mv_is_const(cond) ? count_selected(cond, p->axis_len) : 0;
  }
  return value_dependent_shape(ctx, out, mv_is_const(cond), ndim, dims);
}

static edgert_status compress_eval(er_op_ctx *ctx) {
  const compress_plan *p = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0), *cond = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  int64_t count = count_selected(cond, p->axis_len);
  if (count * p->outer * p->inner != er_tensor_elements(out))
    return er_fail(ctx, EDGERT_ERR_RUNTIME,
                   "condition selects %lld slices but the model declares another shape", (long long)count);
  int64_t n_cond = er_tensor_elements(cond);
  size_t row = (size_t)p->inner * edgert_dtype_size(in->dtype);
  const unsigned char *src = in->data;
  unsigned char *dst = out->data;
  for (int64_t o = 0; o < p->outer; o++)
    for (int64_t i = 0; i < p->axis_len; i++)
      if (i < n_cond && nonzero_at(cond, i)) {
        memcpy(dst, src + (size_t)(o * p->axis_len + i) * row, row);
        dst += row;
      }
  return EDGERT_OK;
}

/* ---- Unique: slices k = 0..n-1 along the axis, each of outer * inner elements. */

typedef struct {
  int64_t outer, n, inner;
  int32_t axis; /* in the output: where the count goes (0 when flattened) */
} unique_plan;

static double slice_value(const unique_plan *p, const er_tensor *in, int64_t k, int64_t j) {
  int64_t o = j / p->inner, i = j % p->inner;
  return number_at(in, (o * p->n + k) * p->inner + i);
}

/* <0, 0, >0 as slice a sorts before, equal to, after slice b. */
static int compare_slices(const unique_plan *p, const er_tensor *in, int64_t a, int64_t b) {
  int64_t len = p->outer * p->inner;
  for (int64_t j = 0; j < len; j++) {
    double x = slice_value(p, in, a, j), y = slice_value(p, in, b, j);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/* Fills first[u] (first slice of unique value u, in the output order) and inverse[k] (u of slice k);
 * returns the number of unique slices. first and inverse have p->n entries. */
static int64_t find_unique(const unique_plan *p, const er_tensor *in, bool sorted, int64_t *first,
                           int64_t *inverse) {
  int64_t count = 0;
  for (int64_t k = 0; k < p->n; k++) {
    int64_t u = 0;
    while (u < count && compare_slices(p, in, first[u], k) != 0)
      u++;
    if (u == count) first[count++] = k;
  }
  if (sorted) /* insertion sort of the representatives; first occurrences stay first among equals */
    for (int64_t i = 1; i < count; i++) {
      int64_t v = first[i], j = i;
      while (j > 0 && compare_slices(p, in, first[j - 1], v) > 0) {
        first[j] = first[j - 1];
        j--;
      }
      first[j] = v;
    }
  for (int64_t k = 0; k < p->n; k++)
    for (int64_t u = 0; u < count; u++)
      if (compare_slices(p, in, first[u], k) == 0) {
        inverse[k] = u;
        break;
      }
  return count;
}

static edgert_status unique_prepare(er_op_ctx *ctx) {
  int32_t n_out = ctx->node->n_outputs;
  edgert_status st = er_check_io(ctx, 1, 1, n_out >= 1 && n_out <= 4 ? n_out : 1);
  if (st != EDGERT_OK) return st;
  const er_select_axis_attrs *a = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *values = er_output(ctx, 0);
  if (!values || values->dtype != in->dtype)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  for (int32_t i = 1; i < n_out; i++)
    if (er_output(ctx, i) &&
        (st = er_check_dtype(ctx, er_output(ctx, i), EDGERT_INT64, "index output")) != EDGERT_OK)
      return st;
  unique_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  int64_t dims[ER_MAX_DIMS];
  int32_t ndim = 1;
  if (a && a->has_axis) {
    if ((st = mv_normalize_axis(ctx, a->axis, in->ndim, &p->axis)) != EDGERT_OK) return st;
    p->outer = mv_dims_product(in->dims, 0, p->axis);
    p->n = in->dims[p->axis];
    p->inner = mv_dims_product(in->dims, p->axis + 1, in->ndim);
    ndim = in->ndim;
    memcpy(dims, in->dims, sizeof(int64_t) * (size_t)ndim);
  } else {
    p->axis = 0;
    p->outer = p->inner = 1;
    p->n = er_tensor_elements(in);
  }
  if (p->n > ((int64_t)1 << 40)) return er_fail(ctx, EDGERT_ERR_LIMIT, "too many elements");
  ctx->scratch_bytes = sizeof(int64_t) * 2 * (size_t)(p->n > 0 ? p->n : 1);
  int64_t count = 0;
  if (mv_is_const(in)) {
    /* Counting needs the same memory eval gets; for a constant input the count is found with a small
     * buffer from persistent memory instead. */
    int64_t *buf = er_persist_alloc(ctx, sizeof(int64_t) * 2 * (size_t)(p->n > 0 ? p->n : 1));
    if (!buf) return EDGERT_ERR_NO_MEMORY;
    count = find_unique(p, in, a && a->sorted, buf, buf + p->n);
  }
  dims[p->axis] = count;
  if ((st = value_dependent_shape(ctx, values, mv_is_const(in), ndim, dims)) != EDGERT_OK) return st;
  int64_t declared_count = values->dims[p->axis];
  for (int32_t i = 1; i < n_out; i++) {
    er_tensor *t = er_output(ctx, i);
    int64_t len = i == 2 ? p->n : declared_count;
    if (t && (st = er_set_output_shape(ctx, t, 1, &len)) != EDGERT_OK) return st;
  }
  return EDGERT_OK;
}

static edgert_status unique_eval(er_op_ctx *ctx) {
  const unique_plan *p = ctx->op_data;
  const er_select_axis_attrs *a = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *values = er_output(ctx, 0), *first_out = er_output(ctx, 1), *inverse_out = er_output(ctx, 2),
            *counts_out = er_output(ctx, 3);
  int64_t *first = ctx->scratch, *inverse = first + p->n;
  int64_t count = find_unique(p, in, a && a->sorted, first, inverse);
  if (count != values->dims[p->axis])
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "%lld unique values but the model declares %lld",
                   (long long)count, (long long)values->dims[p->axis]);
  size_t es = edgert_dtype_size(in->dtype), row = (size_t)p->inner * es;
  for (int64_t o = 0; o < p->outer; o++)
    for (int64_t u = 0; u < count; u++)
      memcpy((unsigned char *)values->data + (size_t)(o * count + u) * row,
             (const unsigned char *)in->data + (size_t)(o * p->n + first[u]) * row, row);
  if (first_out) memcpy(first_out->data, first, sizeof(int64_t) * (size_t)count);
  if (inverse_out && p->n) memcpy(inverse_out->data, inverse, sizeof(int64_t) * (size_t)p->n);
  if (counts_out) {
    int64_t *c = counts_out->data;
    for (int64_t u = 0; u < count; u++)
      c[u] = 0;
    for (int64_t k = 0; k < p->n; k++)
      c[inverse[k]]++;
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_non_zero = {.prepare = non_zero_prepare, .eval = non_zero_eval};
const er_kernel er_kernel_compress = {.prepare = compress_prepare, .eval = compress_eval};
const er_kernel er_kernel_unique = {.prepare = unique_prepare, .eval = unique_eval};
