/* AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D: a filter window slides over the spatial dims and each
 * output is the mean, max or root mean square of the input pixels the window covers. Padding pixels are
 * never read or counted (TFLite's reference pooling), so the average divides by the number of real
 * pixels in the window. Integer kernels follow tensorflow/lite/kernels/internal/reference/integer_ops/
 * pooling.h: the average is the int32 sum divided by the count rounding half away from zero, and the
 * output shares the input's scale and zero point, so no rescale happens. Layout is NHWC (TFLite) or
 * NCHW (ONNX); the loops walk both through element strides. NHWC int8 and float average and max pooling
 * run the vectorized micro-kernels of pooling_nhwc.h where the CPU has them (chosen at prepare; they give
 * the reference's bits), with the output rows split across threads. */
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "core/cpu.h"
#include "core/kernel.h"
#include "core/quant.h"
#include "ops/pooling_nhwc.h"

typedef enum { POOL_AVERAGE, POOL_MAX, POOL_L2 } pool_kind;

/* Geometry and clamp bounds worked out at prepare. */
typedef struct {
  int64_t batches, channels;
  int64_t in_h, in_w, out_h, out_w;
  int64_t pad_top, pad_left;
  int64_t filter_h, filter_w, stride_h, stride_w;
  /* element strides of batch, row, column and channel, for input and output */
  int64_t in_stride[4], out_stride[4];
  float act_min_f, act_max_f;
  int32_t act_min_q, act_max_q;
  er_pool_nhwc_fn fast; /* NULL: the reference loops below */
} pool_data;

/* The window of one output pixel, clamped to the input. */
typedef struct {
  int64_t y0, y1, x0, x1;
} pool_window;

static pool_window window_at(const pool_data *d, int64_t out_y, int64_t out_x) {
  int64_t top = out_y * d->stride_h - d->pad_top;
  int64_t left = out_x * d->stride_w - d->pad_left;
  pool_window w;
  w.y0 = top < 0 ? 0 : top;
  w.x0 = left < 0 ? 0 : left;
  w.y1 = top + d->filter_h < d->in_h ? top + d->filter_h : d->in_h;
  w.x1 = left + d->filter_w < d->in_w ? left + d->filter_w : d->in_w;
  return w;
}

/* Output size and leading pad of one spatial dim. SAME follows TFLite: out = ceil(in / stride) and the
 * odd padding pixel goes after; SAME_LOWER (ONNX) puts it before. */
static edgert_status spatial_dim(er_op_ctx *ctx, const er_pool_attrs *a, int64_t in, int32_t filter,
                                 int32_t stride, int32_t pad_before, int32_t pad_after, const char *name,
                                 int64_t *out, int64_t *pad) {
  int64_t total;
  switch (a->padding) {
  case ER_PAD_VALID:
    *out = in >= filter ? (in - filter) / stride + 1 : 0;
    *pad = 0;
    break;
  case ER_PAD_SAME:
  case ER_PAD_SAME_LOWER:
    *out = (in + stride - 1) / stride;
    total = (*out - 1) * stride + filter - in;
    if (total < 0) total = 0;
    *pad = a->padding == ER_PAD_SAME ? total / 2 : (total + 1) / 2;
    break;
  case ER_PAD_EXPLICIT:
    if (pad_before < 0 || pad_after < 0)
      return er_fail(ctx, EDGERT_ERR_MALFORMED, "negative %s padding %d/%d", name, pad_before, pad_after);
    *out = in + pad_before + pad_after >= filter ? (in + pad_before + pad_after - filter) / stride + 1 : 0;
    *pad = pad_before;
    break;
  default: return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "padding mode %d is not supported", (int)a->padding);
  }
  if (*out < 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "%s filter %d does not fit input size %lld", name, filter,
                   (long long)in);
  /* Every window must cover at least one real pixel, or an average would divide by zero. The first and
   * the last window are the extremes since window starts only grow. */
  if (*pad >= filter || (*out - 1) * stride - *pad >= in)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "%s padding leaves a window with no input pixel", name);
  return EDGERT_OK;
}

static edgert_status check_attrs(er_op_ctx *ctx, const er_pool_attrs *a) {
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "pooling attributes are missing");
  if (a->filter_h < 1 || a->filter_w < 1)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "filter %dx%d must be positive", a->filter_h, a->filter_w);
  if (a->stride_h < 1 || a->stride_w < 1)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "stride %dx%d must be positive", a->stride_h, a->stride_w);
  if (a->layout != ER_LAYOUT_NHWC && a->layout != ER_LAYOUT_NCHW)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "layout %d is not supported", (int)a->layout);
  if (a->activation == ER_ACT_TANH || a->activation == ER_ACT_SIGMOID)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "fused tanh/sigmoid activation is not supported on pooling");
  return EDGERT_OK;
}

static bool dtype_supported(pool_kind kind, edgert_dtype dt) {
  if (kind == POOL_L2) return dt == EDGERT_FLOAT32; /* TFLite has no integer L2 pool either */
  return dt == EDGERT_FLOAT32 || dt == EDGERT_INT8 || dt == EDGERT_UINT8 || dt == EDGERT_INT16;
}

/* Integer pooling never rescales, so the output must carry the input's quantization (as TFLM checks). */
static edgert_status check_quant(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out) {
  if (in->dtype == EDGERT_FLOAT32) return EDGERT_OK;
  if (fabs((double)in->q.scale - (double)out->q.scale) > 1e-6 || in->q.zero_point != out->q.zero_point)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "input quantization (%g, %d) differs from output (%g, %d); pooling does not rescale",
                   (double)in->q.scale, (int)in->q.zero_point, (double)out->q.scale, (int)out->q.zero_point);
  return EDGERT_OK;
}

static void set_strides(int64_t *stride, er_layout layout, int64_t h, int64_t w, int64_t c) {
  if (layout == ER_LAYOUT_NHWC) {
    stride[3] = 1;
    stride[2] = c;
    stride[1] = w * c;
    stride[0] = h * w * c;
  } else {
    stride[2] = 1;
    stride[1] = w;
    stride[3] = h * w;
    stride[0] = c * h * w;
  }
}

/* The micro-kernel for this pool on this CPU, or NULL. The int8 kernels clamp in int8 lanes and sum in
 * int32, hence the conditions on the clamp range and the window size. */
static er_pool_nhwc_fn choose_fast(const pool_data *d, pool_kind kind, er_layout layout, edgert_dtype dt) {
  if (layout != ER_LAYOUT_NHWC || kind == POOL_L2) return NULL;
  if (dt == EDGERT_INT8 && (d->act_min_q < INT8_MIN || d->act_max_q > INT8_MAX ||
                            d->act_min_q > d->act_max_q || d->filter_h * d->filter_w > (1 << 23)))
    return NULL;
  er_cpu_features cpu = er_cpu_detect();
  (void)cpu;
#if defined(ER_SIMD_X86)
  if (cpu.avx2_fma) {
    if (dt == EDGERT_INT8) return kind == POOL_AVERAGE ? er_s8_avgpool_nhwc__avx2 : er_s8_maxpool_nhwc__avx2;
    if (dt == EDGERT_FLOAT32)
      return kind == POOL_AVERAGE ? er_f32_avgpool_nhwc__avx2 : er_f32_maxpool_nhwc__avx2;
  }
#endif
#if defined(ER_SIMD_ARM)
  if (cpu.neon) {
    if (dt == EDGERT_INT8) return kind == POOL_AVERAGE ? er_s8_avgpool_nhwc__neon : er_s8_maxpool_nhwc__neon;
    if (dt == EDGERT_FLOAT32)
      return kind == POOL_AVERAGE ? er_f32_avgpool_nhwc__neon : er_f32_maxpool_nhwc__neon;
  }
#endif
  (void)dt;
  return NULL;
}

static edgert_status pool_prepare(er_op_ctx *ctx, pool_kind kind) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st) return st;
  const er_pool_attrs *a = er_attrs(ctx);
  if ((st = check_attrs(ctx, a))) return st;
  er_tensor *in = er_input(ctx, 0), *out = er_output(ctx, 0);
  if (!dtype_supported(kind, in->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input dtype %s is not supported",
                   edgert_dtype_name(in->dtype));
  if ((st = er_check_dtype(ctx, out, in->dtype, "output"))) return st;
  if (in->ndim != 4) return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be 4-D, got rank %d", (int)in->ndim);
  if (er_tensor_elements(in) < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "input shape is invalid");
  if ((st = check_quant(ctx, in, out))) return st;

  pool_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  bool nhwc = a->layout == ER_LAYOUT_NHWC;
  d->batches = in->dims[0];
  d->channels = nhwc ? in->dims[3] : in->dims[1];
  d->in_h = nhwc ? in->dims[1] : in->dims[2];
  d->in_w = nhwc ? in->dims[2] : in->dims[3];
  d->filter_h = a->filter_h;
  d->filter_w = a->filter_w;
  d->stride_h = a->stride_h;
  d->stride_w = a->stride_w;
  if ((st = spatial_dim(ctx, a, d->in_h, a->filter_h, a->stride_h, a->pads[0], a->pads[2], "height",
                        &d->out_h, &d->pad_top)))
    return st;
  if ((st = spatial_dim(ctx, a, d->in_w, a->filter_w, a->stride_w, a->pads[1], a->pads[3], "width", &d->out_w,
                        &d->pad_left)))
    return st;

  if (in->dtype == EDGERT_FLOAT32) {
    er_activation_range_float(a->activation, &d->act_min_f, &d->act_max_f);
  } else {
    int32_t qmin, qmax;
    er_dtype_range(out->dtype, &qmin, &qmax);
    er_activation_range_quantized(a->activation, out->q.scale, out->q.zero_point, qmin, qmax, &d->act_min_q,
                                  &d->act_max_q);
  }
  d->fast = choose_fast(d, kind, a->layout, in->dtype);
  ctx->op_data = d;
  int64_t dims[4] = {d->batches, 0, 0, 0};
  if (nhwc) {
    dims[1] = d->out_h, dims[2] = d->out_w, dims[3] = d->channels;
  } else {
    dims[1] = d->channels, dims[2] = d->out_h, dims[3] = d->out_w;
  }
  if ((st = er_set_output_shape(ctx, out, 4, dims))) return st;
  /* strides only after both shapes are known to have a valid element count */
  set_strides(d->in_stride, a->layout, d->in_h, d->in_w, d->channels);
  set_strides(d->out_stride, a->layout, d->out_h, d->out_w, d->channels);
  return EDGERT_OK;
}

static float pool_float_window(const pool_data *d, pool_kind kind, const float *base, pool_window w) {
  /* TFLite starts the max at the lowest finite float, so NaNs and -inf never win over it. */
  float total = 0.0f, max = -FLT_MAX;
  int count = 0;
  for (int64_t y = w.y0; y < w.y1; y++) {
    for (int64_t x = w.x0; x < w.x1; x++) {
      float v = base[y * d->in_stride[1] + x * d->in_stride[2]];
      if (kind == POOL_MAX) {
        max = v > max ? v : max;
      } else {
        total += kind == POOL_L2 ? v * v : v;
      }
      count++;
    }
  }
  if (kind == POOL_MAX) return max;
  float mean = total / (float)count;
  return kind == POOL_L2 ? sqrtf(mean) : mean;
}

static int32_t load_q(const void *data, edgert_dtype dt, int64_t i) {
  switch (dt) {
  case EDGERT_INT8: return ((const int8_t *)data)[i];
  case EDGERT_UINT8: return ((const uint8_t *)data)[i];
  default: return ((const int16_t *)data)[i];
  }
}

static void store_q(void *data, edgert_dtype dt, int64_t i, int32_t v) {
  switch (dt) {
  case EDGERT_INT8: ((int8_t *)data)[i] = (int8_t)v; break;
  case EDGERT_UINT8: ((uint8_t *)data)[i] = (uint8_t)v; break;
  default: ((int16_t *)data)[i] = (int16_t)v; break;
  }
}

/* Integer average rounds half away from zero, exactly as TFLite's
 * (acc > 0 ? acc + count / 2 : acc - count / 2) / count. The sum is kept in 64 bits so huge windows
 * cannot overflow (TFLite's int32 sum would be undefined there anyway). */
static int32_t pool_int_window(const pool_data *d, pool_kind kind, const void *in, edgert_dtype dt,
                               int64_t base, pool_window w) {
  int64_t acc = 0, count = 0;
  int32_t max = INT32_MIN;
  for (int64_t y = w.y0; y < w.y1; y++) {
    for (int64_t x = w.x0; x < w.x1; x++) {
      int32_t v = load_q(in, dt, base + y * d->in_stride[1] + x * d->in_stride[2]);
      acc += v;
      max = v > max ? v : max;
      count++;
    }
  }
  if (kind == POOL_MAX) return max;
  int64_t mean = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
  return (int32_t)mean; /* a mean of int16 values always fits */
}

static void pool_float(const pool_data *d, pool_kind kind, const float *in, float *out) {
  for (int64_t b = 0; b < d->batches; b++) {
    for (int64_t oy = 0; oy < d->out_h; oy++) {
      for (int64_t ox = 0; ox < d->out_w; ox++) {
        pool_window w = window_at(d, oy, ox);
        for (int64_t c = 0; c < d->channels; c++) {
          const float *base = in + b * d->in_stride[0] + c * d->in_stride[3];
          float v = pool_float_window(d, kind, base, w);
          out[b * d->out_stride[0] + oy * d->out_stride[1] + ox * d->out_stride[2] + c * d->out_stride[3]] =
              er_clamp_f(v, d->act_min_f, d->act_max_f);
        }
      }
    }
  }
}

static void pool_int(const pool_data *d, pool_kind kind, edgert_dtype dt, const void *in, void *out) {
  for (int64_t b = 0; b < d->batches; b++) {
    for (int64_t oy = 0; oy < d->out_h; oy++) {
      for (int64_t ox = 0; ox < d->out_w; ox++) {
        pool_window w = window_at(d, oy, ox);
        for (int64_t c = 0; c < d->channels; c++) {
          int64_t base = b * d->in_stride[0] + c * d->in_stride[3];
          int32_t v = pool_int_window(d, kind, in, dt, base, w);
          int64_t o =
              b * d->out_stride[0] + oy * d->out_stride[1] + ox * d->out_stride[2] + c * d->out_stride[3];
          store_q(out, dt, o, er_clamp_i32(v, d->act_min_q, d->act_max_q));
        }
      }
    }
  }
}

typedef struct {
  er_pool_nhwc_fn fn;
  er_pool_nhwc_args args;
} pool_task;

static void pool_rows(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  const pool_task *t = arg;
  t->fn(&t->args, begin, end);
}

static void pool_fast(er_op_ctx *ctx, const pool_data *d, const void *in, void *out) {
  pool_task t = {d->fast,
                 {d->batches, d->in_h, d->in_w, d->channels, d->out_h, d->out_w, d->filter_h, d->filter_w,
                  d->stride_h, d->stride_w, d->pad_top, d->pad_left, d->act_min_q, d->act_max_q, d->act_min_f,
                  d->act_max_f, in, out}};
  /* rows of enough window reads that a task outweighs its dispatch */
  const int64_t row_work = d->out_w * d->channels * d->filter_h * d->filter_w;
  const int64_t grain = row_work >= 16384 ? 1 : 16384 / (row_work > 0 ? row_work : 1);
  er_parallel_for(ctx, d->batches * d->out_h, grain, pool_rows, &t);
}

static edgert_status pool_eval(er_op_ctx *ctx, pool_kind kind) {
  const pool_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (d->fast) {
    pool_fast(ctx, d, in->data, out->data);
  } else if (in->dtype == EDGERT_FLOAT32) {
    pool_float(d, kind, in->data, out->data);
  } else {
    pool_int(d, kind, in->dtype, in->data, out->data);
  }
  return EDGERT_OK;
}

static edgert_status average_prepare(er_op_ctx *ctx) { return pool_prepare(ctx, POOL_AVERAGE); }
static edgert_status average_eval(er_op_ctx *ctx) { return pool_eval(ctx, POOL_AVERAGE); }
static edgert_status max_prepare(er_op_ctx *ctx) { return pool_prepare(ctx, POOL_MAX); }
static edgert_status max_eval(er_op_ctx *ctx) { return pool_eval(ctx, POOL_MAX); }
static edgert_status l2_prepare(er_op_ctx *ctx) { return pool_prepare(ctx, POOL_L2); }
static edgert_status l2_eval(er_op_ctx *ctx) { return pool_eval(ctx, POOL_L2); }

const er_kernel er_kernel_average_pool_2d = {.prepare = average_prepare, .eval = average_eval};
const er_kernel er_kernel_max_pool_2d = {.prepare = max_prepare, .eval = max_eval};
const er_kernel er_kernel_l2_pool_2d = {.prepare = l2_prepare, .eval = l2_eval};
