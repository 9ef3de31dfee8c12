/* MAX_POOL_ND, AVERAGE_POOL_ND and LP_POOL_ND: ONNX MaxPool, AveragePool and LpPool (and, with
 * attrs.global, GlobalMaxPool, GlobalAveragePool and GlobalLpPool), NCHW with 1 to ER_NN_MAX_SPATIAL
 * spatial dims. Geometry, padding and ceil_mode as window_nd.h. Padding is never read: the max is over the
 * real pixels of the window; the average divides by them, or with count_include_pad by the window
 * positions inside the padded input (as onnxruntime); Lp pooling is (sum |x|^p)^(1/p) over the real pixels
 * (padding adds zeros). MaxPool's optional second output holds int64 indices of the maxima into the
 * flattened input (batch and channel included), row major, or with storage_order 1 column major in the
 * spatial dims (onnxruntime's convention). Max pool takes float32, float64, int8 and uint8; the others
 * float32 and float64. Values travel as double, which holds every supported dtype exactly: this is the
 * reference kernel.
 *
 * Float32 max and average pools take fast paths chosen at prepare: global pools reduce each plane in one
 * pass; 1-D and 2-D windows copy bands of padded rows into scratch (er_window_2d, window_nd.h; max pads
 * with -inf, average with 0) and run a row micro-kernel per output row, vectorized over the output width;
 * where the CPU has one (AVX-512, horizontal stride 1 or 2), a direct max kernel reads the input rows in
 * place instead, taking the max down the window rows first and along the columns second.
 * The average's divisor is separable (the real or padded pixels of the window along each dim), so it is
 * two tables of reciprocals. Max pools with the indices output, windows that can hold no real pixel, Lp
 * pools and other dtypes run the reference. tests/ops/test_pool_nd_fast.c checks one against the other. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "core/cpu.h"
#include "ops/window_nd.h"

typedef enum { POOL_MAX, POOL_AVERAGE, POOL_LP } pool_kind;

typedef enum { FAST_NONE = 0, FAST_GLOBAL, FAST_ROWS } fast_path;

/* A band's padded rows aim at this many floats (128 KiB); rows longer than the limit (16 MiB) take the
 * reference kernel. */
#define POOL_BAND_TARGET_FLOATS ((int64_t)32 * 1024)
#define POOL_ROW_LIMIT_FLOATS ((int64_t)4 * 1024 * 1024)
#define POOL_VECTOR 16
#define POOL_GLOBAL_GRAIN_FLOATS ((int64_t)32 * 1024)

typedef struct {
  er_window_nd win;
  pool_kind kind;
  bool count_include_pad;
  bool column_major_indices;
  double p;
  /* the float32 fast paths */
  fast_path fast;
  er_window_2d rows;
  int64_t planes, band_rows, bands;
  int64_t *tap_off;
  float *inv_h, *inv_w; /* average: reciprocal divisors per output row / column (inv_w padded to vectors) */
  size_t thread_floats;
  er_f32_pool_nchw_row_fn row;
  er_f32_plane_sum_fn plane_sum;
  /* The direct max pool, when the CPU has one for this stride (else NULL; thread_floats then counts its
   * padded row): */
  er_f32_maxpool_nchw_direct_fn direct;
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

/* Reciprocal divisors of the outputs along dim i (n values, then zeros up to `count`); false when some
 * window along it holds no real pixel, which the max pool leaves to the reference. */
static bool dim_scales(const pool_data *d, int i, int64_t n, float *scale) {
  for (int64_t o = 0; o < n; o++) {
    int64_t real, padded;
    er_window_nd_dim_counts(&d->win, i, o, &real, &padded);
    if (real == 0) return false;
    int64_t count = d->count_include_pad ? padded : real;
    scale[o] = 1.0f / (float)count;
  }
  return true;
}

static er_f32_pool_nchw_row_fn choose_row(pool_kind kind) {
  er_cpu_features cpu = er_cpu_detect();
#if defined(ER_SIMD_X86)
  if (cpu.avx512) return kind == POOL_MAX ? er_f32_maxpool_nchw_row__avx512 : er_f32_avgpool_nchw_row__avx512;
  if (cpu.avx2_fma) return kind == POOL_MAX ? er_f32_maxpool_nchw_row__avx2 : er_f32_avgpool_nchw_row__avx2;
#endif
  (void)cpu;
  return kind == POOL_MAX ? er_f32_maxpool_nchw_row__scalar : er_f32_avgpool_nchw_row__scalar;
}

static er_f32_plane_sum_fn choose_plane_sum(void) {
  er_cpu_features cpu = er_cpu_detect();
#if defined(ER_SIMD_X86)
  if (cpu.avx512) return er_f32_plane_sum__avx512;
  if (cpu.avx2_fma) return er_f32_plane_sum__avx2;
#endif
  (void)cpu;
  return er_f32_plane_sum__scalar;
}

static er_f32_maxpool_nchw_direct_fn choose_direct(const er_window_2d *v) {
  er_cpu_features cpu = er_cpu_detect();
  if (v->stride_w > 2) return NULL;
#if defined(ER_SIMD_X86)
  if (cpu.avx512)
    return v->stride_w == 1 ? er_f32_maxpool_nchw_direct_s1__avx512 : er_f32_maxpool_nchw_direct_s2__avx512;
#endif
  (void)cpu;
  return NULL;
}

/* Chooses a float32 fast path, if one applies, and sizes its tables and scratch. */
static edgert_status fast_prepare(er_op_ctx *ctx, const er_conv_nd_attrs *a, pool_data *d) {
  const er_window_nd *w = &d->win;
  if (d->kind == POOL_LP || w->batch * w->channels == 0 || w->out_size == 0) return EDGERT_OK;
  d->planes = w->batch * w->channels;
  if (a->global) {
    if (w->in_size == 0) return EDGERT_OK;
    d->fast = FAST_GLOBAL;
    d->plane_sum = choose_plane_sum();
    return EDGERT_OK;
  }
  er_window_2d *v = &d->rows;
  if (!er_window_2d_init(w, POOL_VECTOR, POOL_ROW_LIMIT_FLOATS, v)) return EDGERT_OK;
  int64_t row_dim = w->rank - 1, padded_w = (v->out_w + POOL_VECTOR - 1) / POOL_VECTOR * POOL_VECTOR;
  d->inv_h = er_persist_alloc(ctx, (size_t)(v->out_h + padded_w) * sizeof(float));
  d->tap_off = er_persist_alloc(ctx, (size_t)(v->kh * v->kw) * sizeof(int64_t));
  if (!d->inv_h || !d->tap_off) return EDGERT_ERR_NO_MEMORY;
  d->inv_w = d->inv_h + v->out_h;
  if (w->rank == 1)
    d->inv_h[0] = 1.0f;
  else if (!dim_scales(d, 0, v->out_h, d->inv_h))
    return EDGERT_OK;
  if (!dim_scales(d, (int)row_dim, v->out_w, d->inv_w)) return EDGERT_OK;
  er_window_2d_tap_offsets(v, d->tap_off);
  int32_t threads = er_num_threads(ctx);
  d->band_rows = er_window_2d_band_rows(v, POOL_BAND_TARGET_FLOATS, d->planes, threads);
  d->bands = (v->out_h + d->band_rows - 1) / d->band_rows;
  int64_t band_floats = er_window_2d_band_in_rows(v, d->band_rows) * v->row_pitch;
  d->thread_floats = (size_t)((band_floats + POOL_VECTOR - 1) / POOL_VECTOR * POOL_VECTOR);
  d->row = choose_row(d->kind);
  d->fast = FAST_ROWS;
  if (d->kind == POOL_MAX && (d->direct = choose_direct(v)))
    d->thread_floats = (size_t)er_window_2d_col_max_floats(v);
  /* one extra vector to align each thread's slice to 64 bytes */
  ctx->scratch_bytes = ((size_t)threads * d->thread_floats + POOL_VECTOR) * sizeof(float);
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
  if (in->dtype == EDGERT_FLOAT32 && !er_output(ctx, 1)) return fast_prepare(ctx, a, d);
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

/* The float32 fast paths. */

void er_f32_maxpool_nchw_row__scalar(const float *in, const int64_t *tap_off, int64_t taps,
                                     const float *col_scale, float row_scale, float *out, int64_t ow) {
  (void)col_scale, (void)row_scale;
  for (int64_t j = 0; j < ow; j++)
    out[j] = in[tap_off[0] + j];
  for (int64_t t = 1; t < taps; t++) {
    const float *src = in + tap_off[t];
    for (int64_t j = 0; j < ow; j++)
      out[j] = src[j] > out[j] ? src[j] : out[j];
  }
}

void er_f32_avgpool_nchw_row__scalar(const float *in, const int64_t *tap_off, int64_t taps,
                                     const float *col_scale, float row_scale, float *out, int64_t ow) {
  for (int64_t j = 0; j < ow; j++)
    out[j] = 0.0f;
  for (int64_t t = 0; t < taps; t++) {
    const float *src = in + tap_off[t];
    for (int64_t j = 0; j < ow; j++)
      out[j] += src[j];
  }
  for (int64_t j = 0; j < ow; j++)
    out[j] *= row_scale * col_scale[j];
}

double er_f32_plane_sum__scalar(const float *x, int64_t n) {
  /* four partial sums in double: independent chains, and the reference's precision */
  double s[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; k++)
      s[k] += x[i + k];
  for (; i < n; i++)
    s[0] += x[i];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

typedef struct {
  const pool_data *d;
  const float *x;
  float *y, *scratch;
} fast_task;

static void global_items(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  const fast_task *t = arg;
  const pool_data *d = t->d;
  int64_t n = d->win.in_size;
  for (int64_t plane = begin; plane < end; plane++) {
    const float *x = t->x + plane * n;
    if (d->kind == POOL_MAX) {
      float best = x[0];
      for (int64_t i = 1; i < n; i++)
        best = x[i] > best ? x[i] : best;
      t->y[plane] = best;
      continue;
    }
    t->y[plane] = (float)(d->plane_sum(x, n) / (double)n);
  }
}

static void row_items(void *arg, int32_t thread, int64_t begin, int64_t end) {
  const fast_task *t = arg;
  const pool_data *d = t->d;
  const er_window_2d *v = &d->rows;
  float *buf = t->scratch + (size_t)thread * d->thread_floats;
  float pad = d->kind == POOL_MAX ? -INFINITY : 0.0f;
  int64_t taps = v->kh * v->kw;
  for (int64_t item = begin; item < end; item++) {
    int64_t plane = item / d->bands, oy0 = item % d->bands * d->band_rows;
    int64_t rows = v->out_h - oy0 < d->band_rows ? v->out_h - oy0 : d->band_rows;
    if (d->direct) {
      d->direct(v, t->x + plane * v->in_h * v->in_w, oy0, rows, buf,
                t->y + (plane * v->out_h + oy0) * v->out_w);
      continue;
    }
    er_window_2d_fill_rows(v, t->x + plane * v->in_h * v->in_w, oy0 * v->stride_h - v->pad_top,
                           er_window_2d_band_in_rows(v, rows), pad, buf);
    float *y = t->y + (plane * v->out_h + oy0) * v->out_w;
    for (int64_t r = 0; r < rows; r++, y += v->out_w)
      d->row(buf + r * v->stride_h * v->row_pitch, d->tap_off, taps, d->inv_w, d->inv_h[oy0 + r], y,
             v->out_w);
  }
}

/* Planes per chunk of a global pool: at least POOL_GLOBAL_GRAIN_FLOATS floats, a few microseconds of
 * work, so that a small pool (a squeeze-excite block's) is not split where waking a worker costs more
 * than it saves. */
static int64_t global_grain(const pool_data *d) {
  int64_t plane = d->win.in_size;
  return plane >= POOL_GLOBAL_GRAIN_FLOATS ? 1 : POOL_GLOBAL_GRAIN_FLOATS / (plane > 0 ? plane : 1);
}

static void fast_eval(er_op_ctx *ctx, const pool_data *d) {
  uintptr_t at = ((uintptr_t)ctx->scratch + 63) & ~(uintptr_t)63;
  fast_task t = {d, er_input(ctx, 0)->data, er_output(ctx, 0)->data, (float *)at};
  if (d->fast == FAST_GLOBAL)
    er_parallel_for(ctx, d->planes, global_grain(d), global_items, &t);
  else
    er_parallel_for(ctx, d->planes * d->bands,
                    er_grain_for_work(d->planes * d->bands, 1, (double)d->planes * (double)d->win.in_size),
                    row_items, &t);
}

static edgert_status pool_eval(er_op_ctx *ctx) {
  const pool_data *d = ctx->op_data;
  if (d->fast != FAST_NONE) {
    fast_eval(ctx, d);
    return EDGERT_OK;
  }
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

const er_kernel er_kernel_max_pool_nd = {.prepare = max_pool_prepare, .eval = pool_eval};
const er_kernel er_kernel_average_pool_nd = {.prepare = average_pool_prepare, .eval = pool_eval};
const er_kernel er_kernel_lp_pool_nd = {.prepare = lp_pool_prepare, .eval = pool_eval};
