/* Attrs of the IR ops of the vision/text/signal family (added for ONNX models). Included by attrs.h. */
#ifndef EDGERT_CORE_ATTRS_VISION_H
#define EDGERT_CORE_ATTRS_VISION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tensor.h"

/* NON_MAX_SUPPRESSION: inputs boxes [batches, boxes, 4], scores [batches, classes, boxes], then optional
 * scalars max_output_boxes_per_class (int64), iou_threshold, score_threshold (float). Output
 * [selected, 3] int64 rows (batch, class, box). center_point_box: boxes are (x_center, y_center, width,
 * height) instead of two corners (y1, x1, y2, x2) in either order. */
typedef struct {
  bool center_point_box;
} er_nms_attrs;

/* GRID_SAMPLE: input [N, C, H, W], grid [N, H_out, W_out, 2] of (x, y) in [-1, 1]; output
 * [N, C, H_out, W_out]. */
typedef enum { ER_GRID_BILINEAR = 0, ER_GRID_NEAREST, ER_GRID_BICUBIC } er_grid_mode;
typedef enum { ER_GRID_PAD_ZEROS = 0, ER_GRID_PAD_BORDER, ER_GRID_PAD_REFLECTION } er_grid_padding;

typedef struct {
  er_grid_mode mode;
  er_grid_padding padding;
  bool align_corners;
} er_grid_sample_attrs;

/* TFIDF_VECTORIZER: input 0 the tokens ([N] or [B, N], int32/int64); constant inputs 1 pool (int64
 * n-grams, all 1-grams then all 2-grams...), 2 ngram_counts (int64: where each n-gram length starts in the
 * pool), 3 ngram_indexes (int64: output column of each pooled n-gram), 4 weights (float, optional).
 * Output float [output_size] or [B, output_size]. An n-gram of length n takes tokens skip + 1 apart for
 * each skip in [0, max_skip]. */
typedef enum { ER_TFIDF_TF = 0, ER_TFIDF_IDF, ER_TFIDF_TFIDF } er_tfidf_mode;

typedef struct {
  er_tfidf_mode mode;
  int32_t min_gram, max_gram, max_skip;
  int64_t output_size; /* max(ngram_indexes) + 1 */
} er_tfidf_attrs;

/* DFT: input [..., n, 1 or 2] (real or complex), optional dft_length scalar input; output [..., m, 2]
 * with the transform along `axis` (an input dim other than the last), m = dft_length (or n) or
 * m / 2 + 1 when onesided. inverse: sign + and divided by the length. */
typedef struct {
  int32_t axis;
  bool inverse;
  bool onesided;
} er_dft_attrs;

/* STFT: inputs signal [batch, length, 1 or 2], frame_step (scalar), window ([frame_length], optional),
 * frame_length (scalar, optional); output [batch, frames, bins, 2]. */
typedef struct {
  bool onesided;
} er_stft_attrs;

/* SIGNAL_WINDOW (HannWindow, HammingWindow, BlackmanWindow): input the size (int32/int64 scalar); output
 * [size] of out_type: a0 - a1 cos(2 pi k / N) + a2 cos(4 pi k / N), N = size (periodic) or size - 1. */
typedef struct {
  double a0, a1, a2;
  bool periodic;
  edgert_dtype out_type;
} er_window_attrs;

/* MEL_WEIGHT_MATRIX: inputs num_mel_bins, dft_length, sample_rate (int scalars), lower_edge_hertz,
 * upper_edge_hertz (float scalars); output [dft_length / 2 + 1, num_mel_bins] of out_type. */
typedef struct {
  edgert_dtype out_type;
} er_mel_attrs;

#endif
