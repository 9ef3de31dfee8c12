/* DFT (ONNX DFT-17) and STFT (ONNX STFT-17): discrete Fourier transforms of real ([..., 1]) or complex
 * ([..., 2]) signals, float32 or float64, output complex [..., 2]. Each output bin is summed directly in
 * double (O(n^2) per line: these ops run on short frames in the models we target); the angle of term j
 * of bin k uses (j * k) mod n so that long transforms keep their accuracy. When the length is known at
 * prepare, eval fills a table of the n roots of unity in scratch once per invoke instead of calling
 * cos and sin for every term. Lengths that come from input
 * values known only at run time take the model's declared output shape at prepare (mv_prepare_shape). */
#include <math.h>
#include <string.h>

#include "ops/movement.h"
#include "ops/onnx_number.h"

#define ER_PI 3.14159265358979323846

/* One line of a transform: n_in samples (comps 1 or 2 values each, `stride` elements apart), zero-padded
 * or cut to length n, transformed; bins [0, out_len) written as (re, im) pairs `out_stride` apart. */
typedef struct {
  const void *in;
  edgert_dtype dtype;
  int64_t n_in, stride, comps;
  const void *window; /* STFT: multiplies each sample; NULL for none */
  void *out;
  int64_t out_len, out_stride;
  const double *roots; /* [n] (cos, sin) of 2 pi t / n, or NULL to compute each */
} dft_line;

/* The most roots kept in scratch (16 bytes each); longer transforms compute each angle. */
#define DFT_MAX_TABLE (1 << 20)

static void fill_roots(double *roots, int64_t n) {
  for (int64_t t = 0; t < n; t++) {
    double angle = 2.0 * ER_PI * (double)t / (double)n;
    roots[2 * t] = cos(angle);
    roots[2 * t + 1] = sin(angle);
  }
}

/* Scratch for the table of an n-point transform known at prepare (0 when deferred or too long). */
static size_t roots_bytes(bool deferred, int64_t n) {
  return !deferred && n > 0 && n <= DFT_MAX_TABLE ? sizeof(double) * 2 * (size_t)n : 0;
}

/* The table in scratch for length n, filled; NULL when prepare planned none for this length. */
static const double *roots_for(er_op_ctx *ctx, int64_t n) {
  if (!ctx->scratch || ctx->scratch_bytes != roots_bytes(false, n) || ctx->scratch_bytes == 0) return NULL;
  fill_roots(ctx->scratch, n);
  return ctx->scratch;
}

static double sample_at(const void *base, edgert_dtype dtype, int64_t i) {
  if (dtype == EDGERT_FLOAT64) return ((const double *)base)[i];
  return ((const float *)base)[i];
}

static void store_at(void *base, edgert_dtype dtype, int64_t i, double v) {
  if (dtype == EDGERT_FLOAT64)
    ((double *)base)[i] = v;
  else
    ((float *)base)[i] = (float)v;
}

static void transform_line(const dft_line *l, int64_t n, bool inverse) {
  double sign = inverse ? 1.0 : -1.0;
  int64_t used = l->n_in < n ? l->n_in : n;
  for (int64_t k = 0; k < l->out_len; k++) {
    double re = 0.0, im = 0.0;
    for (int64_t j = 0; j < used; j++) {
      double xr = sample_at(l->in, l->dtype, j * l->stride);
      double xi = l->comps == 2 ? sample_at(l->in, l->dtype, j * l->stride + 1) : 0.0;
      if (l->window) {
        double w = sample_at(l->window, l->dtype, j);
        xr *= w;
        xi *= w;
      }
      int64_t t = (j * k) % n;
      double c, s;
      if (l->roots) {
        c = l->roots[2 * t];
        s = sign * l->roots[2 * t + 1];
      } else {
        double angle = sign * 2.0 * ER_PI * (double)t / (double)n;
        c = cos(angle);
        s = sin(angle);
      }
      re += xr * c - xi * s;
      im += xr * s + xi * c;
    }
    if (inverse) {
      re /= (double)n;
      im /= (double)n;
    }
    store_at(l->out, l->dtype, k * l->out_stride, re);
    store_at(l->out, l->dtype, k * l->out_stride + 1, im);
  }
}

static edgert_status check_signal(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out,
                                  int32_t min_rank) {
  if (in->dtype != EDGERT_FLOAT32 && in->dtype != EDGERT_FLOAT64)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input dtype %s (float32 and float64 are supported)",
                   edgert_dtype_name(in->dtype));
  if (out->dtype != in->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if (in->ndim < min_rank)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input needs at least %d dims, has %d", (int)min_rank,
                   (int)in->ndim);
  int64_t comps = in->dims[in->ndim - 1];
  if (comps != 1 && comps != 2)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "the last dim must be 1 (real) or 2 (complex), not %lld",
                   (long long)comps);
  return EDGERT_OK;
}

static edgert_status check_length_input(er_op_ctx *ctx, const er_tensor *t, const char *what) {
  if (!t) return EDGERT_OK;
  edgert_status st = mv_check_index(ctx, t, what);
  if (st != EDGERT_OK) return st;
  if (er_tensor_elements(t) != 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "%s must hold one value", what);
  return EDGERT_OK;
}

/* ---- DFT */

typedef struct {
  mv_deferred deferred;
  int32_t axis;
  int64_t n; /* transform length */
} dft_plan;

static edgert_status dft_dims(er_op_ctx *ctx, void *plan_ptr, int32_t *ndim, int64_t *dims) {
  dft_plan *p = plan_ptr;
  const er_dft_attrs *a = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0), *length = er_input(ctx, 1);
  p->axis = a->axis < 0 ? a->axis + in->ndim : a->axis; /* checked by dft_prepare */
  p->n = length ? mv_index_at(length, 0) : in->dims[p->axis];
  if (p->n < 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "dft_length %lld must be positive", (long long)p->n);
  *ndim = in->ndim;
  memcpy(dims, in->dims, sizeof(int64_t) * (size_t)in->ndim);
  dims[p->axis] = a->onesided ? p->n / 2 + 1 : p->n;
  dims[in->ndim - 1] = 2;
  return EDGERT_OK;
}

static edgert_status dft_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_dft_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing attrs");
  const er_tensor *in = er_input(ctx, 0);
  if ((st = check_signal(ctx, in, er_output(ctx, 0), 2)) != EDGERT_OK) return st;
  if ((st = check_length_input(ctx, er_input(ctx, 1), "dft_length (input 1)")) != EDGERT_OK) return st;
  int32_t axis;
  if ((st = mv_normalize_axis(ctx, a->axis, in->ndim, &axis)) != EDGERT_OK) return st;
  if (axis == in->ndim - 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "axis must not be the last (complex) dim");
  if ((st = mv_prepare_shape(ctx, 1, 1, sizeof(dft_plan), dft_dims)) != EDGERT_OK) return st;
  dft_plan *p = ctx->op_data;
  p->axis = axis; /* a deferred plan gets its length from dft_dims at eval */
  ctx->scratch_bytes = roots_bytes(p->deferred.deferred, p->n);
  return EDGERT_OK;
}

static edgert_status dft_eval(er_op_ctx *ctx) {
  dft_plan *p = ctx->op_data;
  edgert_status st = mv_eval_deferred_shape(ctx, dft_dims);
  if (st != EDGERT_OK) return st;
  const er_dft_attrs *a = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int32_t r = in->ndim;
  int64_t comps = in->dims[r - 1];
  int64_t outer = mv_dims_product(in->dims, 0, p->axis);
  int64_t inner = mv_dims_product(in->dims, p->axis + 1, r - 1);
  int64_t in_len = in->dims[p->axis], out_len = out->dims[p->axis];
  size_t es = edgert_dtype_size(in->dtype);
  const double *roots = roots_for(ctx, p->n);
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t i = 0; i < inner; i++) {
      dft_line l = {
          .in = (const unsigned char *)in->data + (size_t)(((o * in_len) * inner + i) * comps) * es,
          .dtype = in->dtype,
          .n_in = in_len,
          .stride = inner * comps,
          .comps = comps,
          .out = (unsigned char *)out->data + (size_t)(((o * out_len) * inner + i) * 2) * es,
          .out_len = out_len,
          .out_stride = inner * 2,
          .roots = roots,
      };
      transform_line(&l, p->n, a->inverse);
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_dft = {.prepare = dft_prepare, .eval = dft_eval};

/* ---- STFT */

typedef struct {
  mv_deferred deferred;
  int64_t step, frame_length;
} stft_plan;

static edgert_status stft_dims(er_op_ctx *ctx, void *plan_ptr, int32_t *ndim, int64_t *dims) {
  stft_plan *p = plan_ptr;
  const er_stft_attrs *a = er_attrs(ctx);
  const er_tensor *signal = er_input(ctx, 0), *window = er_input(ctx, 2), *length = er_input(ctx, 3);
  p->step = mv_index_at(er_input(ctx, 1), 0);
  p->frame_length = length ? mv_index_at(length, 0) : window ? window->dims[0] : -1;
  if (!length && !window) return er_fail(ctx, EDGERT_ERR_MALFORMED, "needs a window or a frame_length");
  if (window && window->dims[0] != p->frame_length)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "window length %lld differs from frame_length %lld",
                   (long long)window->dims[0], (long long)p->frame_length);
  int64_t len = signal->dims[1];
  if (p->step < 1 || p->frame_length < 1 || p->frame_length > len)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "frame_step %lld and frame_length %lld for a signal of %lld",
                   (long long)p->step, (long long)p->frame_length, (long long)len);
  *ndim = 4;
  dims[0] = signal->dims[0];
  dims[1] = (len - p->frame_length) / p->step + 1;
  dims[2] = a->onesided ? p->frame_length / 2 + 1 : p->frame_length;
  dims[3] = 2;
  return EDGERT_OK;
}

static edgert_status stft_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 4, 1);
  if (st != EDGERT_OK) return st;
  if (!er_attrs(ctx)) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing attrs");
  const er_tensor *signal = er_input(ctx, 0), *window = er_input(ctx, 2);
  if ((st = check_signal(ctx, signal, er_output(ctx, 0), 3)) != EDGERT_OK) return st;
  if (signal->ndim != 3) return er_fail(ctx, EDGERT_ERR_SHAPE, "signal must be [batch, length, 1 or 2]");
  if (!er_input(ctx, 1)) return er_fail(ctx, EDGERT_ERR_MALFORMED, "frame_step (input 1) is missing");
  if ((st = check_length_input(ctx, er_input(ctx, 1), "frame_step (input 1)")) != EDGERT_OK) return st;
  if ((st = check_length_input(ctx, er_input(ctx, 3), "frame_length (input 3)")) != EDGERT_OK) return st;
  if (window && (window->ndim != 1 || window->dtype != signal->dtype))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "window must be 1-d of the signal's dtype");
  /* frame_step and frame_length decide the shape; the window only through its static shape */
  stft_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  const er_tensor *length = er_input(ctx, 3);
  bool step_known = mv_is_const(er_input(ctx, 1)), length_known = !length || mv_is_const(length);
  p->deferred.deferred = !step_known || !length_known;
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  if (!p->deferred.deferred) {
    if ((st = stft_dims(ctx, p, &ndim, dims)) != EDGERT_OK) return st;
  } else if (!mv_declared_shape(er_output(ctx, 0), &ndim, dims)) {
    return step_known ? mv_need_value(ctx, 3, 3, "frame_length") : mv_need_value(ctx, 1, 1, "frame_step");
  }
  ctx->scratch_bytes = roots_bytes(p->deferred.deferred, p->frame_length);
  return er_set_output_shape(ctx, er_output(ctx, 0), ndim, dims);
}

static edgert_status stft_eval(er_op_ctx *ctx) {
  stft_plan *p = ctx->op_data;
  edgert_status st = mv_eval_deferred_shape(ctx, stft_dims);
  if (st != EDGERT_OK) return st;
  const er_tensor *signal = er_input(ctx, 0), *window = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  int64_t comps = signal->dims[2], len = signal->dims[1];
  int64_t frames = out->dims[1], bins = out->dims[2];
  size_t es = edgert_dtype_size(signal->dtype);
  const double *roots = roots_for(ctx, p->frame_length);
  for (int64_t b = 0; b < signal->dims[0]; b++) {
    for (int64_t f = 0; f < frames; f++) {
      dft_line l = {
          .in = (const unsigned char *)signal->data + (size_t)((b * len + f * p->step) * comps) * es,
          .dtype = signal->dtype,
          .n_in = p->frame_length,
          .stride = comps,
          .comps = comps,
          .window = window ? window->data : NULL,
          .out = (unsigned char *)out->data + (size_t)(((b * frames + f) * bins) * 2) * es,
          .out_len = bins,
          .out_stride = 2,
          .roots = roots,
      };
      transform_line(&l, p->frame_length, false);
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_stft = {.prepare = stft_prepare, .eval = stft_eval};
