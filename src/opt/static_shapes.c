/* Shape propagation at load over the ops common in exported convolutional and dense networks; every
 * other op leaves its outputs at an unknown rank, so nothing downstream of it is ever called equal. */
#include "opt/static_shapes.h"

#include <stdlib.h>
#include <string.h>

static int64_t fresh(er_static_shapes *s) { return s->next_symbol--; }

static void set_unknown(er_static_shape *x) {
  x->ndim = -1;
  memset(x->dims, 0, sizeof x->dims);
}

bool er_static_shapes_init(const er_graph *g, er_static_shapes *s) {
  s->next_symbol = -1;
  s->shapes = malloc(((size_t)g->n_tensors + 1) * sizeof(er_static_shape));
  if (!s->shapes) return false;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    const er_tensor *x = &g->tensors[t];
    er_static_shape *out = &s->shapes[t];
    set_unknown(out);
    if (x->kind == ER_TENSOR_CONST) {
      out->ndim = x->ndim;
      memcpy(out->dims, x->dims, sizeof out->dims);
    }
  }
  for (int32_t i = 0; i < g->n_inputs; i++) {
    er_static_shape *out = &s->shapes[g->inputs[i]];
    out->ndim = g->tensors[g->inputs[i]].ndim;
    for (int32_t d = 0; d < out->ndim; d++)
      out->dims[d] = fresh(s);
  }
  return true;
}

void er_static_shapes_free(er_static_shapes *s) {
  free(s->shapes);
  s->shapes = NULL;
}

bool er_const_index_vector(const er_graph *g, int32_t t, int32_t *count, int64_t *values) {
  if (t < 0 || t >= g->n_tensors) return false;
  const er_tensor *x = &g->tensors[t];
  if (x->kind != ER_TENSOR_CONST || !x->data || x->ndim != 1 || x->dims[0] > ER_MAX_DIMS) return false;
  if (x->dtype != EDGERT_INT32 && x->dtype != EDGERT_INT64) return false;
  *count = (int32_t)x->dims[0];
  for (int32_t i = 0; i < *count; i++)
    values[i] = x->dtype == EDGERT_INT32 ? ((const int32_t *)x->data)[i] : ((const int64_t *)x->data)[i];
  return true;
}

static bool same_shape_op(er_op op) {
  switch (op) {
  case ER_OP_RELU:
  case ER_OP_RELU6:
  case ER_OP_RELU_N1_TO_1:
  case ER_OP_RELU_0_TO_1:
  case ER_OP_LEAKY_RELU:
  case ER_OP_PRELU:
  case ER_OP_ELU:
  case ER_OP_GELU:
  case ER_OP_HARD_SWISH:
  case ER_OP_LOGISTIC:
  case ER_OP_TANH:
  case ER_OP_EXP:
  case ER_OP_LOG:
  case ER_OP_SQRT:
  case ER_OP_RSQRT:
  case ER_OP_SQUARE:
  case ER_OP_ABS:
  case ER_OP_NEG:
  case ER_OP_FLOOR:
  case ER_OP_CEIL:
  case ER_OP_ROUND:
  case ER_OP_SIN:
  case ER_OP_COS:
  case ER_OP_SOFTMAX:
  case ER_OP_LOG_SOFTMAX:
  case ER_OP_CAST:
  case ER_OP_CLIP:
  case ER_OP_HARD_SIGMOID:
  case ER_OP_ERF:
  case ER_OP_MISH:
  case ER_OP_SOFTPLUS:
  case ER_OP_SELU:
  case ER_OP_CELU:
  case ER_OP_RECIPROCAL:
  case ER_OP_SOFTMAX_AXIS:
  case ER_OP_BATCH_NORM:
  case ER_OP_INSTANCE_NORM:
  case ER_OP_LAYER_NORM:
  case ER_OP_GROUP_NORM:
  case ER_OP_QUANTIZE:
  case ER_OP_DEQUANTIZE:
  case ER_OP_QUANTIZE_LINEAR:
  case ER_OP_DEQUANTIZE_LINEAR: return true;
  default: return false;
  }
}

static bool broadcast_op(er_op op) {
  switch (op) {
  case ER_OP_ADD:
  case ER_OP_SUB:
  case ER_OP_MUL:
  case ER_OP_DIV:
  case ER_OP_MINIMUM:
  case ER_OP_MAXIMUM:
  case ER_OP_POW:
  case ER_OP_SQUARED_DIFFERENCE: return true;
  default: return false;
  }
}

/* numpy broadcasting; a symbol against a number other than 1 is that number (the model is valid). */
static void broadcast(const er_static_shape *a, const er_static_shape *b, er_static_shapes *s,
                      er_static_shape *out) {
  if (a->ndim < 0 || b->ndim < 0) return;
  out->ndim = a->ndim > b->ndim ? a->ndim : b->ndim;
  for (int32_t i = 0; i < out->ndim; i++) {
    int32_t ia = i - (out->ndim - a->ndim), ib = i - (out->ndim - b->ndim);
    int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
    int64_t d;
    if (da == db || db == 1)
      d = da;
    else if (da == 1)
      d = db;
    else if (da >= 0)
      d = da;
    else if (db >= 0)
      d = db;
    else
      d = fresh(s);
    out->dims[i] = d;
  }
}

static bool all_equal(const int64_t *v, int32_t n, int64_t value) {
  for (int32_t i = 0; i < n; i++)
    if (v[i] != value) return false;
  return true;
}

/* CONV_ND: [N, M, spatial...]; spatial dims carry over only for a 1x1 kernel, stride 1, no padding. */
static void conv_shape(const er_graph *g, const er_node *node, er_static_shapes *s, er_static_shape *out) {
  const er_static_shape *x = &s->shapes[node->inputs[0]], *w = &s->shapes[node->inputs[1]];
  const er_conv_nd_attrs *a = node->attrs;
  if (x->ndim < 3 || w->ndim != x->ndim || !a) return;
  (void)g;
  int32_t spatial = x->ndim - 2;
  bool pointwise = all_equal(w->dims + 2, spatial, 1) && all_equal(a->strides, a->n_strides, 1) &&
                   all_equal(a->pads, a->n_pads, 0) && a->auto_pad != ER_PAD_SAME_LOWER;
  out->ndim = x->ndim;
  out->dims[0] = x->dims[0];
  out->dims[1] = w->dims[0];
  for (int32_t i = 2; i < x->ndim; i++)
    out->dims[i] = pointwise ? x->dims[i] : fresh(s);
}

static void pool_shape(const er_node *node, er_static_shapes *s, er_static_shape *out) {
  const er_static_shape *x = &s->shapes[node->inputs[0]];
  const er_conv_nd_attrs *a = node->attrs;
  if (x->ndim < 3 || !a) return;
  out->ndim = x->ndim;
  out->dims[0] = x->dims[0];
  out->dims[1] = x->dims[1];
  for (int32_t i = 2; i < x->ndim; i++)
    out->dims[i] = a->global ? 1 : fresh(s);
}

static void gemm_shape(const er_node *node, er_static_shapes *s, er_static_shape *out) {
  const er_static_shape *a = &s->shapes[node->inputs[0]], *b = &s->shapes[node->inputs[1]];
  const er_gemm_attrs *attrs = node->attrs;
  if (a->ndim != 2 || b->ndim != 2 || !attrs) return;
  out->ndim = 2;
  out->dims[0] = attrs->trans_a ? a->dims[1] : a->dims[0];
  out->dims[1] = attrs->trans_b ? b->dims[0] : b->dims[1];
}

/* Product of dims [from, to): a number when all are numbers, the dim itself when there is one. */
static int64_t dims_product(const er_static_shape *x, int32_t from, int32_t to, er_static_shapes *s) {
  if (to - from == 1) return x->dims[from];
  int64_t p = 1;
  for (int32_t i = from; i < to; i++) {
    if (x->dims[i] < 0) return fresh(s);
    if (x->dims[i] != 0 && p > INT64_MAX / x->dims[i]) return fresh(s);
    p *= x->dims[i];
  }
  return p;
}

static void flatten_shape(const er_node *node, er_static_shapes *s, er_static_shape *out) {
  const er_static_shape *x = &s->shapes[node->inputs[0]];
  const er_flatten_attrs *a = node->attrs;
  int32_t axis = a ? a->axis : 1;
  if (x->ndim < 0) return;
  if (axis < 0) axis += x->ndim;
  if (axis < 0 || axis > x->ndim) return;
  out->ndim = 2;
  out->dims[0] = dims_product(x, 0, axis, s);
  out->dims[1] = dims_product(x, axis, x->ndim, s);
}

/* RESHAPE / ONNX_RESHAPE with a constant shape: numbers stay, ONNX's 0 copies the input dim, -1 is new. */
static void reshape_shape(const er_graph *g, const er_node *node, er_static_shapes *s, er_static_shape *out) {
  int32_t count;
  int64_t target[ER_MAX_DIMS];
  if (node->n_inputs < 2 || !er_const_index_vector(g, node->inputs[1], &count, target)) return;
  const er_static_shape *x = &s->shapes[node->inputs[0]];
  bool copy_zero = node->op == ER_OP_ONNX_RESHAPE &&
                   !(node->attrs && ((const er_onnx_reshape_attrs *)node->attrs)->allow_zero);
  out->ndim = count;
  for (int32_t i = 0; i < count; i++) {
    if (target[i] == 0 && copy_zero)
      out->dims[i] = x->ndim > i ? x->dims[i] : fresh(s);
    else
      out->dims[i] = target[i] >= 0 ? target[i] : fresh(s);
  }
}

void er_static_shapes_node(const er_graph *g, const er_node *node, er_static_shapes *s) {
  for (int32_t k = 0; k < node->n_outputs; k++)
    set_unknown(&s->shapes[node->outputs[k]]);
  if (node->n_outputs < 1 || node->n_inputs < 1 || node->inputs[0] < 0) return;
  for (int32_t k = 0; k < node->n_inputs; k++)
    if (node->inputs[k] >= 0 && s->shapes[node->inputs[k]].ndim < 0 && node->op != ER_OP_ONNX_RESHAPE &&
        node->op != ER_OP_RESHAPE)
      return;
  er_static_shape *out = &s->shapes[node->outputs[0]];
  const er_static_shape *x = &s->shapes[node->inputs[0]];
  if (same_shape_op(node->op)) {
    *out = *x;
  } else if (broadcast_op(node->op) && node->n_inputs == 2 && node->inputs[1] >= 0) {
    broadcast(x, &s->shapes[node->inputs[1]], s, out);
  } else if (node->op == ER_OP_CONV_ND && node->n_inputs >= 2 && node->inputs[1] >= 0) {
    conv_shape(g, node, s, out);
  } else if ((node->op == ER_OP_MAX_POOL_ND || node->op == ER_OP_AVERAGE_POOL_ND) && node->n_outputs == 1) {
    pool_shape(node, s, out);
  } else if (node->op == ER_OP_GEMM && node->n_inputs >= 2 && node->inputs[1] >= 0) {
    gemm_shape(node, s, out);
  } else if (node->op == ER_OP_FLATTEN) {
    flatten_shape(node, s, out);
  } else if (node->op == ER_OP_ONNX_RESHAPE || node->op == ER_OP_RESHAPE) {
    reshape_shape(g, node, s, out);
  }
}
