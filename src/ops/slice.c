/* SLICE and STRIDED_SLICE: copy a box (with steps, possibly backwards) out of the input.
 *
 * STRIDED_SLICE follows TFLite exactly (tensorflow/lite/kernels/strided_slice.cc and
 * kernels/internal/strided_slice_logic.h): the ellipsis and new-axis masks are first expanded into an
 * "effective" input shape with begin/end masks, then each axis gets its start (StridedSliceStartForAxis)
 * and end (StridedSliceEndForAxis, where `offset` makes end relative to start). The output shape is
 * ceil((end - start) / stride) per kept axis, or ceil(end / stride) with `offset`; elements are written in
 * order by the same loops TFLite runs. Where a hostile model makes the loops produce fewer elements than
 * the output holds (TFLite would leave the rest unwritten) the rest is zeroed; more is refused.
 * Index math is done in int64 so no value from the file can overflow it. */
#include <string.h>

#include "ops/movement.h"

typedef struct {
  int32_t ndim;
  int64_t counts[ER_MAX_DIMS];     /* iterations of each loop */
  int64_t in_strides[ER_MAX_DIMS]; /* element step of each loop in the input (stride times dim stride) */
  int64_t base;                    /* input element where the first loop starts */
  int64_t total;                   /* elements the loops write */
} slice_plan;

/* One axis of the effective (mask-expanded) slice. */
typedef struct {
  int64_t size, begin, end, stride;
  bool begin_mask, end_mask, shrink;
} slice_axis;

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

static int64_t start_for_axis(const slice_axis *a) {
  int64_t start = a->begin;
  if (start < 0) start += a->size;
  start = a->stride > 0 ? clamp64(start, 0, a->size) : clamp64(start, -1, a->size - 1);
  if (a->begin_mask) start = a->stride > 0 ? 0 : a->size - 1;
  return start;
}

static int64_t end_for_axis(const slice_axis *a, int64_t start, bool offset) {
  if (a->shrink) return start >= a->size ? start : start + 1;
  int64_t end = a->end;
  if (offset) end += start;
  if (end < 0) end += a->size;
  end = a->stride > 0 ? clamp64(end, 0, a->size) : clamp64(end, -1, a->size - 1);
  if (a->end_mask) end = a->stride > 0 ? a->size : -1;
  return end;
}

/* ceil(num / den) for den != 0, clamped at 0 (TFLite's output dim formula, done exactly). */
static int64_t ceil_div_nonneg(int64_t num, int64_t den) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  if (num <= 0) return 0;
  return (num + den - 1) / den;
}

/* Iterations of `for (i = start; stride > 0 ? i < end : i > end; i += stride)`. */
static int64_t loop_count(int64_t start, int64_t end, int64_t stride) {
  return stride > 0 ? ceil_div_nonneg(end - start, stride) : ceil_div_nonneg(start - end, -stride);
}

/* Fills the plan from effective axes, checking the loops stay inside the input and the output. */
static edgert_status plan_loops(er_op_ctx *ctx, slice_plan *p, int32_t n, const slice_axis *axes, bool offset,
                                const er_tensor *out) {
  int64_t dims[ER_MAX_DIMS], dim_strides[ER_MAX_DIMS];
  for (int32_t i = 0; i < n; i++)
    dims[i] = axes[i].size;
  mv_strides(n, dims, dim_strides);
  p->ndim = n;
  p->base = 0;
  p->total = 1;
  for (int32_t i = 0; i < n; i++) {
    int64_t start = start_for_axis(&axes[i]);
    int64_t end = end_for_axis(&axes[i], start, offset);
    p->counts[i] = loop_count(start, end, axes[i].stride);
    p->in_strides[i] = axes[i].stride * dim_strides[i];
    if (p->counts[i] > 0) {
      /* Clamping keeps start inside [0, size); check anyway, the input is read through these. */
      int64_t last = start + (p->counts[i] - 1) * axes[i].stride;
      if (start < 0 || start >= axes[i].size || last < 0 || last >= axes[i].size)
        return er_fail(ctx, EDGERT_ERR_SHAPE, "slice of axis %d leaves the input", (int)i);
    }
    p->base += start * dim_strides[i];
    p->total *= p->counts[i];
  }
  if (p->total > er_tensor_elements(out))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "slice yields %lld elements but the output holds %lld",
                   (long long)p->total, (long long)er_tensor_elements(out));
  if (p->total == 0) p->base = 0;
  return EDGERT_OK;
}

typedef struct {
  const er_tensor *begin, *end, *strides;
  int32_t count; /* entries in begin/end/strides */
} slice_spec;

/* TFLite's BuildStridedSliceParams: expands the ellipsis to as many full axes as needed and inserts a
 * size-1 axis for each new-axis bit, giving the effective axes. */
static edgert_status build_effective_axes(er_op_ctx *ctx, const er_strided_slice_attrs *a,
                                          const slice_spec *s, const er_tensor *in, slice_axis *axes,
                                          int32_t *n_axes) {
  int32_t begin_count = s->count, input_dims = in->ndim;
  int32_t num_add_axis = 0;
  for (int32_t i = 0; i < begin_count; i++)
    if (!((1 << i) & a->ellipsis_mask) && ((1 << i) & a->new_axis_mask)) num_add_axis++;
  int32_t effective_dims = input_dims + num_add_axis;
  if (effective_dims > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "slice has %d dims with new axes, more than %d",
                   (int)effective_dims, ER_MAX_DIMS);
  int32_t ellipsis_mask = 0, new_axis_mask = 0, ellipsis_start = effective_dims, expanded_ellipsis = 0;
  for (int32_t i = 0; i < effective_dims;) {
    if ((1 << i) & a->ellipsis_mask) {
      ellipsis_start = i;
      int32_t stop = i + 1 + num_add_axis + input_dims - begin_count;
      if (stop > effective_dims) stop = effective_dims;
      if (stop < i + 1) stop = i + 1;
      expanded_ellipsis = stop - ellipsis_start - 1;
      for (; i < stop; i++)
        ellipsis_mask |= 1 << i;
      continue;
    }
    if ((1 << (i - expanded_ellipsis)) & a->new_axis_mask) new_axis_mask |= 1 << i;
    i++;
  }
  int32_t added_ellipsis = 0, added_axes = 0;
  for (int32_t i = 0; i < effective_dims; i++) {
    slice_axis *ax = &axes[i];
    *ax = (slice_axis){.size = 1, .begin = 0, .end = 0, .stride = 1};
    int32_t in_dim = i - added_axes;
    if ((1 << i) & new_axis_mask) {
      ax->end = 1;
      added_axes++;
      continue;
    }
    if (in_dim < 0 || in_dim >= input_dims)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "masks do not fit an input of rank %d", (int)input_dims);
    ax->size = in->dims[in_dim];
    if ((1 << i) & ellipsis_mask) {
      added_ellipsis = i - ellipsis_start > 0 ? i - ellipsis_start : 0;
      ax->begin_mask = ax->end_mask = true;
    } else if (i >= begin_count + expanded_ellipsis) {
      ax->begin_mask = ax->end_mask = true;
    } else {
      int32_t k = i - added_ellipsis;
      if (k < 0 || k >= begin_count)
        return er_fail(ctx, EDGERT_ERR_SHAPE, "masks do not fit the begin vector");
      ax->begin = mv_index_at(s->begin, k);
      ax->end = mv_index_at(s->end, k);
      ax->stride = mv_index_at(s->strides, k);
      ax->begin_mask = (a->begin_mask >> k) & 1;
      ax->end_mask = (a->end_mask >> k) & 1;
      ax->shrink = (a->shrink_axis_mask >> k) & 1;
      if (ax->stride == 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "stride %d is zero", (int)k);
    }
  }
  *n_axes = effective_dims;
  return EDGERT_OK;
}

static edgert_status read_spec(er_op_ctx *ctx, slice_spec *s) {
  s->begin = er_input(ctx, 1);
  s->end = er_input(ctx, 2);
  s->strides = er_input(ctx, 3);
  const char *names[3] = {"begin (input 1)", "end (input 2)", "strides (input 3)"};
  const er_tensor *ts[3] = {s->begin, s->end, s->strides};
  for (int i = 0; i < 3; i++) {
    edgert_status st = mv_check_const_index(ctx, ts[i], names[i]);
    if (st != EDGERT_OK) return st;
    if (ts[i]->ndim != 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "%s must be a vector", names[i]);
  }
  if (s->end->dims[0] != s->begin->dims[0] || s->strides->dims[0] != s->begin->dims[0])
    return er_fail(ctx, EDGERT_ERR_SHAPE, "begin, end and strides differ in length");
  if (s->begin->dims[0] > 30) return er_fail(ctx, EDGERT_ERR_LIMIT, "begin has more than 30 entries");
  s->count = (int32_t)s->begin->dims[0];
  return EDGERT_OK;
}

static edgert_status strided_slice_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 4, 4, 1);
  if (st != EDGERT_OK) return st;
  const er_strided_slice_attrs *attrs = er_attrs(ctx);
  if (!attrs) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing options");
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  slice_spec spec;
  if ((st = read_spec(ctx, &spec)) != EDGERT_OK) return st;
  slice_axis axes[ER_MAX_DIMS];
  int32_t n;
  if ((st = build_effective_axes(ctx, attrs, &spec, in, axes, &n)) != EDGERT_OK) return st;
  int64_t dims[ER_MAX_DIMS];
  int32_t ndim = 0;
  for (int32_t i = 0; i < n; i++) {
    if (axes[i].shrink) continue;
    if (attrs->offset) {
      /* TFLite reads the raw end entry at the effective index here. */
      if (i >= spec.count) return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "offset slice with expanded masks");
      dims[ndim++] = ceil_div_nonneg(mv_index_at(spec.end, i), axes[i].stride);
    } else {
      int64_t start = start_for_axis(&axes[i]);
      dims[ndim++] = ceil_div_nonneg(end_for_axis(&axes[i], start, false) - start, axes[i].stride);
    }
  }
  if ((st = er_set_output_shape(ctx, out, ndim, dims)) != EDGERT_OK) return st;
  slice_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  return plan_loops(ctx, p, n, axes, attrs->offset, out);
}

/* SLICE: (input, begin, size) with size -1 meaning "to the end" (slice.cc). */
static edgert_status slice_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 3, 3, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *begin = er_input(ctx, 1), *size = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if ((st = mv_check_const_index(ctx, begin, "begin (input 1)")) != EDGERT_OK) return st;
  if ((st = mv_check_const_index(ctx, size, "size (input 2)")) != EDGERT_OK) return st;
  if (begin->ndim != 1 || size->ndim != 1 || begin->dims[0] != in->ndim || size->dims[0] != in->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "begin and size must be vectors of %d values", (int)in->ndim);
  slice_axis axes[ER_MAX_DIMS];
  int64_t dims[ER_MAX_DIMS];
  for (int32_t i = 0; i < in->ndim; i++) {
    int64_t b = mv_index_at(begin, i), s = mv_index_at(size, i);
    if (s == -1 && b >= 0 && b <= in->dims[i]) s = in->dims[i] - b;
    if (b < 0 || s < 0 || b > in->dims[i] || s > in->dims[i] - b)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "begin %lld size %lld do not fit dim %d of size %lld",
                     (long long)b, (long long)s, (int)i, (long long)in->dims[i]);
    axes[i] = (slice_axis){.size = in->dims[i], .begin = b, .end = b + s, .stride = 1};
    dims[i] = s;
  }
  if ((st = er_set_output_shape(ctx, out, in->ndim, dims)) != EDGERT_OK) return st;
  slice_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  return plan_loops(ctx, p, in->ndim, axes, false, out);
}

static edgert_status slice_eval(er_op_ctx *ctx) {
  const slice_plan *p = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  size_t esize = edgert_dtype_size(in->dtype);
  if (p->total > 0)
    mv_copy_strided(out->data, (const unsigned char *)in->data + (size_t)p->base * esize, p->ndim, p->counts,
                    p->in_strides, esize);
  size_t written = (size_t)p->total * esize;
  if (out->bytes > written) memset((unsigned char *)out->data + written, 0, out->bytes - written);
  return EDGERT_OK;
}

const er_kernel er_kernel_slice = {.prepare = slice_prepare, .eval = slice_eval};
const er_kernel er_kernel_strided_slice = {.prepare = strided_slice_prepare, .eval = slice_eval};
