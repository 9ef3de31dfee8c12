/* ONNX_RESIZE: ONNX Resize-11/13 on tensors of any rank (docs/Operators.md and the reference implementation
 * onnx/reference/ops/op_resize.py); Upsample-7/9 and Resize-10 map here as asymmetric with floor rounding.
 * Inputs X, roi, scales, sizes; roi, scales and sizes must be constant at prepare (an empty tensor counts
 * as absent). The output size is sizes, or floor(input * scale); with sizes, scale = size / input.
 *
 * Interpolation is separable: each output coordinate of each axis maps to an input coordinate x by the
 * coordinate transformation (using output length = scale * input length, as the reference does), and
 * gets taps (input index, weight): nearest one tap chosen by nearest_mode, linear two, cubic four with
 * Keys' kernel of parameter a (optionally dropping taps outside the input and renormalizing). Tap indices
 * are clamped to the input (edge padding, as the reference pads). tf_crop_and_resize writes
 * extrapolation_value where x falls outside the input. Taps are computed once at prepare; eval sums, per
 * output element, the product of the taps of every axis (in double). Nearest copies elements of any
 * dtype; linear and cubic take float32 or float64. When roi, scales or sizes are computed at run time,
 * the model's declared output shape is used at prepare (tap tables sized for it) and eval computes the
 * taps from the values, checking they give that shape. */
#include <math.h>
#include <string.h>

#include "ops/movement.h"

#define MAX_TAPS 4

typedef struct {
  int32_t taps;               /* taps per output coordinate on this axis */
  int64_t out_len, in_stride; /* in_stride: elements between input neighbours on this axis */
  int64_t *index;             /* [out_len * taps], clamped input indices */
  double *weight;             /* [out_len * taps] */
  bool *outside;              /* [out_len]: extrapolate (tf_crop_and_resize) */
} axis_taps;

typedef struct {
  int32_t ndim;
  axis_taps axes[ER_MAX_DIMS];
  double extrapolation;
  bool deferred;
} resize_plan;

/* A float or double constant vector element as double. */
static double float_at(const er_tensor *t, int64_t i) {
  if (t->dtype == EDGERT_FLOAT64) {
    double v;
    memcpy(&v, (const char *)t->data + i * 8, 8);
    return v;
  }
  float v;
  memcpy(&v, (const char *)t->data + i * 4, 4);
  return v;
}

static bool present(const er_tensor *t) { return t && er_tensor_elements(t) > 0; }

static edgert_status check_float(er_op_ctx *ctx, const er_tensor *t, const char *what, int64_t n) {
  if (t->dtype != EDGERT_FLOAT32 && t->dtype != EDGERT_FLOAT64)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s is %s, expected float", what,
                   edgert_dtype_name(t->dtype));
  if (er_tensor_elements(t) != n)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "%s must hold %lld values", what, (long long)n);
  return EDGERT_OK;
}

/* Input coordinate of output coordinate x on one axis; *outside for tf_crop_and_resize beyond the input. */
static double source_coord(const er_onnx_resize_attrs *a, double x, double scale, int64_t in_len,
                           double roi_start, double roi_end, bool *outside) {
  double out_len = scale * (double)in_len, x_ori;
  *outside = false;
  switch (a->coord) {
  case ER_COORD_PYTORCH_HALF_PIXEL: return out_len == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
  case ER_COORD_ALIGN_CORNERS: return out_len == 1 ? 0 : x * (double)(in_len - 1) / (out_len - 1);
  case ER_COORD_ASYMMETRIC: return x / scale;
  case ER_COORD_TF_HALF_PIXEL_FOR_NN: return (x + 0.5) / scale;
  case ER_COORD_TF_CROP_AND_RESIZE:
    if (out_len == 1)
      x_ori = (roi_end - roi_start) * (double)(in_len - 1) / 2;
    else
      x_ori = x * (roi_end - roi_start) * (double)(in_len - 1) / (out_len - 1);
    x_ori += roi_start * (double)(in_len - 1);
    *outside = x_ori < 0 || x_ori > (double)(in_len - 1);
    return x_ori;
  default: return (x + 0.5) / scale - 0.5;
  }
}

/* Taps for input coordinate x: the reference takes the n input positions nearest x (preferring lower
 * ones), which are ceil(x) - n/2 .. ceil(x) + n/2 - 1, with ratio in (0, 1] measured from the one below. */
static int32_t make_taps(const er_onnx_resize_attrs *a, double x, int64_t in_len, int64_t *index,
                         double *weight) {
  /* Far outside the input every tap clamps to the edge anyway; bounding x (NaN included, from hostile
   * scales or roi) keeps the integer conversions below defined. */
  if (!(x > -4)) x = -4;
  if (!(x < (double)in_len + 4)) x = (double)in_len + 4;
  double fl = floor(x), ratio = x == fl ? 1.0 : x - fl;
  int64_t ceil_x = (int64_t)ceil(x);
  int32_t n = a->mode == ER_RESIZE_NEAREST ? 2 : (a->mode == ER_RESIZE_LINEAR ? 2 : 4);
  int64_t first = ceil_x - n / 2;
  double w[MAX_TAPS];
  if (a->mode == ER_RESIZE_NEAREST) {
    bool right;
    if (x == fl) {
      right = true;
    } else {
      switch (a->nearest) {
      case ER_NEAREST_ROUND_PREFER_CEIL: right = ratio >= 0.5; break;
      case ER_NEAREST_FLOOR: right = false; break;
      case ER_NEAREST_CEIL: right = true; break;
      default: right = ratio > 0.5; break;
      }
    }
    int64_t i = first + (right ? 1 : 0);
    index[0] = i < 0 ? 0 : (i >= in_len ? in_len - 1 : i);
    weight[0] = 1;
    return 1;
  }
  if (a->mode == ER_RESIZE_LINEAR) {
    w[0] = 1 - ratio;
    w[1] = ratio;
  } else {
    double A = a->cubic_coeff_a, r = ratio, s = 1 - ratio;
    w[0] = ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A;
    w[1] = ((A + 2) * r - (A + 3)) * r * r + 1;
    w[2] = ((A + 2) * s - (A + 3)) * s * s + 1;
    w[3] = ((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A;
  }
  double sum = 0;
  for (int32_t t = 0; t < n; t++) {
    int64_t i = first + t;
    if (a->exclude_outside && (i < 0 || i >= in_len)) w[t] = 0;
    sum += w[t];
    index[t] = i < 0 ? 0 : (i >= in_len ? in_len - 1 : i);
  }
  for (int32_t t = 0; t < n; t++)
    weight[t] = a->exclude_outside && sum != 0 ? w[t] / sum : w[t];
  return n;
}

/* Output dims and per-axis scales from scales or sizes. */
static edgert_status output_dims(er_op_ctx *ctx, const er_tensor *in, int64_t *dims, double *scales) {
  const er_tensor *scales_t = er_input(ctx, 2), *sizes_t = er_input(ctx, 3);
  edgert_status st;
  if (present(sizes_t)) {
    if ((st = mv_check_index(ctx, sizes_t, "sizes (input 3)")) != EDGERT_OK) return st;
    if (er_tensor_elements(sizes_t) != in->ndim)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "sizes must hold %d values", (int)in->ndim);
    for (int32_t i = 0; i < in->ndim; i++) {
      dims[i] = mv_index_at(sizes_t, i);
      if (dims[i] < 0 || dims[i] > (int64_t)1 << 40)
        return er_fail(ctx, EDGERT_ERR_SHAPE, "sizes[%d] = %lld", (int)i, (long long)dims[i]);
      scales[i] = in->dims[i] ? (double)dims[i] / (double)in->dims[i] : 1;
    }
    return EDGERT_OK;
  }
  if (!present(scales_t)) return er_fail(ctx, EDGERT_ERR_SHAPE, "neither scales nor sizes is given");
  if ((st = check_float(ctx, scales_t, "scales (input 2)", in->ndim)) != EDGERT_OK) return st;
  for (int32_t i = 0; i < in->ndim; i++) {
    scales[i] = float_at(scales_t, i);
    double n = floor(scales[i] * (double)in->dims[i]);
    if (!(scales[i] > 0) || !(n < (double)((int64_t)1 << 40)))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "scales[%d] = %g", (int)i, scales[i]);
    dims[i] = (int64_t)n;
  }
  return EDGERT_OK;
}

/* Fills the tap tables for output dims `dims` (the tables were sized at prepare). */
static void fill_taps(er_op_ctx *ctx, resize_plan *p, const int64_t *dims, const double *scales) {
  const er_onnx_resize_attrs *a = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0), *roi = er_input(ctx, 1);
  bool crop = a->coord == ER_COORD_TF_CROP_AND_RESIZE;
  for (int32_t d = 0; d < in->ndim; d++) {
    axis_taps *ax = &p->axes[d];
    double roi_start = crop ? float_at(roi, d) : 0, roi_end = crop ? float_at(roi, in->ndim + d) : 1;
    for (int64_t x = 0; x < dims[d]; x++) {
      double src = source_coord(a, (double)x, scales[d], in->dims[d], roi_start, roi_end, &ax->outside[x]);
      make_taps(a, src, in->dims[d], ax->index + x * ax->taps, ax->weight + x * ax->taps);
    }
  }
}

static bool is_const_or_absent(const er_tensor *t) { return !t || mv_is_const(t); }

static edgert_status resize_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 4, 1);
  if (st != EDGERT_OK) return st;
  const er_onnx_resize_attrs *a = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0), *roi = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing attributes");
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if (a->mode != ER_RESIZE_NEAREST && in->dtype != EDGERT_FLOAT32 && in->dtype != EDGERT_FLOAT64)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s resize of %s; supported: float32, float64",
                   a->mode == ER_RESIZE_LINEAR ? "linear" : "cubic", edgert_dtype_name(in->dtype));
  if (a->coord == ER_COORD_TF_CROP_AND_RESIZE) {
    if (!present(roi)) return er_fail(ctx, EDGERT_ERR_SHAPE, "tf_crop_and_resize needs roi");
    if ((st = check_float(ctx, roi, "roi (input 1)", 2 * (int64_t)in->ndim)) != EDGERT_OK) return st;
  }
  resize_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  int64_t dims[ER_MAX_DIMS], strides[ER_MAX_DIMS];
  double scales[ER_MAX_DIMS];
  int32_t ndim = in->ndim;
  p->deferred = !is_const_or_absent(roi) || !is_const_or_absent(er_input(ctx, 2)) ||
                !is_const_or_absent(er_input(ctx, 3));
  if (!p->deferred) {
    if ((st = output_dims(ctx, in, dims, scales)) != EDGERT_OK) return st;
  } else if (!mv_declared_shape(out, &ndim, dims) || ndim != in->ndim) {
    return mv_need_value(ctx, 1, 3, "roi, scales or sizes");
  }
  if ((st = er_set_output_shape(ctx, out, in->ndim, dims)) != EDGERT_OK) return st;
  p->ndim = in->ndim;
  p->extrapolation = a->extrapolation_value;
  mv_strides(in->ndim, in->dims, strides);
  for (int32_t d = 0; d < in->ndim; d++) {
    axis_taps *ax = &p->axes[d];
    ax->out_len = dims[d];
    ax->in_stride = strides[d];
    ax->taps = a->mode == ER_RESIZE_NEAREST ? 1 : (a->mode == ER_RESIZE_LINEAR ? 2 : 4);
    size_t n = (size_t)(dims[d] > 0 ? dims[d] : 1);
    ax->index = er_persist_alloc(ctx, n * MAX_TAPS * sizeof(int64_t));
    ax->weight = er_persist_alloc(ctx, n * MAX_TAPS * sizeof(double));
    ax->outside = er_persist_alloc(ctx, n * sizeof(bool));
    if (!ax->index || !ax->weight || !ax->outside) return EDGERT_ERR_NO_MEMORY;
    if (dims[d] > 0 && in->dims[d] == 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "cannot resize an empty dim");
  }
  if (!p->deferred) fill_taps(ctx, p, dims, scales);
  return EDGERT_OK;
}

/* Weighted sum over the taps of axes d.. for output coordinates coord[d..], from input offset base. */
static double interpolate(const resize_plan *p, const er_tensor *in, const int64_t *coord, int32_t d,
                          int64_t base) {
  if (d == p->ndim) {
    if (in->dtype == EDGERT_FLOAT64) return ((const double *)in->data)[base];
    return ((const float *)in->data)[base];
  }
  const axis_taps *ax = &p->axes[d];
  const int64_t *index = ax->index + coord[d] * ax->taps;
  const double *weight = ax->weight + coord[d] * ax->taps;
  double sum = 0;
  for (int32_t t = 0; t < ax->taps; t++)
    if (weight[t] != 0) sum += weight[t] * interpolate(p, in, coord, d + 1, base + index[t] * ax->in_stride);
  return sum;
}

static bool any_outside(const resize_plan *p, const int64_t *coord) {
  for (int32_t d = 0; d < p->ndim; d++)
    if (p->axes[d].outside[coord[d]]) return true;
  return false;
}

static edgert_status resize_eval(er_op_ctx *ctx) {
  const resize_plan *p = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t total = er_tensor_elements(out), coord[ER_MAX_DIMS] = {0};
  size_t es = edgert_dtype_size(in->dtype);
  bool nearest = p->axes[0].taps == 1 || p->ndim == 0;
  if (p->deferred) {
    int64_t dims[ER_MAX_DIMS];
    double scales[ER_MAX_DIMS];
    edgert_status st = output_dims(ctx, in, dims, scales);
    if (st == EDGERT_OK) st = mv_check_deferred_shape(ctx, out, in->ndim, dims);
    if (st != EDGERT_OK) return st;
    fill_taps(ctx, ctx->op_data, dims, scales);
  }
  for (int64_t i = 0; i < total; i++) {
    bool outside = any_outside(p, coord);
    if (nearest && !outside) {
      int64_t off = 0;
      for (int32_t d = 0; d < p->ndim; d++)
        off += p->axes[d].index[coord[d]] * p->axes[d].in_stride;
      memcpy((unsigned char *)out->data + (size_t)i * es, (const unsigned char *)in->data + (size_t)off * es,
             es);
    } else {
      double v = outside ? p->extrapolation : interpolate(p, in, coord, 0, 0);
      if (in->dtype == EDGERT_FLOAT64)
        ((double *)out->data)[i] = v;
      else if (in->dtype == EDGERT_FLOAT32)
        ((float *)out->data)[i] = (float)v;
      else
        memset((unsigned char *)out->data + (size_t)i * es, 0, es); /* extrapolating a non-float: zero */
    }
    for (int32_t d = p->ndim - 1; d >= 0; d--) {
      if (++coord[d] < p->axes[d].out_len) break;
      coord[d] = 0;
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_onnx_resize = {.prepare = resize_prepare, .eval = resize_eval};
