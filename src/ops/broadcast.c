/* Numpy-style broadcast shapes and the row plans elementwise kernels walk. */
#include "ops/broadcast.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/quant.h"
#include "ops/elementwise_types.h"

/* Dim d (counting in the output's rank) of t, with missing leading dims read as 1. */
static int64_t aligned_dim(const er_tensor *t, int32_t out_ndim, int32_t d) {
  int32_t lead = out_ndim - t->ndim;
  return d < lead ? 1 : t->dims[d - lead];
}

bool er_broadcast_shape(int n, const er_tensor *const *inputs, int32_t *ndim, int64_t *dims) {
  int32_t rank = 0;
  for (int k = 0; k < n; k++) {
    if (inputs[k]->ndim < 0 || inputs[k]->ndim > ER_MAX_DIMS) return false;
    if (inputs[k]->ndim > rank) rank = inputs[k]->ndim;
  }
  for (int32_t d = 0; d < rank; d++) {
    int64_t size = 1;
    for (int k = 0; k < n; k++) {
      int64_t dim = aligned_dim(inputs[k], rank, d);
      if (dim == 1) continue;
      if (size == 1) {
        size = dim;
      } else if (dim != size) {
        return false;
      }
    }
    dims[d] = size;
  }
  *ndim = rank;
  return true;
}

/* Row-major element strides of t seen in the output's rank; 0 along dims where t has size 1, so that
 * stepping there re-reads the same elements. */
static void broadcast_strides(const er_tensor *t, int32_t out_ndim, int64_t *strides) {
  int64_t stride = 1;
  for (int32_t d = out_ndim - 1; d >= 0; d--) {
    int64_t dim = aligned_dim(t, out_ndim, d);
    strides[d] = dim == 1 ? 0 : stride;
    stride *= dim;
  }
}

void er_bcast_plan(er_bcast *plan, int32_t out_ndim, const int64_t *out_dims, int n_inputs,
                   const er_tensor *const *inputs) {
  int64_t full[ER_BCAST_MAX_OPERANDS][ER_MAX_DIMS];
  int n_ops = n_inputs + 1;
  memset(plan, 0, sizeof *plan);
  plan->n_operands = n_ops;
  plan->elements = 1;
  int64_t stride = 1;
  for (int32_t d = out_ndim - 1; d >= 0; d--) {
    full[0][d] = stride;
    stride *= out_dims[d];
    plan->elements *= out_dims[d];
  }
  for (int k = 1; k < n_ops; k++)
    broadcast_strides(inputs[k - 1], out_ndim, full[k]);

  /* Walk from the innermost dim outwards, dropping dims of size 1 and merging a dim into the group
   * inside it when every operand steps through both as through one longer dim. */
  int32_t kept = 0; /* merged dims so far, innermost first */
  int64_t dims_rev[ER_MAX_DIMS];
  int64_t strides_rev[ER_BCAST_MAX_OPERANDS][ER_MAX_DIMS];
  for (int32_t d = out_ndim - 1; d >= 0; d--) {
    if (out_dims[d] == 1) continue;
    bool mergeable = kept > 0;
    for (int k = 0; k < n_ops && mergeable; k++)
      mergeable = full[k][d] == strides_rev[k][kept - 1] * dims_rev[kept - 1];
    if (mergeable) {
      dims_rev[kept - 1] *= out_dims[d];
      continue;
    }
    dims_rev[kept] = out_dims[d];
    for (int k = 0; k < n_ops; k++)
      strides_rev[k][kept] = full[k][d];
    kept++;
  }
  if (kept == 0) { /* a single element: one row of one */
    plan->ndim = 1;
    plan->dims[0] = 1;
    return;
  }
  plan->ndim = kept;
  for (int32_t i = 0; i < kept; i++) {
    plan->dims[kept - 1 - i] = dims_rev[i];
    for (int k = 0; k < n_ops; k++)
      plan->strides[k][kept - 1 - i] = strides_rev[k][i];
  }
}

edgert_status er_broadcast_prepare(er_op_ctx *ctx, int n_inputs, const er_tensor *const *inputs,
                                   er_tensor *out, er_bcast *plan) {
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  if (n_inputs < 1 || n_inputs >= ER_BCAST_MAX_OPERANDS)
    return er_fail(ctx, EDGERT_ERR_ARGUMENT, "cannot broadcast %d inputs", n_inputs);
  if (!er_broadcast_shape(n_inputs, inputs, &ndim, dims)) {
    char shapes[3 * 100] = "";
    size_t used = 0;
    for (int k = 0; k < n_inputs; k++) {
      char one[96] = "[?]";
      if (inputs[k]->ndim >= 0 && inputs[k]->ndim <= ER_MAX_DIMS)
        er_shape_str(inputs[k]->ndim, inputs[k]->dims, one, sizeof one);
      used += (size_t)snprintf(shapes + used, sizeof shapes - used, "%s%s", k ? " and " : "", one);
    }
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input shapes %s do not broadcast together", shapes);
  }
  edgert_status st = er_set_output_shape(ctx, out, ndim, dims);
  if (st != EDGERT_OK) return st;
  er_bcast_plan(plan, ndim, dims, n_inputs, inputs);
  return EDGERT_OK;
}

bool er_bcast_begin(er_bcast_iter *it, const er_bcast *plan) {
  memset(it, 0, sizeof *it);
  it->plan = plan;
  if (plan->elements <= 0) return false;
  it->rows_left = plan->elements / er_bcast_row_len(plan);
  return true;
}

void er_bcast_seek(er_bcast_iter *it, const er_bcast *plan, int64_t row) {
  memset(it, 0, sizeof *it);
  it->plan = plan;
  it->rows_left = plan->elements / er_bcast_row_len(plan) - row;
  /* The row's index over the outer dims, innermost outer dim fastest. */
  for (int32_t d = plan->ndim - 2; d >= 0; d--) {
    it->index[d] = row % plan->dims[d];
    row /= plan->dims[d];
    for (int k = 0; k < plan->n_operands; k++)
      it->offset[k] += it->index[d] * plan->strides[k][d];
  }
}

bool er_bcast_next(er_bcast_iter *it) {
  if (--it->rows_left <= 0) return false;
  const er_bcast *plan = it->plan;
  /* Odometer over the outer dims: bump the innermost outer dim, carrying outwards. */
  for (int32_t d = plan->ndim - 2; d >= 0; d--) {
    for (int k = 0; k < plan->n_operands; k++)
      it->offset[k] += plan->strides[k][d];
    if (++it->index[d] < plan->dims[d]) return true;
    for (int k = 0; k < plan->n_operands; k++)
      it->offset[k] -= plan->strides[k][d] * plan->dims[d];
    it->index[d] = 0;
  }
  return true;
}

edgert_status er_binary_io(er_op_ctx *ctx, er_tensor **a, er_tensor **b, er_tensor **out) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  *a = er_input(ctx, 0);
  *b = er_input(ctx, 1);
  *out = er_output(ctx, 0);
  if (!*out) return er_fail(ctx, EDGERT_ERR_MALFORMED, "output 0 is missing");
  if ((*a)->dtype != (*b)->dtype)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "inputs have different dtypes %s and %s",
                   edgert_dtype_name((*a)->dtype), edgert_dtype_name((*b)->dtype));
  return EDGERT_OK;
}

edgert_status er_arith_binary_io(er_op_ctx *ctx, er_tensor **a, er_tensor **b, er_tensor **out,
                                 er_activation *act) {
  edgert_status st = er_binary_io(ctx, a, b, out);
  if (st != EDGERT_OK) return st;
  const er_binary_attrs *attrs = er_attrs(ctx);
  *act = attrs ? attrs->activation : ER_ACT_NONE;
  if ((st = er_check_fused_activation(ctx, *act)) != EDGERT_OK) return st;
  return er_check_dtype(ctx, *out, (*a)->dtype, "output");
}

edgert_status er_check_binary_quant(er_op_ctx *ctx, const er_tensor *a, const er_tensor *b,
                                    const er_tensor *out) {
  edgert_status st = er_check_per_tensor_quant(ctx, a, "input 0");
  if (st == EDGERT_OK) st = er_check_per_tensor_quant(ctx, b, "input 1");
  if (st == EDGERT_OK) st = er_check_per_tensor_quant(ctx, out, "output");
  return st;
}

edgert_status er_check_plain_binary(er_op_ctx *ctx, er_activation act, const er_tensor *a, const er_tensor *b,
                                    const er_tensor *out) {
  if (act != ER_ACT_NONE || !er_is_unquantized(a) || !er_is_unquantized(b) || !er_is_unquantized(out))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s runs only unquantized and without a fused activation",
                   edgert_dtype_name(a->dtype));
  return EDGERT_OK;
}

edgert_status er_check_per_tensor_quant(er_op_ctx *ctx, const er_tensor *t, const char *what) {
  int32_t qmin, qmax;
  er_dtype_range(t->dtype, &qmin, &qmax);
  if (!(t->q.scale > 0.0f) || !isfinite(t->q.scale))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s '%s' is %s without a quantization scale", what,
                   t->name ? t->name : "", edgert_dtype_name(t->dtype));
  if (t->q.channels > 1)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "%s '%s' has per-channel quantization; only per-tensor is supported", what,
                   t->name ? t->name : "");
  if (t->q.zero_point < qmin || t->q.zero_point > qmax)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "%s '%s' zero point %d is outside the %s range", what,
                   t->name ? t->name : "", (int)t->q.zero_point, edgert_dtype_name(t->dtype));
  return EDGERT_OK;
}

edgert_status er_check_fused_activation(er_op_ctx *ctx, er_activation act) {
  if (act == ER_ACT_NONE || act == ER_ACT_RELU || act == ER_ACT_RELU6 || act == ER_ACT_RELU_N1_TO_1)
    return EDGERT_OK;
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "fused activation %d is not supported on this op", (int)act);
}

void er_activation_range_int(er_activation act, int64_t type_min, int64_t type_max, int64_t *lo,
                             int64_t *hi) {
  *lo = type_min;
  *hi = type_max;
  if (act == ER_ACT_RELU) {
    *lo = 0;
  } else if (act == ER_ACT_RELU6) {
    *lo = 0;
    *hi = 6;
  } else if (act == ER_ACT_RELU_N1_TO_1) {
    *lo = -1;
    *hi = 1;
  }
}

edgert_status er_batch_bcast_plan(er_op_ctx *ctx, er_batch_bcast *p, int32_t a_ndim, const int64_t *a_dims,
                                  int64_t a_step, int32_t b_ndim, const int64_t *b_dims, int64_t b_step) {
  p->ndim = a_ndim > b_ndim ? a_ndim : b_ndim;
  for (int32_t i = p->ndim - 1; i >= 0; i--) {
    int32_t ai = i - (p->ndim - a_ndim), bi = i - (p->ndim - b_ndim);
    int64_t ad = ai >= 0 ? a_dims[ai] : 1, bd = bi >= 0 ? b_dims[bi] : 1;
    if (ad != bd && ad != 1 && bd != 1)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "batch dims %lld and %lld do not broadcast", (long long)ad,
                     (long long)bd);
    p->dims[i] = ad == 1 ? bd : ad;
    p->a_stride[i] = ad == 1 ? 0 : a_step;
    p->b_stride[i] = bd == 1 ? 0 : b_step;
    a_step *= ad;
    b_step *= bd;
  }
  return EDGERT_OK;
}

int64_t er_batch_bcast_count(const er_batch_bcast *p) {
  int64_t n = 1;
  for (int32_t i = 0; i < p->ndim; i++)
    n *= p->dims[i];
  return n;
}

void er_batch_bcast_starts(const er_batch_bcast *p, int64_t index, int64_t *a_at, int64_t *b_at) {
  *a_at = *b_at = 0;
  for (int32_t i = p->ndim - 1; i >= 0; i--) {
    int64_t coord = index % p->dims[i];
    index /= p->dims[i];
    *a_at += coord * p->a_stride[i];
    *b_at += coord * p->b_stride[i];
  }
}
