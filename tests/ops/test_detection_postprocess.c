/* DETECTION_POSTPROCESS against tensorflow/lite/kernels/detection_postprocess_test.cc: FloatTest,
 * FloatTestWithDegeneratedBox, QuantizedTest, MaxClass2Test, FloatTestFastNMS, QuantizedTestFastNMS,
 * RegularNMS (float32 and uint8), FloatTestwithNoBackgroundClassAndNoKeypoints,
 * FloatTestwithBackgroundClassAndKeypoints, QuantizedTestwithNoBackgroundClassAndKeypoints; the same
 * quantized cases with int8 tensors (TFLite's test quantizes uint8 over [min, max] with scale
 * (max - min) / 255; int8 uses the same scale, zero point shifted by -128); and refused inputs. */
#include <math.h>

#include "extra_test.h"

static const float boxes6[24] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, -1.0f, 0.0f, 0.0f,
                                 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f,  0.0f, 0.0f};
static const float scores6[18] = {0.f, .9f,  .8f,  0.f, .75f, .72f, 0.f, .6f, .5f,
                                  0.f, .93f, .95f, 0.f, .5f,  .4f,  0.f, .3f, .2f};
static const float scores6_no_bg[12] = {.9f, .8f, .75f, .72f, .6f, .5f, .93f, .95f, .5f, .4f, .3f, .2f};
static const float anchors6[24] = {0.5f, 0.5f,  1.0f, 1.0f, 0.5f, 0.5f,   1.0f, 1.0f,
                                   0.5f, 0.5f,  1.0f, 1.0f, 0.5f, 10.5f,  1.0f, 1.0f,
                                   0.5f, 10.5f, 1.0f, 1.0f, 0.5f, 100.5f, 1.0f, 1.0f};

static er_detection_postprocess_attrs base_attrs(int max_classes_per_detection, bool regular) {
  er_detection_postprocess_attrs a = {0};
  a.max_detections = 3;
  a.max_classes_per_detection = max_classes_per_detection;
  a.detections_per_class = regular ? 1 : 100;
  a.use_regular_nms = regular;
  a.nms_score_threshold = 0.0f;
  a.nms_iou_threshold = 0.5f;
  a.num_classes = 2;
  a.y_scale = a.x_scale = 10.0f;
  a.h_scale = a.w_scale = 5.0f;
  return a;
}

/* One input as given (float32) or quantized over [lo, hi] like TFLite's QuantizeAndPopulate. */
typedef struct {
  xt_tensor t;
  unsigned char q[64];
} dp_input;

static void make_input(dp_input *in, edgert_dtype dtype, int ndim, const int64_t *dims, const float *values,
                       float lo, float hi) {
  memset(in, 0, sizeof *in);
  in->t.dtype = dtype;
  in->t.ndim = ndim;
  int64_t n = 1;
  for (int i = 0; i < ndim; i++) {
    in->t.dims[i] = dims[i];
    n *= dims[i];
  }
  in->t.kind = XT_INPUT;
  if (dtype == EDGERT_FLOAT32) {
    in->t.data = values;
    return;
  }
  float scale = (hi - lo) / 255.0f;
  int32_t qmin = dtype == EDGERT_UINT8 ? 0 : -128, qmax = qmin + 255;
  long zp = lroundf((float)qmin - lo / scale);
  zp = zp < qmin ? qmin : zp > qmax ? qmax : zp;
  for (int64_t i = 0; i < n; i++) {
    long q = lroundf(values[i] / scale) + zp;
    q = q < qmin ? qmin : q > qmax ? qmax : q;
    in->q[i] = (unsigned char)(dtype == EDGERT_UINT8 ? (uint8_t)q : (uint8_t)(int8_t)q);
  }
  in->t.data = in->q;
  in->t.scale = scale;
  in->t.zero_point = (int32_t)zp;
}

typedef struct {
  int n;              /* detection slots */
  const float *boxes; /* 4n */
  const float *classes, *scores;
  float count;
} dp_want;

static edgert_status run_dp(const er_detection_postprocess_attrs *a, edgert_dtype dtype, int boxes_len,
                            const float *boxes, int classes_with_bg, const float *scores, int n_boxes,
                            const float *anchors, const dp_want *want, double box_tol, double score_tol,
                            bool quiet) {
  dp_input ins[3];
  make_input(&ins[0], dtype, 3, (int64_t[]){1, n_boxes, boxes_len}, boxes, -1.0f, 1.0f);
  make_input(&ins[1], dtype, 3, (int64_t[]){1, n_boxes, classes_with_bg}, scores, 0.0f, 1.0f);
  make_input(&ins[2], dtype, 2, (int64_t[]){n_boxes, 4}, anchors, 0.0f, 100.5f);
  xt_tensor tensors[3] = {ins[0].t, ins[1].t, ins[2].t};
  xt_out outs[4] = {
      {EDGERT_FLOAT32, 0, 0}, {EDGERT_FLOAT32, 0, 0}, {EDGERT_FLOAT32, 0, 0}, {EDGERT_FLOAT32, 0, 0}};
  th_graph *g;
  edgert_status st = xt_run(&g, ER_OP_DETECTION_POSTPROCESS, a, sizeof *a, 3, tensors, 4, outs, quiet);
  if (st == EDGERT_OK && want) {
    int slots = a->max_detections * a->max_classes_per_detection;
    xt_check_shape(g, 0, 3, (int64_t[]){1, slots, 4});
    xt_check_shape(g, 1, 2, (int64_t[]){1, slots});
    xt_check_shape(g, 2, 2, (int64_t[]){1, slots});
    xt_check_shape(g, 3, 1, (int64_t[]){1});
    CHECK_NEAR(((const float *)th_output(g, 3))[0], want->count, 1e-4);
    xt_check_floats(g, 0, want->boxes, 4 * want->n, box_tol);
    xt_check_floats(g, 1, want->classes, want->n, 1e-4);
    xt_check_floats(g, 2, want->scores, want->n, score_tol);
  }
  th_free(g);
  return st;
}

static const float fast_boxes[12] = {0.0f, 10.0f, 1.0f, 11.0f,  0.0f, 0.0f,
                                     1.0f, 1.0f,  0.0f, 100.0f, 1.0f, 101.0f};
static const dp_want fast_want = {3, fast_boxes, (const float[]){1, 0, 0}, (const float[]){0.95f, 0.9f, 0.3f},
                                  3};

static void fast_nms_float_matches_tflite(void) {
  er_detection_postprocess_attrs a = base_attrs(1, false);
  CHECK_OK(run_dp(&a, EDGERT_FLOAT32, 4, boxes6, 3, scores6, 6, anchors6, &fast_want, 1e-1, 1e-4, false));
  /* no background column */
  CHECK_OK(
      run_dp(&a, EDGERT_FLOAT32, 4, boxes6, 2, scores6_no_bg, 6, anchors6, &fast_want, 1e-1, 1e-1, false));
  /* a fifth (keypoint) value per box encoding is skipped */
  float boxes5[30];
  for (int i = 0; i < 6; i++) {
    memcpy(boxes5 + 5 * i, boxes6 + 4 * i, 4 * sizeof(float));
    boxes5[5 * i + 4] = 1.0f;
  }
  CHECK_OK(run_dp(&a, EDGERT_FLOAT32, 5, boxes5, 3, scores6, 6, anchors6, &fast_want, 1e-1, 1e-4, false));
}

static void fast_nms_degenerate_box_matches_tflite(void) {
  er_detection_postprocess_attrs a = base_attrs(1, false);
  const float boxes[8] = {0};
  const float scores[6] = {0.f, .9f, .8f, 0.f, .2f, .7f};
  const float anchors[8] = {0.5f, 0.5f, 1.0f, 1.0f, 0.5f, 0.5f, 0.0f, 0.0f};
  const dp_want want = {2, (const float[]){0.0f, 0.0f, 1.0f, 1.0f, 0.5f, 0.5f, 0.5f, 0.5f},
                        (const float[]){0, 1}, (const float[]){0.9f, 0.7f}, 2};
  CHECK_OK(run_dp(&a, EDGERT_FLOAT32, 4, boxes, 3, scores, 2, anchors, &want, 1e-1, 1e-4, false));
}

static void fast_nms_two_classes_per_box_matches_tflite(void) {
  er_detection_postprocess_attrs a = base_attrs(2, false);
  const dp_want want = {
      6, (const float[]){0.0f, 10.0f, 1.0f, 11.0f, 0.0f, 10.0f,  1.0f, 11.0f,  0.0f, 0.0f,   1.0f, 1.0f,
                         0.0f, 0.0f,  1.0f, 1.0f,  0.0f, 100.0f, 1.0f, 101.0f, 0.0f, 100.0f, 1.0f, 101.0f},
      (const float[]){1, 0, 0, 1, 0, 1}, (const float[]){0.95f, .93f, 0.9f, 0.8f, 0.3f, 0.2f}, 3};
  CHECK_OK(run_dp(&a, EDGERT_FLOAT32, 4, boxes6, 3, scores6, 6, anchors6, &want, 1e-1, 1e-4, false));
}

static void fast_nms_quantized_matches_tflite(void) {
  er_detection_postprocess_attrs a = base_attrs(1, false);
  for (int s = 0; s < 2; s++) {
    edgert_dtype t = s ? EDGERT_INT8 : EDGERT_UINT8;
    CHECK_OK(run_dp(&a, t, 4, boxes6, 3, scores6, 6, anchors6, &fast_want, 3e-1, 1e-1, false));
    float boxes5[30];
    for (int i = 0; i < 6; i++) {
      memcpy(boxes5 + 5 * i, boxes6 + 4 * i, 4 * sizeof(float));
      boxes5[5 * i + 4] = 1.0f;
    }
    CHECK_OK(run_dp(&a, t, 5, boxes5, 2, scores6_no_bg, 6, anchors6, &fast_want, 3e-1, 1e-1, false));
  }
}

static void regular_nms_matches_tflite(void) {
  er_detection_postprocess_attrs a = base_attrs(1, true);
  const float boxes[12] = {0.0f, 10.0f, 1.0f, 11.0f, 0.0f, 10.0f, 1.0f, 11.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  const dp_want want_float = {3, boxes, (const float[]){1, 0, 0}, (const float[]){0.95f, 0.93f, 0.0f}, 2};
  CHECK_OK(run_dp(&a, EDGERT_FLOAT32, 4, boxes6, 3, scores6, 6, anchors6, &want_float, 3e-4, 1e-4, false));
  const dp_want want_quant = {3, boxes, (const float[]){1, 0, 0}, (const float[]){0.95f, 0.9f, 0.0f}, 2};
  CHECK_OK(run_dp(&a, EDGERT_UINT8, 4, boxes6, 3, scores6, 6, anchors6, &want_quant, 3e-1, 1e-1, false));
  CHECK_OK(run_dp(&a, EDGERT_INT8, 4, boxes6, 3, scores6, 6, anchors6, &want_quant, 3e-1, 1e-1, false));
}

static void detection_postprocess_rejects_bad_inputs(void) {
  er_detection_postprocess_attrs a = base_attrs(1, false);
  /* anchors for fewer boxes than the encodings */
  dp_input ins[3];
  make_input(&ins[0], EDGERT_FLOAT32, 3, (int64_t[]){1, 6, 4}, boxes6, 0, 0);
  make_input(&ins[1], EDGERT_FLOAT32, 3, (int64_t[]){1, 6, 3}, scores6, 0, 0);
  make_input(&ins[2], EDGERT_FLOAT32, 2, (int64_t[]){5, 4}, anchors6, 0, 0);
  xt_tensor tensors[3] = {ins[0].t, ins[1].t, ins[2].t};
  xt_out outs[4] = {
      {EDGERT_FLOAT32, 0, 0}, {EDGERT_FLOAT32, 0, 0}, {EDGERT_FLOAT32, 0, 0}, {EDGERT_FLOAT32, 0, 0}};
  th_graph *g;
  CHECK(xt_run(&g, ER_OP_DETECTION_POSTPROCESS, &a, sizeof a, 3, tensors, 4, outs, true) == EDGERT_ERR_SHAPE);
  th_free(g);
  /* class columns that fit neither num_classes nor num_classes + 1 */
  a.num_classes = 5;
  CHECK(run_dp(&a, EDGERT_FLOAT32, 4, boxes6, 3, scores6, 6, anchors6, NULL, 0, 0, true) == EDGERT_ERR_SHAPE);
  /* IoU threshold outside (0, 1] */
  a = base_attrs(1, false);
  a.nms_iou_threshold = 0.0f;
  CHECK(run_dp(&a, EDGERT_FLOAT32, 4, boxes6, 3, scores6, 6, anchors6, NULL, 0, 0, true) ==
        EDGERT_ERR_MALFORMED);
  /* a negative anchor size inverts its box: TFLite refuses the invoke */
  a = base_attrs(1, false);
  float anchors[24];
  memcpy(anchors, anchors6, sizeof anchors);
  anchors[2] = -1.0f;
  CHECK(run_dp(&a, EDGERT_FLOAT32, 4, boxes6, 3, scores6, 6, anchors, NULL, 0, 0, true) ==
        EDGERT_ERR_RUNTIME);
}

void run_tests(void) {
  RUN(fast_nms_float_matches_tflite);
  RUN(fast_nms_degenerate_box_matches_tflite);
  RUN(fast_nms_two_classes_per_box_matches_tflite);
  RUN(fast_nms_quantized_matches_tflite);
  RUN(regular_nms_matches_tflite);
  RUN(detection_postprocess_rejects_bad_inputs);
}
