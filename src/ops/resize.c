/* RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR on NHWC tensors, to the constant [height, width] of
 * input 1 (TFLite resize_bilinear.cc, resize_nearest_neighbor.cc and reference/resize_bilinear.h,
 * reference/resize_nearest_neighbor.h), reproducing TFLite's arithmetic:
 *  - bilinear float32: the float formula of reference_ops::ResizeBilinear<float>;
 *  - bilinear uint8: the float formula as TFLite's default (optimized) kernel evaluates it,
 *    optimized_ops::ResizeBilinearGenericSmallChannel<uint8_t>: the four corner weights are multiplied
 *    out first and the corners summed in row-major order, plus 0.5, truncated. The reference kernel
 *    multiplies in another order and lands one step away on some ties, so we follow what TFLite runs.
 *    (Its x8 half-pixel special case, ResizeBilinear888Uint8, computes the same values exactly.)
 *  - bilinear int8 and int16: the all-integer variant with 10-bit fractions and double rounding,
 *    reference_ops::ResizeBilinearInteger, which TFLite runs for int8 in both its reference and
 *    optimized kernels (checked value for value against TFLite's own kernel);
 *  - nearest neighbour: an index copy for every dtype.
 * align_corners and half_pixel_centers may not both be set (TFLite refuses it too). */
#include <math.h>
#include <string.h>

#include "core/quant.h"
#include "ops/movement.h"

typedef struct {
  int64_t batches, in_h, in_w, depth, out_h, out_w;
  bool align_corners, half_pixel_centers;
} resize_data;

static edgert_status resize_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_resize_attrs *attrs = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0), *size = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if (in->ndim != 4)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be 4-D NHWC, not rank %d", (int)in->ndim);
  if ((st = mv_check_const_index(ctx, size, "size (input 1)")) != EDGERT_OK) return st;
  if (er_tensor_elements(size) != 2) return er_fail(ctx, EDGERT_ERR_SHAPE, "size must hold [height, width]");
  bool bilinear = ctx->node->op == ER_OP_RESIZE_BILINEAR;
  edgert_dtype t = in->dtype;
  if (bilinear && t != EDGERT_FLOAT32 && t != EDGERT_UINT8 && t != EDGERT_INT8 && t != EDGERT_INT16)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s input is not supported", edgert_dtype_name(t));
  /* Interpolation keeps the input's scale, so TFLite refuses a quantized output with other parameters. */
  if (bilinear && t != EDGERT_FLOAT32 &&
      (in->q.scale != out->q.scale || in->q.zero_point != out->q.zero_point))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input and output quantization differ");
  resize_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->align_corners = attrs && attrs->align_corners;
  d->half_pixel_centers = attrs && attrs->half_pixel_centers;
  if (d->align_corners && d->half_pixel_centers)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "align_corners and half_pixel_centers are both set");
  d->batches = in->dims[0];
  d->in_h = in->dims[1];
  d->in_w = in->dims[2];
  d->depth = in->dims[3];
  d->out_h = mv_index_at(size, 0);
  d->out_w = mv_index_at(size, 1);
  /* Sizes stay within int32 as in TFLite, and scaled coordinates (size * 1024 * out) within int64. */
  if (d->out_h < 1 || d->out_w < 1 || d->out_h > (1 << 24) || d->out_w > (1 << 24) || d->in_h > (1 << 24) ||
      d->in_w > (1 << 24) || d->in_h < 1 || d->in_w < 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "cannot resize %lldx%lld to %lldx%lld", (long long)d->in_h,
                   (long long)d->in_w, (long long)d->out_h, (long long)d->out_w);
  ctx->op_data = d;
  int64_t dims[4] = {d->batches, d->out_h, d->out_w, d->depth};
  return er_set_output_shape(ctx, out, 4, dims);
}

/* --- bilinear, float formula --- */

static float float_scale(int64_t in_size, int64_t out_size, bool align_corners) {
  if (align_corners && out_size > 1) return (float)(in_size - 1) / (float)(out_size - 1);
  return (float)in_size / (float)out_size;
}

/* ComputeInterpolationValues: the source coordinate and the two neighbours around it. */
static void float_coord(int64_t value, float scale, bool half_pixel, int64_t in_size, float *scaled,
                        int64_t *lo, int64_t *hi) {
  *scaled = half_pixel ? ((float)value + 0.5f) * scale - 0.5f : (float)value * scale;
  int64_t fl = (int64_t)floorf(*scaled), ce = (int64_t)ceilf(*scaled);
  *lo = fl > 0 ? fl : 0;
  *hi = ce < in_size - 1 ? ce : in_size - 1;
}

/* reference_ops::ResizeBilinear<float>: each corner times its y weight, then its x weight. */
static void bilinear_float(const resize_data *d, const float *in, float *out) {
  float hs = float_scale(d->in_h, d->out_h, d->align_corners);
  float ws = float_scale(d->in_w, d->out_w, d->align_corners);
  int64_t o = 0;
  for (int64_t b = 0; b < d->batches; b++) {
    for (int64_t y = 0; y < d->out_h; y++) {
      float iy;
      int64_t y0, y1;
      float_coord(y, hs, d->half_pixel_centers, d->in_h, &iy, &y0, &y1);
      for (int64_t x = 0; x < d->out_w; x++) {
        float ix;
        int64_t x0, x1;
        float_coord(x, ws, d->half_pixel_centers, d->in_w, &ix, &x0, &x1);
        int64_t r0 = (b * d->in_h + y0) * d->in_w, r1 = (b * d->in_h + y1) * d->in_w;
        float dy = iy - (float)y0, dx = ix - (float)x0;
        for (int64_t c = 0; c < d->depth; c++, o++) {
          /* Same products and order of additions as TFLite's expression. */
          out[o] = in[(r0 + x0) * d->depth + c] * (1 - dy) * (1 - dx) +
                   in[(r1 + x0) * d->depth + c] * dy * (1 - dx) +
                   in[(r0 + x1) * d->depth + c] * (1 - dy) * dx + in[(r1 + x1) * d->depth + c] * dy * dx;
        }
      }
    }
  }
}

/* optimized_ops::ResizeBilinearGenericSmallChannel<uint8_t>: one float weight per corner, corners in
 * row-major order, 0.5 added so the truncation rounds. */
static void bilinear_uint8(const resize_data *d, const uint8_t *in, uint8_t *out) {
  float hs = float_scale(d->in_h, d->out_h, d->align_corners);
  float ws = float_scale(d->in_w, d->out_w, d->align_corners);
  int64_t o = 0;
  for (int64_t b = 0; b < d->batches; b++) {
    for (int64_t y = 0; y < d->out_h; y++) {
      float iy;
      int64_t y0, y1;
      float_coord(y, hs, d->half_pixel_centers, d->in_h, &iy, &y0, &y1);
      for (int64_t x = 0; x < d->out_w; x++) {
        float ix;
        int64_t x0, x1;
        float_coord(x, ws, d->half_pixel_centers, d->in_w, &ix, &x0, &x1);
        float dy = iy - (float)y0, dx = ix - (float)x0;
        const float w00 = (1 - dy) * (1 - dx), w01 = (1 - dy) * dx, w10 = dy * (1 - dx), w11 = dy * dx;
        const uint8_t *p00 = in + ((b * d->in_h + y0) * d->in_w + x0) * d->depth;
        const uint8_t *p01 = in + ((b * d->in_h + y0) * d->in_w + x1) * d->depth;
        const uint8_t *p10 = in + ((b * d->in_h + y1) * d->in_w + x0) * d->depth;
        const uint8_t *p11 = in + ((b * d->in_h + y1) * d->in_w + x1) * d->depth;
        for (int64_t c = 0; c < d->depth; c++, o++) {
          float v =
              (float)p00[c] * w00 + (float)p01[c] * w01 + (float)p10[c] * w10 + (float)p11[c] * w11 + 0.5f;
          out[o] = (uint8_t)(int32_t)v;
        }
      }
    }
  }
}

/* --- bilinear, integer formula (10 fractional bits) --- */

static int64_t integer_scale(int64_t in_size, int64_t out_size, bool align_corners) {
  if (align_corners && out_size > 1) return ((1 << 10) * (in_size - 1) + (out_size - 1) / 2) / (out_size - 1);
  return ((1 << 10) * in_size + out_size / 2) / out_size;
}

static void integer_coord(int64_t value, int64_t scale_10, bool half_pixel, int64_t in_size, int64_t *scaled,
                          int64_t *lo, int64_t *hi) {
  *scaled = half_pixel ? value * scale_10 + scale_10 / 2 - (1 << 9) : value * scale_10;
  int64_t l = *scaled / (1 << 10), h = (*scaled + (1 << 10) - 1) / (1 << 10);
  *lo = l > 0 ? l : 0;
  *hi = h < in_size - 1 ? h : in_size - 1;
}

static int64_t load_int(const void *p, int64_t i, edgert_dtype t) {
  return t == EDGERT_INT8 ? ((const int8_t *)p)[i] : ((const int16_t *)p)[i];
}

static void bilinear_integer(const resize_data *d, const void *in, void *out, edgert_dtype t) {
  int64_t hs = integer_scale(d->in_h, d->out_h, d->align_corners);
  int64_t ws = integer_scale(d->in_w, d->out_w, d->align_corners);
  const int64_t one = 1 << 10;
  int64_t o = 0;
  for (int64_t b = 0; b < d->batches; b++) {
    for (int64_t y = 0; y < d->out_h; y++) {
      int64_t iy, y0, y1;
      integer_coord(y, hs, d->half_pixel_centers, d->in_h, &iy, &y0, &y1);
      for (int64_t x = 0; x < d->out_w; x++) {
        int64_t ix, x0, x1;
        integer_coord(x, ws, d->half_pixel_centers, d->in_w, &ix, &x0, &x1);
        int64_t r0 = (b * d->in_h + y0) * d->in_w, r1 = (b * d->in_h + y1) * d->in_w;
        int64_t fy = iy - one * y0, fx = ix - one * x0;
        for (int64_t c = 0; c < d->depth; c++, o++) {
          int64_t sum = load_int(in, (r0 + x0) * d->depth + c, t) * (one - fy) * (one - fx) +
                        load_int(in, (r1 + x0) * d->depth + c, t) * fy * (one - fx) +
                        load_int(in, (r0 + x1) * d->depth + c, t) * (one - fy) * fx +
                        load_int(in, (r1 + x1) * d->depth + c, t) * fy * fx;
          /* TFLite's double rounding: half away from zero, then truncating division. */
          int64_t round = sum > 0 ? (1 << 19) : -(1 << 19);
          int64_t v = (sum + round) / (1 << 20);
          if (t == EDGERT_INT8)
            ((int8_t *)out)[o] = (int8_t)v;
          else
            ((int16_t *)out)[o] = (int16_t)v;
        }
      }
    }
  }
}

static edgert_status bilinear_eval(er_op_ctx *ctx) {
  const resize_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype == EDGERT_INT8 || in->dtype == EDGERT_INT16)
    bilinear_integer(d, in->data, out->data, in->dtype);
  else if (in->dtype == EDGERT_UINT8)
    bilinear_uint8(d, in->data, out->data);
  else
    bilinear_float(d, in->data, out->data);
  return EDGERT_OK;
}

/* --- nearest neighbour --- */

/* GetNearestNeighbor. */
static int64_t nearest_index(int64_t value, int64_t in_size, int64_t out_size, bool align_corners,
                             bool half_pixel) {
  float scale = float_scale(in_size, out_size, align_corners);
  float offset = half_pixel ? 0.5f : 0.0f;
  float pos = ((float)value + offset) * scale;
  int64_t i = align_corners ? (int64_t)er_round_f(pos) : (int64_t)floorf(pos);
  if (i > in_size - 1) i = in_size - 1;
  if (half_pixel && i < 0) i = 0;
  return i;
}

static edgert_status nearest_eval(er_op_ctx *ctx) {
  const resize_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  size_t pixel = (size_t)d->depth * edgert_dtype_size(in->dtype);
  const unsigned char *src = in->data;
  unsigned char *dst = out->data;
  if (pixel == 0) return EDGERT_OK;
  for (int64_t b = 0; b < d->batches; b++) {
    for (int64_t y = 0; y < d->out_h; y++) {
      int64_t iy = nearest_index(y, d->in_h, d->out_h, d->align_corners, d->half_pixel_centers);
      for (int64_t x = 0; x < d->out_w; x++) {
        int64_t ix = nearest_index(x, d->in_w, d->out_w, d->align_corners, d->half_pixel_centers);
        memcpy(dst, src + (size_t)((b * d->in_h + iy) * d->in_w + ix) * pixel, pixel);
        dst += pixel;
      }
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_resize_bilinear = {.prepare = resize_prepare, .eval = bilinear_eval};
const er_kernel er_kernel_resize_nearest_neighbor = {.prepare = resize_prepare, .eval = nearest_eval};
