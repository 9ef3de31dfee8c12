/* NON_MAX_SUPPRESSION (ONNX NonMaxSuppression-10/11): for each batch and class, boxes whose score is
 * above score_threshold are taken best first (equal scores: lower box index first) and each is kept
 * unless its IoU with a box already kept exceeds iou_threshold, up to max_output_boxes_per_class; the
 * output lists the kept (batch, class, box) triples in that order as int64 rows.
 *
 * The row count depends on the data. When every input is known at prepare (constants) prepare runs the
 * selection to size the output. Otherwise, in this order: the model's declared static [rows, 3] stands in
 * and eval fails unless the data select exactly that many rows; an output no node reads is planned for
 * the most rows possible and eval shrinks it to the rows selected (core/dynamic_output.h); else the
 * interpreter is asked to supply the inputs' values at prepare (value mode, for graph inputs).
 * The candidate order and the kept list live in persistent memory sized by the box count, so eval does
 * not allocate. */
#include <math.h>
#include <string.h>

#include "core/dynamic_output.h"
#include "ops/movement.h"
#include "ops/onnx_number.h"

typedef struct {
  bool deferred;
  bool shrink;      /* the output holds `capacity` rows and eval shrinks it to those selected */
  int64_t capacity; /* rows the output was planned for */
  int64_t batches, classes, boxes;
  int64_t *order; /* [boxes] candidates of one class, best first */
  int64_t *merge; /* [boxes] merge sort buffer */
  int64_t *kept;  /* [boxes] boxes kept for one class */
} nms_plan;

/* The corners (y_min, x_min, y_max, x_max) of a box in either encoding. */
static void box_corners(const float *b, bool center, double c[4]) {
  if (center) {
    double xc = b[0], yc = b[1], w = b[2], h = b[3];
    c[0] = yc - h / 2;
    c[1] = xc - w / 2;
    c[2] = yc + h / 2;
    c[3] = xc + w / 2;
  } else {
    c[0] = fmin(b[0], b[2]);
    c[1] = fmin(b[1], b[3]);
    c[2] = fmax(b[0], b[2]);
    c[3] = fmax(b[1], b[3]);
  }
}

static bool overlaps_too_much(const float *a, const float *b, bool center, double iou_threshold) {
  double ca[4], cb[4];
  box_corners(a, center, ca);
  box_corners(b, center, cb);
  double area_a = (ca[2] - ca[0]) * (ca[3] - ca[1]), area_b = (cb[2] - cb[0]) * (cb[3] - cb[1]);
  if (area_a <= 0 || area_b <= 0) return false;
  double ih = fmin(ca[2], cb[2]) - fmax(ca[0], cb[0]), iw = fmin(ca[3], cb[3]) - fmax(ca[1], cb[1]);
  if (ih <= 0 || iw <= 0) return false;
  double inter = ih * iw;
  return inter / (area_a + area_b - inter) > iou_threshold;
}

/* True when candidate a goes before b: higher score, then lower index. */
static bool before(const float *scores, int64_t a, int64_t b) {
  return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
}

/* Bottom-up merge sort of order[0..n) by `before`. */
static void sort_candidates(int64_t *order, int64_t *buf, int64_t n, const float *scores) {
  for (int64_t width = 1; width < n; width *= 2) {
    for (int64_t lo = 0; lo < n; lo += 2 * width) {
      int64_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      int64_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        buf[k++] = before(scores, order[j], order[i]) ? order[j++] : order[i++];
      while (i < mid)
        buf[k++] = order[i++];
      while (j < hi)
        buf[k++] = order[j++];
    }
    memcpy(order, buf, sizeof(int64_t) * (size_t)n);
  }
}

typedef struct {
  int64_t max_per_class;
  double iou_threshold;
  bool has_score_threshold;
  float score_threshold;
} nms_limits;

static nms_limits read_limits(er_op_ctx *ctx) {
  nms_limits l = {0, 0.0, false, 0.0f};
  const er_tensor *max_out = er_input(ctx, 2), *iou = er_input(ctx, 3), *score = er_input(ctx, 4);
  if (max_out && er_tensor_elements(max_out) > 0) l.max_per_class = mv_index_at(max_out, 0);
  if (iou && er_tensor_elements(iou) > 0) l.iou_threshold = number_at(iou, 0);
  if (score && er_tensor_elements(score) > 0) {
    l.has_score_threshold = true;
    l.score_threshold = (float)number_at(score, 0);
  }
  return l;
}

/* Runs the selection; writes rows to out (when not NULL, up to capacity rows) and returns the count. */
static int64_t select_boxes(er_op_ctx *ctx, const nms_plan *p, int64_t *out, int64_t capacity) {
  const er_nms_attrs *a = er_attrs(ctx);
  const float *boxes = er_input(ctx, 0)->data, *scores = er_input(ctx, 1)->data;
  nms_limits l = read_limits(ctx);
  int64_t rows = 0;
  if (l.max_per_class <= 0) return 0;
  for (int64_t b = 0; b < p->batches; b++) {
    const float *batch_boxes = boxes + b * p->boxes * 4;
    for (int64_t c = 0; c < p->classes; c++) {
      const float *s = scores + (b * p->classes + c) * p->boxes;
      int64_t n = 0, kept = 0;
      for (int64_t i = 0; i < p->boxes; i++)
        if (!l.has_score_threshold || s[i] > l.score_threshold) p->order[n++] = i;
      sort_candidates(p->order, p->merge, n, s);
      for (int64_t i = 0; i < n && kept < l.max_per_class; i++) {
        const float *box = batch_boxes + p->order[i] * 4;
        bool keep = true;
        for (int64_t k = 0; k < kept && keep; k++)
          keep = !overlaps_too_much(batch_boxes + p->kept[k] * 4, box, a->center_point_box, l.iou_threshold);
        if (!keep) continue;
        p->kept[kept++] = p->order[i];
        if (out && rows < capacity) {
          out[rows * 3] = b;
          out[rows * 3 + 1] = c;
          out[rows * 3 + 2] = p->order[i];
        }
        rows++;
      }
    }
  }
  return rows;
}

static edgert_status check_inputs(er_op_ctx *ctx) {
  const er_tensor *boxes = er_input(ctx, 0), *scores = er_input(ctx, 1);
  edgert_status st;
  if ((st = er_check_dtype(ctx, boxes, EDGERT_FLOAT32, "boxes")) != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, scores, EDGERT_FLOAT32, "scores")) != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, er_output(ctx, 0), EDGERT_INT64, "output")) != EDGERT_OK) return st;
  if (boxes->ndim != 3 || boxes->dims[2] != 4 || scores->ndim != 3 || scores->dims[0] != boxes->dims[0] ||
      scores->dims[2] != boxes->dims[1])
    return er_fail(ctx, EDGERT_ERR_SHAPE,
                   "boxes must be [batches, boxes, 4] and scores [batches, classes, boxes]");
  const er_tensor *max_out = er_input(ctx, 2);
  if (max_out && ((st = mv_check_index(ctx, max_out, "max_output_boxes_per_class")) != EDGERT_OK)) return st;
  if (max_out && er_tensor_elements(max_out) > 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "max_output_boxes_per_class must hold one value");
  for (int i = 3; i <= 4; i++) {
    const er_tensor *t = er_input(ctx, i);
    if (!t) continue;
    if (t->dtype != EDGERT_FLOAT32 || er_tensor_elements(t) > 1)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "%s must be one float32 value",
                     i == 3 ? "iou_threshold" : "score_threshold");
  }
  return EDGERT_OK;
}

/* The most rows the selection can give: every box of every class, or max_output_boxes_per_class of each
 * when that is a constant. */
static int64_t most_rows(er_op_ctx *ctx, const nms_plan *p) {
  const er_tensor *max_out = er_input(ctx, 2);
  int64_t per_class = p->boxes;
  if (!max_out || (mv_is_const(max_out) && er_tensor_elements(max_out) > 0)) {
    int64_t limit = max_out ? mv_index_at(max_out, 0) : 0;
    if (limit < per_class) per_class = limit < 0 ? 0 : limit;
  }
  return p->batches * p->classes * per_class; /* fits: scores holds batches * classes * boxes floats */
}

static edgert_status nms_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 5, 1);
  if (st != EDGERT_OK) return st;
  if (!er_attrs(ctx)) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing attrs");
  if ((st = check_inputs(ctx)) != EDGERT_OK) return st;
  const er_tensor *boxes = er_input(ctx, 0), *scores = er_input(ctx, 1);
  nms_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  p->batches = boxes->dims[0];
  p->classes = scores->dims[1];
  p->boxes = boxes->dims[1];
  size_t list_bytes = sizeof(int64_t) * (size_t)(p->boxes > 0 ? p->boxes : 1);
  p->order = er_persist_alloc(ctx, list_bytes);
  p->merge = er_persist_alloc(ctx, list_bytes);
  p->kept = er_persist_alloc(ctx, list_bytes);
  if (!p->order || !p->merge || !p->kept) return EDGERT_ERR_NO_MEMORY;
  for (int i = 0; i < 5; i++) {
    const er_tensor *t = er_input(ctx, i);
    if (t && !mv_is_const(t)) p->deferred = true;
  }
  int64_t dims[2] = {0, 3};
  er_tensor *out = er_output(ctx, 0);
  int32_t ndim;
  if (!p->deferred) {
    dims[0] = select_boxes(ctx, p, NULL, 0);
  } else if (mv_declared_shape(out, &ndim, dims)) {
    if (ndim != 2 || dims[1] != 3) return er_fail(ctx, EDGERT_ERR_SHAPE, "the output must be [selected, 3]");
  } else if (er_output_is_terminal(ctx, out)) {
    p->shrink = true;
    dims[0] = most_rows(ctx, p);
  } else {
    return mv_need_value(ctx, 0, 4, "the boxes and scores");
  }
  p->capacity = dims[0];
  return er_set_output_shape(ctx, out, 2, dims);
}

static edgert_status nms_eval(er_op_ctx *ctx) {
  const nms_plan *p = ctx->op_data;
  er_tensor *out = er_output(ctx, 0);
  int64_t rows = select_boxes(ctx, p, out->data, p->capacity);
  if (p->shrink) return er_shrink_leading_dim(ctx, out, rows, p->capacity);
  if (rows != p->capacity)
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "%lld boxes were selected but the output holds %lld rows",
                   (long long)rows, (long long)p->capacity);
  return EDGERT_OK;
}

const er_kernel er_kernel_non_max_suppression = {.prepare = nms_prepare, .eval = nms_eval};
