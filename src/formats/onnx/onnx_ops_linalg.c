/* ONNX op mappers of the linalg family (see onnx_families.def): each maps one ONNX op, for a range of
 * opsets, to an IR op and its attrs. Matrix products, Einsum, normalizations, reductions and the Softmax
 * family and the losses built on it; their kernels are in src/ops (matmul.c, gemm.c, einsum.c,
 * normalization.c, reduce_onnx.c, arg_reduce.c, softmax_axis.c, det.c, loss.c). Attributes that change
 * nothing at inference (momentum, spatial, is_test, stash_type: statistics are kept in double anyway) are
 * read and ignored. */
#include <string.h>

#include "formats/onnx/onnx_map.h"

/* Sets the op and returns zeroed attrs of `bytes` (NULL when out of memory, error recorded). */
static void *new_op(er_onnx_node *n, er_op op, size_t bytes) {
  er_onnx_set_op(n, op);
  return bytes ? er_onnx_new_attrs(n, bytes) : NULL;
}

static edgert_status status_of(const er_onnx_node *n) {
  return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED : EDGERT_OK;
}

/* Fails when an output beyond the first is wired: those are training outputs edgert does not compute. */
static edgert_status only_first_output(er_onnx_node *n) {
  for (int i = 1; i < er_onnx_output_count(n); i++)
    if (er_onnx_output(n, i))
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "output %d (training statistics) is not supported", i);
  return EDGERT_OK;
}

/* ---- matrix products ---- */

static edgert_status map_matmul(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_MATMUL);
  return EDGERT_OK;
}

static edgert_status map_matmul_integer(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_MATMUL_INTEGER);
  return EDGERT_OK;
}

static edgert_status map_qlinear_matmul(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_QLINEAR_MATMUL);
  return EDGERT_OK;
}

static edgert_status map_gemm(er_onnx_node *n) {
  er_gemm_attrs *a = new_op(n, ER_OP_GEMM, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t ta = 0, tb = 0;
  er_onnx_attr_float_or(n, "alpha", 1.0f, &a->alpha);
  er_onnx_attr_float_or(n, "beta", 1.0f, &a->beta);
  er_onnx_attr_int_or(n, "transA", 0, &ta);
  er_onnx_attr_int_or(n, "transB", 0, &tb);
  er_onnx_ignore_attr(n, "broadcast"); /* opsets before 7: C broadcasts either way */
  a->trans_a = ta != 0;
  a->trans_b = tb != 0;
  return status_of(n);
}

static edgert_status map_einsum(er_onnx_node *n) {
  er_einsum_attrs *a = new_op(n, ER_OP_EINSUM, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  const char *eq;
  size_t len;
  if (!er_onnx_attr_string(n, "equation", &eq, &len))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED
                             : er_onnx_fail(n, EDGERT_ERR_MALFORMED, "has no equation");
  if (len >= sizeof a->equation)
    return er_onnx_fail(n, EDGERT_ERR_LIMIT, "equation of %zu characters is longer than %zu", len,
                        sizeof a->equation - 1);
  memcpy(a->equation, eq, len);
  a->equation[len] = '\0';
  return EDGERT_OK;
}

static edgert_status map_det(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_DET);
  return EDGERT_OK;
}

/* ---- normalizations ---- */

static edgert_status map_batch_norm(er_onnx_node *n) {
  er_norm_attrs *a = new_op(n, ER_OP_BATCH_NORM, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t training = 0, spatial = 1;
  er_onnx_attr_float_or(n, "epsilon", 1e-5f, &a->epsilon);
  er_onnx_attr_int_or(n, "training_mode", 0, &training);
  er_onnx_attr_int_or(n, "spatial", 1, &spatial);
  er_onnx_attr_float_or(n, "momentum", 0.9f, &a->momentum);
  er_onnx_ignore_attr(n, "is_test");
  er_onnx_ignore_attr(n, "consumed_inputs");
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  if (!spatial) return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "spatial = 0 is not supported");
  a->training = training != 0;
  /* from opset 14 the extra outputs are the running statistics of training mode; before, they were the
   * outputs of training graphs with other meanings */
  return a->training ? EDGERT_OK : only_first_output(n);
}

static edgert_status map_instance_norm(er_onnx_node *n) {
  er_norm_attrs *a = new_op(n, ER_OP_INSTANCE_NORM, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  er_onnx_attr_float_or(n, "epsilon", 1e-5f, &a->epsilon);
  er_onnx_ignore_attr(n, "consumed_inputs");
  return status_of(n);
}

static edgert_status map_layer_norm(er_onnx_node *n) {
  er_norm_attrs *a = new_op(n, ER_OP_LAYER_NORM, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t axis = -1;
  er_onnx_attr_float_or(n, "epsilon", 1e-5f, &a->epsilon);
  er_onnx_attr_int_or(n, "axis", -1, &axis);
  er_onnx_ignore_attr(n, "stash_type");
  if (axis < -ER_MAX_DIMS || axis >= ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis is out of range");
  a->axis = (int32_t)axis;
  return status_of(n);
}

static edgert_status map_group_norm(er_onnx_node *n) {
  er_norm_attrs *a = new_op(n, ER_OP_GROUP_NORM, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t groups = 0;
  er_onnx_attr_float_or(n, "epsilon", 1e-5f, &a->epsilon);
  if (!er_onnx_attr_int(n, "num_groups", &groups))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED
                             : er_onnx_fail(n, EDGERT_ERR_MALFORMED, "has no num_groups");
  er_onnx_ignore_attr(n, "stash_type");
  if (groups < 1 || groups > INT32_MAX)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "num_groups is out of range");
  a->num_groups = (int32_t)groups;
  return status_of(n);
}

static edgert_status map_lrn(er_onnx_node *n) {
  er_onnx_lrn_attrs *a = new_op(n, ER_OP_LRN, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t size = 0;
  er_onnx_attr_float_or(n, "alpha", 1e-4f, &a->alpha);
  er_onnx_attr_float_or(n, "beta", 0.75f, &a->beta);
  er_onnx_attr_float_or(n, "bias", 1.0f, &a->bias);
  if (!er_onnx_attr_int(n, "size", &size))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED : er_onnx_fail(n, EDGERT_ERR_MALFORMED, "has no size");
  if (size < 1 || size > INT32_MAX)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "size %lld is out of range", (long long)size);
  a->size = (int32_t)size;
  return status_of(n);
}

static edgert_status map_mvn(er_onnx_node *n) {
  er_norm_attrs *a = new_op(n, ER_OP_MEAN_VARIANCE_NORM, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t axes[ER_MAX_DIMS];
  int count = 0;
  if (!er_onnx_attr_ints(n, "axes", axes, ER_MAX_DIMS, &count)) {
    if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
    axes[0] = 0, axes[1] = 2, axes[2] = 3, count = 3;
  }
  /* negative axes need the input's rank */
  const er_tensor *x = er_onnx_input(n, 0);
  for (int i = 0; i < count; i++) {
    int64_t ax = axes[i] < 0 && x ? axes[i] + x->ndim : axes[i];
    if (ax < 0 || ax >= ER_MAX_DIMS)
      return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis %lld is out of range", (long long)axes[i]);
    a->axes_mask |= 1u << ax;
  }
  return EDGERT_OK;
}

static edgert_status map_lp_norm(er_onnx_node *n) {
  er_norm_attrs *a = new_op(n, ER_OP_LP_NORM, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t axis = -1, p = 2;
  er_onnx_attr_int_or(n, "axis", -1, &axis);
  er_onnx_attr_int_or(n, "p", 2, &p);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  if (axis < -ER_MAX_DIMS || axis >= ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis is out of range");
  if (p != 1 && p != 2)
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "p = %lld; only 1 and 2 exist", (long long)p);
  a->axis = (int32_t)axis;
  a->p = (int32_t)p;
  return EDGERT_OK;
}

/* ---- reductions ---- */

/* axes_as_input: the opset takes axes from input 1 (ReduceSum since 13, the others since 18). */
static edgert_status map_reduce(er_onnx_node *n, er_fold_kind kind, bool axes_as_input) {
  er_onnx_reduce_attrs *a = new_op(n, ER_OP_REDUCE, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t keepdims = 1, noop = 0;
  a->kind = kind;
  er_onnx_attr_int_or(n, "keepdims", 1, &keepdims);
  if (axes_as_input) {
    er_onnx_attr_int_or(n, "noop_with_empty_axes", 0, &noop);
    a->n_axes = -1;
  } else {
    int count = 0;
    if (er_onnx_attr_ints(n, "axes", a->axes, ER_MAX_DIMS, &count)) a->n_axes = count;
    if (er_onnx_input_count(n) > 1)
      return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "takes one input before opset %s",
                          kind == ER_FOLD_SUM ? "13" : "18");
  }
  a->keepdims = keepdims != 0;
  a->noop_with_empty_axes = noop != 0;
  return status_of(n);
}

#define REDUCE_MAPPERS(fn, kind)                                                                             \
  static edgert_status fn##_attr(er_onnx_node *n) { return map_reduce(n, kind, false); }                     \
  static edgert_status fn##_input(er_onnx_node *n) { return map_reduce(n, kind, true); }
REDUCE_MAPPERS(map_reduce_sum, ER_FOLD_SUM)
REDUCE_MAPPERS(map_reduce_mean, ER_FOLD_MEAN)
REDUCE_MAPPERS(map_reduce_max, ER_FOLD_MAX)
REDUCE_MAPPERS(map_reduce_min, ER_FOLD_MIN)
REDUCE_MAPPERS(map_reduce_prod, ER_FOLD_PROD)
REDUCE_MAPPERS(map_reduce_l1, ER_FOLD_L1)
REDUCE_MAPPERS(map_reduce_l2, ER_FOLD_L2)
REDUCE_MAPPERS(map_reduce_log_sum, ER_FOLD_LOG_SUM)
REDUCE_MAPPERS(map_reduce_log_sum_exp, ER_FOLD_LOG_SUM_EXP)
REDUCE_MAPPERS(map_reduce_sum_square, ER_FOLD_SUM_SQUARE)
#undef REDUCE_MAPPERS

static edgert_status map_arg(er_onnx_node *n, bool want_max) {
  er_arg_reduce_attrs *a = new_op(n, ER_OP_ARG_REDUCE, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t axis = 0, keepdims = 1, last = 0;
  er_onnx_attr_int_or(n, "axis", 0, &axis);
  er_onnx_attr_int_or(n, "keepdims", 1, &keepdims);
  er_onnx_attr_int_or(n, "select_last_index", 0, &last);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  if (axis < -ER_MAX_DIMS || axis >= ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis is out of range");
  a->want_max = want_max;
  a->axis = (int32_t)axis;
  a->keepdims = keepdims != 0;
  a->select_last_index = last != 0;
  return EDGERT_OK;
}

static edgert_status map_argmax(er_onnx_node *n) { return map_arg(n, true); }
static edgert_status map_argmin(er_onnx_node *n) { return map_arg(n, false); }

/* ---- the Softmax family ---- */

/* Before opset 13 the input is coerced to 2-D at axis (default 1); from 13 the op runs along axis
 * (default -1). */
static edgert_status map_softmax_kind(er_onnx_node *n, er_softmax_kind kind) {
  er_softmax_axis_attrs *a = new_op(n, ER_OP_SOFTMAX_AXIS, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  bool legacy = er_onnx_opset(n) < 13;
  int64_t axis = legacy ? 1 : -1;
  er_onnx_attr_int_or(n, "axis", axis, &axis);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  if (axis < -ER_MAX_DIMS || axis >= ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis is out of range");
  a->kind = kind;
  a->axis = (int32_t)axis;
  a->coerce_2d = legacy;
  return EDGERT_OK;
}

static edgert_status map_softmax(er_onnx_node *n) { return map_softmax_kind(n, ER_SOFTMAX_PLAIN); }
static edgert_status map_log_softmax(er_onnx_node *n) { return map_softmax_kind(n, ER_SOFTMAX_LOG); }
static edgert_status map_hardmax(er_onnx_node *n) { return map_softmax_kind(n, ER_SOFTMAX_HARD); }

/* ---- losses ---- */

static edgert_status map_loss(er_onnx_node *n, er_op op) {
  er_loss_attrs *a = new_op(n, op, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  const char *red = "mean";
  size_t len = 4;
  if (!er_onnx_attr_string(n, "reduction", &red, &len) && er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  if (len == 4 && memcmp(red, "mean", 4) == 0) {
    a->reduction = ER_LOSS_MEAN;
  } else if (len == 3 && memcmp(red, "sum", 3) == 0) {
    a->reduction = ER_LOSS_SUM;
  } else if (len == 4 && memcmp(red, "none", 4) == 0) {
    a->reduction = ER_LOSS_NONE;
  } else {
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "reduction '%.*s' is not mean, sum or none", (int)len,
                        red);
  }
  a->has_ignore_index = er_onnx_attr_int(n, "ignore_index", &a->ignore_index);
  return status_of(n);
}

static edgert_status map_nll_loss(er_onnx_node *n) { return map_loss(n, ER_OP_NLL_LOSS); }
static edgert_status map_softmax_cross_entropy(er_onnx_node *n) {
  return map_loss(n, ER_OP_SOFTMAX_CROSS_ENTROPY);
}

/* ---- optimizers (ai.onnx.preview.training) ---- */

static edgert_status map_optimizer(er_onnx_node *n, er_optimizer_kind kind) {
  er_optimizer_attrs *a = new_op(n, ER_OP_OPTIMIZER, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  a->kind = kind;
  er_onnx_attr_float_or(n, "norm_coefficient", 0.0f, &a->norm_coefficient);
  er_onnx_attr_float_or(n, "epsilon", 1e-6f, &a->epsilon); /* both Adam and Adagrad default to 1e-6 */
  er_onnx_attr_float_or(n, "decay_factor", 0.0f, &a->decay_factor);
  er_onnx_attr_float_or(n, "norm_coefficient_post", 0.0f, &a->norm_coefficient_post);
  er_onnx_attr_float_or(n, "alpha", 0.9f, &a->alpha);
  er_onnx_attr_float_or(n, "beta", 0.999f, &a->beta);
  if (kind == ER_OPTIMIZER_MOMENTUM) {
    const char *mode = "standard";
    size_t len = 8;
    if (!er_onnx_attr_string(n, "mode", &mode, &len) && er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
    a->nesterov = len == 8 && memcmp(mode, "nesterov", 8) == 0;
    if (!a->nesterov && !(len == 8 && memcmp(mode, "standard", 8) == 0))
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "mode '%.*s' is not standard or nesterov", (int)len,
                          mode);
  }
  return status_of(n);
}

static edgert_status map_adagrad(er_onnx_node *n) { return map_optimizer(n, ER_OPTIMIZER_ADAGRAD); }
static edgert_status map_adam(er_onnx_node *n) { return map_optimizer(n, ER_OPTIMIZER_ADAM); }
static edgert_status map_momentum(er_onnx_node *n) { return map_optimizer(n, ER_OPTIMIZER_MOMENTUM); }

const er_onnx_op_mapping er_onnx_ops_linalg[] = {
    {"", "MatMul", 1, map_matmul},
    {"", "MatMulInteger", 10, map_matmul_integer},
    {"", "QLinearMatMul", 10, map_qlinear_matmul},
    {"", "Gemm", 1, map_gemm},
    {"", "Einsum", 12, map_einsum},
    {"", "Det", 11, map_det},
    {"", "BatchNormalization", 1, map_batch_norm},
    {"", "InstanceNormalization", 1, map_instance_norm},
    {"", "LayerNormalization", 17, map_layer_norm},
    {"", "GroupNormalization", 18, map_group_norm},
    {"", "LRN", 1, map_lrn},
    {"", "MeanVarianceNormalization", 9, map_mvn},
    {"", "LpNormalization", 1, map_lp_norm},
    {"", "ReduceSum", 1, map_reduce_sum_attr},
    {"", "ReduceSum", 13, map_reduce_sum_input},
    {"", "ReduceMean", 1, map_reduce_mean_attr},
    {"", "ReduceMean", 18, map_reduce_mean_input},
    {"", "ReduceMax", 1, map_reduce_max_attr},
    {"", "ReduceMax", 18, map_reduce_max_input},
    {"", "ReduceMin", 1, map_reduce_min_attr},
    {"", "ReduceMin", 18, map_reduce_min_input},
    {"", "ReduceProd", 1, map_reduce_prod_attr},
    {"", "ReduceProd", 18, map_reduce_prod_input},
    {"", "ReduceL1", 1, map_reduce_l1_attr},
    {"", "ReduceL1", 18, map_reduce_l1_input},
    {"", "ReduceL2", 1, map_reduce_l2_attr},
    {"", "ReduceL2", 18, map_reduce_l2_input},
    {"", "ReduceLogSum", 1, map_reduce_log_sum_attr},
    {"", "ReduceLogSum", 18, map_reduce_log_sum_input},
    {"", "ReduceLogSumExp", 1, map_reduce_log_sum_exp_attr},
    {"", "ReduceLogSumExp", 18, map_reduce_log_sum_exp_input},
    {"", "ReduceSumSquare", 1, map_reduce_sum_square_attr},
    {"", "ReduceSumSquare", 18, map_reduce_sum_square_input},
    {"", "ArgMax", 1, map_argmax},
    {"", "ArgMin", 1, map_argmin},
    {"", "Softmax", 1, map_softmax},
    {"", "LogSoftmax", 1, map_log_softmax},
    {"", "Hardmax", 1, map_hardmax},
    {"", "NegativeLogLikelihoodLoss", 12, map_nll_loss},
    {"", "SoftmaxCrossEntropyLoss", 12, map_softmax_cross_entropy},
    {"ai.onnx.preview.training", "Adagrad", 1, map_adagrad},
    {"ai.onnx.preview.training", "Adam", 1, map_adam},
    {"ai.onnx.preview.training", "Momentum", 1, map_momentum},
};
const size_t er_onnx_ops_linalg_count = sizeof er_onnx_ops_linalg / sizeof er_onnx_ops_linalg[0];
