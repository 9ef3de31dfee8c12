/* CONV_TRANSPOSE_ND: ONNX ConvTranspose, NCHW with 1 to ER_NN_MAX_SPATIAL spatial dims; float32 and
 * float64. X is [N, C, D1..Dn], W is [C, M / group, k1..kn], the optional bias B is [M]. Each input pixel
 * i scatters x * w into output pixel i * stride - pad_begin + k * dilation for every window position k.
 * Output size (ONNX operator spec): stride * (in - 1) + output_padding + (k - 1) * dilation + 1 - pads;
 * when output_shape is given, or auto_pad is SAME_UPPER/SAME_LOWER (target in * stride), the pads are
 * derived from the total padding that target needs: SAME_UPPER puts floor(total / 2) first, the others
 * put total - floor(total / 2) first (floor as in the spec's Python, so a negative total grows the end). */
#include <string.h>

#include "ops/conv_nd_common.h"
#include "ops/window_nd.h"

typedef struct {
  /* The scatter pattern as a window over the output: `in` holds the output dims and `out` the input's,
   * so er_window_nd_taps of an input pixel lists the output pixels it writes. */
  er_window_nd scatter;
  int64_t in_channels, out_channels, group, in_per_group, out_per_group;
  int64_t out_size; /* one channel's output spatial block */
} tconv_data;

static int64_t floor_half(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

/* The window geometry of spatial dim i with the output size decided. */
static edgert_status dim_geometry(er_op_ctx *ctx, const er_conv_nd_attrs *a, const er_tensor *x,
                                  const int64_t *kernel, int i, tconv_data *d) {
  er_window_nd *s = &d->scatter;
  int32_t rank = x->ndim - 2;
  int64_t in = x->dims[2 + i];
  int64_t stride = a->n_strides ? a->strides[i] : 1, dilation = a->n_dilations ? a->dilations[i] : 1;
  int64_t out_pad = a->n_output_padding ? a->output_padding[i] : 0;
  edgert_status st;
  if ((st = er_window_nd_check_value(ctx, "input spatial dim", in, 0))) return st;
  if ((st = er_window_nd_check_value(ctx, "kernel size", kernel[i], 1))) return st;
  if ((st = er_window_nd_check_value(ctx, "stride", stride, 1))) return st;
  if ((st = er_window_nd_check_value(ctx, "dilation", dilation, 1))) return st;
  if ((st = er_window_nd_check_value(ctx, "output_padding", out_pad, 0))) return st;
  int64_t full = stride * (in - 1) + out_pad + (kernel[i] - 1) * dilation + 1; /* no padding */
  int64_t out, pad_begin;
  bool same = a->auto_pad == ER_PAD_SAME || a->auto_pad == ER_PAD_SAME_LOWER;
  if (a->n_output_shape || same) {
    out = a->n_output_shape ? a->output_shape[a->n_output_shape - rank + i] : in * stride;
    if ((st = er_window_nd_check_value(ctx, "output_shape", out, 1))) return st;
    int64_t total = full - out;
    pad_begin = a->auto_pad == ER_PAD_SAME ? floor_half(total) : total - floor_half(total);
  } else {
    int64_t pad_end = 0;
    pad_begin = 0;
    if (a->auto_pad == ER_PAD_EXPLICIT && a->n_pads) {
      pad_begin = a->pads[i];
      pad_end = a->pads[rank + i];
    } else if (a->auto_pad != ER_PAD_EXPLICIT && a->auto_pad != ER_PAD_VALID) {
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "auto_pad mode %d is not supported", (int)a->auto_pad);
    }
    if ((st = er_window_nd_check_value(ctx, "pad", pad_begin, 0))) return st;
    if ((st = er_window_nd_check_value(ctx, "pad", pad_end, 0))) return st;
    out = full - pad_begin - pad_end;
  }
  /* Every term above is below 2^31, so `full` cannot overflow; the output must fit the same bound. */
  if ((st = er_window_nd_check_value(ctx, "output spatial size", out, 1))) return st;
  s->in[i] = out;
  s->out[i] = in;
  s->kernel[i] = kernel[i];
  s->stride[i] = stride;
  s->dilation[i] = dilation;
  s->pad_begin[i] = pad_begin;
  return EDGERT_OK;
}

static edgert_status check_counts(er_op_ctx *ctx, const er_conv_nd_attrs *a, int32_t rank) {
  if ((a->n_kernel && a->n_kernel != rank) || (a->n_strides && a->n_strides != rank) ||
      (a->n_dilations && a->n_dilations != rank) || (a->n_pads && a->n_pads != 2 * rank) ||
      (a->n_output_padding && a->n_output_padding != rank) ||
      (a->n_output_shape && a->n_output_shape != rank && a->n_output_shape != rank + 2))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "attribute lists do not match %d spatial dims", (int)rank);
  return EDGERT_OK;
}

static edgert_status check_channels(er_op_ctx *ctx, const er_conv_nd_attrs *a, const er_tensor *x,
                                    const er_tensor *w, const er_tensor *b, tconv_data *d) {
  d->in_channels = x->dims[1];
  d->group = a->group;
  if (d->group < 1 || d->in_channels % d->group != 0 || w->dims[0] != d->in_channels)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "weights [%lld, ...] and group %lld do not fit %lld input channels",
                   (long long)w->dims[0], (long long)d->group, (long long)d->in_channels);
  d->in_per_group = d->in_channels / d->group;
  d->out_per_group = w->dims[1];
  if (d->out_per_group > ER_WINDOW_ND_MAX_VALUE || d->group > ER_WINDOW_ND_MAX_VALUE)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "too many output channels");
  d->out_channels = d->out_per_group * d->group;
  if (b && (b->ndim != 1 || b->dims[0] != d->out_channels))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "bias must be [%lld]", (long long)d->out_channels);
  return EDGERT_OK;
}

static edgert_status tconv_geometry(er_op_ctx *ctx, const er_conv_nd_attrs *a, const er_tensor *x,
                                    const er_tensor *w, const er_tensor *b, tconv_data *d) {
  edgert_status st;
  if (x->ndim < 3 || x->ndim > 2 + ER_NN_MAX_SPATIAL || w->ndim != x->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input rank %d and weight rank %d: need equal ranks 3 to %d",
                   (int)x->ndim, (int)w->ndim, 2 + ER_NN_MAX_SPATIAL);
  if (er_tensor_elements(x) < 0 || er_tensor_elements(w) < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input or weight shape is invalid");
  int32_t rank = x->ndim - 2;
  if ((st = check_counts(ctx, a, rank))) return st;
  if ((st = check_channels(ctx, a, x, w, b, d))) return st;
  er_window_nd *s = &d->scatter;
  s->rank = rank;
  s->batch = x->dims[0];
  s->channels = d->in_channels;
  s->in_size = s->out_size = s->kernel_size = 1;
  for (int i = 0; i < rank; i++) {
    if (a->n_kernel && a->kernel[i] != w->dims[2 + i])
      return er_fail(ctx, EDGERT_ERR_SHAPE, "kernel_shape[%d] = %lld but the weights have %lld", i,
                     (long long)a->kernel[i], (long long)w->dims[2 + i]);
    if ((st = dim_geometry(ctx, a, x, &w->dims[2], i, d))) return st;
    if (s->in_size > INT64_MAX / s->in[i] || s->kernel_size > INT64_MAX / s->kernel[i])
      return er_fail(ctx, EDGERT_ERR_LIMIT, "output or window size overflows");
    s->in_size *= s->in[i];
    s->out_size *= s->out[i];
    s->kernel_size *= s->kernel[i];
  }
  if (s->kernel_size > ER_WINDOW_ND_MAX_VALUE)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "window of %lld elements is too large", (long long)s->kernel_size);
  d->out_size = s->in_size;
  return EDGERT_OK;
}

static edgert_status tconv_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 3, 1);
  if (st) return st;
  const er_conv_nd_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "convolution attributes are missing");
  er_tensor *x = er_input(ctx, 0), *w = er_input(ctx, 1), *b = er_input(ctx, 2), *y = er_output(ctx, 0);
  if ((st = er_conv_nd_check_float_dtypes(ctx, x, w, b, y))) return st;
  tconv_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  if ((st = tconv_geometry(ctx, a, x, w, b, d))) return st;
  int64_t dims[ER_MAX_DIMS] = {x->dims[0], d->out_channels};
  for (int i = 0; i < d->scatter.rank; i++)
    dims[2 + i] = d->scatter.in[i];
  if ((st = er_set_output_shape(ctx, y, x->ndim, dims))) return st;
  ctx->op_data = d;
  ctx->scratch_bytes = 2 * (size_t)d->scatter.kernel_size * sizeof(int64_t);
  return EDGERT_OK;
}

#define DEFINE_TCONV_EVAL(NAME, T)                                                                           \
  static void NAME(const tconv_data *d, const T *x, const T *wt, const T *b, T *y, int64_t *off,             \
                   int64_t *kidx) {                                                                          \
    const er_window_nd *s = &d->scatter;                                                                     \
    for (int64_t n = 0; n < s->batch; n++)                                                                   \
      for (int64_t m = 0; m < d->out_channels; m++)                                                          \
        for (int64_t p = 0; p < d->out_size; p++)                                                            \
          y[(n * d->out_channels + m) * d->out_size + p] = b ? b[m] : (T)0;                                  \
    int64_t i[ER_NN_MAX_SPATIAL] = {0};                                                                      \
    for (int64_t p = 0; p < s->out_size; p++, er_window_nd_next(s->rank, s->out, i)) {                       \
      int64_t taps = er_window_nd_taps(s, i, off, kidx, NULL);                                               \
      for (int64_t n = 0; n < s->batch; n++) {                                                               \
        for (int64_t c = 0; c < d->in_channels; c++) {                                                       \
          T v = x[(n * d->in_channels + c) * s->out_size + p];                                               \
          int64_t first_m = (c / d->in_per_group) * d->out_per_group;                                        \
          for (int64_t m = 0; m < d->out_per_group; m++) {                                                   \
            T *ym = y + (n * d->out_channels + first_m + m) * d->out_size;                                   \
            const T *wm = wt + (c * d->out_per_group + m) * s->kernel_size;                                  \
            for (int64_t t = 0; t < taps; t++)                                                               \
              ym[off[t]] += v * wm[kidx[t]];                                                                 \
          }                                                                                                  \
        }                                                                                                    \
      }                                                                                                      \
    }                                                                                                        \
  }

DEFINE_TCONV_EVAL(tconv_f32, float)
DEFINE_TCONV_EVAL(tconv_f64, double)

static edgert_status tconv_eval(er_op_ctx *ctx) {
  const tconv_data *d = ctx->op_data;
  er_tensor *x = er_input(ctx, 0), *w = er_input(ctx, 1), *b = er_input(ctx, 2), *y = er_output(ctx, 0);
  int64_t *off = ctx->scratch, *kidx = off + d->scatter.kernel_size;
  if (x->dtype == EDGERT_FLOAT32)
    tconv_f32(d, x->data, w->data, b ? b->data : NULL, y->data, off, kidx);
  else
    tconv_f64(d, x->data, w->data, b ? b->data : NULL, y->data, off, kidx);
  return EDGERT_OK;
}

const er_kernel er_kernel_conv_transpose_nd = {.prepare = tconv_prepare, .eval = tconv_eval};
