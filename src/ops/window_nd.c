/* Geometry of the N-d NCHW window ops; see window_nd.h. Output sizes follow the ONNX operator spec
 * (Conv, MaxPool, AveragePool): floor((in + pads - effective_kernel) / stride) + 1, where the effective
 * kernel of dilation d is (k - 1) * d + 1; ceil_mode rounds up instead but drops a last window that would
 * start beyond the input and its leading padding (as onnxruntime's pool_attributes.h does). */
#include <string.h>

#include "ops/index_math.h"
#include "ops/window_nd.h"

edgert_status er_window_nd_check_value(er_op_ctx *ctx, const char *what, int64_t value, int64_t lo) {
  if (value < lo || value > ER_WINDOW_ND_MAX_VALUE)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "%s %lld is outside [%lld, %lld]", what, (long long)value,
                   (long long)lo, (long long)ER_WINDOW_ND_MAX_VALUE);
  return EDGERT_OK;
}

/* An attribute list must be absent or give one value per spatial dim (pads: two). */
static edgert_status check_count(er_op_ctx *ctx, const char *name, int32_t count, int32_t want) {
  if (count != 0 && count != want)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "%s has %d values, expected %d for this input rank", name,
                   (int)count, (int)want);
  return EDGERT_OK;
}

static edgert_status check_attr_counts(er_op_ctx *ctx, const er_conv_nd_attrs *a, int32_t rank) {
  edgert_status st;
  if ((st = check_count(ctx, "kernel_shape", a->n_kernel, rank))) return st;
  if ((st = check_count(ctx, "strides", a->n_strides, rank))) return st;
  if ((st = check_count(ctx, "dilations", a->n_dilations, rank))) return st;
  return check_count(ctx, "pads", a->n_pads, 2 * rank);
}

static int64_t ceil_div(int64_t num, int64_t den) {
  return num >= 0 ? (num + den - 1) / den : -((-num) / den);
}

/* Output size and padding of spatial dim i. */
static edgert_status dim_geometry(er_op_ctx *ctx, const er_conv_nd_attrs *a, er_window_rounding rounding,
                                  int i, er_window_nd *w) {
  int64_t in = w->in[i], stride = w->stride[i];
  int64_t effective = (w->kernel[i] - 1) * w->dilation[i] + 1;
  if (a->auto_pad == ER_PAD_SAME || a->auto_pad == ER_PAD_SAME_LOWER) {
    w->out[i] = ceil_div(in, stride);
    int64_t total = (w->out[i] - 1) * stride + effective - in;
    if (total < 0) total = 0;
    w->pad_begin[i] = a->auto_pad == ER_PAD_SAME ? total / 2 : total - total / 2;
    w->pad_end[i] = total - w->pad_begin[i];
    return EDGERT_OK;
  }
  if (a->auto_pad == ER_PAD_VALID) {
    w->pad_begin[i] = w->pad_end[i] = 0;
  } else if (a->auto_pad != ER_PAD_EXPLICIT) {
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "auto_pad mode %d is not supported", (int)a->auto_pad);
  }
  int64_t span = in + w->pad_begin[i] + w->pad_end[i] - effective;
  if (span < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE,
                   "spatial dim %d: window of %lld (kernel %lld, dilation %lld) exceeds padded input %lld", i,
                   (long long)effective, (long long)w->kernel[i], (long long)w->dilation[i],
                   (long long)(in + w->pad_begin[i] + w->pad_end[i]));
  if (rounding == ER_WINDOW_CEIL) {
    w->out[i] = ceil_div(span, stride) + 1;
    if ((w->out[i] - 1) * stride >= in + w->pad_begin[i]) w->out[i]--;
  } else {
    w->out[i] = span / stride + 1;
  }
  return EDGERT_OK;
}

edgert_status er_window_nd_init(er_op_ctx *ctx, const er_conv_nd_attrs *a, const er_tensor *in,
                                const int64_t *kernel, er_window_rounding rounding, er_window_nd *w) {
  edgert_status st;
  memset(w, 0, sizeof *w);
  if (in->ndim < 3 || in->ndim > 2 + ER_NN_MAX_SPATIAL)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be NCHW with 1 to %d spatial dims, got rank %d",
                   ER_NN_MAX_SPATIAL, (int)in->ndim);
  if (er_tensor_elements(in) < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "input shape is invalid");
  w->rank = in->ndim - 2;
  if ((st = check_attr_counts(ctx, a, w->rank))) return st;
  w->batch = in->dims[0];
  w->channels = in->dims[1];
  w->in_size = w->out_size = w->kernel_size = 1;
  for (int i = 0; i < w->rank; i++) {
    w->in[i] = in->dims[2 + i];
    w->kernel[i] = kernel[i];
    w->stride[i] = a->n_strides ? a->strides[i] : 1;
    w->dilation[i] = a->n_dilations ? a->dilations[i] : 1;
    w->pad_begin[i] = a->n_pads ? a->pads[i] : 0;
    w->pad_end[i] = a->n_pads ? a->pads[w->rank + i] : 0;
    if ((st = er_window_nd_check_value(ctx, "input spatial dim", w->in[i], 0))) return st;
    if ((st = er_window_nd_check_value(ctx, "kernel size", w->kernel[i], 1))) return st;
    if ((st = er_window_nd_check_value(ctx, "stride", w->stride[i], 1))) return st;
    if ((st = er_window_nd_check_value(ctx, "dilation", w->dilation[i], 1))) return st;
    if ((st = er_window_nd_check_value(ctx, "pad", w->pad_begin[i], 0))) return st;
    if ((st = er_window_nd_check_value(ctx, "pad", w->pad_end[i], 0))) return st;
    if ((st = dim_geometry(ctx, a, rounding, i, w))) return st;
    /* Each factor is at most 2^31, but products of several could still overflow: check as we go. */
    if (w->kernel_size > INT64_MAX / w->kernel[i] || w->out_size > INT64_MAX / (w->out[i] ? w->out[i] : 1))
      return er_fail(ctx, EDGERT_ERR_LIMIT, "window or output size overflows");
    w->in_size *= w->in[i];
    w->out_size *= w->out[i];
    w->kernel_size *= w->kernel[i];
  }
  if (w->kernel_size > ER_WINDOW_ND_MAX_VALUE)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "window of %lld elements is too large", (long long)w->kernel_size);
  return EDGERT_OK;
}

void er_window_nd_next(int32_t rank, const int64_t *dims, int64_t *coord) {
  for (int i = rank - 1; i >= 0; i--) {
    if (++coord[i] < dims[i]) return;
    coord[i] = 0;
  }
}

/* The window positions [*first, *end) of one dim, among [0, kernel), whose coordinate start + j * dilation
 * lies in [lo, hi). Computed, not searched: a hostile window of millions of taps, nearly all padding, must
 * not cost millions of steps per output. */
static void window_range(int64_t start, int64_t dilation, int64_t kernel, int64_t lo, int64_t hi,
                         int64_t *first, int64_t *end) {
  int64_t below = lo - start, last = hi - 1 - start;
  *first = below <= 0 ? 0 : (below + dilation - 1) / dilation;
  *end = last < 0 ? 0 : last / dilation + 1;
  if (*end > kernel) *end = kernel;
  if (*end < *first) *end = *first;
}

void er_window_nd_dim_counts(const er_window_nd *w, int i, int64_t o, int64_t *real, int64_t *padded) {
  int64_t start = o * w->stride[i] - w->pad_begin[i], lo, hi;
  window_range(start, w->dilation[i], w->kernel[i], 0, w->in[i], &lo, &hi);
  *real = hi - lo;
  window_range(start, w->dilation[i], w->kernel[i], -w->pad_begin[i], w->in[i] + w->pad_end[i], &lo, &hi);
  *padded = hi - lo;
}

int64_t er_window_nd_taps(const er_window_nd *w, const int64_t *o, int64_t *in_off, int64_t *k_idx,
                          int64_t *padded_count) {
  int64_t start[ER_NN_MAX_SPATIAL], first[ER_NN_MAX_SPATIAL], end[ER_NN_MAX_SPATIAL], k[ER_NN_MAX_SPATIAL];
  int64_t padded = 1;
  bool empty = false;
  for (int i = 0; i < w->rank; i++) {
    start[i] = o[i] * w->stride[i] - w->pad_begin[i];
    int64_t lo, hi; /* window positions of this dim within the padded input */
    window_range(start[i], w->dilation[i], w->kernel[i], -w->pad_begin[i], w->in[i] + w->pad_end[i], &lo,
                 &hi);
    padded *= hi - lo;
    window_range(start[i], w->dilation[i], w->kernel[i], 0, w->in[i], &first[i], &end[i]);
    empty |= first[i] == end[i];
    k[i] = first[i];
  }
  if (padded_count) *padded_count = padded;
  if (empty) return 0;
  /* The taps inside the input, in the window's row-major order (an odometer over the per-dim ranges). */
  int64_t taps = 0;
  for (;;) {
    int64_t off = 0, q = 0;
    for (int i = 0; i < w->rank; i++) {
      off = off * w->in[i] + start[i] + k[i] * w->dilation[i];
      q = q * w->kernel[i] + k[i];
    }
    if (in_off) in_off[taps] = off;
    if (k_idx) k_idx[taps] = q;
    taps++;
    int i = w->rank - 1;
    while (i >= 0 && ++k[i] == end[i]) {
      k[i] = first[i];
      i--;
    }
    if (i < 0) return taps;
  }
}

/* Whether the window spans more than about twice the input along some dim: then most of every output's
 * taps are padding, which the fast kernels would all visit (a hostile 2 x 1.8-million-tap max pool on a
 * 32 x 32 image took a minute). Real models' windows are at most the input plus its padding. */
static bool mostly_padding(const er_window_nd *w) {
  for (int i = 0; i < w->rank; i++)
    if ((w->kernel[i] - 1) * w->dilation[i] + 1 > 2 * w->in[i] + 8) return true;
  return false;
}

bool er_window_2d_init(const er_window_nd *w, int64_t vector, int64_t max_floats, er_window_2d *v) {
  if ((w->rank != 1 && w->rank != 2) || mostly_padding(w)) return false;
  int r = w->rank - 1; /* the width dim; a 1-D window has height 1 */
  *v = (er_window_2d){
      .in_h = r ? w->in[0] : 1,
      .in_w = w->in[r],
      .out_h = r ? w->out[0] : 1,
      .out_w = w->out[r],
      .kh = r ? w->kernel[0] : 1,
      .kw = w->kernel[r],
      .stride_h = r ? w->stride[0] : 1,
      .stride_w = w->stride[r],
      .dil_h = r ? w->dilation[0] : 1,
      .dil_w = w->dilation[r],
      .pad_top = r ? w->pad_begin[0] : 0,
      .pad_left = w->pad_begin[r],
  };
  /* Every value is at most 2^31 (er_window_nd_init), so nothing below overflows before its check. */
  v->phase_w =
      er_round_up_i64(er_round_up_i64(v->out_w, vector) + (v->kw - 1) * v->dil_w / v->stride_w, vector);
  if (v->phase_w > max_floats / v->stride_w) return false;
  v->row_pitch = v->stride_w * v->phase_w;
  return (v->kh - 1) * v->dil_h + 1 <= max_floats / v->row_pitch;
}

int64_t er_window_2d_band_in_rows(const er_window_2d *v, int64_t out_rows) {
  return (out_rows - 1) * v->stride_h + (v->kh - 1) * v->dil_h + 1;
}

int64_t er_window_2d_band_rows(const er_window_2d *v, int64_t target_floats, int64_t planes,
                               int32_t threads) {
  int64_t min_rows = (v->kh - 1) * v->dil_h + 1;
  int64_t fit_rows = target_floats / v->row_pitch;
  int64_t rows = fit_rows > min_rows ? 1 + (fit_rows - min_rows) / v->stride_h : 1;
  if (rows > v->out_h) rows = v->out_h;
  int64_t want_items = threads > 1 ? 4 * (int64_t)threads : 1;
  if (planes > 0 && planes < want_items) {
    int64_t per_plane = (want_items + planes - 1) / planes;
    int64_t split = (v->out_h + per_plane - 1) / per_plane;
    if (split < rows) rows = split;
  }
  return rows > 0 ? rows : 1;
}

void er_window_2d_tap_offsets(const er_window_2d *v, int64_t *tap_off) {
  for (int64_t ky = 0, t = 0; ky < v->kh; ky++) {
    for (int64_t kx = 0; kx < v->kw; kx++, t++) {
      int64_t shift = kx * v->dil_w;
      tap_off[t] = ky * v->dil_h * v->row_pitch + (shift % v->stride_w) * v->phase_w + shift / v->stride_w;
    }
  }
}

static void fill(float *dst, int64_t n, float value) {
  if (n > 0 && value == 0.0f) {
    memset(dst, 0, (size_t)n * sizeof *dst);
    return;
  }
  for (int64_t i = 0; i < n; i++)
    dst[i] = value;
}

/* One padded input row: phase q holds padded columns q, q + s, q + 2s, ... (s = stride_w). Inlined with
 * s a constant for strides 1 and 2, whose divisions then become shifts and copies tight loops. */
static inline void fill_row_stride(const er_window_2d *v, const float *src, float pad, float *dst,
                                   int64_t s) {
  int64_t pw = v->phase_w, pl = v->pad_left;
  for (int64_t q = 0; q < s; q++, dst += pw) {
    /* positions i whose input column i * s + q - pl lies in [0, in_w) */
    int64_t lo = pl > q ? (pl - q + s - 1) / s : 0;
    int64_t last = v->in_w - 1 + pl - q;
    int64_t hi = last >= 0 ? last / s + 1 : 0;
    if (hi > pw) hi = pw;
    if (lo > hi) lo = hi;
    fill(dst, lo, pad);
    if (s == 1) {
      if (hi > lo) memcpy(dst + lo, src + lo - pl, (size_t)(hi - lo) * sizeof *dst);
    } else {
      const float *col = src + lo * s + q - pl;
      for (int64_t i = lo; i < hi; i++, col += s)
        dst[i] = *col;
    }
    fill(dst + hi, pw - hi, pad);
  }
}

static void fill_row(const er_window_2d *v, const float *src, float pad, float *dst) {
  if (v->stride_w == 1)
    fill_row_stride(v, src, pad, dst, 1);
  else if (v->stride_w == 2)
    fill_row_stride(v, src, pad, dst, 2);
  else
    fill_row_stride(v, src, pad, dst, v->stride_w);
}

void er_window_2d_fill_rows(const er_window_2d *v, const float *plane, int64_t first_row, int64_t rows,
                            float pad, float *buf) {
  for (int64_t r = 0; r < rows; r++, buf += v->row_pitch) {
    int64_t iy = first_row + r;
    if (iy < 0 || iy >= v->in_h)
      fill(buf, v->row_pitch, pad);
    else
      fill_row(v, plane + iy * v->in_w, pad, buf);
  }
}

void er_window_2d_col_masks(const er_window_2d *v, const int64_t *col_off, uint32_t *col_mask) {
  for (int64_t j = 0; j < v->out_w; j += 16) {
    for (int64_t kx = 0; kx < v->kw; kx++, col_mask++) {
      uint32_t m = 0;
      for (int64_t l = 0; l < 16 && j + l < v->out_w; l++) {
        int64_t col = (j + l) * v->stride_w + col_off[kx];
        if (col >= 0 && col < v->in_w) m |= (uint32_t)1 << (l * v->stride_w);
      }
      *col_mask = m;
    }
  }
}

int64_t er_window_2d_col_max_floats(const er_window_2d *v) {
  return er_round_up_i64(v->stride_w * er_round_up_i64(v->out_w, 16) + (v->kw - 1) * v->dil_w, 16);
}
