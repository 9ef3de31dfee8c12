/* Structural checks every graph passes before an interpreter sees it, whatever file it came from, so
 * kernels and the planner may trust ids, sizes and order. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/model.h"

static edgert_status check_fail(char *err, size_t len, edgert_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, len, fmt, ap);
  va_end(ap);
  return st;
}

/* Quantization every kernel may rely on: finite, non-negative scales and zero points the dtype can hold
 * (a forged zero point of -2^24 would overflow kernels' 32-bit arithmetic). */
static bool zero_point_fits(edgert_dtype dtype, int32_t zp) {
  switch (dtype) {
  case EDGERT_INT8: return zp >= -128 && zp <= 127;
  case EDGERT_UINT8: return zp >= 0 && zp <= 255;
  case EDGERT_INT16: return zp >= -32768 && zp <= 32767;
  default: return true;
  }
}

static bool scale_ok(float scale) { return isfinite(scale) && scale >= 0.0f; }

static edgert_status check_quant(const er_tensor *t, int32_t i, char *err, size_t len) {
  const char *name = t->name ? t->name : "";
  bool ok = scale_ok(t->q.scale) && zero_point_fits(t->dtype, t->q.zero_point);
  for (int32_t c = 0; ok && c < t->q.channels; c++)
    ok = scale_ok(t->q.scales[c]) && zero_point_fits(t->dtype, t->q.zero_points[c]);
  if (!ok)
    return check_fail(
        err, len, EDGERT_ERR_MALFORMED,
        "tensor %d '%s': quantization scale is negative or not finite, or a zero point does not fit %s", i,
        name, edgert_dtype_name(t->dtype));
  return EDGERT_OK;
}

static edgert_status size_tensors(er_graph *g, const edgert_limits *limits, char *err, size_t len) {
  for (int32_t i = 0; i < g->n_tensors; i++) {
    er_tensor *t = &g->tensors[i];
    const char *name = t->name ? t->name : "";
    if ((unsigned)t->dtype >= EDGERT_DTYPE_COUNT)
      return check_fail(err, len, EDGERT_ERR_MALFORMED, "tensor %d '%s': bad dtype %d", i, name,
                        (int)t->dtype);
    if (t->ndim < 0 || t->ndim > ER_MAX_DIMS)
      return check_fail(err, len, EDGERT_ERR_UNSUPPORTED, "tensor %d '%s': rank %d is beyond %d", i, name,
                        t->ndim, ER_MAX_DIMS);
    size_t bytes;
    int64_t elements = er_tensor_elements(t);
    if (!er_bytes_for(t->dtype, elements, &bytes))
      return check_fail(err, len, EDGERT_ERR_LIMIT, "tensor %d '%s': shape is negative or too large", i,
                        name);
    if (!er_limits_elements_ok(limits, elements))
      return check_fail(err, len, EDGERT_ERR_LIMIT,
                        "tensor %d '%s': %lld elements, beyond the limit of %lld (edgert_limits)", i, name,
                        (long long)elements, (long long)limits->max_tensor_elements);
    if (t->kind == ER_TENSOR_CONST) {
      if (!er_const_bytes(t))
        return check_fail(err, len, EDGERT_ERR_MALFORMED, "tensor %d '%s': constant without data", i, name);
      if (t->bytes != bytes)
        return check_fail(err, len, EDGERT_ERR_MALFORMED,
                          "tensor %d '%s': constant holds %zu bytes, shape needs %zu", i, name, t->bytes,
                          bytes);
    }
    t->bytes = bytes;
    edgert_status st = check_quant(t, i, err, len);
    if (st != EDGERT_OK) return st;
    if (t->q.channels > 0 && (t->q.axis < 0 || t->q.axis >= t->ndim || t->dims[t->q.axis] != t->q.channels))
      return check_fail(err, len, EDGERT_ERR_MALFORMED,
                        "tensor %d '%s': %d quantization channels do not match axis %d of its shape", i, name,
                        t->q.channels, t->q.axis);
  }
  return EDGERT_OK;
}

static bool id_ok(const er_graph *g, int32_t id) { return id >= 0 && id < g->n_tensors; }

/* ready[t]: 1 when tensor t holds a value at the current point of execution. */
static edgert_status check_order(const er_graph *g, unsigned char *ready, char *err, size_t len) {
  for (int32_t i = 0; i < g->n_tensors; i++)
    ready[i] = g->tensors[i].kind != ER_TENSOR_ACTIVATION;
  for (int32_t i = 0; i < g->n_inputs; i++) {
    int32_t id = g->inputs[i];
    if (!id_ok(g, id))
      return check_fail(err, len, EDGERT_ERR_MALFORMED, "graph input %d: tensor id %d out of range", i, id);
    if (g->tensors[id].kind != ER_TENSOR_ACTIVATION)
      return check_fail(err, len, EDGERT_ERR_MALFORMED, "graph input %d: tensor %d is a constant or state", i,
                        id);
    ready[id] = 1;
  }
  for (int32_t n = 0; n < g->n_nodes; n++) {
    const er_node *node = &g->nodes[n];
    const char *op = er_op_name(node->op);
    if ((unsigned)node->op >= ER_OP_COUNT)
      return check_fail(err, len, EDGERT_ERR_MALFORMED, "node %d: bad op kind", n);
    for (int32_t k = 0; k < node->n_inputs; k++) {
      int32_t id = node->inputs[k];
      if (id == -1) continue;
      if (!id_ok(g, id))
        return check_fail(err, len, EDGERT_ERR_MALFORMED, "%s node %d: input %d refers to tensor %d of %d",
                          op, n, k, id, g->n_tensors);
      if (!ready[id])
        return check_fail(err, len, EDGERT_ERR_MALFORMED,
                          "%s node %d: input %d (tensor %d '%s') is used before any node produces it", op, n,
                          k, id, g->tensors[id].name ? g->tensors[id].name : "");
    }
    for (int32_t k = 0; k < node->n_intermediates; k++)
      if (!id_ok(g, node->intermediates[k]))
        return check_fail(err, len, EDGERT_ERR_MALFORMED, "%s node %d: intermediate %d out of range", op, n,
                          k);
    for (int32_t k = 0; k < node->n_outputs; k++) {
      int32_t id = node->outputs[k];
      if (!id_ok(g, id))
        return check_fail(err, len, EDGERT_ERR_MALFORMED, "%s node %d: output %d refers to tensor %d of %d",
                          op, n, k, id, g->n_tensors);
      if (g->tensors[id].kind != ER_TENSOR_ACTIVATION || ready[id])
        return check_fail(
            err, len, EDGERT_ERR_MALFORMED,
            "%s node %d: output %d (tensor %d) is a constant, a graph input or already produced", op, n, k,
            id);
      ready[id] = 1;
    }
  }
  for (int32_t i = 0; i < g->n_outputs; i++) {
    int32_t id = g->outputs[i];
    if (!id_ok(g, id))
      return check_fail(err, len, EDGERT_ERR_MALFORMED, "graph output %d: tensor id %d out of range", i, id);
    if (!ready[id])
      return check_fail(err, len, EDGERT_ERR_MALFORMED, "graph output %d: tensor %d is never produced", i,
                        id);
  }
  return EDGERT_OK;
}

/* Operators of g and of its subgraphs (nesting is bounded by the importers). */
static int64_t count_nodes(const er_graph *g) {
  int64_t n = g->n_nodes;
  for (int32_t s = 0; s < g->n_subgraphs; s++)
    n += count_nodes(&g->subgraphs[s]);
  return n;
}

edgert_status er_graph_finish(er_graph *g, const edgert_limits *given, char *err, size_t len) {
  if (g->n_tensors < 0 || g->n_nodes < 0 || g->n_inputs < 0 || g->n_outputs < 0)
    return check_fail(err, len, EDGERT_ERR_MALFORMED, "negative count in graph");
  edgert_limits limits = er_limits_resolve(given);
  int64_t nodes = count_nodes(g);
  if (nodes > limits.max_nodes)
    return check_fail(err, len, EDGERT_ERR_LIMIT, "%lld operators, beyond the limit of %d (edgert_limits)",
                      (long long)nodes, (int)limits.max_nodes);
  edgert_status st = size_tensors(g, &limits, err, len);
  if (st != EDGERT_OK) return st;
  unsigned char *ready = malloc(g->n_tensors > 0 ? (size_t)g->n_tensors : 1);
  if (!ready) return check_fail(err, len, EDGERT_ERR_NO_MEMORY, "out of memory checking graph");
  st = check_order(g, ready, err, len);
  free(ready);
  return st;
}
