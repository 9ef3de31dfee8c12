/* Attrs of the IR ops of the tensor family (added for ONNX models). Included by attrs.h. Where an ONNX
 * op takes a value either as an attribute (older opsets) or as an input (newer ones), the importer moves
 * attribute values into constant inputs, so kernels read one place. */
#ifndef EDGERT_CORE_ATTRS_TENSOR_H
#define EDGERT_CORE_ATTRS_TENSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tensor.h"

/* ONNX_RESHAPE: shape from input 1; a 0 entry copies the input's dim unless allow_zero. */
typedef struct {
  bool allow_zero;
} er_onnx_reshape_attrs;

/* FLATTEN: [prod(dims[:axis]), prod(dims[axis:])]; axis in [-rank, rank]. */
typedef struct {
  int32_t axis;
} er_flatten_attrs;

/* ONNX_SQUEEZE, UNSQUEEZE: axes from input 1 (int64); ONNX_SQUEEZE without it drops every size-1 dim. */

/* ONNX_SLICE: inputs data, starts, ends, axes (optional), steps (optional), all constant at prepare. */

/* ONNX_GATHER, GATHER_ELEMENTS, SCATTER_ELEMENTS (inputs data, indices, updates): indices may be negative
 * (counting from the end of the axis). */
typedef enum { ER_REDUCE_NONE = 0, ER_REDUCE_ADD, ER_REDUCE_MUL, ER_REDUCE_MAX, ER_REDUCE_MIN } er_reduction;

typedef struct {
  int32_t axis;
  er_reduction reduction; /* SCATTER_ELEMENTS, ONNX_SCATTER_ND */
  int32_t batch_dims;     /* ONNX_GATHER_ND */
} er_index_attrs;

/* ONNX_PAD: inputs data, pads ([2 * rank]: all begins then all ends, may be negative), constant value
 * (optional scalar), axes (optional, opset 18). */
typedef enum { ER_PAD_MODE_CONSTANT = 0, ER_PAD_MODE_REFLECT, ER_PAD_MODE_EDGE } er_pad_mode;

typedef struct {
  er_pad_mode mode;
} er_onnx_pad_attrs;

/* ONNX_RESIZE: inputs X, roi (optional), scales (optional), sizes (optional), all constant at prepare.
 * Semantics of ONNX Resize-11/13 (Upsample and Resize-10 map to asymmetric with floor rounding). */
typedef enum { ER_RESIZE_NEAREST = 0, ER_RESIZE_LINEAR, ER_RESIZE_CUBIC } er_resize_mode;

typedef enum {
  ER_COORD_HALF_PIXEL = 0,
  ER_COORD_PYTORCH_HALF_PIXEL,
  ER_COORD_ALIGN_CORNERS,
  ER_COORD_ASYMMETRIC,
  ER_COORD_TF_HALF_PIXEL_FOR_NN,
  ER_COORD_TF_CROP_AND_RESIZE
} er_coord_transform;

typedef enum {
  ER_NEAREST_ROUND_PREFER_FLOOR = 0,
  ER_NEAREST_ROUND_PREFER_CEIL,
  ER_NEAREST_FLOOR,
  ER_NEAREST_CEIL
} er_nearest_mode;

typedef struct {
  er_resize_mode mode;
  er_coord_transform coord;
  er_nearest_mode nearest;
  float cubic_coeff_a;
  bool exclude_outside;
  float extrapolation_value;
} er_onnx_resize_attrs;

/* ONNX_SHAPE: dims[start:end) of the input, ONNX's clamping of negative and out-of-range bounds. */
typedef struct {
  int64_t start, end; /* end == INT64_MAX: to the last dim */
} er_shape_slice_attrs;

/* CONSTANT_OF_SHAPE: shape from input 0 (int64), fill value from input 1 (one element, the output's
 * dtype; absent: float 0). RANGE: inputs start, limit, delta (scalars). EXPAND: input 1 the shape.
 * ONE_HOT: inputs indices, depth, values [off, on]; output gets a new dim at axis. */
typedef struct {
  int32_t axis;
} er_one_hot_attrs;

/* TRILU: keep the upper (or lower) triangle of the last two dims; k (optional input 1) shifts the
 * diagonal. EYE_LIKE: ones on diagonal k of a 2-D tensor. */
typedef struct {
  bool upper;
  int64_t k; /* EYE_LIKE */
} er_trilu_attrs;

/* ONNX_TOPK: inputs X, k (int64 scalar or [1]); outputs values, int64 indices. */
typedef struct {
  int32_t axis;
  bool largest, sorted;
} er_topk_attrs;

/* ONNX_DEPTH_TO_SPACE, ONNX_SPACE_TO_DEPTH on NCHW tensors. crd: DepthToSpace's CRD order (channel
 * index c * block * block + block row * block + block col) instead of DCR. */
typedef struct {
  int32_t block_size;
  bool crd;
} er_depth_space_attrs;

/* REVERSE_SEQUENCE: inputs data, sequence_lens [batch]. */
typedef struct {
  int32_t batch_axis, time_axis;
} er_reverse_sequence_attrs;

/* COMPRESS (inputs data, bool condition) and UNIQUE: has_axis false flattens the input first. UNIQUE's
 * outputs: values, first-occurrence indices, inverse indices, counts (int64). NON_ZERO has no attrs.
 * Their output sizes depend on the values: without constant inputs the model must declare them. */
typedef struct {
  bool has_axis;
  int32_t axis;
  bool sorted; /* UNIQUE */
} er_select_axis_attrs;

#endif
