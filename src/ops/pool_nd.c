/* MAX_POOL_ND, AVERAGE_POOL_ND and LP_POOL_ND: ONNX MaxPool, AveragePool and LpPool (and, with
 * attrs.global, GlobalMaxPool, GlobalAveragePool and GlobalLpPool), NCHW with 1 to ER_NN_MAX_SPATIAL
 * spatial dims. Geometry, padding and ceil_mode as window_nd.h. Padding is never read: the max is over the
 * real pixels of the window; the average divides by them, or with count_include_pad by the window
 * positions inside the padded input (as onnxruntime); Lp pooling is (sum |x|^p)^(1/p) over the real pixels
 * (padding adds zeros). MaxPool's optional second output holds int64 indices of the maxima into the
 * flattened input (batch and channel included), row major, or with storage_order 1 column major in the
 * spatial dims (onnxruntime's convention). Max pool takes float32, float64, int8 and uint8; the others
 * float32 and float64. Values travel as double, which holds every supported dtype exactly. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "ops/window_nd.h"

typedef enum { POOL_MAX, POOL_AVERAGE, POOL_LP } pool_kind;

typedef struct {
  er_window_nd win;
  pool_kind kind;
  bool count_include_pad;
  bool column_major_indices;
  double p;
} pool_data;

static bool dtype_supported(pool_kind kind, edgert_dtype t) {
  if (t == EDGERT_FLOAT32 || t == EDGERT_FLOAT64) return true;
  return kind == POOL_MAX && (t == EDGERT_INT8 || t == EDGERT_UINT8);
}

/* The window size: the attribute, or for global pooling the whole spatial extent. */
static edgert_status window_kernel(er_op_ctx *ctx, const er_conv_nd_attrs *a, const er_tensor *in,
                                   int64_t *kernel) {
  int32_t rank = in->ndim - 2;
  if (a->global) {
    for (int i = 0; i < rank; i++)
      kernel[i] = in->dims[2 + i] > 0 ? in->dims[2 + i] : 1;
    return EDGERT_OK;
  }
  if (a->n_kernel != rank)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "kernel_shape has %d values, expected %d", (int)a->n_kernel,
                   (int)rank);
  memcpy(kernel, a->kernel, (size_t)rank * sizeof *kernel);
  return EDGERT_OK;
}

static edgert_status check_tensors(er_op_ctx *ctx, pool_kind kind, const er_tensor *in) {
  edgert_status st;
  if (!dtype_supported(kind, in->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input dtype %s is not supported",
                   edgert_dtype_name(in->dtype));
  if ((st = er_check_dtype(ctx, er_output(ctx, 0), in->dtype, "output"))) return st;
  if (in->ndim < 3 || in->ndim > 2 + ER_NN_MAX_SPATIAL)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be NCHW with 1 to %d spatial dims, got rank %d",
                   ER_NN_MAX_SPATIAL, (int)in->ndim);
  er_tensor *indices = er_output(ctx, 1);
  if (indices && kind != POOL_MAX)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "only max pooling has an indices output");
  if (indices && (st = er_check_dtype(ctx, indices, EDGERT_INT64, "indices"))) return st;
  return EDGERT_OK;
}

static edgert_status pool_prepare(er_op_ctx *ctx, pool_kind kind) {
  /* MaxPool may also have the indices output. */
  bool two_outputs = kind == POOL_MAX && ctx->node->n_outputs == 2;
  edgert_status st = er_check_io(ctx, 1, 1, two_outputs ? 2 : 1);
  if (st) return st;
  const er_conv_nd_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "pooling attributes are missing");
  er_tensor *in = er_input(ctx, 0);
  if ((st = check_tensors(ctx, kind, in))) return st;
  if (kind == POOL_LP && (a->p < 1 || a->p > 64))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "Lp pooling norm p = %d is not supported (1..64)", (int)a->p);
  if (a->storage_order != 0 && a->storage_order != 1)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "storage_order %d must be 0 or 1", (int)a->storage_order);
  pool_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  int64_t kernel[ER_NN_MAX_SPATIAL] = {0};
  if ((st = window_kernel(ctx, a, in, kernel))) return st;
  er_conv_nd_attrs geometry_attrs = *a;
  if (a->global) { /* the window covers the input exactly, whatever else the attrs say */
    geometry_attrs.n_strides = geometry_attrs.n_dilations = geometry_attrs.n_pads = 0;
    geometry_attrs.auto_pad = ER_PAD_EXPLICIT;
  }
  er_window_rounding rounding = a->ceil_mode ? ER_WINDOW_CEIL : ER_WINDOW_FLOOR;
  if ((st = er_window_nd_init(ctx, &geometry_attrs, in, kernel, rounding, &d->win))) return st;
  d->kind = kind;
  d->count_include_pad = a->count_include_pad;
  d->column_major_indices = a->storage_order == 1;
  d->p = a->p;
  int64_t dims[ER_MAX_DIMS] = {in->dims[0], in->dims[1]};
  for (int i = 0; i < d->win.rank; i++)
    dims[2 + i] = d->win.out[i];
  if ((st = er_set_output_shape(ctx, er_output(ctx, 0), in->ndim, dims))) return st;
  if (er_output(ctx, 1) && (st = er_set_output_shape(ctx, er_output(ctx, 1), in->ndim, dims))) return st;
  ctx->op_data = d;
  ctx->scratch_bytes = (size_t)d->win.kernel_size * sizeof(int64_t);
  return EDGERT_OK;
}

static edgert_status max_pool_prepare(er_op_ctx *ctx) { return pool_prepare(ctx, POOL_MAX); }
static edgert_status average_pool_prepare(er_op_ctx *ctx) { return pool_prepare(ctx, POOL_AVERAGE); }
static edgert_status lp_pool_prepare(er_op_ctx *ctx) { return pool_prepare(ctx, POOL_LP); }

static double load(const void *data, edgert_dtype t, int64_t i) {
  switch (t) {
  case EDGERT_FLOAT32: return ((const float *)data)[i];
  case EDGERT_FLOAT64: return ((const double *)data)[i];
  case EDGERT_INT8: return ((const int8_t *)data)[i];
  default: return ((const uint8_t *)data)[i];
  }
}

static void store(void *data, edgert_dtype t, int64_t i, double v) {
  switch (t) {
  case EDGERT_FLOAT32: ((float *)data)[i] = (float)v; break;
  case EDGERT_FLOAT64: ((double *)data)[i] = v; break;
  case EDGERT_INT8: ((int8_t *)data)[i] = (int8_t)v; break;
  default: ((uint8_t *)data)[i] = (uint8_t)v; break;
  }
}

/* The smallest value of a dtype: a max over no pixels (only possible with odd padding) gives it. */
static double lowest(edgert_dtype t) {
  switch (t) {
  case EDGERT_FLOAT32: return -FLT_MAX;
  case EDGERT_FLOAT64: return -DBL_MAX;
  case EDGERT_INT8: return -128;
  default: return 0;
  }
}

/* A row-major spatial offset re-expressed column major (first spatial dim fastest). */
static int64_t column_major(const er_window_nd *w, int64_t off) {
  int64_t coord[ER_NN_MAX_SPATIAL], result = 0;
  for (int i = w->rank - 1; i >= 0; i--) {
    coord[i] = off % w->in[i];
    off /= w->in[i];
  }
  for (int i = w->rank - 1; i >= 0; i--)
    result = result * w->in[i] + coord[i];
  return result;
}

/* Max over the taps of one channel; *at receives the offset of the first maximum (-1 when none). */
static double window_max(const void *x, edgert_dtype t, int64_t base, const int64_t *off, int64_t taps,
                         int64_t *at) {
  double best = lowest(t);
  *at = -1;
  for (int64_t k = 0; k < taps; k++) {
    double v = load(x, t, base + off[k]);
    if (*at < 0 || v > best) {
      best = v;
      *at = off[k];
    }
  }
  return best;
}

static double window_reduce(const pool_data *d, const void *x, edgert_dtype t, int64_t base,
                            const int64_t *off, int64_t taps, int64_t padded_count) {
  double sum = 0;
  if (d->kind == POOL_AVERAGE) {
    for (int64_t k = 0; k < taps; k++)
      sum += load(x, t, base + off[k]);
    int64_t count = d->count_include_pad ? padded_count : taps;
    return count > 0 ? sum / (double)count : 0.0;
  }
  for (int64_t k = 0; k < taps; k++)
    sum += pow(fabs(load(x, t, base + off[k])), d->p);
  return pow(sum, 1.0 / d->p);
}

static edgert_status pool_eval(er_op_ctx *ctx) {
  const pool_data *d = ctx->op_data;
  const er_window_nd *w = &d->win;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0), *indices = er_output(ctx, 1);
  int64_t *off = ctx->scratch, planes = w->batch * w->channels;
  int64_t o[ER_NN_MAX_SPATIAL] = {0};
  for (int64_t p = 0; p < w->out_size; p++, er_window_nd_next(w->rank, w->out, o)) {
    int64_t padded_count;
    int64_t taps = er_window_nd_taps(w, o, off, NULL, &padded_count);
    for (int64_t plane = 0; plane < planes; plane++) {
      int64_t base = plane * w->in_size, at = plane * w->out_size + p;
      if (d->kind != POOL_MAX) {
        store(out->data, out->dtype, at,
              window_reduce(d, in->data, in->dtype, base, off, taps, padded_count));
        continue;
      }
      int64_t arg;
      store(out->data, out->dtype, at, window_max(in->data, in->dtype, base, off, taps, &arg));
      if (indices)
        ((int64_t *)indices->data)[at] =
            arg < 0 ? -1 : base + (d->column_major_indices ? column_major(w, arg) : arg);
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_max_pool_nd = {max_pool_prepare, pool_eval};
const er_kernel er_kernel_average_pool_nd = {average_pool_prepare, pool_eval};
const er_kernel er_kernel_lp_pool_nd = {lp_pool_prepare, pool_eval};
