/* GRID_SAMPLE (ONNX GridSample-16): samples input [N, C, H, W] at the (x, y) locations of grid
 * [N, H_out, W_out, 2], normalized to [-1, 1], into [N, C, H_out, W_out]; float32 or float64.
 *
 * The semantics follow PyTorch's grid_sample, which ONNX's op and test data come from: a location is
 * unnormalized to pixel units (align_corners: -1 and 1 are the centers of the corner pixels; otherwise
 * their outer edges). For bilinear and nearest the padding mode moves the location itself (border clamps
 * it into the image, reflection mirrors it at the edges, then clamps) and neighbours outside the image
 * read zero; bicubic instead applies the padding to each of its 16 neighbours' coordinates. Nearest
 * rounds half to even; bicubic uses Keys' kernel with A = -0.75. Arithmetic is in double. */
#include <math.h>

#include "ops/movement.h"

typedef struct {
  const void *data; /* one channel's [H, W] plane */
  edgert_dtype dtype;
  int64_t h, w;
} plane;

static double pixel(const plane *p, int64_t y, int64_t x) {
  if (x < 0 || y < 0 || x >= p->w || y >= p->h) return 0.0;
  int64_t i = y * p->w + x;
  if (p->dtype == EDGERT_FLOAT64) return ((const double *)p->data)[i];
  return ((const float *)p->data)[i];
}

static double unnormalize(double coord, int64_t size, bool align_corners) {
  if (align_corners) return (coord + 1.0) / 2.0 * (double)(size - 1);
  return ((coord + 1.0) * (double)size - 1.0) / 2.0;
}

/* Mirrors coord into [twice_low / 2, twice_high / 2] (the bounds are doubled so that half-pixel edges
 * stay integers, as in PyTorch). */
static double reflect(double coord, double twice_low, double twice_high) {
  if (twice_low == twice_high) return 0.0;
  double low = twice_low / 2.0, span = (twice_high - twice_low) / 2.0;
  coord = fabs(coord - low);
  double extra = fmod(coord, span);
  double flips = floor(coord / span);
  return fmod(flips, 2.0) == 0.0 ? extra + low : span - extra + low;
}

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The padding mode applied to a pixel coordinate along a dim of `size`. */
static double pad_coord(double coord, int64_t size, const er_grid_sample_attrs *a) {
  if (a->padding == ER_GRID_PAD_ZEROS) return coord;
  if (a->padding == ER_GRID_PAD_REFLECTION) {
    coord = a->align_corners ? reflect(coord, 0.0, 2.0 * (double)(size - 1))
                             : reflect(coord, -1.0, 2.0 * (double)size - 1.0);
  }
  /* NaN (from a NaN grid) stays NaN and reads as outside the image */
  return clamp(coord, 0.0, (double)(size - 1));
}

/* A coordinate as a pixel index; values far outside (or NaN) map to -2, so that it and the next index
 * both read zero. */
static int64_t to_index(double v) { return v >= -2.0 && v < 9.0e15 ? (int64_t)floor(v) : -2; }

static double sample_bilinear(const plane *p, double x, double y) {
  double x0 = floor(x), y0 = floor(y);
  double tx = x - x0, ty = y - y0;
  int64_t ix = to_index(x0), iy = to_index(y0);
  if (isnan(x) || isnan(y)) return 0.0;
  return pixel(p, iy, ix) * (1 - tx) * (1 - ty) + pixel(p, iy, ix + 1) * tx * (1 - ty) +
         pixel(p, iy + 1, ix) * (1 - tx) * ty + pixel(p, iy + 1, ix + 1) * tx * ty;
}

static double sample_nearest(const plane *p, double x, double y) {
  if (isnan(x) || isnan(y)) return 0.0;
  return pixel(p, to_index(nearbyint(y)), to_index(nearbyint(x)));
}

/* Keys' cubic convolution weights of the 4 neighbours at offsets -1, 0, 1, 2 from floor(x), t = x - floor. */
static void cubic_weights(double t, double w[4]) {
  const double A = -0.75;
  double d;
  d = t + 1.0;
  w[0] = ((A * d - 5.0 * A) * d + 8.0 * A) * d - 4.0 * A;
  w[1] = ((A + 2.0) * t - (A + 3.0)) * t * t + 1.0;
  d = 1.0 - t;
  w[2] = ((A + 2.0) * d - (A + 3.0)) * d * d + 1.0;
  d = 2.0 - t;
  w[3] = ((A * d - 5.0 * A) * d + 8.0 * A) * d - 4.0 * A;
}

static double padded_pixel(const plane *p, double y, double x, const er_grid_sample_attrs *a) {
  double py = pad_coord(y, p->h, a), px = pad_coord(x, p->w, a);
  if (isnan(px) || isnan(py) || px < -1.0 || py < -1.0 || px > 9.0e15 || py > 9.0e15) return 0.0;
  return pixel(p, (int64_t)py, (int64_t)px); /* truncation, as PyTorch; padded coords are whole here */
}

static double sample_bicubic(const plane *p, double x, double y, const er_grid_sample_attrs *a) {
  if (isnan(x) || isnan(y) || fabs(x) > 4.0e15 || fabs(y) > 4.0e15) return 0.0;
  double x0 = floor(x), y0 = floor(y);
  double wx[4], wy[4];
  cubic_weights(x - x0, wx);
  cubic_weights(y - y0, wy);
  double sum = 0.0;
  for (int i = 0; i < 4; i++) {
    double row = 0.0;
    for (int j = 0; j < 4; j++)
      row += wx[j] * padded_pixel(p, y0 - 1 + i, x0 - 1 + j, a);
    sum += wy[i] * row;
  }
  return sum;
}

static edgert_status grid_sample_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  if (!er_attrs(ctx)) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing attrs");
  const er_tensor *in = er_input(ctx, 0), *grid = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != EDGERT_FLOAT32 && in->dtype != EDGERT_FLOAT64)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input dtype %s (float32 and float64 are supported)",
                   edgert_dtype_name(in->dtype));
  if ((st = er_check_dtype(ctx, grid, in->dtype, "grid")) != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, out, in->dtype, "output")) != EDGERT_OK) return st;
  if (in->ndim != 4) return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "only 4-d [N, C, H, W] input is supported");
  if (grid->ndim != 4 || grid->dims[0] != in->dims[0] || grid->dims[3] != 2)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "grid must be [N, H_out, W_out, 2] with the input's N");
  int64_t dims[4] = {in->dims[0], in->dims[1], grid->dims[1], grid->dims[2]};
  return er_set_output_shape(ctx, out, 4, dims);
}

static double grid_at(const er_tensor *grid, int64_t i) {
  if (grid->dtype == EDGERT_FLOAT64) return ((const double *)grid->data)[i];
  return ((const float *)grid->data)[i];
}

static edgert_status grid_sample_eval(er_op_ctx *ctx) {
  const er_grid_sample_attrs *a = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0), *grid = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  int64_t n_batch = in->dims[0], channels = in->dims[1], h = in->dims[2], w = in->dims[3];
  int64_t points = out->dims[2] * out->dims[3];
  size_t es = edgert_dtype_size(in->dtype);
  for (int64_t n = 0; n < n_batch; n++) {
    for (int64_t c = 0; c < channels; c++) {
      plane p = {(const unsigned char *)in->data + (size_t)((n * channels + c) * h * w) * es, in->dtype, h,
                 w};
      int64_t out_base = (n * channels + c) * points;
      for (int64_t i = 0; i < points; i++) {
        double x = unnormalize(grid_at(grid, (n * points + i) * 2), w, a->align_corners);
        double y = unnormalize(grid_at(grid, (n * points + i) * 2 + 1), h, a->align_corners);
        double v;
        if (a->mode == ER_GRID_BICUBIC) {
          v = sample_bicubic(&p, x, y, a);
        } else {
          x = pad_coord(x, w, a);
          y = pad_coord(y, h, a);
          v = a->mode == ER_GRID_NEAREST ? sample_nearest(&p, x, y) : sample_bilinear(&p, x, y);
        }
        if (in->dtype == EDGERT_FLOAT64)
          ((double *)out->data)[out_base + i] = v;
        else
          ((float *)out->data)[out_base + i] = (float)v;
      }
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_grid_sample = {.prepare = grid_sample_prepare, .eval = grid_sample_eval};
