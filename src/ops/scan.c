/* SCAN (ONNX Scan): runs the body once per slice of the scan inputs, carrying state values from one
 * iteration to the next, and stacks each iteration's scan outputs. Opset 9+: scan axes and directions
 * per input and output (axes may count from the back). Opset 8: axis 0 of every input and output is a
 * batch the body runs over one item at a time, the scan axis is 1; sequence_lens is not supported (the
 * mapper refuses it). States live in the node's outputs between iterations. */
#include <string.h>

#include "core/subgraph.h"

typedef struct {
  int32_t axis; /* in the per-batch-item tensor */
  bool reverse;
  int64_t outer;      /* product of the dims before the axis */
  size_t inner_bytes; /* bytes of the dims after the axis */
} scan_layout;

typedef struct {
  er_subgraph *body;
  int32_t states, scan_inputs, scan_outputs, first_state;
  int64_t batch, length;
  scan_layout in[ER_SCAN_MAX_VALUES], out[ER_SCAN_MAX_VALUES];
  size_t slice_offsets[ER_SCAN_MAX_VALUES]; /* in scratch: one slice per scan input */
} scan_plan;

/* Layout of a scan along `axis` of dims[0..ndim). */
static void layout_for(scan_layout *l, int32_t ndim, const int64_t *dims, int32_t axis, edgert_dtype dtype) {
  l->axis = axis;
  l->outer = 1;
  for (int32_t d = 0; d < axis; d++)
    l->outer *= dims[d];
  int64_t inner = 1;
  for (int32_t d = axis + 1; d < ndim; d++)
    inner *= dims[d];
  l->inner_bytes = (size_t)inner * edgert_dtype_size(dtype);
}

/* Copies slice `index` along the layout's axis between the full tensor and a contiguous slice. */
static void copy_slice(const scan_layout *l, int64_t length, unsigned char *full, unsigned char *slice,
                       int64_t index, bool to_slice) {
  for (int64_t o = 0; o < l->outer; o++) {
    unsigned char *at = full + (size_t)(o * length + index) * l->inner_bytes;
    unsigned char *s = slice + (size_t)o * l->inner_bytes;
    if (to_slice)
      memcpy(s, at, l->inner_bytes);
    else
      memcpy(at, s, l->inner_bytes);
  }
}

static edgert_status normalize_axis(er_op_ctx *ctx, int32_t axis, int32_t rank, int32_t *out) {
  if (axis < -rank || axis >= rank)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "scan axis %d is out of range for rank %d", (int)axis, (int)rank);
  *out = axis < 0 ? axis + rank : axis;
  return EDGERT_OK;
}

/* Shapes of the body's formal inputs: states as given (less the batch), scan inputs less their axis. */
static edgert_status formal_shapes(er_op_ctx *ctx, const er_scan_attrs *a, scan_plan *p, er_tensor *formal,
                                   size_t *scratch) {
  int32_t skip = a->batched ? 1 : 0;
  for (int32_t i = 0; i < p->states + p->scan_inputs; i++) {
    const er_tensor *t = er_input(ctx, p->first_state + i);
    if (!t) return er_fail(ctx, EDGERT_ERR_MALFORMED, "input %d is missing", (int)(p->first_state + i));
    if (t->ndim < skip + (i >= p->states ? 1 : 0))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "input %d has too few dims", (int)(p->first_state + i));
    if (a->batched && t->dims[0] != p->batch)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "input %d has batch %lld, expected %lld",
                     (int)(p->first_state + i), (long long)t->dims[0], (long long)p->batch);
    formal[i] = *t;
    formal[i].ndim = t->ndim - skip;
    memmove(formal[i].dims, t->dims + skip, sizeof(int64_t) * (size_t)formal[i].ndim);
    if (i < p->states) continue;
    int32_t j = i - p->states, axis;
    edgert_status st = normalize_axis(ctx, a->batched ? 0 : a->input_axes[j], formal[i].ndim, &axis);
    if (st != EDGERT_OK) return st;
    int64_t length = formal[i].dims[axis];
    if (j > 0 && length != p->length)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "scan inputs have lengths %lld and %lld", (long long)p->length,
                     (long long)length);
    p->length = length;
    layout_for(&p->in[j], formal[i].ndim, formal[i].dims, axis, t->dtype);
    p->in[j].reverse = a->input_reverse[j];
    memmove(formal[i].dims + axis, formal[i].dims + axis + 1,
            sizeof(int64_t) * (size_t)(formal[i].ndim - axis - 1));
    formal[i].ndim--;
    p->slice_offsets[j] = *scratch;
    *scratch += ((size_t)p->in[j].outer * p->in[j].inner_bytes + 15) & ~(size_t)15;
  }
  return EDGERT_OK;
}

/* Output shapes: states as their inputs; scan output j is the body's output with the length inserted at
 * its axis (after the batch in opset 8). */
static edgert_status output_shapes(er_op_ctx *ctx, const er_scan_attrs *a, scan_plan *p) {
  edgert_status st;
  for (int32_t i = 0; i < p->states; i++) {
    const er_tensor *init = er_input(ctx, p->first_state + i);
    er_tensor *out = er_output(ctx, i);
    if ((st = er_check_dtype(ctx, out, init->dtype, "state output")) != EDGERT_OK ||
        (st = er_set_output_shape(ctx, out, init->ndim, init->dims)) != EDGERT_OK)
      return st;
  }
  if (p->scan_outputs && !p->body->planned)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "the body's output shapes are only known at run time");
  for (int32_t j = 0; j < p->scan_outputs; j++) {
    edgert_tensor_info info;
    const void *data;
    if (!er_subgraph_output(p->body, p->states + j, &info, &data))
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "body output %d is missing", (int)(p->states + j));
    int32_t rank = info.ndim + 1, axis;
    if ((st = normalize_axis(ctx, a->batched ? 0 : a->output_axes[j], rank, &axis)) != EDGERT_OK) return st;
    int64_t dims[ER_MAX_DIMS + 2];
    int32_t skip = a->batched ? 1 : 0;
    if (rank + skip > ER_MAX_DIMS)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "scan output %d has too many dims", (int)j);
    dims[0] = p->batch;
    memcpy(dims + skip, info.dims, sizeof(int64_t) * (size_t)axis);
    dims[skip + axis] = p->length;
    memcpy(dims + skip + axis + 1, info.dims + axis, sizeof(int64_t) * (size_t)(info.ndim - axis));
    er_tensor *out = er_output(ctx, p->states + j);
    if ((st = er_check_dtype(ctx, out, info.dtype, "scan output")) != EDGERT_OK ||
        (st = er_set_output_shape(ctx, out, rank + skip, dims)) != EDGERT_OK)
      return st;
    layout_for(&p->out[j], rank, dims + skip, axis, info.dtype);
    p->out[j].reverse = a->output_reverse[j];
  }
  return EDGERT_OK;
}

static edgert_status scan_prepare(er_op_ctx *ctx) {
  const er_scan_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "needs attrs");
  scan_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  p->first_state = a->batched ? 1 : 0;
  p->scan_inputs = a->num_scan_inputs;
  p->states = a->n_onnx_inputs - p->first_state - p->scan_inputs;
  p->scan_outputs = ctx->node->n_outputs - p->states;
  if (p->states < 0 || p->scan_inputs < 1 || p->scan_inputs > ER_SCAN_MAX_VALUES || p->scan_outputs < 0 ||
      p->scan_outputs > ER_SCAN_MAX_VALUES || p->states > ER_SCAN_MAX_VALUES)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "inputs and outputs do not fit a scan");
  for (int32_t i = 0; i < ctx->node->n_outputs; i++)
    if (!er_output(ctx, i)) return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output %d is absent", (int)i);
  p->batch = 1;
  if (a->batched) {
    const er_tensor *first = er_input(ctx, 1);
    if (!first || first->ndim < 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "opset 8 inputs need a batch axis");
    p->batch = first->dims[0];
  }
  er_tensor formal[2 * ER_SCAN_MAX_VALUES];
  size_t scratch = 0;
  edgert_status st = formal_shapes(ctx, a, p, formal, &scratch);
  if (st == EDGERT_OK)
    st = er_subgraph_prepare(ctx, a->body, formal, p->states + p->scan_inputs, a->n_onnx_inputs, &p->body);
  if (st == EDGERT_OK) st = output_shapes(ctx, a, p);
  ctx->scratch_bytes = scratch;
  return st;
}

static edgert_status take_output(er_op_ctx *ctx, const scan_plan *p, int32_t i, void *dst, size_t bytes) {
  edgert_tensor_info info;
  const void *data;
  if (!er_subgraph_output(p->body, i, &info, &data) || info.bytes != bytes || (bytes && !data))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "body output %d does not have the %zu bytes prepared for it",
                   (int)i, bytes);
  if (bytes && dst != data) memmove(dst, data, bytes);
  return EDGERT_OK;
}

/* One batch item: states start from the inputs, then one body run per position. */
static edgert_status scan_item(er_op_ctx *ctx, const scan_plan *p, int64_t b) {
  const void *formal[2 * ER_SCAN_MAX_VALUES];
  unsigned char *scratch = ctx->scratch;
  for (int32_t i = 0; i < p->states; i++) {
    er_tensor *out = er_output(ctx, i);
    size_t item = out->bytes / (size_t)p->batch;
    unsigned char *dst = (unsigned char *)out->data + (size_t)b * item;
    if (item)
      memcpy(dst, (const unsigned char *)er_input(ctx, p->first_state + i)->data + (size_t)b * item, item);
    formal[i] = dst;
  }
  for (int64_t t = 0; t < p->length; t++) {
    for (int32_t j = 0; j < p->scan_inputs; j++) {
      const er_tensor *in = er_input(ctx, p->first_state + p->states + j);
      unsigned char *item = (unsigned char *)in->data + (size_t)b * (in->bytes / (size_t)p->batch);
      copy_slice(&p->in[j], p->length, item, scratch + p->slice_offsets[j],
                 p->in[j].reverse ? p->length - 1 - t : t, true);
      formal[p->states + j] = scratch + p->slice_offsets[j];
    }
    edgert_status st = er_subgraph_run(ctx, p->body, formal);
    for (int32_t i = 0; i < p->states && st == EDGERT_OK; i++) {
      er_tensor *out = er_output(ctx, i);
      size_t item = out->bytes / (size_t)p->batch;
      st = take_output(ctx, p, i, (unsigned char *)out->data + (size_t)b * item, item);
    }
    for (int32_t j = 0; j < p->scan_outputs && st == EDGERT_OK; j++) {
      er_tensor *out = er_output(ctx, p->states + j);
      edgert_tensor_info info;
      const void *data;
      if (!er_subgraph_output(p->body, p->states + j, &info, &data) ||
          info.bytes != (size_t)p->out[j].outer * p->out[j].inner_bytes || (info.bytes && !data))
        return er_fail(ctx, EDGERT_ERR_SHAPE, "body scan output %d changed size", (int)j);
      unsigned char *item = (unsigned char *)out->data + (size_t)b * (out->bytes / (size_t)p->batch);
      copy_slice(&p->out[j], p->length, item, (unsigned char *)data,
                 p->out[j].reverse ? p->length - 1 - t : t, false);
    }
    if (st != EDGERT_OK) return st;
  }
  return EDGERT_OK;
}

static edgert_status scan_eval(er_op_ctx *ctx) {
  const scan_plan *p = ctx->op_data;
  if (p->batch <= 0) return EDGERT_OK;
  for (int64_t b = 0; b < p->batch; b++) {
    edgert_status st = scan_item(ctx, p, b);
    if (st != EDGERT_OK) return st;
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_scan = {.prepare = scan_prepare, .eval = scan_eval};
