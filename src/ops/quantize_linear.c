/* ONNX's QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear. Unlike TFLite's QUANTIZE and
 * DEQUANTIZE, scale and zero point are inputs (known only at eval when they are activations), rounding is
 * half to even (the ONNX spec and onnxruntime use nearbyint), and the parameters are per tensor (scalar or
 * one-element) or per axis (1-D along an axis of x). DynamicQuantizeLinear derives uint8 parameters from
 * the data as onnxruntime's GetQuantizationParameter: the range [min(0, min x), max(0, max x)] over 255
 * steps (scale 1 when the range is empty), the zero point clamped to [0, 255] and then rounded. */
#include <math.h>

#include "core/kernel.h"

/* Where the per-axis channel of element i is: (i / inner) % channels; channels == 1 means per tensor. */
typedef struct {
  int64_t inner;
  int64_t channels;
} channel_layout;

static const char *name_of(const er_tensor *t) { return t->name ? t->name : ""; }

static bool is_float_dtype(edgert_dtype t) {
  return t == EDGERT_FLOAT32 || t == EDGERT_FLOAT16 || t == EDGERT_BFLOAT16 || t == EDGERT_FLOAT64;
}

static bool is_quantized_dtype(edgert_dtype t) {
  return t == EDGERT_INT8 || t == EDGERT_UINT8 || t == EDGERT_INT16 || t == EDGERT_UINT16 ||
         t == EDGERT_INT32;
}

static double load_float(const er_tensor *t, int64_t i) {
  switch (t->dtype) {
  case EDGERT_FLOAT16: return er_half_to_float(((const uint16_t *)t->data)[i]);
  case EDGERT_BFLOAT16: return er_bfloat16_to_float(((const uint16_t *)t->data)[i]);
  case EDGERT_FLOAT64: return ((const double *)t->data)[i];
  default: return ((const float *)t->data)[i];
  }
}

static int64_t load_int(const er_tensor *t, int64_t i) {
  switch (t->dtype) {
  case EDGERT_INT8: return ((const int8_t *)t->data)[i];
  case EDGERT_UINT8: return ((const uint8_t *)t->data)[i];
  case EDGERT_INT16: return ((const int16_t *)t->data)[i];
  case EDGERT_UINT16: return ((const uint16_t *)t->data)[i];
  default: return ((const int32_t *)t->data)[i];
  }
}

/* v already within the dtype's range. */
static void store_int(er_tensor *t, int64_t i, int64_t v) {
  switch (t->dtype) {
  case EDGERT_INT8: ((int8_t *)t->data)[i] = (int8_t)v; break;
  case EDGERT_UINT8: ((uint8_t *)t->data)[i] = (uint8_t)v; break;
  case EDGERT_INT16: ((int16_t *)t->data)[i] = (int16_t)v; break;
  case EDGERT_UINT16: ((uint16_t *)t->data)[i] = (uint16_t)v; break;
  default: ((int32_t *)t->data)[i] = (int32_t)v; break;
  }
}

static void range_of(edgert_dtype t, int64_t *lo, int64_t *hi) {
  switch (t) {
  case EDGERT_INT8: *lo = INT8_MIN, *hi = INT8_MAX; break;
  case EDGERT_UINT8: *lo = 0, *hi = UINT8_MAX; break;
  case EDGERT_INT16: *lo = INT16_MIN, *hi = INT16_MAX; break;
  case EDGERT_UINT16: *lo = 0, *hi = UINT16_MAX; break;
  default: *lo = INT32_MIN, *hi = INT32_MAX; break;
  }
}

/* round(value) + zero_point saturated to [lo, hi]; value is x / scale. Half to even is rint's rounding in
 * the default mode. NaN becomes the zero point (ONNX leaves it undefined). */
static int64_t saturate_rounded(double value, int64_t zero_point, int64_t lo, int64_t hi) {
  double q = isnan(value) ? 0.0 : nearbyint(value) + (double)zero_point;
  if (q <= (double)lo) return lo;
  if (q >= (double)hi) return hi;
  return (int64_t)q;
}

/* Checks scale (input 1) and zero point (input 2, optional) against x and finds the channel layout:
 * scalar or one-element parameters are per tensor, 1-D ones per axis of x. */
static edgert_status check_params(er_op_ctx *ctx, const er_tensor *x, const er_tensor *scale,
                                  const er_tensor *zero_point, channel_layout *layout) {
  const er_quantize_linear_attrs *a = er_attrs(ctx);
  if (!is_float_dtype(scale->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "scale '%s' is %s; it must be a float type", name_of(scale),
                   edgert_dtype_name(scale->dtype));
  int64_t count = er_tensor_elements(scale);
  if (scale->ndim > 1 || count < 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "scale '%s' must be a scalar or 1-D and not empty", name_of(scale));
  if (zero_point && er_tensor_elements(zero_point) != count)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "zero point '%s' has %lld elements but the scale has %lld",
                   name_of(zero_point), (long long)er_tensor_elements(zero_point), (long long)count);
  layout->inner = 1;
  layout->channels = 1;
  if (scale->ndim == 0 || count == 1) return EDGERT_OK;
  int32_t axis = a ? a->axis : 1;
  if (axis < 0) axis += x->ndim;
  if (axis < 0 || axis >= x->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "axis %d is outside the rank %d of x", a ? (int)a->axis : 1,
                   (int)x->ndim);
  if (x->dims[axis] != count)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "%lld scales for axis %d of size %lld", (long long)count, (int)axis,
                   (long long)x->dims[axis]);
  layout->channels = count;
  for (int i = axis + 1; i < x->ndim; i++)
    layout->inner *= x->dims[i];
  return EDGERT_OK;
}

static channel_layout *prepare_common(er_op_ctx *ctx, er_tensor **x, er_tensor **out, edgert_status *st) {
  if ((*st = er_check_io(ctx, 2, 3, 1)) != EDGERT_OK) return NULL;
  *x = er_input(ctx, 0);
  *out = er_output(ctx, 0);
  if (!*out) {
    *st = er_fail(ctx, EDGERT_ERR_MALFORMED, "output 0 is missing");
    return NULL;
  }
  channel_layout *layout = er_persist_alloc(ctx, sizeof *layout);
  if (!layout) {
    *st = EDGERT_ERR_NO_MEMORY;
    return NULL;
  }
  ctx->op_data = layout;
  if ((*st = check_params(ctx, *x, er_input(ctx, 1), er_input(ctx, 2), layout)) != EDGERT_OK) return NULL;
  if ((*st = er_set_output_shape(ctx, *out, (*x)->ndim, (*x)->dims)) != EDGERT_OK) return NULL;
  return layout;
}

static edgert_status quantize_linear_prepare(er_op_ctx *ctx) {
  er_tensor *x, *y;
  edgert_status st;
  if (!prepare_common(ctx, &x, &y, &st)) return st;
  if (!is_float_dtype(x->dtype) && x->dtype != EDGERT_INT32)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "x '%s' is %s; supported: float32, float16, bfloat16, "
                   "float64, int32",
                   name_of(x), edgert_dtype_name(x->dtype));
  if (y->dtype == EDGERT_INT32 || !is_quantized_dtype(y->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output is %s; supported: int8, uint8, int16, uint16",
                   edgert_dtype_name(y->dtype));
  const er_tensor *zero_point = er_input(ctx, 2);
  if (zero_point && zero_point->dtype != y->dtype)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "zero point '%s' is %s but the output is %s",
                   name_of(zero_point), edgert_dtype_name(zero_point->dtype), edgert_dtype_name(y->dtype));
  return EDGERT_OK;
}

static edgert_status quantize_linear_eval(er_op_ctx *ctx) {
  const channel_layout *layout = ctx->op_data;
  const er_tensor *x = er_input(ctx, 0), *scale = er_input(ctx, 1), *zero_point = er_input(ctx, 2);
  er_tensor *y = er_output(ctx, 0);
  int64_t lo, hi, n = er_tensor_elements(x);
  range_of(y->dtype, &lo, &hi);
  for (int64_t i = 0; i < n; i++) {
    int64_t c = (i / layout->inner) % layout->channels;
    /* Divide in the precision of x as onnxruntime and the ONNX reference do (float32 for float32 data). */
    double value;
    if (x->dtype == EDGERT_FLOAT64 || x->dtype == EDGERT_INT32)
      value = (x->dtype == EDGERT_INT32 ? (double)load_int(x, i) : load_float(x, i)) / load_float(scale, c);
    else
      value = (double)((float)load_float(x, i) / (float)load_float(scale, c));
    store_int(y, i, saturate_rounded(value, zero_point ? load_int(zero_point, c) : 0, lo, hi));
  }
  return EDGERT_OK;
}

static edgert_status dequantize_linear_prepare(er_op_ctx *ctx) {
  er_tensor *x, *y;
  edgert_status st;
  if (!prepare_common(ctx, &x, &y, &st)) return st;
  if (!is_quantized_dtype(x->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "x '%s' is %s; supported: int8, uint8, int16, uint16, int32",
                   name_of(x), edgert_dtype_name(x->dtype));
  if (y->dtype != EDGERT_FLOAT32 && y->dtype != EDGERT_FLOAT64)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output is %s; supported: float32, float64",
                   edgert_dtype_name(y->dtype));
  const er_tensor *zero_point = er_input(ctx, 2);
  if (zero_point && zero_point->dtype != x->dtype)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "zero point '%s' is %s but x is %s", name_of(zero_point),
                   edgert_dtype_name(zero_point->dtype), edgert_dtype_name(x->dtype));
  return EDGERT_OK;
}

static edgert_status dequantize_linear_eval(er_op_ctx *ctx) {
  const channel_layout *layout = ctx->op_data;
  const er_tensor *x = er_input(ctx, 0), *scale = er_input(ctx, 1), *zero_point = er_input(ctx, 2);
  er_tensor *y = er_output(ctx, 0);
  int64_t n = er_tensor_elements(x);
  for (int64_t i = 0; i < n; i++) {
    int64_t c = (i / layout->inner) % layout->channels;
    int64_t centered = load_int(x, i) - (zero_point ? load_int(zero_point, c) : 0);
    if (y->dtype == EDGERT_FLOAT64)
      ((double *)y->data)[i] = (double)centered * load_float(scale, c);
    else /* in float32, as onnxruntime: float(x - zero_point) * scale */
      ((float *)y->data)[i] = (float)centered * (float)load_float(scale, c);
  }
  return EDGERT_OK;
}

static edgert_status dynamic_quantize_linear_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 1, 3);
  if (st != EDGERT_OK) return st;
  er_tensor *x = er_input(ctx, 0);
  if ((st = er_check_dtype(ctx, x, EDGERT_FLOAT32, "input")) != EDGERT_OK) return st;
  static const char *const what[3] = {"y", "y_scale", "y_zero_point"};
  static const edgert_dtype dtypes[3] = {EDGERT_UINT8, EDGERT_FLOAT32, EDGERT_UINT8};
  for (int k = 0; k < 3; k++) {
    er_tensor *out = er_output(ctx, k);
    if (!out) continue;
    if ((st = er_check_dtype(ctx, out, dtypes[k], what[k])) != EDGERT_OK) return st;
    st = k == 0 ? er_set_output_shape(ctx, out, x->ndim, x->dims) : er_set_output_shape(ctx, out, 0, NULL);
    if (st != EDGERT_OK) return st;
  }
  return EDGERT_OK;
}

static edgert_status dynamic_quantize_linear_eval(er_op_ctx *ctx) {
  const er_tensor *x = er_input(ctx, 0);
  const float *data = x->data;
  int64_t n = er_tensor_elements(x);
  float lo = 0.0f, hi = 0.0f; /* the range always holds zero */
  for (int64_t i = 0; i < n; i++) {
    if (data[i] < lo) lo = data[i];
    if (data[i] > hi) hi = data[i];
  }
  float scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
  /* Rounding before clamping gives what clamping first does, and turns a NaN (infinite data) into 0. */
  int64_t zero_point = saturate_rounded((double)(0.0f - lo / scale), 0, 0, 255);
  er_tensor *y = er_output(ctx, 0), *y_scale = er_output(ctx, 1), *y_zero_point = er_output(ctx, 2);
  if (y)
    for (int64_t i = 0; i < n; i++)
      ((uint8_t *)y->data)[i] = (uint8_t)saturate_rounded((double)(data[i] / scale), zero_point, 0, 255);
  if (y_scale) *(float *)y_scale->data = scale;
  if (y_zero_point) *(uint8_t *)y_zero_point->data = (uint8_t)zero_point;
  return EDGERT_OK;
}

const er_kernel er_kernel_quantize_linear = {.prepare = quantize_linear_prepare,
                                             .eval = quantize_linear_eval};
const er_kernel er_kernel_dequantize_linear = {.prepare = dequantize_linear_prepare,
                                               .eval = dequantize_linear_eval};
const er_kernel er_kernel_dynamic_quantize_linear = {.prepare = dynamic_quantize_linear_prepare,
                                                     .eval = dynamic_quantize_linear_eval};
