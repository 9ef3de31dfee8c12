/* Typed attributes of each op kind, filled by importers, read by kernels. One struct per family of ops
 * that share attributes; ops without attributes have none. Numbers follow the IR's conventions, not any
 * one file format's: importers translate. */
#ifndef EDGERT_CORE_ATTRS_H
#define EDGERT_CORE_ATTRS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tensor.h"

/* Activation fused into an op's output. */
typedef enum {
  ER_ACT_NONE = 0,
  ER_ACT_RELU,
  ER_ACT_RELU_N1_TO_1,
  ER_ACT_RELU6,
  ER_ACT_TANH,
  ER_ACT_SIGMOID,
  /* Fused into float ops by the graph optimizer (src/opt/) only; no file format states these. */
  ER_ACT_CLIP,       /* min(max(x, act_min), act_max) with the op's act_min/act_max */
  ER_ACT_HARD_SWISH, /* x * relu6(x + 3) / 6 */
  ER_ACT_SILU        /* x * sigmoid(x) */
} er_activation;

/* How spatial padding is decided. SAME puts the odd pixel at the end (TFLite SAME, ONNX SAME_UPPER). */
typedef enum { ER_PAD_VALID = 0, ER_PAD_SAME, ER_PAD_SAME_LOWER, ER_PAD_EXPLICIT } er_padding;

/* Data layout of activations. TFLite is NHWC; ONNX is NCHW. */
typedef enum { ER_LAYOUT_NHWC = 0, ER_LAYOUT_NCHW } er_layout;

/* CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV. NHWC filters: conv OHWI, depthwise 1HW(I*M),
 * transpose conv OHWI. pads are [top, left, bottom, right] when padding == ER_PAD_EXPLICIT. */
typedef struct {
  er_layout layout;
  er_padding padding;
  int32_t pads[4];
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t depth_multiplier; /* depthwise only */
  er_activation activation;
} er_conv_attrs;

/* AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D. */
typedef struct {
  er_layout layout;
  er_padding padding;
  int32_t pads[4];
  int32_t filter_h, filter_w;
  int32_t stride_h, stride_w;
  er_activation activation;
} er_pool_attrs;

/* FULLY_CONNECTED: weights [units, inputs]. keep_num_dims keeps the input's leading dims.
 * asymmetric_quantize_inputs: hybrid kernels (float input, int8 weights) quantize each input row with a
 * zero point instead of symmetrically (TFLite's option of the same name). */
typedef struct {
  er_activation activation;
  bool keep_num_dims;
  bool asymmetric_quantize_inputs;
} er_fc_attrs;

/* BATCH_MATMUL; asymmetric_quantize_inputs as for FULLY_CONNECTED (hybrid lhs float, rhs int8). */
typedef struct {
  bool adj_x, adj_y;
  bool asymmetric_quantize_inputs;
} er_matmul_attrs;

/* ADD, SUB, MUL, DIV and other binary elementwise ops. pot_scale_int16: TFLite's int16 ADD/SUB
 * assumption that scales are powers of two (true by default in TFLite). */
typedef struct {
  er_activation activation;
  bool pot_scale_int16;
} er_binary_attrs;

/* SELECT: numpy broadcasting of condition, x and y (TFLite SELECT_V2). TFLite's older SELECT instead lets
 * a rank-1 condition pick whole rows of higher-rank x and y; importers set rank1_selects_rows for it. */
typedef struct {
  bool rank1_selects_rows;
} er_select_attrs;

/* MEAN, SUM, REDUCE_*: axes come from input 1. */
typedef struct {
  bool keep_dims;
} er_reduce_attrs;

/* ARG_MAX, ARG_MIN: axis from input 1. */
typedef struct {
  edgert_dtype output_type;
} er_arg_attrs;

/* SOFTMAX, LOG_SOFTMAX */
typedef struct {
  float beta;
} er_softmax_attrs;

/* LEAKY_RELU */
typedef struct {
  float alpha;
} er_leaky_relu_attrs;

/* GELU */
typedef struct {
  bool approximate;
} er_gelu_attrs;

/* L2_NORMALIZATION */
typedef struct {
  er_activation activation;
} er_l2norm_attrs;

/* RESHAPE: shape from input 1 when present, else from new_shape. */
typedef struct {
  int32_t ndim; /* -1 when the model gives no shape in its options */
  int64_t new_shape[ER_MAX_DIMS];
} er_reshape_attrs;

/* SQUEEZE: squeeze every dim of size 1 when count == 0. */
typedef struct {
  int32_t count;
  int32_t dims[ER_MAX_DIMS];
} er_squeeze_attrs;

/* CONCATENATION, PACK, UNPACK, GATHER, SPLIT (axis from input 0 in TFLite: importer moves it here
 * when constant), and others taking one axis. */
typedef struct {
  int32_t axis;
  int32_t count;      /* PACK: values; UNPACK: outputs; SPLIT: splits */
  int32_t batch_dims; /* GATHER */
  er_activation activation;
} er_axis_attrs;

/* STRIDED_SLICE: begin, end, strides from inputs 1..3. */
typedef struct {
  int32_t begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask;
  bool offset;
} er_strided_slice_attrs;

/* MIRROR_PAD */
typedef struct {
  bool symmetric; /* false: REFLECT */
} er_mirror_pad_attrs;

/* SPACE_TO_DEPTH, DEPTH_TO_SPACE */
typedef struct {
  int32_t block_size;
} er_block_attrs;

/* RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR: size from input 1. */
typedef struct {
  bool align_corners;
  bool half_pixel_centers;
} er_resize_attrs;

/* CAST */
typedef struct {
  edgert_dtype out_type;
} er_cast_attrs;

/* SVDF: inputs input, weights_feature, weights_time, bias (optional), state (variable). */
typedef struct {
  int32_t rank;
  er_activation activation;
  bool asymmetric_quantize_inputs; /* hybrid (float input, int8 weights) only */
} er_svdf_attrs;

/* UNIDIRECTIONAL_SEQUENCE_LSTM: TFLite's 24-input layout (missing optional inputs are -1). */
typedef struct {
  er_activation activation;
  float cell_clip;
  float proj_clip;
  bool time_major;
  bool asymmetric_quantize_inputs; /* hybrid (float input, int8 weights) only */
} er_lstm_attrs;

/* LOCAL_RESPONSE_NORMALIZATION: out = in / (bias + alpha * sum of squares over channels [c - radius,
 * c + radius]) ^ beta, along the last dim. */
typedef struct {
  int32_t radius;
  float bias, alpha, beta;
} er_lrn_attrs;

/* CUMSUM: axis from input 1. exclusive: each output leaves out its own element; reverse: sums run from
 * the end of the axis. */
typedef struct {
  bool exclusive;
  bool reverse;
} er_cumsum_attrs;

/* RNN and UNIDIRECTIONAL_SEQUENCE_RNN: inputs input, weights [units, input], recurrent weights [units,
 * units], bias [units], hidden state (variable) [batch, units]. time_major (sequence op only): input is
 * [time, batch, input] instead of [batch, time, input]. */
typedef struct {
  er_activation activation;
  bool time_major;
} er_rnn_attrs;

/* DETECTION_POSTPROCESS (TFLite custom op TFLite_Detection_PostProcess): inputs box encodings [1, boxes,
 * >= 4], class scores [1, boxes, classes (+1 background)], anchors [boxes, 4]; outputs boxes [1, N, 4],
 * classes [1, N], scores [1, N] and the count [1], N = max_detections * max_classes_per_detection.
 * Boxes and anchors are (y, x, h, w) center-size encodings; the scales divide the encodings. */
typedef struct {
  int32_t max_detections;
  int32_t max_classes_per_detection; /* fast NMS */
  int32_t detections_per_class;      /* regular NMS */
  bool use_regular_nms;
  float nms_score_threshold;
  float nms_iou_threshold;
  int32_t num_classes;
  float y_scale, x_scale, h_scale, w_scale;
} er_detection_postprocess_attrs;

/* Attrs of the op families added for ONNX models. */
#include "core/attrs_control.h"
#include "core/attrs_linalg.h"
#include "core/attrs_math.h"
#include "core/attrs_nn.h"
#include "core/attrs_sequence.h"
#include "core/attrs_tensor.h"
#include "core/attrs_vision.h"

#endif
