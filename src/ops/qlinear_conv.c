/* CONV_INTEGER and QLINEAR_CONV: ONNX's integer convolutions, NCHW, N-d, with the same geometry as
 * CONV_ND (conv_nd_common.h). Inputs are uint8 or int8; each product is (x - x_zero_point) *
 * (w - w_zero_point) summed exactly. Padding stands for x_zero_point, so padded taps add nothing and are
 * skipped. ConvInteger (x, w, x_zero_point?, w_zero_point?) writes the int32 sums. QLinearConv (x,
 * x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B?) adds the int32 bias and
 * requantizes as onnxruntime does (MlasRequantizeOutput): float(sum) * (x_scale * w_scale / y_scale)
 * in float, rounded half to even, plus y_zero_point, saturated. w_scale and w_zero_point are one value
 * or one per output channel. Scales and zero points may be activations, so eval reads them. */
#include <math.h>
#include <string.h>

#include "core/quant.h"
#include "ops/conv_nd_common.h"

typedef struct {
  er_conv_nd_geometry geo;
  bool qlinear;
  int x_zp, w_zp, w_scale, x_scale, y_scale, y_zp, bias; /* input slots; -1 when absent */
} qconv_data;

static bool is_8bit(edgert_dtype t) { return t == EDGERT_UINT8 || t == EDGERT_INT8; }

/* A scale or zero point input: absent (when optional), or 1 value, or (per_channel) one per channel. */
static edgert_status check_param(er_op_ctx *ctx, int slot, const char *name, edgert_dtype dtype,
                                 int64_t channels, bool per_channel_ok, bool optional) {
  const er_tensor *t = er_input(ctx, slot);
  if (!t) return optional ? EDGERT_OK : er_fail(ctx, EDGERT_ERR_SHAPE, "%s is missing", name);
  edgert_status st = er_check_dtype(ctx, t, dtype, name);
  if (st) return st;
  int64_t n = er_tensor_elements(t);
  if (n == 1 || (per_channel_ok && n == channels && t->ndim == 1)) return EDGERT_OK;
  return er_fail(ctx, EDGERT_ERR_SHAPE, "%s must hold 1%s value%s, has %lld", name,
                 per_channel_ok ? " or one per output channel" : "", per_channel_ok ? "s" : "", (long long)n);
}

static edgert_status check_conv_integer(er_op_ctx *ctx, qconv_data *d) {
  const er_tensor *x = er_input(ctx, 0), *w = er_input(ctx, 1);
  int64_t m = d->geo.out_channels;
  edgert_status st;
  d->x_zp = 2;
  d->w_zp = 3;
  d->x_scale = d->w_scale = d->y_scale = d->y_zp = d->bias = -1;
  if ((st = check_param(ctx, d->x_zp, "x_zero_point", x->dtype, m, false, true))) return st;
  if ((st = check_param(ctx, d->w_zp, "w_zero_point", w->dtype, m, true, true))) return st;
  return er_check_dtype(ctx, er_output(ctx, 0), EDGERT_INT32, "output");
}

static edgert_status check_qlinear(er_op_ctx *ctx, qconv_data *d) {
  const er_tensor *x = er_input(ctx, 0), *w = er_input(ctx, 3), *b = er_input(ctx, 8);
  int64_t m = d->geo.out_channels;
  edgert_status st;
  d->x_scale = 1;
  d->x_zp = 2;
  d->w_scale = 4;
  d->w_zp = 5;
  d->y_scale = 6;
  d->y_zp = 7;
  d->bias = b ? 8 : -1;
  if ((st = check_param(ctx, d->x_scale, "x_scale", EDGERT_FLOAT32, m, false, false))) return st;
  if ((st = check_param(ctx, d->x_zp, "x_zero_point", x->dtype, m, false, true))) return st;
  if ((st = check_param(ctx, d->w_scale, "w_scale", EDGERT_FLOAT32, m, true, false))) return st;
  if ((st = check_param(ctx, d->w_zp, "w_zero_point", w->dtype, m, true, true))) return st;
  if ((st = check_param(ctx, d->y_scale, "y_scale", EDGERT_FLOAT32, m, false, false))) return st;
  /* The output may be int8 for a uint8 input or the reverse (ONNX's T3 is independent of T1). */
  const er_tensor *y = er_output(ctx, 0);
  if (!is_8bit(y->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output dtype %s is not uint8 or int8",
                   edgert_dtype_name(y->dtype));
  if ((st = check_param(ctx, d->y_zp, "y_zero_point", y->dtype, m, false, true))) return st;
  if (b && (st = er_check_dtype(ctx, b, EDGERT_INT32, "bias"))) return st;
  return EDGERT_OK;
}

static edgert_status qconv_prepare_common(er_op_ctx *ctx, bool qlinear) {
  edgert_status st = qlinear ? er_check_io(ctx, 8, 9, 1) : er_check_io(ctx, 2, 4, 1);
  if (st) return st;
  er_tensor *x = er_input(ctx, 0), *w = er_input(ctx, qlinear ? 3 : 1);
  er_tensor *b = qlinear ? er_input(ctx, 8) : NULL, *y = er_output(ctx, 0);
  if (!x || !w) return er_fail(ctx, EDGERT_ERR_SHAPE, "input or weights missing");
  if (!is_8bit(x->dtype) || !is_8bit(w->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input %s and weights %s: only uint8 and int8 are supported",
                   edgert_dtype_name(x->dtype), edgert_dtype_name(w->dtype));
  qconv_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->qlinear = qlinear;
  if ((st = er_conv_nd_geometry_init(ctx, x, w, b, &d->geo))) return st;
  if ((st = qlinear ? check_qlinear(ctx, d) : check_conv_integer(ctx, d))) return st;
  if ((st = er_conv_nd_set_output(ctx, &d->geo, y))) return st;
  ctx->op_data = d;
  ctx->scratch_bytes = er_conv_nd_scratch_bytes(&d->geo);
  return EDGERT_OK;
}

static edgert_status conv_integer_prepare(er_op_ctx *ctx) { return qconv_prepare_common(ctx, false); }
static edgert_status qlinear_conv_prepare(er_op_ctx *ctx) { return qconv_prepare_common(ctx, true); }

/* Element i of an 8-bit tensor as int32. */
static int32_t load_8bit(const er_tensor *t, int64_t i) {
  return t->dtype == EDGERT_UINT8 ? ((const uint8_t *)t->data)[i] : ((const int8_t *)t->data)[i];
}

/* Element m of a per-tensor or per-channel parameter; 0 (or 0.0) when absent. */
static int32_t zero_point_at(const er_tensor *t, int64_t m) {
  if (!t) return 0;
  return load_8bit(t, er_tensor_elements(t) == 1 ? 0 : m);
}
static float scale_at(const er_tensor *t, int64_t m) {
  const float *s = t->data;
  return er_tensor_elements(t) == 1 ? s[0] : s[m];
}

/* The exact sum of (x - x_zp) * (w - w_zp) over the taps and input channels of output channel m. */
static int64_t channel_sum(const qconv_data *d, const er_tensor *x, const er_tensor *w, int64_t n, int64_t m,
                           int32_t x_zp, int32_t w_zp, const int64_t *off, const int64_t *kidx,
                           int64_t taps) {
  const er_window_nd *g = &d->geo.win;
  int64_t first_c = (m / d->geo.out_per_group) * d->geo.in_per_group, acc = 0;
  for (int64_t c = 0; c < d->geo.in_per_group; c++) {
    int64_t xbase = (n * g->channels + first_c + c) * g->in_size;
    int64_t wbase = (m * d->geo.in_per_group + c) * g->kernel_size;
    for (int64_t t = 0; t < taps; t++)
      acc += (int64_t)(load_8bit(x, xbase + off[t]) - x_zp) * (load_8bit(w, wbase + kidx[t]) - w_zp);
  }
  return acc;
}

/* onnxruntime's requantization: float product, clamp, round half to even, add the zero point. A NaN scale
 * (a hostile model's, ONNX leaves it undefined) gives the zero point, as QuantizeLinear does. */
static int32_t requantize(int64_t acc, float scale, int32_t zp, int32_t qmin, int32_t qmax) {
  float v = (float)(int32_t)acc * scale;
  if (isnan(v)) v = 0.0f;
  float lo = (float)(qmin - zp), hi = (float)(qmax - zp);
  v = v < lo ? lo : (v > hi ? hi : v);
  return (int32_t)nearbyintf(v) + zp;
}

static edgert_status qconv_eval(er_op_ctx *ctx) {
  const qconv_data *d = ctx->op_data;
  const er_window_nd *g = &d->geo.win;
  const er_tensor *x = er_input(ctx, 0), *w = er_input(ctx, d->qlinear ? 3 : 1), *y = er_output(ctx, 0);
  const er_tensor *xzp = er_input(ctx, d->x_zp), *wzp = er_input(ctx, d->w_zp);
  const er_tensor *yzp = d->qlinear ? er_input(ctx, d->y_zp) : NULL,
                  *b = d->bias >= 0 ? er_input(ctx, 8) : NULL;
  int64_t *off = ctx->scratch, *kidx = off + g->kernel_size;
  int32_t x_zp = zero_point_at(xzp, 0), y_zp = zero_point_at(yzp, 0), qmin = 0, qmax = 0;
  if (d->qlinear) er_dtype_range(y->dtype, &qmin, &qmax);
  int64_t o[ER_NN_MAX_SPATIAL] = {0};
  for (int64_t p = 0; p < g->out_size; p++, er_window_nd_next(g->rank, g->out, o)) {
    int64_t taps = er_window_nd_taps(g, o, off, kidx, NULL);
    for (int64_t n = 0; n < g->batch; n++) {
      for (int64_t m = 0; m < d->geo.out_channels; m++) {
        int64_t acc = channel_sum(d, x, w, n, m, x_zp, zero_point_at(wzp, m), off, kidx, taps);
        int64_t at = (n * d->geo.out_channels + m) * g->out_size + p;
        if (!d->qlinear) {
          ((int32_t *)y->data)[at] = (int32_t)(uint32_t)acc; /* wraps as int32 arithmetic would */
          continue;
        }
        if (b) acc += ((const int32_t *)b->data)[m];
        /* As onnxruntime: x_scale * w_scale / y_scale, in float. */
        float scale = *(const float *)er_input(ctx, d->x_scale)->data *
                      scale_at(er_input(ctx, d->w_scale), m) /
                      *(const float *)er_input(ctx, d->y_scale)->data;
        int32_t q = requantize(acc, scale, y_zp, qmin, qmax);
        if (y->dtype == EDGERT_UINT8)
          ((uint8_t *)y->data)[at] = (uint8_t)q;
        else
          ((int8_t *)y->data)[at] = (int8_t)q;
      }
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_conv_integer = {.prepare = conv_integer_prepare, .eval = qconv_eval};
const er_kernel er_kernel_qlinear_conv = {.prepare = qlinear_conv_prepare, .eval = qconv_eval};
