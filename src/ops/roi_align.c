/* ROI_ALIGN: ONNX RoiAlign on float32 NCHW input (see er_roi_align_attrs). Bilinear sampling follows
 * onnxruntime's roialign.cc, which the ONNX reference implementation mirrors: a sample more than one
 * pixel outside the image contributes 0; one within clamps to the edge; average mode divides the sum of
 * the samples by their count, max mode keeps the largest weighted corner of any sample. Arithmetic is in
 * float, as there. A batch index outside the input fails the invoke. */
#include <math.h>
#include <string.h>

#include "core/kernel.h"

static edgert_status roi_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 3, 3, 1);
  if (st) return st;
  const er_roi_align_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "RoiAlign attributes are missing");
  er_tensor *x = er_input(ctx, 0), *rois = er_input(ctx, 1), *batch = er_input(ctx, 2),
            *y = er_output(ctx, 0);
  if ((st = er_check_dtype(ctx, x, EDGERT_FLOAT32, "input"))) return st;
  if ((st = er_check_dtype(ctx, rois, EDGERT_FLOAT32, "rois"))) return st;
  if ((st = er_check_dtype(ctx, batch, EDGERT_INT64, "batch_indices"))) return st;
  if ((st = er_check_dtype(ctx, y, EDGERT_FLOAT32, "output"))) return st;
  if (x->ndim != 4 || er_tensor_elements(x) < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be 4-D NCHW, got rank %d", (int)x->ndim);
  if (rois->ndim != 2 || rois->dims[1] != 4)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "rois must be [num_rois, 4]");
  if (batch->ndim != 1 || batch->dims[0] != rois->dims[0])
    return er_fail(ctx, EDGERT_ERR_SHAPE, "batch_indices must be [%lld]", (long long)rois->dims[0]);
  if (a->output_height < 1 || a->output_width < 1 || a->sampling_ratio < 0)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "output size %dx%d and sampling_ratio %d must be positive",
                   (int)a->output_height, (int)a->output_width, (int)a->sampling_ratio);
  int64_t dims[4] = {rois->dims[0], x->dims[1], a->output_height, a->output_width};
  return er_set_output_shape(ctx, y, 4, dims);
}

typedef struct {
  const float *plane; /* one channel of one image */
  int64_t height, width;
} image_plane;

/* The four bilinear corner terms (weight times pixel) of the sample at (y, x); false when the sample is
 * too far outside the image to count. */
static bool bilinear_terms(const image_plane *p, float y, float x, float terms[4]) {
  if (y < -1.0f || y > (float)p->height || x < -1.0f || x > (float)p->width) return false;
  if (y <= 0) y = 0;
  if (x <= 0) x = 0;
  int64_t y0 = (int64_t)y, x0 = (int64_t)x, y1, x1;
  if (y0 >= p->height - 1) {
    y0 = y1 = p->height - 1;
    y = (float)y0;
  } else {
    y1 = y0 + 1;
  }
  if (x0 >= p->width - 1) {
    x0 = x1 = p->width - 1;
    x = (float)x0;
  } else {
    x1 = x0 + 1;
  }
  float ly = y - (float)y0, lx = x - (float)x0, hy = 1.0f - ly, hx = 1.0f - lx;
  terms[0] = hy * hx * p->plane[y0 * p->width + x0];
  terms[1] = hy * lx * p->plane[y0 * p->width + x1];
  terms[2] = ly * hx * p->plane[y1 * p->width + x0];
  terms[3] = ly * lx * p->plane[y1 * p->width + x1];
  return true;
}

/* The roi's box in input pixels and the sampling grid of one of its bins. */
typedef struct {
  float start_y, start_x, bin_h, bin_w;
  int64_t grid_h, grid_w;
} roi_box;

static roi_box roi_geometry(const er_roi_align_attrs *a, const float *roi) {
  roi_box b;
  float offset = a->half_pixel ? 0.5f : 0.0f;
  b.start_x = roi[0] * a->spatial_scale - offset;
  b.start_y = roi[1] * a->spatial_scale - offset;
  float w = roi[2] * a->spatial_scale - offset - b.start_x;
  float h = roi[3] * a->spatial_scale - offset - b.start_y;
  if (!a->half_pixel) { /* output_half_pixel keeps rois at least one pixel wide */
    w = w > 1.0f ? w : 1.0f;
    h = h > 1.0f ? h : 1.0f;
  }
  b.bin_h = h / (float)a->output_height;
  b.bin_w = w / (float)a->output_width;
  /* ceil of a roi size that may be NaN or huge in a hostile model: clamp into a sane count */
  float gh = a->sampling_ratio > 0 ? (float)a->sampling_ratio : ceilf(h / (float)a->output_height);
  float gw = a->sampling_ratio > 0 ? (float)a->sampling_ratio : ceilf(w / (float)a->output_width);
  b.grid_h = gh >= 1.0f && gh < 65536.0f ? (int64_t)gh : (gh >= 65536.0f ? 65536 : 0);
  b.grid_w = gw >= 1.0f && gw < 65536.0f ? (int64_t)gw : (gw >= 65536.0f ? 65536 : 0);
  return b;
}

static float bin_value(const er_roi_align_attrs *a, const image_plane *p, const roi_box *b, int64_t ph,
                       int64_t pw) {
  float sum = 0, best = 0;
  bool any = false;
  for (int64_t iy = 0; iy < b->grid_h; iy++) {
    float y = b->start_y + (float)ph * b->bin_h + ((float)iy + 0.5f) * b->bin_h / (float)b->grid_h;
    for (int64_t ix = 0; ix < b->grid_w; ix++) {
      float x = b->start_x + (float)pw * b->bin_w + ((float)ix + 0.5f) * b->bin_w / (float)b->grid_w;
      float t[4] = {0, 0, 0, 0};
      bilinear_terms(p, y, x, t);
      if (a->max_mode) {
        float m = fmaxf(fmaxf(t[0], t[1]), fmaxf(t[2], t[3]));
        best = any ? fmaxf(best, m) : m;
        any = true;
      } else {
        sum += t[0] + t[1] + t[2] + t[3];
      }
    }
  }
  if (a->max_mode) return best;
  int64_t count = b->grid_h * b->grid_w;
  return sum / (float)(count > 0 ? count : 1);
}

static edgert_status roi_eval(er_op_ctx *ctx) {
  const er_roi_align_attrs *a = er_attrs(ctx);
  const er_tensor *x = er_input(ctx, 0), *rois = er_input(ctx, 1), *batch = er_input(ctx, 2);
  er_tensor *y = er_output(ctx, 0);
  int64_t n_rois = rois->dims[0], channels = x->dims[1];
  image_plane p = {NULL, x->dims[2], x->dims[3]};
  const int64_t *batch_of = batch->data;
  float *out = y->data;
  for (int64_t r = 0; r < n_rois; r++) {
    if (batch_of[r] < 0 || batch_of[r] >= x->dims[0])
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "roi %lld: batch index %lld is outside [0, %lld)", (long long)r,
                     (long long)batch_of[r], (long long)x->dims[0]);
    roi_box b = roi_geometry(a, (const float *)rois->data + 4 * r);
    for (int64_t c = 0; c < channels; c++) {
      p.plane = (const float *)x->data + (batch_of[r] * channels + c) * p.height * p.width;
      for (int64_t ph = 0; ph < a->output_height; ph++)
        for (int64_t pw = 0; pw < a->output_width; pw++)
          *out++ = bin_value(a, &p, &b, ph, pw);
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_roi_align = {.prepare = roi_prepare, .eval = roi_eval};
