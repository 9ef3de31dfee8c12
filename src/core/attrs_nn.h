/* Attrs of the IR ops of the nn family (added for ONNX models). Included by attrs.h. */
#ifndef EDGERT_CORE_ATTRS_NN_H
#define EDGERT_CORE_ATTRS_NN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tensor.h"

/* Spatial dims an N-d window op handles: all dims after batch and channel. */
#define ER_NN_MAX_SPATIAL (ER_MAX_DIMS - 2)

/* CONV_ND, CONV_TRANSPOSE_ND, CONV_INTEGER, QLINEAR_CONV and the N-d pools (MAX_POOL_ND,
 * AVERAGE_POOL_ND, LP_POOL_ND), all NCHW with any number of spatial dims, as ONNX defines them. Each list
 * keeps the count the model gave (0: absent, the kernel takes ONNX's default); kernels check the counts
 * against the input's rank at prepare. pads are ONNX's [x1_begin, x2_begin, ..., x1_end, x2_end, ...].
 * auto_pad: ER_PAD_EXPLICIT is ONNX's NOTSET (use pads), ER_PAD_SAME is SAME_UPPER. */
typedef struct {
  int32_t n_kernel, n_strides, n_dilations, n_pads, n_output_padding, n_output_shape;
  int64_t kernel[ER_NN_MAX_SPATIAL]; /* conv: must agree with W's shape when given */
  int64_t strides[ER_NN_MAX_SPATIAL];
  int64_t dilations[ER_NN_MAX_SPATIAL];
  int64_t pads[2 * ER_NN_MAX_SPATIAL];
  int64_t output_padding[ER_NN_MAX_SPATIAL]; /* transpose conv */
  int64_t output_shape[ER_MAX_DIMS];         /* transpose conv: spatial dims, or N, C and them */
  er_padding auto_pad;
  int32_t group;          /* convs; 1 when absent */
  bool ceil_mode;         /* pools */
  bool count_include_pad; /* average pool */
  bool global;            /* pools: the window is the whole spatial extent (GlobalAveragePool, ...) */
  int32_t storage_order;  /* max pool indices: 0 row major, 1 column major */
  int32_t p;              /* Lp pool norm */
  /* CONV_ND only: an activation the optimizer fused into the output (ER_ACT_NONE from importers);
   * act_min/act_max bound ER_ACT_CLIP. */
  er_activation activation;
  float act_min, act_max;
} er_conv_nd_attrs;

/* ROI_ALIGN (ONNX RoiAlign): inputs X [N, C, H, W], rois [R, 4] as (x1, y1, x2, y2) in input
 * coordinates times 1 / spatial_scale, batch_indices [R] int64; output [R, C, output_height,
 * output_width]. Each output bin averages (or, max_mode, takes the max of) sampling_ratio^2 bilinear
 * samples (sampling_ratio 0: ceil(roi size / output size) per dim). half_pixel shifts the roi by -0.5
 * pixel (opset 16's default); without it rois are at least 1x1 (output_half_pixel, opset 10). */
typedef struct {
  bool max_mode;
  bool half_pixel;
  int32_t output_height, output_width;
  int32_t sampling_ratio;
  float spatial_scale;
} er_roi_align_attrs;

#endif
