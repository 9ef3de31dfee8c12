/* Attrs of the IR ops of the linalg family (added for ONNX models). Included by attrs.h. */
#ifndef EDGERT_CORE_ATTRS_LINALG_H
#define EDGERT_CORE_ATTRS_LINALG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tensor.h"

/* GEMM: Y = alpha * op(A) * op(B) + beta * C, op transposing when trans_* is set; C (input 2) optional and
 * unidirectionally broadcast to Y. */
typedef struct {
  float alpha, beta;
  bool trans_a, trans_b;
  /* An activation the optimizer fused into Y (ER_ACT_NONE from importers); act_min/act_max bound
   * ER_ACT_CLIP. */
  er_activation activation;
  float act_min, act_max;
} er_gemm_attrs;

/* EINSUM: the equation as written (spaces allowed), NUL-terminated. */
#define ER_EINSUM_MAX_EQUATION 128
typedef struct {
  char equation[ER_EINSUM_MAX_EQUATION];
} er_einsum_attrs;

typedef enum {
  ER_FOLD_SUM = 0,
  ER_FOLD_MEAN,
  ER_FOLD_MAX,
  ER_FOLD_MIN,
  ER_FOLD_PROD,
  ER_FOLD_L1,
  ER_FOLD_L2,
  ER_FOLD_LOG_SUM,
  ER_FOLD_LOG_SUM_EXP,
  ER_FOLD_SUM_SQUARE
} er_fold_kind;

/* REDUCE: axes from the attrs (n_axes >= 0) or from input 1 (n_axes == -1, ONNX's later opsets). No axes
 * means all axes, unless noop_with_empty_axes, when the input passes through unchanged. */
typedef struct {
  er_fold_kind kind;
  bool keepdims;
  bool noop_with_empty_axes;
  int32_t n_axes;
  int64_t axes[ER_MAX_DIMS];
} er_onnx_reduce_attrs;

/* ARG_REDUCE: int64 index of the max (or min) along axis; ties go to the first index unless
 * select_last_index. */
typedef struct {
  bool want_max;
  bool keepdims;
  bool select_last_index;
  int32_t axis;
} er_arg_reduce_attrs;

typedef enum { ER_SOFTMAX_PLAIN = 0, ER_SOFTMAX_LOG, ER_SOFTMAX_HARD } er_softmax_kind;

/* SOFTMAX_AXIS: along one axis (ONNX opset >= 13), or, when coerce_2d, over all dims from axis on taken as
 * one row (opsets before 13 flatten the input to 2-D at axis). */
typedef struct {
  er_softmax_kind kind;
  int32_t axis;
  bool coerce_2d;
} er_softmax_axis_attrs;

/* BATCH_NORM, INSTANCE_NORM, LAYER_NORM, GROUP_NORM, MEAN_VARIANCE_NORM, LP_NORM.
 * BATCH_NORM with training: statistics of the batch itself normalize it, and outputs 1 and 2 receive the
 * running mean and variance, input * momentum + batch statistic * (1 - momentum).
 * LAYER_NORM: normalizes over dims [axis, rank); GROUP_NORM: num_groups; LP_NORM: p (1 or 2) along axis;
 * MEAN_VARIANCE_NORM: axes (mask of dims) normalized together. */
typedef struct {
  float epsilon;
  int32_t axis;
  int32_t num_groups;
  int32_t p;
  uint32_t axes_mask;
  bool training;
  float momentum;
} er_norm_attrs;

/* LRN (ONNX): square sum over `size` channels around each one (NCHW, channel dim 1). */
typedef struct {
  int32_t size;
  float alpha, beta, bias;
} er_onnx_lrn_attrs;

typedef enum { ER_LOSS_MEAN = 0, ER_LOSS_SUM, ER_LOSS_NONE } er_loss_reduction;

/* NLL_LOSS, SOFTMAX_CROSS_ENTROPY: targets equal to ignore_index (when has_ignore_index) add nothing. */
typedef struct {
  er_loss_reduction reduction;
  bool has_ignore_index;
  int64_t ignore_index;
} er_loss_attrs;

typedef enum { ER_OPTIMIZER_ADAGRAD = 0, ER_OPTIMIZER_ADAM, ER_OPTIMIZER_MOMENTUM } er_optimizer_kind;

/* OPTIMIZER: one update step of ONNX's preview training ops Adagrad, Adam and Momentum (nesterov selects
 * Nesterov momentum). Inputs R (learning rate), T (step count), then n of each of X, G and the kind's
 * state tensors (Adagrad: H; Adam: V, H; Momentum: V); outputs the new X and state tensors, n of each. */
typedef struct {
  er_optimizer_kind kind;
  float alpha, beta, epsilon, decay_factor, norm_coefficient, norm_coefficient_post;
  bool nesterov;
} er_optimizer_attrs;

#endif
