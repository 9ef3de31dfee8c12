/* ONNX op mappers of the control family (see onnx_families.def): If, Loop and Scan. Their GRAPH
 * attributes become subgraphs of the node's graph (graph.h); the IR node keeps the ONNX inputs followed by
 * the values each subgraph captures from outside, and the attrs hold the subgraph indices in the order
 * the captures follow. Outputs take the dtypes the bodies compute (loop-carried ones: their initial
 * value's).
 *
 * Sequence ops are resolved here, at import, for sequences whose length is known then (SequenceEmpty,
 * SequenceConstruct, SequenceInsert, SequenceErase with constant positions, SplitToSequence of a known
 * split): a sequence value becomes a small int64 constant, a "handle", listing its element tensors (or the
 * split it stands for), and the ops that read a sequence turn into ordinary IR: SequenceAt forwards to an
 * element (or slices the split tensor), SequenceLength is a constant, ConcatFromSequence a CONCATENATION
 * or PACK of the elements. No sequence reaches the interpreter. Sequences that cross a subgraph boundary
 * or whose length depends on run-time values are refused. */
#include <string.h>

#include "formats/onnx/onnx_import_internal.h"
#include "formats/onnx/onnx_map.h"

/* Subgraph `index` of the graph being built. */
static const er_graph *built_subgraph(const er_onnx_node *n, int32_t index) {
  return &n->sc->subgraphs[index];
}

#define SEQ_MAGIC INT64_C(0x45525345514e4345) /* "ERSEQNCE": tells a sequence handle (below) from a tensor   \
                                               */

/* Refuses a body whose outputs include a sequence (a handle made inside it): sequences do not cross
 * subgraph boundaries. */
static edgert_status refuse_sequence_outputs(er_onnx_node *n, const er_graph *body) {
  for (int32_t i = 0; i < body->n_outputs; i++) {
    const er_tensor *t = &body->tensors[body->outputs[i]];
    if (t->kind == ER_TENSOR_CONST && t->dtype == EDGERT_INT64 && t->ndim == 1 && t->dims[0] >= 1 &&
        t->data && *(const int64_t *)t->data == SEQ_MAGIC)
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED,
                          "subgraph output %d is a sequence, which is not supported", (int)i);
  }
  return EDGERT_OK;
}

/* Output `out` of the node takes the dtype of output `body_out` of the subgraph. */
static void dtype_from_body(er_onnx_node *n, int out, const er_graph *body, int body_out) {
  if (body_out < body->n_outputs)
    er_onnx_set_output_dtype(n, out, body->tensors[body->outputs[body_out]].dtype);
}

static edgert_status map_if(er_onnx_node *n) {
  er_if_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  er_onnx_set_op(n, ER_OP_IF);
  if (!er_onnx_attr_graph(n, "then_branch", &a->then_branch) ||
      !er_onnx_attr_graph(n, "else_branch", &a->else_branch))
    return er_onnx_failed(n)
               ? EDGERT_ERR_MALFORMED
               : er_onnx_fail(n, EDGERT_ERR_MALFORMED, "then_branch and else_branch are required");
  const er_graph *then_g = built_subgraph(n, a->then_branch), *else_g = built_subgraph(n, a->else_branch);
  if (then_g->n_outputs != er_onnx_output_count(n) || else_g->n_outputs != er_onnx_output_count(n))
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "branches give %d and %d outputs, the node has %d",
                        (int)then_g->n_outputs, (int)else_g->n_outputs, er_onnx_output_count(n));
  for (int i = 0; i < er_onnx_output_count(n); i++)
    dtype_from_body(n, i, then_g, i);
  edgert_status st = refuse_sequence_outputs(n, then_g);
  return st == EDGERT_OK ? refuse_sequence_outputs(n, else_g) : st;
}

static edgert_status map_loop(er_onnx_node *n) {
  er_loop_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  er_onnx_set_op(n, ER_OP_LOOP);
  a->n_onnx_inputs = er_onnx_input_count(n);
  if (!er_onnx_attr_graph(n, "body", &a->body))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED
                             : er_onnx_fail(n, EDGERT_ERR_MALFORMED, "body is required");
  const er_graph *body = built_subgraph(n, a->body);
  int carried = a->n_onnx_inputs - 2;
  if (carried < 0 || body->n_formal_inputs != carried + 2 || body->n_outputs < carried + 1 ||
      er_onnx_output_count(n) != body->n_outputs - 1)
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED,
                        "body takes %d inputs and gives %d outputs; the node has %d inputs and %d outputs",
                        (int)body->n_formal_inputs, (int)body->n_outputs, a->n_onnx_inputs,
                        er_onnx_output_count(n));
  for (int i = 0; i < carried; i++) {
    const er_tensor *init = er_onnx_input(n, 2 + i);
    if (init) er_onnx_set_output_dtype(n, i, init->dtype);
  }
  for (int i = carried; i < er_onnx_output_count(n); i++)
    dtype_from_body(n, i, body, i + 1);
  return refuse_sequence_outputs(n, body);
}

/* Reads an ints attribute of up to ER_SCAN_MAX_VALUES values into out; false on a bad attribute. */
static bool read_scan_ints(er_onnx_node *n, const char *name, int expected, int32_t *out, bool *flags) {
  int64_t v[ER_SCAN_MAX_VALUES];
  int count = 0;
  if (!er_onnx_attr_ints(n, name, v, ER_SCAN_MAX_VALUES, &count)) return !er_onnx_failed(n);
  if (count != expected) {
    er_onnx_fail(n, EDGERT_ERR_MALFORMED, "%s has %d values, expected %d", name, count, expected);
    return false;
  }
  for (int i = 0; i < count; i++) {
    if (v[i] < -ER_MAX_DIMS || v[i] > ER_MAX_DIMS) {
      er_onnx_fail(n, EDGERT_ERR_MALFORMED, "%s[%d] = %lld is out of range", name, i, (long long)v[i]);
      return false;
    }
    if (out) out[i] = (int32_t)v[i];
    if (flags) flags[i] = v[i] != 0;
  }
  return true;
}

static edgert_status map_scan_common(er_onnx_node *n, bool batched) {
  er_scan_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  er_onnx_set_op(n, ER_OP_SCAN);
  a->batched = batched;
  a->n_onnx_inputs = er_onnx_input_count(n);
  int64_t m = 0;
  if (!er_onnx_attr_int(n, "num_scan_inputs", &m))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED
                             : er_onnx_fail(n, EDGERT_ERR_MALFORMED, "num_scan_inputs is required");
  int states = a->n_onnx_inputs - (batched ? 1 : 0) - (int)m;
  if (m < 1 || m > ER_SCAN_MAX_VALUES || states < 0)
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "num_scan_inputs %lld does not fit %d inputs (at most %d)",
                        (long long)m, a->n_onnx_inputs, ER_SCAN_MAX_VALUES);
  a->num_scan_inputs = (int32_t)m;
  if (batched && er_onnx_input_present(n, 0))
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "sequence_lens is not supported");
  if (!er_onnx_attr_graph(n, "body", &a->body))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED
                             : er_onnx_fail(n, EDGERT_ERR_MALFORMED, "body is required");
  const er_graph *body = built_subgraph(n, a->body);
  int scan_outputs = er_onnx_output_count(n) - states;
  if (body->n_formal_inputs != states + (int)m || body->n_outputs != er_onnx_output_count(n) ||
      scan_outputs < 0 || scan_outputs > ER_SCAN_MAX_VALUES)
    return er_onnx_fail(
        n, EDGERT_ERR_MALFORMED,
        "body takes %d inputs and gives %d outputs; the node has %d states, %lld scan inputs and "
        "%d outputs",
        (int)body->n_formal_inputs, (int)body->n_outputs, states, (long long)m, er_onnx_output_count(n));
  if (batched) {
    if (!read_scan_ints(n, "directions", (int)m, NULL, a->input_reverse)) return EDGERT_ERR_MALFORMED;
  } else if (!read_scan_ints(n, "scan_input_axes", (int)m, a->input_axes, NULL) ||
             !read_scan_ints(n, "scan_input_directions", (int)m, NULL, a->input_reverse) ||
             !read_scan_ints(n, "scan_output_axes", scan_outputs, a->output_axes, NULL) ||
             !read_scan_ints(n, "scan_output_directions", scan_outputs, NULL, a->output_reverse)) {
    return EDGERT_ERR_MALFORMED;
  }
  int first_state = batched ? 1 : 0;
  for (int i = 0; i < states; i++) {
    const er_tensor *init = er_onnx_input(n, first_state + i);
    if (init) er_onnx_set_output_dtype(n, i, init->dtype);
  }
  for (int i = states; i < er_onnx_output_count(n); i++)
    dtype_from_body(n, i, body, i);
  return refuse_sequence_outputs(n, body);
}

static edgert_status map_scan8(er_onnx_node *n) { return map_scan_common(n, true); }
static edgert_status map_scan9(er_onnx_node *n) { return map_scan_common(n, false); }

/* ---- sequences known at import ---- */

/* Handle layout (int64): magic, scope depth, kind, count, then for SEQ_LIST the element tensor ids, for
 * SEQ_SPLIT the split tensor id, axis (normalized), keepdims and the element sizes along the axis. */
#define SEQ_HEADER 4
#define SEQ_SPLIT_FIELDS 3
#define SEQ_MAX_ELEMENTS 1024
enum { SEQ_LIST = 1, SEQ_SPLIT = 2 };

typedef struct {
  int64_t kind, count;
  const int64_t *items;          /* LIST: ids; SPLIT: sizes */
  int64_t split, axis, keepdims; /* SPLIT only */
} seq_view;

/* Reads sequence input i (a handle made by this file in the same graph). */
static edgert_status read_seq(er_onnx_node *n, int i, seq_view *v) {
  const er_tensor *t = er_onnx_const_input(n, i);
  const int64_t *h = t && t->dtype == EDGERT_INT64 && t->ndim == 1 ? t->data : NULL;
  int64_t len = h ? t->dims[0] : 0;
  if (!h || len < SEQ_HEADER || h[0] != SEQ_MAGIC)
    return er_onnx_fail(
        n, EDGERT_ERR_UNSUPPORTED,
        "input %d is not a sequence edgert knows at import (made in this graph by SequenceEmpty, "
        "SequenceConstruct, SequenceInsert, SequenceErase or SplitToSequence)",
        i);
  if (h[1] != n->sc->depth)
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED,
                        "sequences passed into or out of subgraphs are not supported");
  memset(v, 0, sizeof *v);
  v->kind = h[2];
  v->count = h[3];
  int64_t extra = v->kind == SEQ_SPLIT ? SEQ_SPLIT_FIELDS : 0;
  if ((v->kind != SEQ_LIST && v->kind != SEQ_SPLIT) || v->count < 0 || v->count > SEQ_MAX_ELEMENTS ||
      len != SEQ_HEADER + extra + v->count)
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "input %d is a damaged sequence handle", i);
  if (v->kind == SEQ_SPLIT) {
    v->split = h[SEQ_HEADER];
    v->axis = h[SEQ_HEADER + 1];
    v->keepdims = h[SEQ_HEADER + 2];
  }
  v->items = h + SEQ_HEADER + extra;
  for (int64_t k = 0; v->kind == SEQ_LIST && k < v->count; k++)
    if (v->items[k] < 0 || v->items[k] >= n->sc->n_tensors)
      return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "input %d is a damaged sequence handle", i);
  return EDGERT_OK;
}

/* Makes output 0 a handle: header, `extra` fields, then `count` items. */
static edgert_status write_seq(er_onnx_node *n, int64_t kind, const int64_t *extra, int n_extra,
                               int64_t count, const int64_t *items) {
  if (count > SEQ_MAX_ELEMENTS)
    return er_onnx_fail(n, EDGERT_ERR_LIMIT, "sequences of more than %d elements are not supported",
                        SEQ_MAX_ELEMENTS);
  int64_t dims[1] = {SEQ_HEADER + n_extra + count};
  void *data;
  int32_t id = er_onnx_add_const(n, EDGERT_INT64, 1, dims, &data);
  if (id < 0) return EDGERT_ERR_NO_MEMORY;
  int64_t *h = data;
  h[0] = SEQ_MAGIC;
  h[1] = n->sc->depth;
  h[2] = kind;
  h[3] = count;
  if (n_extra) memcpy(h + SEQ_HEADER, extra, sizeof(int64_t) * (size_t)n_extra);
  if (count) memcpy(h + SEQ_HEADER + n_extra, items, sizeof(int64_t) * (size_t)count);
  return er_onnx_forward_output(n, 0, id);
}

/* A constant integer scalar input (a position); false with an error when it is not one. */
static bool const_position(er_onnx_node *n, int i, int64_t *value) {
  const er_tensor *t = er_onnx_const_input(n, i);
  if (!t || er_tensor_elements(t) != 1 || (t->dtype != EDGERT_INT64 && t->dtype != EDGERT_INT32)) {
    er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "position (input %d) must be a constant int32/int64 scalar", i);
    return false;
  }
  *value = t->dtype == EDGERT_INT64 ? *(const int64_t *)t->data : *(const int32_t *)t->data;
  return true;
}

/* Normalizes a position in [-count, count - 1] (or up to count when `end_ok`). */
static bool normalize_position(er_onnx_node *n, int64_t *pos, int64_t count, bool end_ok) {
  int64_t p = *pos < 0 ? *pos + count : *pos;
  if (p < 0 || p > count || (p == count && !end_ok)) {
    er_onnx_fail(n, EDGERT_ERR_SHAPE, "position %lld is out of range for a sequence of %lld", (long long)*pos,
                 (long long)count);
    return false;
  }
  *pos = p;
  return true;
}

static edgert_status map_sequence_empty(er_onnx_node *n) {
  er_onnx_ignore_attr(n, "dtype");
  return write_seq(n, SEQ_LIST, NULL, 0, 0, NULL);
}

static edgert_status map_sequence_construct(er_onnx_node *n) {
  int count = er_onnx_input_count(n);
  int64_t ids[SEQ_MAX_ELEMENTS];
  if (count > SEQ_MAX_ELEMENTS) return er_onnx_fail(n, EDGERT_ERR_LIMIT, "%d elements are too many", count);
  for (int i = 0; i < count; i++) {
    ids[i] = er_onnx_input_id(n, i);
    if (ids[i] < 0) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "element %d is absent", i);
  }
  return write_seq(n, SEQ_LIST, NULL, 0, count, ids);
}

static edgert_status map_sequence_insert(er_onnx_node *n) {
  seq_view v;
  edgert_status st = read_seq(n, 0, &v);
  if (st != EDGERT_OK) return st;
  if (v.kind != SEQ_LIST)
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "inserting into a split is not supported");
  int64_t pos = v.count, id = er_onnx_input_id(n, 1);
  if (id < 0) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "the tensor to insert is absent");
  if (er_onnx_input_present(n, 2) &&
      (!const_position(n, 2, &pos) || !normalize_position(n, &pos, v.count, true)))
    return EDGERT_ERR_UNSUPPORTED;
  int64_t ids[SEQ_MAX_ELEMENTS + 1];
  if (v.count >= SEQ_MAX_ELEMENTS) return er_onnx_fail(n, EDGERT_ERR_LIMIT, "the sequence is too long");
  memcpy(ids, v.items, sizeof(int64_t) * (size_t)pos);
  ids[pos] = id;
  memcpy(ids + pos + 1, v.items + pos, sizeof(int64_t) * (size_t)(v.count - pos));
  return write_seq(n, SEQ_LIST, NULL, 0, v.count + 1, ids);
}

static edgert_status map_sequence_erase(er_onnx_node *n) {
  seq_view v;
  edgert_status st = read_seq(n, 0, &v);
  if (st != EDGERT_OK) return st;
  if (v.kind != SEQ_LIST)
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "erasing from a split is not supported");
  int64_t pos = v.count - 1;
  if (er_onnx_input_present(n, 1) && !const_position(n, 1, &pos)) return EDGERT_ERR_UNSUPPORTED;
  if (!normalize_position(n, &pos, v.count, false)) return EDGERT_ERR_SHAPE;
  int64_t ids[SEQ_MAX_ELEMENTS];
  memcpy(ids, v.items, sizeof(int64_t) * (size_t)pos);
  memcpy(ids + pos, v.items + pos + 1, sizeof(int64_t) * (size_t)(v.count - pos - 1));
  return write_seq(n, SEQ_LIST, NULL, 0, v.count - 1, ids);
}

static edgert_status map_sequence_length(er_onnx_node *n) {
  seq_view v;
  edgert_status st = read_seq(n, 0, &v);
  if (st != EDGERT_OK) return st;
  void *data;
  int32_t id = er_onnx_add_const(n, EDGERT_INT64, 0, NULL, &data);
  if (id < 0) return EDGERT_ERR_NO_MEMORY;
  *(int64_t *)data = v.count;
  return er_onnx_forward_output(n, 0, id);
}

/* SequenceAt of a split: Gather of one index (keepdims = 0, parts of size 1) or a Slice of its part. */
static edgert_status split_element(er_onnx_node *n, const seq_view *v, int64_t pos) {
  int64_t start = 0;
  for (int64_t k = 0; k <= pos; k++)
    if (v->items[k] < 0)
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "the split sizes are only known at run time");
  for (int64_t k = 0; k < pos; k++)
    start += v->items[k];
  const er_tensor *x = er_onnx_tensor_at(n->sc, (int32_t)v->split);
  er_onnx_set_output_dtype(n, 0, x->dtype);
  void *data;
  int64_t one[1] = {1};
  if (!v->keepdims) {
    er_index_attrs *a = er_onnx_new_attrs(n, sizeof *a);
    if (!a) return EDGERT_ERR_NO_MEMORY;
    er_onnx_set_op(n, ER_OP_ONNX_GATHER);
    a->axis = (int32_t)v->axis;
    int32_t index = er_onnx_add_const(n, EDGERT_INT64, 0, NULL, &data);
    if (index < 0) return EDGERT_ERR_NO_MEMORY;
    *(int64_t *)data = start;
    edgert_status st = er_onnx_set_inputs(n, 0, NULL);
    if (st == EDGERT_OK) st = er_onnx_set_input_tensor(n, 0, (int32_t)v->split);
    if (st == EDGERT_OK) st = er_onnx_set_input_tensor(n, 1, index);
    return st;
  }
  er_onnx_set_op(n, ER_OP_ONNX_SLICE);
  const int64_t values[3] = {start, start + v->items[pos], v->axis};
  edgert_status st = er_onnx_set_inputs(n, 0, NULL);
  if (st == EDGERT_OK) st = er_onnx_set_input_tensor(n, 0, (int32_t)v->split);
  for (int k = 0; k < 3 && st == EDGERT_OK; k++) {
    int32_t id = er_onnx_add_const(n, EDGERT_INT64, 1, one, &data);
    if (id < 0) return EDGERT_ERR_NO_MEMORY;
    *(int64_t *)data = values[k];
    st = er_onnx_set_input_tensor(n, 1 + k, id);
  }
  return st;
}

static edgert_status map_sequence_at(er_onnx_node *n) {
  seq_view v;
  edgert_status st = read_seq(n, 0, &v);
  if (st != EDGERT_OK) return st;
  int64_t pos;
  if (!const_position(n, 1, &pos) || !normalize_position(n, &pos, v.count, false))
    return EDGERT_ERR_UNSUPPORTED;
  if (v.kind == SEQ_SPLIT) return split_element(n, &v, pos);
  return er_onnx_forward_output(n, 0, (int32_t)v.items[pos]);
}

static edgert_status map_concat_from_sequence(er_onnx_node *n) {
  seq_view v;
  edgert_status st = read_seq(n, 0, &v);
  if (st != EDGERT_OK) return st;
  if (v.kind != SEQ_LIST || v.count < 1)
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "needs a sequence of one or more listed tensors");
  int64_t axis = 0, new_axis = 0;
  if (!er_onnx_attr_int(n, "axis", &axis))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED
                             : er_onnx_fail(n, EDGERT_ERR_MALFORMED, "axis is required");
  if (!er_onnx_attr_int_or(n, "new_axis", 0, &new_axis)) return EDGERT_ERR_MALFORMED;
  if (axis < -ER_MAX_DIMS - 1 || axis > ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis %lld is out of range", (long long)axis);
  er_axis_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  er_onnx_set_op(n, new_axis ? ER_OP_PACK : ER_OP_CONCATENATION);
  a->axis = (int32_t)axis;
  a->count = new_axis ? (int32_t)v.count : 0;
  er_onnx_set_output_dtype(n, 0, er_onnx_tensor_at(n->sc, (int32_t)v.items[0])->dtype);
  st = er_onnx_set_inputs(n, 0, NULL);
  for (int64_t k = 0; k < v.count && st == EDGERT_OK; k++)
    st = er_onnx_set_input_tensor(n, (int)k, (int32_t)v.items[k]);
  return st;
}

/* The sizes of SplitToSequence's parts: from the split input (scalar: equal parts, the last smaller;
 * 1-D: as listed), else parts of 1 along a dim the model declares. */
static edgert_status split_sizes(er_onnx_node *n, const er_tensor *x, int64_t axis, int64_t *sizes,
                                 int64_t *count, bool *listed) {
  const er_tensor *split = er_onnx_input_present(n, 1) ? er_onnx_const_input(n, 1) : NULL;
  const er_tensor *runtime_split = er_onnx_input_present(n, 1) && !split ? er_onnx_input(n, 1) : NULL;
  if (runtime_split) { /* sizes unknown (-1) until run time; the count is the split's declared length */
    if (runtime_split->ndim != 1 || (runtime_split->dynamic_dims & 1u) || runtime_split->dims[0] < 0 ||
        runtime_split->dims[0] > SEQ_MAX_ELEMENTS)
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED,
                          "split is computed at run time and its length is unknown");
    *listed = true;
    *count = runtime_split->dims[0];
    for (int64_t k = 0; k < *count; k++)
      sizes[k] = -1;
    return EDGERT_OK;
  }
  int64_t dim = x->dims[axis];
  bool dim_known = !(x->dynamic_dims & (1u << axis)) && dim >= 0;
  *listed = split != NULL;
  if (split && split->ndim == 1) {
    if (split->dtype != EDGERT_INT64 && split->dtype != EDGERT_INT32)
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "split must be int32 or int64");
    *count = split->dims[0];
    if (*count > SEQ_MAX_ELEMENTS) return er_onnx_fail(n, EDGERT_ERR_LIMIT, "too many parts");
    for (int64_t k = 0; k < *count; k++) {
      sizes[k] = split->dtype == EDGERT_INT64 ? ((const int64_t *)split->data)[k]
                                              : ((const int32_t *)split->data)[k];
      if (sizes[k] < 0)
        return er_onnx_fail(n, EDGERT_ERR_SHAPE, "split size %lld is negative", (long long)sizes[k]);
    }
    return EDGERT_OK;
  }
  if (!dim_known) return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "the split dim is only known at run time");
  int64_t part = 1;
  if (split) {
    if (er_tensor_elements(split) != 1 || (split->dtype != EDGERT_INT64 && split->dtype != EDGERT_INT32))
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "split must be an int32/int64 scalar or 1-D");
    part = split->dtype == EDGERT_INT64 ? *(const int64_t *)split->data : *(const int32_t *)split->data;
    if (part < 1)
      return er_onnx_fail(n, EDGERT_ERR_SHAPE, "split size %lld is not positive", (long long)part);
  }
  *count = (dim + part - 1) / part;
  if (*count > SEQ_MAX_ELEMENTS) return er_onnx_fail(n, EDGERT_ERR_LIMIT, "too many parts");
  for (int64_t k = 0; k < *count; k++)
    sizes[k] = k == *count - 1 ? dim - part * k : part;
  return EDGERT_OK;
}

static edgert_status map_split_to_sequence(er_onnx_node *n) {
  const er_tensor *x = er_onnx_input(n, 0);
  int32_t x_id = er_onnx_input_id(n, 0);
  if (!x || x_id < 0) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "input is absent");
  int64_t axis = 0, keepdims = 1;
  if (!er_onnx_attr_int_or(n, "axis", 0, &axis) || !er_onnx_attr_int_or(n, "keepdims", 1, &keepdims))
    return EDGERT_ERR_MALFORMED;
  if (x->ndim < 1 || axis < -x->ndim || axis >= x->ndim)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis %lld is out of range for rank %d", (long long)axis,
                        (int)x->ndim);
  if (axis < 0) axis += x->ndim;
  static const int64_t no_sizes[1] = {0};
  int64_t sizes[SEQ_MAX_ELEMENTS], count = 0;
  bool listed;
  edgert_status st = split_sizes(n, x, axis, sizes, &count, &listed);
  if (st != EDGERT_OK) return st;
  /* keepdims = 0 drops the split axis, only when no split is given (every part then has size 1) */
  const int64_t fields[SEQ_SPLIT_FIELDS] = {x_id, axis, listed || keepdims != 0};
  return write_seq(n, SEQ_SPLIT, fields, SEQ_SPLIT_FIELDS, count, count ? sizes : no_sizes);
}

const er_onnx_op_mapping er_onnx_ops_control[] = {
    {"", "If", 1, map_if},
    {"", "Loop", 1, map_loop},
    {"", "Scan", 8, map_scan8},
    {"", "Scan", 9, map_scan9},
    {"", "SequenceEmpty", 11, map_sequence_empty},
    {"", "SequenceConstruct", 11, map_sequence_construct},
    {"", "SequenceInsert", 11, map_sequence_insert},
    {"", "SequenceErase", 11, map_sequence_erase},
    {"", "SequenceAt", 11, map_sequence_at},
    {"", "SequenceLength", 11, map_sequence_length},
    {"", "ConcatFromSequence", 11, map_concat_from_sequence},
    {"", "SplitToSequence", 11, map_split_to_sequence},
};
const size_t er_onnx_ops_control_count = sizeof er_onnx_ops_control / sizeof er_onnx_ops_control[0];
