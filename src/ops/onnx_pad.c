/* ONNX_PAD: ONNX Pad-2/11/13/18 (docs/Operators.md). pads is a constant [2 * n] vector, all begins then all
 * ends, for every dim or for the dims named by the optional constant axes input (opset 18); negative pads
 * crop. Modes: constant (the optional scalar input 2, read at eval, else zero), edge (repeat the border
 * element), reflect (mirror without repeating the border, numpy's "reflect", periodic when the pad is
 * longer than the dim). Each output dim gets a table from output index to input index (-1: fill) at
 * prepare; eval walks the output in order. When pads (or axes) are computed at run time, the model's
 * declared output shape sizes the tables at prepare and eval fills them from the values, checking the
 * shape. */
#include <string.h>

#include "ops/movement.h"

typedef struct {
  int32_t ndim;
  int64_t out_dims[ER_MAX_DIMS], in_strides[ER_MAX_DIMS];
  int64_t *source[ER_MAX_DIMS]; /* per dim: input index of each output index, -1 for the fill value */
  bool deferred;
} onnx_pad_plan;

/* Input index that output index o of a dim reads, or -1 for the constant. */
static int64_t source_index(er_pad_mode mode, int64_t o, int64_t begin, int64_t size) {
  int64_t i = o - begin;
  if (i >= 0 && i < size) return i;
  if (mode == ER_PAD_MODE_CONSTANT || size == 0) return -1;
  if (mode == ER_PAD_MODE_EDGE) return i < 0 ? 0 : size - 1;
  if (size == 1) return 0;
  int64_t period = 2 * (size - 1), x = i % period;
  if (x < 0) x += period;
  return x < size ? x : period - x;
}

static edgert_status read_pads(er_op_ctx *ctx, const er_tensor *in, int64_t *begin, int64_t *end) {
  const er_tensor *pads = er_input(ctx, 1), *axes = er_input(ctx, 3);
  edgert_status st = mv_check_index(ctx, pads, "pads (input 1)");
  if (st != EDGERT_OK) return st;
  int32_t axis_of[ER_MAX_DIMS], n = in->ndim;
  for (int32_t i = 0; i < in->ndim; i++)
    axis_of[i] = i;
  if (axes) {
    if ((st = mv_check_index(ctx, axes, "axes (input 3)")) != EDGERT_OK) return st;
    int64_t count = er_tensor_elements(axes);
    if (count > in->ndim) return er_fail(ctx, EDGERT_ERR_SHAPE, "axes has more entries than the rank");
    n = (int32_t)count;
    for (int32_t k = 0; k < n; k++)
      if ((st = mv_normalize_axis(ctx, mv_index_at(axes, k), in->ndim, &axis_of[k])) != EDGERT_OK) return st;
  }
  if (er_tensor_elements(pads) != 2 * (int64_t)n)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "pads must hold %d values", (int)(2 * n));
  for (int32_t i = 0; i < in->ndim; i++)
    begin[i] = end[i] = 0;
  for (int32_t k = 0; k < n; k++) {
    int64_t b = mv_index_at(pads, k), e = mv_index_at(pads, k + n);
    if (b < -in->dims[axis_of[k]] || e < -in->dims[axis_of[k]] || b > INT32_MAX || e > INT32_MAX)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "pads of dim %d (%lld, %lld) do not fit size %lld",
                     (int)axis_of[k], (long long)b, (long long)e, (long long)in->dims[axis_of[k]]);
    begin[axis_of[k]] = b;
    end[axis_of[k]] = e;
  }
  return EDGERT_OK;
}

/* Output dims from the pads' values. */
static edgert_status padded_dims(er_op_ctx *ctx, int64_t *begin, int64_t *dims) {
  const er_onnx_pad_attrs *attrs = er_attrs(ctx);
  er_pad_mode mode = attrs ? attrs->mode : ER_PAD_MODE_CONSTANT;
  const er_tensor *in = er_input(ctx, 0);
  int64_t end[ER_MAX_DIMS];
  edgert_status st = read_pads(ctx, in, begin, end);
  if (st != EDGERT_OK) return st;
  for (int32_t i = 0; i < in->ndim; i++) {
    dims[i] = in->dims[i] + begin[i] + end[i];
    if (dims[i] < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "pads crop dim %d below zero", (int)i);
    if (dims[i] > 0 && in->dims[i] == 0 && mode != ER_PAD_MODE_CONSTANT)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "cannot %s-pad an empty dim",
                     mode == ER_PAD_MODE_EDGE ? "edge" : "reflect");
  }
  return EDGERT_OK;
}

static void fill_sources(er_op_ctx *ctx, onnx_pad_plan *p, const int64_t *begin) {
  const er_onnx_pad_attrs *attrs = er_attrs(ctx);
  er_pad_mode mode = attrs ? attrs->mode : ER_PAD_MODE_CONSTANT;
  const er_tensor *in = er_input(ctx, 0);
  for (int32_t i = 0; i < p->ndim; i++)
    for (int64_t o = 0; o < p->out_dims[i]; o++)
      p->source[i][o] = source_index(mode, o, begin[i], in->dims[i]);
}

static bool is_const_or_absent(const er_tensor *t) { return !t || mv_is_const(t); }

static edgert_status onnx_pad_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 4, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *value = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if (value && (value->dtype != in->dtype || er_tensor_elements(value) != 1))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "constant_value must be one element of the input's dtype");
  onnx_pad_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  int64_t begin[ER_MAX_DIMS], dims[ER_MAX_DIMS];
  int32_t ndim = in->ndim;
  p->deferred = !is_const_or_absent(er_input(ctx, 1)) || !is_const_or_absent(er_input(ctx, 3));
  if (!p->deferred) {
    if ((st = padded_dims(ctx, begin, dims)) != EDGERT_OK) return st;
  } else if (!mv_declared_shape(out, &ndim, dims) || ndim != in->ndim) {
    return mv_need_value(ctx, 1, 3, "pads");
  }
  if ((st = er_set_output_shape(ctx, out, in->ndim, dims)) != EDGERT_OK) return st;
  p->ndim = in->ndim;
  mv_strides(in->ndim, in->dims, p->in_strides);
  for (int32_t i = 0; i < in->ndim; i++) {
    p->out_dims[i] = dims[i];
    p->source[i] = er_persist_alloc(ctx, sizeof(int64_t) * (size_t)(dims[i] > 0 ? dims[i] : 1));
    if (!p->source[i]) return EDGERT_ERR_NO_MEMORY;
  }
  if (!p->deferred) fill_sources(ctx, p, begin);
  return EDGERT_OK;
}

static edgert_status onnx_pad_eval(er_op_ctx *ctx) {
  const onnx_pad_plan *p = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0), *value = er_input(ctx, 2);
  if (p->deferred) {
    int64_t begin[ER_MAX_DIMS], dims[ER_MAX_DIMS];
    edgert_status st = padded_dims(ctx, begin, dims);
    if (st == EDGERT_OK) st = mv_check_deferred_shape(ctx, er_output(ctx, 0), p->ndim, dims);
    if (st != EDGERT_OK) return st;
    fill_sources(ctx, ctx->op_data, begin);
  }
  er_tensor *out = er_output(ctx, 0);
  size_t es = edgert_dtype_size(in->dtype);
  unsigned char zero[16] = {0};
  const unsigned char *fill = value ? value->data : zero;
  const unsigned char *src = in->data;
  unsigned char *dst = out->data;
  if (p->ndim == 0) {
    memcpy(dst, src, es);
    return EDGERT_OK;
  }
  int64_t total = er_tensor_elements(out), idx[ER_MAX_DIMS] = {0};
  int32_t last = p->ndim - 1;
  for (int64_t done = 0; done < total; done += p->out_dims[last]) {
    /* The outer coordinates decide the row's base, or that the whole row is fill. */
    int64_t base = 0;
    bool fill_row = false;
    for (int32_t d = 0; d < last; d++) {
      int64_t s = p->source[d][idx[d]];
      if (s < 0) fill_row = true;
      base += s * p->in_strides[d];
    }
    for (int64_t o = 0; o < p->out_dims[last]; o++, dst += es) {
      int64_t s = fill_row ? -1 : p->source[last][o];
      memcpy(dst, s < 0 ? fill : src + (size_t)(base + s) * es, es);
    }
    for (int32_t d = last - 1; d >= 0; d--) {
      if (++idx[d] < p->out_dims[d]) break;
      idx[d] = 0;
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_onnx_pad = {.prepare = onnx_pad_prepare, .eval = onnx_pad_eval};
