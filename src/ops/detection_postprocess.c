/* DETECTION_POSTPROCESS: TFLite's custom op TFLite_Detection_PostProcess, the tail of SSD detectors
 * (tensorflow/lite/kernels/detection_postprocess.cc). Eval decodes every box from its anchor,
 *   ycenter = y / y_scale * anchor_h + anchor_y,  half_h = 0.5 * exp(h / h_scale) * anchor_h  (x, w alike)
 * in double as TFLite does, then runs non-max suppression on the class scores:
 *   - fast NMS (default): each anchor ranks its classes, NMS runs once on each anchor's best score, and each
 *     kept anchor reports its top max_classes_per_detection classes;
 *   - regular NMS (use_regular_nms): NMS per class (at most detections_per_class each), the survivors of all
 *     classes merged by score into the top max_detections.
 * NMS keeps candidates with score >= nms_score_threshold, visits them by decreasing score and drops any box
 * whose IoU with a kept one exceeds nms_iou_threshold.
 *
 * Inputs: box encodings [1, boxes, >= 4] (y, x, h, w first), class scores [1, boxes, num_classes or
 * num_classes + 1 with a background class first], anchors [boxes, 4] (y, x, h, w); each float32, or uint8
 * or int8 dequantized with its own scale and zero point as TFLite's Dequantizer does. Outputs, all float32:
 * boxes [1, N, 4] (ymin, xmin, ymax, xmax), classes [1, N], scores [1, N], count [1], with N =
 * max_detections * max_classes_per_detection. Slots past the detections are zero (TFLite leaves them
 * unwritten). Scores are ordered by a stable sort, ties keeping anchor (or class) order; TFLite's
 * std::partial_sort may order exact ties differently, so tied scores are the one place results can differ.
 * Working arrays live in scratch sized at prepare; eval allocates nothing. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/kernel.h"

enum { DP_BOXES = 0, DP_SCORES, DP_ANCHORS };
enum { DP_OUT_BOXES = 0, DP_OUT_CLASSES, DP_OUT_SCORES, DP_OUT_COUNT };

/* Limits that keep every count and index below int32 and the scratch size sane. */
#define DP_MAX_BOXES (1 << 22)
#define DP_MAX_CLASSES (1 << 14)
#define DP_MAX_DETECTIONS (1 << 16)

typedef struct {
  float ymin, xmin, ymax, xmax;
} corner_box;

typedef struct {
  int32_t boxes;           /* anchors */
  int32_t encoding_len;    /* values per box encoding, >= 4 */
  int32_t classes_with_bg; /* columns of the score tensor */
  int32_t label_offset;    /* 1 when column 0 is background */
  int32_t categories;      /* fast NMS: classes reported per anchor */
  int32_t outputs;         /* N */
  /* Scratch layout: element offsets (in 4-byte units) of each working array; `active` bytes come last. */
  size_t decoded, dequantized, keep_scores, keep_index, order, sort_tmp, selected;
  size_t max_scores, top_classes, class_scores, merged_index, merged_scores, top_order, top_values;
  size_t active_byte;
} dp_data;

/* The working arrays of one eval, carved out of scratch. */
typedef struct {
  corner_box *decoded;
  const float *scores; /* the class scores as float: the input itself or its dequantized copy */
  float *keep_scores, *max_scores, *class_scores, *merged_scores, *top_values;
  int32_t *keep_index, *order, *sort_tmp, *selected, *top_classes, *merged_index, *top_order;
  uint8_t *active;
} dp_work;

/* ---- prepare ---- */

static edgert_status check_attrs(er_op_ctx *ctx, const er_detection_postprocess_attrs *a) {
  if (a->num_classes < 1 || a->num_classes > DP_MAX_CLASSES)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "num_classes %d is outside [1, %d]", (int)a->num_classes,
                   DP_MAX_CLASSES);
  if (a->max_detections < 0 || a->max_detections > DP_MAX_DETECTIONS)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "max_detections %d is outside [0, %d]", (int)a->max_detections,
                   DP_MAX_DETECTIONS);
  if (a->max_classes_per_detection < 1 || a->max_classes_per_detection > DP_MAX_CLASSES)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "max_classes_per_detection %d is outside [1, %d]",
                   (int)a->max_classes_per_detection, DP_MAX_CLASSES);
  if (a->use_regular_nms && a->detections_per_class < 1)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "detections_per_class %d must be positive",
                   (int)a->detections_per_class);
  if (!(a->nms_iou_threshold > 0.0f && a->nms_iou_threshold <= 1.0f))
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "nms_iou_threshold %g is outside (0, 1]",
                   (double)a->nms_iou_threshold);
  const float scales[4] = {a->y_scale, a->x_scale, a->h_scale, a->w_scale};
  for (int i = 0; i < 4; i++)
    if (!isfinite(scales[i]) || scales[i] == 0.0f)
      return er_fail(ctx, EDGERT_ERR_MALFORMED, "box scales (%g, %g, %g, %g) must be finite and nonzero",
                     (double)a->y_scale, (double)a->x_scale, (double)a->h_scale, (double)a->w_scale);
  return EDGERT_OK;
}

/* float32, or uint8/int8 with a usable per-tensor scale. */
static edgert_status check_input_dtype(er_op_ctx *ctx, const er_tensor *t, const char *what) {
  if (t->dtype == EDGERT_FLOAT32) return EDGERT_OK;
  if (t->dtype != EDGERT_UINT8 && t->dtype != EDGERT_INT8)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s are %s; supported: float32, uint8, int8", what,
                   edgert_dtype_name(t->dtype));
  if (!(t->q.scale > 0.0f) || !isfinite(t->q.scale) || t->q.channels > 1)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "quantized %s need one positive scale", what);
  return EDGERT_OK;
}

static edgert_status check_inputs(er_op_ctx *ctx, const er_detection_postprocess_attrs *a, dp_data *d) {
  const er_tensor *boxes = er_input(ctx, DP_BOXES), *scores = er_input(ctx, DP_SCORES);
  const er_tensor *anchors = er_input(ctx, DP_ANCHORS);
  edgert_status st;
  if ((st = check_input_dtype(ctx, boxes, "box encodings")) != EDGERT_OK) return st;
  if ((st = check_input_dtype(ctx, scores, "class scores")) != EDGERT_OK) return st;
  if ((st = check_input_dtype(ctx, anchors, "anchors")) != EDGERT_OK) return st;
  if (boxes->ndim != 3 || boxes->dims[0] != 1 || boxes->dims[2] < 4 || boxes->dims[2] > DP_MAX_CLASSES)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "box encodings must be [1, boxes, 4 or more]");
  if (boxes->dims[1] < 1 || boxes->dims[1] > DP_MAX_BOXES)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "%lld boxes is outside [1, %d]", (long long)boxes->dims[1],
                   DP_MAX_BOXES);
  d->boxes = (int32_t)boxes->dims[1];
  d->encoding_len = (int32_t)boxes->dims[2];
  if (scores->ndim != 3 || scores->dims[0] != 1 || scores->dims[1] != d->boxes)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "class scores must be [1, %d, classes]", (int)d->boxes);
  if (scores->dims[2] != a->num_classes && scores->dims[2] != (int64_t)a->num_classes + 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "class scores have %lld columns for %d classes",
                   (long long)scores->dims[2], (int)a->num_classes);
  d->classes_with_bg = (int32_t)scores->dims[2];
  d->label_offset = d->classes_with_bg - a->num_classes;
  if (anchors->ndim != 2 || anchors->dims[0] != d->boxes || anchors->dims[1] != 4)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "anchors must be [%d, 4]", (int)d->boxes);
  return EDGERT_OK;
}

static edgert_status set_output_shapes(er_op_ctx *ctx, int32_t n) {
  static const char *const names[4] = {"detection boxes", "detection classes", "detection scores",
                                       "detection count"};
  edgert_status st;
  for (int i = 0; i < 4; i++)
    if ((st = er_check_dtype(ctx, er_output(ctx, i), EDGERT_FLOAT32, names[i])) != EDGERT_OK) return st;
  if ((st = er_set_output_shape(ctx, er_output(ctx, DP_OUT_BOXES), 3, (int64_t[]){1, n, 4})) != EDGERT_OK)
    return st;
  if ((st = er_set_output_shape(ctx, er_output(ctx, DP_OUT_CLASSES), 2, (int64_t[]){1, n})) != EDGERT_OK)
    return st;
  if ((st = er_set_output_shape(ctx, er_output(ctx, DP_OUT_SCORES), 2, (int64_t[]){1, n})) != EDGERT_OK)
    return st;
  return er_set_output_shape(ctx, er_output(ctx, DP_OUT_COUNT), 1, (int64_t[]){1});
}

/* Lays out the working arrays one after another (in 4-byte units) and sets ctx->scratch_bytes. */
static void plan_scratch(er_op_ctx *ctx, const er_detection_postprocess_attrs *a, dp_data *d,
                         bool dequantize) {
  size_t b = (size_t)d->boxes, m = (size_t)a->max_detections, at = 0;
#define DP_TAKE(field, count) (d->field = at, at += (count))
  DP_TAKE(decoded, 4 * b);
  DP_TAKE(dequantized, dequantize ? b * (size_t)d->classes_with_bg : 0);
  DP_TAKE(keep_scores, b);
  DP_TAKE(keep_index, b);
  DP_TAKE(order, b);
  DP_TAKE(sort_tmp, b);
  DP_TAKE(selected, b);
  DP_TAKE(max_scores, b);
  DP_TAKE(top_classes, b * (size_t)d->categories);
  DP_TAKE(class_scores, b);
  DP_TAKE(merged_index, b + m);
  DP_TAKE(merged_scores, b + m);
  DP_TAKE(top_order, m);
  DP_TAKE(top_values, m);
#undef DP_TAKE
  d->active_byte = at * 4;
  ctx->scratch_bytes = d->active_byte + b;
}

static edgert_status dp_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 3, 3, 4);
  if (st != EDGERT_OK) return st;
  const er_detection_postprocess_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  for (int i = 0; i < 4; i++)
    if (!er_output(ctx, i)) return er_fail(ctx, EDGERT_ERR_MALFORMED, "output %d is missing", i);
  if ((st = check_attrs(ctx, a)) != EDGERT_OK) return st;
  dp_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  if ((st = check_inputs(ctx, a, d)) != EDGERT_OK) return st;
  d->categories =
      a->max_classes_per_detection < a->num_classes ? a->max_classes_per_detection : a->num_classes;
  d->outputs = a->max_detections * a->max_classes_per_detection;
  if ((int64_t)a->max_detections * a->max_classes_per_detection > DP_MAX_DETECTIONS)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "max_detections x max_classes_per_detection is beyond %d",
                   DP_MAX_DETECTIONS);
  if ((int64_t)d->boxes * d->classes_with_bg > INT32_MAX)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "%d boxes x %d classes is too many", (int)d->boxes,
                   (int)d->classes_with_bg);
  if ((st = set_output_shapes(ctx, d->outputs)) != EDGERT_OK) return st;
  plan_scratch(ctx, a, d, er_input(ctx, DP_SCORES)->dtype != EDGERT_FLOAT32);
  ctx->op_data = d;
  return EDGERT_OK;
}

/* ---- decoding ---- */

/* Value i of a box or anchor tensor as float: quantized values as ((float)q - zero_point) * scale, in
 * float, as TFLite's Dequantizer computes them. */
static float value_at(const er_tensor *t, int64_t i) {
  switch (t->dtype) {
  case EDGERT_UINT8: return ((float)((const uint8_t *)t->data)[i] - (float)t->q.zero_point) * t->q.scale;
  case EDGERT_INT8: return ((float)((const int8_t *)t->data)[i] - (float)t->q.zero_point) * t->q.scale;
  default: return ((const float *)t->data)[i];
  }
}

static void decode_boxes(const er_op_ctx *ctx, const er_detection_postprocess_attrs *a, const dp_data *d,
                         corner_box *out) {
  const er_tensor *boxes = er_input(ctx, DP_BOXES), *anchors = er_input(ctx, DP_ANCHORS);
  for (int32_t i = 0; i < d->boxes; i++) {
    int64_t e = (int64_t)i * d->encoding_len, an = (int64_t)i * 4;
    double y = value_at(boxes, e), x = value_at(boxes, e + 1), h = value_at(boxes, e + 2);
    double w = value_at(boxes, e + 3);
    double ay = value_at(anchors, an), ax = value_at(anchors, an + 1), ah = value_at(anchors, an + 2);
    double aw = value_at(anchors, an + 3);
    float ycenter = (float)(y / (double)a->y_scale * ah + ay);
    float xcenter = (float)(x / (double)a->x_scale * aw + ax);
    float half_h = (float)(0.5 * exp(h / (double)a->h_scale) * ah);
    float half_w = (float)(0.5 * exp(w / (double)a->w_scale) * aw);
    out[i].ymin = ycenter - half_h;
    out[i].xmin = xcenter - half_w;
    out[i].ymax = ycenter + half_h;
    out[i].xmax = xcenter + half_w;
  }
}

/* Class scores as float. Quantized scores follow TFLite's Dequantize: (float)(scale * (q - zero_point))
 * computed in double. */
static const float *float_scores(const er_tensor *t, const dp_data *d, float *buffer) {
  if (t->dtype == EDGERT_FLOAT32) return t->data;
  int64_t n = (int64_t)d->boxes * d->classes_with_bg;
  double scale = t->q.scale;
  for (int64_t i = 0; i < n; i++) {
    int32_t q = t->dtype == EDGERT_UINT8 ? ((const uint8_t *)t->data)[i] : ((const int8_t *)t->data)[i];
    buffer[i] = (float)(scale * (double)(q - t->q.zero_point));
  }
  return buffer;
}

/* ---- ordering ---- */

/* Sorts order[0..n) (positions into values) by decreasing value; equal values keep their order in the
 * input (a stable bottom-up merge sort using tmp[0..n)). */
static void stable_sort_decreasing(const float *values, int32_t *order, int32_t *tmp, int32_t n) {
  int32_t *src = order, *dst = tmp;
  for (int32_t width = 1; width < n; width *= 2) {
    for (int32_t lo = 0; lo < n; lo += 2 * width) {
      int32_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      int32_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        dst[k++] = values[src[j]] > values[src[i]] ? src[j++] : src[i++];
      while (i < mid)
        dst[k++] = src[i++];
      while (j < hi)
        dst[k++] = src[j++];
    }
    int32_t *swap = src;
    src = dst;
    dst = swap;
  }
  if (src != order) memcpy(order, src, sizeof(int32_t) * (size_t)n);
}

/* The first k positions of values[0..n) in decreasing order, ties in position order, into top[0..k):
 * insertion into a sorted list of at most k (k is small: classes per anchor, max_detections). */
static void top_k_decreasing(const float *values, int32_t n, int32_t k, int32_t *top) {
  int32_t count = 0;
  for (int32_t c = 0; c < n && k > 0; c++) {
    int32_t lo = 0, hi = count;
    while (lo < hi) {
      int32_t mid = lo + (hi - lo) / 2;
      if (values[top[mid]] >= values[c])
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo >= k) continue;
    int32_t keep = count < k ? count : k - 1;
    memmove(top + lo + 1, top + lo, sizeof(int32_t) * (size_t)(keep - lo));
    top[lo] = c;
    if (count < k) count++;
  }
}

/* ---- non-max suppression ---- */

static float intersection_over_union(const corner_box *bi, const corner_box *bj) {
  const float area_i = (bi->ymax - bi->ymin) * (bi->xmax - bi->xmin);
  const float area_j = (bj->ymax - bj->ymin) * (bj->xmax - bj->xmin);
  if (area_i <= 0.0f || area_j <= 0.0f) return 0.0f;
  const float ymin = bi->ymin > bj->ymin ? bi->ymin : bj->ymin;
  const float xmin = bi->xmin > bj->xmin ? bi->xmin : bj->xmin;
  const float ymax = bi->ymax < bj->ymax ? bi->ymax : bj->ymax;
  const float xmax = bi->xmax < bj->xmax ? bi->xmax : bj->xmax;
  const float h = ymax - ymin > 0.0f ? ymax - ymin : 0.0f;
  const float w = xmax - xmin > 0.0f ? xmax - xmin : 0.0f;
  const float intersection = h * w;
  return intersection / (area_i + area_j - intersection);
}

/* TFLite's NonMaxSuppressionSingleClassHelper over scores[0..boxes): anchors selected, best first, into
 * w->selected; returns how many (at most max_selected). */
static int32_t nms_single_class(const er_detection_postprocess_attrs *a, const dp_data *d, dp_work *w,
                                const float *scores, int32_t max_selected) {
  int32_t kept = 0;
  for (int32_t i = 0; i < d->boxes; i++) {
    if (scores[i] >= a->nms_score_threshold) {
      w->keep_scores[kept] = scores[i];
      w->keep_index[kept] = i;
      kept++;
    }
  }
  for (int32_t i = 0; i < kept; i++)
    w->order[i] = i;
  stable_sort_decreasing(w->keep_scores, w->order, w->sort_tmp, kept);
  int32_t limit = kept < max_selected ? kept : max_selected, count = 0, active = kept;
  memset(w->active, 1, (size_t)kept);
  for (int32_t i = 0; i < kept; i++) {
    if (active == 0 || count >= limit) break;
    if (!w->active[i]) continue;
    const int32_t box_i = w->keep_index[w->order[i]];
    w->selected[count++] = box_i;
    w->active[i] = 0;
    active--;
    for (int32_t j = i + 1; j < kept; j++) {
      if (!w->active[j]) continue;
      const int32_t box_j = w->keep_index[w->order[j]];
      if (intersection_over_union(&w->decoded[box_i], &w->decoded[box_j]) > a->nms_iou_threshold) {
        w->active[j] = 0;
        active--;
      }
    }
  }
  return count;
}

/* Regular NMS: per class, then a running merge of the best max_detections across classes. Writes the
 * first `count` detections; returns count. */
static int32_t regular_nms(const er_detection_postprocess_attrs *a, const dp_data *d, dp_work *w,
                           float *out_boxes, float *out_classes, float *out_scores) {
  int32_t merged = 0;
  const int32_t stride = d->classes_with_bg;
  for (int32_t cls = 0; cls < a->num_classes; cls++) {
    const int32_t column = cls + d->label_offset;
    for (int32_t row = 0; row < d->boxes; row++)
      w->class_scores[row] = w->scores[(int64_t)row * stride + column];
    int32_t n = nms_single_class(a, d, w, w->class_scores, a->detections_per_class);
    int32_t total = merged;
    for (int32_t s = 0; s < n; s++) {
      w->merged_index[total] = w->selected[s] * stride + column;
      w->merged_scores[total] = w->class_scores[w->selected[s]];
      total++;
    }
    int32_t keep = total < a->max_detections ? total : a->max_detections;
    top_k_decreasing(w->merged_scores, total, keep, w->top_order);
    for (int32_t r = 0; r < keep; r++)
      w->top_values[r] = w->merged_scores[w->top_order[r]];
    for (int32_t r = 0; r < keep; r++)
      w->top_order[r] = w->merged_index[w->top_order[r]];
    memcpy(w->merged_index, w->top_order, sizeof(int32_t) * (size_t)keep);
    memcpy(w->merged_scores, w->top_values, sizeof(float) * (size_t)keep);
    merged = keep;
  }
  for (int32_t i = 0; i < merged; i++) {
    const int32_t anchor = w->merged_index[i] / stride;
    const int32_t cls = w->merged_index[i] - anchor * stride - d->label_offset;
    memcpy(out_boxes + 4 * i, &w->decoded[anchor], sizeof(corner_box));
    out_classes[i] = (float)cls;
    out_scores[i] = w->merged_scores[i];
  }
  return merged;
}

/* Fast NMS: each anchor's classes ranked, NMS on each anchor's best score, `categories` classes reported
 * per kept anchor in slots of max_classes_per_detection. Returns the number of kept anchors. */
static int32_t fast_nms(const er_detection_postprocess_attrs *a, const dp_data *d, dp_work *w,
                        float *out_boxes, float *out_classes, float *out_scores) {
  const int32_t stride = d->classes_with_bg, cats = d->categories;
  for (int32_t row = 0; row < d->boxes; row++) {
    const float *box_scores = w->scores + (int64_t)row * stride + d->label_offset;
    int32_t *top = w->top_classes + (int64_t)row * cats;
    top_k_decreasing(box_scores, a->num_classes, cats, top);
    w->max_scores[row] = box_scores[top[0]];
  }
  int32_t n = nms_single_class(a, d, w, w->max_scores, a->max_detections);
  for (int32_t i = 0; i < n; i++) {
    const int32_t anchor = w->selected[i];
    const float *box_scores = w->scores + (int64_t)anchor * stride + d->label_offset;
    const int32_t *top = w->top_classes + (int64_t)anchor * cats;
    for (int32_t c = 0; c < cats; c++) {
      int32_t slot = a->max_classes_per_detection * i + c;
      memcpy(out_boxes + 4 * slot, &w->decoded[anchor], sizeof(corner_box));
      out_classes[slot] = (float)top[c];
      out_scores[slot] = box_scores[top[c]];
    }
  }
  return n;
}

/* ---- eval ---- */

static void carve_scratch(const er_op_ctx *ctx, const dp_data *d, dp_work *w) {
  float *f = ctx->scratch;
  int32_t *i = ctx->scratch;
  w->decoded = (corner_box *)(f + d->decoded);
  w->keep_scores = f + d->keep_scores;
  w->keep_index = i + d->keep_index;
  w->order = i + d->order;
  w->sort_tmp = i + d->sort_tmp;
  w->selected = i + d->selected;
  w->max_scores = f + d->max_scores;
  w->top_classes = i + d->top_classes;
  w->class_scores = f + d->class_scores;
  w->merged_index = i + d->merged_index;
  w->merged_scores = f + d->merged_scores;
  w->top_order = i + d->top_order;
  w->top_values = f + d->top_values;
  w->active = (uint8_t *)ctx->scratch + d->active_byte;
}

static edgert_status dp_eval(er_op_ctx *ctx) {
  const er_detection_postprocess_attrs *a = er_attrs(ctx);
  const dp_data *d = ctx->op_data;
  dp_work w;
  carve_scratch(ctx, d, &w);
  decode_boxes(ctx, a, d, w.decoded);
  /* TFLite refuses inverted boxes (from negative anchor sizes) before any suppression. */
  for (int32_t i = 0; i < d->boxes; i++)
    if (w.decoded[i].ymin > w.decoded[i].ymax || w.decoded[i].xmin > w.decoded[i].xmax)
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "decoded box %d is inverted (negative anchor size?)", (int)i);
  w.scores = float_scores(er_input(ctx, DP_SCORES), d, (float *)ctx->scratch + d->dequantized);
  er_tensor *boxes = er_output(ctx, DP_OUT_BOXES), *classes = er_output(ctx, DP_OUT_CLASSES);
  er_tensor *scores = er_output(ctx, DP_OUT_SCORES), *count = er_output(ctx, DP_OUT_COUNT);
  if (d->outputs > 0) {
    memset(boxes->data, 0, boxes->bytes);
    memset(classes->data, 0, classes->bytes);
    memset(scores->data, 0, scores->bytes);
  }
  int32_t n = a->use_regular_nms ? regular_nms(a, d, &w, boxes->data, classes->data, scores->data)
                                 : fast_nms(a, d, &w, boxes->data, classes->data, scores->data);
  *(float *)count->data = (float)n;
  return EDGERT_OK;
}

const er_kernel er_kernel_detection_postprocess = {.prepare = dp_prepare, .eval = dp_eval};
